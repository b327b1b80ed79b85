"""The committed notebooks: current with their sources, executed without errors, and built to the template.

Every notebook is executed once per test run (nbval, configured in pyproject.toml, or the browser test, which compares
outputs with ``nbtools.output_differences``); these tests check what a learner sees before running anything.
"""

import re
import struct
from pathlib import Path

import nbformat
import pytest

from tools import nbtools

ROOT = Path(__file__).resolve().parent.parent

SOURCES = nbtools.sources()
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
ZH_NOTEBOOKS = sorted((ROOT / "notebooks" / "zh").glob("[0-9][0-9]_*.ipynb"))  # the Chinese edition
BOTH = NOTEBOOKS + ZH_NOTEBOOKS


def _id(path):
    return path.relative_to(ROOT / "notebooks").as_posix()


def _read(path):
    return nbformat.read(path, as_version=4)


def _markdown(nb):
    return "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")


def _code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


def test_every_source_has_a_notebook_and_back():
    assert SOURCES, "no notebook sources found"
    assert [s.stem for s in SOURCES] == [n.stem for n in NOTEBOOKS] == [n.stem for n in ZH_NOTEBOOKS]


@pytest.mark.parametrize("src", SOURCES, ids=lambda p: p.stem)
def test_committed_notebook_matches_its_source(src):
    diff = nbtools.stale_cells(src)
    assert not diff, f"{src.name} changed since its notebook was built; run `python3 course.py notebooks " \
                     f"{src.stem[:2]}`: {diff[:3]}"


@pytest.mark.parametrize("path", BOTH, ids=_id)
def test_notebook_was_executed_in_order_without_errors(path):
    cells = _code_cells(_read(path))
    counts = [c.execution_count for c in cells]
    assert counts == list(range(1, len(cells) + 1)), f"{path.name}: not executed top to bottom: {counts}"
    errors = [o for c in cells for o in c.outputs if o.output_type == "error"]
    assert not errors, f"{path.name}: error output {errors[0].ename}: {errors[0].evalue}"


def _png_size(b64: str) -> tuple[int, int]:
    import base64

    head = base64.b64decode(b64[:44])
    return struct.unpack(">II", head[16:24])


@pytest.mark.parametrize("path", BOTH, ids=_id)
def test_figures_are_small(path):
    for cell in _code_cells(_read(path)):
        for out in cell.outputs:
            png = out.get("data", {}).get("image/png")
            if png:
                width, height = _png_size(png)
                assert width <= 1100 and height <= 1100, f"{path.name} cell {cell.id}: {width}x{height} px"
                assert len(png) < 250_000, f"{path.name} cell {cell.id}: a {len(png) // 1000} kB image"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_follows_the_chapter_template(path):
    nb = _read(path)
    md = _markdown(nb)
    first_md, first_code = nb.cells[0].source, _code_cells(nb)[0].source
    assert first_md.startswith("# "), "a title first"
    for part in ("**You will be able to**", "**Prerequisites:**", "**Run time:**"):
        assert part in first_md, f"{path.name}: the first cell lacks {part}"
    for part in ("%matplotlib inline", "set_seed(0)", "get_device()", "check_environment()"):
        assert part in first_code, f"{path.name}: the first code cell lacks {part}"
    for heading in ("## Pitfalls", "## Exercises", "## Summary", "## Key terms"):
        assert heading in md, f"{path.name}: no '{heading}' section"
    code = "\n".join(c.source for c in _code_cells(nb))
    assert len(re.findall(r"checks\.check\(", code)) >= 3, f"{path.name}: fewer than three checked exercises"
    assert "# NBVAL_CHECK_OUTPUT" in code, f"{path.name}: no key number is checked by nbval"
    assert "| English | 中文 |" in md


def test_chapters_link_to_the_next_one():
    names = [p.name for p in NOTEBOOKS]
    for here, nxt in zip(names, names[1:]):
        assert f"]({nxt})" in _markdown(_read(ROOT / "notebooks" / here)), f"{here} does not link to {nxt}"
    for path in NOTEBOOKS[:-1]:
        for target in re.findall(r"\]\((\d\d_[\w-]+\.ipynb)\)", _markdown(_read(path))):
            assert (ROOT / "notebooks" / target).exists(), f"{path.name} links to missing {target}"


def test_chapter_index_and_glossary_are_current():
    for path, text in nbtools.index_pages().items():
        assert path.exists() and path.read_text() == text, \
            f"{path.name} is out of date: run `.venv/bin/python python -m tools.nbtools index`"


def test_every_chapter_has_key_terms():
    for src in SOURCES:
        assert len(nbtools.key_terms(src)) >= 3, f"{src.name}: fewer than three key terms"


