"""Interactive widgets for the chapters. Each builder returns the widget object; display it as a cell's last line.

Every live widget is a :class:`LivePlot`: controls on top, a picture below, a message line for errors. Moving a
control calls ``update()``, which redraws one small figure (target: under 100 ms, measured in ``benchmarks/``).
Anything that trains uses a button instead of reacting to every slider tick. An exception while drawing is shown
in the widget as a readable line; it never breaks the notebook. Tests drive a widget by setting a control's
``.value`` and reading ``renders``, ``last_error`` and ``image.value``.
"""

from __future__ import annotations

import html
import time
from collections.abc import Callable
from typing import Any

import ipywidgets as W
import torch

from . import num_threads
from .plot import FigureRenderer, freeze, new_figure

__all__ = ["LivePlot", "neuron_explorer", "BUILDERS"]


class LivePlot(W.VBox):
    """Controls + a picture redrawn by ``draw(**values)`` (which returns a Figure) whenever a control moves.

    ``buttons`` maps a label to an action ``fn(widget)`` run on click (training, a step, a reset …), after which
    the picture is redrawn; use them for anything slow, so sliders stay instant. ``press(label)`` does the same
    from code (tests, or a teacher's cell).
    """

    def __init__(
        self,
        draw: Callable[..., Any],
        controls: dict[str, W.ValueWidget],
        title: str | None = None,
        buttons: dict[str, Callable[[LivePlot], None]] | None = None,
    ):
        self.draw = draw
        self.controls = controls
        self.actions = dict(buttons or {})
        self.buttons = {label: W.Button(description=label) for label in self.actions}
        for label, button in self.buttons.items():
            button.on_click(lambda _b, label=label: self.press(label))
        self.title = title or "widget"
        # natural size: stretched to the output width, an 80-dpi PNG would look blurred
        self.image = W.Image(format="png", layout=W.Layout(width="auto", align_self="flex-start"))
        self.message = W.HTML()
        self.renders = 0
        self.presses = 0  # button presses so far: each may change what the figure shows anywhere
        self.renderer: FigureRenderer | None = None
        self.last_error: Exception | None = None
        self.last_update_s: float | None = None
        header = [W.HTML(f"<b>{html.escape(title)}</b>")] if title else []
        rows = [W.HBox(list(controls.values())[i:i + 3]) for i in range(0, len(controls), 3)]
        if self.buttons:
            rows.append(W.HBox(list(self.buttons.values())))
        super().__init__(header + rows + [self.image, self.message])
        self.add_class("course-widget")
        for control in controls.values():
            control.observe(self._on_change, names="value")
        self.update()

    def _repr_mimebundle_(self, **kwargs: Any) -> dict | None:
        """Add the current picture as a PNG, so a notebook viewed without a kernel (e.g. on GitHub) shows it."""
        bundle = super()._repr_mimebundle_(**kwargs)
        if bundle is not None:
            bundle["text/plain"] = f"{self.title} (interactive: run the notebook to move the controls)"
            if self.image.value:
                bundle["image/png"] = bytes(self.image.value)
        return bundle

    def press(self, label: str) -> None:
        """Run the action of button ``label``, then redraw; an exception is shown in the widget, not raised."""
        try:
            self.actions[label](self)
        except Exception as exc:
            self._show_error("Could not run", exc)
            return
        self.presses += 1
        self.update()

    def _show_error(self, doing: str, exc: Exception) -> None:
        self.last_error = exc
        self.message.value = (f"<span style='color:#b00020'>⚠ {doing}: {type(exc).__name__}: "
                              f"{html.escape(str(exc))}</span>")

    def values(self) -> dict[str, Any]:
        return {name: control.value for name, control in self.controls.items()}

    def _on_change(self, _change: dict) -> None:
        self.update()

    def update(self) -> None:
        """Redraw the picture from the controls' current values; show any error as a message."""
        start = time.perf_counter()
        try:
            values = self.values()
            fig = self.draw(**values)
            if self.renderer is None or self.renderer.fig is not fig:
                self.renderer = FigureRenderer(fig)
            # The kept static layer is redrawn when a choice (not a slider) changes or a button was pressed.
            png = self.renderer.render(key=(self.presses, tuple(
                (name, value) for name, value in values.items() if not hasattr(self.controls[name], "min"))))
            # Lay the figure out once: a builder that reuses its figure then skips the costly layout pass.
            # (None, not "none": "none" leaves a placeholder engine, and a draw then lays it out twice.)
            fig.set_layout_engine(None)
        except Exception as exc:  # shown to the learner, never raised into the notebook
            self._show_error("Could not draw", exc)
            return
        self.image.value = png
        self.message.value = ""
        self.last_error = None
        self.renders += 1
        self.last_update_s = time.perf_counter() - start


# Every builder of a live widget, by name: the benchmark times each one's slider-to-picture update.
BUILDERS: dict[str, Callable[[], LivePlot]] = {}


def builder(fn: Callable[[], LivePlot]) -> Callable[[], LivePlot]:
    """Register a widget builder in BUILDERS (so the benchmark and tests find it)."""
    BUILDERS[fn.__name__] = fn
    return fn


def _slider(value: float, lo: float, hi: float, step: float, description: str) -> W.FloatSlider:
    return W.FloatSlider(value=value, min=lo, max=hi, step=step, description=description,
                         continuous_update=True, readout_format=".2f", layout=W.Layout(width="260px"))


@builder
def neuron_explorer() -> LivePlot:
    """One neuron y = σ(w·x + b): move w and b and watch the curve steepen, flip and shift."""
    x = torch.linspace(-6, 6, 200)
    fig, ax = new_figure(width=5, height=3)
    # animated: redrawn at every update over a kept picture of the rest (see plot.FigureRenderer)
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

    controls = {"w": _slider(1.0, -5.0, 5.0, 0.1, "w"), "b": _slider(0.0, -5.0, 5.0, 0.1, "b")}
    return LivePlot(draw, controls, title="A single neuron: y = σ(w·x + b)")


# ---- chapter 04: weight initialization ----

INIT_SCHEMES = ("N(0, 1)", "N(0, 0.01²)", "PyTorch default", "Xavier (gain 1)", "Xavier × gain", "Kaiming (ReLU)")
_INIT_ACTIVATIONS = {"tanh": torch.tanh, "ReLU": torch.relu, "sigmoid": torch.sigmoid}
_INIT_RANGES = {"tanh": (-1.0, 1.0), "ReLU": (0.0, 3.0), "sigmoid": (0.0, 1.0)}
_INIT_DRAWS: dict[tuple[int, int], tuple[torch.Tensor, torch.Tensor, torch.Tensor]] = {}


def init_weight_scale(scheme: str, activation: str, width: int) -> tuple[str, float]:
    """The distribution of a (width, width) weight under ``scheme``: ("normal", std) or ("uniform", bound).

    The same numbers as ``course_utils.init`` / ``torch.nn.init`` (``tests/test_init.py`` checks them):
    PyTorch's default is kaiming_uniform_(a=√5), a bound of 1/√fan_in; Xavier-normal has std
    gain·√(2 / (fan_in + fan_out)); Kaiming-normal with ReLU's gain has std √(2 / fan_in).
    """
    import math

    from .init import calculate_gain

    fan = width  # square layers: fan_in = fan_out = width
    if scheme == "N(0, 1)":
        return "normal", 1.0
    if scheme == "N(0, 0.01²)":
        return "normal", 0.01
    if scheme == "PyTorch default":
        return "uniform", calculate_gain("leaky_relu", math.sqrt(5)) * math.sqrt(3.0 / fan)
    if scheme == "Xavier (gain 1)":
        return "normal", math.sqrt(2.0 / (fan + fan))
    if scheme == "Xavier × gain":
        gain = calculate_gain({"tanh": "tanh", "ReLU": "relu", "sigmoid": "sigmoid"}[activation])
        return "normal", gain * math.sqrt(2.0 / (fan + fan))
    if scheme == "Kaiming (ReLU)":
        return "normal", calculate_gain("relu") / math.sqrt(fan)
    raise ValueError(f"`scheme` must be one of {INIT_SCHEMES}; got {scheme!r}")


