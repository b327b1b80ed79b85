"""The website's way in: how a reader gets the course and runs it, checked on the built site (tests/conftest.py's
one build) and in Chromium.

* each edition's get-the-course page (``website/pages/get.<code>.md``) gives its README's Quick start commands,
  line for line, and every page of the site links to it from its header;
* the course as one archive (``nn-course.zip`` at the site's root) unpacks into a folder that holds what the
  Quick start needs, and its launcher runs there;
* the download button's ``.ipynb`` is the notebook as committed, byte for byte;
* the home page shows the course map with every chapter's picture (loaded), and the footer names the course and
  its licence;
* ``/`` opens the edition of the browser's language, and the edition the reader chose once they chose one.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from course_utils.editions import CODES, EDITIONS, SOURCE, edition
from tools import nbtools, website

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = [src.stem for src in nbtools.sources()]


def _code_lines(markdown: str) -> list[str]:
    """The lines of a markdown text's fenced code blocks (indented ones too), without their spaces around."""
    blocks = re.findall(r"^ *```[^\n]*\n(.*?)^ *```", markdown, re.M | re.S)
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip()]


@pytest.mark.parametrize("ed", EDITIONS, ids=CODES)
def test_the_get_page_gives_the_readmes_commands(ed):
    """Without Sphinx: each edition's get-the-course page shows only commands its README's Quick start gives, and
    all of those of its set-up on Windows, macOS and Linux and its faster or smaller install (the Quick start's
    subsections), the mirror's variable and the archive's link."""
    page = website.page_files(ed.code)[f"{website.GET}.md"].read_text(encoding="utf-8")
    sections = (ROOT / ed.readme).read_text(encoding="utf-8").split("\n## ")
    quick = [s for s in sections if re.search(r"^python3 course\.py lab( --lang \w+)?$", s, re.M)]
    assert len(quick) == 1, f"{ed.readme}: no one Quick start section"
    readme, lines = _code_lines(quick[0]), _code_lines(page)
    assert lines and set(lines) <= set(readme), \
        f"{ed.code}: commands on the page that the README does not give: {sorted(set(lines) - set(readme))}"
    subsections = quick[0].split("\n### ", 1)
    assert len(subsections) == 2 and "py course.py lab" in subsections[1], f"{ed.readme}: no set-up per system"
    missing = [line for line in _code_lines(subsections[1]) if line not in lines]
    assert not missing, f"{ed.code}: the page lacks the README's {missing}"
    assert "PIP_INDEX_URL=" in page and "download.pytorch.org/whl/cpu" in page
    assert f'href="../{website.ARCHIVE}"' in page, f"{ed.code}: the page does not link the archive"


def test_every_page_links_to_the_get_page_from_its_header(site_build):
    """Every HTML page of every edition has "Get the course", in its language, in the header, leading to the
    edition's get-the-course page."""
    site = site_build.site
    for ed in EDITIONS:
        label = website.TEXT[ed.code]["get"]
        pages = sorted((site / ed.site_path).glob("*.html"))
        assert len(pages) > len(CHAPTERS) and (site / ed.site_path / f"{website.GET}.html").exists()
        for page in pages:
            header = page.read_text(encoding="utf-8").split('class="bd-header-article', 1)[-1].split("</header", 1)[0]
            link = re.search(r'<a class="course-get-link[^"]*" href="([^"]*)">([^<]*)</a>', header)
            assert link and link.group(2) == label, f"{page.relative_to(site)}: no header link to the get page"
            assert link.group(1) in (f"{website.GET}.html", "#"), f"{page.relative_to(site)}: {link.group(1)}"


