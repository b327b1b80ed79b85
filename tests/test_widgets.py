"""Every live widget redraws when a control moves, and shows errors instead of raising them."""

import re

import ipywidgets as W
import pytest

from course_utils import widgets


def _other_value(control):
    """A valid value different from the control's current one."""
    if isinstance(control, W.FloatLogSlider):  # its min and max are exponents
        top = control.base**control.max
        return top if control.value != top else control.base**control.min
    if isinstance(control, W.FloatSlider | W.IntSlider):
        return control.max if control.value != control.max else control.min
    if isinstance(control, W.Dropdown | W.ToggleButtons | W.RadioButtons | W.SelectionSlider):
        values = [o[1] if isinstance(o, tuple) else o for o in control.options]
        return next(v for v in values if v != control.value)
    if isinstance(control, W.Checkbox | W.ToggleButton):
        return not control.value
    raise TypeError(f"no rule for {type(control).__name__}")


def _positions(control, n=4):
    """A few valid values of a control: ``n`` spread over a slider's range, or every option of a choice."""
    if isinstance(control, W.FloatSlider | W.IntSlider | W.FloatLogSlider):
        spots = [control.min + (control.max - control.min) * (i + 0.5) / n for i in range(n)]
        if isinstance(control, W.FloatLogSlider):
            return [control.base**s for s in spots]
        return [round(s) for s in spots] if isinstance(control, W.IntSlider) else spots
    if isinstance(control, W.Checkbox | W.ToggleButton):
        return [not control.value, control.value]
    return [o[1] if isinstance(o, tuple) else o for o in control.options]


def _differing_pixels(png_a, png_b):
    import io

    import numpy as np
    from PIL import Image

    a, b = (np.asarray(Image.open(io.BytesIO(png))) for png in (png_a, png_b))
    return int((a != b).any(axis=-1).sum()) if a.shape == b.shape else f"shapes {a.shape} != {b.shape}"


def _assert_fresh(widget, what):
    shown = widget.image.value
    widget.renderer.invalidate()
    fresh = widget.renderer.render(key=widget.renderer.key)
    assert shown == fresh, (f"{what}: the kept picture is stale, "
                            f"{_differing_pixels(shown, fresh)} pixels differ from a full redraw")


# buttons quick enough to press in a test (the playground's Play runs on an event loop: tested elsewhere)
_QUICK_BUTTONS = {"regularization_playground": ["Train"], "cnn_trainer": ["Train"], "playground": ["Step", "Reset"]}


@pytest.mark.parametrize("name", sorted(widgets.BUILDERS))
def test_a_fast_redraw_equals_a_full_one(name):
    """Widgets redraw only their animated artists over a kept picture of the rest (widgets.FigureRenderer): after
    every move of every control, and after a button press, that picture must equal the figure drawn from
    scratch, pixel for pixel."""
    widget = widgets.BUILDERS[name]()
    if name == "cnn_trainer":
        widget.controls["epochs"].value = 1  # a quick Train below
    fast = 0
    for label, control in widget.controls.items():
        for value in _positions(control):
            draws = widget.renderer.full_draws
            control.value = value
            assert widget.last_error is None, f"{name}.{label}={value!r}: {widget.last_error!r}"
            fast += widget.renderer.full_draws == draws
            _assert_fresh(widget, f"{name}.{label}={value!r}")
    if name != "playground":  # draws its own pixels, not matplotlib artists: every redraw is a full one
        assert fast > 0, f"{name}: no control move was a fast redraw"
    for button in _QUICK_BUTTONS.get(name, []):
        widget.press(button)
        assert widget.last_error is None, f"{name} {button}: {widget.last_error!r}"
        _assert_fresh(widget, f"{name} after {button}")
        for label, control in widget.controls.items():
            control.value = _positions(control)[0]
            _assert_fresh(widget, f"{name} after {button}, then {label}")
    assert set(_QUICK_BUTTONS.get(name, [])) <= set(widget.buttons)


