"""The website, built by ``tools/website.py`` and checked page by page in a real browser (Chromium via Playwright).

The site is built once for the module into build/site/ and served from that folder by a local HTTP server; every
request to anywhere else is blocked and counted as a failure (the site must work offline). For every page of both
editions (every row of the table of editions):

* it loads with no console error, no failed request, no broken internal link or image;
* no raw LaTeX is left on the page once MathJax has typeset it;
* the language switch leads to the same page in every other edition;
* the teacher's page (``website/pages/``) is linked from the home page and the navigation, shows the kit's
  commands as the README's section for teachers gives them, and the gradebook picture;
* on a page with widgets, moving the first control of each live widget changes its picture (and the picture
  loads), and so does every other slider, dropdown and checkbox of it, at one value or another; a widget that
  cannot answer without a kernel says so, with its controls disabled.

Skips when Playwright or /usr/bin/chromium is missing, except on CI (``CI=true``), where it fails.
"""

from __future__ import annotations

import re
import urllib.parse
from pathlib import Path

import pytest

from course_utils.editions import CODES, EDITIONS
from tools import browser as tb
from tools import nbtools, website

ROOT = Path(__file__).resolve().parent.parent
PAGES = [f"{e.site_path}/{name}" for e in EDITIONS
         for name in ["index", *(src.stem for src in nbtools.sources()), "GLOSSARY", website.TEACHERS, website.GET]]
# the teacher's page's commands: making the course folder, nbgrader's student copy and grading, the feedback
COMMANDS = ("python3 course.py classroom my-class", "nbgrader generate_assignment 01_perceptron",
            "nbgrader autograde 01_perceptron", "nbgrader generate_feedback 01_perceptron")

# Text of the page outside code, outputs and typeset math: where raw TeX would show.
JS_RAW_TEX = r"""() => {
  const skip = 'PRE, CODE, SCRIPT, STYLE, TEXTAREA, MJX-CONTAINER, .highlight, .output, .cell_output';
  const walker = document.createTreeWalker(document.querySelector('main') || document.body, NodeFilter.SHOW_TEXT);
  const found = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.parentElement.closest(skip)) continue;
    const text = node.textContent;
    const m = text.match(/\$\$|\\(frac|mathbf|sum|sigma|partial|begin|left|right|cdot|text)\b|\\\(|\\\[|\$[^$\s][^$]*\$/);
    if (m) found.push(text.trim().slice(0, 80));
  }
  return found;
}"""

# Images that did not load; lazy ones (the home page's chapter pictures) are loaded first, as a reader's scrolling
# would.
JS_IMAGES = """async () => {
  const lazy = Array.from(document.querySelectorAll('img[loading=lazy]'));
  lazy.forEach(img => { img.loading = 'eager'; });
  await Promise.all(lazy.map(img => img.decode().catch(() => null)));
  return Array.from(document.images)
    .filter(img => !img.complete || img.naturalWidth === 0).map(img => img.getAttribute('src'));
}"""

JS_LINKS = """() => Array.from(document.querySelectorAll('a[href]')).map(a => a.href)
  .filter(h => h.startsWith(location.origin))"""


def _local_file(site: Path, base: str, url: str) -> Path:
    path = urllib.parse.unquote(urllib.parse.urlsplit(url).path)
    target = site / path.lstrip("/")
    return target / "index.html" if path.endswith("/") else target


def _open(browser, base: str, page_name: str):
    """Open a page with every request outside the local server blocked; return (page, problems list)."""
    page = browser.new_page(viewport={"width": 1300, "height": 1000})
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(f"console error: {msg.text} ({msg.location.get('url')})")
            if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    page.on("requestfailed", lambda req: problems.append(f"request failed: {req.url}")
            if not req.url.startswith(base) or "net::ERR_ABORTED" not in (req.failure or "") else None)
    page.on("response", lambda res: problems.append(f"HTTP {res.status}: {res.url}") if res.status >= 400 else None)
    tb.keep_offline(page, base, problems)
    page.goto(f"{base}/{page_name}.html", wait_until="load")
    page.wait_for_function("() => !window.MathJax || !MathJax.startup || MathJax.startup.promise", timeout=30_000)
    page.evaluate("() => window.MathJax && MathJax.startup ? MathJax.startup.promise : null")
    return page, problems


