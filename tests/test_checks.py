"""The exercise checker: friendly verdicts, never a traceback, and solutions that pass their own checks."""

import pytest
import torch
from torch import nn

from course_utils import checks
from course_utils.checks import Mismatch, _core


@pytest.fixture
def square_exercise():
    """A throw-away exercise: return x**2 for a tensor x."""

    def reference(x):
        return x**2

    @checks.exercise("_test_square", hint="multiply x by itself", solution=reference)
    def _check(fn):
        for x in (torch.tensor([1.0, -2.0, 3.0]), torch.linspace(-5, 5, 11)):
            checks.expect_close(checks.call(fn, x), reference(x), "x squared", context=f"x = {x.tolist()}")

    yield "_test_square"
    del _core._REGISTRY["_test_square"]


def _stub(x):
    raise NotImplementedError


@pytest.mark.parametrize("answer", [None, _stub])
def test_stubs_read_not_attempted(square_exercise, answer, capsys):
    result = checks.check(square_exercise, answer)
    assert result.status == "not attempted" and not result
    assert "not attempted yet" in capsys.readouterr().out


def _forgot_return(x):
    x**2  # noqa: B018 - computed, never returned: the learner's typical slip


@pytest.mark.parametrize("answer", [_forgot_return, lambda x: None])
def test_a_function_that_returns_none_hears_about_a_missing_return(square_exercise, answer, capsys):
    result = checks.check(square_exercise, answer)
    out = capsys.readouterr().out
    assert result.status == "not attempted" and not result
    assert "your function returned None (a missing `return`?)" in out, out
    assert "NotImplementedError" not in out and "Traceback" not in out


@pytest.mark.parametrize(
    "answer, says",
    [
        (lambda x: x * 2, "differs at index (0,): got 2, expected 1"),
        (lambda x: (x**2).tolist(), "should be a torch.Tensor, but it is a list"),
        (lambda x: (x**2)[:2], "has shape (2,); expected (3,)"),
        (lambda x: x**2 / 0 * 0, "contains nan"),
        (lambda x: x.undefined(), "raised AttributeError"),
        (42, "Expected a function, got int"),
    ],
)
def test_wrong_answers_explain_themselves_without_raising(square_exercise, answer, says, capsys):
    result = checks.check(square_exercise, answer)
    out = capsys.readouterr().out
    assert result.status == "wrong" and not result
    assert says in out, out
    assert "Hint: multiply x by itself" in out and "Traceback" not in out


def test_correct_answer_passes(square_exercise, capsys):
    assert checks.check(square_exercise, lambda x: x * x)
    assert "✅" in capsys.readouterr().out


def test_solution_and_hint(square_exercise, capsys):
    text = checks.solution(square_exercise)
    assert "return x**2" in text
    checks.hint(square_exercise)
    assert "multiply x by itself" in capsys.readouterr().out


def test_unknown_exercise_lists_the_known_ones():
    with pytest.raises(KeyError, match="accuracy"):
        checks.check("no_such_exercise", 1)


def test_expect_close_on_numbers():
    checks.expect_close(0.5, 0.5)
    for got, message in [(0.4, "is 0.4; expected 0.5"), ("0.5", "should be a number"),
                         (float("nan"), "is NaN")]:
        with pytest.raises(Mismatch, match=message):
            checks.expect_close(got, 0.5)


def test_registering_a_name_twice_is_refused():
    with pytest.raises(ValueError, match="twice"):
        checks.exercise("accuracy", hint="", solution="")(lambda a: None)


# Every registered exercise: its own solution passes, and a stub reads "not attempted".
SOLUTION_ANSWERS = {"training_step_order": ["zero_grad", "forward", "loss", "backward", "step"]}


@pytest.mark.parametrize("name", [n for n in checks.exercises() if not n.startswith("_")])
def test_every_solution_passes_its_checker(name, capsys):
    ex = _core._REGISTRY[name]
    answer = SOLUTION_ANSWERS.get(name, ex.solution)
    assert checks.check(name, answer), capsys.readouterr().out
    assert checks.check(name, None).status == "not attempted"


def test_basics_checkers_catch_typical_mistakes(capsys):
    assert not checks.check("count_parameters", lambda m: sum(p.numel() for p in m.parameters()))
    assert not checks.check("count_parameters", lambda m: len(list(m.parameters())))
    assert not checks.check("training_step_order", ["forward", "loss", "backward", "zero_grad", "step"])
    assert not checks.check("training_step_order", ["forward", "loss", "backward"])
    assert not checks.check("accuracy", lambda logits, y: (logits.argmax(1) == y).sum())
    assert not checks.check("accuracy", lambda logits, y: (logits.argmax(0)[: len(y)] == y).float().mean().item())
    out = capsys.readouterr().out
    assert out.count("❌") == 6 and "Traceback" not in out
    assert checks.check("count_parameters", lambda m: sum(p.numel() for p in m.parameters() if p.requires_grad))
    assert nn  # the checkers build their own models


def test_a_renamed_exercise_still_answers_to_its_released_name(capsys):
    result = checks.check("adam_diverging_lr", None)
    assert result.status == "not attempted"
    assert "adam_diverging_lr" not in checks.exercises() and "adam_breaking_lr" in checks.exercises()
