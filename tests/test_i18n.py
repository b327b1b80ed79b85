"""Every translated edition (the Chinese one today) stays in step with the English one.

A chapter's translation units (paragraphs, code comments, printed strings; see tools/i18n.py) and course_utils'
``_()``/``N_()``/``ngettext()`` messages must each have a finished translation in their catalog: a changed English
sentence has no entry any more (or only a fuzzy one after ``python -m tools.i18n update``), and its chapter's test
below fails until a translator updates it. The committed notebooks/zh/ must be what the sources and catalogs build.
A pseudo-translated edition, built in a temporary folder, shows every learner-facing sentence that escapes them.
"""

from __future__ import annotations

import ast
import io
import json
import os
import re
import shutil
import string
import subprocess
import sys
import tokenize
from pathlib import Path

import nbformat
import pytest
from babel.messages.catalog import Catalog

import course_utils
from course_utils import checks
from course_utils import i18n as cu_i18n
from tools import i18n, nbtools

ROOT = Path(__file__).resolve().parent.parent
SOURCES = nbtools.sources()
CJK = re.compile(r"[\u4e00-\u9fff]")
HOW = "run `.venv/bin/python -m tools.i18n update`, translate the entries it lists, then rebuild"


def _short(text: str) -> str:
    return text.replace("\n", " ")[:70]


LANGS = i18n.TRANSLATIONS
CHAPTERS = [(lang, src) for lang in LANGS for src in SOURCES]


def _todo(catalog: Catalog, msgids: list) -> list[str]:
    todo = []
    for msgid in msgids:
        entry = catalog.get(i18n.singular(msgid))
        if entry is None or entry.id != msgid:  # absent, or a plural entry where a sentence is wanted (or back)
            todo.append(f"missing: {_short(i18n.singular(msgid))!r}")
        elif entry.fuzzy:
            todo.append(f"fuzzy (the English changed): {_short(entry.id)!r}")
        elif not i18n.is_translated(entry):
            todo.append(f"untranslated: {_short(i18n.singular(entry.id))!r}")
    return todo


@pytest.mark.parametrize(("lang", "src"), CHAPTERS, ids=lambda x: getattr(x, "stem", x))
def test_chapter_translation_is_current(lang, src):
    """Every paragraph, comment and printed string of the chapter has a finished translation."""
    units = [u.msgid for u in i18n.units(nbtools.from_source(src))]
    todo = _todo(i18n.load(i18n.catalog_path(src, lang)), units)
    assert not todo, f"{lang}/{src.name}: {len(todo)} of {len(units)} units need a translation ({HOW}): {todo[:5]}"


@pytest.mark.parametrize("lang", LANGS)
def test_course_utils_translation_is_current(lang):
    """Every message course_utils marks with _(), N_() or ngettext() has a finished translation."""
    messages = [m for m, _where in i18n.course_utils_messages()]
    assert len(messages) > 100, "course_utils marks too few messages: is the extraction broken?"
    todo = _todo(i18n.load(i18n.cu_catalog(lang)), messages)
    assert not todo, f"course_utils ({lang}): {len(todo)} of {len(messages)} messages need a translation ({HOW}): " \
                     f"{todo[:5]}"


@pytest.mark.parametrize("lang", LANGS)
def test_launcher_translation_is_current(lang):
    """Every sentence course.py marks with _() or N_() has a finished translation."""
    messages = [m for m, _where in i18n.launcher_messages()]
    assert len(messages) > 20, "course.py marks too few messages: is the extraction broken?"
    todo = _todo(i18n.load(i18n.launcher_catalog(lang)), messages)
    assert not todo, f"course.py ({lang}): {len(todo)} of {len(messages)} messages need a translation ({HOW}): " \
                     f"{todo[:5]}"


@pytest.mark.parametrize("lang", i18n.TRANSLATIONS)
def test_website_translation_is_current(lang):
    """Every word of the website that tools/website.py marks with N_() has a finished translation in each edition,
    and the site's pages read it from the compiled catalog."""
    from tools import website

    messages = [m for m, _where in i18n.website_messages()]
    assert len(messages) >= 10, "tools/website.py marks too few words: is the extraction broken?"
    todo = _todo(i18n.load(i18n.website_catalog(lang)), messages)
    assert not todo, f"the website: {len(todo)} of {len(messages)} words need a translation ({HOW}): {todo[:5]}"
    finished = i18n.finished(i18n.load(i18n.website_catalog(lang)))
    assert website.TEXT[lang] == {key: finished[msgid] for key, msgid in website.WORDS.items()}
    assert website.TEXT[website.SOURCE.code] == website.WORDS
    assert website.translations(lang).gettext(website.TITLE) == finished[website.TITLE]


def _catalog_id(path: Path) -> str:
    return f"{path.parent.parent.name}-{path.stem}"