def _init_draws(width: int, depth: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Standard draws for ``depth`` square layers, made once per size and scaled per scheme: N(0, 1) and U(-1, 1)
    weights (depth, width, width), U(-1, 1) biases (depth, width)."""
    key = (width, depth)
    if key not in _INIT_DRAWS:
        g = torch.Generator().manual_seed(0)
        normal = torch.randn(depth, width, width, generator=g)
        uniform = torch.rand(depth, width, width, generator=g) * 2 - 1
        bias = torch.rand(depth, width, generator=g) * 2 - 1
        _INIT_DRAWS[key] = (normal, uniform, bias)
    return _INIT_DRAWS[key]


def init_activation_stats(
    scheme: str, activation: str, width: int, depth: int = 20, batch: int = 64, bins: int = 40
) -> dict[str, torch.Tensor]:
    """Push a batch of N(0, 1) inputs (batch, width) through ``depth`` square layers initialized with ``scheme``.

    Biases are 0, except for PyTorch's default (U(-1/√fan_in, 1/√fan_in), as nn.Linear). Returns ``std``
    (depth,): the activations' std after each layer; ``hist`` (depth, bins): the fraction of each layer's
    activations in each bin of the activation's range (values beyond it count in the end bins; ReLU's exact
    zeros are left out, their fraction is ``zeros`` (depth,)); ``edges`` (bins + 1,). The inputs use another seed
    than the weights: drawn from the same seed, they would be correlated with the first layer's weights.
    """
    import math

    act = _INIT_ACTIVATIONS[activation]
    lo, hi = _INIT_RANGES[activation]
    kind, scale = init_weight_scale(scheme, activation, width)
    normal, uniform, bias = _init_draws(width, depth)
    weights = normal if kind == "normal" else uniform  # scaled below, on the smaller (batch, width) product
    biases = bias / math.sqrt(width) if scheme == "PyTorch default" else torch.zeros(depth, width)
    h = torch.randn(batch, width, generator=torch.Generator().manual_seed(1))
    stds, hists, zeros = [], [], []
    for layer in range(depth):
        h = act(torch.addmm(biases[layer], h, weights[layer].T, alpha=scale))  # bias + scale * h @ W^T
        stds.append(h.std())
        values = h[h != 0] if activation == "ReLU" else h.reshape(-1)
        zeros.append(1 - values.numel() / h.numel())
        index = ((values - lo) * (bins / (hi - lo))).long().clamp_(0, bins - 1)  # out of range: the end bins
        hists.append(torch.bincount(index, minlength=bins) / h.numel())
    return {"std": torch.stack(stds), "hist": torch.stack(hists), "zeros": torch.tensor(zeros),
            "edges": torch.linspace(lo, hi, bins + 1)}


def _fixed_labels(ax: Any, xlabel: str, ylabel: str, title_y: float = 1.02) -> None:
    """Axis labels at fixed places, so a redraw does not measure every tick label to place them."""
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.xaxis.set_label_coords(0.5, -0.13)
    ax.yaxis.set_label_coords(-0.16, 0.5)
    ax.title.set_y(title_y)
    ax._autotitlepos = False  # matplotlib's switch for placing the title above the tick labels


@builder
def init_explorer() -> LivePlot:
    """Scheme × activation × depth × width: per-layer activation histograms and the std of each layer."""
    import math

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
    # animated: redrawn at every update over a kept picture of the rest (see plot.FigureRenderer)
    lines = [ax_hist.plot([], [], drawstyle="steps-mid", lw=1.5, color=palette[i], animated=True)[0]
             for i in range(shown)]
    _fixed_labels(ax_hist, "activation value (beyond the axis: in the end bin)", "fraction of values")
    ax_hist.yaxis.set_major_locator(mpl.ticker.MaxNLocator(4))  # few ticks: less text to draw
    (std_line,) = ax_std.plot([], [], "o-", ms=3, color="0.45", animated=True)
    # the layers drawn on the left, in their colours: a legend without text, which is slow to draw
    marks = ax_std.scatter([1] * shown, [1.0] * shown, s=45, c=palette, zorder=3, edgecolors="k", linewidths=0.5,
                           animated=True)
    for ax in (ax_hist, ax_std):
        ax.title.set_animated(True)
    ax_std.axhline(1.0, color="0.6", lw=0.8, ls="--")
    ax_std.set(yscale="log", xlim=(0.5, max_depth + 0.5))
    _fixed_labels(ax_std, "layer", "std of the activations")
    ax_std.yaxis.set_minor_locator(mpl.ticker.NullLocator())  # fewer ticks to draw: a faster update
    ax_std.yaxis.set_major_formatter(mpl.ticker.FuncFormatter(
        lambda v, _: f"{v:g}" if 1e-3 <= v <= 1e3 else f"1e{round(math.log10(v))}"))  # plain text: no mathtext

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
        "scheme": W.Dropdown(options=list(INIT_SCHEMES), value="Xavier (gain 1)", description="scheme"),
        "activation": W.Dropdown(options=list(_INIT_ACTIVATIONS), value="tanh", description="activation"),
        "depth": W.IntSlider(value=10, min=1, max=max_depth, description="depth", continuous_update=True),
        "width": W.Dropdown(options=[16, 64, 256], value=256, description="width"),
    }
    return LivePlot(draw, controls, title="Initialization: activations layer by layer")


# ---- chapter 01: the perceptron ----

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

    from .data import make_moons
    from .perceptron import make_gate, step
    from .plot import CLASS_COLORS

    datasets = {name: make_gate(name, n=80, noise=0.1, seed=0) for name in ("AND", "OR", "XOR")}
    datasets["moons"] = make_moons(n=200, noise=0.15, seed=0)
    boxes = {name: ((-0.6, 1.6), (-0.6, 1.6)) for name in ("AND", "OR", "XOR")}
    boxes["moons"] = ((-1.6, 2.6), (-1.1, 1.6))
    res = 80

    fig, ax = new_figure(width=4.6, height=4.0)
    # animated: redrawn at every update over a kept picture of the rest (see plot.FigureRenderer)
    shade = ax.imshow(torch.zeros(res, res).numpy(), origin="lower", cmap=ListedColormap(CLASS_COLORS[:2]),
                      vmin=0, vmax=1, alpha=0.18, aspect="auto", interpolation="nearest", animated=True)
    points = ax.scatter([0.0], [0.0], s=22, linewidths=1.2, animated=True)
    (line,) = ax.plot([], [], color="k", lw=2, animated=True)
    ax.title.set_animated(True)
    _fixed_labels(ax, "x₁", "x₂")
    ax.locator_params(nbins=5)
    ax.grid(False)
    state = {"name": None}

    def draw(dataset: str, w1: float, w2: float, b: float) -> Any:
        X, y = datasets[dataset]
        xlim, ylim = boxes[dataset]
        if state["name"] != dataset:  # a new data set: move the points and the frame once
            state["name"] = dataset
            points.set_offsets(X.numpy())
            points.set_facecolors([CLASS_COLORS[int(c)] for c in y])
            ax.set(xlim=xlim, ylim=ylim)
            shade.set_extent((*xlim, *ylim))
            gx, gy = torch.meshgrid(torch.linspace(*xlim, res), torch.linspace(*ylim, res), indexing="xy")
            state["grid"] = torch.stack([gx, gy], dim=-1)  # (res, res, 2)
        w = torch.tensor([w1, w2])
        shade.set_data(step(state["grid"] @ w + b).numpy())
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
        "dataset": W.Dropdown(options=list(datasets), value="AND", description="data set",
                              layout=W.Layout(width="200px")),
        "w1": _slider(1.0, -5.0, 5.0, 0.1, "w₁"),
        "w2": _slider(1.0, -5.0, 5.0, 0.1, "w₂"),
        "b": _slider(-0.5, -5.0, 5.0, 0.1, "b"),
    }
    return LivePlot(draw, controls, title="A perceptron's decision line: predict 1 where w₁x₁ + w₂x₂ + b ≥ 0")


# ---- chapter 03: backpropagation ----


def _backprop_example() -> Any:
    """The chapter's worked graph, L = (σ(w·x + b) − y)² + λ·w², built from labelled ``Value``s (no backward yet).

    x = 2, w = 0.3, b = −0.1, y = 1, λ = 0.1, so z = w·x + b = 0.5 and σ(z) = 0.6225. The weight w is used twice
    (in w·x and in the penalty λ·w²), so its gradient is a sum of two paths. Returns the output L.
    """
    from .autograd import Value

    x, w, b = Value(2.0, label="x"), Value(0.3, label="w"), Value(-0.1, label="b")
    y, lam = Value(1.0, label="y"), Value(0.1, label="λ")
    parts = {}
    parts["w·x"] = w * x
    parts["z"] = parts["w·x"] + b
    parts["a"] = parts["z"].sigmoid()
    parts["d"] = parts["a"] - y
    parts["d²"] = parts["d"] ** 2
    parts["w²"] = w**2
    parts["λw²"] = lam * parts["w²"]
    parts["L"] = parts["d²"] + parts["λw²"]
    for label, value in parts.items():
        value.label = label
    return parts["L"]


def _node_name(v: Any) -> str:
    return v.label or (f"[{v._op}]" if v._op else f"{v.data:.3g}")


def _d(name: str) -> str:
    """'∂w' for a one-letter name, '∂(w·x)' for a longer one."""
    return f"∂{name}" if len(name) == 1 else f"∂({name})"


def _local_formula(consumer: Any, child: Any) -> str:
    """The local derivative ∂consumer/∂child of one operation, as a short formula in the values' names."""
    op, prev, me = consumer._op, consumer._prev, _node_name(child)
    out = _node_name(consumer)
    if len(prev) == 2 and prev[0] is prev[1]:  # a op a
        return {"+": "2", "-": "0", "*": f"2·{me}", "/": "0"}.get(op, "?")
    other = _node_name(prev[1] if prev[0] is child else prev[0]) if len(prev) == 2 else ""
    first = prev[0] is child
    if op == "+":
        return "1"
    if op == "-":
        return "1" if first else "−1"
    if op == "*":
        return other
    if op == "/":
        return f"1/{other}" if first else f"−{other}/{me}²"
    if op.startswith("**"):
        k = float(op[2:])
        return f"2·{me}" if k == 2 else f"{k:g}·{me}^{k - 1:g}"
    return {"neg": "−1", "exp": f"exp({me})", "log": f"1/{me}", "tanh": f"1 − {out}²",
            "sigmoid": f"{out}(1 − {out})", "relu": f"[{me} > 0]"}.get(op, "?")


def _backprop_steps(output: Any) -> list[tuple[Any, list[tuple[Any, float, float]]]]:
    """Backprop on ``output``'s graph, one node at a time: a list of ``(node, uses)`` in the order computed.

    ``uses`` lists, for each value computed from ``node``, ``(consumer, local, upstream)``: the local gradient
    ∂consumer/∂node and the upstream gradient ∂output/∂consumer. Their products summed are ∂output/∂node. The
    first step is ``output`` itself (no uses: its gradient is 1). Runs ``zero_grad()`` and ``backward()`` on
    ``output``, so every ``grad`` in the graph ends up as after a fresh backward.
    """
    from .autograd import topological_order

    order = topological_order(output)
    local: dict[tuple[int, int], float] = {}
    for node in order:  # each operation's local derivatives: its _backward with an upstream gradient of 1
        if node._prev:
            for n in order:
                n.grad = 0.0
            node.grad = 1.0
            node._backward()
            for child in dict.fromkeys(node._prev):
                local[(id(node), id(child))] = child.grad
    output.zero_grad()
    output.backward()
    steps = []
    for node in reversed(order):  # every use of a node comes before it: its gradient is complete
        uses = [(c, local[(id(c), id(node))], c.grad) for c in order if any(p is node for p in c._prev)]
        steps.append((node, uses))
    return steps


def _num(v: float) -> str:
    text = f"{v:.4g}".replace("-", "−")
    return f"({text})" if v < 0 else text


def _step_caption(k: int, n: int, output: Any, node: Any, uses: list) -> str:
    o, me = _node_name(output), _node_name(node)
    head = f"Step {k} of {n}: the gradient of {me}"
    if not uses:
        return f"{head}, the output. Backprop starts here: {_d(o)}/{_d(o)} = 1."
    if len(uses) > 1:
        head += f", used {len(uses)} times: the paths add up"
    symbolic = " + ".join(f"{_d(_node_name(c))}/{_d(me)} × {_d(o)}/{_d(_node_name(c))}" for c, _, _ in uses)
    formulas = " + ".join(f"{_local_formula(c, node)} × {_d(o)}/{_d(_node_name(c))}" for c, _, _ in uses)
    numbers = " + ".join(f"{_num(loc)} × {_num(up)}" for _, loc, up in uses)
    return (f"{head}.   local gradient × upstream gradient:\n"
            f"{_d(o)}/{_d(me)} = {symbolic}\n"
            f"        = {formulas}\n"
            f"        = {numbers} = {node.grad:.4g}".replace("-", "−"))


@builder
def backprop_stepper(output: Any = None) -> LivePlot:
    """Step through backprop on a small graph (default: the chapter's worked example), one node per slider step.

    The node whose gradient is computed at that step is orange, the values its upstream gradients come from are
    green, nodes not reached yet are grey; the caption shows the chain rule as local gradient × upstream
    gradient, summed over the node's uses. Pass your own ``Value`` (at most 40 nodes) to step through its graph.
    Every step's picture is drawn once, up front, so moving the slider only swaps images.
    """
    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    from .autograd import Value, draw_graph, topological_order
    from .plot import DPI

    output = _backprop_example() if output is None else output
    if not isinstance(output, Value):
        raise TypeError(f"`output` must be a Value; got {type(output).__name__}")
    order = topological_order(output)
    if len(order) > 40:
        raise ValueError(f"`output`'s graph has {len(order)} values; step through a graph of at most 40")
    steps = _backprop_steps(output)

    fig = Figure(dpi=DPI)
    ax = fig.add_axes((0, 0, 1, 1))
    draw_graph(output, ax=ax)
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    caption_h = 1.15  # inches
    width, graph_h = min(13.5, max(6.0, 0.95 * (x1 - x0))), max(1.5, 0.75 * (y1 - y0))
    fig.set_size_inches(width, graph_h + caption_h)
    ax.set_position((0, caption_h / (graph_h + caption_h), 1, graph_h / (graph_h + caption_h)))
    caption = fig.text(0.015, caption_h / (graph_h + caption_h) - 0.01, "", va="top", fontsize=10.5)
    fig.text(0.985, 0.015, "orange: gradient computed now   green: where its upstream gradient comes from   "
             "grey: not reached yet", ha="right", va="bottom", fontsize=8.5, color="0.35")

    # draw_graph adds, for each node in topological order, its box and its text, then one arrow per distinct input.
    boxes = [p for p in ax.patches if isinstance(p, FancyBboxPatch)]
    arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    edges = [(child, node) for node in order for child in dict.fromkeys(node._prev)]
    texts = ax.texts[: len(order)]
    titles = [" ".join(p for p in (v.label, f"({v._op})" if v._op else "") if p) for v in order]

    canvas = FigureCanvasAgg(fig)
    frames = []
    for k, (node, uses) in enumerate(steps, start=1):
        done = {id(n) for n, _ in steps[:k]}
        upstream = {id(c) for c, _, _ in uses}
        for v, box, text, title in zip(order, boxes, texts, titles):
            if v is node:
                face, edge, lw, color = "#ffcc80", "#e65100", 2.5, "black"
            elif id(v) in upstream:
                face, edge, lw, color = "#c8e6c9", "#2e7d32", 2.5, "black"
            elif id(v) in done:
                face, edge, lw, color = "#e3f2fd", "#1565c0", 1.0, "black"
            else:
                face, edge, lw, color = "#f5f5f5", "#9e9e9e", 1.0, "#9e9e9e"
            box.set(facecolor=face, edgecolor=edge, linewidth=lw)
            grad = f"grad {v.grad:.4g}" if id(v) in done else "grad ?"
            text.set(text="\n".join(([title] if title else []) + [f"data {v.data:.4g}", grad]), color=color)
        for (child, _consumer), arrow in zip(edges, arrows):
            on_path = child is node
            arrow.set(color="#e65100" if on_path else "#555555", linewidth=2.0 if on_path else 1.0)
        caption.set_text(_step_caption(k, len(steps), output, node, uses))
        canvas.draw()
        frames.append(np.asarray(canvas.buffer_rgba()).copy())  # RGBA uint8: the fastest to paste back

    shown = Figure(figsize=fig.get_size_inches(), dpi=DPI)
    image = shown.figimage(frames[0], interpolation="none", animated=True)  # pixel for pixel, no resampling

    def draw(step: int) -> Any:
        image.set_data(frames[step - 1])
        return shown

    controls = {"step": W.IntSlider(value=1, min=1, max=len(steps), step=1, description="step",
                                    continuous_update=True, layout=W.Layout(width="420px"))}
    return LivePlot(draw, controls, title=f"Backprop, one node at a time: the gradient of {_node_name(output)}")


