"""What concerns every test pytest collects (tests/, the notebooks through nbval, course_utils' doctests): a
non-interactive matplotlib backend, a progress record of the tests' own for every kernel they start, which checks
the floor run leaves to the newest run (``ONCE``), and how the checks share the CPU cores (``_group``, ``FIRST``).

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
    "tests/test_site.py": "the website is published from one build, at the newest versions of its tools "
                          "(pyproject.toml [site]); the floor run installs no site tools",
    "tests/test_browser.py::test_notebook_in_browser[zh/": "the Chinese notebooks run the English notebooks' code, "
                                                           "which the floor run runs in JupyterLab",
    "tests/test_browser.py::test_chinese_text_renders_as_glyphs": "the font is a system part, not a library",
    "notebooks/zh/": "the Chinese notebooks are the English ones with translated text (tests/test_i18n.py checks "
                     "it); the floor run executes that code in notebooks/",
    "tests/test_notebooks.py": "committed files against their sources: the same at any library version",
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


def _group(nodeid: str) -> str:
    """The unit of work one xdist worker takes whole: a browser notebook alone (each takes 15-50 s, so the two
    workers share them), else a file: a notebook's cells (nbval runs them in order in one kernel), the website's
    checks (they share one build), a test file (its module-scoped fixtures are made once)."""
    if nodeid.startswith("tests/test_browser.py::test_notebook_in_browser"):
        return nodeid
    return nodeid.split("::")[0]


# The order in which the workers take the groups: longest first, so no long group starts last and leaves one
# core idle at the end (the website's build, then the browser notebooks, then the executed notebooks).
FIRST = ("tests/test_site.py", "tests/test_browser.py::test_notebook_in_browser[08", "tests/test_browser.py",
         "notebooks/", "tests/test_launcher.py")


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        reasons = [why for start, why in ONCE.items() if item.nodeid.startswith(start)]
        if reasons:
            item.add_marker(pytest.mark.once(reasons[0]))

    def rank(item: pytest.Item) -> int:
        return next((i for i, start in enumerate(FIRST) if item.nodeid.startswith(start)), len(FIRST))

    items.sort(key=rank)  # stable: within a file, the collection order


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
