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

from .plot import fig_to_png, new_figure

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
        self.image = W.Image(format="png")
        self.message = W.HTML()
        self.renders = 0
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
            fig = self.draw(**self.values())
            png = fig_to_png(fig)
            # Lay the figure out once: a builder that reuses its figure then skips the costly layout pass.
            fig.set_layout_engine("none")
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
    (curve,) = ax.plot(x, torch.sigmoid(x), lw=2)
    ax.axhline(0.5, color="0.6", lw=0.8, ls="--")
    middle = ax.axvline(0.0, color="C3", lw=1, ls=":")
    ax.set(xlim=(-6, 6), ylim=(-0.05, 1.05), xlabel="x", ylabel="σ(w·x + b)")

    def draw(w: float, b: float) -> Any:
        curve.set_ydata(torch.sigmoid(w * x + b))
        middle.set_visible(w != 0)
        if w != 0:
            middle.set_xdata([-b / w, -b / w])
        where = f";  σ = 0.5 at x = −b/w = {-b / w:.2f}" if w != 0 else ""
        ax.set_title(f"w = {w:.2f}, b = {b:.2f}{where}", fontsize=10)
        return fig

    controls = {"w": _slider(1.0, -5.0, 5.0, 0.1, "w"), "b": _slider(0.0, -5.0, 5.0, 0.1, "b")}
    return LivePlot(draw, controls, title="A single neuron: y = σ(w·x + b)")