# ---- chapter 06: optimizers and learning-rate schedules ----

def _race_entries() -> dict[str, tuple[Any, Callable[[dict[str, float]], dict[str, Any]]]]:
    """The racers: label → (optimizer class, which of the widget's values it takes as hyperparameters).

    AdamW is left out: on a 2-D surface with no data its decoupled weight decay only pulls towards (0, 0),
    and with weight_decay=0 it *is* Adam.
    """
    from . import optim

    return {
        "SGD": (optim.SGD, lambda v: {}),
        "momentum": (optim.SGD, lambda v: {"momentum": v["momentum"]}),
        "Nesterov": (optim.SGD, lambda v: {"momentum": v["momentum"], "nesterov": v["momentum"] > 0}),
        "Adagrad": (optim.Adagrad, lambda v: {}),
        "RMSprop": (optim.RMSprop, lambda v: {}),
        "Adam": (optim.Adam, lambda v: {"betas": (v["beta1"], v["beta2"])}),
    }


@builder
def optimizer_race() -> LivePlot:
    """Every optimizer of chapter 06 from the same start on a 2-D surface: paths on the contour plot, and
    f − f_min per step. All share the learning rate; momentum drives SGD-momentum and Nesterov, β₁/β₂ Adam.

    Paths come from ``course_utils.optim.walk`` (the real optimizer classes) and are cached per optimizer and
    settings, so moving ``steps`` or one optimizer's hyperparameter recomputes only what changed.
    """
    import itertools
    import math

    import matplotlib as mpl

    from . import optim

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
        X, Y, Z = s.grid(100)
        cs = ax.contour(X.numpy(), Y.numpy(), Z.numpy(), levels=s.levels, colors="0.65", linewidths=0.7)
        (mins,) = ax.plot([m[0] for m in s.minima], [m[1] for m in s.minima], "*", color="0.3", ms=9)
        contours[name] = (cs, mins)
    ax.set(xlim=(-2, 2), ylim=(-2, 2), xticks=[], yticks=[])  # few texts and lines to draw: a faster update
    ax.set_aspect("equal")
    ax.grid(False)
    ax.title.set_y(1.02)
    ax._autotitlepos = False
    colors = {label: f"C{i}" for i, label in enumerate(racers)}
    # animated: redrawn at every update over a kept picture of the rest (see plot.FigureRenderer)
    paths = {label: ax.plot([], [], "-", lw=1.4, color=colors[label], label=label, animated=True)[0]
             for label in racers}
    ends = {label: ax.plot([], [], "o", ms=4, color=colors[label], animated=True)[0] for label in racers}
    (start_mark,) = ax.plot([], [], "kx", ms=8, mew=2, animated=True)
    losses = {label: ax_loss.plot([], [], "-", lw=1.4, color=colors[label], label=label, animated=True)[0]
              for label in racers}
    floor, ceiling = 1e-12, 1e4  # a fixed range, so moving a slider redraws only the curves
    ax_loss.set(yscale="log", ylim=(floor, ceiling))
    _fixed_labels(ax_loss, "step", "f − f_min (log scale)")
    for a in (ax, ax_loss):
        a.title.set_animated(True)
    ax_loss.yaxis.set_major_locator(mpl.ticker.LogLocator(numticks=4))
    ax_loss.xaxis.set_major_locator(mpl.ticker.MaxNLocator(3, integer=True))
    ax_loss.grid(False)
    ax_loss.yaxis.set_minor_locator(mpl.ticker.NullLocator())
    ax_loss.yaxis.set_major_formatter(mpl.ticker.FuncFormatter(lambda v, _: "1" if v == 1 else f"1e{round(math.log10(v))}"))
    freeze(ax_loss.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0)))  # beside the curves

    def draw(surface: str, x0: float, y0: float, lr: float, momentum: float, beta1: float, beta2: float,
             steps: int) -> Any:
        values = dict(surface=surface, x0=x0, y0=y0, lr=lr, momentum=momentum, beta1=beta1, beta2=beta2)
        s = optim.surfaces[surface]
        for name, (cs, mins) in contours.items():
            cs.set_visible(name == surface)
            mins.set_visible(name == surface)
        start_mark.set_data([x0], [y0])
        diverged = []
        for label in racers:
            p = path(label, values, steps)
            if len(p) < steps + 1:
                diverged.append(label)
            gap = (s(p[:, 0], p[:, 1]) - s.f_min).clamp(floor, ceiling)  # beyond the axis: on its edge
            p = p.numpy()
            paths[label].set_data(p[:, 0], p[:, 1])
            ends[label].set_data(p[-1:, 0], p[-1:, 1])
            losses[label].set_data(range(len(p)), gap.numpy())
        ax_loss.set_xlim(0, steps)
        ax.set_title(f"{surface}, lr {lr:.3g}", fontsize=10)
        ax_loss.set_title("diverged: " + ", ".join(diverged) if diverged else "distance to the lowest value",
                          fontsize=10, color="#b00020" if diverged else "black")
        return fig

    start = optim.surfaces["rosenbrock"].start
    controls = {
        "surface": W.Dropdown(options=list(optim.surfaces), value="rosenbrock", description="surface"),
        "x0": _slider(start[0], -2.0, 2.0, 0.05, "start x"),
        "y0": _slider(start[1], -2.0, 2.0, 0.05, "start y"),
        "lr": W.FloatLogSlider(value=0.05, base=10, min=-3, max=0, step=0.1, description="lr",
                               readout_format=".3f", layout=W.Layout(width="260px")),
        "momentum": _slider(0.9, 0.0, 0.99, 0.01, "momentum μ"),
        "beta1": _slider(0.9, 0.0, 0.99, 0.01, "Adam β₁"),
        "beta2": W.FloatSlider(value=0.999, min=0.9, max=0.9999, step=0.0001, description="Adam β₂",
                               readout_format=".4f", layout=W.Layout(width="260px")),
        "steps": W.IntSlider(value=100, min=10, max=200, step=10, description="steps",
                             layout=W.Layout(width="260px")),
    }
    # A new surface moves the start to that surface's suggested start, with one redraw, not three: this observer
    # runs before the widget's own (it is registered first) and moves the sliders while they are unobserved.
    holder: dict[str, LivePlot] = {}

    def to_suggested_start(change: dict) -> None:
        widget = holder.get("widget")
        if widget is None:
            return
        x, y = optim.surfaces[change["new"]].start
        for name, value in (("x0", x), ("y0", y)):
            controls[name].unobserve(widget._on_change, names="value")
            controls[name].value = value
            controls[name].observe(widget._on_change, names="value")

    controls["surface"].observe(to_suggested_start, names="value")
    widget = LivePlot(draw, controls, title="The optimizer race: same start, same learning rate")
    holder["widget"] = widget
    return widget


@builder
def schedule_explorer() -> LivePlot:
    """The learning rate per epoch of StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR and linear warm-up
    + cosine, from the pure functions of ``course_utils.optim`` (equal to ``torch.optim.lr_scheduler``'s)."""
    import matplotlib as mpl

    from . import optim

    fig, ax = new_figure(width=7.0, height=3.2)
    names = ["StepLR", "MultiStepLR (½, ¾ of the epochs)", "ExponentialLR", "CosineAnnealingLR",
             "LinearLR warm-up, then cosine"]
    # animated: redrawn at every update over a kept picture of the rest (see plot.FigureRenderer)
    lines = {name: ax.plot([], [], lw=1.8, drawstyle="steps-post", label=name, animated=True)[0] for name in names}
    ax.title.set_animated(True)
    # beside the axes, never changing: drawn once, then pasted (a legend is the costliest text to redraw)
    freeze(ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0)))
    ax.xaxis.set_major_locator(mpl.ticker.MaxNLocator(4, integer=True))
    ax.yaxis.set_major_locator(mpl.ticker.MaxNLocator(4))
    _fixed_labels(ax, "epoch", "learning rate", title_y=1.01)
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
        "epochs": W.IntSlider(value=100, min=10, max=200, step=5, description="epochs",
                              layout=W.Layout(width="260px")),
        "base_lr": _slider(0.1, 0.01, 1.0, 0.01, "base lr"),
        "step_size": W.IntSlider(value=30, min=1, max=100, description="step_size",
                                 layout=W.Layout(width="260px")),
        "gamma": _slider(0.1, 0.05, 0.95, 0.05, "gamma"),
        "exp_gamma": W.FloatSlider(value=0.97, min=0.8, max=0.999, step=0.001, description="exp. gamma",
                                   readout_format=".3f", layout=W.Layout(width="260px")),
        "T_max": W.IntSlider(value=100, min=1, max=200, description="T_max", layout=W.Layout(width="260px")),
        "eta_min": W.FloatSlider(value=0.0, min=0.0, max=0.05, step=0.001, description="eta_min",
                                 readout_format=".3f", layout=W.Layout(width="260px")),
        "warmup": W.IntSlider(value=5, min=1, max=50, description="warm-up", layout=W.Layout(width="260px")),
    }
    return LivePlot(draw, controls, title="Learning-rate schedules")


# ---- chapter 02: activation functions ----

