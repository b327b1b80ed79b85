"""The course's authoring tools, one package, run from the course folder as ``python -m tools.<module>``.

Tests (``tests/``) and benchmarks (``benchmarks/``) import them the same way: ``from tools import nbtools``.
Each module imports only the ones listed before it, so there is no cycle:

    deps       the requirement lists (requirements.txt, constraints-floor.txt, environment.yml) from pyproject.toml
    chapters   where the chapters' sources and each edition's executed notebooks are
    i18n       the translated editions: catalogs of the chapters, of course_utils and of course.py (Babel, gettext)
    nbtools    build (execute) and check the notebooks, write the course map and the glossary
    terms      the term base (locale/zh/terms.tsv, from the Key terms tables) and the checks of every catalog by it
    runtimes   the chapters' measured run times, shown in their headers and the READMEs
    site_search  the Chinese search of the website: a jieba dictionary of the course's terms, the search page's words
    browser    JupyterLab and Chromium (Playwright) for the browser test and the benchmarks
    website    the website (Sphinx + MyST-NB), its widgets answering without a kernel
    simclass   a simulated class for the teacher's kit (classroom/): submissions of every kind, graded by nbgrader
"""
