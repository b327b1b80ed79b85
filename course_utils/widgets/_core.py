"""The widget framework: :class:`LivePlot`, the ``BUILDERS`` registry with its ``@builder`` decorator, and the
small control helpers the builders share."""

from __future__ import annotations

import dataclasses
import functools
import html
import inspect
import json
import time
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

import ipywidgets as W

from ..i18n import _
from ._render import FigureRenderer
from .record import STATE_FOLDER_VARIABLE, WidgetRecord, _is_plain, in_state_folder, state_file
from .record import state_folder as shown_state_folder

# the record's names stay importable from here, where they were first released
__all__ = ["LivePlot", "Layout", "Stage", "Training", "BUILDERS", "builder", "slider", "choices",
           "STATE_FOLDER_VARIABLE", "state_file", "in_state_folder"]

Row = Sequence["str | W.Widget"]  # a row of the layout: control names and any other widgets, left to right


class Layout(NamedTuple):
    """How a :class:`LivePlot` lays out its controls: ``rows`` of control names, top to bottom (each control once;
    other widgets of a row left out), then ``buttons``, their labels as the learner reads them."""

    rows: list[list[str]]
    buttons: list[str]


class Stage(NamedTuple):
    """One stage of a widget's training (:meth:`LivePlot.stages`): the ``epoch`` reached, the picture then (``png``,
    PNG bytes) and the widget's text line then (``caption``, empty for a widget without one)."""

    epoch: int
    png: bytes
    caption: str


class Training(NamedTuple):
    """How a widget that trains (a button whose action trains its model) trains, step by step: set by its builder
    as ``widget.training``, read by :meth:`LivePlot.stages` (the website shows training without a kernel so).

    ``button``: the key of the button that trains ("Play", "Train"). ``run()``: train from scratch with the
    controls' current values, seeded as the button's action is (the same result), and yield the epoch reached at
    each stage, a few of them along the way, the first before any training, the state of that stage in place
    for the widget's next redraw. ``shown()``: the epoch of the stage that the widget shows now, or None when
    its picture is none of its stages.
    """

    button: str
    run: Callable[[], Iterator[int]]
    shown: Callable[[], int | None]