def _activation_table() -> dict[str, Callable[[torch.Tensor], torch.Tensor]]:
    """The elementwise activations of chapter 02, by display name (course_utils.activations, from scratch)."""
    from functools import partial

    from . import activations as A

    return {
        "sigmoid": A.sigmoid, "tanh": A.tanh, "ReLU": A.relu,
        "LeakyReLU(0.1)": partial(A.leaky_relu, negative_slope=0.1),
        "PReLU (a = 0.25)": partial(A.prelu, weight=torch.tensor([0.25], dtype=torch.float64)),
        "ELU": A.elu, "GELU": A.gelu, "GELU (tanh approx.)": partial(A.gelu, approximate="tanh"), "SiLU": A.silu,
    }


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
    # animated: redrawn at every update over a kept picture of the rest (see plot.FigureRenderer)
    (f_main,) = ax_f.plot(x, curves["sigmoid"][0], lw=2, color="C0", animated=True)
    (f_other,) = ax_f.plot(x, curves["sigmoid"][0], lw=1.5, ls="--", color="C1", animated=True)
    (d_main,) = ax_d.plot(x, curves["sigmoid"][1], lw=2, color="C0", animated=True)
    (d_other,) = ax_d.plot(x, curves["sigmoid"][1], lw=1.5, ls="--", color="C1", animated=True)
    for ax, label in ((ax_f, "f(x)"), (ax_d, "f′(x)")):
        ax.axhline(0, color="0.5", lw=0.6)
        ax.axvline(0, color="0.5", lw=0.6)
        ax.locator_params(nbins=5)  # few tick labels: text is the costliest part of a redraw
        _fixed_labels(ax, "x", label)
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
        "f": W.Dropdown(options=names, value="sigmoid", description="f", layout=W.Layout(width="230px")),
        "compare": W.Dropdown(options=["none"] + names, value="none", description="compare with",
                              layout=W.Layout(width="260px"), style={"description_width": "initial"}),
        "x_range": _slider(6.0, 1.0, 10.0, 0.5, "x range ±"),
    }
    return LivePlot(draw, controls, title="Activation functions and their derivatives")


_DEPTH_ACTIVATIONS = {"sigmoid": (torch.sigmoid, 1.0), "tanh": (torch.tanh, 5.0 / 3), "ReLU": (torch.relu, 2**0.5)}
_DEPTH_INITS = ("PyTorch default", "Xavier (sigmoid, tanh) / Kaiming (ReLU)")


def first_layer_gradients(max_depth: int = 30, width: int = 32, batch: int = 64,
                          seed: int = 0) -> dict[tuple[str, str, int], list[float]]:
    """Gradient norms of every layer's weights in deep stacks of Linear + activation, for each depth.

    Returns ``{(init, activation, depth): [|dL/dW_1|, ..., |dL/dW_depth|]}`` for depths 1..``max_depth``, each
    activation of ``_DEPTH_ACTIVATIONS`` and each init of ``_DEPTH_INITS``: PyTorch's default for ``nn.Linear``
    (weights and biases U(-1/sqrt(width), 1/sqrt(width))), or the recommended gain (uniform with std
    gain/sqrt(width), zero biases: Xavier with gain 1 for sigmoid and 5/3 for tanh, Kaiming for ReLU). The
    loss is the mean of a fixed random linear read-out of the last layer over a batch of N(0, 1) inputs.
    Every network of one init shares the same underlying random numbers, so only the activation and the depth
    differ. Takes well under a second (plain tensors, one backward pass per network).
    """
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(batch, width, generator=g)
    readout = torch.randn(width, generator=g) / width**0.5
    unit_w = [2 * torch.rand(width, width, generator=g) - 1 for _ in range(max_depth)]  # U(-1, 1)
    unit_b = [2 * torch.rand(width, generator=g) - 1 for _ in range(max_depth)]
    out = {}
    with num_threads(1):  # tiny matrices: extra threads only add overhead (a lot, on a busy machine)
        for init in _DEPTH_INITS:
            for name, (fn, gain) in _DEPTH_ACTIVATIONS.items():
                if init == _DEPTH_INITS[0]:
                    weights = [w / width**0.5 for w in unit_w]
                    biases = [b / width**0.5 for b in unit_b]
                else:
                    weights = [w * gain * (3 / width) ** 0.5 for w in unit_w]  # U(-a, a) has std a / sqrt(3)
                    biases = [torch.zeros(width)] * max_depth
                for depth in range(1, max_depth + 1):
                    params = [w.clone().requires_grad_() for w in weights[:depth]]
                    h = x
                    for w, b in zip(params, biases):
                        h = fn(h @ w.T + b)
                    grads = torch.autograd.grad((h @ readout).mean(), params)
                    out[(init, name, depth)] = [gr.norm().item() for gr in grads]
    return out


@builder
def vanishing_gradients() -> LivePlot:
    """How big the gradient of each layer is in a deep stack, per activation; the slider sets the depth.

    Left: the gradient norm of every layer's weights (layer 1 is next to the input). Right: the first layer's.
    All networks are precomputed when the widget is built; moving a control only redraws.
    """
    max_depth, floor = 30, 1e-30
    data = first_layer_gradients(max_depth=max_depth)
    names = list(_DEPTH_ACTIVATIONS)
    limits = {}  # one y-range per init, over every depth: moving the slider keeps the scale
    for init in _DEPTH_INITS:
        everything = [v for (i, _, _), norms in data.items() if i == init for v in norms]
        limits[init] = (max(min(everything), floor), max(everything))
    colors = {name: f"C{i}" for i, name in enumerate(names)}
    fig, (ax_l, ax_r) = new_figure(ncols=2, width=4.2, height=3.2)
    # animated: redrawn at every update over a kept picture of the rest (see plot.FigureRenderer)
    lines = {name: ax_l.plot([], [], "o-", ms=3, color=colors[name], label=name, animated=True)[0]
             for name in names}
    bars = ax_r.bar(names, [1.0] * len(names), color=[colors[n] for n in names], animated=True)
    labels = [ax_r.text(i, 1.0, "", ha="center", va="bottom", fontsize=8, animated=True) for i in range(len(names))]
    suptitle = fig.suptitle("", fontsize=10, animated=True)
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    for ax in (ax_l, ax_r):  # plain "1e-06" tick labels: mathtext's 10⁻⁶ costs more to draw than the plot
        ax.set_yscale("log")
        ax.yaxis.set_major_locator(LogLocator(base=10, numticks=5))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0e}"))
        ax.yaxis.set_minor_formatter(NullFormatter())
    _fixed_labels(ax_l, "layer (1 = next to the input)", "‖∂L/∂W‖ of the layer")
    _fixed_labels(ax_r, "", "first layer's ‖∂L/∂W₁‖")
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
        "depth": W.IntSlider(value=10, min=1, max=max_depth, description="depth", continuous_update=True),
        "init": W.Dropdown(options=list(_DEPTH_INITS), value=_DEPTH_INITS[0], description="init",
                           layout=W.Layout(width="380px")),
    }
    return LivePlot(draw, controls, title="Vanishing gradients: the gradient reaching each layer of a deep stack")


# ---- chapter 07: regularization ----

def train_regularized_mlp(
    p: float, weight_decay: float, noise: float, width: int, n_train: int, epochs: int = 300, seed: int = 0
) -> dict[str, Any]:
    """Train a 2-width-width-2 MLP with dropout ``p`` and AdamW(lr=0.01, ``weight_decay``) full-batch on
    ``n_train`` noisy moons; validate on 400 fresh ones after every epoch.

    Returns the model and per-epoch ``train_loss`` / ``val_loss`` (both measured in eval mode), ``val_acc`` and
    the data. Takes about a second (at most a few on a slow laptop) at the largest settings.
    """
    with num_threads(1):  # a model this small trains fastest on one thread
        return _train_regularized_mlp(p, weight_decay, noise, width, n_train, epochs, seed)


