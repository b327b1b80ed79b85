"""The Chinese edition: gettext catalogs for the chapters and for ``course_utils``, and the translated notebooks.

One source, two editions. A chapter's English source ``notebooks/src/NN_name.py`` is cut into translation units:

- each paragraph of a markdown cell (blocks between blank lines; a fenced block or a table stays whole; a block
  with no word in it, such as display math alone, is not a unit and is copied as is);
- each comment in a code cell (a run of whole-line comments is one unit), except directives (``NBVAL_…``,
  ``noqa``, ``type:``);
- each string literal a code cell prints (the arguments of ``print(...)``), as Python source: quotes, prefixes and
  ``{placeholders}`` included, so an f-string stays an f-string with the same fields.

The units of chapter ``NN_name`` live in ``locale/zh/LC_MESSAGES/NN_name.po``; ``course_utils``' own sentences
(marked with ``_()``/``N_()``, extracted with Babel) in ``course_utils/locale/zh/LC_MESSAGES/course_utils.po``, and
the launcher's (``course.py``) in ``locale/zh/LC_MESSAGES/course.po``; the website's own words (``tools/website.py``)
in ``locale/zh/LC_MESSAGES/website.po``. Those three are read at run time by the
standard library's gettext, from the compiled ``.mo`` beside each (``compile``; committed, since ``course.py``
speaks before anything is installed).
Code is shared: the Chinese notebook is the English one with those units replaced, and with
``cu.set_language("en")`` turned into ``cu.set_language("zh")``. Catalogs are read and written with polib, so any PO
editor (Poedit, Weblate, Lokalize) can translate them.

    python -m tools.i18n update [NN]  add new units to every catalog; a changed unit keeps its old translation
                                     marked fuzzy (with the previous English) until a translator confirms it
    python -m tools.i18n status      count untranslated and fuzzy entries per catalog (exit 1 if any)
    python -m tools.i18n apply F.json  write {msgid: msgstr} pairs into course_utils' catalog
    python -m tools.i18n compile     write the .mo files that course_utils and course.py read (update does too)

``python3 course.py notebooks`` builds notebooks/zh/ from these catalogs after the English notebooks;
``tests/test_i18n.py`` fails while any unit is missing, fuzzy or untranslated.
"""

from __future__ import annotations

import ast
import difflib
import io
import re
import sys
import tokenize
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import nbformat
import polib

from .chapters import ROOT, from_source, sources

LOCALE = ROOT / "locale"
LANG = "zh"
CU_CATALOG = ROOT / "course_utils" / "locale" / LANG / "LC_MESSAGES" / "course_utils.po"
LAUNCHER_CATALOG = LOCALE / LANG / "LC_MESSAGES" / "course.po"  # course.py's own messages
WEBSITE_CATALOG = LOCALE / LANG / "LC_MESSAGES" / "website.po"  # the website's own words (tools/website.py)
COMPILED = (CU_CATALOG, LAUNCHER_CATALOG, WEBSITE_CATALOG)  # read at run time by gettext, from the .mo beside each
LANGUAGE_LINE = ('cu.set_language("en")', f'cu.set_language("{LANG}")')
DIRECTIVE = re.compile(r"^(NBVAL_|noqa|type:|%|!|pragma)")
WORD = re.compile(r"[A-Za-z]{2,}")
FUZZY_CUTOFF = 0.6  # how alike an old unit must be to lend its translation (marked fuzzy) to a changed one
HEADER = {
    "Project-Id-Version": "nn-course",
    "Language": "zh_CN",
    "MIME-Version": "1.0",
    "Content-Type": "text/plain; charset=UTF-8",
    "Content-Transfer-Encoding": "8bit",
    "Plural-Forms": "nplurals=1; plural=0;",
}


@dataclass(frozen=True)
class Unit:
    """One translatable piece of a chapter: its English text and what kind of text it is."""

    msgid: str
    cell: int
    kind: str  # "markdown" | "comment" | "string"


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


def _python(code: str) -> str:
    """A code cell as Python: IPython's magics (%…, !…) become comments (which are not units): line numbers hold."""
    return "\n".join("#" + line if line.lstrip().startswith(("%", "!")) else line for line in code.split("\n"))


def code_spans(code: str) -> list[_Span]:
    python = _python(code)
    return sorted(_comment_spans(python) + _printed_string_spans(python), key=lambda s: s.start)


def _offset(lines: list[str], pos: tuple[int, int]) -> int:
    row, col = pos
    return sum(len(line) + 1 for line in lines[: row - 1]) + col


