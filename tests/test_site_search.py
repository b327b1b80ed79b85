"""The website's search (``tools/site_search.py``, ``website/_static/course-search.js``), in Chromium on the site that
tests/conftest.py builds once for every ``tests/test_site*.py`` file.

* Through the search page as a reader uses it (``search.html?q=…``): a query lists results in either edition;
  on the Chinese edition, a result's snippet is the passage that holds the word (not the page's table of
  contents), with no raw TeX, and the page's own words (headings, result count, the field's placeholder, the
  buttons' labels) are Chinese.
* The whole glossary, the term list and every chapter title, searched by Sphinx's own search function
  (``Search._parseQuery`` and ``Search._performSearch``, what the search page runs) in one page: every term
  returns the page that teaches it. Which page that is, by a rule that does not read the index:

  - a term of the edition's glossary (``notebooks/<edition>/GLOSSARY.md``, cut into terms as ``tools.terms``
    cuts a row): every chapter the glossary names for its row, and the glossary where it writes the term as it
    is (双曲正切函数 is written 双曲正切（tanh）函数 there);
  - a term of the Chinese term list (``locale/zh/terms.tsv``, every rendering): the chapters whose Key terms
    table names it; for a term decided in review (no table names it), the first chapter whose article holds it;
  - a chapter's title (without its number): that chapter.

Skips when Playwright or /usr/bin/chromium is missing, except on CI (``CI=true``), where it fails.
"""

from __future__ import annotations

import re
import urllib.parse

import pytest

from course_utils.editions import EDITIONS
from tools import browser as tb
from tools import site_search, terms

CJK = re.compile(r"[\u4e00-\u9fff]")
# raw TeX in a snippet: a delimiter or one of the commands the chapters' formulas use
RAW_TEX = re.compile(r"\\[()\[\]]|\$\$|\\(frac|mathbf|sum|sigma|partial|begin|left|right|cdot|text|hat|sqrt)\b")

# Sphinx's search, as the search page runs it, for many queries: [query, the result pages (in rank order, best
# first)] for each.
JS_SEARCH = """(queries) => queries.map((q) => {
  const results = Search._performSearch(...Search._parseQuery(q));
  return [q, [...new Set(results.map((r) => r[0]).reverse())]];
})"""

# The text of each chapter's article, as the page shows it (fetched, parsed, no script), by page name.
JS_ARTICLES = """async (pages) => {
  const out = {};
  for (const page of pages) {
    const doc = new DOMParser().parseFromString(await (await fetch(page + '.html')).text(), 'text/html');
    out[page] = doc.querySelector('article').textContent.replace(/\\s+/g, ' ');
  }
  return out;
}"""

# The words the search page shows or says, outside the results' list and the footer: text and the labels a screen
# reader or a tooltip gives ([where, text]).
JS_PAGE_WORDS = """() => {
  const out = [];
  const skip = 'script, style, noscript, #search-results ul, footer, .course-lang-switch-box, .bd-sidenav, kbd';
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (n.parentElement.closest(skip) || !n.parentElement.checkVisibility()) continue;
    if (n.textContent.trim()) out.push([n.parentElement.tagName, n.textContent.trim()]);
  }
  for (const el of document.querySelectorAll('[title], [aria-label], [placeholder]'))
    for (const a of ['title', 'aria-label', 'placeholder'])
      if (el.getAttribute(a) && !el.closest(skip)) out.push([`${el.tagName}[${a}]`, el.getAttribute(a)]);
  return out;
}"""

# Each result's snippet on the search page, with the text of the result's page's table of contents ([snippet,
# table of contents]).
JS_SNIPPETS = """async () => {
  const out = [];
  for (const li of document.querySelectorAll('#search-results li')) {
    const p = li.querySelector('p.context');
    if (!p) continue;
    const doc = new DOMParser().parseFromString(await (await fetch(li.querySelector('a').href)).text(), 'text/html');
    const toc = doc.querySelector('.bd-sidebar-secondary, .bd-toc');
    out.push([p.textContent, toc ? toc.textContent.replace(/\\s+/g, ' ') : '']);
  }
  return out;
}"""


def _page(browser, base: str, lang: str, query: str):
    """The edition's search page with ``query`` searched, once its results are listed and their snippets shown;
    with the list of console errors and requests that left the site."""
    page = browser.new_page(viewport={"width": 1300, "height": 1000})
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    page.on("console", lambda msg: problems.append(f"console error: {msg.text}") if msg.type == "error" else None)
    tb.keep_offline(page, base, problems)
    page.goto(f"{base}/{lang}/search.html?q={urllib.parse.quote(query)}", wait_until="load")
    # the summary's line is written once every result is listed
    page.wait_for_function("() => document.querySelector('#search-results .search-summary')?.textContent"
                           " && document.querySelectorAll('#search-results li').length > 0", timeout=20_000)
    page.wait_for_load_state("networkidle")  # the snippets: each result's page, fetched
    return page, problems


@pytest.mark.parametrize("lang,query", [("en", "gradient"), ("zh", "梯度")])
def test_site_search(lang, query, built_site, browser):
    _site, base = built_site
    page, problems = _page(browser, base, lang, query)
    try:
        assert not [p for p in problems if "outside" in p], problems
    finally:
        page.close()