@pytest.mark.parametrize("name", sorted(widgets.BUILDERS))
def test_every_control_redraws_the_picture(name):
    widget = widgets.BUILDERS[name]()
    assert isinstance(widget, widgets.LivePlot)
    assert widget.renders == 1 and widget.image.value[:4] == b"\x89PNG"
    assert "course-widget" in widget._dom_classes
    for label, control in widget.controls.items():
        before, renders = widget.image.value, widget.renders
        control.value = _other_value(control)
        assert widget.last_error is None, f"{name}.{label}: {widget.last_error!r}"
        assert widget.renders == renders + 1, f"{name}.{label} did not redraw"
        assert widget.image.value != before, f"{name}.{label} redrew the same picture"


def test_an_error_while_drawing_is_shown_not_raised():
    widget = widgets.neuron_explorer()
    picture = widget.image.value

    def broken(**values):
        raise ValueError("w must be positive")

    widget.draw = broken
    widget.controls["w"].value = -1.0  # must not raise
    assert isinstance(widget.last_error, ValueError)
    assert "ValueError: w must be positive" in widget.message.value
    assert widget.image.value == picture  # the last good picture stays


def test_static_views_get_the_picture_as_png():
    bundle, metadata = widgets.neuron_explorer()._repr_mimebundle_()
    assert bundle["image/png"][:4] == b"\x89PNG"
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert "interactive" in bundle["text/plain"]
    # how to build it again, for the website: builder, arguments, the controls' values, presses so far
    assert metadata["course_widget"] == {"version": 2, "builder": "neuron_explorer", "kwargs": {}, "presses": 0,
                                         "touched": False, "values": {"w": 1.0, "b": 0.0}, "rebuild": {}}


def test_output_metadata_records_arguments_only_when_they_are_plain_data():
    import dataclasses
    import inspect

    import torch

    from course_utils.widgets._core import _json_arguments

    signature = inspect.signature(lambda data, n=3: None)
    model = torch.nn.Linear(2, 1)
    assert _json_arguments(signature, (model,), {}) is None  # a model cannot be stored: the site keeps the picture
    assert _json_arguments(signature, (), {"data": {"layers": [2, 3]}, "n": 4}) == {"data": {"layers": [2, 3]}, "n": 4}

    @dataclasses.dataclass
    class Settings:
        lr: float = 0.1

    assert _json_arguments(signature, (Settings(),), {}) == {"data": {"lr": 0.1}}
    record = widgets.outlier_fit()._repr_mimebundle_()[1]["course_widget"]
    assert record["builder"] == "outlier_fit" and record["kwargs"] == {} and not record["touched"]
    changed = widgets.outlier_fit()
    changed.update()  # something outside the controls changed the picture, and the widget cannot say what
    record = changed._repr_mimebundle_()[1]["course_widget"]
    assert record["touched"] and record["rebuild"] is None  # the website keeps this widget's picture as it is


def _rebuilt(widget, folder=None):
    """The widget built again, as the website does, from the arguments its output records."""
    import json

    from course_utils.widgets import BUILDERS
    from course_utils.widgets.record import WidgetRecord, in_state_folder

    record = WidgetRecord.from_json(json.loads(json.dumps(widget.record(folder).to_json())))  # as the notebook keeps it
    arguments = record.rebuild if folder is None else in_state_folder(record.rebuild, folder)[0]
    again = BUILDERS[record.builder](**arguments)
    assert again.set_values(record.values) is not None
    return again


def test_a_playground_trained_from_code_is_rebuilt_from_its_settings_and_epoch():
    trained = widgets.playground(preset="circles-with-features")
    trained.playground.step(12)
    trained.update()
    arguments = trained.rebuild_arguments()
    assert arguments["settings"]["epoch"] == 12
    again = _rebuilt(trained)
    assert again.playground.epoch == 12 and again.image.value == trained.image.value
    assert again.playground.history == trained.playground.history
    trained.controls["noise"].value = again.controls["noise"].value = 0.3  # both start again from epoch 0 alike
    assert again.image.value == trained.image.value and again.playground.epoch == trained.playground.epoch == 0


