"""The website as a reader uses it, on a phone (390 x 844) and on a desktop (1,280 px): the sidebar buttons open and
close the chapter list (with the language switch) and the page's contents, nothing widens the page or is cut at
its edge, code fits a desktop's column, every code cell has a copy button that copies its code, the test markers
never show, and the build prints no library's chatter.

It reads the one build of the session (``built_site``, tests/conftest.py) and opens two chapters per edition: 02, the
one with the most formulas, and 08, the one with the most code. The themes are pinned in pyproject.toml's [site]
group; a release that breaks a sidebar button again (pydata/pydata-sphinx-theme#2451) fails here.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from course_utils.editions import EDITIONS
from tools import browser as tb
from tools import website

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
MOST_FORMULAS, MOST_CODE = "02_activations", "08_cnn_mnist"
SIDEWAYS_SHARE = 0.05  # at most this share of a chapter's code cells scrolls sideways at 1,280 px (was 70 % in 08)

# What goes past the right edge of the screen or is cut by its box, in the article: every element that reaches past
# the screen's edge, unless a box of its own that scrolls sideways holds it within the screen; every box that hides
# (by more than a glyph's 2 px overhang) a part of what it holds past its right edge, unless a box inside it scrolls
# that part into view. MathJax's inner boxes (a tall
# bracket is drawn in clipped pieces) and its copy of a formula for screen readers (kept out of sight on purpose)
# are left out.
JS_PAST_THE_EDGE = """() => {
  const found = [];
  const edge = document.documentElement.clientWidth + 1;
  const seen = (el) => !el.closest('mjx-assistive-mml') && getComputedStyle(el).visibility === 'visible'
                       && el.getBoundingClientRect().width > 0;
  const what = (el) => `${el.tagName.toLowerCase()}.${el.className} "${(el.textContent || '').trim().slice(0, 40)}"`;
  for (const el of document.querySelectorAll('article.bd-article *')) {
    if (el.tagName.startsWith('MJX-') && el.tagName !== 'MJX-CONTAINER' || !seen(el)) continue;
    const box = el.getBoundingClientRect();
    if (['hidden', 'clip'].includes(getComputedStyle(el).overflowX)) {
      const own = (d) => {  // el is the nearest box that hides or scrolls what overflows d
        let up = d.parentElement;
        while (up !== el && getComputedStyle(up).overflowX === 'visible') up = up.parentElement;
        return up === el;
      };
      const hidden = [...el.querySelectorAll('*')].find(
        d => d.getBoundingClientRect().right > box.right + 2 && seen(d) && own(d));
      if (hidden) {
        found.push(`cut by its box at ${Math.round(box.right)} px: ${what(el)}`);
        continue;
      }
    }
    if (box.right <= edge) continue;
    let held = false;
    for (let up = el.parentElement; up && !held; up = up.parentElement) {
      held = ['auto', 'scroll'].includes(getComputedStyle(up).overflowX) && up.getBoundingClientRect().right <= edge;
    }
    if (!held) found.push(`past the screen's edge (${Math.round(box.right)} px): ${what(el)}`);
  }
  return found.slice(0, 10);
}"""

# Each code cell's input: its text, whether it scrolls sideways, whether a copy button sits on it
JS_CODE_CELLS = """() => [...document.querySelectorAll('div.cell_input div.highlight > pre')].map(pre => ({
  text: pre.innerText, sideways: pre.scrollWidth > pre.clientWidth + 1,
  button: !!(pre.parentElement.querySelector(':scope > button.copybtn'))}))"""


def _open(browser, base: str, name: str, viewport: dict):
    """A page of the site on a screen of ``viewport``, with clipboard rights and every request outside the site
    refused; (page, problems: requests outside the site, script errors)."""
    context = browser.new_context(viewport=viewport, permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    tb.keep_offline(page, base, problems)
    page.goto(f"{base}/{name}.html", wait_until="load")
    page.evaluate("() => window.MathJax && MathJax.startup ? MathJax.startup.promise : null")
    return page, problems


def _drawer(page, which: str) -> str:
    """Press the article header's button of the ``which`` sidebar (primary: chapters, secondary: page contents)."""
    button = page.locator(f".bd-header-article button.{which}-toggle")
    assert button.is_visible(), f"no visible {which} sidebar button at {page.viewport_size['width']} px"
    button.click()
    return f"#pst-{which}-sidebar-modal"


def _fits(page, where: str) -> None:
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"{where}: the page is {width[0]} px wide on a {width[1]} px screen"
    past = page.evaluate(JS_PAST_THE_EDGE)
    assert not past, f"{where}: " + "; ".join(past)