@pytest.mark.parametrize("catalog", i18n.COMPILED, ids=_catalog_id)
def test_compiled_catalog_is_current(catalog):
    """What gettext reads at run time (the committed .mo) holds exactly the catalog's finished entries."""
    import gettext
    import io

    with open(catalog.with_suffix(".mo"), "rb") as f:
        committed = gettext.GNUTranslations(f)._catalog  # type: ignore[attr-defined]
    fresh = gettext.GNUTranslations(io.BytesIO(i18n.compiled(catalog)))._catalog  # type: ignore[attr-defined]
    drop_header = lambda c: {k: v for k, v in c.items() if k != ""}  # noqa: E731 - the header names Babel's version
    assert drop_header(committed) == drop_header(fresh), \
        f"{catalog.with_suffix('.mo').relative_to(ROOT)} is stale: run .venv/bin/python -m tools.i18n compile"
    msgids = lambda c: {k if isinstance(k, str) else k[0] for k in drop_header(c)}  # noqa: E731 - plural: (id, n)
    assert msgids(committed) == {i18n.singular(m.id) for m in i18n.translated(i18n.load(catalog))}


def test_catalogs_have_no_untranslated_or_fuzzy_entries():
    paths = list(i18n.catalogs())
    assert len(paths) == len(LANGS) * (3 + len(SOURCES)), [str(p) for p in paths]
    for path in paths:
        catalog = i18n.load(path)
        assert i18n.entries(catalog), f"{path} is empty"
        assert not i18n.untranslated(catalog) and not i18n.fuzzy(catalog), \
            f"{path.relative_to(ROOT)}: {len(i18n.untranslated(catalog))} untranslated, {len(i18n.fuzzy(catalog))} fuzzy"


@pytest.mark.parametrize("lang", LANGS)
def test_a_sentence_has_one_translation_across_chapters(lang):
    """The same English unit in two chapters (the first cell's comments, "replace this line …") reads the same."""
    seen: dict[str, tuple[str, str]] = {}
    for src in SOURCES:
        for entry in i18n.translated(i18n.load(i18n.catalog_path(src, lang))):
            first = seen.setdefault(entry.id, (entry.string, src.stem))
            assert first[0] == entry.string, (f"{_short(entry.id)!r} is {first[0]!r} in {first[1]} but "
                                              f"{entry.string!r} in {src.stem}")


def test_stale_translation_is_detected(tmp_path):
    """Changing one English sentence makes its unit missing; `update` keeps the old translation, marked fuzzy."""
    src = SOURCES[1]
    nb = nbtools.from_source(src)
    catalog = i18n.load(i18n.catalog_path(src, "zh"))
    prose = next(u for u in i18n.units(nb) if u.kind == "markdown" and len(u.msgid) > 80)
    changed = prose.msgid.replace(" the ", " a ", 1) if " the " in prose.msgid else prose.msgid + " Also."
    units = [changed if u.msgid == prose.msgid else u.msgid for u in i18n.units(nb)]
    assert _todo(catalog, units) == [f"missing: {_short(changed)!r}"]
    merged = i18n.merge(catalog, [(m, None, "") for m in units])
    entry = merged.get(changed)
    assert entry is not None and entry.fuzzy and entry.previous_id == [prose.msgid]
    assert entry.string == catalog.get(prose.msgid).string  # the catalog merged is left as it was
    assert _todo(merged, units) == [f"fuzzy (the English changed): {_short(changed)!r}"]


def test_update_is_idempotent(tmp_path):
    """Merging a catalog with its sources and saving it, twice, writes the same bytes: an update that finds
    nothing new changes nothing, a fuzzy entry keeps its previous English, and the line numbers hold."""
    src = SOURCES[1]
    wanted = i18n.chapter_wanted(src)
    prose = next(w for w in wanted if len(w[0]) > 80)
    changed = [(str(prose[0]) + " Also.", *w[1:]) if w is prose else w for w in wanted]
    catalog = i18n.catalog_path(src, "zh")
    cases = {"chapter": (catalog, wanted), "changed chapter": (catalog, changed),
             "course_utils": (i18n.cu_catalog("zh"),
                              [(m, where, i18n.CU_NOTE) for m, where in i18n.course_utils_messages()])}
    for name, (path, wanted_now) in cases.items():
        once, twice = tmp_path / f"{name} 1.po", tmp_path / f"{name} 2.po"
        i18n.save(i18n.merge(i18n.load(path), wanted_now), once)
        i18n.save(i18n.merge(i18n.load(once), wanted_now), twice)
        assert once.read_bytes() == twice.read_bytes(), f"{name}: a second update changed the catalog"
        assert "#: notebooks/src/" in once.read_text() or name == "course_utils"
    fuzzy = i18n.fuzzy(i18n.load(tmp_path / "changed chapter 2.po"))
    assert [(m.id, m.previous_id) for m in fuzzy] == [(changed[wanted.index(prose)][0], [prose[0]])]


def _fields(text: str) -> list[str]:
    """The {fields} of a str.format template, with their format specs, in order."""
    return [f"{name}:{spec}" for _lit, name, spec, _conv in string.Formatter().parse(text) if name is not None]


