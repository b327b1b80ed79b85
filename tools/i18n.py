"""The translated editions: gettext catalogs for the chapters, ``course_utils`` and ``course.py``, and the notebooks.

One source, an edition per row of the table of editions (``course_utils/editions.json``). A chapter's English
source ``notebooks/src/NN_name.py`` is cut into translation units:

- each paragraph of a markdown cell (blocks between blank lines; a fenced block or a table stays whole; a block
  with no word in it, such as display math alone, is not a unit and is copied as is);
- each comment in a code cell (a run of whole-line comments is one unit), except directives (``NBVAL_…``,
  ``noqa``, ``type:``);
- each string literal a code cell prints (the arguments of ``print(...)``), as Python source: quotes, prefixes and
  ``{placeholders}`` included, so an f-string stays an f-string with the same fields.
- each docstring of a function or class defined in a code cell, as its source text without the quotes, its
  indentation removed (``inspect.cleandoc``): the translation goes back between the same quotes, indented as the
  original, so backslashes mean what they meant.

For each edition ``<code>`` other than the source, the units of chapter ``NN_name`` live in
``locale/<code>/LC_MESSAGES/NN_name.po``; ``course_utils``' own sentences (marked with ``_()``/``N_()``, or
``ngettext()`` where a count decides the form) in ``course_utils/locale/<code>/LC_MESSAGES/course_utils.po``, and
the launcher's (``course.py``) in ``locale/<code>/LC_MESSAGES/course.po``, the website's own words
(``tools/website.py`` and ``tools/site_search.py``, and the gradebook picture's that ``tools/simclass.py`` draws) in ``locale/<code>/LC_MESSAGES/website.po``. Those three are read at run time by the
standard library's gettext, from the compiled ``.mo`` beside each (``compile``; committed, since ``course.py``
speaks before anything is installed). Code is shared: a translated notebook is the English one with those units
replaced, and with ``cu.set_language("en")`` turned into ``cu.set_language("<code>")``.

One PO toolchain, Babel: its extractor finds the marked sentences, ``Catalog.update`` merges a catalog with what
the sources hold now (a changed sentence keeps the translation of the most similar old one, marked fuzzy, with the
previous English as ``#| msgid``), ``read_po``/``write_po`` read and write the files (no line wrapping: one line of
English is one line of the catalog) and ``write_mo`` compiles them, so any PO editor (Poedit, Weblate, Lokalize)
can translate them. Adding a language is one row of the table of editions: ``update`` then creates its catalogs.

    python -m tools.i18n update [NN]  bring every edition's catalogs in step with the sources (only those chapters
                                     when named): new units join, a changed unit keeps its old translation marked
                                     fuzzy until a translator confirms it; running it twice changes nothing
    python -m tools.i18n status      count untranslated and fuzzy entries per catalog (exit 1 if any)
    python -m tools.i18n apply F.json [CODE]  write {msgid: msgstr} pairs into course_utils' catalog of edition
                                     CODE (default: the only translation, or the first); a plural entry takes a
                                     list of its forms
    python -m tools.i18n compile     write the .mo files that course_utils and course.py read (update does too)

``python3 course.py notebooks`` builds each edition's notebooks from these catalogs after the English ones;
``tests/test_i18n.py`` fails while any unit is missing, fuzzy or untranslated.
"""

from __future__ import annotations

import ast
import copy
import datetime
import functools
import gettext
import inspect
import io
import re
import sys
import tokenize
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import nbformat
from babel.core import Locale, UnknownLocaleError
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import normalize, read_po, unescape, write_po

from course_utils import __version__
from course_utils.editions import EDITIONS, SOURCE, edition

from .chapters import ROOT, from_source, sources

