"""Where the chapters are: their jupytext sources and the executed notebook of each edition.

The one module every other tool builds on (it imports no other tool): ``i18n`` cuts a source into translation
units, ``nbtools`` executes it, ``website`` publishes the executed notebooks. Where an edition's notebooks live is
a column of the table of editions, ``course_utils/editions.json``.
"""

from __future__ import annotations

from pathlib import Path

import jupytext
import nbformat

from course_utils.editions import SOURCE, edition

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / SOURCE.notebooks
SOURCES = NOTEBOOKS / "src"
KERNEL = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}


def sources() -> list[Path]:
    """Every chapter's source, in order (``notebooks/src/NN_name.py``)."""
    return sorted(SOURCES.glob("[0-9][0-9]_*.py"))


def notebook_folder(lang: str = SOURCE.code) -> Path:
    """The folder of an edition's executed notebooks (the table of editions' ``notebooks`` column)."""
    return ROOT / edition(lang).notebooks


def notebook_for(src: Path, lang: str = SOURCE.code) -> Path:
    """Where a source's executed notebook lives in edition ``lang``."""
    return notebook_folder(lang) / f"{src.stem}.ipynb"


def from_source(src: Path) -> nbformat.NotebookNode:
    """The notebook a source describes, without outputs, with stable cell ids (so rebuilds diff cleanly)."""
    nb = jupytext.read(src)
    nb.metadata = {"kernelspec": dict(KERNEL), "language_info": {"name": "python"}}
    for i, cell in enumerate(nb.cells):
        cell.id = f"c{i:03d}"
        cell.metadata.pop("lines_to_next_cell", None)
    return nb