def _literal_shape(source: str) -> tuple[str, list[str]]:
    """What kind of Python string literal ``source`` is, and the fields it formats (for f-strings)."""
    node = ast.parse(f"({source})", mode="eval").body  # parenthesized: a literal may span lines
    if isinstance(node, ast.JoinedStr):
        return "f-string", [ast.unparse(v) for v in node.values if isinstance(v, ast.FormattedValue)]
    assert isinstance(node, ast.Constant) and isinstance(node.value, str), f"not a string literal: {source}"
    return "str", []


@pytest.mark.parametrize(("lang", "src"), CHAPTERS, ids=lambda x: getattr(x, "stem", x))
def test_printed_strings_stay_python_with_the_same_fields(lang, src):
    catalog = i18n.load(i18n.catalog_path(src, lang))
    kinds = {u.msgid: u.kind for u in i18n.units(nbtools.from_source(src))}
    for entry in i18n.translated(catalog):
        if kinds.get(entry.id) == "string":
            assert _literal_shape(entry.string) == _literal_shape(entry.id), \
                f"{src.name}: {entry.string!r} is not a literal of the same kind and fields as {entry.id!r}"


@pytest.mark.parametrize("catalog", i18n.COMPILED, ids=_catalog_id)
def test_course_utils_and_launcher_translations_keep_their_fields(catalog):
    """A translation formats the fields its English does; every form of a plural entry, those of the plural."""
    for entry in i18n.translated(i18n.load(catalog)):
        english = entry.id if isinstance(entry.id, str) else entry.id[1]
        for form in [entry.string] if isinstance(entry.string, str) else entry.string:
            assert sorted(_fields(form)) == sorted(_fields(english)), \
                f"the translation of {english!r} must use the same {{fields}}: {form!r}"


def _english_words(markdown: str) -> int:
    """How many English words a markdown paragraph has outside code, math, links' targets and HTML."""
    text = re.sub(r"```.*?```|`[^`]*`|\$\$.*?\$\$|\$[^$]*\$|\]\([^)]*\)|<[^>]+>", " ", markdown, flags=re.S)
    return len(re.findall(r"\b[A-Za-z]{3,}\b", text))


@pytest.mark.parametrize("src", SOURCES, ids=lambda p: p.stem)
def test_prose_is_translated_into_chinese(src):
    """A paragraph with English words must come out Chinese (not copied through as English)."""
    catalog = i18n.load(i18n.catalog_path(src, "zh"))
    kinds = {u.msgid: u.kind for u in i18n.units(nbtools.from_source(src))}
    english = [e.id for e in i18n.translated(catalog)
               if kinds.get(e.id) == "markdown" and _english_words(e.id) >= 4 and not CJK.search(e.string)]
    assert not english, f"{src.name}: paragraphs left in English: {[_short(m) for m in english[:3]]}"


@pytest.mark.parametrize("src", SOURCES, ids=lambda p: p.stem)
def test_chinese_notebook_matches_its_source_and_catalog(src):
    diff = nbtools.stale_cells(src, "zh")
    assert not diff, (f"notebooks/zh/{src.stem}.ipynb is out of date with its source or catalog; run "
                      f"`python3 course.py notebooks {src.stem[:2]}`: {diff[:3]}")


ZH_TEMPLATE = ("**学完本章，你将能够**", "**预备知识：**", "**运行时间：**", "常见陷阱", "## 练习", "## 小结", "## 关键术语",
               "| English | 中文 |")


@pytest.mark.parametrize("src", SOURCES, ids=lambda p: p.stem)
def test_chinese_notebook_follows_the_chapter_template(src):
    nb = nbformat.read(nbtools.notebook_for(src, "zh"), as_version=4)
    md = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    for part in ZH_TEMPLATE:
        assert part in md, f"notebooks/zh/{src.stem}.ipynb lacks {part!r}"
    first_code = next(c.source for c in nb.cells if c.cell_type == "code")
    assert 'cu.set_language("zh")' in first_code
    for cell in nb.cells:
        if cell.cell_type == "code":
            ast.parse(i18n._python(cell.source))  # the translated comments and strings are still Python


LANGUAGE_LINE = (i18n.SET_LANGUAGE.format(lang="en"), i18n.SET_LANGUAGE.format(lang="zh"))


class _WithoutText(ast.NodeTransformer):
    """A program with the text of its strings taken out: each f-string keeps only the expressions it formats."""

    def visit_Constant(self, node: ast.Constant) -> ast.AST:
        return ast.Constant("") if isinstance(node.value, str) else node

    def visit_JoinedStr(self, node: ast.JoinedStr) -> ast.AST:
        return ast.JoinedStr([ast.Constant(ast.unparse(v.value)) for v in node.values
                              if isinstance(v, ast.FormattedValue)])


def _program(code: str) -> str:
    return ast.dump(_WithoutText().visit(ast.parse(i18n._python(code))))