def test_a_trained_trainer_is_rebuilt_with_its_last_run():
    trainer = widgets.cnn_trainer(train_size=128, val_size=64)
    trainer.controls["epochs"].value = 1
    assert trainer.rebuild_arguments()["last_run"] is None  # not trained yet: nothing but its arguments
    trainer.press("Train")
    run = trainer.rebuild_arguments()["last_run"]
    assert run["model"] == "MLP" and len(run["history"]["val_acc"]) == 1
    again = _rebuilt(trainer)
    assert again.presses == 0 and again.image.value == trainer.image.value
    trainer.controls["model"].value = again.controls["model"].value = "SimpleCNN"  # the plan changes, not the curves
    assert again.image.value == trainer.image.value
    with pytest.raises(ValueError, match="last_run"):
        widgets.cnn_trainer(last_run={"model": "VGG", "history": run["history"]})


def test_an_explorer_of_a_trained_model_is_saved_for_the_website(tmp_path, monkeypatch):
    import torch

    from course_utils import models
    from course_utils.data import load_digits
    from course_utils.widgets.record import STATE_FOLDER_VARIABLE, save_state_to, state_file

    monkeypatch.delenv(STATE_FOLDER_VARIABLE, raising=False)

    images, labels = load_digits(split="test", resize=28)
    images = (images[:40] - images.mean()) / images.std()
    torch.manual_seed(3)
    cnn = models.SimpleCNN()
    explorer = widgets.cnn_explorer(cnn, images, labels[:40])
    assert explorer.rebuild_arguments() is None  # the model is not plain data, and there is no folder to save it in
    arguments = explorer.rebuild_arguments(tmp_path)
    (saved,) = tmp_path.iterdir()
    assert arguments == {"model": state_file(saved.name)}
    assert saved.stat().st_size < 500_000  # convolutions (210 kB), images, probabilities: not fc1 (12.5 MB)
    assert explorer.rebuild_arguments(tmp_path) == arguments and len(list(tmp_path.iterdir())) == 1  # once
    with save_state_to(tmp_path):  # as in the notebook build: displaying it saves its state there
        assert explorer._repr_mimebundle_()[1]["course_widget"]["rebuild"] == arguments
    assert explorer._repr_mimebundle_()[1]["course_widget"]["rebuild"] is None  # outside: no folder, no state
    again = _rebuilt(explorer, tmp_path)
    assert again.image.value == explorer.image.value
    for name, value in [("example", 7), ("layer", "layer2.0"), ("channel", 9), ("which", "misclassified")]:
        explorer.controls[name].value = again.controls[name].value = value
        assert again.image.value == explorer.image.value, name
    with pytest.raises(ValueError, match="alone"):
        widgets.cnn_explorer(str(saved), images)

    own = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), torch.nn.Flatten(), torch.nn.LazyLinear(10))
    own(images[:1])
    assert widgets.cnn_explorer(own, images, labels[:40]).rebuild_arguments(tmp_path) is None  # not rebuildable


def test_neuron_explorer_marks_the_midpoint():
    widget = widgets.neuron_explorer()
    widget.controls["w"].value = 2.0
    widget.controls["b"].value = 1.0
    assert "x = −b/w = -0.50" in widget.draw(**widget.values()).axes[0].get_title()


def test_buttons_run_their_action_then_redraw_and_report_errors():
    calls = []

    def draw(w):
        fig, ax = widgets.new_figure()
        ax.set_title(f"{w} {len(calls)}")
        return fig

    def boom(widget):
        raise RuntimeError("diverged")

    widget = widgets.LivePlot(draw, {"w": W.FloatSlider(value=1.0)}, buttons={"Step": calls.append, "Boom": boom})
    assert set(widget.buttons) == {"Step", "Boom"}
    before = widget.image.value
    widget.buttons["Step"].click()
    assert calls == [widget] and widget.renders == 2 and widget.image.value != before
    widget.press("Boom")
    assert widget.renders == 2 and "RuntimeError: diverged" in widget.message.value