LOCALE = ROOT / "locale"
TRANSLATIONS: tuple[str, ...] = tuple(e.code for e in EDITIONS if e.code != SOURCE.code)  # every edition but the source
DEFAULT = TRANSLATIONS[0] if TRANSLATIONS else SOURCE.code  # what `apply` writes into unless told otherwise
SET_LANGUAGE = 'cu.set_language("{lang}")'  # a chapter's first cell: the source's turns into its edition's
DIRECTIVE = re.compile(r"^(NBVAL_|noqa|type:|%|!|pragma)")
WORD = re.compile(r"[A-Za-z]{2,}")
PROJECT = "nn-course"
GUESSED_FLAGS = {"python-format", "python-brace-format"}  # Babel guesses them from the text; our notes say more
MessageId = str | tuple[str, str]  # a sentence, or (singular, plural) of one whose form a count decides


def cu_catalog(lang: str) -> Path:
    """``course_utils``' messages in edition ``lang`` (the ``.mo`` beside it is what runs)."""
    return ROOT / "course_utils" / "locale" / lang / "LC_MESSAGES" / "course_utils.po"


def launcher_catalog(lang: str) -> Path:
    """``course.py``'s messages in edition ``lang``."""
    return LOCALE / lang / "LC_MESSAGES" / "course.po"


def website_catalog(lang: str) -> Path:
    """The website's own words in edition ``lang`` (``tools/website.py`` reads the ``.mo`` at build time)."""
    return LOCALE / lang / "LC_MESSAGES" / "website.po"


def compiled_catalogs(langs: tuple[str, ...] = TRANSLATIONS) -> list[Path]:
    """The catalogs read through gettext, from the ``.mo`` beside each: course_utils', the launcher's, the site's."""
    return [path for lang in langs for path in (cu_catalog(lang), launcher_catalog(lang), website_catalog(lang))]


# the first translation's, for code that knows one edition only
CU_CATALOG = cu_catalog(DEFAULT)
LAUNCHER_CATALOG = launcher_catalog(DEFAULT)
WEBSITE_CATALOG = website_catalog(DEFAULT)


@functools.cache
def website_translations(code: str) -> gettext.NullTranslations:
    """The website's own words in edition ``code``: its compiled catalog (``website.mo``, beside ``website_catalog``);
    the source edition reads them as written."""
    if code == SOURCE.code:
        return gettext.NullTranslations()
    return gettext.translation("website", str(LOCALE), languages=[code])
COMPILED = tuple(compiled_catalogs())
LANGUAGE_LINE = (SET_LANGUAGE.format(lang=SOURCE.code), SET_LANGUAGE.format(lang=DEFAULT))


@dataclass(frozen=True)
class Unit:
    """One translatable piece of a chapter: its English text and what kind of text it is."""

    msgid: str
    cell: int
    kind: str  # "markdown" | "comment" | "string" | "docstring"
    line: int = 0  # where it starts in its cell (0: the cell's first line)


# ---------------------------------------------------------------------------------------------- markdown cells
def markdown_blocks(text: str) -> list[str]:
    """A markdown cell's blocks: paragraphs separated by blank lines; a ``` fence or $$ math stays one block."""
    blocks: list[list[str]] = [[]]
    fence = math = False
    for line in text.split("\n"):
        stripped = line.strip()
        if not stripped and not fence and not math:
            if blocks[-1]:
                blocks.append([])
            continue
        blocks[-1].append(line)
        if stripped.startswith("```"):
            fence = not fence
        elif not fence and stripped.count("$$") % 2 == 1:
            math = not math
    return ["\n".join(b) for b in blocks if b]


def _has_words(block: str) -> bool:
    """True when a block has prose to translate: a word outside display math."""
    outside_math = re.sub(r"\$\$.*?\$\$", "", block, flags=re.S)
    return bool(WORD.search(outside_math))


# -------------------------------------------------------------------------------------------------- code cells
@dataclass(frozen=True)
class _Span:
    """Where a unit sits in a code cell: (line, col) to (line, col), 1-based lines as tokenize counts them."""

    start: tuple[int, int]
    end: tuple[int, int]
    text: str
    kind: str
    indent: str = ""


