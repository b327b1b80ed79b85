"""Chapter 09's network playground: the controls and buttons around :class:`~.playground_view.PlaygroundView`."""

from __future__ import annotations

import asyncio
import dataclasses
import html
import os
import time
from collections.abc import Callable, Mapping
from typing import Any

import ipywidgets as W

from .. import playground as P
from ..i18n import N_, _
from ._core import LivePlot, Training, builder
from .playground_view import PlaygroundView

_DATASET_NAMES = {"xor": "XOR", "circles": N_("circles"), "moons": N_("moons"), "spirals": N_("spirals"),
                  "blobs": N_("Gaussian blobs"), "regression": N_("regression plane")}  # shown with _()
_FEATURE_KEYS = {f"f_{i}": name for i, name in enumerate(P.FEATURES)}  # one checkbox per input feature
STAGE_EPOCHS = 100  # a playground shown untrained: the epoch its stages of training (see stages()) go up to
_SETTING_KEYS = {"dataset", "activation", "init", "optimizer", "lr", "batch_size", "schedule", "regularization",
                 "reg_rate"}  # controls whose value is the setting of the same name, as it is


def _small(control: Any, width: str = "230px") -> Any:
    control.layout = W.Layout(width=width)
    control.style = {"description_width": "70px"}
    return control


def _controls(s: P.Settings) -> dict[str, Any]:
    """The playground's controls, showing the settings ``s``."""
    lrs = sorted(set(P.LR_CHOICES) | {s.lr})
    rates = sorted(set(P.REG_RATE_CHOICES) | {s.reg_rate})
    controls: dict[str, Any] = {
        "dataset": _small(W.Dropdown(options=[(_(_DATASET_NAMES[d]), d) for d in P.DATASETS], value=s.dataset,
                                     description=_("data"))),
        "noise": _small(W.FloatSlider(value=s.noise, min=0.0, max=max(0.5, s.noise), step=0.05,
                                      description=_("noise"), readout_format=".2f")),
        "train_pct": _small(W.IntSlider(value=round(100 * s.train_fraction), min=10, max=90, step=5,
                                        description=_("train %"))),
    }
    for key, name in _FEATURE_KEYS.items():
        controls[key] = W.Checkbox(value=name in s.features, description=_(P.FEATURE_LABELS[name]), indent=False,
                                   layout=W.Layout(width="78px"))
    controls.update({
        "layers": _small(W.IntSlider(value=len(s.hidden), min=0, max=6, description=_("layers"))),
        "units": _small(W.IntSlider(value=max(s.hidden, default=4), min=1, max=max(8, *s.hidden, 1),
                                    description=_("units"))),
        "activation": _small(W.Dropdown(options=[(_(P.ACTIVATION_LABELS[a]), a) for a in P.ACTIVATIONS],
                                        value=s.activation, description=_("activation"))),
        "init": _small(W.Dropdown(options=[(_(P.INIT_LABELS[i]), i) for i in P.INITS], value=s.init,
                                  description=_("init"))),
        "optimizer": _small(W.Dropdown(options=[(_(P.OPTIMIZER_LABELS[o]), o) for o in P.OPTIMIZERS],
                                       value=s.optimizer, description=_("optimizer"))),
        "lr": _small(W.SelectionSlider(options=[(f"{v:g}", v) for v in lrs], value=s.lr,
                                       description=_("learning rate"))),
        "batch_size": _small(W.IntSlider(value=s.batch_size, min=1, max=max(30, s.batch_size),
                                         description=_("batch size"))),
        "schedule": _small(W.Dropdown(options=[(_("constant lr"), "none"), ("StepLR", "step"),
                                               ("CosineAnnealingLR", "cosine")], value=s.schedule,
                                      description=_("schedule"))),
        "regularization": _small(W.Dropdown(options=[(_("none"), "none"), ("L1", "l1"), ("L2", "l2")],
                                            value=s.regularization, description=_("regularize"))),
        "reg_rate": _small(W.SelectionSlider(options=[(f"{v:g}", v) for v in rates], value=s.reg_rate,
                                             description=_("reg. rate"))),
        "dropout": _small(W.FloatSlider(value=s.dropout, min=0.0, max=0.8, step=0.05, description=_("dropout p"),
                                        readout_format=".2f")),
    })
    return controls


