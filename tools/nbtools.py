"""Author, build and check the course's notebooks.

Each chapter is written as a jupytext "percent" script, ``notebooks/src/NN_name.py`` (reviewable diffs, ruff-able),
and committed executed, with outputs, as ``notebooks/NN_name.ipynb`` (learners browsing the repository see
every plot). A widget drawn from a model trained in the notebook saves what the website needs to draw it again
into ``website/widget-state/`` while the build runs (``build(..., state_folder=...)``; see
``course_utils.widgets.record``); files no notebook names any more are removed. ``python3 course.py notebooks [NAME ...]`` runs ``build`` below; ``tests/test_notebooks.py`` uses
``stale_cells`` to fail when a committed notebook no longer matches its source.

    python -m tools.nbtools build [NAME ...] [--lang en|zh]   re-execute all notebooks (or those whose name
                                               contains NAME), in both editions unless --lang names one
    python -m tools.nbtools check              list stale notebooks (exit 1 if any)
    python -m tools.nbtools figures            save each notebook's last figure to docs/img/ (for the README)
    python -m tools.nbtools index              write notebooks/README.md (chapters in order) and GLOSSARY.md,
                                               and their Chinese editions in notebooks/zh/
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

import nbformat

from course_utils.editions import CODES, SOURCE

from . import i18n
from .chapters import KERNEL, NOTEBOOKS, ROOT, SOURCES, from_source, notebook_folder, notebook_for, sources

if TYPE_CHECKING:
    from course_utils.widgets.record import WidgetRecord

__all__ = ["KERNEL", "KERNEL_THREADS", "NOTEBOOKS", "ROOT", "SANITIZE", "SOURCES", "LANGUAGES", "STATE", "build", "check", "edition",
           "execute", "figures", "from_source", "index", "index_pages", "key_terms", "notebook_folder", "notebook_for",
           "output_differences", "sources", "stale_cells", "state_files_in_use", "title", "widget_records"]

STATE = ROOT / "website" / "widget-state"  # committed: the site is built from the notebooks, never re-executed
LANGUAGES = CODES  # every edition of the table of editions, the source language first


def edition(src: Path, lang: str = SOURCE.code) -> nbformat.NotebookNode:
    """The unexecuted notebook of ``src`` in ``lang``: the source with its catalog's translations applied."""
    nb = from_source(src)
    if lang == SOURCE.code:
        return nb
    return i18n.translated_notebook(nb, i18n.finished(i18n.load(i18n.catalog_path(src, lang))), lang)


def _cells(nb: nbformat.NotebookNode) -> list[tuple[str, str]]:
    return [(c.cell_type, c.source.strip()) for c in nb.cells]


def stale_cells(src: Path, lang: str = "en") -> list[str]:
    """Differences between a source (and its catalog) and its committed notebook; empty when it is current."""
    target = notebook_for(src, lang)
    if not target.exists():
        return [f"{target.name} does not exist"]
    want, have = _cells(edition(src, lang)), _cells(nbformat.read(target, as_version=4))
    if len(want) != len(have):
        return [f"{target.name} has {len(have)} cells; its source has {len(want)}"]
    return [f"cell {i}: {h[0]} differs from the source" for i, (w, h) in enumerate(zip(want, have)) if w != h]


# What nbval and output_differences() replace before comparing a cell's outputs with the committed ones (timings,
# memory addresses, figure sizes): the file `pytest --nbval-sanitize-with` reads (pyproject.toml's addopts).
SANITIZE = ROOT / "tests" / "nbval_sanitize.cfg"
# Output fields that are never compared, as nbval skips them: pictures (their bytes vary with the libraries'
# versions), widget model ids (random), and what is bookkeeping rather than output.
_NOT_COMPARED = {"metadata", "traceback", "execution_count", "output_type", "name", "transient",
                 "image/png", "image/jpeg", "application/vnd.jupyter.widget-view+json"}