def _comment_spans(code: str) -> list[_Span]:
    """Comments: consecutive whole-line comments at one indentation form one span; inline comments one each."""
    tokens = list(tokenize.generate_tokens(io.StringIO(code).readline))
    spans: list[_Span] = []
    lines = code.split("\n")
    for tok in tokens:
        if tok.type != tokenize.COMMENT:
            continue
        body = tok.string[1:].strip()
        if not body or DIRECTIVE.match(body) or not WORD.search(body):
            continue
        row, col = tok.start
        whole_line = not lines[row - 1][:col].strip()
        prev = spans[-1] if spans else None
        if (whole_line and prev and prev.kind == "comment-block" and prev.end[0] == row - 1
                and prev.indent == lines[row - 1][:col]):
            spans[-1] = _Span(prev.start, tok.end, prev.text + "\n" + body, "comment-block", prev.indent)
        else:
            kind = "comment-block" if whole_line else "comment"
            spans.append(_Span(tok.start, tok.end, body, kind, lines[row - 1][:col] if whole_line else ""))
    return spans


def _printed_string_spans(code: str) -> list[_Span]:
    """The string literals (plain or f-) inside ``print(...)`` calls that hold a word."""
    tree = ast.parse(code)
    lines = code.split("\n")

    def char_col(row: int, byte_col: int) -> int:  # ast counts UTF-8 bytes along a line; tokenize characters
        return len(lines[row - 1].encode()[:byte_col].decode())

    # the pieces of an f-string are not literals of their own (Python 3.11 even gives them the f-string's place)
    inside_fstrings = {id(sub) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr)
                       for sub in ast.walk(node) if sub is not node}
    spans = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print"):
            continue
        for arg in node.args:
            for sub in ast.walk(arg):
                if id(sub) in inside_fstrings:
                    continue
                if isinstance(sub, ast.Constant) and isinstance(sub.value, str) or isinstance(sub, ast.JoinedStr):
                    text = ast.get_source_segment(code, sub)
                    if text and WORD.search(re.sub(r"\{[^}]*\}", "", text)):
                        end_row = sub.end_lineno or sub.lineno
                        spans.append(_Span((sub.lineno, char_col(sub.lineno, sub.col_offset)),
                                           (end_row, char_col(end_row, sub.end_col_offset or 0)), text, "string"))
    return sorted(set(spans), key=lambda s: s.start)


_QUOTES = re.compile(r'^([rRuU]{0,2})("""|\'\'\'|"|\')')


def _docstring_spans(code: str) -> list[_Span]:
    """The docstrings of the functions and classes a code cell defines that hold a word: their text without the
    quotes, dedented (``inspect.cleandoc``); ``indent`` is the indentation of the body they open."""
    tree = ast.parse(code)
    lines = code.split("\n")

    def char_col(row: int, byte_col: int) -> int:  # ast counts UTF-8 bytes along a line; tokenize characters
        return len(lines[row - 1].encode()[:byte_col].decode())

    spans = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) and node.body):
            continue
        first = node.body[0]
        if not (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
                and isinstance(first.value.value, str)):
            continue
        literal = first.value
        source = ast.get_source_segment(code, literal) or ""
        quotes = _QUOTES.match(source)
        if not quotes or not source.endswith(quotes[2]):
            continue
        inner = source[len(quotes[0]):len(source) - len(quotes[2])]
        text = inspect.cleandoc(inner)
        if WORD.search(text):
            end_row = literal.end_lineno or literal.lineno
            col = char_col(literal.lineno, literal.col_offset)
            spans.append(_Span((literal.lineno, col), (end_row, char_col(end_row, literal.end_col_offset or 0)),
                               text, "docstring", lines[literal.lineno - 1][:col]))
    return spans


