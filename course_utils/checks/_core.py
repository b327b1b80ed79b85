"""The exercise-checking framework: run a learner's answer against a reference and say what is wrong, kindly.

A checker is a function ``answer -> None`` registered under a name with :func:`exercise`. It calls the learner's
code only through :func:`call` and compares with :func:`expect_close`/:func:`expect`; they raise the internal
signals below, which :func:`check` turns into one printed line (✅, ❌ with a hint and the first mismatch, or
"not attempted yet"). A wrong answer never raises: no traceback reaches the learner.

"Not attempted" means the stub as committed: the answer ``None`` itself, a function that raises
``NotImplementedError``, or a function that returns ``None``. The last is also what a forgotten ``return`` looks
like, so its message says so instead of pointing at a ``raise`` the learner may already have replaced.
"""

from __future__ import annotations

import inspect
import math
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch

__all__ = [
    "Result", "exercise", "check", "hint", "solution", "exercises", "call", "expect", "expect_close",
    "Mismatch", "NotAttempted",
]


class NotAttempted(Exception):
    """The answer is still the stub: ``None``, a function that raises ``NotImplementedError`` or returns None.

    ``NotAttempted(reason)`` replaces the usual "replace the `raise NotImplementedError`" advice with ``reason``.
    """


class Mismatch(Exception):
    """The answer is wrong; the message says how (shown to the learner after the hint)."""


@dataclass
class Result:
    """The outcome of a check. ``bool(result)`` is True only when the answer is correct."""

    name: str
    status: str  # "correct" | "wrong" | "not attempted"
    message: str

    def __bool__(self) -> bool:
        return self.status == "correct"

    def __str__(self) -> str:
        return self.message

    def _ipython_display_(self) -> None:
        """Nothing more to show in a notebook: ``check`` already printed the message."""


@dataclass
class Exercise:
    name: str
    checker: Callable[[Any], None]
    hint: str
    solution: Callable | str


_REGISTRY: dict[str, Exercise] = {}
_RENAMED: dict[str, str] = {}  # a released exercise name -> its name now: old notebooks keep working


def exercise(name: str, hint: str, solution: Callable | str, formerly: tuple[str, ...] = ()) -> Callable:
    """Register the decorated checker under ``name``. ``solution`` is a function (its source is shown) or text.

    ``formerly`` lists names the exercise was released under; ``check`` still answers to them.
    """

    def register(checker: Callable[[Any], None]) -> Callable[[Any], None]:
        if name in _REGISTRY or name in _RENAMED or any(old in _REGISTRY for old in formerly):
            raise ValueError(f"exercise {name!r} is registered twice")
        _REGISTRY[name] = Exercise(name, checker, hint, solution)
        _RENAMED.update(dict.fromkeys(formerly, name))
        return checker

    return register


def _get(name: str) -> Exercise:
    name = _RENAMED.get(name, name)
    if name not in _REGISTRY:
        known = ", ".join(sorted(_REGISTRY))
        raise KeyError(f"no exercise named {name!r}; known exercises: {known}")
    return _REGISTRY[name]


def exercises() -> list[str]:
    """The names of every registered exercise."""
    return sorted(_REGISTRY)


def check(name: str, answer: Any) -> Result:
    """Check ``answer`` (a function or a value) for exercise ``name``; print ✅/❌ and return a :class:`Result`."""
    ex = _get(name)
    if answer is None:
        result = Result(name, "not attempted", f"⏳ {name}: not attempted yet — fill in the code, then run this cell.")
    else:
        try:
            ex.checker(answer)
        except NotAttempted as stub:
            why = str(stub) or "replace the `raise NotImplementedError` (or the `None`) with your code"
            result = Result(name, "not attempted", f"⏳ {name}: not attempted yet — {why}, then run this cell again.")
        except Mismatch as wrong:
            why = str(wrong)
            why = why[:1].upper() + why[1:]
            result = Result(name, "wrong", f"❌ {name}: not yet. {why}\n   Hint: {ex.hint}\n"
                                           f"   (Stuck? checks.solution({name!r}) shows a solution.)")
        else:
            result = Result(name, "correct", f"✅ {name}: correct!")
    print(result.message)
    return result