def _train_regularized_mlp(
    p: float, weight_decay: float, noise: float, width: int, n_train: int, epochs: int, seed: int
) -> dict[str, Any]:
    from torch import nn

    from .data import make_moons

    X, y = make_moons(n=n_train, noise=noise, seed=seed)
    X_val, y_val = make_moons(n=400, noise=noise, seed=seed + 1)
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(2, width), nn.ReLU(), nn.Dropout(p), nn.Linear(width, width), nn.ReLU(),
                          nn.Dropout(p), nn.Linear(width, 2))
    optimizer = torch.optim.AdamW(model.parameters(), lr=0.01, weight_decay=weight_decay)
    loss_fn = nn.CrossEntropyLoss()
    train_loss, val_loss = [], []
    for _ in range(epochs):
        model.train()
        loss = loss_fn(model(X), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        model.eval()
        with torch.no_grad():
            train_loss.append(loss_fn(model(X), y).item())
            val_loss.append(loss_fn(model(X_val), y_val).item())
    with torch.no_grad():
        val_acc = (model(X_val).argmax(1) == y_val).float().mean().item()
    return {"model": model, "train_loss": train_loss, "val_loss": val_loss, "val_acc": val_acc, "X": X, "y": y}


@builder
def regularization_playground() -> LivePlot:
    """Dropout, weight decay, noise, width and training-set size → press Train → the decision boundary and the
    train / validation loss curves. Sliders only change the settings (and the data shown); Train trains."""
    import matplotlib as mpl

    from .data import make_moons
    from .plot import CLASS_COLORS

    window = (-1.8, 2.8, -1.4, 1.9)
    n_grid = 90
    gx, gy = torch.meshgrid(torch.linspace(window[0], window[1], n_grid),
                            torch.linspace(window[2], window[3], n_grid), indexing="xy")
    grid = torch.stack([gx.reshape(-1), gy.reshape(-1)], dim=1)
    last: dict[str, Any] = {}

    fig, (ax, ax_loss) = new_figure(ncols=2, width=4.0, height=3.4)
    cmap = mpl.colors.ListedColormap(CLASS_COLORS[:2])
    image = ax.imshow(torch.zeros(n_grid, n_grid).numpy(), origin="lower", extent=window, cmap=cmap, vmin=-0.5,
                      vmax=1.5, alpha=0.25, aspect="auto", interpolation="nearest", visible=False)
    # animated: redrawn at every update over a kept picture of the rest (see plot.FigureRenderer); the
    # decision boundary and the curves change only when Train is pressed, which redraws everything
    points = ax.scatter([], [], s=16, edgecolors="white", linewidths=0.4, animated=True)
    ax.set(xlim=window[:2], ylim=window[2:], xticks=[], yticks=[])  # few texts to draw: a faster update
    ax.grid(False)
    ax.title.set_y(1.02)
    ax._autotitlepos = False
    (train_line,) = ax_loss.plot([], [], lw=1.5, label="train")
    (val_line,) = ax_loss.plot([], [], lw=1.5, label="validation")
    ax_loss.legend(fontsize=8, loc="upper right")
    ax_loss.set(xlim=(0, 300), ylim=(0, 1.0))
    for a in (ax, ax_loss):
        a.title.set_animated(True)
    _fixed_labels(ax_loss, "epoch", "cross-entropy loss")
    ax_loss.xaxis.set_major_locator(mpl.ticker.MaxNLocator(3, integer=True))
    ax_loss.yaxis.set_major_locator(mpl.ticker.MaxNLocator(4))

    def settings(p: float, weight_decay: float, noise: float, width: int, n_train: int) -> tuple:
        return (round(p, 4), round(weight_decay, 4), round(noise, 4), width, n_train)

    def draw(p: float, weight_decay: float, noise: float, width: int, n_train: int) -> Any:
        X, y = make_moons(n=n_train, noise=noise, seed=0)
        points.set_offsets(X.numpy())
        points.set_facecolors([CLASS_COLORS[int(c)] for c in y])
        now = settings(p, weight_decay, noise, width, n_train)
        if last:
            run = last["run"]
            stale = "" if last["settings"] == now else "  (settings changed: press Train)"
            ax.set_title(f"val. accuracy {run['val_acc']:.2f}{stale}", fontsize=10)
            best = min(run["val_loss"])
            ax_loss.set_title(f"train {run['train_loss'][-1]:.2f}, validation {run['val_loss'][-1]:.2f} "
                              f"(best {best:.2f})", fontsize=10)
        else:
            ax.set_title(f"{n_train} training points, noise {noise:.2f}: press Train", fontsize=10)
            ax_loss.set_title(f"dropout {p:.2f}, weight decay {weight_decay:.2f}, width {width}", fontsize=10)
        return fig

    def train(widget: LivePlot) -> None:
        values = widget.values()
        run = train_regularized_mlp(**values)
        with torch.no_grad():
            pred = run["model"](grid).argmax(1).reshape(n_grid, n_grid)
        image.set_data(pred.numpy())
        image.set_visible(True)
        epochs = range(1, len(run["train_loss"]) + 1)
        train_line.set_data(epochs, run["train_loss"])
        val_line.set_data(epochs, run["val_loss"])
        ax_loss.set_ylim(0, min(3.0, 1.1 * max(max(run["val_loss"]), max(run["train_loss"][5:]))))
        last.update(run=run, settings=settings(**values))

    controls = {
        "p": _slider(0.0, 0.0, 0.8, 0.05, "dropout p"),
        "weight_decay": _slider(0.0, 0.0, 1.0, 0.05, "weight decay"),
        "noise": _slider(0.3, 0.05, 0.5, 0.05, "noise"),
        "width": W.IntSlider(value=128, min=8, max=256, step=8, description="width",
                             layout=W.Layout(width="260px")),
        "n_train": W.IntSlider(value=40, min=20, max=200, step=10, description="train size",
                               layout=W.Layout(width="260px")),
    }
    return LivePlot(draw, controls, title="Regularization playground (AdamW, 300 full-batch epochs)",
                    buttons={"Train": train})


# ---- chapter 05: loss functions ----

def _loss_curves(r: torch.Tensor, delta: float, beta: float) -> dict[str, tuple[torch.Tensor, torch.Tensor]]:
    """Each regression loss of course_utils.losses at residuals ``r`` (target 0), and its derivative by autograd."""
    from . import losses

    curves = {}
    zero = torch.zeros_like(r)
    for name, fn in [("MSE", lambda x: losses.mse_loss(x, zero, reduction="none")),
                     ("MAE (L1)", lambda x: losses.l1_loss(x, zero, reduction="none")),
                     (f"Huber, δ = {delta:.2f}", lambda x: losses.huber_loss(x, zero, reduction="none", delta=delta)),
                     (f"Smooth L1, β = {beta:.2f}",
                      lambda x: losses.smooth_l1_loss(x, zero, reduction="none", beta=beta))]:
        x = r.clone().requires_grad_(True)
        value = fn(x)
        value.sum().backward()
        curves[name] = (value.detach(), x.grad)
    return curves


@builder
def loss_curves() -> LivePlot:
    """MSE, MAE, Huber (δ) and Smooth L1 (β) against the residual, with their derivatives."""
    r = torch.linspace(-4, 4, 161)
    fig, (ax_loss, ax_grad) = new_figure(ncols=2, width=4.0, height=3.0)
    first = _loss_curves(r, 1.0, 1.0)
    # animated: redrawn at every update over a kept picture of the rest (see plot.FigureRenderer)
    styles = ["-", "-", "-", "--"]
    loss_lines = [ax_loss.plot(r, v, lw=2, ls=ls, animated=True)[0] for (v, _), ls in zip(first.values(), styles)]
    grad_lines = [ax_grad.plot(r, g, lw=2, ls=ls, animated=True)[0] for (_, g), ls in zip(first.values(), styles)]
    marks = [ax.axvline(0, color="0.5", lw=0.8, ls=":", animated=True) for ax in (ax_loss, ax_loss, ax_grad, ax_grad)]
    _fixed_labels(ax_loss, "residual r = prediction − target", "loss")
    _fixed_labels(ax_grad, "residual r", "derivative dloss/dr")
    ax_loss.set(xlim=(-4, 4), ylim=(0, 6), xticks=[-4, -2, 0, 2, 4], yticks=[0, 2, 4, 6])  # few ticks: less text
    ax_grad.set(xlim=(-4, 4), ylim=(-3, 3), xticks=[-4, -2, 0, 2, 4], yticks=[-2, 0, 2])
    # a fixed legend (text is slow to draw); the values of δ and β are in the titles
    ax_loss.legend(loss_lines, ["MSE", "MAE (L1)", "Huber (δ)", "Smooth L1 (β)"], fontsize=8, loc="upper center")
    for ax in (ax_loss, ax_grad):
        ax.title.set_animated(True)

    def draw(delta: float, beta: float) -> Any:
        curves = _loss_curves(r, delta, beta)
        for i, (value, grad) in enumerate(curves.values()):
            loss_lines[i].set_ydata(value.numpy())  # NumPy: matplotlib unbinds tensors slowly
            grad_lines[i].set_ydata(grad.numpy())
        for mark, x in zip(marks, (-delta, delta, -beta, beta)):
            mark.set_xdata([x, x])
        ax_loss.set_title(f"quadratic inside ±δ = ±{delta:.2f} (Huber), ±β = ±{beta:.2f} (Smooth L1)", fontsize=9)
        ax_grad.set_title(f"capped at ±δ = ±{delta:.2f} (Huber), ±1 (Smooth L1)", fontsize=9)
        return fig

    controls = {"delta": _slider(1.0, 0.1, 3.0, 0.05, "Huber δ"), "beta": _slider(1.0, 0.1, 3.0, 0.05, "SmoothL1 β")}
    return LivePlot(draw, controls, title="Regression losses and their gradients")


def _fit_line(x: torch.Tensor, y: torch.Tensor, loss: str, delta: float = 1.0, iters: int = 60) -> torch.Tensor:
    """(slope, intercept) of the line minimizing the mean ``loss`` ("mse", "mae", "huber") of its residuals.

    MSE is least squares; MAE and Huber are iteratively reweighted least squares: weights 1/|r| (MAE) or
    min(1, δ/|r|) (Huber) turn each loss, locally, into a weighted squared error. ``x``, ``y``: (n,).
    Computed in NumPy: sixty tiny 2×2 solves are faster there than as torch operations.
    """
    import numpy as np

    A = np.stack([x.double().numpy(), np.ones(len(x))], axis=1)
    t = y.double().numpy()
    w = np.ones(len(t))
    coef = np.zeros(2)
    for _ in range(1 if loss == "mse" else iters):
        coef = np.linalg.solve(A.T @ (w[:, None] * A), A.T @ (w * t))
        r = np.abs(t - A @ coef)
        w = 1 / np.maximum(r, 1e-6) if loss == "mae" else delta / np.maximum(r, delta)
    return torch.from_numpy(coef)


@builder
def outlier_fit() -> LivePlot:
    """Drag one point away: the lines fitted under MSE, MAE and Huber follow it — or don't."""
    from .data import make_regression

    x, y = make_regression(n=20, noise=0.2, seed=0)
    x, y = x[:, 0], y[:, 0]
    x_out = 0.9
    grid = torch.tensor([-1.1, 1.1])
    fig, ax = new_figure(width=5.0, height=3.4)
    ax.scatter(x, y, s=18, color="0.3", label="data")
    # animated: redrawn at every update over a kept picture of the rest (see plot.FigureRenderer)
    (outlier,) = ax.plot([x_out], [0.0], "o", ms=8, color="C3", label="the outlier", animated=True)
    ax.plot(grid, 2 * grid + 0.5, color="0.6", lw=1, ls="--", label="true line y = 2x + 0.5")
    names = {"mse": "MSE", "mae": "MAE", "huber": "Huber"}
    lines = {k: ax.plot(grid, grid, lw=2, label=v, animated=True)[0] for k, v in names.items()}
    ax.set(xlim=(-1.1, 1.1), ylim=(-13, 16))
    _fixed_labels(ax, "x", "y")
    ax.legend(fontsize=8, loc="upper left", ncol=2)  # fixed: the slopes are in the title (text is slow to draw)
    ax.title.set_animated(True)

    def draw(outlier_shift: float, delta: float) -> Any:
        y_out = 2 * x_out + 0.5 + outlier_shift
        xs, ys = torch.cat([x, torch.tensor([x_out])]), torch.cat([y, torch.tensor([y_out])])
        outlier.set_ydata([y_out])
        slopes = []
        for key, line in lines.items():
            slope, intercept = _fit_line(xs, ys, key, delta)
            line.set_ydata((slope * grid + intercept).numpy())
            slopes.append(f"{names[key]} {slope.item():.2f}")
        ax.set_title(f"the outlier is {outlier_shift:+.1f} off the line; Huber δ = {delta:.2f}\n"
                     f"slopes (true: 2): {', '.join(slopes)}", fontsize=9)
        return fig

    controls = {"outlier_shift": _slider(10.0, -12.0, 12.0, 0.5, "outlier"),
                "delta": _slider(1.0, 0.1, 5.0, 0.1, "Huber δ")}
    return LivePlot(draw, controls, title="One outlier against MSE, MAE and Huber")


@builder
def cross_entropy_explorer() -> LivePlot:
    """Three logits → softmax probabilities, the cross-entropy of the true class and its gradient p − y."""
    fig, (ax_p, ax_g) = new_figure(ncols=2, width=3.6, height=3.0)
    classes = torch.arange(3)
    # animated: redrawn at every update over a kept picture of the rest (see plot.FigureRenderer)
    p_bars = ax_p.bar(classes, [1 / 3] * 3, color="0.7", animated=True)
    g_bars = ax_g.bar(classes, [0.0] * 3, color="0.7", animated=True)
    p_text = [ax_p.text(c, 0, "", ha="center", va="bottom", fontsize=8, animated=True) for c in range(3)]
    for ax in (ax_p, ax_g):
        ax.title.set_animated(True)
    ax_p.set(ylim=(0, 1.12), xticks=[0, 1, 2])
    ax_g.set(ylim=(-1.05, 1.05), xticks=[0, 1, 2])
    ax_g.axhline(0, color="0.3", lw=0.8)
    _fixed_labels(ax_p, "class", "softmax probability")
    _fixed_labels(ax_g, "class", "dL/dz = p − y")

    def draw(z0: float, z1: float, z2: float, true_class: int) -> Any:
        from .losses import cross_entropy

        z = torch.tensor([[z0, z1, z2]], requires_grad=True)
        loss = cross_entropy(z, torch.tensor([true_class]))
        loss.backward()
        p = torch.softmax(z.detach(), dim=1)[0]
        for c in range(3):
            color = "C2" if c == true_class else "0.7"
            p_bars[c].set_height(p[c].item())
            p_bars[c].set_color(color)
            p_text[c].set_position((c, p[c].item() + 0.01))
            p_text[c].set_text(f"{p[c].item():.2f}")
            g_bars[c].set_height(z.grad[0, c].item())
            g_bars[c].set_color(color)
        ax_p.set_title(f"CE = −log p[{true_class}] = {loss.item():.3f}", fontsize=9)
        ax_g.set_title("gradient on the logits (green: true class)", fontsize=9)
        return fig

    controls = {"z0": _slider(2.0, -5.0, 5.0, 0.1, "logit z0"), "z1": _slider(1.0, -5.0, 5.0, 0.1, "logit z1"),
                "z2": _slider(0.1, -5.0, 5.0, 0.1, "logit z2"),
                "true_class": W.Dropdown(options=[0, 1, 2], value=0, description="true class")}
    return LivePlot(draw, controls, title="Softmax and cross-entropy for three classes")


# ---- chapter 09: the network playground ----

_PG_MAX_UNIT_MAPS = 64  # hidden units drawn as heatmaps (input side first); any beyond are grey squares
_PG_FONTS: dict[bool, Any] = {}


def _pg_pixels(pixels: Any, x: int, y: int, zorder: float) -> Any:
    """An artist that pastes an RGBA uint8 array (rows bottom-up) at pixel (x, y) of its figure, as it is.

    ``Figure.figimage`` would resample the array even at its own size (about 50 ms for a whole 880×336 figure);
    this goes straight to the renderer (about 1 ms). Replace the picture by assigning ``artist.pixels``.
    """
    from matplotlib.artist import Artist

    class Pixels(Artist):
        def draw(self, renderer: Any) -> None:
            if self.get_visible():
                gc = renderer.new_gc()
                renderer.draw_image(gc, self.x, self.y, self.pixels)
                gc.restore()

    artist = Pixels()
    artist.pixels, artist.x, artist.y = pixels, x, y
    artist.set_zorder(zorder)
    return artist


def _pg_text(text: str, size: float, bold: bool = False) -> Any:
    """``text`` rasterized by FreeType as an alpha mask (rows bottom-up). ~1 ms, where a matplotlib Text costs
    a layout pass at every redraw: the playground draws all its text this way, into its overlay image."""
    import numpy as np
    from matplotlib.font_manager import FontProperties, findfont
    from matplotlib.ft2font import FT2Font, LoadFlags

    from .plot import DPI

    if bold not in _PG_FONTS:
        _PG_FONTS[bold] = FT2Font(findfont(FontProperties(weight="bold" if bold else "normal")))
    font = _PG_FONTS[bold]
    font.set_size(size, DPI)
    font.set_text(text, 0.0, flags=LoadFlags.NO_HINTING)
    font.draw_glyphs_to_bitmap(antialiased=True)
    return np.asarray(font.get_image())[::-1]


class _PlaygroundView:
    """The playground's picture: the network (a heatmap per input feature and per unit, weights as lines), the
    output over the plane with the train and test points, and the loss curves, under a header line.

    Made for speed (a redraw must stay well under 100 ms): the figure is laid out in whole pixels, and everything
    that is not a line or a point is composed in NumPy into two images that matplotlib pastes without resampling —
    an underlay (the output heatmap, beneath the points) and an overlay (the header, the network's squares and
    labels, above the weight lines). Text is rasterized with FreeType once per string, not laid out per redraw.
    """

    FIG_W, FIG_H = 880, 336  # pixels (11 × 4.2 inches at 80 dpi)
    NET = (0, 0, 456, 282)  # x, y, width, height in pixels, from the bottom left
    OUT = (470, 22, 228, 228)
    LOSS = (714, 22, 158, 228)
    CELL = 3  # the output heatmap: 76 × 76 cells of 3 × 3 pixels

    def __init__(self, pg: Any):
        import numpy as np
        from matplotlib.collections import LineCollection
        from matplotlib.colors import LinearSegmentedColormap
        from matplotlib.figure import Figure

        from .plot import CLASS_COLORS, DPI

        self.np, self.pg = np, pg
        self.cmap = LinearSegmentedColormap.from_list("playground", [CLASS_COLORS[0], "#ffffff", CLASS_COLORS[1]])
        self.lut = (self.cmap(np.linspace(0, 1, 256)) * 255).astype(np.uint8)  # (256, 4) RGBA
        self.light_lut = self.lut.copy()
        self.light_lut[:, 3] = 150  # the output heatmap, light enough for the points on it to show
        self.colors01 = np.array([self.cmap(0.0), self.cmap(1.0)])  # class 0 blue, class 1 orange
        fw, fh = self.FIG_W, self.FIG_H
        self.fig = fig = Figure(figsize=(fw / DPI, fh / DPI), dpi=DPI)

        def axes(box: tuple[int, int, int, int]) -> Any:
            x, y, w, h = box
            return fig.add_axes((x / fw, y / fh, w / fw, h / fh))

        self.W, self.H = self.NET[2], self.NET[3]
        self.ax_net = axes(self.NET)
        self.ax_net.set_axis_off()
        self.ax_net.set(xlim=(0, self.W), ylim=(0, self.H))  # data units = pixels
        self.edges = LineCollection([], capstyle="butt")
        self.ax_net.add_collection(self.edges)

        self.ax_out = ax = axes(self.OUT)
        ax.patch.set_visible(False)  # the heatmap underlay shows through
        ax.set(xticks=[], yticks=[])  # no numbers: text is the costliest part of a redraw
        ax.grid(False)
        self.train_pts = ax.scatter([], [], s=16, edgecolors="white", linewidths=0.6, zorder=3)
        self.test_pts = ax.scatter([], [], s=16, edgecolors="black", linewidths=0.8, zorder=3)
        n = self.OUT[2] // self.CELL
        self.underlay = fig.add_artist(_pg_pixels(np.zeros((n * self.CELL, n * self.CELL, 4), np.uint8),
                                                  self.OUT[0], self.OUT[1], zorder=-1))

        self.ax_loss = axl = axes(self.LOSS)
        axl.set(xticks=[], yticks=[])  # the numbers are in the header, as in TensorFlow Playground
        (self.train_line,) = axl.plot([], [], color="0.25", lw=1.4)
        (self.test_line,) = axl.plot([], [], color="#d62728", lw=1.4)

        self.overlay_pixels = np.zeros((fh, fw, 4), np.uint8)
        self.static = self.overlay_pixels.copy()  # text that changes only with the layout
        self.overlay = fig.add_artist(_pg_pixels(self.overlay_pixels, 0, 0, zorder=5))
        x, y = self.LOSS[0], self.LOSS[1] + self.LOSS[3] + 8
        for label, rgb in (("train loss", (64, 64, 64)), ("test loss", (214, 39, 40))):
            self.static[y - 1:y + 1, x:x + 14, :3] = rgb
            self.static[y - 1:y + 1, x:x + 14, 3] = 255
            x = self._blit(self.static, label, x + 18, y, 8, (40, 40, 40)) + 14
        self.data_key: Any = None
        self.rebuild()

    # -- text
    def _blit(self, target: Any, text: str, x: float, y: float, size: float, rgb: tuple, ha: str = "left",
              bold: bool = False) -> int:
        """Write ``text`` into the RGBA pixels ``target`` (rows bottom-up), vertically centred on y. Returns
        the x just right of the text."""
        alpha = _pg_text(text, size, bold)
        h, w = alpha.shape
        x0 = int(round(x - {"left": 0, "center": w / 2, "right": w}[ha]))
        y0 = int(round(y - h / 2))
        x1, y1 = min(x0 + w, target.shape[1]), min(y0 + h, target.shape[0])
        if x0 < 0 or y0 < 0 or x1 <= x0 or y1 <= y0:
            return x0 + w
        region = target[y0:y1, x0:x1]
        a = alpha[: y1 - y0, : x1 - x0]
        ink = a > 0
        region[..., :3][ink] = rgb
        region[..., 3] = self.np.maximum(region[..., 3], a)
        return x0 + w

    # -- layout of the network panel
    def rebuild(self) -> None:
        """Place the nodes and weight lines for the current features and hidden layers; new grids for the data."""
        from .playground import FEATURE_LABELS

        pg, s = self.pg, self.pg.settings
        widths = [len(s.features), *s.hidden, 1]
        n_cols, rows = len(widths), max(widths)
        left, right, bottom, top = 58, 26, 8, self.H - 22  # room for the column labels on top
        col_gap = (self.W - left - right) / (n_cols - 1)
        row_gap = min((top - bottom) / rows, 46.0)
        side = int(max(6, min(36, 0.8 * row_gap, 0.42 * col_gap)))
        self.side = side
        centers = []  # per column: (x, [y of each node]) in pixels, nodes top to bottom
        middle = (top + bottom) / 2
        for i, n in enumerate(widths):
            x = left + i * col_gap
            centers.append((x, [middle + ((n - 1) / 2 - j) * row_gap for j in range(n)]))
        self.corners = [[(int(round(x - side / 2)), int(round(y - side / 2))) for y in ys] for x, ys in centers]
        segments = []
        for (xa, ya), (xb, yb) in zip(centers, centers[1:]):
            for y_out in yb:  # the order of weight.reshape(-1): (out, in) row-major
                for y_in in ya:
                    segments.append(((xa + side / 2, y_in), (xb - side / 2, y_out)))
        self.edges.set_segments(segments)
        self.labels = self.static.copy()
        x0, ys = centers[0]
        nx, ny = self.NET[0], self.NET[1]
        for name, y in zip(s.features, ys):
            self._blit(self.labels, FEATURE_LABELS[name], nx + x0 - side / 2 - 5, ny + y, 9, (40, 40, 40),
                       ha="right")
        unit = " units" if col_gap > 62 else ""
        names = ["inputs", *[f"{h}{unit if h > 1 else unit[:5]}" for h in s.hidden], "output"]
        for (x, _), label in zip(centers, names):
            self._blit(self.labels, label, nx + x, ny + self.H - 10, 8.5, (70, 70, 70), ha="center")
        # grids over the data's window: one point per pixel of a node, and one per cell of the output heatmap
        window = pg.window()
        self.node_grid = self._grid(window, side)
        self.n_out = self.OUT[2] // self.CELL
        self.out_grid = self._grid(window, self.n_out)
        self.ax_out.set(xlim=window[:2], ylim=window[2:])
        key = (s.dataset, s.noise, s.n, s.train_fraction, s.data_seed)
        if key != self.data_key:
            self.data_key = key
            self._place_points()

    @staticmethod
    def _grid(window: tuple[float, float, float, float], res: int) -> torch.Tensor:
        """The centres of res × res cells tiling ``window``, (res·res, 2), rows of constant y, bottom row first."""
        x0, x1, y0, y1 = window
        xs = x0 + (torch.arange(res) + 0.5) * (x1 - x0) / res
        ys = y0 + (torch.arange(res) + 0.5) * (y1 - y0) / res
        gy, gx = torch.meshgrid(ys, xs, indexing="ij")
        return torch.stack([gx.reshape(-1), gy.reshape(-1)], dim=1)

    def _place_points(self) -> None:
        pg = self.pg
        n_train = pg.settings.n_train
        X = pg.X_raw.numpy()
        y = pg.y_raw[:, 0].numpy()
        if pg.settings.task == "classification":
            colors = self.colors01[y.astype(int)]
            self.y_mid, self.y_half = 0.5, 0.5
        else:
            lo, hi = float(y.min()), float(y.max())
            self.y_mid, self.y_half = (lo + hi) / 2, max((hi - lo) / 2, 1e-6)
            colors = self.cmap((y - lo) / (hi - lo + 1e-12))
        self.train_pts.set_offsets(X[:n_train])
        self.train_pts.set_facecolors(colors[:n_train])
        self.test_pts.set_offsets(X[n_train:])
        self.test_pts.set_facecolors(colors[n_train:])

    # -- drawing
    def _index(self, values: Any, center: float, scale: float | None) -> Any:
        """Map values to 0..255 LUT indices: center → 127.5, center ± scale → 0 / 255 (scale: max |v − center|)."""
        np = self.np
        v = values - center
        if scale is None:
            finite = np.abs(v[np.isfinite(v)])
            scale = float(finite.max()) if finite.size else 0.0
        v = v / scale if scale > 1e-12 else np.zeros_like(v)
        return np.clip(np.nan_to_num((v + 1) * 127.5, nan=127.5), 0, 255).astype(np.uint8)

    def _paint(self, values: Any, col: int, row: int, center: float = 0.0, scale: float | None = None) -> None:
        """Colour one node's square of the overlay with ``values`` (side·side,)."""
        side = self.side
        x0, y0 = self.corners[col][row]
        x0, y0 = x0 + self.NET[0], y0 + self.NET[1]
        self.overlay_pixels[y0:y0 + side, x0:x0 + side] = self.lut[self._index(values, center, scale)].reshape(
            side, side, 4)
        frame = self.overlay_pixels[y0 - 1:y0 + side + 1, x0 - 1:x0 + side + 1]  # a grey 1-pixel border
        frame[[0, -1], :] = (150, 150, 150, 255)
        frame[:, [0, -1]] = (150, 150, 150, 255)

    def render(self, status: str = "") -> Any:
        import math

        from . import playground as P

        np, pg, s = self.np, self.pg, self.pg.settings
        self.overlay_pixels[:] = self.labels
        outs = [o.numpy() for o in pg.layer_outputs(self.node_grid)]
        for j in range(outs[0].shape[1]):  # input features, each scaled by its own largest |value|
            self._paint(outs[0][:, j], 0, j)
        center = 0.5 if s.activation == "sigmoid" else 0.0
        shown = 0
        for layer, h in enumerate(outs[1:-1], start=1):
            for j in range(h.shape[1]):
                if shown < _PG_MAX_UNIT_MAPS:
                    self._paint(h[:, j], layer, j, center=center)
                else:
                    self._paint(np.zeros(h.shape[0]), layer, j)
                shown += 1
        logits = outs[-1][:, 0]
        if s.task == "classification":
            self._paint(1 / (1 + np.exp(-np.clip(logits, -60, 60))), len(outs) - 1, 0, center=0.5, scale=0.5)
        else:
            self._paint(logits, len(outs) - 1, 0, center=self.y_mid, scale=self.y_half)
        w = np.concatenate([weight.detach().reshape(-1).numpy() for weight in pg.weights])
        self.edges.set_linewidths(0.3 + np.minimum(3.2, 1.6 * np.abs(np.nan_to_num(w))))
        self.edges.set_color(self.colors01[(w > 0).astype(int)] * [1, 1, 1, 0.8])

        out = pg.predict(self.out_grid).numpy()
        cells = self.light_lut[self._index(out, self.y_mid, self.y_half)].reshape(self.n_out, self.n_out, 4)
        self.underlay.pixels = cells.repeat(self.CELL, axis=0).repeat(self.CELL, axis=1)

        h = pg.history
        self.train_line.set_data(range(len(h["train_loss"])), h["train_loss"])
        self.test_line.set_data(range(len(h["test_loss"])), h["test_loss"])
        finite = [v for v in h["train_loss"] + h["test_loss"] if math.isfinite(v)]
        self.ax_loss.set_xlim(0, max(10, pg.epoch))
        self.ax_loss.set_ylim(0, 1.08 * max(finite) if finite else 1.0)

        acc = f"   test accuracy {pg.test_accuracy:.2f}" if pg.test_accuracy is not None else ""
        diverged = "   (diverged: the loss is not finite)" if not math.isfinite(pg.train_loss) else ""
        self.header = (f"epoch {pg.epoch}   train loss {pg.train_loss:.3f}   test loss {pg.test_loss:.3f}"
                       f"{acc}{diverged}{status}")
        sched = {"none": "constant lr", "step": f"StepLR (×{s.gamma:g} every {s.step_size} epochs)",
                 "cosine": f"cosine lr over {s.t_max} epochs"}[s.schedule]
        reg = "no regularization" if s.regularization == "none" else s.regularization.upper()
        self.subheader = (f"{P.OPTIMIZER_LABELS[s.optimizer]}, lr {s.lr:g}, batch {s.batch_size}, {sched} · "
                          f"{reg} (rate {s.reg_rate:g}) · dropout {s.dropout:.2f}")
        self._blit(self.overlay_pixels, self.header, 8, self.FIG_H - 16, 12, (20, 20, 20), bold=True)
        self._blit(self.overlay_pixels, self.subheader, 8, self.FIG_H - 40, 9, (50, 50, 50))
        return self.fig


@builder
def playground(preset: str | None = None, settings: Any = None, play_epochs: int = 1000) -> LivePlot:
    """The network playground: data, features, layers, activation, init, optimizer, regularization, schedule.

    ``preset``: a name from ``course_utils.playground.PRESETS``; ``settings``: a ``Settings``, a dict, or the
    path of a JSON file saved by ``Playground.save`` (the widget then opens at that file's epoch). Buttons:
    Play trains in the background, a few epochs per frame, until Pause (or ``play_epochs`` epochs), and leaves
    the notebook free meanwhile; Step trains one epoch; Reset goes back to epoch 0 (the same initial weights);
    Regenerate data draws new points; Export code shows the run as a standalone PyTorch script. Moving a
    control starts again from epoch 0 with the new settings. ``widget.playground`` is the
    ``course_utils.playground.Playground`` behind the picture: read its history, or train it from code.
    """
    import asyncio
    import dataclasses
    import os

    from . import playground as P

    if isinstance(settings, (str, os.PathLike)):
        pg = P.Playground.load(settings)
    elif isinstance(settings, P.Playground):
        pg = settings
    else:
        if preset is not None and settings is not None:
            raise ValueError("pass `preset` or `settings`, not both")
        pg = P.Playground(preset=preset) if preset is not None else P.Playground(settings)
    s = pg.settings
    view = _PlaygroundView(pg)
    state: dict[str, Any] = {"task": None, "warning": ""}

    def small(control: Any, width: str = "230px") -> Any:
        control.layout = W.Layout(width=width)
        control.style = {"description_width": "70px"}
        return control

    names = {"xor": "XOR", "circles": "circles", "moons": "moons", "spirals": "spirals", "blobs": "Gaussian blobs",
             "regression": "regression plane"}
    feature_keys = {f"f_{i}": name for i, name in enumerate(P.FEATURES)}
    lrs = sorted(set(P.LR_CHOICES) | {s.lr})
    rates = sorted(set(P.REG_RATE_CHOICES) | {s.reg_rate})
    controls: dict[str, Any] = {
        "dataset": small(W.Dropdown(options=[(names[d], d) for d in P.DATASETS], value=s.dataset, description="data")),
        "noise": small(W.FloatSlider(value=s.noise, min=0.0, max=max(0.5, s.noise), step=0.05, description="noise",
                                     readout_format=".2f")),
        "train_pct": small(W.IntSlider(value=round(100 * s.train_fraction), min=10, max=90, step=5,
                                       description="train %")),
    }
    for key, name in feature_keys.items():
        controls[key] = W.Checkbox(value=name in s.features, description=P.FEATURE_LABELS[name], indent=False,
                                   layout=W.Layout(width="78px"))
    controls.update({
        "layers": small(W.IntSlider(value=len(s.hidden), min=0, max=6, description="layers")),
        "units": small(W.IntSlider(value=max(s.hidden, default=4), min=1, max=max(8, *s.hidden, 1),
                                   description="units")),
        "activation": small(W.Dropdown(options=[(P.ACTIVATION_LABELS[a], a) for a in P.ACTIVATIONS], value=s.activation,
                                       description="activation")),
        "init": small(W.Dropdown(options=[(P.INIT_LABELS[i], i) for i in P.INITS], value=s.init, description="init")),
        "optimizer": small(W.Dropdown(options=[(P.OPTIMIZER_LABELS[o], o) for o in P.OPTIMIZERS], value=s.optimizer,
                                      description="optimizer")),
        "lr": small(W.SelectionSlider(options=[(f"{v:g}", v) for v in lrs], value=s.lr, description="learning rate")),
        "batch_size": small(W.IntSlider(value=s.batch_size, min=1, max=max(30, s.batch_size),
                                        description="batch size")),
        "schedule": small(W.Dropdown(options=[("constant lr", "none"), ("StepLR", "step"),
                                              ("CosineAnnealingLR", "cosine")], value=s.schedule,
                                     description="schedule")),
        "regularization": small(W.Dropdown(options=[("none", "none"), ("L1", "l1"), ("L2", "l2")],
                                           value=s.regularization, description="regularize")),
        "reg_rate": small(W.SelectionSlider(options=[(f"{v:g}", v) for v in rates], value=s.reg_rate,
                                            description="reg. rate")),
        "dropout": small(W.FloatSlider(value=s.dropout, min=0.0, max=0.8, step=0.05, description="dropout p",
                                       readout_format=".2f")),
    })
    last = {k: c.value for k, c in controls.items()}

    def changed_settings(values: dict[str, Any]) -> dict[str, Any]:
        """The settings the controls moved since the last picture (only those: a preset's uneven layers stay)."""
        moved = {k for k, v in values.items() if last.get(k) != v}
        out: dict[str, Any] = {}
        for key in moved & {"dataset", "activation", "init", "optimizer", "lr", "batch_size", "schedule",
                            "regularization", "reg_rate"}:
            out[key] = values[key]
        if "noise" in moved:
            out["noise"] = round(values["noise"], 4)
        if "train_pct" in moved:
            out["train_fraction"] = values["train_pct"] / 100
        if "dropout" in moved:
            out["dropout"] = round(values["dropout"], 4)
        if moved & {"layers", "units"}:
            out["hidden"] = (values["units"],) * values["layers"]
        if moved & set(feature_keys):
            out["features"] = tuple(name for key, name in feature_keys.items() if values[key])
        return out

    def draw(**values: Any) -> Any:
        changes = changed_settings(values)
        warning = ""
        if "features" in changes and not changes["features"]:
            warning = "   ⚠ tick at least one input feature"
            del changes["features"]
        if changes:
            new = dataclasses.replace(pg.settings, **changes)  # a bad value raises here, before anything changes
            if new != pg.settings:
                pg.configure(new)
                view.rebuild()
        last.update(values)
        if warning:  # keep the unticked box counted as moved, so ticking any box applies the features again
            for key in feature_keys:
                last[key] = None
        playing = "   ▶ playing" if state["task"] is not None else ""
        return view.render(warning + playing)

    async def play_loop(widget: LivePlot, stop_at: int) -> None:
        try:
            while pg.epoch < stop_at:
                start = time.perf_counter()
                while pg.epoch < stop_at and time.perf_counter() - start < 0.15:
                    pg.step(1)  # about 0.15 s of training per frame ...
                widget.update()
                await asyncio.sleep(0.03)  # ... then the kernel's turn: clicks (Pause), slider moves
        except Exception as exc:  # shown in the widget, never raised into the notebook
            widget._show_error("Could not train", exc)
        if state["task"] is asyncio.current_task():  # finished (not paused): show the final picture
            state["task"] = None
            set_playing(widget, False)
            widget.update()

    def set_playing(widget: LivePlot, on: bool) -> None:
        widget.buttons["Play"].disabled = on
        widget.buttons["Pause"].disabled = not on

    def play(widget: LivePlot) -> None:
        if state["task"] is not None:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            raise RuntimeError("Play needs a running event loop, as in a Jupyter kernel: press Step instead, or "
                               "call widget.playground.step(n)") from None
        state["task"] = loop.create_task(play_loop(widget, pg.epoch + play_epochs))
        set_playing(widget, True)

    def pause(widget: LivePlot) -> None:
        task, state["task"] = state["task"], None
        if task is not None:
            task.cancel()
        set_playing(widget, False)

    def regenerate(widget: LivePlot) -> None:
        pg.regenerate()
        view.rebuild()

    def export(widget: LivePlot) -> None:
        code_box.value = pg.export_code()
        code_box.layout.display = "block"

    buttons = {"Play": play, "Pause": pause, "Step": lambda w: pg.step(1), "Reset": lambda w: pg.reset(),
               "Regenerate data": regenerate, "Export code": export}
    code_box = W.Textarea(value="", layout=W.Layout(width="98%", height="320px", display="none"))
    widget = LivePlot(draw, controls, title="Network playground", buttons=buttons)
    widget.playground = pg
    widget.view = view
    widget.code_box = code_box
    widget.buttons["Pause"].disabled = True
    note = W.HTML(f"<i>{html.escape(pg.settings.note)}</i>" if pg.settings.note else "")
    features_row = W.HBox([W.HTML("inputs:", layout=W.Layout(width="70px"))]
                          + [controls[k] for k in feature_keys])
    rows = [
        W.HBox([controls["dataset"], controls["noise"], controls["train_pct"]]),
        features_row,
        W.HBox([controls["layers"], controls["units"], controls["activation"], controls["init"]]),
        W.HBox([controls["optimizer"], controls["lr"], controls["batch_size"], controls["schedule"]]),
        W.HBox([controls["regularization"], controls["reg_rate"], controls["dropout"]]),
        W.HBox(list(widget.buttons.values())),
    ]
    widget.children = [widget.children[0], note, *rows, widget.image, widget.message, code_box]
    return widget


# ---- chapter 08: a CNN on MNIST ----

@builder
def cnn_explorer(model: Any = None, images: torch.Tensor | None = None, labels: torch.Tensor | None = None) -> LivePlot:
    """Look inside a CNN: pick an image (all, or only the misclassified ones), a conv layer and one of its
    channels; see the image titled "true label → prediction", that channel's filter (for a layer with several
    input channels, one row of weights per input channel), the feature map the filter makes from the image
    (before the activation; red positive, blue negative), and the predicted probabilities (green: the true
    class, red: a wrong prediction).

    ``model`` maps ``images`` (N, 1, H, W) to logits (N, classes); ``labels`` (N,). Without arguments: an
    untrained ``SimpleCNN`` on 64 of scikit-learn's digits (the chapter passes its trained model and test set).
    """
    from torch import nn

    if model is None:
        from .data import load_digits
        from .models import SimpleCNN

        images, labels = load_digits(split="test", resize=28)
        images, labels = images[:64], labels[:64]
        images = (images - images.mean()) / images.std()
        with torch.random.fork_rng():
            torch.manual_seed(0)
            model = SimpleCNN()
    if images is None or labels is None:
        raise ValueError("pass `images` (N, 1, H, W) and `labels` (N,) together with `model`")
    images, labels = images.detach().cpu(), torch.as_tensor(labels).cpu()
    convs = {name: m for name, m in model.named_modules() if isinstance(m, nn.Conv2d)}
    if not convs:
        raise ValueError("`model` has no nn.Conv2d layer to look into")
    device = next(model.parameters()).device
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            probs = torch.cat([torch.softmax(model(images[i:i + 256].to(device)), dim=1).cpu()
                               for i in range(0, len(images), 256)])
    finally:
        model.train(was_training)
    preds = probs.argmax(dim=1)
    wrong = (preds != labels).nonzero().flatten()
    cache: dict[int, dict[str, torch.Tensor]] = {}

    def feature_maps(index: int) -> dict[str, torch.Tensor]:
        """Every conv layer's output for one image (before its activation), via forward hooks; cached."""
        if index not in cache:
            maps: dict[str, torch.Tensor] = {}
            hooks = [conv.register_forward_hook(lambda _m, _i, out, name=name: maps.__setitem__(name, out[0].cpu()))
                     for name, conv in convs.items()]
            training = model.training
            model.eval()
            try:
                with torch.no_grad():
                    model(images[index:index + 1].to(device))
            finally:
                model.train(training)
                for h in hooks:
                    h.remove()
            if len(cache) > 128:
                cache.clear()
            cache[index] = maps
        return cache[index]

    fig, (ax_img, ax_filter, ax_map, ax_prob) = new_figure(ncols=4, width=2.4, height=2.5)
    # animated: redrawn at every update over a kept picture of the rest (see plot.FigureRenderer)
    im_img = ax_img.imshow(images[0, 0].numpy(), cmap="gray", interpolation="nearest", animated=True)
    im_filter = ax_filter.imshow(torch.zeros(5, 5).numpy(), cmap="RdBu_r", aspect="auto", interpolation="nearest",
                                 animated=True)
    im_map = ax_map.imshow(torch.zeros(28, 28).numpy(), cmap="RdBu_r", interpolation="nearest", animated=True)
    for ax in (ax_img, ax_filter, ax_map, ax_prob):
        ax.set(xticks=[], yticks=[])
        ax.grid(False)
        ax.title.set_animated(True)
    n_classes = probs.shape[1]
    bars = ax_prob.bar(range(n_classes), torch.zeros(n_classes).numpy(), color="0.7", animated=True)
    ax_prob.set(ylim=(0, 1.05), xticks=range(n_classes), yticks=[0, 0.5, 1])  # few tick labels: a faster redraw
    ax_prob.tick_params(labelsize=8)
    _fixed_labels(ax_prob, "class", "probability")

    def show(im: Any, ax: Any, data: torch.Tensor) -> None:
        h, w = data.shape
        lim = max(data.abs().max().item(), 1e-12)
        im.set_data(data.numpy())
        im.set_clim(-lim, lim)
        im.set_extent((-0.5, w - 0.5, h - 0.5, -0.5))
        ax.set(xlim=(-0.5, w - 0.5), ylim=(h - 0.5, -0.5))

    def draw(which: str, example: int, layer: str, channel: int) -> Any:
        pool = wrong if which == "misclassified" and len(wrong) else torch.arange(len(images))
        k = min(example, len(pool) - 1)
        index = int(pool[k])
        label, pred = int(labels[index]), int(preds[index])
        im_img.set_data(images[index, 0].numpy())
        im_img.set_clim(images[index].min().item(), images[index].max().item())
        what = ("misclassified" if which == "misclassified" and len(wrong) else
                "no mistakes: all" if which == "misclassified" else "image")
        ax_img.set_title(f"{what} {k + 1}/{len(pool)}: {label} → {pred}", fontsize=9,
                         color="black" if label == pred else "#c0392b")
        conv = convs[layer]
        c = min(channel, conv.out_channels - 1)
        weight = conv.weight[c].detach().cpu()                                # (in_channels, k_h, k_w)
        kh, kw = weight.shape[1:]
        if weight.shape[0] == 1:
            show(im_filter, ax_filter, weight[0])
            ax_filter.set_title(f"{layer} filter {c} ({kh}×{kw})", fontsize=9)
        else:
            show(im_filter, ax_filter, weight.reshape(weight.shape[0], kh * kw))
            ax_filter.set_title(f"{layer} filter {c}: {weight.shape[0]} rows × {kh}·{kw}", fontsize=9)
        fmap = feature_maps(index)[layer][c]
        show(im_map, ax_map, fmap)
        ax_map.set_title(f"feature map {c + 1}/{conv.out_channels} ({fmap.shape[0]}×{fmap.shape[1]})", fontsize=9)
        for j, bar in enumerate(bars):
            bar.set_height(probs[index, j].item())
            bar.set_color("#2ca02c" if j == label else "#c0392b" if j == pred else "0.7")
        ax_prob.set_title(f"P(predicted {pred}) = {probs[index, pred].item():.2f}", fontsize=9)
        return fig

    first = next(iter(convs.values()))
    controls = {
        # "which" before "example" and "layer" before "channel": each first one sets the second one's range
        "which": W.Dropdown(options=["all", "misclassified"], value="all", description="images"),
        "example": W.IntSlider(value=0, min=0, max=len(images) - 1, description="example",
                               layout=W.Layout(width="260px")),
        "layer": W.Dropdown(options=list(convs), value=next(iter(convs)), description="layer"),
        "channel": W.IntSlider(value=0, min=0, max=first.out_channels - 1, description="channel",
                               layout=W.Layout(width="260px")),
    }

    def on_which(change: dict) -> None:
        n = len(wrong) if change["new"] == "misclassified" and len(wrong) else len(images)
        controls["example"].max = n - 1

    def on_layer(change: dict) -> None:
        controls["channel"].max = convs[change["new"]].out_channels - 1

    controls["which"].observe(on_which, names="value")  # registered before LivePlot's redraw
    controls["layer"].observe(on_layer, names="value")
    return LivePlot(draw, controls, title="Inside the CNN: filters, feature maps, predictions")


@builder
def cnn_trainer(train_size: int = 512, val_size: int = 256) -> LivePlot:
    """Pick a model (MLP, SimpleCNN, ResNetSmall) and a budget of epochs, press Train: the loss and accuracy curves
    (train and validation) are redrawn after every epoch. Moving a control is free: it only updates the plan
    shown above the curves (the model's parameter count and the number of batches); the curves stay those of the
    last training until Train is pressed again.

    The data: ``train_size`` and ``val_size`` of scikit-learn's digits at 28×28 (no download), normalized,
    batches of 64, Adam (lr 1e-3), seeded, so that one epoch takes well under a second for each model.
    """
    from torch.utils.data import DataLoader, TensorDataset

    from . import set_seed
    from .data import load_digits
    from .models import MLP, ResNetSmall, SimpleCNN
    from .train import fit

    factories = {"MLP": MLP, "SimpleCNN": SimpleCNN, "ResNetSmall": ResNetSmall}
    images, labels = load_digits(split="all", resize=28)
    images = (images - images.mean()) / images.std()
    train_set = TensorDataset(images[:train_size], labels[:train_size])
    val_loader = DataLoader(TensorDataset(images[train_size:train_size + val_size],
                                          labels[train_size:train_size + val_size]), batch_size=256)
    batches = -(-train_size // 64)
    n_params: dict[str, int] = {}

    def count(name: str) -> int:
        if name not in n_params:
            with torch.random.fork_rng():
                n_params[name] = sum(p.numel() for p in factories[name]().parameters())
        return n_params[name]

    state: dict[str, Any] = {"history": None, "name": None}
    fig, (ax_loss, ax_acc) = new_figure(ncols=2, width=3.4, height=2.9)
    lines = {}
    for ax, key in ((ax_loss, "loss"), (ax_acc, "acc")):
        # animated: redrawn at every update over a kept picture of the rest (see plot.FigureRenderer)
        lines[f"train_{key}"] = ax.plot([], [], "o-", ms=3, color="C0", label="train", animated=True)[0]
        lines[f"val_{key}"] = ax.plot([], [], "o-", ms=3, color="C1", label="validation", animated=True)[0]
    ax_loss.set(xlabel="epoch", ylabel="cross-entropy loss", xlim=(0.5, 6.5), ylim=(0, 2.5))
    ax_acc.set(xlabel="epoch", ylabel="accuracy", xlim=(0.5, 6.5), ylim=(0, 1.02))
    ax_acc.legend(fontsize=8, loc="lower right")
    plan = fig.suptitle("", fontsize=9, animated=True)
    result = ax_loss.set_title("not trained yet: press Train", fontsize=9)
    result.set_animated(True)

    def draw(model: str, epochs: int) -> Any:
        plan.set_text(f"next run: {model} ({count(model):,} parameters), {epochs} epoch{'s' * (epochs > 1)} × "
                      f"{batches} batches of 64 = {epochs * batches} steps")
        history = state["history"]
        if history is not None:
            x = list(range(1, history.epochs + 1))
            for key, line in lines.items():
                line.set_data(x, getattr(history, key))
            top = max(history.train_loss + history.val_loss)
            ax_loss.set_ylim(0, max(2.5, 1.05 * top))
            result.set_text(f"last run: {state['name']}, val. acc. {history.val_acc[-1]:.0%}")
        return fig

    def train(widget: LivePlot) -> None:
        name, epochs = widget.controls["model"].value, widget.controls["epochs"].value
        set_seed(0)
        model = factories[name]()
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
        loader = DataLoader(train_set, batch_size=64, shuffle=True)
        state["name"], state["history"] = name, None
        for _ in range(epochs):  # one epoch at a time, redrawing in between: live curves
            one = fit(model, loader, torch.nn.CrossEntropyLoss(), optimizer, 1, val_loader=val_loader,
                      progress=False)
            if state["history"] is None:
                state["history"] = one
            else:
                for key in ("train_loss", "val_loss", "train_acc", "val_acc", "lr", "epoch_time"):
                    getattr(state["history"], key).extend(getattr(one, key))
            widget.update()

    controls = {
        "model": W.Dropdown(options=list(factories), value="MLP", description="model"),
        "epochs": W.IntSlider(value=3, min=1, max=6, description="epochs", layout=W.Layout(width="260px")),
    }
    return LivePlot(draw, controls, title="Train a model on the digits: live curves", buttons={"Train": train})