def _docstring(original: str, text: str, indent: str) -> str:
    """The docstring literal ``original`` (its source) with ``text`` in it, laid out as the original was: the same
    prefix and quotes, continuation lines at ``indent``, the opening and closing quotes on the lines they were."""
    quotes = _QUOTES.match(original)
    assert quotes is not None
    inner = original[len(quotes[0]):len(original) - len(quotes[2])]
    first, *rest = text.split("\n")
    body = "\n".join([first, *(indent + line if line else "" for line in rest)])
    opening = "\n" + indent if inner.startswith("\n") else ""
    closing = "\n" + indent if "\n" in inner and not inner.rsplit("\n", 1)[1].strip() else ""
    return quotes[0] + opening + body + closing + quotes[2]


def _python(code: str) -> str:
    """A code cell as Python: IPython's magics (%…, !…) become comments (which are not units): line numbers hold."""
    return "\n".join("#" + line if line.lstrip().startswith(("%", "!")) else line for line in code.split("\n"))


def code_spans(code: str) -> list[_Span]:
    python = _python(code)
    return sorted(_comment_spans(python) + _printed_string_spans(python) + _docstring_spans(python),
                  key=lambda s: s.start)


def _offset(lines: list[str], pos: tuple[int, int]) -> int:
    row, col = pos
    return sum(len(line) + 1 for line in lines[: row - 1]) + col


def translate_code(code: str, translate: Callable[[str], str], lang: str = DEFAULT) -> str:
    """``code`` with every unit replaced by ``translate(unit_text)`` (a comment's ``#`` and indentation kept)."""
    lines = code.split("\n")
    out, at = [], 0
    for span in code_spans(code):
        start, end = _offset(lines, span.start), _offset(lines, span.end)
        out.append(code[at:start])
        new = translate(span.text)
        if span.kind == "string":
            out.append(new)
        elif span.kind == "docstring":
            out.append(_docstring(code[start:end], new, span.indent))
        else:
            out.append(("\n" + span.indent).join(f"# {line}".rstrip() for line in new.split("\n")))
        at = end
    out.append(code[at:])
    return "".join(out).replace(SET_LANGUAGE.format(lang=SOURCE.code), SET_LANGUAGE.format(lang=lang))


# ---------------------------------------------------------------------------------------------------- chapters
def units(nb: nbformat.NotebookNode) -> list[Unit]:
    """Every translation unit of a notebook, in order (a repeated text appears once, at its first place)."""
    found: dict[str, Unit] = {}
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            lines, at = cell.source.split("\n"), 0
            for block in markdown_blocks(cell.source):
                at = lines.index(block.split("\n")[0], at)
                if _has_words(block):
                    found.setdefault(block, Unit(block, i, "markdown", at))
                at += block.count("\n") + 1
        elif cell.cell_type == "code":
            for span in code_spans(cell.source):
                kind = span.kind if span.kind in ("string", "docstring") else "comment"
                found.setdefault(span.text, Unit(span.text, i, kind, span.start[0] - 1))
    return list(found.values())


def translated_notebook(nb: nbformat.NotebookNode, catalog: dict[str, str],
                        lang: str = DEFAULT) -> nbformat.NotebookNode:
    """A copy of ``nb`` with every unit in ``catalog`` (msgid -> msgstr) translated; others stay English."""
    nb = nbformat.from_dict(nb)
    tr = lambda text: catalog.get(text) or text  # noqa: E731
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = "\n\n".join(tr(b) if _has_words(b) else b for b in markdown_blocks(cell.source))
        elif cell.cell_type == "code":
            cell.source = translate_code(cell.source, tr, lang)
    nb.metadata["language_info"] = {"name": "python"}
    nb.metadata["course_language"] = lang
    return nb


def catalog_path(src: Path, lang: str = DEFAULT) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / f"{src.stem}.po"


def chapter_catalogs(lang: str = DEFAULT) -> list[Path]:
    """The chapters' catalogs of edition ``lang`` (the launcher's course.po sits beside them)."""
    return sorted(p for p in (LOCALE / lang / "LC_MESSAGES").glob("[0-9][0-9]_*.po"))


