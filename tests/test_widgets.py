"""Every live widget redraws when a control moves, and shows errors instead of raising them."""

import ipywidgets as W
import pytest

from course_utils import widgets


def _other_value(control):
    """A valid value different from the control's current one."""
    if isinstance(control, W.FloatLogSlider):  # its min and max are exponents
        top = control.base**control.max
        return top if control.value != top else control.base**control.min
    if isinstance(control, (W.FloatSlider, W.IntSlider)):
        return control.max if control.value != control.max else control.min
    if isinstance(control, (W.Dropdown, W.ToggleButtons, W.RadioButtons, W.SelectionSlider)):
        values = [o[1] if isinstance(o, tuple) else o for o in control.options]
        return next(v for v in values if v != control.value)
    if isinstance(control, (W.Checkbox, W.ToggleButton)):
        return not control.value
    raise TypeError(f"no rule for {type(control).__name__}")


def _positions(control, n=4):
    """A few valid values of a control: ``n`` spread over a slider's range, or every option of a choice."""
    if isinstance(control, (W.FloatSlider, W.IntSlider, W.FloatLogSlider)):
        spots = [control.min + (control.max - control.min) * (i + 0.5) / n for i in range(n)]
        if isinstance(control, W.FloatLogSlider):
            return [control.base**s for s in spots]
        return [round(s) for s in spots] if isinstance(control, W.IntSlider) else spots
    if isinstance(control, (W.Checkbox, W.ToggleButton)):
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
    """Widgets redraw only their animated artists over a kept picture of the rest (plot.FigureRenderer): after
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
    bundle = widgets.neuron_explorer()._repr_mimebundle_()
    assert bundle["image/png"][:4] == b"\x89PNG"
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert "interactive" in bundle["text/plain"]


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
