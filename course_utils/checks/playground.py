"""Exercises of the playground chapter, checked from the playground's state.

An answer is a trained ``Playground``, the widget itself (its ``.playground`` is read), ``Playground.to_dict()``'s
dict, or a function returning one of these; for the learning-rate exercise also a number. The checkers read the
settings and the history, so a learner can solve them with the widget's controls or in code. A playground still at
epoch 0 is answered with how to train it (``.step(epochs)``, or the widget's Play/Step buttons).
"""

from __future__ import annotations

from typing import Any

from ..i18n import N_, _, ngettext
from ._core import Mismatch, call, exercise, expect

CHAPTER = "09"  # the chapter whose notebook asks these exercises (its progress line)

SPIRAL_UNIT_TARGET = 4  # our best: 3 units (with every input feature); two layers of 8 is the unguided answer
MAX_EPOCHS = 500  # the spiral exercise's hint states both numbers as text (a translatable constant): keep it in step
_LEARNS: dict[float, bool] = {}  # lr -> does the adam-too-high-lr preset still learn at it (cached: ~1 s each)
_UNTRAINED = {  # what to do with a playground at epoch 0, by where it came from (translated where shown)
    "widget": N_("the widget's playground is at epoch 0 (untrained): press Play (or Step) first, then check again."),
    "dict": N_("that saved playground is at epoch 0 (untrained): save it after training "
               "(`pg.step(epochs).to_dict()`)."),
    "code": N_("that playground is at epoch 0 (untrained): call `.step(epochs)` on it, e.g. "
               "`Playground(...).step(100)`, and pass the result."),
}


def _playground(answer: Any) -> Any:
    """The Playground behind an answer (a Playground, a widget, a saved dict, or a function returning one)."""
    return _unwrap(answer)[0]


def _unwrap(answer: Any) -> tuple[Any, str]:
    """(the Playground behind ``answer``, where it came from: "widget", "dict" or "code")."""
    from ..playground import Playground, Settings

    if callable(answer) and not isinstance(answer, Playground) and not hasattr(answer, "playground"):
        answer = call(answer)
    if hasattr(answer, "playground") and not isinstance(answer, Playground):
        return _unwrap_playground(answer.playground), "widget"
    if isinstance(answer, dict):
        try:
            return Playground.from_dict(answer), "dict"
        except ValueError as exc:
            raise Mismatch(_("that dict is not a saved playground: {error}").format(error=exc)) from None
    if isinstance(answer, Settings):
        raise Mismatch(_("that is a Settings, not a trained playground: pass Playground(settings).step(epochs)."))
    return _unwrap_playground(answer), "code"


def _unwrap_playground(answer: Any) -> Any:
    from ..playground import Playground

    if not isinstance(answer, Playground):
        raise Mismatch(_("expected a Playground (or the widget); got {type}.").format(type=type(answer).__name__))
    return answer


def _same_data(pg: Any, preset: str) -> None:
    from ..playground import load_preset

    want = load_preset(preset)
    for key in ("dataset", "noise", "n", "train_fraction", "data_seed"):
        got, expected = getattr(pg.settings, key), getattr(want, key)
        expect(got == expected, _("the data must stay as in the preset {preset}: `{key}` is {got}; expected "
                                  "{expected}. Change the network, not the data.").format(
            preset=repr(preset), key=key, got=repr(got), expected=repr(expected)))


def _trained(pg: Any, source: str) -> None:
    """An untrained playground hears how to train it; one trained too long hears the limit."""
    expect(pg.epoch > 0, _(_UNTRAINED[source]))
    expect(pg.epoch <= MAX_EPOCHS, _("it trained {epochs} epochs; reach the goal within {limit}.").format(
        epochs=pg.epoch, limit=MAX_EPOCHS))


def xor_without_hidden_layer() -> Any:
    """XOR with no hidden layer: give the linear model the product feature x₁x₂ (its sign is the label)."""
    from course_utils.playground import Playground

    return Playground(preset="xor-needs-hidden-layer", features=("x1", "x2", "x1*x2")).step(60)


@exercise("xor_without_hidden_layer", solution=xor_without_hidden_layer,
          hints=(N_("With no hidden layer the network can only draw a straight line through the input features it "
                    "is given, and in the plane of the two coordinates no straight line separates the XOR corners. "
                    "Keep the data and give the network one more input feature, one in which the two classes fall "
                    "on opposite sides."),
                 N_("Look at the corners: class 1 sits at (−1, 1) and (1, −1), class 0 at (1, 1) and (−1, −1). "
                    "Which of the features in FEATURES has one sign on the first pair and the other sign on the "
                    "second? Tick it in the widget, or list it in features=(...), with layers = 0."),
                 N_("The product x₁x₂ is negative exactly on the class-1 corners. Return "
                    "Playground(preset='xor-needs-hidden-layer', features=(...)).step(...) with 'x1*x2' among the "
                    "features and some tens of epochs, or tick x₁x₂ in the widget and press Play.")))
def _check_xor_without_hidden_layer(answer: Any) -> None:
    pg, source = _unwrap(answer)
    _same_data(pg, "xor-needs-hidden-layer")
    expect(pg.settings.hidden == (), _("the network has hidden layers {hidden}; the exercise is to solve XOR with "
                                       "none (layers = 0).").format(hidden=list(pg.settings.hidden)))
    _trained(pg, source)
    acc = pg.test_accuracy
    expect(acc >= 0.95, ngettext("the test accuracy is {acc:.2f} after {epochs} epoch; reach at least 0.95.",
                                 "the test accuracy is {acc:.2f} after {epochs} epochs; reach at least 0.95.",
                                 pg.epoch).format(acc=acc, epochs=pg.epoch))