# ------------------------------------------------------------------------------------------ catalogs (Babel)
def _locale(lang: str) -> Locale | None:
    """The Babel locale of edition ``lang`` (its plural rule): the locale of its menus, else its code."""
    try:
        row = edition(lang)
        names = (row.jupyterlab_locale, row.code)
    except KeyError:
        names = (lang,)
    for name in names:
        try:
            return Locale.parse(name)
        except (ValueError, UnknownLocaleError):
            continue
    return None


def new_catalog(lang: str) -> Catalog:
    """An empty catalog of edition ``lang``, its header declaring the language and its plural forms."""
    try:
        name = edition(lang).name
    except KeyError:
        name = lang
    return Catalog(locale=_locale(lang), project=PROJECT, version=__version__, fuzzy=False,
                   header_comment=f"# The course in {name} ({lang}): python -m tools.i18n update keeps this catalog "
                                  "in step with the English.")


def _lang_of(path: Path) -> str:
    return path.parent.parent.name  # …/<code>/LC_MESSAGES/name.po


def load(path: Path) -> Catalog:
    """The catalog at ``path``, or a new one of its edition (from the path) if it does not exist yet."""
    if not path.exists():
        return new_catalog(_lang_of(path))
    with open(path, "rb") as f:
        catalog = read_po(f, abort_invalid=True)
    for message in entries(catalog):
        message.flags -= GUESSED_FLAGS
        _read_previous(message)
    return catalog


def save(catalog: Catalog, path: Path) -> None:
    """Write ``catalog`` to ``path``: no wrapping, the previous English of a fuzzy entry kept, nothing obsolete."""
    catalog.project, catalog.version = PROJECT, __version__
    for message in entries(catalog):
        message.flags -= GUESSED_FLAGS
    out = io.BytesIO()
    write_po(out, catalog, width=0, ignore_obsolete=True)
    text = out.getvalue().decode(catalog.charset)
    for message in fuzzy(catalog):
        if message.previous_id:
            text = _with_previous(text, message)
    data = text.encode(catalog.charset)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_bytes() != data:
        path.write_bytes(data)


# Babel reads a "#| msgid" line as a translator's comment, and writes the previous English through its comment
# wrapper, which breaks a multi-line one: those lines are read and written here, as msgmerge writes them.
def _read_previous(message: Message) -> None:
    """Move the ``#|`` lines Babel read as a translator's comment into ``message.previous_id``."""
    previous: list[str] = []
    for line in (c[1:].strip() for c in message.user_comments if c.startswith("|")):
        keyword, _, quoted = line.partition(" ") if line.startswith("msgid") else ("", "", line)
        if keyword:
            previous.append("")
        if previous and quoted.startswith('"'):
            previous[-1] += unescape(quoted)
    if previous:
        message.previous_id = previous
        message.user_comments = [c for c in message.user_comments if not c.startswith("|")]


def _with_previous(text: str, message: Message) -> str:
    """``text`` (a catalog as written) with the previous English of fuzzy ``message`` before its msgid."""
    previous = "".join(f"#| {keyword} {normalize(msgid, prefix='#| ', width=0)}\n"
                       for keyword, msgid in zip(("msgid", "msgid_plural"), message.previous_id))
    here = re.compile(r"^(#, [^\n]*\bfuzzy\b[^\n]*\n)(msgid " + re.escape(normalize(singular(message.id), width=0))
                      + r"\nmsg)", re.M)
    return here.sub(lambda m: m[1] + previous + m[2], text, count=1)


def entries(catalog: Catalog) -> list[Message]:
    """The catalog's messages, its header aside."""
    return [m for m in catalog if m.id]


def singular(msgid: MessageId) -> str:
    """What a catalog keys a message by: the sentence, or the singular of a plural one."""
    return msgid if isinstance(msgid, str) else msgid[0]


