"""The set-up chapter's checkers: every correct training-step order passes, wrong ones say why, nothing raises."""

import itertools

import pytest

from course_utils import checks
from course_utils.checks.basics import TRAINING_STEP

CORE = ["forward", "loss", "backward", "step"]


def _orders_with_zero_grad_at(slot: int) -> list[str]:
    return CORE[:slot] + ["zero_grad"] + CORE[slot:]


@pytest.mark.parametrize("slot", [0, 1, 2, 4])  # before forward, before loss, before backward, after step
def test_every_correct_order_passes(slot, capsys):
    answer = _orders_with_zero_grad_at(slot)
    assert checks.check("training_step_order", answer), capsys.readouterr().out


def test_the_checker_accepts_exactly_the_correct_orders(capsys):
    """Over all 120 permutations: correct iff forward < loss < backward < step and zero_grad not inside backward..step."""
    for order in itertools.permutations(TRAINING_STEP):
        pos = {s: i for i, s in enumerate(order)}
        right = (pos["forward"] < pos["loss"] < pos["backward"] < pos["step"]
                 and not pos["backward"] < pos["zero_grad"] < pos["step"])
        assert bool(checks.check("training_step_order", list(order))) == right, order
    assert "Traceback" not in capsys.readouterr().out


@pytest.mark.parametrize(
    "answer, says",
    [
        (["forward", "loss", "backward", "zero_grad", "step"], "has no gradient to follow"),
        (["loss", "forward", "zero_grad", "backward", "step"], "'forward' comes before 'loss'"),
        (["forward", "backward", "loss", "zero_grad", "step"], "'loss' comes before 'backward'"),
        (["forward", "loss", "zero_grad", "step", "backward"], "'backward' comes before 'step'"),
        ([None, "loss", "zero_grad", "backward", "step"], "got None (NoneType)"),
        ([["forward"], "loss", "zero_grad", "backward", "step"], "got ['forward'] (list)"),
        (["forward", "loss", "backward"], "Some steps are missing (zero_grad, step)"),
        (["forward", "loss", "zero-grad", "backward", "step"], "'zero-grad' is not a step"),
        (["forward", "loss", "zero_grad", "backward", "step", "step"], "exactly once"),
        ("forward loss zero_grad backward step", "should be a list of strings; got str"),
        ({"forward": 0}, "should be a list of strings; got dict"),
    ],
)
def test_wrong_orders_say_why_without_raising(answer, says, capsys):
    result = checks.check("training_step_order", answer)
    out = capsys.readouterr().out
    assert result.status == "wrong" and says in out, out
    assert "Traceback" not in out


def test_the_solution_names_the_accepted_orders():
    text = checks.solution("training_step_order", force=True)
    assert "after the update" in text and "except between 'backward' and 'step'" in text