def test_key_terms_form_one_term_list():
    """An English term has one Chinese rendering in every chapter, and Chinese text uses full-width parentheses."""
    seen: dict[str, tuple[str, str]] = {}
    for src in SOURCES:
        for en, zh in nbtools.key_terms(src):
            first = seen.setdefault(en, (zh, src.stem))
            assert first[0] == zh, f"'{en}' is '{first[0]}' in {first[1]} but '{zh}' in {src.stem}"
            assert "(" not in zh and ")" not in zh, f"{src.stem}: '{zh}' uses half-width parentheses"


def test_widget_state_files_are_the_ones_the_notebooks_name():
    """What the notebook build saved for the website (a trained model an explorer shows) is committed, and nothing
    more: every file a widget output names exists, and every file there is named by one."""
    named = nbtools.state_files_in_use()
    present = {p.name for p in nbtools.STATE.glob("*")}
    assert named, "no widget output names a saved state: chapter 08's explorer should"
    assert named == present, f"named but missing: {sorted(named - present)}; left over: {sorted(present - named)}"


@pytest.mark.parametrize("src", SOURCES, ids=lambda p: p.stem)
def test_no_chapter_hands_out_a_hint_or_a_solution_unasked(src):
    """A hint or a solution is the learner's choice: no code cell of a chapter calls one."""
    nb = nbtools.from_source(src)
    calls = [f"cell {i}: {line.strip()}" for i, c in enumerate(nb.cells) if c.cell_type == "code"
             for line in c.source.splitlines()
             if re.search(r"checks\.(hint|solution)\(", line.split("#")[0])]
    assert not calls, f"{src.name} calls a hint or a solution in a committed cell: {calls}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_chapter_ends_with_its_progress_line(path):
    last = _code_cells(_read(path))[-1]
    assert last.source.strip() == f'cu.progress.show("{path.stem[:2]}")', last.source
    assert len(last.outputs) == 1, "the progress table alone, not also the rows it was drawn from"
    text = "".join(o.get("text", "") or o.get("data", {}).get("text/plain", "") for o in last.outputs)
    assert text.startswith(f"Chapter {path.stem[:2]}: 0 of "), text
    assert "course-progress" in last.outputs[0].get("data", {}).get("text/html", ""), "a table in the notebook"


def test_output_differences_finds_a_changed_number_and_forgives_a_timing():
    """The browser test's comparison of a run with the committed notebook: a changed checked output is reported
    (with the cell and a diff), a different timing or memory address is not, nor is an unmarked cell (lax)."""
    import copy

    committed = _read(ROOT / "notebooks" / "01_perceptron.ipynb")
    assert nbtools.output_differences(committed, copy.deepcopy(committed)) == []
    marked = next(i for i, c in enumerate(committed.cells) if c.cell_type == "code"
                  and nbtools.CHECK_OUTPUT in c.source and any(o.get("output_type") == "stream" for o in c.outputs))
    unmarked = next(i for i, c in enumerate(committed.cells) if c.cell_type == "code"
                    and nbtools.CHECK_OUTPUT not in c.source and c.outputs)

    def with_output(index: int, text: str) -> nbformat.NotebookNode:
        run = copy.deepcopy(committed)
        run.cells[index].outputs = [nbformat.v4.new_output("stream", name="stdout", text=text)]
        return run

    stream = "".join(o.get("text", "") for o in committed.cells[marked].outputs if o.get("output_type") == "stream")
    found = nbtools.output_differences(committed, with_output(marked, stream + "one more line\n"))
    assert len(found) == 1 and f"cell {marked} " in found[0] and "+one more line" in found[0], found
    assert nbtools.output_differences(committed, with_output(unmarked, "anything\n")) == []
    assert nbtools.output_differences(committed, with_output(unmarked, "anything\n"), every_cell=True) != []
    timed = copy.deepcopy(committed)
    timed.cells[marked].outputs.append(nbformat.v4.new_output("stream", name="stdout", text="took 1.5 s at 0x7f3a\n"))
    retimed = copy.deepcopy(committed)
    retimed.cells[marked].outputs.append(nbformat.v4.new_output("stream", name="stdout", text="took 27 ms at 0xbeef\n"))
    assert nbtools.output_differences(timed, retimed) == []


ABSOLUTE_PATH = re.compile(r"(?<![\w.~])/(home|root|tmp|work|Users|usr|opt|var|mnt|srv)/|\b[A-Z]:\\\\")


@pytest.mark.parametrize("path", BOTH, ids=_id)
def test_no_committed_output_shows_an_absolute_path(path):
    """What a notebook prints is the same on every machine: a path is shown relative to the course folder."""
    found = []
    for index, cell in enumerate(_read(path).cells):
        for output in cell.get("outputs", []):
            texts = [output.get("text", ""), *(v for k, v in output.get("data", {}).items() if k.startswith("text/"))]
            found += [f"cell {index}: {line.strip()[:120]}" for text in texts for line in "".join(text).splitlines()
                      if ABSOLUTE_PATH.search(line)]
    assert not found, "\n".join(found)