def is_translated(message: Message) -> bool:
    """Whether a learner may see the translation: every form filled in, and not fuzzy."""
    forms = message.string if isinstance(message.string, (list, tuple)) else (message.string,)
    return not message.fuzzy and bool(forms) and all(forms)


def translated(catalog: Catalog) -> list[Message]:
    return [m for m in entries(catalog) if is_translated(m)]


def untranslated(catalog: Catalog) -> list[Message]:
    return [m for m in entries(catalog) if not m.fuzzy and not is_translated(m)]


def fuzzy(catalog: Catalog) -> list[Message]:
    return [m for m in entries(catalog) if m.fuzzy]


def finished(catalog: Catalog) -> dict[str, str]:
    """msgid -> msgstr of the sentences (not plural entries) a learner may see: translated and not fuzzy."""
    return {m.id: m.string for m in translated(catalog) if isinstance(m.id, str) and isinstance(m.string, str)}


def rewrite(catalog: Catalog, change: Callable[[Message], None]) -> None:
    """Let ``change`` edit every message, its msgid included, keeping the catalog's order."""
    messages = entries(catalog)
    for message in messages:
        catalog.delete(message.id, message.context)
    for message in messages:
        change(message)
        catalog[message.id] = message


KIND_NOTES = {
    "markdown": "markdown: keep links' targets, $math$, `code` and **markup**; at a key term's first use in the "
                "chapter, the translated term first, then the English one in parentheses (in Chinese: （）)",
    "comment": "a code comment",
    "string": "a printed Python string literal: keep the quotes, the f prefix and every {field} as they are",
    "docstring": "a docstring of a function in a code cell: keep `code`, names, shapes and formulas; a line break "
                 "stays a line break",
}
CU_NOTE = "a message of course_utils: keep every {field} as it is"
LAUNCHER_NOTE = "a line of the launcher, course.py: keep every {field} and command as it is"
Wanted = tuple[MessageId, tuple[str, int] | None, str]  # (msgid, (file, line) where it is, a note for translators)


def merge(catalog: Catalog, wanted: list[Wanted]) -> Catalog:
    """A copy of ``catalog`` with exactly the ``wanted`` entries, in that order, translations carried over.

    Babel's ``Catalog.update``: an unchanged msgid keeps its translation; a new one borrows the translation of the
    most similar old msgid, marked fuzzy with ``#| msgid`` the English it was translated from (what ``msgmerge``
    does). A fuzzy entry keeps that previous English until a translator confirms it, however often it is merged.
    """
    # the catalog's dates keep their time zone object: older Babel (2.13-2.16 tried) cannot deep-copy its FixedOffsetTimezone
    zones = {id(d.tzinfo): d.tzinfo for d in (catalog.creation_date, catalog.revision_date)
             if isinstance(d, datetime.datetime) and d.tzinfo is not None}
    old = copy.deepcopy(catalog, zones)
    previous = {singular(m.id): m.previous_id for m in fuzzy(old) if m.previous_id}
    template = Catalog(locale=old.locale, fuzzy=False)
    for msgid, where, note in wanted:
        template.add(msgid, locations=[where] if where else [], auto_comments=[note] if note else [])
    old.update(template, update_creation_date=False)
    for message in fuzzy(old):
        message.previous_id = message.previous_id or previous.get(singular(message.id), [])
    for message in entries(old):
        message.flags -= GUESSED_FLAGS
        if not message.fuzzy:
            message.previous_id = []
    old.obsolete.clear()
    return old


def _cell_lines(src: Path) -> list[int]:
    """The line of ``src`` where each cell's text starts (the line after its ``# %%`` marker); [] if unsure."""
    lines = src.read_text(encoding="utf-8").split("\n")
    starts = [i + 2 for i, line in enumerate(lines) if line.startswith("# %%")]
    return starts if len(starts) == len(from_source(src).cells) else []


