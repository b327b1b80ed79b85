"""Sphinx configuration of the course's website, one build per edition (``tools/website.py`` runs them).

The pages are the executed notebooks as committed (MyST-NB, never re-executed), prepared by ``tools/website.py``:
each live widget's output is replaced by its precomputed pictures and controls (``_static/course-widgets.js``).
Everything a page needs ships with the site: the theme's files, MathJax (``sphinx-mathjax-offline``, one copy for
both editions) and the widgets' pictures, so the site works from a folder with no network.
"""

import os

LANG = os.environ.get("COURSE_SITE_LANG", "en")
OTHER = {"en": "zh", "zh": "en"}[LANG]
TEXT = {
    "en": {"project": "Neural networks from scratch, hands-on, in PyTorch", "switch": "中文版"},
    "zh": {"project": "从零动手学神经网络（PyTorch 版）", "switch": "English"},
}[LANG]

project = TEXT["project"]
author = "the course's authors"
copyright = "the course's authors"
language = "zh_CN" if LANG == "zh" else "en"
extensions = ["myst_nb"]
root_doc = "index"
exclude_patterns = ["_build", "**.ipynb_checkpoints", "README.md"]
templates_path = [os.path.join(os.path.dirname(__file__), "_templates")]
html_static_path = [os.path.join(os.path.dirname(__file__), "_static")]
html_css_files = ["course-widgets.css"]
html_js_files = ["course-widgets.js"]
html_theme = "sphinx_book_theme"
html_title = TEXT["project"]
html_favicon = os.path.join(os.path.dirname(__file__), "_static", "favicon.png")  # else browsers ask for /favicon.ico
html_last_updated_fmt = None
html_copy_source = True  # the download button offers each chapter's .ipynb
html_theme_options = {
    "use_download_button": True,
    "use_fullscreen_button": False,
    "show_toc_level": 2,
}
# the language switch sits in the left sidebar, under the title, on every page
html_sidebars = {"**": ["navbar-logo.html", "lang-switch.html", "search-button-field.html", "sbt-sidebar-nav.html"]}
html_context = {"other_lang": OTHER, "switch_text": TEXT["switch"], "default_mode": "light"}

# MathJax from the site itself (tools/website.py puts one copy at the site's root, shared by both editions);
# relative to each edition's _static/.
mathjax_path = "../../_mathjax/tex-chtml.js"
mathjax3_config = {"tex": {"inlineMath": [["\\(", "\\)"]], "displayMath": [["\\[", "\\]"]]}}

# Notebooks: shown as committed, outputs included; dollar math and the usual MyST extras.
nb_execution_mode = "off"
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3
nb_merge_streams = True
suppress_warnings = ["mystnb.unknown_mime_type", "myst.header"]