CHECK_OUTPUT = "NBVAL_CHECK_OUTPUT"
IGNORE_OUTPUT = "NBVAL_IGNORE_OUTPUT"  # a cell that shows the machine it runs on (the environment report)
# The kernel's threads: one, wherever a chapter is run to be compared (the build, the tests). Parallel sums add in
# an order that depends on the thread count, and a training run amplifies the last digit (chapter 08's lr = 0.5 run
# kills 89 % of its ReLUs with one thread, 80 % with two), so the committed outputs are those of one thread.
KERNEL_THREADS = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def _comparable(outputs: list, patterns: list[tuple[str, str]]) -> dict[str, list[str]]:
    """A cell's outputs as nbval compares them: per field (a stream's name, a MIME type), its sanitized values in
    order. A stream's pieces are joined (a kernel may send a printed line in one message or several)."""
    import re

    def clean(text: str) -> str:
        for regex, replace in patterns:
            text = re.sub(regex, replace, text)
        return text

    fields: dict[str, list[str]] = {}
    for output in outputs:
        kind = output.get("output_type")
        if kind == "stream":
            streams = fields.setdefault(output["name"], [""])
            streams[0] += output.get("text", "")
        elif kind == "error":
            fields.setdefault("error", []).append(f"{output.get('ename')}: {output.get('evalue')}")
        else:
            for mime, value in output.get("data", {}).items():
                if mime not in _NOT_COMPARED:
                    fields.setdefault(mime, []).append(value if isinstance(value, str) else "".join(value))
    return {field: [clean(value) for value in values] for field, values in fields.items()}


def output_differences(reference: nbformat.NotebookNode, executed: nbformat.NotebookNode,
                       every_cell: bool = False, sanitize: Path = SANITIZE) -> list[str]:
    """How the outputs of ``executed`` differ from those committed in ``reference`` (the same notebook run again),
    compared as nbval compares them: the cells marked ``# NBVAL_CHECK_OUTPUT`` (nbval's lax mode), or every code
    cell but those marked ``# NBVAL_IGNORE_OUTPUT``; their text, after the substitutions of ``sanitize``. Empty when
    they agree."""
    import difflib

    from nbval.plugin import get_sanitize_patterns

    patterns = get_sanitize_patterns(sanitize.read_text(encoding="utf-8"))
    if len(reference.cells) != len(executed.cells):
        return [f"{len(executed.cells)} cells were run; the committed notebook has {len(reference.cells)}"]
    problems = []
    for index, (ref, run) in enumerate(zip(reference.cells, executed.cells)):
        if ref.cell_type != "code" or IGNORE_OUTPUT in ref.source or not (every_cell or CHECK_OUTPUT in ref.source):
            continue
        want, have = _comparable(ref.get("outputs", []), patterns), _comparable(run.get("outputs", []), patterns)
        if want == have:
            continue
        head = ref.source.strip().splitlines()[0][:70]
        for field in sorted(set(want) | set(have)):
            if want.get(field) != have.get(field):
                diff = difflib.unified_diff("\n".join(want.get(field, [])).splitlines(),
                                            "\n".join(have.get(field, [])).splitlines(),
                                            "committed", "run now", n=1, lineterm="")
                problems.append(f"cell {index} ({head}), {field}:\n    " + "\n    ".join(list(diff)[:20]))
    return problems


def execute(nb: nbformat.NotebookNode, folder: Path, state_folder: Path, progress_folder: Path) -> None:
    """Run ``nb`` top to bottom in a fresh kernel started in ``folder``, filling in its outputs, as the build does.
    Widgets save what the website needs into ``state_folder``; exercises are recorded in ``progress_folder``. Both
    reach the kernel through its environment only (``COURSE_WIDGET_STATE``, ``COURSE_PROGRESS_DIR``)."""
    from nbclient import NotebookClient

    from course_utils.widgets.record import STATE_FOLDER_VARIABLE

    env = {**os.environ, STATE_FOLDER_VARIABLE: str(state_folder), "COURSE_PROGRESS_DIR": str(progress_folder),
           **KERNEL_THREADS}
    env.pop("MPLBACKEND", None)  # figures inline, as in a learner's JupyterLab (the tests set Agg for themselves)
    client = NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(folder)}})
    client.execute(env=env)  # the kernel's environment (KernelManager.start_kernel's env)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)


