"""Shared test set-up: a non-interactive matplotlib backend, a fixed seed and an empty progress record per test;
which checks the floor run leaves to the newest run (``ONCE``), and how the checks share the CPU cores (``GROUPS``)."""

import os
import tempfile

os.environ.setdefault("MPLBACKEND", "Agg")
# Every kernel the tests start (nbval, JupyterLab) records exercises here, never in the user's own record.
os.environ["COURSE_PROGRESS_DIR"] = tempfile.mkdtemp(prefix="course-progress-")

import pytest  # noqa: E402

import course_utils  # noqa: E402

# Checks that give the same answer at any library version, so CI makes them once, in the run at the newest versions
# (`python3 course.py test`); the run at the oldest supported versions (`--floor`) deselects them (`-m "not once"`).
# Each entry: the start of the test ids it covers, and where the check is still made.
ONCE = {
    "tests/test_project.py": "lint (ruff), types (mypy), the generated lists and the tools' imports: files, "
                             "checked at the newest versions",
    "tests/test_site.py": "the website is published from one build, at the newest versions of its tools "
                          "(pyproject.toml [site]); the floor run installs no site tools",
    "tests/test_browser.py::test_notebook_in_browser[zh/": "the Chinese notebooks run the English notebooks' code, "
                                                           "which the floor run runs in JupyterLab",
    "tests/test_browser.py::test_chinese_text_renders_as_glyphs": "the font is a system part, not a library",
    "notebooks/zh/": "the Chinese notebooks are the English ones with translated text (tests/test_i18n.py checks "
                     "it); the floor run executes that code in notebooks/",
    "tests/test_notebooks.py": "committed files against their sources: the same at any library version",
    "tests/test_i18n.py::test_chapter_translation_is_current": "catalog files",
    "tests/test_i18n.py::test_course_utils_translation_is_current": "catalog files",
    "tests/test_i18n.py::test_launcher_translation_is_current": "catalog files",
    "tests/test_i18n.py::test_compiled_catalog_is_current": "catalog files",
    "tests/test_i18n.py::test_catalogs_have_no_untranslated_or_fuzzy_entries": "catalog files",
    "tests/test_i18n.py::test_a_sentence_has_one_translation_across_chapters": "catalog files",
    "tests/test_i18n.py::test_printed_strings_stay_python_with_the_same_fields": "catalog files",
    "tests/test_i18n.py::test_course_utils_and_launcher_translations_keep_their_fields": "catalog files",
    "tests/test_i18n.py::test_prose_is_translated_into_chinese": "catalog files",
    "tests/test_i18n.py::test_chinese_notebook_": "committed files against their sources and catalogs",
    "tests/test_i18n.py::test_translated_code_differs_only_in_comments_and_strings": "catalog files",
    "tests/test_launcher.py::test_a_failed_install": "course.py uses the standard library only",
    "tests/test_launcher.py::test_too_little_disk_space": "course.py uses the standard library only",
    "tests/test_launcher.py::test_every_runner_message_is_translated": "course.py uses the standard library only",
    "tests/test_launcher.py::test_lang_is_read": "course.py uses the standard library only",
    "tests/test_launcher.py::test_the_test_command_names": "course.py uses the standard library only",
}


def _group(item: pytest.Item) -> str:
    """The unit of work one xdist worker takes whole: a notebook's cells (nbval runs them in order in one
    kernel), the website's checks (they share one build), a browser notebook alone (each takes 15-50 s, so the
    two workers share them), else a test file (its module-scoped fixtures are made once)."""
    path = item.nodeid.split("::")[0]
    if path.startswith("tests/test_browser.py::test_notebook_in_browser") or \
            item.nodeid.startswith("tests/test_browser.py::test_notebook_in_browser"):
        return item.nodeid
    return path


# The order in which the workers take the groups: longest first, so no long group starts last and leaves one
# core idle at the end (the website's build, then the browser notebooks, then the executed notebooks).
FIRST = ("tests/test_site.py", "tests/test_browser.py::test_notebook_in_browser[08", "tests/test_browser.py",
         "notebooks/", "tests/test_launcher.py")


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook reads the xdist_group marks
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        reasons = [why for start, why in ONCE.items() if item.nodeid.startswith(start)]
        if reasons:
            item.add_marker(pytest.mark.once(reasons[0]))
        item.add_marker(pytest.mark.xdist_group(_group(item)))

    def rank(item: pytest.Item) -> int:
        return next((i for i, start in enumerate(FIRST) if item.nodeid.startswith(start)), len(FIRST))

    items.sort(key=rank)  # stable: within a group, the collection order


@pytest.fixture(autouse=True)
def _seed():
    course_utils.set_seed(0)


@pytest.fixture(autouse=True)
def _english():
    """Tests read English messages unless they ask for another language (whatever COURSE_LANG says)."""
    course_utils.set_language("en")
    yield
    course_utils.set_language("en")


@pytest.fixture(autouse=True)
def _own_progress_record(tmp_path, monkeypatch):
    """Each test starts with an empty progress record of its own (course_utils.progress)."""
    from course_utils import progress

    monkeypatch.setenv("COURSE_PROGRESS_DIR", str(tmp_path / "progress"))
    progress._session.clear()
    yield
    progress._session.clear()


def solution_lines(name: str) -> list[str]:
    """The code lines of exercise ``name``'s solution that give something away (not its signature or docstring)."""
    import inspect
    import re
    import textwrap

    from course_utils.checks import _core

    solution = _core._REGISTRY[name].solution
    source = solution if isinstance(solution, str) else textwrap.dedent(inspect.getsource(solution))
    source = re.sub(r'"""[\s\S]*?"""', "", source)  # docstrings are prose, not code
    lines = [line.split("  #")[0].strip() for line in source.splitlines()]
    return [line for line in lines if len(line) >= 12 and not line.startswith(("def ", "#", "@"))]


@pytest.fixture
def wrong_verdict(capsys):
    """``wrong_verdict(name, answer)``: check ``answer``, assert it reads as one readable ❌ verdict (what is
    wrong, how to ask for a hint, no line of the solution, no traceback), and return the printed text, for the
    test to look for its reason."""
    from course_utils import checks

    def run(name: str, answer: object) -> str:
        result = checks.check(name, answer)
        out = capsys.readouterr().out
        assert result.status == "wrong", out
        assert "checks.hint(" in out and "Traceback" not in out, out
        given_away = [line for line in solution_lines(name) if line in out]
        assert not given_away, f"the verdict shows the solution's code {given_away}: {out}"
        return out

    return run


def _unavailable(reason: str) -> None:
    """Skip a test where a browser can't run, but fail on CI, which must run it."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"browser test cannot run on CI: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture
def unavailable():
    """``unavailable(reason)``: skip the test for a missing system part, or fail it on CI (``CI=true``)."""
    return _unavailable


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium for a module: the JupyterLab test's and the website's (skips, or fails on CI, where
    none can run; see tests/test_browser.py)."""
    from tools.browser import CHROMIUM, PLAYWRIGHT_MISSING, chromium

    if PLAYWRIGHT_MISSING:
        _unavailable(PLAYWRIGHT_MISSING)
    if not CHROMIUM.exists():
        _unavailable(f"Chromium is missing ({CHROMIUM}): apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = chromium(pw)
        try:
            yield browser
        finally:
            browser.close()