def translate_code(code: str, translate, lang: str = LANG) -> str:
    """``code`` with every unit replaced by ``translate(unit_text)`` (a comment's ``#`` and indentation kept)."""
    lines = code.split("\n")
    out, at = [], 0
    for span in code_spans(code):
        start, end = _offset(lines, span.start), _offset(lines, span.end)
        out.append(code[at:start])
        new = translate(span.text)
        if span.kind == "string":
            out.append(new)
        else:
            out.append(("\n" + span.indent).join(f"# {line}".rstrip() for line in new.split("\n")))
        at = end
    out.append(code[at:])
    return "".join(out).replace(LANGUAGE_LINE[0], f'cu.set_language("{lang}")')


# ---------------------------------------------------------------------------------------------------- chapters
def units(nb: nbformat.NotebookNode) -> list[Unit]:
    """Every translation unit of a notebook, in order (a repeated text appears once, at its first place)."""
    found: dict[str, Unit] = {}
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            for block in markdown_blocks(cell.source):
                if _has_words(block):
                    found.setdefault(block, Unit(block, i, "markdown"))
        elif cell.cell_type == "code":
            for span in code_spans(cell.source):
                found.setdefault(span.text, Unit(span.text, i, "string" if span.kind == "string" else "comment"))
    return list(found.values())


def translated_notebook(nb: nbformat.NotebookNode, catalog: dict[str, str], lang: str = LANG) -> nbformat.NotebookNode:
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


def catalog_path(src: Path, lang: str = LANG) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / f"{src.stem}.po"


def chapter_catalogs() -> list[Path]:
    """The chapters' catalogs (the launcher's course.po sits beside them)."""
    return sorted(p for p in (LOCALE / LANG / "LC_MESSAGES").glob("[0-9][0-9]_*.po"))


def finished(po: polib.POFile) -> dict[str, str]:
    """msgid -> msgstr of the entries a learner may see: translated and not fuzzy."""
    return {e.msgid: e.msgstr for e in po.translated_entries()}


def load(path: Path) -> polib.POFile:
    return polib.pofile(str(path)) if path.exists() else polib.POFile()


KIND_NOTES = {
    "markdown": "markdown: keep links' targets, $math$, `code` and **markup**; Chinese first with the English term "
                "in （） at its first use in the chapter",
    "comment": "a code comment",
    "string": "a printed Python string literal: keep the quotes, the f prefix and every {field} as they are",
}


def merge(po: polib.POFile, wanted: list[tuple[str, str, str]]) -> polib.POFile:
    """A catalog with exactly the ``wanted`` (msgid, occurrence, note) entries, translations carried over.

    An unchanged msgid keeps its entry. A new one borrows the translation of the most similar msgid that
    disappeared, marked fuzzy with ``#| msgid`` the English it was translated from (what ``msgmerge`` does).
    """
    old = {e.msgid: e for e in po if not e.obsolete}
    gone = [m for m in old if m not in {w[0] for w in wanted}]
    new = polib.POFile(wrapwidth=100)
    new.metadata = {**HEADER, **{k: v for k, v in po.metadata.items() if k in ("PO-Revision-Date", "Last-Translator")}}
    for msgid, where, note in wanted:
        entry = old.get(msgid)
        if entry is None:
            entry = polib.POEntry(msgid=msgid, msgstr="")
            close = difflib.get_close_matches(msgid, gone, n=1, cutoff=FUZZY_CUTOFF)
            if close and old[close[0]].msgstr:
                entry.msgstr = old[close[0]].msgstr
                entry.flags.append("fuzzy")
                entry.previous_msgid = close[0]
        entry.occurrences = [(where, "")] if where else []
        entry.comment = note
        new.append(entry)
    return new


def update_chapters(names: list[str] | None = None) -> None:
    for src in sources():
        if names and not any(n in src.stem for n in names):
            continue
        wanted = [(u.msgid, f"{src.name}:cell{u.cell}", KIND_NOTES[u.kind]) for u in units(from_source(src))]
        _save(merge(load(catalog_path(src)), wanted), catalog_path(src))


KEYWORDS = {"_": None, "N_": None, "gettext": None}  # what marks a sentence for translation in Python code


def _marked(files: list[Path]) -> list[tuple[str, str]]:
    """(msgid, file:line) of every string marked with ``_()``/``N_()`` in ``files``, by Babel's Python extractor."""
    from babel.messages.extract import extract_from_file

    found: dict[str, str] = {}
    for path in files:
        for lineno, message, _comments, _context in extract_from_file("python", str(path), keywords=KEYWORDS):
            if isinstance(message, str) and message:
                found.setdefault(message, f"{path.relative_to(ROOT).as_posix()}:{lineno}")
    return list(found.items())