def build(names: list[str], state_folder: Path = STATE, progress_folder: Path | None = None) -> int:
    """Execute the selected sources top to bottom in a fresh kernel and write the .ipynb with outputs.

    Both editions by default, English first; ``--lang en`` or ``--lang zh`` in ``names`` builds one. Widgets
    displayed save what the website needs to build them again into ``state_folder``, and files there that no
    committed notebook names are removed. Each chapter records the learner's progress in a folder of its own under
    ``progress_folder`` (by default a new temporary one): it shows a fresh learner's, never the author's. Both
    reach the kernel through its environment only (``COURSE_WIDGET_STATE``, ``COURSE_PROGRESS_DIR``): this
    process's own is left as it is.
    """
    progress_root = progress_folder or Path(tempfile.mkdtemp(prefix="course-progress-"))
    langs = LANGUAGES
    if "--lang" in names:
        i = names.index("--lang")
        langs, names = tuple(names[i + 1:i + 2]), names[:i] + names[i + 2:]
        if not langs or langs[0] not in LANGUAGES:
            print(f"--lang takes one of {', '.join(LANGUAGES)}", file=sys.stderr)
            return 2
    selected = [s for s in sources() if not names or any(n in s.stem for n in names)]
    if not selected:
        print(f"no notebook source in {SOURCES} matches {names}", file=sys.stderr)
        return 1
    for lang in langs:
        for src in selected:
            nb = edition(src, lang)
            target = notebook_for(src, lang)
            target.parent.mkdir(exist_ok=True)
            start = time.perf_counter()
            print(f"executing {target.relative_to(NOTEBOOKS)} ...", flush=True)
            execute(nb, target.parent, state_folder, progress_root / f"{lang}-{src.stem}")
            nbformat.write(nb, target)
            print(f"  wrote {target.relative_to(ROOT)} in {time.perf_counter() - start:.1f} s", flush=True)
    for stale in sorted(set(state_folder.glob("*")) - {state_folder / name for name in state_files_in_use()}):
        stale.unlink()
        print(f"  removed {stale.relative_to(ROOT)}: no notebook uses it now")
    return 0


def widget_records(lang: str) -> list[tuple[str, int, WidgetRecord]]:
    """(notebook's stem, cell index, record) of every widget output of the committed chapters of edition ``lang``,
    in order: the records their ``course_widget`` metadata holds (``WidgetRecord.from_json`` checks each)."""
    from course_utils.widgets.record import WidgetRecord

    found = []
    for path in sorted(notebook_folder(lang).glob("[0-9][0-9]_*.ipynb")):
        for index, cell in enumerate(nbformat.read(path, as_version=4).cells):
            for output in cell.get("outputs", []):
                raw = output.get("metadata", {}).get("course_widget")
                if raw is not None:
                    found.append((path.stem, index, WidgetRecord.from_json(raw)))
    return found


def state_files_in_use() -> set[str]:
    """The files of the state folder that the committed notebooks' widget outputs name (both editions)."""
    from course_utils.widgets.record import in_state_folder

    used: set[str] = set()
    for lang in LANGUAGES:
        for _page, _cell, record in widget_records(lang):
            used.update(in_state_folder(record.rebuild, STATE)[1])
    return used


def figures() -> int:
    """Save the last PNG output of each committed notebook as docs/img/<name>.png (the README's pictures)."""
    import base64

    out_dir = ROOT / "docs" / "img"
    out_dir.mkdir(parents=True, exist_ok=True)
    for src in sources():
        nb = nbformat.read(notebook_for(src), as_version=4)
        pngs = [o.data["image/png"] for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
                if "image/png" in o.get("data", {})]
        if pngs:
            (out_dir / f"{src.stem}.png").write_bytes(base64.b64decode(pngs[-1]))
            print(f"wrote docs/img/{src.stem}.png")
    return 0


def title(src: Path, lang: str = "en") -> str:
    """A chapter's title in ``lang``: the first '# ' heading of its first cell."""
    first = edition(src, lang).cells[0].source
    return next(line[2:].strip() for line in first.splitlines() if line.startswith("# "))


