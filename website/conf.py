"""Sphinx configuration of the course's website, one build per edition (``tools/website.py`` runs them).

The pages are the executed notebooks as committed (MyST-NB, never re-executed), prepared by ``tools/website.py``:
each live widget's output is replaced by its precomputed pictures and controls (``_static/course-widgets.js``).
Everything a page needs ships with the site: the theme's files, MathJax (``sphinx-mathjax-offline``, one copy for
every edition) and the widgets' pictures, so the site works from a folder with no network.

The edition comes from the command line as the tag ``edition_<code>`` (``sphinx-build -t edition_zh …``; none: the
source edition); its language and the language switch come from the table of editions
(``course_utils/editions.json``), its title from the site's catalog (``tools/website.py``'s ``TITLE``).
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # the course: its table, its tools

from course_utils.editions import EDITIONS, SOURCE  # noqa: E402
from tools.website import TEXT, TITLE, licence, quiet_libraries, translations  # noqa: E402

EDITION = next((e for e in EDITIONS if tags.has(f"edition_{e.code}")), SOURCE)  # noqa: F821 - Sphinx's tags

project = translations(EDITION.code).gettext(TITLE)
# the footer names the course and its licence (pyproject.toml), in the edition's words (the theme's own "By …" and
# "© Copyright …" lines are off: Sphinx does not translate them into every edition's language)
author = ""
copyright = project
html_show_copyright = False
language = EDITION.sphinx_language
extensions = ["myst_nb", "sphinx_copybutton"]
root_doc = "index"
exclude_patterns = ["_build", "**.ipynb_checkpoints", "README.md"]
templates_path = [os.path.join(os.path.dirname(__file__), "_templates")]
html_static_path = [os.path.join(os.path.dirname(__file__), "_static")]
html_css_files = ["course-widgets.css", "course-way-in.css", "course-reading.css"]
html_js_files = ["course-widgets.js", "course-way-in.js", "course-reading.js"]
html_theme = "sphinx_book_theme"
html_title = project
html_favicon = os.path.join(os.path.dirname(__file__), "_static", "favicon.png")  # else browsers ask for /favicon.ico
html_last_updated_fmt = None
html_copy_source = True  # the download button offers each chapter's .ipynb
html_theme_options = {
    "use_download_button": True,
    "use_fullscreen_button": False,
    "show_toc_level": 2,
    # the way in: "Get the course" (website/pages/get.<code>.md) in every page's header, before the theme's buttons
    "article_header_end": ["get-course.html", "article-header-buttons.html"],
    "extra_footer": TEXT[EDITION.code]["footer"].format(title=project, licence=licence()),
}
# the language switch sits in the left sidebar, under the title, on every page: the same page in every other
# edition, each by its own name
html_sidebars = {"**": ["navbar-logo.html", "lang-switch.html", "search-button-field.html", "sbt-sidebar-nav.html"]}
html_context = {
    "other_editions": [{"name": e.name, "site_path": e.site_path, "lang": e.html_lang}
                       for e in EDITIONS if e != EDITION],
    "default_mode": "light",
    "get_course": TEXT[EDITION.code]["get"],
}

# MathJax from the site itself (tools/website.py puts one copy at the site's root, shared by every edition);
# relative to each edition's _static/.
mathjax_path = "../../_mathjax/tex-chtml.js"
mathjax3_config = {"tex": {"inlineMath": [["\\(", "\\)"]], "displayMath": [["\\[", "\\]"]]}}

# Notebooks: shown as committed, outputs included; dollar math and the usual MyST extras.
nb_execution_mode = "off"
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3
nb_merge_streams = True
suppress_warnings = ["mystnb.unknown_mime_type", "myst.header"]

# A copy button on every code block: a cell's code, never its output (MyST-NB draws an output's text as a code block
# too: div.output > div.highlight > pre); a shell line's prompt ("$ ") is left out of what is copied.
copybutton_selector = "div:not(.output) > div.highlight > pre"
copybutton_prompt_text = "$ "

# The build says only what goes wrong (tools/website.py prints one line a stage): jieba, which splits the Chinese
# pages' words for the search index, announces its dictionary at the first page; its import asks setuptools for
# pkg_resources, which warns that it is deprecated.
quiet_libraries()

# Search (tools/site_search.py): a Chinese edition's index holds the course's terms as words (a dictionary written
# per build, and a search language that indexes each of its words a text contains); the search page speaks the
# edition's language (Sphinx's and the themes' words their catalogs lack, from the site's catalog).
from tools import site_search  # noqa: E402

_search = site_search.sphinx_config(EDITION)
html_theme_options["search_bar_text"] = _search["search_bar_text"]
html_search_options = _search.get("html_search_options", {})
locale_dirs = _search.get("locale_dirs", [])
html_js_files.append("course-search.js")


def setup(app):
    site_search.setup(app, EDITION)
