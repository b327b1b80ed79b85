"""What both benchmark scripts share: the results table, and loading a helper module from another folder.

``run.py`` (the whole table) and ``browser.py`` (the widgets in Chromium, also runnable alone) both import this
module and neither imports the other. Run either as a script, e.g. ``python benchmarks/run.py``: Python then
finds this module beside them.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent

ROWS: list[tuple[str, str, str, str]] = []  # (what, measured, budget, verdict)


def row(what: str, value: float, unit: str, budget: float, higher_is_better: bool = False) -> None:
    """Add a measurement to the table, with its budget and whether it is within it."""
    ok = value >= budget if higher_is_better else value <= budget
    sign = "≥" if higher_is_better else "≤"
    ROWS.append((what, f"{value:.3g} {unit}".strip(), f"{sign} {budget:g} {unit}".strip(), "ok" if ok else "OVER"))


def print_table() -> None:
    """Print the table collected so far as Markdown."""
    if not ROWS:
        return
    width = max(len(r[0]) for r in ROWS)
    print(f"\n| {'what':<{width}} | measured | budget | |\n|{'-' * (width + 2)}|---|---|---|")
    for what, value, budget, verdict in ROWS:
        print(f"| {what:<{width}} | {value} | {budget} | {verdict} |")


def load(relative_path: str) -> ModuleType:
    """Import the module at ``ROOT / relative_path`` (e.g. "tools/nbtools.py") by its file, once.

    The benchmarks use the notebook tools and the browser test's JupyterLab helpers, which live in folders that
    are not packages; their folder joins the end of ``sys.path``, since they import each other by name.
    """
    path = ROOT / relative_path
    name = path.stem
    if str(path.parent) not in sys.path:  # the tools import each other by name (nbtools -> i18n)
        sys.path.append(str(path.parent))
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot load {path}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]