def spiral_with_few_units() -> Any:
    """Four tanh units in one layer, fed every input feature, separate the spiral."""
    from course_utils.playground import FEATURES, Playground

    return Playground(preset="spiral-needs-depth", hidden=(4,), features=FEATURES).step(150)


@exercise("spiral_fewest_units", solution=spiral_with_few_units,
          hints=(N_("Hidden units are not the only source of curves: some input features are curved already, so the "
                    "network need not build every bend itself. Give a small network richer inputs rather than more "
                    "units, and let it train long enough."),
                 N_("Reach a test accuracy of 0.9 with at most 4 hidden units in total (the preset uses 16). The "
                    "input features x₁², x₂², sin x₁, sin x₂ already bend, and FEATURES lists them all: tick "
                    "several, try one small layer, and train up to 500 epochs."),
                 N_("Try Playground(preset='spiral-needs-depth', hidden=(...), features=(...)).step(...) with one "
                    "layer of at most 4 units, every feature of FEATURES, and one to a few hundred epochs. If the "
                    "test accuracy stays below 0.9, train longer or try another activation.")))
def _check_spiral_fewest_units(answer: Any) -> None:
    pg, source = _unwrap(answer)
    _same_data(pg, "spiral-needs-depth")
    _trained(pg, source)
    acc, units = pg.test_accuracy, pg.n_hidden_units
    expect(acc >= 0.9, ngettext("the test accuracy is {acc:.2f} after {epochs} epoch (hidden units: {units}); "
                                "reach at least 0.90.",
                                "the test accuracy is {acc:.2f} after {epochs} epochs (hidden units: {units}); "
                                "reach at least 0.90.", pg.epoch).format(acc=acc, epochs=pg.epoch, units=units))
    expect(units <= SPIRAL_UNIT_TARGET, _("it separates the spiral (test accuracy {acc:.2f}) with {units} hidden "
                                          "units; now do it with at most {target}.").format(
        acc=acc, units=units, target=SPIRAL_UNIT_TARGET))


def _learns(lr: float) -> bool:
    from ..playground import Playground

    if lr not in _LEARNS:
        _LEARNS[lr] = Playground(preset="adam-too-high-lr", lr=lr).step(50).learned
    return _LEARNS[lr]


def adam_breaking_lr() -> float:
    """The smallest learning rate of the slider at which Adam, on the circles preset, ends 50 epochs no better
    than it started (it did not learn)."""
    from course_utils.playground import LR_CHOICES, Playground

    for lr in [v for v in LR_CHOICES if v >= 0.01]:
        if not Playground(preset="adam-too-high-lr", lr=lr).step(50).learned:
            return lr
    raise AssertionError(_("Adam learned at every learning rate of the slider"))


@exercise("adam_breaking_lr", formerly=("adam_diverging_lr",), solution=adam_breaking_lr,
          hints=(N_("Keep everything of the preset but the learning rate. Try the slider's learning rates one by one, "
                    "from small to large, train 50 epochs at each, and look at the training loss: the answer is the "
                    "first rate at which it ends no lower than where it started."),
                 N_("Train Playground(preset='adam-too-high-lr', lr=...) for 50 epochs at each value of "
                    "LR_CHOICES and read its learned property: True means the training loss ended below where it "
                    "started. Answer with the smallest value where it is False, or with the playground trained "
                    "at it."),
                 N_("Section 4.5 shows that 0.03 learns and 3 does not, so the answer is one of the slider's values "
                    "above 0.03 and at most 3. A loop over them that stops at the first playground whose learned "
                    "is False finds it; check that the value just below still learns.")))
def _check_adam_breaking_lr(answer: Any) -> None:
    from ..playground import LR_CHOICES, load_preset

    if isinstance(answer, int | float) and not isinstance(answer, bool):
        lr = float(answer)
    else:
        if callable(answer) and not hasattr(answer, "playground") and not hasattr(answer, "settings"):
            answer = call(answer)
        if isinstance(answer, int | float) and not isinstance(answer, bool):
            lr = float(answer)
        else:
            pg = _playground(answer)
            want = load_preset("adam-too-high-lr")
            for key, value in want.to_dict().items():
                if key not in ("lr", "note"):
                    got = pg.settings.to_dict()[key]
                    expect(got == value, _("change only the learning rate of the preset 'adam-too-high-lr': "
                                           "`{key}` is {got}; the preset has {value}.").format(
                        key=key, got=repr(got), value=repr(value)))
            lr = pg.settings.lr
    expect(lr in LR_CHOICES, _("{lr} is not one of the slider's learning rates {choices}.").format(
        lr=repr(lr), choices=list(LR_CHOICES)))
    if _learns(lr):
        raise Mismatch(_("at lr = {lr:g} Adam still learns (the loss after 50 epochs is below where it "
                         "started): go higher.").format(lr=lr))
    below = LR_CHOICES[LR_CHOICES.index(lr) - 1] if lr != LR_CHOICES[0] else None
    expect(below is None or _learns(below),
           _("at lr = {lr:g} Adam does not learn, but neither does it at the slider's next smaller value: go "
             "lower, to the smallest rate at which it stops learning.").format(lr=lr))
