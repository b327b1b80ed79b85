"""The website's search in every edition: Chinese words in the index, the search page in the edition's language.

Sphinx indexes a Chinese page with jieba (``sphinx.search.zh``), which cuts 激活函数 into 激活 and 函数, so a reader
who searches the term finds nothing. For an edition in Chinese, ``prepare`` writes a user dictionary
(``build/site-search/<code>/words.txt``: the CJK runs of every rendering of the term list ``locale/zh/terms.tsv``,
of every term of the edition's glossary, and of the chapter titles' parts) that ``website/conf.py`` gives Sphinx as
``html_search_options = {"dict": …}``, and ``CourseChinese`` (registered by conf.py's ``setup``) indexes, beside
jieba's cut, every dictionary word a text contains, so 梯度下降 is found inside 随机梯度下降 and 轮 inside 30 轮.
The query side is ``website/_static/course-search.js``: a query word the index does not hold is cut into the
index's words (优化器与学习率调度 → 优化器, 学习率, 调度), and the snippet under a result is the matching passage
of the page's article (not the page's table of contents), its TeX written as plain text.

Sphinx's and the themes' catalogs lack a few words the search page shows in some languages (the result count of
Sphinx 8, the colour-mode menu); those, the search field's placeholder and the labels the book theme writes in
English are marked ``N_()`` here and translated in the site's catalog (``locale/<code>/LC_MESSAGES/website.po``,
like ``tools/website.py``'s own words). ``prepare`` writes them as a catalog of Sphinx's domain for the edition
(``build/site-search/<code>/locale/<language>/LC_MESSAGES/``: ``sphinx.mo`` for the templates, ``sphinx.js``:
Sphinx's own JavaScript catalog of that language with the missing words added), given to Sphinx as ``locale_dirs``.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

from course_utils.editions import Edition, edition

ROOT = Path(__file__).resolve().parent.parent
FOLDER = ROOT / "build" / "site-search"  # per edition: words.txt and locale/, written by prepare()
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
GLOSSARY_ROW = re.compile(r"^\|\s*([^|]+?)\s*\|\s*([^|]+?)\s*\|\s*([^|]*?)\s*\|\s*$")


def N_(message: str) -> str:
    """Mark a word for the site's catalog (``python -m tools.i18n update`` extracts it)."""
    return message


# The words of Sphinx's and the themes' templates that the edition's language may lack there, by their English
# msgid as the template writes it (the colour-mode menu: pydata-sphinx-theme's Chinese catalog leaves them empty;
# the sidebar's labels: the book theme writes them in English, website/_templates/ asks for them translated).
THEME_WORDS = (
    N_("Color mode"),
    N_("System Settings"),
    N_("Collapse Sidebar"),
    N_("Expand Sidebar"),
    N_("Toggle primary sidebar"),
    N_("Toggle secondary sidebar"),
    N_("Main"),
)
PLACEHOLDER = N_("Search this course…")  # the search field's placeholder (the theme's option search_bar_text)


def search_words(lang: str) -> dict[str, Any]:
    """Sphinx's search page's words (searchtools.js) in edition ``lang`` from the site's catalog, as Sphinx's
    JavaScript catalog holds them (a plural's forms as a list, by the catalog's plural formula)."""
    from tools.i18n import website_translations as translations

    t = translations(lang)
    plural = getattr(t, "plural", lambda n: int(n != 1))
    forms = max(plural(n) for n in range(200)) + 1
    first = [next(n for n in range(200) if plural(n) == i) for i in range(forms)]  # a count for each form
    return {"Search finished, found one page matching the search query.": [
        t.ngettext("Search finished, found one page matching the search query.",
                   "Search finished, found ${resultCount} pages matching the search query.", n) for n in first]}


# ------------------------------------------------------------------------------------------------ the words
def is_chinese(ed: Edition) -> bool:
    return ed.sphinx_language.split("_")[0] == "zh"


def glossary(lang: str) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    """The edition's glossary (``notebooks/<edition>/GLOSSARY.md``), one entry a term: (its names in the edition's
    language, the chapters the glossary names for its row, by page name); a row is cut into terms as the term list
    cuts it (``tools.terms``)."""
    from course_utils.editions import SOURCE
    from tools.terms import _cut

    path = ROOT / edition(lang).notebooks / "GLOSSARY.md"
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        m = GLOSSARY_ROW.match(line)
        if not m or "](" not in m.group(3):
            continue
        first, second, where = m.groups()
        english, chinese = (first, second) if lang == SOURCE.code else (second, first)
        pages = tuple(dict.fromkeys(re.findall(r"\]\(([^)]+?)\.ipynb\)", where)))
        try:
            cut = _cut(english, chinese)
        except ValueError:
            cut = [((english,), (chinese,))]
        rows += [(names if lang == SOURCE.code else renderings, pages) for names, renderings in cut]
    return rows


