"""Chapter 03's widget: backpropagation stepped through one node at a time."""

from __future__ import annotations

from typing import Any

import ipywidgets as W

from ..autograd import (
    Value,
    backprop_example,
    backprop_steps,
    draw_graph,
    graph_edges,
    local_formula,
    node_name,
    node_title,
    topological_order,
)
from ..i18n import _
from ._core import LivePlot, builder


def _d(name: str) -> str:
    """'∂w' for a one-letter name, '∂(w·x)' for a longer one."""
    return f"∂{name}" if len(name) == 1 else f"∂({name})"


def _num(v: float) -> str:
    text = f"{v:.4g}".replace("-", "−")
    return f"({text})" if v < 0 else text


def _step_caption(k: int, n: int, output: Value, node: Value, uses: list) -> str:
    """The caption of step ``k`` of ``n``: the chain rule for ``node``'s gradient, as symbols, formulas, numbers."""
    o, me = node_name(output), node_name(node)
    name = me.replace("-", "−")
    if not uses:
        return _("Step {k} of {n}: the gradient of {name}, the output. Backprop starts here: {start}.").format(
            k=k, n=n, name=name, start=f"{_d(o)}/{_d(o)} = 1".replace("-", "−"))
    if len(uses) > 1:
        head = _("Step {k} of {n}: the gradient of {name}, used {uses} times: the paths add up. "
                 "Local gradient × upstream gradient:").format(k=k, n=n, name=name, uses=len(uses))
    else:
        head = _("Step {k} of {n}: the gradient of {name}. Local gradient × upstream gradient:").format(
            k=k, n=n, name=name)
    symbolic = " + ".join(f"{_d(node_name(c))}/{_d(me)} × {_d(o)}/{_d(node_name(c))}" for c, _loc, _up in uses)
    formulas = " + ".join(f"{local_formula(c, node)} × {_d(o)}/{_d(node_name(c))}" for c, _loc, _up in uses)
    numbers = " + ".join(f"{_num(loc)} × {_num(up)}" for _c, loc, up in uses)
    return (f"{head}\n"
            + f"{_d(o)}/{_d(me)} = {symbolic}\n"
              f"        = {formulas}\n"
              f"        = {numbers} = {node.grad:.4g}".replace("-", "−"))


def _colour_key() -> str:
    """What the boxes' colours mean, in the course's language (the boxes themselves are in the picture)."""
    return _("orange: the gradient computed now · green: where its upstream gradients come from · "
             "blue: gradient known · grey: not reached yet")


# The colours of a box: the node computed now, where its upstream gradients come from, done, not reached yet.
_NOW, _UPSTREAM = ("#ffcc80", "#e65100", 2.5, "black"), ("#c8e6c9", "#2e7d32", 2.5, "black")
_DONE, _LATER = ("#e3f2fd", "#1565c0", 1.0, "black"), ("#f5f5f5", "#9e9e9e", 1.0, "#9e9e9e")


@builder
def backprop_stepper(output: Value | None = None) -> LivePlot:
    """Step through backprop on a small graph (default: the chapter's worked example), one node per slider step.

    The node whose gradient is computed at that step is orange, the values its upstream gradients come from are
    green, nodes done are blue, nodes not reached yet are grey; the widget's text line (under the picture, in the
    course's language) shows the chain rule as local gradient × upstream gradient, summed over the node's uses,
    and what the colours mean. Pass your own ``Value`` (at most 40 nodes) to step through its graph.
    Every step's picture is drawn once, up front, so moving the slider only swaps images.
    """
    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    from ..plot import DPI

    output = backprop_example() if output is None else output
    if not isinstance(output, Value):
        raise TypeError(_("`output` must be a Value; got {type}").format(type=type(output).__name__))
    order = topological_order(output)
    if len(order) > 40:
        raise ValueError(_("`output`'s graph has {n} values; step through a graph of at most 40").format(n=len(order)))
    steps = backprop_steps(output)

    fig = Figure(dpi=DPI)
    ax = fig.add_axes((0, 0, 1, 1))
    draw_graph(output, ax=ax)
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    width, graph_h = min(13.5, max(6.0, 0.95 * (x1 - x0))), max(1.5, 0.75 * (y1 - y0))
    fig.set_size_inches(width, graph_h)

    # draw_graph adds, for each node in topological order, its box and its text, then one arrow per distinct input.
    boxes = [p for p in ax.patches if isinstance(p, FancyBboxPatch)]
    arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    edges = graph_edges(output)
    texts = ax.texts[: len(order)]
    titles = [node_title(v) for v in order]

    canvas = FigureCanvasAgg(fig)
    frames, captions = [], []
    for k, (node, uses) in enumerate(steps, start=1):
        done = {id(n) for n, _uses in steps[:k]}
        upstream = {id(c) for c, _loc, _up in uses}
        for v, box, text, title in zip(order, boxes, texts, titles):
            look = _NOW if v is node else _UPSTREAM if id(v) in upstream else _DONE if id(v) in done else _LATER
            face, edge, lw, color = look
            box.set(facecolor=face, edgecolor=edge, linewidth=lw)
            grad = f"grad {v.grad:.4g}" if id(v) in done else "grad ?"
            text.set(text="\n".join(([title] if title else []) + [f"data {v.data:.4g}", grad]), color=color)
        for (child, _consumer), arrow in zip(edges, arrows):
            on_path = child is node
            arrow.set(color="#e65100" if on_path else "#555555", linewidth=2.0 if on_path else 1.0)
        captions.append(_step_caption(k, len(steps), output, node, uses) + "\n" + _colour_key())
        canvas.draw()
        frames.append(np.asarray(canvas.buffer_rgba()).copy())  # RGBA uint8: the fastest to paste back

    shown = Figure(figsize=(fig.get_figwidth(), fig.get_figheight()), dpi=DPI)
    image = shown.figimage(frames[0], interpolation="none", animated=True)  # pixel for pixel, no resampling

    def draw(step: int) -> Any:
        image.set_data(frames[step - 1])
        return shown

    controls = {"step": W.IntSlider(value=1, min=1, max=len(steps), step=1, description=_("step"),
                                    continuous_update=True, layout=W.Layout(width="420px"))}
    return LivePlot(draw, controls, title=_("Backprop, one node at a time: the gradient of {name}").format(
        name=node_name(output)), caption=lambda step: captions[step - 1])
