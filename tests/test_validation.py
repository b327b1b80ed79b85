"""The shared argument checks: what they accept, and the message a learner reads when they refuse."""

import math

import pytest
import torch

from course_utils import validation as v


def test_tensor_returns_a_tensor_and_names_the_argument():
    x = torch.zeros(2)
    assert v.tensor(x, "x") is x
    with pytest.raises(TypeError, match=r"`x` must be a torch.Tensor; got list"):
        v.tensor([1.0], "x")


@pytest.mark.parametrize("value", [3, 1, 10**12])
def test_integer_accepts_ints_at_or_above_the_minimum(value):
    assert v.integer(value, "n", min=1) == value


@pytest.mark.parametrize("value", [0, -1, 2.0, True, "3", None])
def test_integer_refuses_bools_floats_and_small_values(value):
    with pytest.raises(ValueError, match=r"`n` must be a positive int; got"):
        v.integer(value, "n", min=1)


def test_integer_in_a_range():
    assert v.integer(0, "seed", min=0, max=9) == 0
    with pytest.raises(ValueError, match=r"`seed` must be an int in \[0, 9\]; got 10"):
        v.integer(10, "seed", min=0, max=9)
    with pytest.raises(ValueError, match=r"`k` must be an int >= 0; got -1"):
        v.integer(-1, "k", min=0)


def test_integer_without_a_minimum():
    assert v.integer(-5, "k") == -5
    with pytest.raises(ValueError, match=r"`k` must be an int; got 1.5"):
        v.integer(1.5, "k")


@pytest.mark.parametrize(
    "kwargs, good, bad, says",
    [
        ({"min": 0}, [0, 0.5, 1e9], [-1e-9, math.nan, math.inf, False], "a number >= 0"),
        ({"min": 0, "min_open": True}, [1e-9, 3], [0, -1], "a number > 0"),
        ({"min": 0, "max": 1, "max_open": True}, [0, 0.999], [1, 1.5, -0.1], "a number in [0, 1)"),
        ({"min": 0, "max": 1, "min_open": True, "max_open": True}, [0.5], [0, 1], "a number in (0, 1)"),
        ({"max": 2}, [-3, 2], [2.1], "a number <= 2"),
        ({}, [0, -1.5], ["1", None, math.nan], "a number; got"),
    ],
)
def test_number_intervals(kwargs, good, bad, says):
    for value in good:
        assert v.number(value, "lr", **kwargs) == value
    for value in bad:
        with pytest.raises(ValueError) as info:
            v.number(value, "lr", **kwargs)
        assert str(info.value).startswith(f"`lr` must be {says}"), str(info.value)


def test_one_of_lists_the_choices_in_order():
    assert v.one_of("sum", "reduction", ("mean", "sum", "none")) == "sum"
    with pytest.raises(ValueError, match=r"`reduction` must be one of \['mean', 'sum', 'none'\]; got 'avg'"):
        v.one_of("avg", "reduction", ("mean", "sum", "none"))
    with pytest.raises(ValueError, match="must be one of"):
        v.one_of(["unhashable"], "reduction", {"mean", "sum"})
