"""Chapter 04's ``xavier_numbers`` exercise: a convolution weight's fans, gain and Xavier-uniform bound."""

import math

import pytest
import torch
from torch import nn

from course_utils import checks
from course_utils.checks import init as ex


@pytest.mark.parametrize("shape", [(16, 3, 5, 5), (128, 64, 3, 3), (32, 16, 3, 5), (4, 8, 7), (100, 300)])
@pytest.mark.parametrize("nonlinearity", ["linear", "sigmoid", "tanh", "relu"])
def test_the_solution_agrees_with_torch(shape: tuple[int, ...], nonlinearity: str) -> None:
    weight = torch.empty(shape)
    fan_in, fan_out, gain, bound = ex.xavier_numbers(weight, nonlinearity)
    assert (fan_in, fan_out) == nn.init._calculate_fan_in_and_fan_out(weight)
    assert gain == nn.init.calculate_gain(nonlinearity)
    torch.manual_seed(0)
    drawn = nn.init.xavier_uniform_(torch.empty(shape), gain=gain)
    assert drawn.abs().max() <= bound and math.isclose(bound, gain * math.sqrt(6 / (fan_in + fan_out)))


def test_solution_passes_and_rounded_gains_are_accepted(capsys) -> None:
    assert checks.check("xavier_numbers", ex.xavier_numbers)

    def rounded(weight, nonlinearity):
        fan_in, fan_out, _, _ = ex.xavier_numbers(weight, nonlinearity)
        gain = {"linear": 1, "sigmoid": 1, "tanh": 1.6667, "relu": 1.4142}[nonlinearity]
        return torch.tensor(fan_in), fan_out, gain, gain * math.sqrt(6 / (fan_in + fan_out))

    assert checks.check("xavier_numbers", rounded), capsys.readouterr().out


def _with(**changes):
    """The solution with some of its four numbers replaced by functions of (weight, nonlinearity, numbers)."""

    def answer(weight, nonlinearity):
        numbers = dict(zip(("fan_in", "fan_out", "gain", "bound"), ex.xavier_numbers(weight, nonlinearity)))
        numbers.update({k: f(weight, nonlinearity, numbers) for k, f in changes.items()})
        return tuple(numbers.values())

    return answer


def _bound(fan_in, fan_out, gain=1.0):
    return gain * math.sqrt(6 / (fan_in + fan_out))


WRONG = {
    "no kernel in the fans": (_with(fan_in=lambda w, n, d: w.shape[1], fan_out=lambda w, n, d: w.shape[0]),
                              "Multiply by the kernel size too"),
    "swapped fans": (_with(fan_in=lambda w, n, d: d["fan_out"], fan_out=lambda w, n, d: d["fan_in"]), "swapped"),
    "no gain in the bound": (_with(bound=lambda w, n, d: _bound(d["fan_in"], d["fan_out"])), "Xavier-uniform bound"),
    "Kaiming's bound": (_with(bound=lambda w, n, d: d["gain"] * math.sqrt(3 / d["fan_in"])), "Xavier-uniform bound"),
    "relu gain 2": (_with(gain=lambda w, n, d: 2.0 if n == "relu" else d["gain"]), "he gain of 'relu'"),
    "three numbers": (lambda w, n: ex.xavier_numbers(w, n)[:3], "eturn four numbers"),
    "a string": (lambda w, n: ("75", 400, 1.0, 0.1), "should be a number"),
    "the weight itself": (lambda w, n: w, "eturn four numbers"),
    "a crash": (lambda w, n: w.shape[4], "raised IndexError"),
}


@pytest.mark.parametrize("mistake", list(WRONG))
def test_typical_mistakes_get_a_readable_verdict(mistake: str, wrong_verdict) -> None:
    answer, says = WRONG[mistake]
    out = wrong_verdict("xavier_numbers", answer)
    assert says in out, out


def test_the_stub_is_not_attempted_and_the_learners_seed_is_left_alone() -> None:
    def stub(weight, nonlinearity):
        raise NotImplementedError

    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    assert checks.check("xavier_numbers", stub).status == "not attempted"
    assert torch.equal(torch.rand(3), expected)  # the checker's layers drew from a forked generator