def chapter_wanted(src: Path) -> list[Wanted]:
    """The units of chapter ``src`` as catalog entries, each located at its line of the source."""
    starts, where = _cell_lines(src), src.relative_to(ROOT).as_posix()
    return [(u.msgid, (where, starts[u.cell] + u.line) if starts else (where, 0), KIND_NOTES[u.kind])
            for u in units(from_source(src))]


def update_chapters(names: list[str] | None = None, langs: tuple[str, ...] = TRANSLATIONS) -> None:
    for src in sources():
        if names and not any(n in src.stem for n in names):
            continue
        wanted = chapter_wanted(src)
        for lang in langs:
            _save_and_count(merge(load(catalog_path(src, lang)), wanted), catalog_path(src, lang))


# what marks a sentence for translation in Python code: Babel's keyword specs (ngettext: singular, plural)
KEYWORDS: dict[str, tuple[int, ...] | None] = {"_": None, "N_": None, "gettext": None, "ngettext": (1, 2)}


def _marked(files: list[Path]) -> list[tuple[MessageId, tuple[str, int]]]:
    """(msgid, (file, line)) of every sentence marked in ``files`` (``_()``, ``N_()``, ``ngettext()``), by Babel's
    Python extractor; a plural sentence's msgid is (singular, plural)."""
    found: dict[str, tuple[MessageId, tuple[str, int]]] = {}
    for path in files:
        for lineno, message, _comments, _context in extract_from_file("python", str(path), keywords=KEYWORDS):
            if isinstance(message, tuple) and all(isinstance(m, str) and m for m in message):
                msgid: MessageId = (message[0], message[1])
            elif isinstance(message, str) and message:
                msgid = message
            else:
                continue  # not a literal: _(a_variable) translates a sentence marked elsewhere
            found.setdefault(singular(msgid), (msgid, (path.relative_to(ROOT).as_posix(), lineno)))
    return list(found.values())


def _python_files(folder: Path) -> list[Path]:
    """A package's modules as Babel walks a folder: its own files by name, then each subfolder's, by name."""
    files = sorted(p for p in folder.glob("*.py"))
    for sub in sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))):
        files += _python_files(sub)
    return files


def course_utils_messages() -> list[tuple[MessageId, tuple[str, int]]]:
    """(msgid, (file, line)) of every sentence course_utils marks for translation."""
    return _marked(_python_files(ROOT / "course_utils"))


def launcher_messages() -> list[tuple[MessageId, tuple[str, int]]]:
    """(msgid, (file, line)) of every sentence the launcher marks for translation: course.py's, and its teacher's
    kit's (classroom/), which speaks through the same catalog."""
    return _marked([ROOT / "course.py", *sorted((ROOT / "classroom").glob("*.py"))])


def update_course_utils(langs: tuple[str, ...] = TRANSLATIONS) -> None:
    wanted: list[Wanted] = [(msgid, where, CU_NOTE) for msgid, where in course_utils_messages()]
    for lang in langs:
        _save_and_count(merge(load(cu_catalog(lang)), wanted), cu_catalog(lang))


def update_launcher(langs: tuple[str, ...] = TRANSLATIONS) -> None:
    wanted: list[Wanted] = [(msgid, where, LAUNCHER_NOTE) for msgid, where in launcher_messages()]
    for lang in langs:
        _save_and_count(merge(load(launcher_catalog(lang)), wanted), launcher_catalog(lang))


def website_messages() -> list[tuple[MessageId, tuple[str, int]]]:
    """(msgid, (file, line)) of every word of the website that tools/website.py marks for translation, those of its
    search page (tools/site_search.py), and those of the teacher's page's gradebook picture (tools/simclass.py
    draws it in each edition's language)."""
    return _marked([ROOT / "tools" / "website.py", ROOT / "tools" / "site_search.py", ROOT / "tools" / "simclass.py"])


WEBSITE_NOTE = ("a word of the website (its title, the home page's headings, the widgets' notes, the gradebook "
                "picture's labels); punctuation as the language writes it, spaces included")


