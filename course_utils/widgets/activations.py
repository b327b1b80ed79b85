"""Chapter 02's widgets: activation functions beside their derivatives, and vanishing gradients in deep stacks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ipywidgets as W
import torch

from ..i18n import N_, _
from ..init import DEPTH_ACTIVATIONS, DEPTH_INITS, first_layer_gradients
from ..plot import new_figure
from ._core import LivePlot, builder, choices, slider
from ._render import fixed_labels


def _activation_table() -> dict[str, Callable[[torch.Tensor], torch.Tensor]]:
    """The elementwise activations of chapter 02, by display name (course_utils.activations, from scratch)."""
    from functools import partial

    from .. import activations as A

    return {
        "sigmoid": A.sigmoid, "tanh": A.tanh, "ReLU": A.relu,
        "LeakyReLU(0.01)": A.leaky_relu, "LeakyReLU(0.1)": partial(A.leaky_relu, negative_slope=0.1),
        "PReLU (a = 0.25)": partial(A.prelu, weight=torch.tensor([0.25], dtype=torch.float64)),
        "ELU": A.elu, "GELU": A.gelu, "GELU (tanh approx.)": partial(A.gelu, approximate="tanh"), "SiLU": A.silu,
    }


# the labels of the explorer's choices that are words, not names (shown in the course's language)
_CHOICE_LABELS = {"none": N_("none"), "GELU (tanh approx.)": N_("GELU (tanh approx.)"),
                  "PReLU (a = 0.25)": N_("PReLU (a = 0.25)")}
_INIT_LABELS = dict(zip(DEPTH_INITS, (N_("PyTorch default"), N_("Xavier (sigmoid, tanh) / Kaiming (ReLU)"))))


def _saturated_spans(x: torch.Tensor, slow: torch.Tensor) -> list[tuple[float, float]]:
    """The intervals of ``x`` (sorted, 1-D) where the bool mask ``slow`` holds, as (start, end) pairs."""
    spans, start = [], None
    for xi, s in zip(x.tolist(), slow.tolist()):
        if s and start is None:
            start = xi
        elif not s and start is not None:
            spans.append((start, xi))
            start = None
    if start is not None:
        spans.append((start, x[-1].item()))
    return spans


@builder
def activation_explorer() -> LivePlot:
    """An activation f and its derivative f′ side by side, over a chosen input range, with a second one to compare.

    Shaded: where |f′| < 10% of its peak, the inputs where f saturates (or, for ReLU, is dead) and passes back
    almost no gradient. Everything is computed once (autograd on a fine grid); moving a control only redraws.
    """
    table = _activation_table()
    x = torch.linspace(-10, 10, 401, dtype=torch.float64)
    curves = {}
    for name, fn in table.items():
        xr = x.clone().requires_grad_()
        y = fn(xr)
        (dy,) = torch.autograd.grad(y.sum(), xr)
        peak = dy.abs().max().item()
        curves[name] = (y.detach(), dy, peak, _saturated_spans(x, dy.abs() < 0.1 * peak))

    fig, (ax_f, ax_d) = new_figure(ncols=2, width=4.0, height=3.1)
    # animated: redrawn at every update over a kept picture of the rest (see LivePlot)
    (f_main,) = ax_f.plot(x, curves["sigmoid"][0], lw=2, color="C0", animated=True)
    (f_other,) = ax_f.plot(x, curves["sigmoid"][0], lw=1.5, ls="--", color="C1", animated=True)
    (d_main,) = ax_d.plot(x, curves["sigmoid"][1], lw=2, color="C0", animated=True)
    (d_other,) = ax_d.plot(x, curves["sigmoid"][1], lw=1.5, ls="--", color="C1", animated=True)
    for ax, label in ((ax_f, "f(x)"), (ax_d, "f′(x)")):
        ax.axhline(0, color="0.5", lw=0.6)
        ax.axvline(0, color="0.5", lw=0.6)
        ax.locator_params(nbins=5)  # few tick labels: text is the costliest part of a redraw
        fixed_labels(ax, "x", label)
    spans: list[Any] = []

    def draw(f: str, compare: str, x_range: float) -> Any:
        y, dy, peak, slow = curves[f]
        f_main.set_ydata(y.numpy())  # NumPy: matplotlib unbinds tensors slowly
        d_main.set_ydata(dy.numpy())
        f_main.set_label(f)
        show_other = compare != "none"
        f_other.set_visible(show_other)
        d_other.set_visible(show_other)
        if show_other:
            f_other.set_ydata(curves[compare][0].numpy())
            d_other.set_ydata(curves[compare][1].numpy())
            f_other.set_label(compare)
        while spans:
            spans.pop().remove()
        for lo, hi in slow:
            for ax in (ax_f, ax_d):
                spans.append(ax.axvspan(lo, hi, color="0.6", alpha=0.25, lw=0, zorder=0.5, animated=True))
        visible = x.abs() <= x_range
        for ax, main, other in ((ax_f, y, curves[compare][0] if show_other else y),
                                (ax_d, dy, curves[compare][1] if show_other else dy)):
            lo = min(main[visible].min().item(), other[visible].min().item(), 0.0)
            hi = max(main[visible].max().item(), other[visible].max().item())
            pad = 0.08 * (hi - lo) + 1e-3
            ax.set(xlim=(-x_range, x_range), ylim=(lo - pad, hi + pad))
        legend = ax_f.get_legend()
        if legend is not None:
            legend.remove()
        if show_other:  # without a comparison, the title names the function
            ax_f.legend(handles=[f_main, f_other], loc="upper left", fontsize=8)
        where = f"f′ peaks at {peak:.3g}" + ("; shaded: |f′| < 10% of that" if slow else "; never below 10% of it")
        fig.suptitle(f"{f}: {where}", fontsize=10, animated=True)
        return fig

    names = list(table)
    controls = {
        "f": W.Dropdown(options=choices(names, _CHOICE_LABELS), value="sigmoid", description="f",
                        layout=W.Layout(width="230px")),
        "compare": W.Dropdown(options=choices(["none", *names], _CHOICE_LABELS), value="none",
                              description=_("compare with"),
                              layout=W.Layout(width="260px"), style={"description_width": "initial"}),
        "x_range": slider(6.0, 1.0, 10.0, 0.5, _("x range ±")),
    }
    return LivePlot(draw, controls, title=_("Activation functions and their derivatives"))


@builder
def vanishing_gradients() -> LivePlot:
    """How big the gradient of each layer is in a deep stack, per activation; the slider sets the depth.

    Left: the gradient norm of every layer's weights (layer 1 is next to the input). Right: the first layer's.
    All networks are precomputed (``course_utils.init.first_layer_gradients``) when the widget is built; moving
    a control only redraws.
    """
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    max_depth, floor = 30, 1e-30
    data = first_layer_gradients(max_depth=max_depth)
    names = list(DEPTH_ACTIVATIONS)
    limits = {}  # one y-range per init, over every depth: moving the slider keeps the scale
    for init in DEPTH_INITS:
        everything = [v for (i, _name, _depth), norms in data.items() if i == init for v in norms]
        limits[init] = (max(min(everything), floor), max(everything))
    colors = {name: f"C{i}" for i, name in enumerate(names)}
    fig, (ax_l, ax_r) = new_figure(ncols=2, width=4.2, height=3.2)
    # animated: redrawn at every update over a kept picture of the rest (see LivePlot)
    lines = {name: ax_l.plot([], [], "o-", ms=3, color=colors[name], label=name, animated=True)[0]
             for name in names}
    bars = ax_r.bar(names, [1.0] * len(names), color=[colors[n] for n in names], animated=True)
    labels = [ax_r.text(i, 1.0, "", ha="center", va="bottom", fontsize=8, animated=True) for i in range(len(names))]
    suptitle = fig.suptitle("", fontsize=10, animated=True)
    for ax in (ax_l, ax_r):  # plain "1e-06" tick labels: mathtext's 10⁻⁶ costs more to draw than the plot
        ax.set_yscale("log")
        ax.yaxis.set_major_locator(LogLocator(base=10, numticks=5))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:.0e}"))
        ax.yaxis.set_minor_formatter(NullFormatter())
    fixed_labels(ax_l, "layer (1 = next to the input)", "‖∂L/∂W‖ of the layer")
    fixed_labels(ax_r, "", "first layer's ‖∂L/∂W₁‖")
    for ax in (ax_l, ax_r):
        ax.yaxis.set_label_coords(-0.2, 0.5)
    for label, name in zip(ax_r.get_xticklabels(), names):  # the bars' names, in the lines' colours, are the legend
        label.set_color(colors[name])
    ax_r.grid(False, axis="x")

    def draw(depth: int, init: str) -> Any:
        values = {name: [max(v, floor) for v in data[(init, name, depth)]] for name in names}
        for name in names:
            lines[name].set_data(range(1, depth + 1), values[name])
        lo, hi = limits[init]
        # the x-axis spans the deepest network: moving the depth slider then redraws only the data
        ax_l.set(xlim=(0.5, max_depth + 0.5), ylim=(lo / 3, hi * 3))
        ax_r.set(ylim=(lo / 3, hi * 30))
        for i, name in enumerate(names):
            first = values[name][0]
            bars[i].set_height(first)
            labels[i].set_position((i, first))
            labels[i].set_text(f"{first:.0e}" if first > floor else "0 (underflow)")
        suptitle.set_text(f"depth {depth}, init: {init}")
        return fig

    controls = {
        "depth": W.IntSlider(value=10, min=1, max=max_depth, description=_("depth"), continuous_update=True),
        "init": W.Dropdown(options=choices(DEPTH_INITS, _INIT_LABELS), value=DEPTH_INITS[0], description=_("init"),
                           layout=W.Layout(width="380px")),
    }
    return LivePlot(draw, controls,
                    title=_("Vanishing gradients: the gradient reaching each layer of a deep stack"))
