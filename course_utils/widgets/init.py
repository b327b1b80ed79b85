"""Chapter 04's widget: how an initialization scheme shapes the activations, layer by layer."""

from __future__ import annotations

import math
from typing import Any

import ipywidgets as W
import torch

from ..i18n import N_, _
from ..init import INIT_SCHEMES, init_activation_stats
from ..plot import new_figure
from ._core import LivePlot, builder, choices
from ._render import fixed_labels

# the schemes' labels in the course's language (the figure's title keeps the English name)
_SCHEME_LABELS = {"PyTorch default": N_("PyTorch default"), "Xavier (gain 1)": N_("Xavier (gain 1)"),
                  "Xavier × gain": N_("Xavier × gain"), "Kaiming (ReLU)": N_("Kaiming (ReLU)")}


@builder
def init_explorer() -> LivePlot:
    """Scheme × activation × depth × width: per-layer activation histograms and the std of each layer."""
    import matplotlib as mpl

    max_depth, shown = 20, 5
    cache: dict[tuple[str, str, int], dict[str, torch.Tensor]] = {}

    def stats(scheme: str, activation: str, width: int) -> dict[str, torch.Tensor]:
        key = (scheme, activation, width)
        if key not in cache:
            cache[key] = init_activation_stats(scheme, activation, width, depth=max_depth)
        return cache[key]

    fig, (ax_hist, ax_std) = new_figure(ncols=2, width=4.2, height=3.2)
    colors = mpl.colormaps["viridis"]
    palette = [colors(i / (shown - 1)) for i in range(shown)]
    # animated: redrawn at every update over a kept picture of the rest (see LivePlot)
    lines = [ax_hist.plot([], [], drawstyle="steps-mid", lw=1.5, color=palette[i], animated=True)[0]
             for i in range(shown)]
    fixed_labels(ax_hist, "activation value (beyond the axis: in the end bin)", "fraction of values")
    ax_hist.yaxis.set_major_locator(mpl.ticker.MaxNLocator(4))  # few ticks: less text to draw
    (std_line,) = ax_std.plot([], [], "o-", ms=3, color="0.45", animated=True)
    # the layers drawn on the left, in their colours: a legend without text, which is slow to draw
    marks = ax_std.scatter([1] * shown, [1.0] * shown, s=45, c=palette, zorder=3, edgecolors="k", linewidths=0.5,
                           animated=True)
    for ax in (ax_hist, ax_std):
        ax.title.set_animated(True)
    ax_std.axhline(1.0, color="0.6", lw=0.8, ls="--")
    ax_std.set(yscale="log", xlim=(0.5, max_depth + 0.5))
    fixed_labels(ax_std, "layer", "std of the activations")
    ax_std.yaxis.set_minor_locator(mpl.ticker.NullLocator())  # fewer ticks to draw: a faster update
    ax_std.yaxis.set_major_formatter(mpl.ticker.FuncFormatter(
        lambda v, _pos: f"{v:g}" if 1e-3 <= v <= 1e3 else f"1e{round(math.log10(v))}"))  # plain text: no mathtext

    def draw(scheme: str, activation: str, depth: int, width: int) -> Any:
        s = stats(scheme, activation, width)
        edges = s["edges"]
        centers = (edges[:-1] + edges[1:]) / 2
        layers = sorted({round(1 + (depth - 1) * i / (shown - 1)) for i in range(shown)})
        for i, line in enumerate(lines):
            used = i < len(layers)
            line.set_visible(used)
            if used:  # NumPy: matplotlib unbinds tensors slowly
                line.set_data(centers.numpy(), s["hist"][layers[i] - 1].numpy())
        # Axes ranges over all the layers, not just the shown ones: they stay put while the depth slider moves,
        # so the histograms compare across depths (and only the curves are redrawn).
        top = s["hist"].max().item()
        ax_hist.set_xlim(edges[0].item(), edges[-1].item())
        ax_hist.set_ylim(0, 1.1 * top if top > 0 else 1)
        zeros = f"; {100 * s['zeros'][depth - 1]:.0f}% zeros not drawn" if activation == "ReLU" else ""
        ax_hist.set_title(f"{scheme}, {activation}{zeros}", fontsize=9)
        std = s["std"][:depth].clamp_min(1e-30)
        std_line.set_data(range(1, depth + 1), std.numpy())
        marks.set_offsets([[layer, std[layer - 1].item()] for layer in layers])
        marks.set_facecolor(palette[: len(layers)])
        every = s["std"].clamp_min(1e-30)
        ax_std.set_ylim(min(1e-3, every.min().item() / 2), max(10.0, every.max().item() * 2))
        ax_std.set_title(f"width {width}; layer {depth}: std {s['std'][depth - 1].item():.2g} (dots: the histograms)",
                         fontsize=9)
        return fig

    controls = {
        "scheme": W.Dropdown(options=choices(INIT_SCHEMES, _SCHEME_LABELS), value="Xavier (gain 1)",
                             description=_("scheme")),
        "activation": W.Dropdown(options=["tanh", "ReLU", "sigmoid"], value="tanh", description=_("activation")),
        "depth": W.IntSlider(value=10, min=1, max=max_depth, description=_("depth"), continuous_update=True),
        "width": W.Dropdown(options=[16, 64, 256], value=256, description=_("width")),
    }
    return LivePlot(draw, controls, title=_("Initialization: activations layer by layer"))