def update_website(langs: tuple[str, ...] = TRANSLATIONS) -> None:
    wanted: list[Wanted] = [(msgid, where, WEBSITE_NOTE) for msgid, where in website_messages()]
    for lang in langs:
        _save_and_count(merge(load(website_catalog(lang)), wanted), website_catalog(lang))


def compiled(path: Path) -> bytes:
    """The .mo bytes of the catalog ``path``: its finished entries (every form translated, not fuzzy)."""
    catalog = load(path)
    for message in entries(catalog):
        if not is_translated(message):
            catalog.delete(message.id, message.context)
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def compile_catalogs(langs: tuple[str, ...] = TRANSLATIONS) -> None:
    for path in compiled_catalogs(langs):
        if path.exists():
            mo = path.with_suffix(".mo")
            data = compiled(path)
            if not mo.exists() or mo.read_bytes() != data:
                mo.write_bytes(data)
                print(f"{mo.relative_to(ROOT)}: written")


def _counts(path: Path, catalog: Catalog) -> str:
    return (f"{path.relative_to(ROOT)}: {len(entries(catalog))} entries, {len(untranslated(catalog))} untranslated, "
            f"{len(fuzzy(catalog))} fuzzy")


def _save_and_count(catalog: Catalog, path: Path) -> None:
    save(catalog, path)
    print(_counts(path, catalog))


def apply(json_file: Path, lang: str = DEFAULT) -> None:
    """Write the translations in ``json_file`` ({English msgid: translation}) into course_utils' catalog of ``lang``.

    A plural entry is named by its singular and takes a list of its forms (a single string serves every form).
    Under a file lock, so that translators of different modules can apply theirs at the same time; a msgid not yet
    in the catalog is added (``update`` later drops any that no ``_()`` marks any more).
    """
    import fcntl
    import json

    pairs = json.loads(Path(json_file).read_text(encoding="utf-8"))
    path = cu_catalog(lang)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        catalog = load(path)
        for msgid, msgstr in pairs.items():
            message = catalog.get(msgid)
            if message is None:
                catalog.add(msgid, msgstr, auto_comments=[CU_NOTE])
                continue
            if message.pluralizable:
                forms = [msgstr] * catalog.num_plurals if isinstance(msgstr, str) else list(msgstr)
                message.string = tuple(forms)
            else:
                message.string = msgstr
            message.flags.discard("fuzzy")
            message.previous_id = []
        save(catalog, path)
        compile_catalogs((lang,))  # under the lock too: another translator's save never meets a half-read catalog
    print(f"{path.relative_to(ROOT)}: {len(pairs)} translations applied")


def catalogs(langs: tuple[str, ...] = TRANSLATIONS) -> Iterator[Path]:
    """Every catalog of the editions ``langs``: course_utils', the launcher's, then the chapters'."""
    for lang in langs:
        yield cu_catalog(lang)
        yield launcher_catalog(lang)
        yield website_catalog(lang)
        yield from chapter_catalogs(lang)


def status() -> int:
    todo = 0
    for path in catalogs():
        catalog = load(path)
        todo += len(untranslated(catalog)) + len(fuzzy(catalog))
        print(_counts(path, catalog))
    return 1 if todo else 0


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "--help"
    if command == "update":  # update [NN ...]: only those chapters (and not course_utils) when named
        update_chapters(sys.argv[2:])
        if len(sys.argv) == 2:
            update_course_utils()
            update_launcher()
            update_website()
            compile_catalogs()
        sys.exit(0)
    if command == "compile":
        compile_catalogs()
        sys.exit(0)
    if command == "status":
        sys.exit(status())
    if command == "apply" and len(sys.argv) in (3, 4):
        apply(Path(sys.argv[2]), *sys.argv[3:])
        sys.exit(0)
    print(__doc__)
    sys.exit(0 if command in ("-h", "--help") else 2)