# ------------------------------------------------------------------------------------------ LivePlot's API


def _counting_widget(**kwargs):
    draws = []

    def draw(a, b):
        draws.append((a, b))
        fig, ax = widgets.new_figure()
        ax.set_title(f"{a} {b}")
        return fig

    controls = {"a": W.IntSlider(value=0, max=10), "b": W.IntSlider(value=0, max=10)}
    return widgets.LivePlot(draw, controls, **kwargs), draws


def test_hold_applies_several_changes_as_one_redraw():
    widget, draws = _counting_widget()
    with widget.hold():
        widget.controls["a"].value = 3
        with widget.hold():  # nested: still one redraw, at the end of the outer block
            widget.controls["b"].value = 4
        assert widget.renders == 1
    assert widget.renders == 2 and draws[-1] == (3, 4)
    with widget.hold():
        pass
    assert widget.renders == 2  # nothing moved: no redraw


def test_on_change_moves_other_controls_in_the_same_redraw():
    widget, draws = _counting_widget()
    widget.on_change("a", lambda a: setattr(widget.controls["b"], "value", 10 - a))
    widget.controls["a"].value = 7
    assert widget.renders == 2 and draws[-1] == (7, 3)


def test_a_button_that_moves_a_control_redraws_once():
    widget, draws = _counting_widget(buttons={"Max": lambda w: setattr(w.controls["a"], "value", 10)})
    widget.press("Max")
    assert widget.renders == 2 and draws[-1] == (10, 0) and widget.presses == 1


def test_rows_and_footer_lay_out_the_widget():
    note, footer = W.HTML("note"), W.Textarea()
    widget, _ = _counting_widget(rows=[[note], ["b", "a"]], footer=[footer], buttons={"Go": lambda w: None})
    first, second, buttons, image, message, last = widget.children  # no title: no header line
    assert first.children == (note,) and second.children == (widget.controls["b"], widget.controls["a"])
    assert buttons.children == (widget.buttons["Go"],) and image is widget.image and last is footer


def test_show_error_is_public_and_escaped():
    widget, _ = _counting_widget()
    widget.show_error("Could not <train>", ValueError("a < b"))
    assert "Could not &lt;train&gt;: ValueError: a &lt; b" in widget.message.value
    assert isinstance(widget.last_error, ValueError)
    widget.controls["a"].value = 1  # the next good redraw clears it
    assert widget.message.value == "" and widget.last_error is None


def test_every_widget_module_is_small_and_imports_no_private_internals():
    from pathlib import Path

    folder = Path(widgets.__file__).parent
    for path in folder.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert len(text.splitlines()) <= 400, path.name
        for private in ("_autotitlepos", "ft2font", "__wrapped__", "._prev", "._op"):
            assert private not in text, (path.name, private)


def test_builders_are_found_on_disk_and_stay_importable_by_name():
    import importlib
    import pkgutil

    modules = [m.name for m in pkgutil.iter_modules(widgets.__path__) if not m.name.startswith("_")]
    found = {fn.__module__.rsplit(".", 1)[1] for fn in widgets.BUILDERS.values()}
    assert found <= set(modules)
    for name, fn in widgets.BUILDERS.items():
        assert getattr(widgets, name) is fn
        assert getattr(importlib.import_module(fn.__module__), name) is fn
    assert callable(widgets.playground) and isinstance(widgets.playground(), widgets.PlaygroundWidget)


