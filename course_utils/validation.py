"""Argument checks shared by every module: one place for the errors a learner reads.

Each check returns the value it accepted, so it can be used inline, and raises with a message that names the
argument and what was expected:

>>> from course_utils import validation
>>> validation.integer(3, "epochs", min=1)
3
>>> validation.integer(0, "epochs", min=1)
Traceback (most recent call last):
    ...
ValueError: `epochs` must be a positive int; got 0
>>> validation.number(1.5, "p", min=0, max=1)
Traceback (most recent call last):
    ...
ValueError: `p` must be a number in [0, 1]; got 1.5
"""

from __future__ import annotations

import math
from collections.abc import Collection
from typing import Any, TypeVar

import torch

from .i18n import _

T = TypeVar("T")


def tensor(value: Any, name: str = "input") -> torch.Tensor:
    """``value`` itself if it is a ``torch.Tensor``; else a TypeError naming ``name``."""
    if not isinstance(value, torch.Tensor):
        raise TypeError(_("`{name}` must be a torch.Tensor; got {type}").format(name=name, type=type(value).__name__))
    return value


def is_int(value: Any) -> bool:
    """True for a Python int that is not a bool (``True`` is an int to Python, never a count to a learner)."""
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: Any) -> bool:
    """True for a Python int or float that is not a bool."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def integer(value: Any, name: str, min: int | None = None, max: int | None = None) -> int:
    """``value`` if it is an int (not a bool) in ``[min, max]``; else a ValueError naming ``name``."""
    if not is_int(value) or (min is not None and value < min) or (max is not None and value > max):
        kind, interval = _interval(min, max, False, False)
        if (min, max) == (1, None):
            message = _("`{name}` must be a positive int; got {value!r}")
        elif kind == "between":
            message = _("`{name}` must be an int in {interval}; got {value!r}")
        elif kind == "bound":
            message = _("`{name}` must be an int {interval}; got {value!r}")
        else:
            message = _("`{name}` must be an int; got {value!r}")
        raise ValueError(message.format(name=name, interval=interval, value=value))
    return value


def _interval(min: float | None, max: float | None, min_open: bool, max_open: bool) -> tuple[str, str]:
    """The allowed values in symbols, and which sentence says them: ``("between", "[0, 1)")`` (said "in [0, 1)"),
    ``("bound", "> 0")`` (said after the noun: "a number > 0"), or ``("none", "")``."""
    if (min, max, min_open) == (0, None, True):
        return "bound", "> 0"
    if min is not None and max is not None:
        return "between", f"{'(' if min_open else '['}{min}, {max}{')' if max_open else ']'}"
    if min is not None:
        return "bound", f"{'>' if min_open else '>='} {min}"
    if max is not None:
        return "bound", f"{'<' if max_open else '<='} {max}"
    return "none", ""


def number(value: Any, name: str, min: float | None = None, max: float | None = None,
           min_open: bool = False, max_open: bool = False, meaning: str = "") -> float:
    """``value`` if it is a finite int or float (not a bool) inside the interval; else a ValueError.

    ``min``/``max`` are included unless ``min_open``/``max_open``: ``number(p, "p", 0, 1, max_open=True)``
    asks for p in [0, 1). ``meaning`` is said after the name: "`p` (the probability of zeroing) must be …".
    """
    ok = is_number(value) and math.isfinite(value)
    if ok and min is not None:
        ok = value > min if min_open else value >= min
    if ok and max is not None:
        ok = value < max if max_open else value <= max
    if not ok:
        kind, interval = _interval(min, max, min_open, max_open)
        if meaning:
            message = {"between": _("`{name}` ({meaning}) must be a number in {interval}; got {value!r}"),
                       "bound": _("`{name}` ({meaning}) must be a number {interval}; got {value!r}"),
                       "none": _("`{name}` ({meaning}) must be a number; got {value!r}")}[kind]
        else:
            message = {"between": _("`{name}` must be a number in {interval}; got {value!r}"),
                       "bound": _("`{name}` must be a number {interval}; got {value!r}"),
                       "none": _("`{name}` must be a number; got {value!r}")}[kind]
        raise ValueError(message.format(name=name, meaning=meaning, interval=interval, value=value))
    return value


def one_of(value: T, name: str, choices: Collection[Any]) -> T:
    """``value`` if it is one of ``choices``; else a ValueError listing them."""
    try:
        ok = value in choices
    except TypeError:  # an unhashable value asked of a set or dict
        ok = False
    if not ok:
        raise ValueError(_("`{name}` must be one of {choices}; got {value!r}").format(
            name=name, choices=list(choices), value=value))
    return value