def _move_first_control(widget) -> str:
    """Move the widget's first enabled control one step; return how (for messages)."""
    return widget.evaluate("""(root) => {
      const el = root.querySelector('input:not([disabled]), select:not([disabled])');
      if (el.type === 'range') {
        const v = parseInt(el.value, 10), max = parseInt(el.max, 10);
        el.value = String(v < max ? v + 1 : v - 1);
        el.dispatchEvent(new Event('input', {bubbles: true}));
      } else if (el.type === 'checkbox') {
        el.click();
      } else {
        el.selectedIndex = (el.selectedIndex + 1) % el.options.length;
        el.dispatchEvent(new Event('change', {bubbles: true}));
      }
      return el.getAttribute('data-control');
    }""")


# Each enabled control of a widget, moved through its values (the others at their start) until the picture is not
# the start one: the names of those that never changed it. Each is put back to its start afterwards. A widget that
# trains lists in "same" the controls whose every setting trains the very network shown (tools/website.py).
JS_DEAD_CONTROLS = """(root) => {
  const image = root.querySelector('img.cw-image');
  const same = JSON.parse(root.getAttribute('data-widget')).same || [];
  const fire = (el) => el.dispatchEvent(new Event(el.tagName === 'SELECT' || el.type === 'checkbox' ? 'change'
                                                                                                    : 'input'));
  const set = (el, i) => { if (el.type === 'checkbox') el.checked = i === 1; else el.value = String(i); fire(el); };
  const dead = [];
  for (const el of root.querySelectorAll('input:not([disabled]), select:not([disabled])')) {
    const count = el.type === 'checkbox' ? 2 : el.tagName === 'SELECT' ? el.options.length
                                                                        : parseInt(el.max, 10) + 1;
    const start = el.type === 'checkbox' ? (el.checked ? 1 : 0) : parseInt(el.value, 10);
    set(el, start);
    const shown = image.getAttribute('src');
    let answered = false;
    for (let i = 0; i < count && !answered; i++) {
      if (i === start) continue;
      set(el, i);
      answered = image.getAttribute('src') !== shown;
    }
    set(el, start);
    if (!answered && !same.includes(el.getAttribute('data-control'))) dead.push(el.getAttribute('data-control'));
  }
  return dead;
}"""


@pytest.mark.parametrize("page_name", PAGES)
def test_site_page(page_name, built_site, browser):
    site, base = built_site
    assert (site / f"{page_name}.html").exists(), f"{page_name}.html was not built"
    page, problems = _open(browser, base, page_name)
    try:
        raw = page.evaluate(JS_RAW_TEX)
        assert not raw, f"{page_name}: raw LaTeX on the page: {raw[:3]}"
        broken = page.evaluate(JS_IMAGES)
        assert not broken, f"{page_name}: images that did not load: {broken[:3]}"
        missing = sorted({url for url in page.evaluate(JS_LINKS) if not _local_file(site, base, url).exists()})
        assert not missing, f"{page_name}: links to missing files: {missing[:3]}"

        switches = page.locator("a.course-lang-switch")
        others = sorted(_local_file(site, base, switches.nth(i).evaluate("a => a.href"))
                        for i in range(switches.count()))
        here, name = page_name.split("/")
        assert others == sorted(site / e.site_path / f"{name}.html" for e in EDITIONS if e.site_path != here), \
            f"{page_name}: the switch goes to {others}"

        widgets = page.locator(".course-widget-static")
        live = page.locator(".course-widget-static.cw-live")
        for i in range(live.count()):
            widget = live.nth(i)
            widget.scroll_into_view_if_needed()
            image = widget.locator("img.cw-image")
            before = image.get_attribute("src")
            control = _move_first_control(widget)
            page.wait_for_function("([img, before]) => img.getAttribute('src') !== before && img.complete "
                                   "&& img.naturalWidth > 0", arg=[image.element_handle(), before], timeout=5_000)
            assert image.get_attribute("src") != before, f"{page_name}: widget #{i} ignored its control {control}"
            dead = widget.evaluate(JS_DEAD_CONTROLS)
            assert not dead, f"{page_name}: widget #{i}: moving {dead} never changes the picture"
        for i in range(widgets.count()):
            widget = widgets.nth(i)
            if "cw-live" not in (widget.get_attribute("class") or ""):
                assert widget.locator(".cw-note").count() and not widget.locator(
                    "input:not([disabled]), select:not([disabled])").count(), \
                    f"{page_name}: widget #{i} cannot answer but does not say so"
        assert not problems, f"{page_name}: " + "; ".join(problems[:5])
    finally:
        page.close()


