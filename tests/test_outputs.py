"""Committed outputs are current: each English chapter run again, top to bottom in a fresh kernel as the build runs
it (``tools.nbtools.execute``), prints what its committed notebook shows, in every code cell, after the
substitutions of ``tests/nbval_sanitize.cfg`` (timings, rates, versions, addresses). A chapter whose printed
output changed without a rebuild (``python3 course.py notebooks``) fails here, naming the cell and the lines.

This is the newest run's execution of the English notebooks (conftest.py leaves nbval out for them). The Chinese
ones are compared the same way in JupyterLab (tests/test_browser.py). The committed outputs are the newest versions'
own, so the floor run compares only the cells marked ``# NBVAL_CHECK_OUTPUT`` (conftest.py, ONCE)."""

import copy
from pathlib import Path

import nbformat
import pytest

from tools import nbtools

NOTEBOOK_DIR = nbtools.NOTEBOOKS
NOTEBOOKS = [p.name for p in sorted(NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb"))]


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_committed_outputs_are_current(notebook: str, tmp_path: Path):
    from tools.browser import error_outputs

    committed = nbformat.read(NOTEBOOK_DIR / notebook, as_version=4)
    run = copy.deepcopy(committed)
    for cell in run.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nbtools.execute(run, NOTEBOOK_DIR, tmp_path / "widget-state", tmp_path / "progress")
    saved = tmp_path / notebook
    nbformat.write(run, saved)
    errors = error_outputs(saved)
    assert not errors, f"{notebook} has error output:\n  " + "\n  ".join(errors)
    stale = nbtools.output_differences(committed, run, every_cell=True)
    assert not stale, (f"{notebook}: {len(stale)} output(s) differ from the committed ones; if the change is "
                       "meant, rebuild it (python3 course.py notebooks " + notebook[:2] + "):\n  " + "\n  ".join(stale))