def test_every_builder_is_imported_by_name_and_every_exported_builder_is_registered():
    """The package names each builder in an explicit import and in ``__all__`` (so editors and type checkers see
    it), and nothing else it exports is a builder: the ``@builder`` functions on disk, ``BUILDERS``, the builders
    imported by ``widgets/__init__.py`` and those in ``__all__`` are one and the same set."""
    import ast
    from pathlib import Path

    folder = Path(widgets.__file__).parent
    decorated = {}  # builder name -> its module, read from the source of every widget module
    for path in folder.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and any(  # @builder, or @builder(trains=True)
                    isinstance(d.func if isinstance(d, ast.Call) else d, ast.Name)
                    and (d.func if isinstance(d, ast.Call) else d).id == "builder" for d in node.decorator_list):
                decorated[node.name] = path.stem
    assert decorated and set(decorated) == set(widgets.BUILDERS)
    init = ast.parse((folder / "__init__.py").read_text(encoding="utf-8"))
    imported = {alias.name: node.module for node in init.body if isinstance(node, ast.ImportFrom) and node.level == 1
                for alias in node.names}
    assert {name: imported.get(name) for name in decorated} == decorated  # from .<its module> import <name>
    builders = {id(fn) for fn in widgets.BUILDERS.values()}
    exported = {name for name in widgets.__all__ if id(getattr(widgets, name)) in builders}
    assert exported == set(widgets.BUILDERS)
    assert len(widgets.__all__) == len(set(widgets.__all__))
    for name, fn in widgets.BUILDERS.items():
        assert getattr(widgets, name) is fn


def test_pixel_image_pastes_its_array_unchanged():
    import io

    import numpy as np
    from matplotlib.figure import Figure
    from PIL import Image

    fig = Figure(figsize=(1, 1), dpi=50)
    pixels = np.zeros((10, 20, 4), np.uint8)
    pixels[..., 0], pixels[..., 3] = np.arange(20, dtype=np.uint8) * 10, 255
    fig.add_artist(widgets.PixelImage(pixels, 5, 7))
    png = widgets.FigureRenderer(fig).render()
    shown = np.asarray(Image.open(io.BytesIO(png)))[::-1]  # rows bottom-up, as the artist's
    assert (shown[7:17, 5:25] == pixels).all()


def test_playground_loss_panel_has_tick_labels():
    widget = widgets.playground()
    widget.playground.step(3)
    widget.update()
    ax = widget.view.ax_loss
    renderer = widget.renderer.canvas.get_renderer()
    for axis, i in ((ax.xaxis, 0), (ax.yaxis, 1)):
        lo, hi = axis.get_view_interval()
        shown = [t for t in axis.get_ticklabels() if lo <= t.get_position()[i] <= hi and t.get_text()]
        assert len(shown) >= 2, [t.get_text() for t in shown]
        assert all(t.get_window_extent(renderer).x1 <= widget.view.FIG_W for t in shown)


def test_the_package_map_names_every_builder_in_its_module():
    """The table in course_utils/widgets/__init__.py tells a newcomer where each widget lives: keep it true."""
    import re

    doc = widgets.__doc__
    for name, build in widgets.BUILDERS.items():
        module = build.__module__.rsplit(".", 1)[1]
        row = next((line for line in doc.splitlines() if re.search(rf"\b{name}\b", line)), None)
        assert row is not None, f"{name} is missing from the widgets package's map"
        rows = doc.splitlines()
        i = rows.index(row)
        while not re.match(r"\s+\d\d ", rows[i]):  # a continuation line: the module is on the row above
            i -= 1
        assert module in rows[i], f"{name} lives in widgets/{module}.py, but the map says: {rows[i].strip()}"


# ------------------------------------------------------------------------ the record: the contract with the site


def _record_json(**changes):
    record = {"version": 2, "builder": "neuron_explorer", "kwargs": {}, "values": {"w": 1.0, "b": 0.0},
              "presses": 0, "touched": False, "rebuild": {}}
    return {**record, **changes}


