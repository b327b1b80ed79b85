"""Every registered exercise meets odd answers with one short, readable verdict: never an exception or a traceback.

Each exercise is driven with answers a learner really produces: a value where a function belongs, a function of
the wrong arity, one that raises, loops forever, prints a lot, yields, or returns a tensor of the wrong shape or
full of NaN. The framework (``checks.check`` and ``checks.call``) must turn every one of them into ❌ or ⏳.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest
import torch
from torch import nn

from course_utils import checks
from course_utils.checks import _core

EXERCISES = [name for name in checks.exercises() if not name.startswith("_")]


def _yields(*args: Any, **kwargs: Any) -> Any:
    yield 1


def _loops_forever(*args: Any, **kwargs: Any) -> Any:
    while True:
        try:
            pass
        except Exception:  # a learner's blanket except must not swallow the time limit
            pass


def _prints_a_lot(*args: Any, **kwargs: Any) -> None:
    for i in range(200):
        print(f"debugging line {i}")


def _nan_like_first_tensor(*args: Any, **kwargs: Any) -> Any:
    """NaN of a plausible shape: shaped like the first tensor argument (else a NaN number)."""
    for arg in args:
        if isinstance(arg, torch.Tensor):
            return torch.full_like(arg, math.nan)
    return math.nan


# Factories, so that every test gets fresh objects (a generator is used up once read).
ODD_ANSWERS: dict[str, Callable[[], Any]] = {
    "None": lambda: None,
    "int": lambda: 42,
    "str": lambda: "text",
    "list": lambda: [1, 2],
    "tensor(21)": lambda: torch.zeros(21),
    "nan tensor": lambda: torch.full((3,), math.nan),
    "float64 tensor": lambda: torch.zeros(3, dtype=torch.float64),
    "model": lambda: nn.Linear(2, 2),
    "generator": lambda: (i for i in range(3)),
    "generator function": lambda: _yields,
    "wrong arity": lambda: (lambda: 0),
    "raises": lambda: (lambda *a, **k: 1 / 0),
    "returns a generator": lambda: (lambda *a, **k: (x for x in a)),
    "returns tensor(21)": lambda: (lambda *a, **k: torch.zeros(21)),
    "prints 200 lines": lambda: _prints_a_lot,
    "loops forever": lambda: _loops_forever,
    "returns NaN": lambda: _nan_like_first_tensor,
}


@pytest.fixture(autouse=True)
def _short_time_limit(monkeypatch):
    monkeypatch.setattr(_core, "TIME_LIMIT", 0.2)


@pytest.mark.parametrize("label", list(ODD_ANSWERS))
@pytest.mark.parametrize("name", EXERCISES)
def test_an_odd_answer_gets_one_short_verdict(name, label, capsys):
    result = checks.check(name, ODD_ANSWERS[label]())  # an exception here fails the test: that is the point
    out = capsys.readouterr().out
    assert result.status in ("wrong", "not attempted"), out
    assert out.startswith(("❌", "⏳")) and result.message in out, out
    assert "Traceback" not in out and len(out.splitlines()) <= 4, out
    if label == "loops forever" and callable(_core._REGISTRY[name].solution):  # the exercise runs functions
        assert "within 0.2 s (an endless loop?)" in out, out
    if label == "prints 200 lines":
        assert "debugging line 1\n" not in out, out  # kept aside: at most a one-line mention