def expectations(lang: str, articles: dict[str, str]) -> list[tuple[str, tuple[str, ...], str]]:
    """(query, the pages its results must hold, where the query comes from) for every term of edition ``lang``'s
    glossary, of its term list, and for every chapter title (the module's docstring gives the rule); ``articles``:
    the text of each chapter and of the glossary."""
    chapters = [p for p in articles if p != "GLOSSARY"]
    wanted: list[tuple[str, tuple[str, ...], str]] = []
    for names, pages in site_search.glossary(lang):
        wanted += [(name, (*pages, *["GLOSSARY"][:name.lower() in articles["GLOSSARY"].lower()]), "glossary")
                   for name in names]
    if lang == terms.LANG:
        for term in terms.read():
            numbers = re.findall(r"\d\d", term.source)
            for rendering in term.renderings:
                pages = tuple(p for p in chapters if p[:2] in numbers)
                if not numbers:  # decided in review: where the chapters first use it
                    pages = next(((p,) for p in chapters if rendering.lower() in articles[p].lower()), ())
                wanted.append((rendering, pages, f"terms.tsv ({term.source})"))
    wanted += [(title, (name,), "chapter title") for name, title in site_search.chapter_titles(lang).items()]
    return wanted


@pytest.mark.parametrize("lang", [e.code for e in EDITIONS])
def test_every_term_and_chapter_title_finds_its_page(lang, built_site, browser):
    """The glossary, the term list and the chapter titles, each searched: the page that teaches it is a result."""
    _site, base = built_site
    page, problems = _page(browser, base, lang, "梯度" if lang == terms.LANG else "gradient")
    try:
        chapters = list(site_search.chapter_titles(lang))
        articles = page.evaluate(JS_ARTICLES, [*chapters, "GLOSSARY"])
        wanted = expectations(lang, articles)
        assert len(wanted) > 150 + len(chapters), f"{lang}: too few terms read: is the glossary's parsing broken?"
        unused = sorted({q for q, pages, _source in wanted if not pages})
        assert len(unused) <= 3, f"{lang}: terms no chapter uses: {unused}"
        found = dict(page.evaluate(JS_SEARCH, [q for q, pages, _source in wanted if pages]))
        missed = [f"{q!r} ({source}): {sorted(set(pages) - set(found[q]))} not among {found[q][:6]}"
                  for q, pages, source in wanted if pages and not set(pages) <= set(found[q])]
        assert not missed, f"{lang}: {len(missed)} of {len(wanted)} queries miss their page: " + "; ".join(missed[:8])
        titles = site_search.chapter_titles(lang)
        assert all(found[title][0] == name for name, title in titles.items()), \
            f"{lang}: a chapter's title does not rank its chapter first: {[(t, found[t][:3]) for t in titles.values()]}"
        assert not problems, problems
    finally:
        page.close()


def test_chinese_search_page_snippets_and_words(built_site, browser):
    """On the Chinese edition, through the search page: each snippet is the passage with the word, its math as
    plain text, not the page's table of contents; the page's own words are Chinese; a phrase of terms (cut into
    the index's words) finds its chapter first."""
    _site, base = built_site
    snippets, problems = {}, []
    for query in ("梯度消失", "加权和"):  # a section's title (in its page's table of contents); a formula's words
        page, found = _page(browser, base, "zh", query)
        try:
            snippets[query] = page.evaluate(JS_SNIPPETS)
            problems += found
            if query != "加权和":
                continue
            words = page.evaluate(JS_PAGE_WORDS)
            summary = page.locator("#search-results .search-summary").inner_text()
            placeholder = page.locator("form.bd-search input").first.get_attribute("placeholder") or ""
            page.goto(f"{base}/zh/search.html?q={urllib.parse.quote('优化器与学习率调度')}", wait_until="load")
            page.wait_for_function("() => document.querySelectorAll('#search-results li').length > 0",
                                   timeout=20_000)
            first = page.locator("#search-results li a").first.get_attribute("href")
        finally:
            page.close()

    for query, pairs in snippets.items():
        assert len(pairs) >= 2 and any(toc for _s, toc in pairs), f"{query}: {pairs}"
        for snippet, toc in pairs:
            assert query in snippet, f"the snippet does not show {query}: {snippet[:120]!r}"
            assert not RAW_TEX.search(snippet), f"raw TeX in a snippet: {snippet[:240]!r}"
            assert snippet.strip(". ")[20:60] not in toc, f"a snippet quotes its page's contents: {snippet[:120]!r}"
    assert any(re.search(r"[∑σ·ᵢ₁ⁿ²]", s) for s, _toc in snippets["加权和"]), \
        f"no snippet holds a formula (written as plain text): {[s[:80] for s, _ in snippets['加权和']]}"

    english = [(where, text) for where, text in words
               if re.search(r"[A-Za-z]{3,}", re.sub(r"PyTorch|MNIST|nbgrader|JavaScript|Ctrl", "", text))]
    assert not english, f"English words on the Chinese search page: {english}"
    assert re.search(r"\d+", summary) and CJK.search(summary), summary
    assert CJK.search(placeholder), placeholder
    assert first.startswith("06_optimizers"), f"优化器与学习率调度 finds {first} first"
    assert not problems, problems