@pytest.mark.parametrize("src", SOURCES, ids=lambda p: p.stem)
def test_translated_code_differs_only_in_comments_and_strings(src):
    """Code is shared: without comments and the strings' text, both editions run the same program."""
    en, zh = nbtools.edition(src, "en"), nbtools.edition(src, "zh")
    for a, b in zip(en.cells, zh.cells):
        if a.cell_type == "code":
            assert _program(a.source.replace(*LANGUAGE_LINE)) == _program(b.source), \
                f"{src.name}: a code cell's program differs in Chinese:\n{b.source[:300]}"


_DOCUMENTED = '''import torch


def sigmoid(x: torch.Tensor) -> torch.Tensor:  # a comment
    """Sigmoid from scratch, elementwise: 1 / (1 + exp(-x)).

    x: any shape; returns the same shape. See \\\\sigma in the text.
    """
    return 1 / (1 + torch.exp(-x))


class Layer:
    r"""A layer in one line, with \\sigma."""

    def forward(self, x):
        """Two lines,
        the second one indented."""
        return x
'''


def test_a_docstring_in_a_code_cell_is_a_unit_and_goes_back_between_its_quotes():
    """A docstring of a function or class in a chapter's code cell is a translation unit like a comment: its text
    without the quotes and the indentation; its translation goes back between the same quotes, laid out alike."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(_DOCUMENTED)])
    found = [(u.kind, u.msgid, u.line) for u in i18n.units(nb)]
    assert found == [("comment", "a comment", 3),
                     ("docstring", "Sigmoid from scratch, elementwise: 1 / (1 + exp(-x)).\n\n"
                                   "x: any shape; returns the same shape. See \\\\sigma in the text.", 4),
                     ("docstring", "A layer in one line, with \\sigma.", 12),
                     ("docstring", "Two lines,\nthe second one indented.", 15)]
    assert i18n.translate_code(_DOCUMENTED, lambda text: text) == _DOCUMENTED  # the layout is the original's
    zh = {"Sigmoid from scratch, elementwise: 1 / (1 + exp(-x)).\n\nx: any shape; returns the same shape. "
          "See \\\\sigma in the text.": "从零实现的 sigmoid，逐元素计算：1 / (1 + exp(-x))。\n\n"
                                         "x 可以是任意形状；返回同样的形状。参见正文中的 \\\\sigma。",
          "Two lines,\nthe second one indented.": "两行，\n第二行缩进。"}
    code = i18n.translate_code(_DOCUMENTED, lambda text: zh.get(text, text))
    namespace: dict = {}
    exec(compile(code, "<cell>", "exec"), namespace)  # still Python, each docstring where it was
    assert namespace["sigmoid"].__doc__ == ("从零实现的 sigmoid，逐元素计算：1 / (1 + exp(-x))。\n\n    "
                                            "x 可以是任意形状；返回同样的形状。参见正文中的 \\sigma。\n    ")
    assert namespace["Layer"].forward.__doc__ == "两行，\n        第二行缩进。"
    assert namespace["Layer"].__doc__ == "A layer in one line, with \\sigma."
    assert _program(code) == _program(_DOCUMENTED)


def test_every_docstring_of_a_chapter_is_a_unit():
    """The chapters' functions carry docstrings a learner reads (29 when this test was written)."""
    docstrings = [u for src in SOURCES for u in i18n.units(nbtools.from_source(src)) if u.kind == "docstring"]
    assert len(docstrings) >= 20 and all(i18n.WORD.search(u.msgid) for u in docstrings)
    assert i18n.KIND_NOTES["docstring"]


# ------------------------------------------------------------------------------------------ course_utils runtime
def test_set_language_and_environment_variable():
    course_utils.set_language("zh-CN")
    assert course_utils.get_language() == "zh"
    course_utils.set_language("en")
    with pytest.raises(ValueError, match="`lang` must be one of 'en', 'zh'"):
        course_utils.set_language("fr")
    code = "import course_utils as cu; print(cu.get_language())"
    for value, want in (("zh_CN.UTF-8", "zh"), ("en_US", "en"), ("", "en"), ("xx", "en")):
        out = subprocess.run([sys.executable, "-c", code], env={**os.environ, "COURSE_LANG": value},
                             capture_output=True, text=True, check=True).stdout.strip()
        assert out == want, (value, out)


def test_checkers_answer_in_chinese(capsys):
    course_utils.set_language("zh")
    for name in checks.exercises():
        result = checks.check(name, None)
        assert result.status == "not attempted" and CJK.search(result.message), result.message
        ex = checks._core._get(name)
        for level, text in enumerate(ex.hints, 1):
            assert CJK.search(cu_i18n._(text)), f"{name}: its hint {level} has no Chinese translation"
    wrong = checks.check("huber_from_scratch", lambda x, y, delta: (x - y).abs().mean())
    assert wrong.status == "wrong" and CJK.search(wrong.message.split("\n")[0]), wrong.message