@pytest.mark.parametrize("ed", EDITIONS, ids=[e.code for e in EDITIONS])
def test_phone_and_desktop_reach_chapters_language_and_contents(ed, built_site, browser):
    _site, base = built_site
    page, problems = _open(browser, base, f"{ed.site_path}/{MOST_FORMULAS}", PHONE)
    where = f"{ed.code}/{MOST_FORMULAS} at 390 px"
    _fits(page, where)

    # the chapter list, with the language switch, in a drawer that closes when the page beside it is tapped
    drawer = _drawer(page, "primary")
    page.wait_for_selector(f"{drawer}[open]", timeout=3_000)
    chapters = page.locator(f"{drawer} nav.bd-docs-nav a.reference")
    assert chapters.count() >= 10 and chapters.first.is_visible(), f"{where}: the drawer shows no chapter list"
    switch = page.locator(f"{drawer} a.course-lang-switch")
    assert switch.count() == len(EDITIONS) - 1 and switch.first.is_visible(), f"{where}: no language switch"
    assert switch.first.get_attribute("href").endswith(f"/{MOST_FORMULAS}.html")
    page.mouse.click(PHONE["width"] - 10, PHONE["height"] // 2)  # beside the drawer
    page.wait_for_selector(f"{drawer}:not([open])", state="attached", timeout=3_000)
    assert page.locator("#pst-primary-sidebar nav.bd-docs-nav").count() == 1, f"{where}: the chapter list is lost"

    # the page's contents, in the other drawer
    drawer = _drawer(page, "secondary")
    page.wait_for_selector(f"{drawer}[open]", timeout=3_000)
    contents = page.locator(f"{drawer} nav.page-toc a")
    assert contents.count() >= 3 and contents.first.is_visible(), f"{where}: the contents drawer is empty"
    page.keyboard.press("Escape")
    page.wait_for_selector(f"{drawer}:not([open])", state="attached", timeout=3_000)

    # the same page on a desktop: the chapter list folds away and comes back; the contents open as a drawer
    page.set_viewport_size(DESKTOP)
    where = f"{ed.code}/{MOST_FORMULAS} at 1,280 px"
    sidebar = page.locator("#pst-primary-sidebar")
    assert sidebar.is_visible()
    _drawer(page, "primary")
    page.wait_for_function("() => getComputedStyle(document.getElementById('pst-primary-sidebar')).visibility"
                           " === 'hidden'", timeout=3_000)
    _drawer(page, "primary")
    page.wait_for_function("() => getComputedStyle(document.getElementById('pst-primary-sidebar')).visibility"
                           " === 'visible'", timeout=3_000)
    drawer = _drawer(page, "secondary")
    page.wait_for_selector(f"{drawer}[open]", timeout=3_000)
    assert page.locator(f"{drawer} nav.page-toc a").first.is_visible(), f"{where}: the contents drawer is empty"
    page.keyboard.press("Escape")
    page.wait_for_selector(f"{drawer}:not([open])", state="attached", timeout=3_000)
    _fits(page, where)
    cells = page.evaluate(JS_CODE_CELLS)
    sideways = sum(c["sideways"] for c in cells)
    assert sideways <= SIDEWAYS_SHARE * len(cells), f"{where}: {sideways} of {len(cells)} code cells scroll sideways"
    assert not problems, problems
    page.context.close()


@pytest.mark.parametrize("ed", EDITIONS, ids=[e.code for e in EDITIONS])
def test_code_fits_and_every_code_cell_copies_its_code(ed, built_site, browser):
    _site, base = built_site
    page, problems = _open(browser, base, f"{ed.site_path}/{MOST_CODE}", PHONE)
    _fits(page, f"{ed.code}/{MOST_CODE} at 390 px")
    cells = page.evaluate(JS_CODE_CELLS)
    assert len(cells) > 20, "the chapter's code cells were not found"
    missing = [c["text"][:60] for c in cells if not c["button"]]
    assert not missing, f"code cells without a copy button: {missing[:3]}"
    outputs = page.locator("div.cell_output button.copybtn").count()
    assert outputs == 0, f"{outputs} outputs have a copy button: it copies code, not what the code printed"

    index = next(i for i, c in enumerate(cells) if c["text"].count("\n") >= 2)  # a cell of several lines
    pre = page.locator("div.cell_input div.highlight > pre").nth(index)
    pre.scroll_into_view_if_needed()
    pre.hover()
    page.locator("div.cell_input div.highlight > button.copybtn").nth(index).click()
    copied = page.evaluate("() => navigator.clipboard.readText()")
    assert copied == cells[index]["text"].rstrip("\n"), f"copied {copied[:80]!r}, the cell holds {cells[index]['text'][:80]!r}"

    page.set_viewport_size(DESKTOP)
    cells = page.evaluate(JS_CODE_CELLS)
    sideways = sum(c["sideways"] for c in cells)
    where = f"{ed.code}/{MOST_CODE} at 1,280 px"
    assert sideways <= SIDEWAYS_SHARE * len(cells), f"{where}: {sideways} of {len(cells)} code cells scroll sideways"
    _fits(page, where)
    assert not problems, problems
    page.context.close()


def test_no_test_marker_on_any_page(built_site):
    site, _base = built_site
    pages = sorted(site.glob("*/*.html"))
    assert len(pages) > 20
    shown = [str(p.relative_to(site)) for p in pages if "NBVAL_" in p.read_text(encoding="utf-8")]
    assert not shown, f"nbval's markers show on {shown}"


def test_test_markers_are_taken_out_of_the_code():
    assert website.strip_test_markers("# NBVAL_CHECK_OUTPUT\nx = 1\nx") == "x = 1\nx"
    assert website.strip_test_markers("x = 1  # NBVAL_IGNORE_OUTPUT\n# why: it varies\nx") == "x = 1\n# why: it varies\nx"
    assert website.strip_test_markers("# keep this\nx") == "# keep this\nx"


# A Sphinx build's configuration read as the build reads it (the Chinese edition), then jieba made ready, as the
# search index makes it at the first Chinese page: what it prints.
QUIET_BUILD = """
import sys
from sphinx.config import Config
from sphinx.util.tags import Tags
if sys.argv[1] == "conf":
    Config.read(sys.argv[2], tags=Tags(["edition_zh"]))
import jieba
jieba.initialize()
"""


def test_the_build_prints_no_library_chatter():
    import jieba  # noqa: F401 - a tool of the site (pyproject.toml [site]): missing, the site cannot build either

    def printed(how: str) -> str:
        run = subprocess.run([sys.executable, "-c", QUIET_BUILD, how, str(website.CONF)], capture_output=True,
                             text=True, cwd=website.ROOT, timeout=120)
        assert run.returncode == 0, run.stderr
        return run.stdout + run.stderr

    assert "prefix dict" in printed("bare"), "jieba no longer says this: the check below proves nothing"
    assert printed("conf") == "", "the site's configuration leaves jieba's messages on"


def test_a_sphinx_error_still_fails_the_build(tmp_path, monkeypatch):
    """The quiet build hides nothing that goes wrong: Sphinx failing on an edition stops the build with an error,
    and the training it started in the background stops with it."""
    calls = []
    run = subprocess.run

    def sphinx_fails(command, **kwargs):
        if "sphinx" not in command:  # the build's other commands (git, for the course's archive) run as they do
            return run(command, **kwargs)
        calls.append(command)
        return subprocess.CompletedProcess(command, 2)

    trainers = []

    class Trainer(website.StageTrainer):
        """Takes the settings to train and trains none (their training is tests/test_site_training.py's)."""

        def __init__(self) -> None:
            super().__init__()
            self.asked, self.closed = 0, False
            trainers.append(self)

        def start(self, builder, arguments, lang, start, settings) -> None:
            self.asked += len(settings)

        def close(self) -> None:
            self.closed = True

    monkeypatch.setattr(website, "SITE", tmp_path / "site")
    monkeypatch.setattr(website, "write_sources", lambda lang, widgets: tmp_path)
    monkeypatch.setattr(website.subprocess, "run", sphinx_fails)
    monkeypatch.setattr(website, "StageTrainer", Trainer)
    with pytest.raises(website.SiteBuildError, match="Sphinx failed"):
        website.build(state=Path(tmp_path))
    assert calls and "-q" in calls[0]  # quiet: only Sphinx's warnings and errors, which it prints itself
    # the training it had started for the widgets that train is stopped, not left to run on every core
    assert [(t.asked > 0, t.closed) for t in trainers] == [(True, True)]


def test_a_line_break_inside_a_chinese_sentence_is_no_space(site_build):
    """A Chinese paragraph wrapped across lines in its source reads as one: HTML would show each break as a space
    between two characters ("检查你自己写的 代码"). Headings, code blocks and breaks next to Latin text stay."""
    text = "检查你自己写的\n代码。\nEnglish\nwords\n\n```python\n# 中文\n中文\n```\n## 标题\n正文\n- 项目\n  继续"
    assert website.join_cjk_lines(text) == ("检查你自己写的代码。\nEnglish\nwords\n\n```python\n# 中文\n中文\n```\n"
                                            "## 标题\n正文\n- 项目继续")
    import nbformat

    folder = website.SOURCES / "zh"
    texts = {p.name: p.read_text(encoding="utf-8") for p in folder.glob("*.md")}
    for path in folder.glob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        texts.update({f"{path.name} cell {i}": c.source for i, c in enumerate(nb.cells) if c.cell_type == "markdown"})
    assert len(texts) > 100
    left = [name for name, source in texts.items() if website.join_cjk_lines(source) != source]
    assert not left, f"Chinese sentences broken across lines on the site: {left[:5]}"