def key_terms(src: Path) -> list[tuple[str, str]]:
    """The (English, 中文) rows of a chapter's '## Key terms' table."""
    rows = []
    for cell in from_source(src).cells:
        if cell.cell_type != "markdown" or "## Key terms" not in cell.source:
            continue
        table = cell.source.split("## Key terms", 1)[1]
        for line in table.splitlines():
            parts = [p.strip() for p in line.strip().strip("|").split("|")]
            if len(parts) == 2 and parts != ["English", "中文"] and not set(parts[0]) <= set("-: "):
                rows.append((parts[0], parts[1]))
    return rows


def index_pages() -> dict[Path, str]:
    """notebooks/README.md (every chapter, in order) and notebooks/GLOSSARY.md (every chapter's key terms)."""
    chapters = [(src, title(src)) for src in sources()]
    readme = ["# The chapters, in order", "",
              "Run them in this order; each builds on the ones before. Every chapter ends with its key terms, "
              "gathered in the [glossary](GLOSSARY.md).", ""]
    readme += [f"{i + 1}. [{name}]({notebook_for(src).name})" for i, (src, name) in enumerate(chapters)]
    glossary = ["# Glossary", "", "Every chapter's key terms (English | 中文), generated from the chapters by "
                "`python -m tools.nbtools index`: edit a chapter's *Key terms* table, not this file.", "",
                "| English | 中文 | chapters |", "|---|---|---|"]
    where: dict[tuple[str, str], list[Path]] = {}
    for src, _ in chapters:
        for term in key_terms(src):
            where.setdefault(term, []).append(src)
    for (en, zh), srcs in sorted(where.items(), key=lambda item: item[0][0].lower()):
        links = ", ".join(f"[{src.stem[:2]}]({notebook_for(src).name})" for src in srcs)
        glossary.append(f"| {en} | {zh} | {links} |")
    pages = {NOTEBOOKS / "README.md": readme, NOTEBOOKS / "GLOSSARY.md": glossary}
    # the Chinese edition's course map and glossary, in notebooks/zh/
    zh_readme = ["# 各章顺序", "", "请按这个顺序学习，每一章都以前面各章为基础。每章末尾列出本章的关键术语，汇总在"
                 "[术语表](GLOSSARY.md)中。English edition: [../README.md](../README.md)。", ""]
    zh_readme += [f"{i + 1}. [{title(src, 'zh')}]({notebook_for(src).name})" for i, (src, _) in enumerate(chapters)]
    zh_glossary = ["# 术语表", "", "各章关键术语（中文 | English），由 `python -m tools.nbtools index` 从各章生成：请修改章节中的"
                   "“关键术语”表格，而不是这个文件。", "", "| 中文 | English | 章节 |", "|---|---|---|"]
    for (en, zh), srcs in sorted(where.items(), key=lambda item: item[0][0].lower()):
        links = "、".join(f"[{src.stem[:2]}]({notebook_for(src).name})" for src in srcs)
        zh_glossary.append(f"| {zh} | {en} | {links} |")
    pages[NOTEBOOKS / "zh" / "README.md"] = zh_readme
    pages[NOTEBOOKS / "zh" / "GLOSSARY.md"] = zh_glossary
    return {path: "\n".join(lines) + "\n" for path, lines in pages.items()}


def index() -> int:
    for path, text in index_pages().items():
        path.parent.mkdir(exist_ok=True)
        path.write_text(text)
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


def check() -> int:
    stale = {src.name: diff for src in sources() if (diff := stale_cells(src))}
    for name, diff in stale.items():
        print(f"{name}: {'; '.join(diff[:3])}")
    return 1 if stale else 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    command, *rest = sys.argv[1:] or ["--help"]
    if command == "build":
        sys.exit(build(rest))
    if command == "check":
        sys.exit(check())
    if command == "figures":
        sys.exit(figures())
    if command == "index":
        sys.exit(index())
    print(__doc__)
    sys.exit(0 if command in ("-h", "--help") else 2)