def test_every_site_widget_answers(site_build):
    """Every widget output of the committed notebooks, both editions, is on the site and answers without a kernel,
    those a model trained in the notebook draws included (chapter 08's trainer and explorer, chapter 09's trained
    playgrounds: built again from what the notebook build saved)."""
    site = site_build.site
    shown = [(lang, page, cell, record.builder) for lang in CODES for page, cell, record in
             nbtools.widget_records(lang)]
    assert {lang for lang, *_rest in shown} == set(CODES), "no widget output in an edition's notebooks"
    made = [(w.lang, w.page, w.cell, w.builder) for w in site_build.widgets]
    assert made == shown, "the site's widgets are not the notebooks' widget outputs"
    frozen = [w.line() for w in site_build.frozen()]
    assert not frozen, "widgets that cannot answer on the site:\n" + "\n".join(frozen)
    for w in site_build.widgets:
        assert w.mode in ("grid", "single") and w.pictures > 1 and w.live, f"answers to no control: {w.line()}"
    log = (site / "widgets.log").read_text(encoding="utf-8").splitlines()
    assert log == [w.line() for w in site_build.widgets]  # the same list, for people
    # and each of them offers every slider, dropdown and checkbox it has (only buttons stay disabled)
    for page in sorted(site.glob("*/*.html")):
        disabled = re.findall(r'<(?:input|select)[^>]*data-control="([^"]+)"[^>]*disabled', page.read_text())
        assert not disabled, f"{page.relative_to(site)}: controls disabled on the site: {disabled}"


def _code_lines(markdown: str) -> list[str]:
    """The lines of a markdown text's fenced code blocks, without their trailing spaces."""
    blocks = re.findall(r"^```[^\n]*\n(.*?)^```", markdown, re.M | re.S)
    return [line.rstrip() for block in blocks for line in block.splitlines() if line.strip()]


@pytest.mark.parametrize("ed", EDITIONS, ids=CODES)
def test_the_teachers_page_gives_the_readmes_commands(ed):
    """Without Sphinx: each edition's teacher's page (website/pages/) shows the kit's commands as its README's
    section for teachers writes them, line for line, and its gradebook picture is a small PNG."""
    files = website.page_files(ed.code)
    page = files[f"{website.TEACHERS}.md"].read_text(encoding="utf-8")
    sections = (ROOT / ed.readme).read_text(encoding="utf-8").split("\n## ")
    teachers = [section for section in sections if "course.py classroom" in section]
    assert len(teachers) == 1, f"{ed.readme}: no one section for teachers"
    readme = set(_code_lines(teachers[0]))
    lines = _code_lines(page)
    assert lines and set(lines) <= readme, f"{ed.code}: the page's commands the README does not give: " \
                                           f"{sorted(set(lines) - readme)}"
    for command in COMMANDS:
        assert any(line.startswith(command) for line in lines), f"{ed.code}: the page lacks {command!r}"
    picture = files["gradebook.png"]
    assert "](gradebook.png)" in page
    assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and picture.stat().st_size < 200_000


