"""Exercises of the playground chapter, checked from the playground's state.

An answer is a trained ``Playground``, the widget itself (its ``.playground`` is read), ``Playground.to_dict()``'s
dict, or a function returning one of these; for the learning-rate exercise also a number. The checkers read the
settings and the history, so a learner can solve them with the widget's controls or in code. A playground still at
epoch 0 is answered with how to train it (``.step(epochs)``, or the widget's Play/Step buttons).
"""

from __future__ import annotations

from typing import Any

from ._core import Mismatch, call, exercise, expect

SPIRAL_UNIT_TARGET = 4  # our best: 3 units (with every input feature); two layers of 8 is the unguided answer
MAX_EPOCHS = 500
_LEARNS: dict[float, bool] = {}  # lr -> does the adam-too-high-lr preset still learn at it (cached: ~1 s each)
_UNTRAINED = {  # what to do with a playground at epoch 0, by where it came from
    "widget": "the widget's playground is at epoch 0 (untrained): press Play (or Step) first, then check again.",
    "dict": "that saved playground is at epoch 0 (untrained): save it after training (`pg.step(epochs).to_dict()`).",
    "code": "that playground is at epoch 0 (untrained): call `.step(epochs)` on it, e.g. "
            "`Playground(...).step(100)`, and pass the result.",
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
            raise Mismatch(f"that dict is not a saved playground: {exc}") from None
    if isinstance(answer, Settings):
        raise Mismatch("that is a Settings, not a trained playground: pass Playground(settings).step(epochs).")
    return _unwrap_playground(answer), "code"


def _unwrap_playground(answer: Any) -> Any:
    from ..playground import Playground

    if not isinstance(answer, Playground):
        raise Mismatch(f"expected a Playground (or the widget); got {type(answer).__name__}.")
    return answer


def _same_data(pg: Any, preset: str) -> None:
    from ..playground import load_preset

    want = load_preset(preset)
    for key in ("dataset", "noise", "n", "train_fraction", "data_seed"):
        got, expected = getattr(pg.settings, key), getattr(want, key)
        expect(got == expected, f"the data must stay as in the preset {preset!r}: `{key}` is {got!r}; expected "
                                f"{expected!r}. Change the network, not the data.")


def _trained(pg: Any, source: str) -> None:
    """An untrained playground hears how to train it; one trained too long hears the limit."""
    expect(pg.epoch > 0, _UNTRAINED[source])
    expect(pg.epoch <= MAX_EPOCHS, f"it trained {pg.epoch} epochs; reach the goal within {MAX_EPOCHS}.")


def xor_without_hidden_layer() -> Any:
    """XOR with no hidden layer: give the linear model the product feature x₁x₂ (its sign is the label)."""
    from course_utils.playground import Playground

    return Playground(preset="xor-needs-hidden-layer", features=("x1", "x2", "x1*x2")).step(60)


@exercise("xor_without_hidden_layer", solution=xor_without_hidden_layer,
          hint="With no hidden layer the model draws one straight line in its INPUT features. Which feature of "
               "(x₁, x₂) has one sign on the class-1 corners (−1, 1), (1, −1) and the other on (1, 1), (−1, −1)? "
               "Tick it (or pass features=(...)), then train.")
def _check_xor_without_hidden_layer(answer: Any) -> None:
    pg, source = _unwrap(answer)
    _same_data(pg, "xor-needs-hidden-layer")
    expect(pg.settings.hidden == (), f"the network has hidden layers {list(pg.settings.hidden)}; the exercise is "
                                     f"to solve XOR with none (layers = 0).")
    _trained(pg, source)
    acc = pg.test_accuracy
    expect(acc >= 0.95, f"the test accuracy is {acc:.2f} after {pg.epoch} epochs; reach at least 0.95.")


def spiral_with_few_units() -> Any:
    """Four tanh units in one layer, fed every input feature, separate the spiral."""
    from course_utils.playground import FEATURES, Playground

    return Playground(preset="spiral-needs-depth", hidden=(4,), features=FEATURES).step(150)


@exercise("spiral_fewest_units", solution=spiral_with_few_units,
          hint=f"Reach a test accuracy of 0.9 with at most {SPIRAL_UNIT_TARGET} hidden units in total (the preset "
               f"uses 16). Units are not the only source of curves: the input features x₁², x₂², sin x₁, sin x₂ "
               f"already bend. Try one small layer fed with several features, and train long enough "
               f"(up to {MAX_EPOCHS} epochs).")
def _check_spiral_fewest_units(answer: Any) -> None:
    pg, source = _unwrap(answer)
    _same_data(pg, "spiral-needs-depth")
    _trained(pg, source)
    acc, units = pg.test_accuracy, pg.n_hidden_units
    expect(acc >= 0.9, f"the test accuracy is {acc:.2f} after {pg.epoch} epochs with {units} hidden units; "
                       f"reach at least 0.90.")
    expect(units <= SPIRAL_UNIT_TARGET, f"it separates the spiral (test accuracy {acc:.2f}) with {units} hidden "
                                        f"units; now do it with at most {SPIRAL_UNIT_TARGET}.")


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
    raise AssertionError("Adam learned at every learning rate of the slider")


@exercise("adam_breaking_lr", formerly=("adam_diverging_lr",), solution=adam_breaking_lr,
          hint="Load the preset 'adam-too-high-lr' and change only the learning rate. For each value of the "
               "slider, train 50 epochs: does the training loss end below where it started (pg.learned)? "
               "The answer is the smallest learning rate where it does not.")
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
                    expect(got == value, f"change only the learning rate of the preset 'adam-too-high-lr': "
                                         f"`{key}` is {got!r}; the preset has {value!r}.")
            lr = pg.settings.lr
    expect(lr in LR_CHOICES, f"{lr!r} is not one of the slider's learning rates {list(LR_CHOICES)}.")
    if _learns(lr):
        raise Mismatch(f"at lr = {lr:g} Adam still learns (the loss after 50 epochs is below where it "
                       f"started): go higher.")
    below = LR_CHOICES[LR_CHOICES.index(lr) - 1] if lr != LR_CHOICES[0] else None
    expect(below is None or _learns(below),
           f"at lr = {lr:g} Adam does not learn, but neither does it at the next smaller value {below:g}: "
           f"find where it starts.")