def test_english_is_unchanged_by_the_catalog(capsys):
    course_utils.set_language("en")
    result = checks.check("huber_from_scratch", None)
    assert result.message == "⏳ huber_from_scratch: not attempted yet — fill in the code, then run this cell."


def _shown_texts(widget) -> list[str]:
    texts = [widget.title] + [c.description for c in widget.controls.values()]
    return texts + [b.description for b in widget.buttons.values()]


def test_widget_titles_and_controls_speak_chinese():
    """Every widget's title, control and button text comes through the catalog in the Chinese edition.

    A label of two or more English words must change (or be a catalog entry kept as is on purpose); a parameter's
    name (``lr``, ``T_max``, ``Adam β₁``) may stay."""
    from course_utils.widgets import BUILDERS

    msgids = {i18n.singular(e.id) for e in i18n.entries(i18n.load(i18n.cu_catalog("zh")))}
    untranslated = []
    for name, build in BUILDERS.items():
        course_utils.set_language("en")
        english = _shown_texts(build())
        course_utils.set_language("zh")
        chinese = _shown_texts(build())
        for en, zh in zip(english, chinese):
            words = [w for w in en.split() if re.fullmatch(r"[A-Za-z]{3,}", w)]  # not names: lr, T_max, sin x₁
            if en == zh and en not in msgids and len(words) >= 2:
                untranslated.append(f"{name}: {en!r}")
    assert not untranslated, f"widget texts that bypass the catalog: {untranslated}"


def _modules_importing_gettext() -> list[Path]:
    paths = []
    for path in sorted((ROOT / "course_utils").rglob("*.py")):
        tree = ast.parse(path.read_text())
        if any(isinstance(n, ast.ImportFrom) and n.module and n.module.endswith("i18n")
               and any(a.name == "_" for a in n.names) for n in ast.walk(tree)):
            paths.append(path)
    return paths


def test_no_function_shadows_the_translator():
    """``_`` is the translator wherever it is imported: a local ``_`` (``for _ in``, ``a, _ =``) would break it."""
    paths = _modules_importing_gettext()
    assert len(paths) >= 5
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text())):
            bound = (isinstance(node, ast.Name) and node.id == "_" and isinstance(node.ctx, ast.Store)) or (
                isinstance(node, ast.arg) and node.arg == "_")
            assert not bound, f"{path.relative_to(ROOT)}:{node.lineno} binds `_`, shadowing the translator"