class LivePlot(W.VBox):
    """Controls + a picture redrawn by ``draw(**values)`` (which returns a Figure) whenever a control moves.

    ``controls`` maps each of ``draw``'s keyword arguments to the control that sets it. ``buttons`` maps a label to
    an action ``fn(widget)`` run on click (training, a step, a reset …), after which the picture is redrawn; use
    them for anything slow, so sliders stay instant. ``press(label)`` does the same from code (tests, or a
    teacher's cell). ``rows`` lays the controls out, one list per row of control names (or other widgets, e.g. a
    label); by default three controls a row. The buttons get a row of their own under them; ``footer`` widgets
    go under the picture.

    ``caption(**values)``, when given, returns the widget's text line for the controls' values: words that change
    with a control (a step's explanation …), shown under the picture in the course's language (text inside the
    figure stays English). It is computed at every redraw (``caption_text``); the website stores it with each
    precomputed picture.

    **The fast-redraw contract.** The picture goes through a :class:`~course_utils.widgets.FigureRenderer`, which
    draws the figure once, keeps that picture, and at each update redraws only the *animated* artists over it.
    So every artist whose look depends on a slider (its data, text, colour, visibility) must be made with
    ``animated=True`` (or ``artist.set_animated(True)``), titles included. Everything else is redrawn only when a
    non-slider control (a dropdown, a checkbox) or a button changes, or when an axes' limits, scale or position
    change. An artist that a slider changes but that is not animated shows a stale picture:
    ``tests/test_widgets.py`` compares every update with a full redraw, pixel for pixel, to catch that.

    A widget whose button trains a model says how, stage by stage, in ``training`` (a :class:`Training`, set by
    its builder); :meth:`stages` then gives the pictures of a few epochs of training for any control values
    (the website plays them when its Play or Train button is pressed).

    A control that moves others (e.g. a new surface moves the start sliders) registers that with
    :meth:`on_change`, or wraps the moves in :meth:`hold`: the widget then redraws once, not once per control.
    An exception while drawing or in a button's action is shown in the widget (:meth:`show_error`), never raised
    into the notebook. Tests drive a widget by setting a control's ``.value`` and reading ``renders``,
    ``last_error`` and ``image.value``.
    """

    def __init__(
        self,
        draw: Callable[..., Any],
        controls: dict[str, W.ValueWidget],
        title: str | None = None,
        buttons: dict[str, Callable[[LivePlot], object]] | None = None,
        rows: Sequence[Row] | None = None,
        footer: Sequence[W.Widget] = (),
        caption: Callable[..., str] | None = None,
    ):
        self.draw = draw
        self.caption = caption
        self.caption_text = ""  # the text line shown now (caption's answer at the last redraw)
        self.text = W.HTML()  # the text line under the picture
        self.controls = controls
        self.actions = dict(buttons or {})
        # a button's key names it in code (press("train")); the learner reads it in the course's language
        self.buttons = {label: W.Button(description=_(label)) for label in self.actions}
        for label, button in self.buttons.items():
            button.on_click(lambda _b, label=label: self.press(label))
        self.title = title or _("widget")
        # how this widget was made, set by @builder: {"builder": name, "kwargs": JSON-ready arguments or None}
        self.origin: dict[str, Any] = {"builder": None, "kwargs": None}
        self.touched = False  # update() was called: the picture shows a state the controls alone do not set
        # set by a builder whose widget can say how to build its current state again (see rebuild_arguments)
        self.state_arguments: Callable[[Path | None], dict[str, Any] | None] | None = None
        # set by a builder whose widget trains: how to train it stage by stage (see Training and stages())
        self.training: Training | None = None
        # natural size: stretched to the output width, an 80-dpi PNG would look blurred
        self.image = W.Image(format="png", layout=W.Layout(width="auto", align_self="flex-start"))
        self.message = W.HTML()
        self.renders = 0
        self.presses = 0  # button presses so far: each may change what the figure shows anywhere
        self.renderer: FigureRenderer | None = None
        self.last_error: Exception | None = None
        self.last_update_s: float | None = None
        self._holds = 0  # depth of nested hold() blocks
        self._stale = False  # a control moved during a hold(): redraw when it ends
        self._reactions: dict[str, list[Callable[[Any], None]]] = {}
        header = [W.HTML(f"<b>{html.escape(title)}</b>")] if title else []
        if rows is None:
            names = list(controls)
            rows = [names[i:i + 3] for i in range(0, len(names), 3)]
        boxes = [W.HBox([controls[item] if isinstance(item, str) else item for item in row]) for row in rows]
        named = [[item for item in row if isinstance(item, str)] for row in rows]
        placed = {name for row in named for name in row}
        self._rows = [row for row in named if row] + [[name] for name in controls if name not in placed]
        if self.buttons:
            boxes.append(W.HBox(list(self.buttons.values())))
        lines = [self.text] if caption is not None else []
        super().__init__([*header, *boxes, self.image, *lines, self.message, *footer])
        self.add_class("course-widget")
        for name, control in controls.items():
            control.observe(lambda change, name=name: self._on_change(name, change["new"]), names="value")
        self.redraw()

    def _repr_mimebundle_(self, **kwargs: Any) -> dict | tuple[dict, dict] | None:
        """Add the current picture as a PNG, so a notebook viewed without a kernel (e.g. on GitHub) shows it, and
        the widget's :meth:`record` as the output's metadata ``course_widget``, made with the state folder of
        :func:`~course_utils.widgets.record.state_folder` (none unless the notebook build or
        ``save_state_to`` sets one). The website (``tools/website.py``) builds the widget again from that record
        and precomputes its pictures, so its controls still answer on a page without a kernel.
        """
        bundle = super()._repr_mimebundle_(**kwargs)
        if bundle is None:
            return None
        bundle["text/plain"] = _("{title} (interactive: run the notebook to move the controls)").format(
            title=self.title)
        if self.image.value:
            bundle["image/png"] = bytes(self.image.value)
        return bundle, {"course_widget": self.record(shown_state_folder()).to_json()}

    def record(self, state_folder: Path | None = None) -> WidgetRecord:
        """How to build this widget again as it is shown now (see ``course_utils.widgets.record``): its builder and
        arguments, the controls' values, buttons pressed, whether ``update()`` redrew it, and ``rebuild``, the
        builder's arguments for the state shown (:meth:`rebuild_arguments`; a state that needs a file is saved
        into ``state_folder``, when one is given). Never raises for a state that cannot be saved: a warning says
        why, and ``rebuild`` is None."""
        try:
            rebuild = self.rebuild_arguments(state_folder)
        except Exception as exc:  # the notebook still shows the widget; the website keeps its picture
            warnings.warn(f"{self.origin['builder']}: its state could not be saved for the website: {exc!r}",
                          stacklevel=2)
            rebuild = None
        return WidgetRecord(builder=self.origin["builder"], kwargs=self.origin["kwargs"],
                            values={name: value for name, value in self.values().items() if _is_plain(value)},
                            presses=self.presses, touched=self.touched, rebuild=rebuild)

    def rebuild_arguments(self, folder: Path | None = None) -> dict[str, Any] | None:
        """Keyword arguments (JSON-ready) for this widget's builder that build it again as it is shown now, or
        None when that cannot be done.

        A widget that only its controls have changed is rebuilt from the arguments it was made with. After a
        button press or an ``update()``, only a builder that can say what changed (``state_arguments``: e.g. the
        trainer's last run, a playground's settings and epoch) gives arguments. A state that needs a file (a
        trained model's weights) is written into ``folder``, when one is given, and named in the arguments by
        :func:`state_file` (``{"state_file": name}``, relative to ``folder``; see :func:`in_state_folder`).
        """
        if self.origin["builder"] is None:
            return None
        if self.state_arguments is not None:
            arguments = self.state_arguments(folder)
        else:
            arguments = None if (self.presses or self.touched) else self.origin["kwargs"]
        return arguments if arguments is None or _is_plain(arguments) else None

    def values(self) -> dict[str, Any]:
        """The controls' current values, by name: ``draw``'s keyword arguments."""
        return {name: control.value for name, control in self.controls.items()}

    def set_values(self, values: Mapping[str, Any]) -> bytes | None:
        """Set controls by name, as one redraw (see :meth:`hold`), and return the picture then shown (PNG bytes);
        None when it could not be drawn (``last_error`` and the message line say why)."""
        with self.hold():
            for name, value in values.items():
                self.controls[name].value = value
        return None if self.last_error is not None else bytes(self.image.value)

    def stages(self, values: Mapping[str, Any]) -> list[Stage]:
        """The stages of training this widget with its controls at ``values`` (the others as they are): what its
        training button shows along the way, drawn afresh at each of the few epochs that ``training.run()``
        yields, in epoch order (see :class:`Training`). Seeded like the button: the last stage is what pressing
        it gives. Leaves the widget in its last stage. Raises ValueError for a widget that does not train, and
        RuntimeError when a stage cannot be drawn (``last_error`` says why)."""
        if self.training is None:
            raise ValueError(_("this widget does not train: it has no stages"))
        if self.set_values(values) is None:
            raise RuntimeError(_("{title}: the values {values} do not draw").format(
                title=self.title, values=repr(dict(values)))) from self.last_error
        out = []
        for epoch in self.training.run():
            self.redraw(fresh=True)  # a stage may change artists that only a button's redraw draws again
            if self.last_error is not None:
                raise RuntimeError(_("{title}: epoch {epoch} does not draw").format(
                    title=self.title, epoch=epoch)) from self.last_error
            out.append(Stage(epoch, bytes(self.image.value), self.caption_text))
        return out

    def layout(self) -> Layout:
        """The rows of control names as the widget lays them out, and its buttons' labels (see :class:`Layout`)."""
        return Layout([list(row) for row in self._rows], [button.description for button in self.buttons.values()])

    def press(self, label: str) -> None:
        """Run the action of button ``label``, then redraw; an exception is shown in the widget, not raised."""
        try:
            with self.hold():  # one redraw after the action, also when it moves controls
                self.actions[label](self)
                self.presses += 1
                self._stale = True
        except Exception as exc:
            self.show_error(_("Could not run"), exc)

    def show_error(self, doing: str, exc: Exception) -> None:
        """Show ``exc`` under the picture as one readable line, "⚠ {doing}: {type}: {message}"; the last good
        picture stays. The next successful redraw clears it."""
        self.last_error = exc
        self.message.value = (f"<span style='color:#b00020'>⚠ {html.escape(doing)}: {type(exc).__name__}: "
                              f"{html.escape(str(exc))}</span>")

    @contextmanager
    def hold(self) -> Iterator[LivePlot]:
        """Apply several control changes as one redraw::

            with widget.hold():
                widget.controls["x0"].value = 1.0
                widget.controls["y0"].value = -0.5
            # one redraw here, if anything moved

        Blocks may nest; the redraw comes when the outermost one ends.
        """
        self._holds += 1
        try:
            yield self
        finally:
            self._holds -= 1
            if self._holds == 0 and self._stale:
                self._stale = False
                self.redraw()

    def on_change(self, name: str, react: Callable[[Any], None]) -> None:
        """Call ``react(new_value)`` whenever control ``name`` changes, before the redraw. Controls that ``react``
        moves are redrawn together with ``name``'s change, in one redraw (e.g. a new data set resets a slider)."""
        self._reactions.setdefault(name, []).append(react)

    def _on_change(self, name: str, new: Any) -> None:
        self._stale = True
        with self.hold():  # redraws when the outermost hold ends (now, unless inside one)
            for react in self._reactions.get(name, []):
                react(new)

    def update(self) -> None:
        """Redraw the picture after something outside the controls changed what it shows (a model trained from
        code, a button's action). The widget then counts as ``touched``: the website shows such a widget's picture
        as it was, since it cannot build that state again from its controls alone."""
        self.touched = True
        self.redraw()

    def redraw(self, fresh: bool = False) -> None:
        """Redraw the picture from the controls' current values; show any error as a message.

        ``fresh``: forget the kept picture of the figure's static artists and draw it all anew, as the first draw
        does. A caller that compares pictures (the website) draws its first one so: the very first draw also lays
        the figure out, and may place a title a pixel apart from where every later draw puts it.
        """
        start = time.perf_counter()
        try:
            values = self.values()
            fig = self.draw(**values)
            if fresh or self.renderer is None or self.renderer.fig is not fig:
                self.renderer = FigureRenderer(fig)
            # The kept static layer is redrawn when a choice (not a slider) changes or a button was pressed.
            png = self.renderer.render(key=(self.presses, tuple(
                (name, value) for name, value in values.items() if not hasattr(self.controls[name], "min"))))
            # Lay the figure out once: a builder that reuses its figure then skips the costly layout pass.
            # (None, not "none": "none" leaves a placeholder engine, and a draw then lays it out twice.)
            fig.set_layout_engine(None)
        except Exception as exc:  # shown to the learner, never raised into the notebook
            self.show_error(_("Could not draw"), exc)
            return
        if self.caption is not None:
            try:
                self.caption_text = self.caption(**values)
            except Exception as exc:
                self.show_error(_("Could not draw"), exc)
                return
            self.text.value = caption_html(self.caption_text)
        self.image.value = png
        self.message.value = ""
        self.last_error = None
        self.renders += 1
        self.last_update_s = time.perf_counter() - start


