"""What concerns every test pytest collects (tests/, the notebooks through nbval, course_utils' doctests): a
non-interactive matplotlib backend, a progress record of the tests' own for every kernel they start, which checks
the floor run leaves to the newest run (``ONCE``) and the newest to the floor run (``FLOOR``), one run of each
notebook per test run (``_RunEachNotebookOnce``), and how the checks share the CPU cores (``_group``, ``FIRST``).

It sits in the course folder, not in tests/, so that it holds also when pytest is given only a notebook."""

import os
import tempfile

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")
# Every kernel the tests start (nbval, JupyterLab) records exercises here, never in the user's own record.
os.environ["COURSE_PROGRESS_DIR"] = tempfile.mkdtemp(prefix="course-progress-")

# Checks that give the same answer at any library version, so CI makes them once, in the run at the newest versions
# (`python3 course.py test`); the run at the oldest supported versions (`--floor`) deselects them (`-m "not once"`).
# Each entry: the start of the test ids it covers, and where the check is still made.
ONCE = {
    "tests/test_project.py": "lint (ruff), types (mypy), the generated lists and the tools' imports: files, "
                             "checked at the newest versions",
    "tests/test_site": "the website is published from one build, at the newest versions of its tools "
                          "(pyproject.toml [site]); the floor run installs no site tools",
    "tests/test_browser.py::test_notebook_in_browser[zh/": "the Chinese notebooks run the English notebooks' code, "
                                                           "which the floor run runs in JupyterLab",
    "tests/test_browser.py::test_chinese_text_renders_as_glyphs": "the font is a system part, not a library",
    "notebooks/zh/": "the Chinese notebooks are the English ones with translated text (tests/test_i18n.py checks "
                     "it); the floor run executes that code in notebooks/",
    "tests/test_notebooks.py": "committed files against their sources: the same at any library version",
    "tests/test_terms.py": "catalog files and committed outputs against the term list",
    "tests/test_outputs.py": "every committed output is the newest versions' own; the floor run compares the cells "
                             "marked NBVAL_CHECK_OUTPUT, in JupyterLab (--checked-outputs-only)",
    "tests/test_classroom.py": "the teacher's kit needs nbgrader 0.9 (JupyterLab 4.2+, Python 3.11+), above the "
                               "course's floor: it is made at the newest versions, its own floor being "
                               "pyproject.toml's [classroom]",
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

# Checks the newest run leaves to the floor run (`python3 course.py test` passes `-m "not floor"`), because the
# newest run makes the same check another way. Each entry: the start of the test ids it covers, and where the
# newest run makes that check.
FLOOR = {
    "tests/test_browser.py::test_notebook_in_browser[0": "the English notebooks run in JupyterLab at the oldest "
                                                         "versions; at the newest, JupyterLab runs the Chinese "
                                                         "ones (the same code, the same widgets) and nbval the "
                                                         "English ones",
}


def _group(nodeid: str) -> str:
    """The unit of work one xdist worker takes whole: a notebook run in the browser or in a kernel of its own alone
    (each takes 5-50 s, so the two workers share them), else a file: a notebook's cells (nbval runs them in order in
    one kernel), a test file (its module-scoped fixtures are made once); the website's checks, all
    ``tests/test_site*.py`` files, are one unit (they share one build, tests/conftest.py's ``site_build``)."""
    if nodeid.startswith("tests/test_site"):
        return "tests/test_site"
    if nodeid.startswith(("tests/test_browser.py::test_notebook_in_browser",
                          "tests/test_outputs.py::test_committed_outputs_are_current")):
        return nodeid
    return nodeid.split("::")[0]


# The order in which the workers take the groups: longest first, so no long group starts last and leaves one
# core idle at the end (the simulated class, the website's build, then chapter 08, then the other notebooks).
FIRST = ("tests/test_classroom.py", "tests/test_site", "tests/test_browser.py::test_notebook_in_browser[zh/08",
         "tests/test_browser.py::test_notebook_in_browser[08",
         "tests/test_outputs.py::test_committed_outputs_are_current[08", "tests/test_browser.py",
         "tests/test_outputs.py", "notebooks/", "tests/test_launcher.py")


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        reasons = [why for start, why in ONCE.items() if item.nodeid.startswith(start)]
        if reasons:
            item.add_marker(pytest.mark.once(reasons[0]))
        reasons = [why for start, why in FLOOR.items() if item.nodeid.startswith(start)]
        if reasons:
            item.add_marker(pytest.mark.floor(reasons[0]))

    def rank(item: pytest.Item) -> int:
        return next((i for i, start in enumerate(FIRST) if item.nodeid.startswith(start)), len(FIRST))

    items.sort(key=rank)  # stable: within a file, the collection order


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--checked-outputs-only", action="store_true",
                     help="the browser test compares only the cells marked NBVAL_CHECK_OUTPUT with the committed "
                          "notebook (the floor run: the committed outputs are the newest versions' own)")


class _RunEachNotebookOnce:
    """A notebook runs once per test run: where the browser test runs it in JupyterLab (it compares the outputs with
    the committed ones and checks the widgets in the page) or tests/test_outputs.py runs it (every output compared),
    nbval's run of it is deselected. nbval runs a notebook neither does (one given alone, or where no browser can
    run: the browser test skips there, except on CI, where it fails)."""

    @pytest.hookimpl(trylast=True)  # after -m and -k have deselected what they deselect
    def pytest_collection_modifyitems(self, config: pytest.Config, items: list[pytest.Item]) -> None:
        in_browser = set()
        for item in items:
            if item.nodeid.startswith(("tests/test_browser.py::test_notebook_in_browser[",
                                       "tests/test_outputs.py::test_committed_outputs_are_current[")):
                if "test_outputs" in item.nodeid or _browser_can_run() or os.environ.get("CI", "") == "true":
                    in_browser.add((item.module.NOTEBOOK_DIR / item.callspec.params["notebook"]).resolve())
        if not in_browser:
            return
        # nbval's items are the cells of a notebook file (their path is the .ipynb)
        twice = [item for item in items if item.path.suffix == ".ipynb" and item.path.resolve() in in_browser]
        if twice:
            config.hook.pytest_deselected(items=twice)
            left = set(items) - set(twice)
            items[:] = [item for item in items if item in left]


def _browser_can_run() -> bool:
    from tools.browser import CHROMIUM, PLAYWRIGHT_MISSING

    return PLAYWRIGHT_MISSING is None and CHROMIUM.exists()


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(_RunEachNotebookOnce(), "course-run-each-notebook-once")


@pytest.hookimpl(optionalhook=True)  # a hook of xdist: unknown where xdist is not loaded (-p no:xdist)
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """`--dist loadscope` with the units of ``_group`` (a file, or a browser notebook alone), in the collection
    order above (`--no-loadscope-reorder`). xdist's own `loadgroup` marks do not reach the scheduler under
    pytest 9 (xdist 3.8 renames the item through an attribute pytest 9 no longer reads), so the scopes are
    given here."""
    from xdist.scheduler import LoadScopeScheduling

    class CourseScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return _group(nodeid)

    return CourseScheduling(config, log)