def _literal_text(node: ast.AST) -> bool:
    """Whether ``node`` is message text written in place: a string, an f-string, or a sum or ``%`` of them."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str) or isinstance(node, ast.JoinedStr):
        return True
    return isinstance(node, ast.BinOp) and (_literal_text(node.left) or _literal_text(node.right))


def test_exception_messages_go_through_the_catalog():
    """A learner who passes a wrong argument reads the error in the course's language: every exception course_utils
    raises with a message of its own says it through ``_()`` (``_("… {shape}").format(shape=…)``), never as a bare
    English string or f-string."""
    bare = []
    for path in sorted((ROOT / "course_utils").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) and node.exc.args:
                if _literal_text(node.exc.args[0]):
                    bare.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not bare, f"{len(bare)} exception messages in English only: {bare[:10]}"


def test_an_argument_error_speaks_chinese():
    import torch

    from course_utils import losses

    try:
        course_utils.set_language("zh")
        with pytest.raises(ValueError) as raised:
            losses.mse_loss(torch.zeros(4, 1), torch.zeros(4))
        assert CJK.search(str(raised.value)) and "(4, 1)" in str(raised.value), str(raised.value)
    finally:
        course_utils.set_language("en")
    with pytest.raises(ValueError, match=r"must have the same shape; got input shape \(4, 1\)"):
        losses.mse_loss(torch.zeros(4, 1), torch.zeros(4))


def test_a_count_chooses_the_sentence_form():
    """A sentence with a count goes through ngettext: English says "1 exercise" but "2 exercises"; Chinese, which
    has one form (the catalog's header says so), says both with the same sentence."""
    from course_utils import progress

    rows = lambda n: [{"status": "passed"}] + [{"status": "untried"}] * (n - 1)  # noqa: E731
    try:
        course_utils.set_language("en")
        assert progress._chapter_line("01", rows(1)) == "Chapter 01: 1 of 1 exercise passed, 0 tried, 0 not tried yet."
        assert progress._chapter_line("01", rows(2)) == \
            "Chapter 01: 1 of 2 exercises passed, 0 tried, 1 not tried yet."
        course_utils.set_language("zh")
        assert progress._chapter_line("01", rows(1)) == "第 01 章：1 道练习中通过 1 道，尝试过但未通过 0 道，尚未作答 0 道。"
        assert progress._chapter_line("01", rows(2)) == "第 01 章：2 道练习中通过 1 道，尝试过但未通过 0 道，尚未作答 1 道。"
    finally:
        course_utils.set_language("en")
    catalog = i18n.load(i18n.cu_catalog("zh"))
    assert catalog.num_plurals == 1 and catalog.plural_forms == "nplurals=1; plural=0;"
    plural = [m for m in i18n.entries(catalog) if m.pluralizable]
    assert len(plural) >= 5 and all(len(m.string) == 1 for m in plural)
    marked = {m[0] for m, _where in i18n.course_utils_messages() if isinstance(m, tuple)}
    assert {m.id[0] for m in plural} == marked  # every ngettext() of course_utils, and nothing else, has forms


# ------------------------------------------------------------------------------------ a pseudo-translated edition
# Adding a language is one row of the table of editions plus its catalogs. The tests below add one, "xx", in a
# temporary folder (nothing committed changes): every English sentence of the catalogs pseudo-translated, wrapped
# in ⟦…⟧ with its letters accented, its code, {fields}, markup, math and links kept. Whatever a learner then reads
# in plain English did not come through a catalog: a sentence that escapes the catalogs, named by the test.
PSEUDO = "xx"
_ACCENTED = str.maketrans("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
                          "áƀçďéƒğĥíĵķĺṁñöṗʠŕšţüṽŵẋýžÁƁÇĎÉƑĞĤÍĴĶĹṀÑÖṖǪŔŠŢÜṼŴẊÝŽ")
# what a translation keeps as it is: code (fenced or `inline`), $math$, links' targets, HTML tags, URLs, {fields}
# (one level of nesting: {x:{width}}) and backslash escapes
_KEPT = re.compile(r"```.*?```|`[^`\n]*`|\$\$.*?\$\$|\$[^$\n]+\$|\]\([^)\s]*\)|<[^>\n]+>|https?://[^\s)>\]\"']+"
                   r"|\{(?:[^{}]|\{[^{}]*\})*\}|\\.", re.S)
_LEAD = re.compile(r"\s*(?:#{1,6} |[-*+>] |\d+\. |\|\s*)?")  # a markdown line's syntax before its text
_LITERAL = re.compile(r"([rRbBfFuU]{0,2})('''|\"\"\"|'|\")(.*?)\2", re.S)  # one piece of a Python string literal
_ENGLISH = re.compile(r"\b[A-Za-z]{2,}(?:[ ,;:-]+[A-Za-z]{2,}){2,}\b")  # three plain English words in a row


def _accent(text: str) -> str:
    out, at = [], 0
    for kept in _KEPT.finditer(text):
        out += [text[at:kept.start()].translate(_ACCENTED), kept[0]]
        at = kept.end()
    return "".join(out) + text[at:].translate(_ACCENTED)


def _pseudo(text: str) -> str:
    """``text`` pseudo-translated: ⟦accented prose⟧ after a markdown line's leading syntax (# , - , | …)."""
    body = _accent(text)
    lead = _LEAD.match(body)
    start, end = lead.end() if lead else 0, len(body.rstrip())
    return body[:start] + "⟦" + body[start:end] + "⟧" + body[end:]


def _pseudo_literal(source: str) -> str:
    """A printed string literal (as Python source), pseudo-translated inside its quotes: prefix and quotes kept."""
    return _LITERAL.sub(lambda m: m[1] + m[2] + "⟦" + _accent(m[3]) + "⟧" + m[2], source)


def _english(text: str) -> list[str]:
    """The runs of plain English words in ``text``, outside its code, math, fields, links' targets and paths."""
    return _ENGLISH.findall(re.sub(r"\S*/\S*", " ", _KEPT.sub(" ", text)))


def test_the_pseudo_translation_changes_every_word_and_keeps_code():
    source = "## The `loss_fn(x)` is $\\ell(x)^2$ over {n:d} [data sets](https://a.org/b_c) <br> here."
    pseudo = _pseudo(source)
    assert pseudo == ("## ⟦Ţĥé `loss_fn(x)` íš $\\ell(x)^2$ öṽéŕ {n:d} [ďáţá šéţš](https://a.org/b_c) <br> ĥéŕé.⟧")
    assert _english(source) and not _english(pseudo)  # plain English before, none after
    literal = _pseudo_literal('f"loss after {epochs} epochs: {loss:.{digits}f}\\n"')
    assert literal == 'f"⟦ĺöšš áƒţéŕ {epochs} éṗöçĥš: {loss:.{digits}f}\\n⟧"'
    assert _literal_shape(literal) == _literal_shape('f"loss after {epochs} epochs: {loss:.{digits}f}\\n"')


# Run inside the pseudo edition (COURSE_LANG=xx): every sentence course_utils shows in a sample of situations, as
# JSON [where, text]: each exercise's verdicts on odd answers, its hints and its locked solution, the progress
# table, every widget's title, controls and buttons, the MNIST fallback, the environment report, argument errors,
# a diverging fit, the playground.
_SHOWN = r'''
import contextlib, io, json, os, sys
import torch
import course_utils as cu
from course_utils import checks, data, env, losses, progress, train
from course_utils.playground import Playground
from course_utils.widgets import BUILDERS

assert cu.__file__.startswith(os.environ["PSEUDO_COPY"]) and cu.get_language() == "xx", (cu.__file__, cu.get_language())
shown = []


def capture(where, run):
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        try:
            run()
        except Exception as exc:  # an argument error: its message is what the learner reads
            out.write(str(exc))
    shown.append([where, out.getvalue().strip()])


def stub(*args, **kwargs):
    raise NotImplementedError


# (not a function that raises on its own: the verdict then quotes Python's English message, which no catalog holds)
answers = {"a number": 42, "a word": "text", "a list": [1, 2], "the stub": stub,
           "a function returning a tensor of 21 zeros": lambda *a, **k: torch.zeros(21)}
for name in checks.exercises():
    capture(f"checks.solution({name!r}) before trying", lambda: checks.solution(name))
    capture(f"checks.check({name!r}, None)", lambda: checks.check(name, None))
    for label, answer in answers.items():
        capture(f"checks.check({name!r}, {label})", lambda: checks.check(name, answer))
    for level in range(4):
        capture(f"checks.hint({name!r}), {level + 1}", lambda: checks.hint(name))
capture("progress.show()", progress.show)
for name, build in BUILDERS.items():
    widget = build()
    shown.append([f"widgets.{name}: its title", widget.title])
    shown += [[f"widgets.{name}: control {key}", c.description] for key, c in widget.controls.items()]
    shown += [[f"widgets.{name}: button {key}", b.description] for key, b in widget.buttons.items()]
    shown += [[f"widgets.{name}: control {key}, option {label!r}", label] for key, c in widget.controls.items()
              if type(c).__name__ == "Dropdown" for label in c._options_labels]
    if widget.caption is not None:  # its text line, at every value of its first control
        first, control = next(iter(widget.controls.items()))
        for value in range(control.min, control.max + 1):
            control.value = value
            shown.append([f"widgets.{name}: its text line at {first}={value}", widget.caption_text])
capture("data.load_mnist() offline", lambda: data.load_mnist(root=os.environ["PSEUDO_COPY"], download=False))
capture("env.environment_report()", env.environment_report)
capture("set_language('fr')", lambda: cu.set_language("fr"))
capture("losses.mse_loss of two shapes", lambda: losses.mse_loss(torch.zeros(4, 1), torch.zeros(4)))
model = torch.nn.Linear(2, 1)
capture("train.fit with a loss that turns NaN",
        lambda: train.fit(model, [(torch.zeros(4, 2), torch.zeros(4, 1))], lambda out, y: (out * float("nan")).sum(),
                          torch.optim.SGD(model.parameters(), lr=0.1), epochs=2, progress=False))
capture("repr(History())", lambda: print(repr(train.History())))
capture("repr(Playground)", lambda: print(repr(Playground(schedule="cosine").step(2))))
json.dump(shown, sys.stdout, ensure_ascii=False)
'''


def _is_a_name(text: str) -> bool:
    """A control's label that is a parameter's name (lr, T_max, step_size, Adam β₁), not a phrase to translate."""
    return len([w for w in text.split() if re.fullmatch(r"[A-Za-z]{3,}", w)]) < 2


def _pseudo_catalog(messages: list, path: Path) -> None:
    """The pseudo edition's catalog of ``messages`` at ``path``, and the .mo beside it, written by tools.i18n."""
    catalog = i18n.new_catalog(PSEUDO)  # English's two plural forms: one, other
    for msgid, where in messages:
        catalog.add(msgid, _pseudo(msgid) if isinstance(msgid, str) else tuple(map(_pseudo, msgid)), locations=[where])
    i18n.save(catalog, path)
    path.with_suffix(".mo").write_bytes(i18n.compiled(path))


@pytest.fixture(scope="module")
def pseudo_course(tmp_path_factory) -> Path:
    """A course folder with the pseudo edition: course.py and a copy of course_utils whose table of editions has one
    more row, "xx", and the catalogs of that edition (course_utils' and the launcher's)."""
    root = tmp_path_factory.mktemp("pseudo-course")
    shutil.copy(ROOT / "course.py", root / "course.py")
    shutil.copytree(ROOT / "course_utils", root / "course_utils", ignore=shutil.ignore_patterns("__pycache__"))
    table = json.loads((root / "course_utils" / "editions.json").read_text(encoding="utf-8"))
    table["editions"].append({"code": PSEUDO, "name": "Pseudo", "notebooks": f"notebooks/{PSEUDO}",
                              "readme": f"README.{PSEUDO}.md", "site_path": PSEUDO, "jupyterlab_locale": "en",
                              "sphinx_language": "en"})
    (root / "course_utils" / "editions.json").write_text(json.dumps(table, ensure_ascii=False), encoding="utf-8")
    _pseudo_catalog(i18n.course_utils_messages(),
                    root / "course_utils" / "locale" / PSEUDO / "LC_MESSAGES" / "course_utils.po")
    _pseudo_catalog(i18n.launcher_messages(), root / "locale" / PSEUDO / "LC_MESSAGES" / "course.po")
    return root


def _escaped(shown: list[list[str]]) -> list[str]:
    """Each text of ``shown`` ([where, text]) with plain English in it, or none of the pseudo edition's marks."""
    return [f"{where}: {_english(text) or text!r} in {_short(text)!r}" for where, text in shown
            if _english(text) or ("⟦" not in text and not _is_a_name(text))]


def test_a_pseudo_edition_shows_no_sentence_of_course_utils_in_english(pseudo_course):
    """One more row in a copy of the table of editions and its catalog: course_utils then speaks only through it.

    Every sentence course_utils shows in the sample must be pseudo-translated (⟦…⟧, accented) with no run of plain
    English words left, except what a learner's own values put there (names, numbers, shapes, paths)."""
    env = {**os.environ, "PYTHONPATH": str(pseudo_course), "COURSE_LANG": PSEUDO, "PSEUDO_COPY": str(pseudo_course),
           "COURSE_PROGRESS_DIR": str(pseudo_course / "progress"), "MPLBACKEND": "Agg"}
    run = subprocess.run([sys.executable, "-c", _SHOWN], env=env, cwd=pseudo_course, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-3000:]
    shown = json.loads(run.stdout)
    assert len(shown) > 400 and all(text for _where, text in shown), [w for w, text in shown if not text][:5]
    escaped = _escaped(shown)
    assert not escaped, f"{len(escaped)} texts escape the catalog (mark them with _() or ngettext()): {escaped[:8]}"


def test_a_pseudo_edition_of_the_launcher_speaks_through_its_catalog(pseudo_course):
    """course.py reads the same table: with COURSE_LANG=xx (or --lang xx) its lines come from the new catalog."""
    import course

    shown = []
    for args, env_lang in ((["help"], PSEUDO), (["--lang", PSEUDO, "help"], ""), (["nosuchcommand"], PSEUDO)):
        run = subprocess.run([sys.executable, "course.py", *args], cwd=pseudo_course, capture_output=True, text=True,
                             env={**os.environ, "COURSE_LANG": env_lang})
        commands = ", ".join(course.COMMANDS)  # the list of commands it names: code
        shown.append([f"course.py {' '.join(args)}", (run.stdout + run.stderr).replace(commands, "…")])
    assert len(shown[0][1].splitlines()) > 10 and shown[0][1] == shown[1][1]
    escaped = _escaped(shown)
    assert not escaped, f"{len(escaped)} lines of course.py escape its catalog: {escaped[:8]}"


@pytest.mark.parametrize("src", SOURCES, ids=lambda p: p.stem)
def test_a_pseudo_edition_of_each_chapter_leaves_no_prose_in_english(src):
    """With every unit of the chapter pseudo-translated, its edition has no paragraph, comment, printed text or
    docstring in plain English: the units cover every sentence a learner reads in the chapter's cells."""
    nb = nbtools.from_source(src)
    catalog = {u.msgid: _pseudo_literal(u.msgid) if u.kind == "string" else _pseudo(u.msgid) for u in i18n.units(nb)}
    pseudo = i18n.translated_notebook(nb, catalog, PSEUDO)
    left = []
    for i, cell in enumerate(pseudo.cells):
        if cell.cell_type == "markdown":
            left += [f"cell {i} (markdown): {run!r}" for run in _english(cell.source)]
            continue
        code = i18n._python(cell.source)
        comments = [t.string for t in tokenize.generate_tokens(io.StringIO(code).readline) if t.type == tokenize.COMMENT]
        left += [f"cell {i} (comment): {run!r}" for c in comments if not i18n.DIRECTIVE.match(c[1:].strip())
                 for run in _english(c)]
        for node in ast.walk(ast.parse(code)):  # still Python
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print":
                printed = [n.value for arg in node.args for n in ast.walk(arg) if isinstance(n, ast.Constant)
                           and isinstance(n.value, str) and not _inside_a_field(n, arg)]
                left += [f"cell {i} (printed): {run!r}" for text in printed for run in _english(text)]
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                doc = ast.get_docstring(node, clean=False)
                left += [f"cell {i} (docstring of {node.name}): {run!r}" for run in _english(doc or "")]
    assert not left, f"{src.name}: {len(left)} English texts are not translation units: {left[:5]}"
    if i18n.SET_LANGUAGE.format(lang="en") in nb.cells[1].source:
        assert i18n.SET_LANGUAGE.format(lang=PSEUDO) in pseudo.cells[1].source


def _inside_a_field(node: ast.AST, tree: ast.AST) -> bool:
    """Whether ``node`` is a piece of code inside an f-string's {field} (a key, a format spec), not printed text."""
    return any(node is sub for field in ast.walk(tree) if isinstance(field, ast.FormattedValue)
               for sub in ast.walk(field.value))
