"""What the benchmark modules share: the results table.

``run.py`` (the whole table), ``browser.py`` (the widgets in Chromium) and ``site_bench.py`` (the website) import
this module; run them from the course folder as ``python -m benchmarks.run`` (``python3 course.py bench`` does),
so that they import the authoring tools as every test does: ``from tools import nbtools``.
"""

from __future__ import annotations

from pathlib import Path

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
