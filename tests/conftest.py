"""Shared set-up of the tests in tests/: a fixed seed, English messages and an empty progress record per test, and
the browser fixtures. What concerns every test, the notebooks' included, is in the course folder's conftest.py."""

import os

import pytest

import course_utils


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


def _solution_lines(name: str) -> list[str]:
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
def solution_lines():
    """``solution_lines(name)``: the code lines of exercise ``name``'s solution that give something away."""
    return _solution_lines


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
        given_away = [line for line in _solution_lines(name) if line in out]
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


@pytest.fixture(scope="session")
def site_build():
    """The site (both editions) built once into build/site/ (``tools.website.build()`` raises if Sphinx fails) and
    what became of each widget output: every ``tests/test_site*.py`` file reads this one build (the root
    conftest.py gives them to one worker)."""
    from tools import website

    return website.build()


@pytest.fixture(scope="session")
def built_site(site_build):
    """The built site served on a free local port: (its folder, its base URL)."""
    from tools import website

    with website.serve(site_build.site) as base:
        yield site_build.site, base