def test_the_archive_unpacks_and_its_launcher_runs(site_build, tmp_path):
    """The course as one archive, made from the files git tracks: unpacked, its folder holds the launcher, the
    package, both editions' notebooks and the compiled catalogs, nothing a run or a build leaves, and
    ``python3 course.py --lang zh --help`` answers there, in Chinese (no network, no environment yet)."""
    with zipfile.ZipFile(site_build.site / website.ARCHIVE) as archive:
        names = archive.namelist()
        archive.extractall(tmp_path)
    folder = tmp_path / website.ARCHIVE.removesuffix(".zip")
    assert {n.split("/", 1)[0] for n in names} == {folder.name}
    needed = ["course.py", "pyproject.toml", "requirements.txt", "README.md", "course_utils/__init__.py",
              "course_utils/editions.json", "locale/zh/LC_MESSAGES/course.mo",
              "course_utils/locale/zh/LC_MESSAGES/course_utils.mo",
              *(f"{ed.notebooks}/{name}.ipynb" for ed in EDITIONS for name in CHAPTERS)]
    assert [n for n in needed if not (folder / n).is_file()] == []
    assert not [n for n in names if re.search(r"/(build|data|\.git|\.venv[^/]*)/|__pycache__", n)], names
    # without git (the unpacked folder), the archive's own list of files is the same
    assert website.course_files(folder) == sorted(n.split("/", 1)[1] for n in names)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "COURSE_LANG", "VIRTUAL_ENV")}
    run = subprocess.run([sys.executable, "course.py", "--lang", "zh", "--help"], cwd=folder, env=env,
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0 and "python3 course.py" in run.stdout and "lab" in run.stdout, run.stdout + run.stderr
    assert "命令" in run.stdout, run.stdout  # its catalog came along


def test_the_notebook_downloads_are_the_committed_notebooks(site_build):
    """The download button of each chapter offers the notebook as committed: its own outputs, not the site's
    static widgets."""
    site = site_build.site
    for ed in EDITIONS:
        for name in CHAPTERS:
            page = (site / ed.site_path / f"{name}.html").read_text(encoding="utf-8")
            assert f'href="_sources/{name}.ipynb"' in page, f"{ed.code}/{name}: no download of the .ipynb"
            served = (site / ed.site_path / "_sources" / f"{name}.ipynb").read_bytes()
            assert served == (ROOT / ed.notebooks / f"{name}.ipynb").read_bytes(), f"{ed.code}/{name}.ipynb"


@pytest.mark.parametrize("ed", EDITIONS, ids=CODES)
def test_the_way_in_in_the_browser(ed, built_site, browser):
    """On a phone and a desktop: the header's "Get the course" leads to the page, whose archive link downloads;
    the home page shows every chapter's picture (lazy, loaded once scrolled to) and its footer names the course
    and its licence."""
    _site, base = built_site
    title = website.translations(ed.code).gettext(website.TITLE)
    phone = browser.new_page(viewport={"width": 390, "height": 844})
    desktop = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        for page, start in ((phone, CHAPTERS[3]), (desktop, "GLOSSARY")):
            page.goto(f"{base}/{ed.site_path}/{start}.html", wait_until="load")
            link = page.locator(".bd-header-article a.course-get-link")
            assert link.is_visible() and link.inner_text().strip() == website.TEXT[ed.code]["get"]
            link.click()
            page.wait_for_url(f"{base}/{ed.site_path}/{website.GET}.html")
        download = desktop.locator(f'article a[href="../{website.ARCHIVE}"]')
        with desktop.expect_download() as got:
            download.click()
        assert got.value.suggested_filename == website.ARCHIVE

        desktop.goto(f"{base}/{ed.site_path}/index.html", wait_until="load")
        assert desktop.locator(f'article a[href="{website.GET}.html"]').count(), "the home page's text has no link"
        pictures = desktop.locator("img.course-map-picture")
        assert pictures.count() == len(CHAPTERS)
        for i in range(pictures.count()):
            picture = pictures.nth(i)
            assert picture.get_attribute("loading") == "lazy"
            picture.scroll_into_view_if_needed()
            desktop.wait_for_function("img => img.complete && img.naturalWidth > 100", arg=picture.element_handle(),
                                      timeout=5_000)
        rows = desktop.evaluate("() => Array.from(document.querySelectorAll('article tbody tr')).map(tr => "
                                "[tr.querySelector('img.course-map-picture') !== null, tr.cells.length])")
        assert rows == [[True, 5]] * len(CHAPTERS), rows  # picture, chapter, what you learn, widgets, run time
        footer = desktop.locator("footer").all_inner_texts()
        assert any(title in text and website.licence() in text for text in footer), footer
    finally:
        phone.close()
        desktop.close()


def test_the_entry_page_opens_the_readers_edition(built_site, browser):
    """``/``: the edition of the browser's language (zh-CN and zh-TW read Chinese, French the source edition), and
    once the reader picks an edition in a page's language switch, that one, whatever the browser's language."""
    _site, base = built_site
    zh = edition("zh")
    for locale, expected in (("zh-CN", zh), ("zh-TW", zh), ("en-US", SOURCE), ("fr-FR", SOURCE)):
        context = browser.new_context(locale=locale)
        try:
            page = context.new_page()
            page.goto(f"{base}/")
            page.wait_for_url(f"{base}/{expected.site_path}/index.html")
            if locale == "zh-CN":  # chooses the source edition in the switch: / opens it from then on
                page.locator(f'a.course-lang-switch[lang="{SOURCE.html_lang}"]').first.click()
                page.wait_for_url(f"{base}/{SOURCE.site_path}/index.html")
                page.goto(f"{base}/")
                page.wait_for_url(f"{base}/{SOURCE.site_path}/index.html")
                page.goto(f"{base}/index.html?choose")  # the entry page's own links remember too
                page.locator(f'a[lang="{zh.html_lang}"]').click()
                page.wait_for_url(f"{base}/{zh.site_path}/index.html")
                page.goto(f"{base}/")
                page.wait_for_url(f"{base}/{zh.site_path}/index.html")
        finally:
            context.close()
    # without JavaScript: the source edition at once, and a link to every edition
    context = browser.new_context(java_script_enabled=False, locale="zh-CN")
    try:
        page = context.new_page()
        page.goto(f"{base}/index.html")
        page.wait_for_url(f"{base}/{SOURCE.site_path}/index.html")
    finally:
        context.close()