def test_a_widget_record_survives_json_unchanged():
    import json

    from course_utils.widgets.record import RECORD_VERSION, WidgetRecord

    trained = widgets.playground(preset="circles-with-features")
    trained.playground.step(3)
    trained.update()
    for widget in (widgets.neuron_explorer(), widgets.outlier_fit(), trained):
        record = widget.record()
        assert isinstance(record, WidgetRecord) and record.version == RECORD_VERSION
        text = json.dumps(record.to_json(), allow_nan=False)  # what a notebook file holds
        assert WidgetRecord.from_json(json.loads(text)) == record == WidgetRecord.from_json(text)
        assert widget._repr_mimebundle_()[1]["course_widget"] == record.to_json()
    assert trained.record().rebuild["settings"]["epoch"] == 3 and trained.record().touched


def test_a_record_without_a_version_is_read_as_version_1_and_a_newer_one_is_refused():
    from course_utils.widgets.record import WidgetRecord

    old = _record_json()
    del old["version"]  # as the committed notebooks of course_utils before the record had a version
    record = WidgetRecord.from_json(old)
    assert record.version == 1 and record.builder == "neuron_explorer" and record.values == {"w": 1.0, "b": 0.0}
    with pytest.raises(ValueError, match=r"version 3 is newer .* \(up to 2\)"):
        WidgetRecord.from_json(_record_json(version=3))


@pytest.mark.parametrize("field,value,message", [
    ("presses", "2", "`presses` must be int ≥ 0; got '2'"),
    ("presses", -1, "`presses` must be int ≥ 0"),
    ("touched", 1, "`touched` must be bool; got 1"),
    ("builder", 7, "`builder` must be str | None"),
    ("values", [1.0], "`values` must be dict[str, JSON]"),
    ("rebuild", {"x": float("nan")}, "`rebuild` must be dict[str, JSON] | None"),
    ("version", "2", "`version` must be int ≥ 1"),
    ("colour", "red", "unknown field `colour`"),
])
def test_a_bad_record_is_refused_naming_its_field(field, value, message):
    from course_utils.widgets.record import WidgetRecord

    with pytest.raises(ValueError, match=re.escape(message)):
        WidgetRecord.from_json(_record_json(**{field: value}))


def test_a_record_missing_a_field_or_not_an_object_is_refused():
    from course_utils.widgets.record import WidgetRecord

    record = _record_json()
    del record["values"]
    with pytest.raises(ValueError, match="`values` is missing"):
        WidgetRecord.from_json(record)
    with pytest.raises(ValueError, match="must be a JSON object; got list"):
        WidgetRecord.from_json("[1, 2]")


def test_the_state_folder_comes_from_save_state_to_else_the_kernels_environment(tmp_path, monkeypatch):
    from course_utils.widgets.record import STATE_FOLDER_VARIABLE, save_state_to, state_folder

    monkeypatch.delenv(STATE_FOLDER_VARIABLE, raising=False)
    assert state_folder() is None  # nothing is saved: a learner's own notebook
    monkeypatch.setenv(STATE_FOLDER_VARIABLE, str(tmp_path / "env"))  # what the notebook build gives a kernel
    assert state_folder() == tmp_path / "env"
    with save_state_to(tmp_path / "outer"):
        with save_state_to(tmp_path / "inner"):
            assert state_folder() == tmp_path / "inner"
        assert state_folder() == tmp_path / "outer"
    assert state_folder() == tmp_path / "env"


def test_layout_lists_the_rows_of_control_names_and_the_buttons():
    note = W.HTML("note")
    widget, _ = _counting_widget(rows=[[note], ["b"]], buttons={"Go": lambda w: None})
    assert widget.layout() == ([["b"], ["a"]], ["Go"])  # a control left out of the rows gets one of its own
    rows, buttons = _counting_widget()[0].layout()
    assert rows == [["a", "b"]] and buttons == []  # by default, three controls a row
    playground = widgets.playground()
    rows, buttons = playground.layout()
    assert rows[0] == ["dataset", "noise", "train_pct"] and sorted(n for row in rows for n in row) == sorted(
        playground.controls)
    assert buttons == [b.description for b in playground.buttons.values()] and "Step" in buttons


