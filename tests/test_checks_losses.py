"""Chapter 05's exercises: solutions pass, typical mistakes get one readable verdict, nothing raises."""

import pytest
import torch
import torch.nn.functional as F

from course_utils import checks
from course_utils.checks import losses as ex

SOLUTIONS = {"huber_from_scratch": ex.huber, "stable_cross_entropy": ex.cross_entropy_from_logits,
             "stable_bce_with_logits": ex.bce_with_logits}


@pytest.mark.parametrize("name", list(SOLUTIONS))
def test_solutions_pass_also_in_float64(name: str, capsys) -> None:
    solution = SOLUTIONS[name]
    assert checks.check(name, solution), capsys.readouterr().out
    def in_float64(*args):
        return solution(*[a.double() if isinstance(a, torch.Tensor) and a.is_floating_point() else a for a in args])

    assert checks.check(name, in_float64), capsys.readouterr().out


WRONG = {
    "huber_from_scratch": {
        "no delta in the linear piece": (lambda x, y, d=1.0: torch.where((x - y).abs() < d, 0.5 * (x - y) ** 2,
                                                                          (x - y).abs() - 0.5 * d).mean(),
                                         "differs"),
        "sum, not mean": (lambda x, y, d=1.0: F.huber_loss(x, y, delta=d, reduction="sum"), "differs"),
        "per element": (lambda x, y, d=1.0: F.huber_loss(x, y, delta=d, reduction="none"), "shape"),
    },
    "stable_cross_entropy": {
        "softmax then log": (lambda z, t: -F.softmax(z, 1).log()[torch.arange(len(t)), t].mean(), "contains"),
        "a float": (lambda z, t: float(F.cross_entropy(z, t)), "should be a torch.Tensor"),
        "a list": (lambda z, t: [F.cross_entropy(z, t)], "should be a torch.Tensor"),
    },
    "stable_bce_with_logits": {
        "through sigmoid": (lambda x, y: F.binary_cross_entropy(torch.sigmoid(x), y), "your loss"),
        "a crash": (lambda x, y: x @ y.unsqueeze(0) @ x, "raised"),
    },
}


@pytest.mark.parametrize("name, mistake", [(n, m) for n, cases in WRONG.items() for m in cases])
def test_typical_mistakes_get_a_readable_verdict(name: str, mistake: str, wrong_verdict) -> None:
    answer, says = WRONG[name][mistake]
    out = wrong_verdict(name, answer)
    assert says.lower() in out.splitlines()[0].lower(), out


@pytest.mark.parametrize("name", list(SOLUTIONS))
def test_stubs_and_odd_answers_never_raise(name: str, capsys) -> None:
    def stub(*args):
        raise NotImplementedError

    assert checks.check(name, stub).status == "not attempted"
    assert checks.check(name, lambda *args: None).status == "not attempted"
    for odd in (lambda *args: "text", lambda *args: torch.tensor(float("nan")), 3.0):
        assert checks.check(name, odd).status == "wrong"
    assert "Traceback" not in capsys.readouterr().out