def hint(name: str) -> None:
    """Print the hint of exercise ``name``."""
    print(f"Hint for {name}: {_get(name).hint}")


def solution(name: str) -> Any:
    """Show a solution of exercise ``name`` (syntax-highlighted in a notebook). Try it yourself first!"""
    sol = _get(name).solution
    from .. import show_code

    return show_code(sol if isinstance(sol, str) else textwrap.dedent(inspect.getsource(sol)))


def call(fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Call the learner's ``fn`` and return its result.

    A stub (``NotImplementedError``, or a result of ``None``: the stub, or a forgotten ``return``) becomes
    NotAttempted; any other exception a readable Mismatch.
    """
    if not callable(fn):
        raise Mismatch(f"expected a function, got {type(fn).__name__} {_short(fn)}.")
    try:
        out = fn(*args, **kwargs)
    except NotImplementedError:
        raise NotAttempted from None
    except Exception as exc:  # the learner's bug: describe it, don't dump a traceback
        shown = ", ".join([_short(a) for a in args] + [f"{k}={_short(v)}" for k, v in kwargs.items()])
        raise Mismatch(f"calling your function with ({shown}) raised {type(exc).__name__}: {exc}") from None
    if out is None:
        raise NotAttempted("your function returned None (a missing `return`?); return your answer")
    return out


def expect(condition: bool, message: str) -> None:
    """Raise Mismatch(message) unless ``condition`` holds."""
    if not condition:
        raise Mismatch(message)


def _short(x: Any, limit: int = 80) -> str:
    if isinstance(x, torch.Tensor):
        if x.numel() <= 6:
            text = f"tensor({x.tolist()})"
        else:
            text = f"tensor of shape {tuple(x.shape)}, dtype {x.dtype}"
    else:
        text = repr(x)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def expect_close(
    got: Any, expected: Any, what: str = "the result", atol: float = 1e-6, rtol: float = 1e-5, context: str = ""
) -> None:
    """Compare the learner's ``got`` with ``expected`` (tensor or number); raise Mismatch naming the first difference.

    Checks, in order: the type, the shape, NaN/inf where the reference has none, then the values.
    """
    where = f" for {context}" if context else ""
    if isinstance(expected, torch.Tensor):
        if not isinstance(got, torch.Tensor):
            raise Mismatch(f"{what}{where} should be a torch.Tensor, but it is a {type(got).__name__}: {_short(got)}.")
        if got.shape != expected.shape:
            raise Mismatch(f"{what}{where} has shape {tuple(got.shape)}; expected {tuple(expected.shape)}.")
        got_d, exp_d = got.detach().double().cpu(), expected.detach().double().cpu()
        bad_nan = (~torch.isfinite(got_d)) & torch.isfinite(exp_d)
        if bad_nan.any():
            idx = tuple(int(i) for i in bad_nan.nonzero()[0])
            raise Mismatch(f"{what}{where} contains {got_d[idx].item()} at index {idx} where {exp_d[idx].item():.6g} "
                           f"was expected (overflow? try a numerically stable form).")
        close = torch.isclose(got_d, exp_d, rtol=rtol, atol=atol, equal_nan=True)
        if not close.all():
            idx = tuple(int(i) for i in (~close).nonzero()[0])
            at = f" at index {idx}" if idx else ""
            raise Mismatch(f"{what}{where} differs{at}: got {got_d[idx].item():.6g}, expected {exp_d[idx].item():.6g} "
                           f"({int((~close).sum())} of {close.numel()} values differ).")
        return
    if isinstance(expected, (int, float)) and not isinstance(expected, bool):
        if isinstance(got, torch.Tensor) and got.numel() == 1:
            got = got.item()
        if isinstance(got, bool) or not isinstance(got, (int, float)):
            raise Mismatch(f"{what}{where} should be a number, but it is a {type(got).__name__}: {_short(got)}.")
        if math.isnan(got) and not math.isnan(expected):
            raise Mismatch(f"{what}{where} is NaN; expected {expected:.6g}.")
        if not math.isclose(got, expected, rel_tol=rtol, abs_tol=atol):
            raise Mismatch(f"{what}{where} is {got:.6g}; expected {expected:.6g}.")
        return
    if got != expected:
        raise Mismatch(f"{what}{where} is {_short(got)}; expected {_short(expected)}.")