class PlaygroundWidget(LivePlot):
    """The network playground as a widget: :class:`LivePlot` plus the state a playground needs.

    ``playground`` is the ``course_utils.playground.Playground`` behind the picture (read its history, or train
    it from code); ``view`` the :class:`PlaygroundView` that draws it; ``code_box`` the text area that Export
    code fills. Moving a control reconfigures the playground (back to epoch 0); the buttons train it.

    Its ``training`` (see :meth:`LivePlot.stages`) is Play's, in five stages: epochs 0, E/8, E/4, E/2 and E, where
    E is the epoch the widget opened at (a playground given trained), or ``STAGE_EPOCHS`` when it opened at 0.
    """

    def __init__(self, pg: P.Playground, play_epochs: int = 1000):
        self.playground = pg
        self.view = PlaygroundView(pg)
        self.play_epochs = play_epochs
        self.code_box = W.Textarea(value="", layout=W.Layout(width="98%", height="320px", display="none"))
        self._task: asyncio.Task | None = None  # the Play loop, while it runs
        controls = _controls(pg.settings)
        self._last: dict[str, Any] = {k: c.value for k, c in controls.items()}  # the values last drawn
        buttons: dict[str, Callable[[LivePlot], object]] = {  # keys name the buttons in code; shown with _()
            N_("Play"): lambda w: self._play(), N_("Pause"): lambda w: self._pause(),
            N_("Step"): lambda w: pg.step(1), N_("Reset"): lambda w: pg.reset(),
            N_("Regenerate data"): lambda w: self._regenerate(), N_("Export code"): lambda w: self._export()}
        note = W.HTML(f"<i>{html.escape(_(pg.settings.note))}</i>" if pg.settings.note else "")
        rows = [
            [note],
            ["dataset", "noise", "train_pct"],
            [W.HTML(_("inputs:"), layout=W.Layout(width="70px")), *_FEATURE_KEYS],
            ["layers", "units", "activation", "init"],
            ["optimizer", "lr", "batch_size", "schedule"],
            ["regularization", "reg_rate", "dropout"],
        ]
        super().__init__(self._draw, controls, title=_("Network playground"), buttons=buttons, rows=rows,
                         footer=[self.code_box])
        self.buttons["Pause"].disabled = True
        # what the picture shows is the playground's settings and epoch: seeded, so they build it again
        self.state_arguments = lambda folder: {"settings": pg.to_dict(), "play_epochs": self.play_epochs}
        last = pg.epoch or STAGE_EPOCHS
        self.stage_epochs = sorted({0, last // 8, last // 4, last // 2, last})
        self.training = Training("Play", self._stages, lambda: pg.epoch)

    def _stages(self) -> Any:
        """Train from epoch 0 with the current settings, stopping at each of ``stage_epochs`` (seeded, and the
        same however the epochs are split: the stage at E is the state Play or ``step(E)`` reaches)."""
        pg = self.playground
        pg.reset()
        for epoch in self.stage_epochs:
            pg.step(epoch - pg.epoch)
            yield pg.epoch

    # -- the picture
    def _changed_settings(self, values: dict[str, Any]) -> dict[str, Any]:
        """The settings the controls moved since the last picture (only those: a preset's uneven layers stay)."""
        moved = {k for k, v in values.items() if self._last.get(k) != v}
        out: dict[str, Any] = {key: values[key] for key in moved & _SETTING_KEYS}
        if "noise" in moved:
            out["noise"] = round(values["noise"], 4)
        if "train_pct" in moved:
            out["train_fraction"] = values["train_pct"] / 100
        if "dropout" in moved:
            out["dropout"] = round(values["dropout"], 4)
        if moved & {"layers", "units"}:
            out["hidden"] = (values["units"],) * values["layers"]
        if moved & set(_FEATURE_KEYS):
            out["features"] = tuple(name for key, name in _FEATURE_KEYS.items() if values[key])
        return out

    def _draw(self, **values: Any) -> Any:
        pg = self.playground
        changes = self._changed_settings(values)
        warning = ""
        if "features" in changes and not changes["features"]:
            warning = "   ⚠ tick at least one input feature"
            del changes["features"]
        if changes:
            new = dataclasses.replace(pg.settings, **changes)  # a bad value raises here, before anything changes
            if new != pg.settings:
                pg.configure(new)
                self.view.rebuild()
        self._last.update(values)
        if warning:  # keep the unticked box counted as moved, so ticking any box applies the features again
            for key in _FEATURE_KEYS:
                self._last[key] = None
        playing = "   ▶ playing" if self._task is not None else ""
        return self.view.render(warning + playing)

    # -- the buttons
    async def _play_loop(self, stop_at: int) -> None:
        pg = self.playground
        try:
            while pg.epoch < stop_at:
                start = time.perf_counter()
                while pg.epoch < stop_at and time.perf_counter() - start < 0.15:
                    pg.step(1)  # about 0.15 s of training per frame ...
                self.update()
                await asyncio.sleep(0.03)  # ... then the kernel's turn: clicks (Pause), slider moves
        except Exception as exc:  # shown in the widget, never raised into the notebook
            self.show_error(_("Could not train"), exc)
        if self._task is asyncio.current_task():  # finished (not paused): show the final picture
            self._task = None
            self._set_playing(False)
            self.update()

    def _set_playing(self, on: bool) -> None:
        self.buttons["Play"].disabled = on
        self.buttons["Pause"].disabled = not on

    def _play(self) -> None:
        if self._task is not None:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            raise RuntimeError(_("Play needs a running event loop, as in a Jupyter kernel: press Step instead, or "
                                 "call widget.playground.step(n)")) from None
        self._task = loop.create_task(self._play_loop(self.playground.epoch + self.play_epochs))
        self._set_playing(True)

    def _pause(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
        self._set_playing(False)

    def _regenerate(self) -> None:
        self.playground.regenerate()
        self.view.rebuild()

    def _export(self) -> None:
        self.code_box.value = self.playground.export_code()
        self.code_box.layout.display = "block"


@builder(trains=True)
def playground(preset: str | None = None, settings: Any = None, play_epochs: int = 1000) -> PlaygroundWidget:
    """The network playground: data, features, layers, activation, init, optimizer, regularization, schedule.

    ``preset``: a name from ``course_utils.playground.PRESETS``; ``settings``: a ``Settings``, a dict, a
    ``Playground``, the path of a JSON file saved by ``Playground.save``, or the dict of ``Playground.to_dict()``
    (the widget then opens at that epoch, trained again: seeded, so in the same state). Buttons: Play trains in
    the background, a few epochs per frame, until Pause (or ``play_epochs`` epochs), and leaves the notebook free
    meanwhile; Step trains one epoch; Reset goes back to epoch 0 (the same initial weights); Regenerate data draws
    new points; Export code shows the run as a standalone PyTorch script.
    Moving a control starts again from epoch 0 with the new settings. ``widget.playground`` is the
    ``course_utils.playground.Playground`` behind the picture: read its history, or train it from code.
    """
    if preset is not None and settings is not None:
        raise ValueError(_("pass `preset` or `settings`, not both"))
    if isinstance(settings, str | os.PathLike):
        pg = P.Playground.load(settings)
    elif isinstance(settings, P.Playground):
        pg = settings
    elif isinstance(settings, Mapping) and "settings" in settings:
        pg = P.Playground.from_dict(settings)
    else:
        pg = P.Playground(preset=preset) if preset is not None else P.Playground(settings)
    return PlaygroundWidget(pg, play_epochs)
