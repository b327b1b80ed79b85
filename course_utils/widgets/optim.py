"""Chapter 06's widgets: the optimizers racing on 2-D surfaces, and the learning-rate schedules."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from typing import Any

import ipywidgets as W
import torch

from .. import optim
from ..i18n import N_, _
from ..plot import grid_2d, new_figure
from ._core import LivePlot, builder, choices, slider
from ._render import fixed_labels, fixed_title, freeze


def _race_entries() -> dict[str, tuple[Any, Callable[[dict[str, float]], dict[str, Any]]]]:
    """The racers: label → (optimizer class, which of the widget's values it takes as hyperparameters).

    AdamW is left out: on a 2-D surface with no data its decoupled weight decay only pulls towards (0, 0),
    and with weight_decay=0 it *is* Adam.
    """
    return {
        "SGD": (optim.SGD, lambda v: {}),
        "momentum": (optim.SGD, lambda v: {"momentum": v["momentum"]}),
        "Nesterov": (optim.SGD, lambda v: {"momentum": v["momentum"], "nesterov": v["momentum"] > 0}),
        "Adagrad": (optim.Adagrad, lambda v: {}),
        "RMSprop": (optim.RMSprop, lambda v: {}),
        "Adam": (optim.Adam, lambda v: {"betas": (v["beta1"], v["beta2"])}),
    }


# The window drawn for each surface: its own, except Rosenbrock's, moved up along the banana valley (y = x²), where
# the adaptive optimizers climb before they turn; at learning rates up to 0.1 every path stays inside.
RACE_FRAMES: dict[str, tuple[tuple[float, float], tuple[float, float]]] = {
    name: (s.xlim, s.ylim) for name, s in optim.surfaces.items()}
RACE_FRAMES["rosenbrock"] = ((-2.0, 2.0), (-1.0, 3.0))
# the surfaces' labels in the course's language (the figure's title keeps the key)
_SURFACE_LABELS = {"quadratic": N_("quadratic bowl"), "saddle": N_("saddle")}
_GAP_FLOOR, _GAP_CEILING = 1e-12, 1e4  # the loss panel's range never goes beyond these


def _decades(values: torch.Tensor) -> tuple[float, float]:
    """A log-axis range of whole decades around ``values`` (clamped to the panel's floor and ceiling), at least
    two decades tall: it only changes when a curve crosses a decade, so most slider moves keep it."""
    finite = values[torch.isfinite(values)].clamp(_GAP_FLOOR, _GAP_CEILING)
    lo = math.floor(math.log10(finite.min().item())) if len(finite) else -2
    hi = math.ceil(math.log10(finite.max().item())) if len(finite) else 1
    lo = min(lo, hi - 2)
    return 10.0**lo, 10.0**hi


def _contour_artists(cs: Any) -> list[Any]:
    """The artists that draw a contour set: the set itself from matplotlib 3.8 on (an Artist there), its
    ``collections`` (one per level) before."""
    from matplotlib.artist import Artist

    return [cs] if isinstance(cs, Artist) else list(cs.collections)


@builder
def optimizer_race() -> LivePlot:
    """Every optimizer of chapter 06 from the same start on a 2-D surface: paths on the contour plot, and
    f − f_min per step. All share the learning rate; momentum drives SGD-momentum and Nesterov, β₁/β₂ Adam.

    Paths come from ``course_utils.optim.walk`` (the real optimizer classes) and are cached per optimizer and
    settings, so moving ``steps`` or one optimizer's hyperparameter recomputes only what changed. A path that
    leaves the drawn window is cut at its edge, and the title names it; a path that blows up (a coordinate beyond
    1e6 in size, where ``optim.walk`` stops) is named in the loss panel's title. "Diverged" is kept for a loss that
    becomes NaN or infinite (``fit``, the playground). The loss panel spans whole decades
    around the curves (between 1e-12 and 1e4; values beyond sit on its edge).
    """
    import matplotlib as mpl

    racers = _race_entries()
    cache: dict[tuple, tuple[Any, list[tuple[float, float]]]] = {}

    def path(label: str, values: dict[str, Any], steps: int) -> torch.Tensor:
        cls, pick = racers[label]
        hp = pick(values)
        key = (label, values["surface"], values["x0"], values["y0"], values["lr"], tuple(sorted(hp.items())))
        if key not in cache:
            if len(cache) > 300:
                cache.clear()
            start = (values["x0"], values["y0"])
            cache[key] = (optim.walk(cls, values["surface"], start, lr=values["lr"], **hp), [])
        points_iter, points = cache[key]
        points.extend(itertools.islice(points_iter, max(0, steps + 1 - len(points))))
        return torch.tensor(points[: steps + 1], dtype=torch.float64)

    fig, (ax, ax_loss) = new_figure(ncols=2, width=4.0, height=3.6)
    contours = {}
    for name, s in optim.surfaces.items():
        (x0, x1), (y0, y1) = RACE_FRAMES[name]
        X, Y, _unused = grid_2d((x0, x1), (y0, y1), 100, dtype=torch.float64)
        cs = ax.contour(X.numpy(), Y.numpy(), s(X, Y).numpy(), levels=s.levels, colors="0.65", linewidths=0.7)
        (mins,) = ax.plot([m[0] for m in s.minima], [m[1] for m in s.minima], "*", color="0.3", ms=9)
        contours[name] = (_contour_artists(cs), mins)
    ax.set(xticks=[], yticks=[])  # few texts and lines to draw: a faster update
    ax.set_aspect("equal")
    ax.grid(False)
    fixed_title(ax)
    colors = {label: f"C{i}" for i, label in enumerate(racers)}
    # animated: redrawn at every update over a kept picture of the rest (see LivePlot)
    paths = {label: ax.plot([], [], "-", lw=1.4, color=colors[label], label=label, animated=True)[0]
             for label in racers}
    ends = {label: ax.plot([], [], "o", ms=4, color=colors[label], animated=True)[0] for label in racers}
    (start_mark,) = ax.plot([], [], "kx", ms=8, mew=2, animated=True)
    losses = {label: ax_loss.plot([], [], "-", lw=1.4, color=colors[label], label=label, animated=True)[0]
              for label in racers}
    ax_loss.set(yscale="log")
    fixed_labels(ax_loss, "step", "f − f_min (log scale)")
    for a in (ax, ax_loss):
        a.title.set_animated(True)
    ax_loss.yaxis.set_major_locator(mpl.ticker.LogLocator(numticks=5))
    ax_loss.xaxis.set_major_locator(mpl.ticker.MaxNLocator(3, integer=True))
    ax_loss.grid(False)
    ax_loss.yaxis.set_minor_locator(mpl.ticker.NullLocator())
    ax_loss.yaxis.set_major_formatter(mpl.ticker.FuncFormatter(
        lambda v, _pos: "1" if v == 1 else f"1e{round(math.log10(v))}"))  # plain text: no mathtext
    freeze(ax_loss.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0)))  # beside the curves

    def draw(surface: str, x0: float, y0: float, lr: float, momentum: float, beta1: float, beta2: float,
             steps: int) -> Any:
        values = dict(surface=surface, x0=x0, y0=y0, lr=lr, momentum=momentum, beta1=beta1, beta2=beta2)
        s = optim.surfaces[surface]
        (left, right), (bottom, top) = RACE_FRAMES[surface]
        ax.set(xlim=(left, right), ylim=(bottom, top))
        for name, (lines, mins) in contours.items():
            for artist in (*lines, mins):
                artist.set_visible(name == surface)
        start_mark.set_data([x0], [y0])
        blown_up, outside, gaps = [], [], []
        for label in racers:
            p = path(label, values, steps)
            if len(p) < steps + 1:  # optim.walk stopped: a coordinate went beyond 1e6 in size (or not finite)
                blown_up.append(label)
            elif not ((p[:, 0] >= left) & (p[:, 0] <= right) & (p[:, 1] >= bottom) & (p[:, 1] <= top)).all():
                outside.append(label)
            gap = s(p[:, 0], p[:, 1]) - s.f_min
            gaps.append(gap)
            xy = p.numpy()
            paths[label].set_data(xy[:, 0], xy[:, 1])
            ends[label].set_data(xy[-1:, 0], xy[-1:, 1])
            losses[label].set_data(range(len(xy)), gap.clamp(_GAP_FLOOR, _GAP_CEILING).numpy())  # beyond: on the edge
        ax_loss.set(xlim=(0, steps), ylim=_decades(torch.cat(gaps)))
        cut = f"; cut at the frame: {', '.join(outside)}" if outside else ""
        ax.set_title(f"{surface}, lr {lr:.3g}{cut}", fontsize=10 if not outside else 8.5)
        ax_loss.set_title("blew up: " + ", ".join(blown_up) if blown_up
                          else "distance to the lowest value", fontsize=10, color="#b00020" if blown_up else "black")
        return fig

    start = optim.surfaces["rosenbrock"].start
    (xlo, xhi), (ylo, yhi) = RACE_FRAMES["rosenbrock"]
    controls = {
        "surface": W.Dropdown(options=choices(list(optim.surfaces), _SURFACE_LABELS), value="rosenbrock",
                              description=_("surface")),
        "x0": slider(start[0], xlo, xhi, 0.05, _("start x")),
        "y0": slider(start[1], ylo, yhi, 0.05, _("start y")),
        "lr": W.FloatLogSlider(value=0.05, base=10, min=-3, max=0, step=0.1, description="lr",
                               readout_format=".3f", layout=W.Layout(width="260px")),
        "momentum": slider(0.9, 0.0, 0.99, 0.01, _("momentum μ")),
        "beta1": slider(0.9, 0.0, 0.99, 0.01, "Adam β₁"),
        "beta2": W.FloatSlider(value=0.999, min=0.9, max=0.9999, step=0.0001, description="Adam β₂",
                               readout_format=".4f", layout=W.Layout(width="260px")),
        "steps": W.IntSlider(value=100, min=10, max=200, step=10, description=_("steps"),
                             layout=W.Layout(width="260px")),
    }
    widget = LivePlot(draw, controls, title=_("The optimizer race: same start, same learning rate"))

    def to_suggested_start(surface: str) -> None:
        """A new surface: the start sliders span its window and move to its suggested start (one redraw)."""
        for name, (lo, hi), value in zip(("x0", "y0"), RACE_FRAMES[surface], optim.surfaces[surface].start):
            control = controls[name]
            control.max, control.min = max(control.max, hi), min(control.min, lo)  # widen first: never min > max
            control.value = value
            control.min, control.max = lo, hi

    widget.on_change("surface", to_suggested_start)
    return widget


@builder
def schedule_explorer() -> LivePlot:
    """The learning rate per epoch of StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR and linear warm-up
    + cosine, from the pure functions of ``course_utils.optim`` (equal to ``torch.optim.lr_scheduler``'s)."""
    import matplotlib as mpl

    fig, ax = new_figure(width=7.0, height=3.2)
    names = ["StepLR", "MultiStepLR (½, ¾ of the epochs)", "ExponentialLR", "CosineAnnealingLR",
             "LinearLR warm-up, then cosine"]
    # animated: redrawn at every update over a kept picture of the rest (see LivePlot)
    lines = {name: ax.plot([], [], lw=1.8, drawstyle="steps-post", label=name, animated=True)[0] for name in names}
    ax.title.set_animated(True)
    # beside the axes, never changing: drawn once, then pasted (a legend is the costliest text to redraw)
    freeze(ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0)))
    ax.xaxis.set_major_locator(mpl.ticker.MaxNLocator(4, integer=True))
    ax.yaxis.set_major_locator(mpl.ticker.MaxNLocator(4))
    fixed_labels(ax, "epoch", "learning rate")
    ax.yaxis.set_label_coords(-0.12, 0.5)

    def draw(epochs: int, base_lr: float, step_size: int, gamma: float, exp_gamma: float, T_max: int,
             eta_min: float, warmup: int) -> Any:
        milestones = sorted({max(1, epochs // 2), max(2, (3 * epochs) // 4)})
        warmup = min(warmup, epochs - 1)
        curves = [
            lambda e: optim.step_lr(base_lr, e, step_size, gamma),
            lambda e: optim.multistep_lr(base_lr, e, milestones, gamma),
            lambda e: optim.exponential_lr(base_lr, e, exp_gamma),
            lambda e: optim.cosine_lr(base_lr, e, T_max, min(eta_min, base_lr)),
            lambda e: optim.warmup_cosine_lr(base_lr, e, warmup, epochs - warmup, min(eta_min, base_lr)),
        ]
        xs = list(range(epochs + 1))
        for name, fn in zip(names, curves):
            lines[name].set_data(xs, [fn(e) for e in xs])
        ax.set(xlim=(0, epochs), ylim=(0, 1.05 * base_lr))
        ax.set_title(f"base lr {base_lr:.2f}", fontsize=10)
        return fig

    controls = {
        "epochs": W.IntSlider(value=100, min=10, max=200, step=5, description=_("epochs"),
                              layout=W.Layout(width="260px")),
        "base_lr": slider(0.1, 0.01, 1.0, 0.01, _("base lr")),
        "step_size": W.IntSlider(value=30, min=1, max=100, description="step_size",
                                 layout=W.Layout(width="260px")),
        "gamma": slider(0.1, 0.05, 0.95, 0.05, "gamma"),
        "exp_gamma": W.FloatSlider(value=0.97, min=0.8, max=0.999, step=0.001, description=_("exp. gamma"),
                                   readout_format=".3f", layout=W.Layout(width="260px")),
        "T_max": W.IntSlider(value=100, min=1, max=200, description="T_max", layout=W.Layout(width="260px")),
        "eta_min": W.FloatSlider(value=0.0, min=0.0, max=0.05, step=0.001, description="eta_min",
                                 readout_format=".3f", layout=W.Layout(width="260px")),
        "warmup": W.IntSlider(value=5, min=1, max=50, description=_("warm-up"), layout=W.Layout(width="260px")),
    }
    return LivePlot(draw, controls, title=_("Learning-rate schedules"))
