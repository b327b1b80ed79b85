"""Widgets of single units: one neuron's curve (chapter 00) and the perceptron's decision line (chapter 01)."""

from __future__ import annotations

from typing import Any

import ipywidgets as W
import torch

from ..i18n import N_, _
from ..plot import grid_2d, new_figure
from ._core import LivePlot, builder, choices, slider
from ._render import fixed_labels


@builder
def neuron_explorer() -> LivePlot:
    """One neuron y = σ(w·x + b): move w and b and watch the curve steepen, flip and shift."""
    x = torch.linspace(-6, 6, 200)
    fig, ax = new_figure(width=5, height=3)
    # animated: redrawn at every update over a kept picture of the rest (see LivePlot)
    (curve,) = ax.plot(x, torch.sigmoid(x), lw=2, animated=True)
    ax.axhline(0.5, color="0.6", lw=0.8, ls="--")
    middle = ax.axvline(0.0, color="C3", lw=1, ls=":", animated=True)
    ax.title.set_animated(True)
    ax.set(xlim=(-6, 6), ylim=(-0.05, 1.05), xlabel="x", ylabel="σ(w·x + b)")

    def draw(w: float, b: float) -> Any:
        curve.set_ydata(torch.sigmoid(w * x + b))
        middle.set_visible(w != 0)
        if w != 0:
            middle.set_xdata([-b / w, -b / w])
        where = f";  σ = 0.5 at x = −b/w = {-b / w + 0.0:.2f}" if w != 0 else ""  # + 0.0: no "-0.00"
        ax.set_title(f"w = {w:.2f}, b = {b:.2f}{where}", fontsize=10)
        return fig

    controls = {"w": slider(1.0, -5.0, 5.0, 0.1, "w"), "b": slider(0.0, -5.0, 5.0, 0.1, "b")}
    return LivePlot(draw, controls, title=_("A single neuron: y = σ(w·x + b)"))


def _line_through_box(w1: float, w2: float, b: float, xlim: tuple, ylim: tuple) -> tuple[list, list] | None:
    """Two points of the line w1*x1 + w2*x2 + b = 0 spanning the box, or None when w = 0 (no line)."""
    if abs(w2) >= abs(w1) and w2 != 0:
        xs = list(xlim)
        return xs, [-(w1 * x + b) / w2 for x in xs]
    if w1 != 0:
        ys = list(ylim)
        return [-(w2 * y + b) / w1 for y in ys], ys
    return None


@builder
def perceptron_playground() -> LivePlot:
    """A perceptron's decision line w1*x1 + w2*x2 + b = 0 over a 2-D data set, with the accuracy shown live.

    The shaded side is where the perceptron says 1 (w·x + b >= 0); misclassified points are ringed in red.
    Try to reach 100%: easy on AND and OR, impossible on XOR (at best 3 corners of 4) and on the moons.
    """
    from matplotlib.colors import ListedColormap

    from ..data import make_moons
    from ..perceptron import make_gate, step
    from ..plot import CLASS_COLORS

    datasets = {name: make_gate(name, n=80, noise=0.1, seed=0) for name in ("AND", "OR", "XOR")}
    datasets["moons"] = make_moons(n=200, noise=0.15, seed=0)
    boxes = {name: ((-0.6, 1.6), (-0.6, 1.6)) for name in ("AND", "OR", "XOR")}
    boxes["moons"] = ((-1.6, 2.6), (-1.1, 1.6))
    res = 80

    fig, ax = new_figure(width=4.6, height=4.0)
    # animated: redrawn at every update over a kept picture of the rest (see LivePlot)
    shade = ax.imshow(torch.zeros(res, res).numpy(), origin="lower", cmap=ListedColormap(CLASS_COLORS[:2]),
                      vmin=0, vmax=1, alpha=0.18, aspect="auto", interpolation="nearest", animated=True)
    points = ax.scatter([0.0], [0.0], s=22, linewidths=1.2, animated=True)
    (line,) = ax.plot([], [], color="k", lw=2, animated=True)
    ax.title.set_animated(True)
    fixed_labels(ax, "x₁", "x₂")
    ax.locator_params(nbins=5)
    ax.grid(False)
    shown: dict[str, Any] = {"name": None, "grid": None}  # the data set on the axes, and its grid (res, res, 2)

    def draw(dataset: str, w1: float, w2: float, b: float) -> Any:
        X, y = datasets[dataset]
        xlim, ylim = boxes[dataset]
        if shown["name"] != dataset:  # a new data set: move the points and the frame once
            shown["name"] = dataset
            points.set_offsets(X.numpy())
            points.set_facecolors([CLASS_COLORS[int(c)] for c in y])
            ax.set(xlim=xlim, ylim=ylim)
            shade.set_extent((*xlim, *ylim))
            shown["grid"] = grid_2d(xlim, ylim, res)[2].reshape(res, res, 2)
        w = torch.tensor([w1, w2])
        shade.set_data(step(shown["grid"] @ w + b).numpy())
        pred = step(X @ w + b).long()
        wrong = pred != y
        points.set_edgecolors(["#d00000" if bad else "white" for bad in wrong.tolist()])
        segment = _line_through_box(w1, w2, b, xlim, ylim)
        line.set_visible(segment is not None)
        if segment is not None:
            line.set_data(*segment)
        acc = 1 - wrong.float().mean().item()
        equation = f"{w1:.1f}·x₁ {'−' if w2 < 0 else '+'} {abs(w2):.1f}·x₂ {'−' if b < 0 else '+'} {abs(b):.1f}"
        ax.set_title(f"{dataset}: accuracy {acc:.0%} ({int(wrong.sum())} of {len(y)} wrong)\n"
                     f"line: {equation} = 0", fontsize=10)
        return fig

    controls = {
        "dataset": W.Dropdown(options=choices(list(datasets), {"moons": N_("moons")}), value="AND",
                              description=_("data set"),
                              layout=W.Layout(width="200px")),
        "w1": slider(1.0, -5.0, 5.0, 0.1, "w₁"),
        "w2": slider(1.0, -5.0, 5.0, 0.1, "w₂"),
        "b": slider(-0.5, -5.0, 5.0, 0.1, "b"),
    }
    return LivePlot(draw, controls, title=_("A perceptron's decision line: predict 1 where w₁x₁ + w₂x₂ + b ≥ 0"))
