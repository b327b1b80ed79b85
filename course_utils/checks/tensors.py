"""Exercises of the set-up chapter's tensor section: reductions along a dimension, and broadcasting them back."""

from __future__ import annotations

import torch

from ..i18n import N_, _
from ._core import Mismatch, call, exercise, expect_close

CHAPTER = "00"  # the chapter whose notebook asks these exercises (its progress line)


def row_normalize(x: torch.Tensor) -> torch.Tensor:
    """Each row of ``x`` (n, d) divided by its own sum, so every row sums to 1: shape (n, d)."""
    return x / x.sum(dim=1, keepdim=True)


def _matrices() -> list[tuple[str, torch.Tensor]]:
    g = torch.Generator().manual_seed(0)
    return [
        (_("a 2 × 3 matrix"), torch.tensor([[1.0, 2.0, 1.0], [3.0, 3.0, 4.0]])),
        (_("a 3 × 3 matrix (as many rows as columns)"), torch.rand(3, 3, generator=g) + 0.1),
        (_("a 5 × 4 matrix"), torch.rand(5, 4, generator=g) + 0.1),
        (_("a 1 × 6 matrix"), torch.rand(1, 6, generator=g) + 0.1),
    ]


@exercise("row_normalize", solution=row_normalize, hints=(
    N_("Each row needs its own total, and every entry of that row is then divided by that total. Work out first "
       "which direction you add along, and what shape the totals have."),
    N_("Sum along dim=1 (across the columns of a row). Keep that dimension (keepdim=True): totals of shape (n, 1) "
       "broadcast across the columns; totals of shape (n,) would be lined up with the columns instead."),
    N_("Compute totals = x.sum(dim=1, keepdim=True), check that totals.shape is (n, 1), then divide x by it."),
))
def _check_row_normalize(fn) -> None:
    for label, x in _matrices():
        got = call(fn, x.clone())
        want = row_normalize(x)
        if x.shape[0] == x.shape[1] and isinstance(got, torch.Tensor) and got.shape == x.shape:
            columns = x / x.sum(dim=0, keepdim=True)
            lined_up = x / x.sum(dim=1)  # (n, n) / (n,): the i-th row total divides the i-th column
            if torch.allclose(got, columns) or torch.allclose(got, lined_up):
                raise Mismatch(_("for {label} your rows do not sum to 1: each entry was divided by a column's "
                                 "total, not by its own row's. Which dimension did you sum along, and what shape "
                                 "do the totals have when they are divided in?").format(label=label))
        expect_close(got, want, _("your result"), context=label)


def center_columns(x: torch.Tensor) -> torch.Tensor:
    """``x`` (n, d) with each column's mean subtracted, so every column has mean 0: shape (n, d)."""
    return x - x.mean(dim=0)


@exercise("center_columns", solution=center_columns, hints=(
    N_("A column is one feature measured on every example. Find each column's average, then take it away from "
       "every entry of that column."),
    N_("The column means come from a mean along dim=0 (down the rows): shape (d,). Subtracting a (d,) tensor from "
       "an (n, d) one broadcasts it over every row, which is what you want here."),
    N_("means = x.mean(dim=0) has one number per column; return x minus means and check that the result's "
       "column means are about 0."),
))
def _check_center_columns(fn) -> None:
    for label, x in _matrices():
        got = call(fn, x.clone())
        if isinstance(got, torch.Tensor) and got.shape == x.shape and x.shape[0] > 1 and \
                torch.allclose(got, x - x.mean(dim=1, keepdim=True)) and not torch.allclose(got, center_columns(x)):
            raise Mismatch(_("for {label} each row now has mean 0, not each column: the mean was taken across a "
                             "row. Which dimension runs down a column?").format(label=label))
        expect_close(got, center_columns(x), _("your result"), context=label)