# Every builder of a live widget, by name: the benchmark times each one's slider-to-picture update, the tests
# move each one's controls.
BUILDERS: dict[str, Callable[..., LivePlot]] = {}


def builder(fn: Callable[..., LivePlot] | None = None, *, trains: bool = False) -> Any:
    """Register a widget builder in ``BUILDERS`` under its function's name (so the benchmark and tests find it,
    and ``course_utils.widgets.<name>`` is the builder). It must work called without arguments.

    ``@builder(trains=True)`` marks a builder whose widgets train (they set ``training``, see :class:`Training`):
    the builder's ``trains`` attribute says so before any widget is built (the website trains them first)."""
    if fn is None:
        return functools.partial(builder, trains=trains)
    if fn.__name__ in BUILDERS:
        raise ValueError(_("two widget builders are named {name!r}").format(name=fn.__name__))
    signature = inspect.signature(fn)

    @functools.wraps(fn)
    def build(*args: Any, **kwargs: Any) -> LivePlot:
        widget = fn(*args, **kwargs)
        widget.origin = {"builder": fn.__name__, "kwargs": _json_arguments(signature, args, kwargs)}
        return widget

    build.trains = trains  # type: ignore[attr-defined]
    BUILDERS[fn.__name__] = build
    return build


def _json_arguments(signature: inspect.Signature, args: tuple, kwargs: dict) -> dict | None:
    """A builder call's arguments as JSON-ready keyword arguments; None when one is not plain data (a model …).

    A dataclass (e.g. a playground's ``Settings``) counts as plain data: its fields are stored.
    """
    bound = signature.bind(*args, **kwargs).arguments
    plain = {name: dataclasses.asdict(value) if dataclasses.is_dataclass(value) and not isinstance(value, type)
             else value for name, value in bound.items()}
    try:
        json.dumps(plain, allow_nan=False)
    except (TypeError, ValueError):
        return None
    return plain


def choices(values: Sequence[Any], labels: Mapping[Any, str]) -> list[tuple[str, Any]]:
    """A choice control's options: each value with its label in the course's language.

    ``labels`` maps a value to its English label, marked with ``N_()`` where it is defined; a value without one is
    a name (sigmoid, ReLU, AND) and is shown as it is. The code keeps using the values; only the labels change.
    """
    return [(_(labels[v]) if v in labels else str(v), v) for v in values]


def caption_html(text: str) -> str:
    """A widget's text line as HTML: its lines kept (formulas line up), escaped."""
    return ("<div class='course-widget-caption' style='white-space:pre-wrap;font-family:monospace;"
            f"font-size:0.9em;line-height:1.35'>{html.escape(text)}</div>")


def slider(value: float, lo: float, hi: float, step: float, description: str) -> W.FloatSlider:
    """A float slider of the widgets' usual width, redrawing while it is dragged."""
    return W.FloatSlider(value=value, min=lo, max=hi, step=step, description=description,
                         continuous_update=True, readout_format=".2f", layout=W.Layout(width="260px"))