@pytest.mark.parametrize("ed", EDITIONS, ids=CODES)
def test_the_teachers_page_is_linked_and_shows_the_commands_and_the_gradebook(ed, built_site, browser):
    """The built teacher's page of each edition: linked from its home page and its navigation, with the kit's
    commands in its code blocks and the gradebook picture loaded."""
    _site, base = built_site
    page, problems = _open(browser, base, f"{ed.site_path}/index")
    try:
        target = f"{base}/{ed.site_path}/{website.TEACHERS}.html"
        links = page.evaluate("() => Array.from(document.querySelectorAll('article a[href]')).map(a => a.href)")
        assert target in links, f"{ed.code}: the home page's text does not link to the teacher's page"
        nav = page.evaluate("() => Array.from(document.querySelectorAll('nav a[href]')).map(a => a.href)")
        assert target in nav, f"{ed.code}: the navigation does not link to the teacher's page"
        page.goto(target, wait_until="load")
        code = "\n".join(page.locator("pre").all_inner_texts())
        for command in COMMANDS:
            assert command in code, f"{ed.code}: the teacher's page does not show {command!r}"
        sizes = page.evaluate("() => Array.from(document.images).filter(i => i.src.includes('gradebook'))"
                              ".map(i => [i.naturalWidth, i.naturalHeight])")
        assert sizes and all(w > 400 and h > 100 for w, h in sizes), f"{ed.code}: the gradebook picture: {sizes}"
        assert not problems, "; ".join(problems[:5])
    finally:
        page.close()


def test_a_widget_output_is_made_static_from_its_record_of_either_version(tmp_path):
    """Without Sphinx or a browser: the site builds a widget again from its output's record (version 2, or version
    1 as notebooks committed before the record had a version), and keeps the picture of one it cannot."""
    from course_utils import widgets

    shown = widgets.neuron_explorer()
    shown.controls["w"].value = 2.0
    png = bytes(shown.image.value)
    pages = website.SiteWidgets(frames=tmp_path, state=tmp_path)
    old = shown.record().to_json()
    del old["version"]
    for raw in (shown.record().to_json(), old):
        markup, result = website.static_widget(raw, png, "en", pages, "01_perceptron", 5)
        assert (result.lang, result.page, result.cell, result.builder) == ("en", "01_perceptron", 5, "neuron_explorer")
        assert result.mode in ("grid", "single") and set(result.live) == {"w", "b"}, result
        assert result.pictures >= len(list(tmp_path.glob("*.png"))) > 2 and "cw-live" in markup
    touched = widgets.outlier_fit()
    touched.update()  # a state its record cannot build again: the page shows its picture, controls disabled
    markup, result = website.static_widget(touched.record().to_json(), png, "en", pages)
    assert result.mode == "frozen" and result.reason == "not rebuildable" and "cw-live" not in markup
    assert 'disabled' in markup
    markup, result = website.static_widget({**old, "presses": "one"}, png, "zh", pages)
    assert result.mode == "frozen" and "`presses`" in result.reason and result.builder is None


@pytest.mark.parametrize("builder", ["activation_explorer", "optimizer_race", "playground"])
def test_a_stored_picture_is_the_widgets_picture(builder, tmp_path):
    """The site stores a widget's picture with 256 colours: smaller, and the same picture to the eye (no colour
    channel of any pixel off by more than 48 of 255, and fewer than 1 % of the pixels off by more than 16)."""
    import io

    import numpy as np
    from PIL import Image

    from course_utils.widgets import BUILDERS

    png = bytes(BUILDERS[builder]().image.value)
    stored = tmp_path / website._save_frame(png, tmp_path)
    assert stored.stat().st_size < len(png)

    def pixels(data: bytes):
        return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"), dtype=np.int16)

    off = np.abs(pixels(stored.read_bytes()) - pixels(png)).max(axis=2)
    assert off.max() <= 48 and (off > 16).mean() < 0.01, (off.max(), (off > 16).mean())