def chapter_titles(lang: str) -> dict[str, str]:
    """{page name: title without its number} of the edition's chapters, as their first heading gives them."""
    import nbformat

    titles = {}
    for path in sorted((ROOT / edition(lang).notebooks).glob("[0-9][0-9]_*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        heading = next(line for cell in nb.cells if cell.cell_type == "markdown"
                       for line in cell.source.splitlines() if line.startswith("# "))
        titles[path.stem] = re.sub(r"^\d+\s*·\s*", "", heading[2:].strip())
    return titles


def words(lang: str) -> list[str]:
    """The edition's search dictionary: the CJK runs of the term list's renderings, of its glossary's terms, and of
    its chapter titles' parts of up to six characters (longer ones are phrases, cut by the query side)."""
    from tools import terms

    texts = [r for t in terms.read() for r in t.renderings] if lang == terms.LANG else []
    texts += [r for renderings, _pages in glossary(lang) for r in renderings]
    found: dict[str, None] = {}
    for text in texts:
        if text.count(" ") > 1:  # an explanation in the glossary's parentheses (发散（损失变为 NaN 或无穷大）)
            continue
        found.update(dict.fromkeys(CJK.findall(text)))
    for title in chapter_titles(lang).values():
        found.update(dict.fromkeys(w for w in CJK.findall(title) if 2 <= len(w) <= 6))
    return list(found)


# ----------------------------------------------------------------------------------------- written per build
def folder(ed: Edition) -> Path:
    return FOLDER / ed.code


def prepare(lang: str) -> None:
    """Write edition ``lang``'s search dictionary (a Chinese edition) and its catalog of Sphinx's words."""
    import shutil

    ed = edition(lang)
    out = folder(ed)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    if is_chinese(ed):
        (out / "words.txt").write_text("".join(f"{w}\n" for w in words(lang)), encoding="utf-8")
    _write_catalog(ed, out / "locale" / ed.sphinx_language / "LC_MESSAGES")


def _write_catalog(ed: Edition, out: Path) -> None:
    import sphinx
    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo

    from tools.i18n import website_translations as translations

    t = translations(ed.code)
    theme = {w: t.gettext(w) for w in THEME_WORDS if t.gettext(w) != w}
    js = Path(sphinx.__file__).parent / "locale" / ed.sphinx_language / "LC_MESSAGES" / "sphinx.js"
    if not theme and not js.is_file():
        return
    out.mkdir(parents=True)
    catalog = Catalog(locale=ed.sphinx_language.replace("-", "_"), charset="utf-8")
    for msgid, msgstr in theme.items():
        catalog.add(msgid, msgstr)
    with io.BytesIO() as mo:
        write_mo(mo, catalog)
        (out / "sphinx.mo").write_bytes(mo.getvalue())
    if js.is_file():  # Sphinx's catalog for the language, with what it lacks (or leaves empty) from ours
        text = js.read_text(encoding="utf-8")
        data = json.loads(text[text.index("(") + 1:text.rindex(")")])
        for msgid, forms in search_words(ed.code).items():
            if not data["messages"].get(msgid) and not all(f.startswith("Search finished") for f in forms):
                data["messages"][msgid] = forms
        (out / "sphinx.js").write_text(f"Documentation.addTranslations({json.dumps(data, indent=4)});\n",
                                       encoding="utf-8")


def sphinx_config(ed: Edition) -> dict[str, Any]:
    """What ``website/conf.py`` sets for edition ``ed``'s search: the dictionary and the catalog ``prepare`` wrote."""
    from tools.i18n import website_translations as translations

    config: dict[str, Any] = {"search_bar_text": translations(ed.code).gettext(PLACEHOLDER)}
    if (folder(ed) / "words.txt").is_file():
        config["html_search_options"] = {"dict": str(folder(ed) / "words.txt")}
    if (folder(ed) / "locale").is_dir():
        config["locale_dirs"] = [str(folder(ed) / "locale")]
    return config


# --------------------------------------------------------------------------------------- the index's words
def course_chinese() -> type:
    """Sphinx's Chinese search language that also indexes every word of the dictionary a text contains (jieba's
    ``cut_for_search`` gives a long word's parts of two and three characters only, and never one character)."""
    from sphinx.search.zh import SearchChinese

    class CourseChinese(SearchChinese):
        def init(self, options: dict[str, str]) -> None:
            super().init(options)
            path = options.get("dict")
            self.course_words = (set(Path(path).read_text(encoding="utf-8").split())
                                 if path and Path(path).is_file() else set())
            self.longest = max(map(len, self.course_words), default=0)

        def split(self, input: str) -> list[str]:
            found = super().split(input)
            for run in CJK.findall(input):
                found += [run[i:j] for i in range(len(run))
                          for j in range(i + 1, min(len(run), i + self.longest) + 1) if run[i:j] in self.course_words]
            return found

        def word_filter(self, stemmed_word: str) -> bool:
            return len(stemmed_word) > 1 or stemmed_word in self.course_words

    return CourseChinese


def setup(app: Any, ed: Edition) -> None:
    """``website/conf.py``'s ``setup``: a Chinese edition's index is written by ``course_chinese()``."""
    if is_chinese(ed):
        app.add_search_language(course_chinese())

