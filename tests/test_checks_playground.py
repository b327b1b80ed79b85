"""The playground's checkers: an untrained playground is told how to train it, whatever form it comes in."""

import pytest

from course_utils import checks
from course_utils.playground import Playground


@pytest.fixture
def widget():
    from course_utils.widgets import playground

    return playground(preset="xor-needs-hidden-layer")


@pytest.mark.parametrize("name, preset", [("xor_without_hidden_layer", "xor-needs-hidden-layer"),
                                          ("spiral_fewest_units", "spiral-needs-depth")])
def test_an_untrained_playground_hears_call_step(name, preset, wrong_verdict):
    out = wrong_verdict(name, Playground(preset=preset))
    assert "call `.step(epochs)`" in out and "epoch 0" in out, out
    assert "NotImplementedError" not in out


def test_a_function_returning_an_untrained_playground_hears_call_step(wrong_verdict):
    out = wrong_verdict("xor_without_hidden_layer", lambda: Playground(preset="xor-needs-hidden-layer"))
    assert "call `.step(epochs)`" in out, out


def test_an_untrained_widget_hears_press_play(widget, wrong_verdict):
    assert "press Play (or Step)" in wrong_verdict("xor_without_hidden_layer", widget)


def test_an_untrained_saved_dict_hears_save_after_training(wrong_verdict):
    saved = Playground(preset="xor-needs-hidden-layer").to_dict()
    assert "save it after training" in wrong_verdict("xor_without_hidden_layer", saved)


def test_the_stubs_still_read_not_attempted(capsys):
    def stub():
        raise NotImplementedError

    for name in ("xor_without_hidden_layer", "spiral_fewest_units", "adam_breaking_lr"):
        assert checks.check(name, None).status == "not attempted"
        assert checks.check(name, stub).status == "not attempted"
    assert "not attempted yet" in capsys.readouterr().out


def test_a_trained_widget_passes(widget):
    widget.controls["f_4"].value = True  # tick x1*x2
    widget.playground.step(40)
    assert checks.check("xor_without_hidden_layer", widget)