def _python_files(folder: Path) -> list[Path]:
    """A package's modules as Babel walks a folder: its own files by name, then each subfolder's, by name."""
    files = sorted(p for p in folder.glob("*.py"))
    for sub in sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))):
        files += _python_files(sub)
    return files


def course_utils_messages() -> list[tuple[str, str]]:
    """(msgid, file:line) of every sentence course_utils marks for translation."""
    return _marked(_python_files(ROOT / "course_utils"))


def launcher_messages() -> list[tuple[str, str]]:
    """(msgid, course.py:line) of every sentence the launcher marks for translation."""
    return _marked([ROOT / "course.py"])


def update_course_utils() -> None:
    wanted = [(msgid, where, "a message of course_utils: keep every {field} as it is")
              for msgid, where in course_utils_messages()]
    _save(merge(load(CU_CATALOG), wanted), CU_CATALOG)


def update_launcher() -> None:
    wanted = [(msgid, where, "a line of the launcher, course.py: keep every {field} and command as it is")
              for msgid, where in launcher_messages()]
    _save(merge(load(LAUNCHER_CATALOG), wanted), LAUNCHER_CATALOG)


def website_messages() -> list[tuple[str, str]]:
    """(msgid, tools/website.py:line) of every word of the website that tools/website.py marks for translation."""
    return _marked([ROOT / "tools" / "website.py"])


def update_website() -> None:
    wanted = [(msgid, where, "a word of the website (its title, the home page's headings, the widgets' notes); "
               "punctuation as the language writes it, spaces included") for msgid, where in website_messages()]
    _save(merge(load(WEBSITE_CATALOG), wanted), WEBSITE_CATALOG)


def compiled(path: Path) -> bytes:
    """The .mo bytes of the catalog ``path``: its finished entries (translated, not fuzzy), as Babel writes them."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with open(path, "rb") as f:
        catalog = read_po(f, locale=HEADER["Language"])
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def compile_catalogs() -> None:
    for path in COMPILED:
        if path.exists():
            path.with_suffix(".mo").write_bytes(compiled(path))
            print(f"{path.with_suffix('.mo').relative_to(ROOT)}: written")


def _save(po: polib.POFile, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    po.save(str(path))
    print(f"{path.relative_to(ROOT)}: {len(po)} entries, {len(po.untranslated_entries())} untranslated, "
          f"{len(po.fuzzy_entries())} fuzzy")


def apply(json_file: Path) -> None:
    """Write the translations in ``json_file`` ({English msgid: Chinese msgstr}) into course_utils' catalog.

    Under a file lock, so that translators of different modules can apply theirs at the same time; a msgid not yet
    in the catalog is added (``update`` later drops any that no ``_()`` marks any more).
    """
    import fcntl
    import json

    pairs = json.loads(Path(json_file).read_text(encoding="utf-8"))
    CU_CATALOG.parent.mkdir(parents=True, exist_ok=True)
    with open(CU_CATALOG.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        po = load(CU_CATALOG)
        po.wrapwidth = 100
        po.metadata = po.metadata or dict(HEADER)
        for msgid, msgstr in pairs.items():
            entry = po.find(msgid)
            if entry is None:
                entry = polib.POEntry(msgid=msgid, comment="a message of course_utils: keep every {field} as it is")
                po.append(entry)
            entry.msgstr = msgstr
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
        po.save(str(CU_CATALOG))
        compile_catalogs()  # under the lock too: another translator's save never meets a half-read catalog
    print(f"{CU_CATALOG.relative_to(ROOT)}: {len(pairs)} translations applied")


def catalogs() -> Iterator[Path]:
    yield CU_CATALOG
    yield LAUNCHER_CATALOG
    yield WEBSITE_CATALOG
    yield from chapter_catalogs()


def status() -> int:
    todo = 0
    for path in catalogs():
        po = load(path)
        missing, fuzzy = len(po.untranslated_entries()), len(po.fuzzy_entries())
        todo += missing + fuzzy
        print(f"{path.relative_to(ROOT)}: {len(po)} entries, {missing} untranslated, {fuzzy} fuzzy")
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
    if command == "apply" and len(sys.argv) == 3:
        apply(Path(sys.argv[2]))
        sys.exit(0)
    print(__doc__)
    sys.exit(0 if command in ("-h", "--help") else 2)
