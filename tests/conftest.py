"""Shared test set-up: a non-interactive matplotlib backend and a fixed seed for every test."""

import os

os.environ.setdefault("MPLBACKEND", "Agg")

import pytest  # noqa: E402

import course_utils  # noqa: E402


@pytest.fixture(autouse=True)
def _seed():
    course_utils.set_seed(0)


@pytest.fixture(autouse=True)
def _english():
    """Tests read English messages unless they ask for another language (whatever COURSE_LANG says)."""
    course_utils.set_language("en")
    yield
    course_utils.set_language("en")


@pytest.fixture
def wrong_verdict(capsys):
    """``wrong_verdict(name, answer)``: check ``answer``, assert it reads as one readable ❌ verdict (a hint, no
    traceback), and return the printed text, for the test to look for its reason."""
    from course_utils import checks

    def run(name: str, answer: object) -> str:
        result = checks.check(name, answer)
        out = capsys.readouterr().out
        assert result.status == "wrong", out
        assert "Hint:" in out and "Traceback" not in out, out
        return out

    return run


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium for a module: the JupyterLab test's and the website's (skips, or fails on CI, where
    none can run; see tests/test_browser.py)."""
    from test_browser import CHROMIUM, CHROMIUM_ARGS, PLAYWRIGHT_MISSING, _unavailable

    if PLAYWRIGHT_MISSING:
        _unavailable(PLAYWRIGHT_MISSING)
    if not CHROMIUM.exists():
        _unavailable(f"Chromium is missing ({CHROMIUM}): apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()