def test_set_values_redraws_once_and_returns_the_picture_or_none():
    widget, draws = _counting_widget()
    png = widget.set_values({"a": 2, "b": 5})
    assert widget.renders == 2 and draws[-1] == (2, 5) and png == widget.image.value and png[:4] == b"\x89PNG"

    def broken(**values):
        raise ValueError("no")

    widget.draw = broken
    assert widget.set_values({"a": 3}) is None and isinstance(widget.last_error, ValueError)


def test_a_fresh_redraw_draws_everything_again_and_a_plain_one_only_the_animated_artists():
    widget = widgets.neuron_explorer()
    renderer = widget.renderer
    draws, renders = renderer.full_draws, widget.renders
    widget.redraw()
    assert widget.renderer is renderer and renderer.full_draws == draws and widget.renders == renders + 1
    widget.redraw(fresh=True)
    assert widget.renderer is not renderer and widget.renderer.full_draws == 1 and widget.renders == renders + 2
    assert not widget.touched  # redrawing from the controls is not a state set from outside


def test_the_site_builder_and_the_notebook_build_use_only_public_names_of_course_utils():
    """tools/website.py and tools/nbtools.py go through the widgets' public contract (the record module,
    BUILDERS, LivePlot's public methods): no private module, name or attribute of course_utils, and no module
    global the site builder writes into."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    for path in (root / "tools" / "website.py", root / "tools" / "nbtools.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        private = []
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("course_utils"):
                parts = node.module.split(".") + [alias.name for alias in node.names]
                private += [f"from {node.module} import {alias.name}" for alias in node.names
                            if any(p.startswith("_") for p in parts)]
            elif isinstance(node, ast.Import):
                private += [a.name for a in node.names if a.name.startswith("course_utils") and any(
                    p.startswith("_") for p in a.name.split("."))]
            elif isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
                private.append(f"line {node.lineno}: .{node.attr}")
        assert not private, f"{path.name} uses private names: {private}"
        assert not [n for n in ast.walk(tree) if isinstance(n, ast.Global)], f"{path.name} writes module globals"


def test_the_backprop_stepper_explains_each_step_in_its_text_line_in_the_course_language():
    """The caption is the widget's text line, not figure text: one per step, through the catalog, with its colour
    key; the figure itself stays free of sentences (text in figures stays English)."""
    import course_utils

    widget = widgets.backprop_stepper()
    steps = widget.controls["step"].max
    captions = []
    for step in range(1, steps + 1):
        widget.controls["step"].value = step
        captions.append(widget.caption_text)
        assert widget.text.value and "Step" in widget.text.value and "orange:" in widget.caption_text
    assert steps == 13 and len(set(captions)) == steps
    assert captions[0].startswith("Step 1 of 13: the gradient of L, the output.")
    assert "used 2 times: the paths add up" in captions[-1]
    try:
        course_utils.set_language("zh")
        zh = widgets.backprop_stepper()
        zh.controls["step"].value = steps
        assert zh.caption_text.startswith("第 13 步（共 13 步）：w 的梯度。它被使用了 2 次"), zh.caption_text
        assert "橙色：" in zh.caption_text and "局部梯度 × 上游梯度：" in zh.caption_text
    finally:
        course_utils.set_language("en")


def test_a_choice_shows_its_label_in_the_course_language_and_keeps_its_value():
    import course_utils

    try:
        course_utils.set_language("zh")
        explorer = widgets.activation_explorer()
    finally:
        course_utils.set_language("en")
    options = dict((value, label) for label, value in explorer.controls["compare"].options)
    assert options["none"] == "无" and options["GELU (tanh approx.)"] == "GELU（tanh 近似）"
    assert options["LeakyReLU(0.01)"] == "LeakyReLU(0.01)" and "LeakyReLU(0.1)" in options  # PyTorch's default too
    explorer.controls["f"].value = "LeakyReLU(0.01)"
    assert explorer.last_error is None and explorer.values()["f"] == "LeakyReLU(0.01)"
