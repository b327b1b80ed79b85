"""The exercise-checking framework: run a learner's answer against a reference and say what is wrong, kindly.

A checker is a function ``answer -> None`` registered under a name with :func:`exercise`. It calls the learner's
code only through :func:`call` and compares with :func:`expect_close`/:func:`expect`; they raise the internal
signals below, which :func:`check` turns into one printed line (✅, ❌ with a hint and the first mismatch, or
"not attempted yet"). A wrong answer never raises: no traceback reaches the learner.

The framework, not each checker, keeps that promise. :func:`check` turns anything a checker trips over (an answer
of a type, shape or dtype it did not foresee) into a ❌ line; it hides what the learner's code prints while being
checked (one short line says so); and :func:`call` stops learner code that runs longer than :data:`TIME_LIMIT`
seconds (an endless loop), :func:`check` the whole check after :data:`CHECK_TIME_LIMIT`. Only Ctrl-C
(KeyboardInterrupt) goes through, as the learner wants.

The learning loop: a ❌ line says what is wrong and how to ask for help, never a line of the solution;
:func:`hint` gives the exercise's hints one level at a time (the idea, then a pointer, then a nearly complete
step); :func:`solution` shows a solution once the learner has checked an answer of their own (or when asked with
``force=True``). Every check, hint and shown solution goes into the learner's local progress record
(:mod:`course_utils.progress`), so all of it is still there after a restart. Checking never changes the learner's
random state: a checker runs inside a forked random generator.

"Not attempted" means the stub as committed: the answer ``None`` itself, a function that raises
``NotImplementedError``, or a function that returns ``None``. The last is also what a forgotten ``return`` looks
like, so its message says so instead of pointing at a ``raise`` the learner may already have replaced.
"""

from __future__ import annotations

import contextlib
import inspect
import io
import math
import os
import random
import signal
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import torch

from .. import progress
from ..i18n import _, get_language, ngettext

__all__ = [
    "Result", "exercise", "check", "hint", "solution", "exercises", "call", "expect", "expect_close",
    "Mismatch", "NotAttempted", "time_limit", "forbid", "TIME_LIMIT", "CHECK_TIME_LIMIT", "chapter_of",
    "in_classroom",
]

# A graded class (the teacher's kit, classroom/kit.py): solutions are not shown. The kit releases this file with
# every assignment, beside its notebook (a kernel runs in the notebook's folder); a JupyterHub may instead set
# COURSE_CLASSROOM=1 for every student's server (classroom/jupyterhub_config.py).
CLASSROOM_FILE = "course-classroom.txt"
CLASSROOM_VARIABLE = "COURSE_CLASSROOM"

TIME_LIMIT = 30.0  # seconds one call of the learner's code may run: a slow laptop must not fail a right answer
CHECK_TIME_LIMIT = 120.0  # seconds a whole check may run: the backstop for learner code run outside call()


class NotAttempted(Exception):
    """The answer is still the stub: ``None``, a function that raises ``NotImplementedError`` or returns None.

    ``NotAttempted(reason)`` replaces the usual "replace the `raise NotImplementedError`" advice with ``reason``.
    """


class Mismatch(Exception):
    """The answer is wrong; the message says how (shown to the learner after the hint)."""


class _OutOfTime(BaseException):
    """Raised by SIGALRM inside code that ran over its :func:`time_limit`.

    A BaseException, so that an ``except Exception`` in the learner's code (or in a checker) cannot swallow it.
    """


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
    hints: tuple[str, ...]  # levels: the idea (no code), a pointer, a nearly complete step
    solution: Callable | str
    chapter: str  # the chapter whose notebook asks it: "05"
    listed: bool = True  # False: kept only so that earlier notebooks still check it (not in the progress table)


_REGISTRY: dict[str, Exercise] = {}
_RENAMED: dict[str, str] = {}  # a released exercise name -> its name now: old notebooks keep working


def exercise(name: str, hints: tuple[str, ...], solution: Callable | str, formerly: tuple[str, ...] = (),
             listed: bool = True) -> Callable:
    """Register the decorated checker under ``name``. ``solution`` is a function (its source is shown) or text.

    ``hints`` are the exercise's hints in levels, at least two: the idea, in words and without code; a pointer
    (which formula or function, which shape, which dimension); a nearly complete step. Each is marked with
    ``N_()`` and translated where it is shown. The exercise belongs to the chapter named by ``CHAPTER`` in the
    checker's module. ``formerly`` lists names the exercise was released under; ``check`` still answers to them.
    ``listed=False`` keeps an exercise no chapter asks any more (for earlier notebooks) out of the progress table.
    """

    def register(checker: Callable[[Any], None]) -> Callable[[Any], None]:
        if name in _REGISTRY or name in _RENAMED or any(old in _REGISTRY for old in formerly):
            raise ValueError(_("exercise {name!r} is registered twice").format(name=name))
        chapter = getattr(sys.modules.get(checker.__module__), "CHAPTER", "")
        _REGISTRY[name] = Exercise(name, checker, tuple(hints), solution, chapter, listed)
        _RENAMED.update(dict.fromkeys(formerly, name))
        return checker

    return register


def chapter_of(name: str) -> str:
    """The chapter (``"05"``) whose notebook asks exercise ``name``."""
    return _get(name).chapter


def _get(name: str) -> Exercise:
    name = _RENAMED.get(name, name)
    if name not in _REGISTRY:
        known = ", ".join(sorted(_REGISTRY))
        raise KeyError(_("no exercise named {name!r}; known exercises: {known}").format(name=name, known=known))
    return _REGISTRY[name]


def exercises() -> list[str]:
    """The names of every registered exercise, in the order of the chapters (then alphabetically)."""
    return sorted(_REGISTRY, key=lambda n: (_REGISTRY[n].chapter, n))


def check(name: str, answer: Any) -> Result:
    """Check ``answer`` (a function or a value) for exercise ``name``; print ✅/❌ and return a :class:`Result`.

    Never raises on an answer: whatever goes wrong while checking it becomes a ❌ line (Ctrl-C aside).
    """
    ex = _get(name)
    if answer is None:
        result = Result(ex.name, "not attempted",
                        _("⏳ {name}: not attempted yet — fill in the code, then run this cell.").format(name=ex.name))
    else:
        printed = io.StringIO()  # what the learner's code prints would split the verdict: keep it aside
        try:
            with (contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed),
                  time_limit(CHECK_TIME_LIMIT, _("your code")), _own_random_state()):
                _expect_a_function_if_solution_is_one(ex, answer)
                ex.checker(answer)
        except (KeyboardInterrupt, _OutOfTime):  # Ctrl-C (or the kernel's stop button); an enclosing time limit
            raise
        except NotAttempted as stub:
            why = _one_line(str(stub)) or _("replace the `raise NotImplementedError` (or the `None`) with your code")
            result = Result(ex.name, "not attempted", _("⏳ {name}: not attempted yet — {why}, then run this cell "
                                                        "again.").format(name=ex.name, why=why))
        except Mismatch as wrong:
            result = _wrong(ex, str(wrong))
        except BaseException as exc:  # a checker tripped over an answer it did not foresee: still one line
            result = _wrong(ex, _("your answer could not be checked: {error}").format(error=_exception_text(exc)))
        else:
            result = Result(ex.name, "correct", _("✅ {name}: correct!").format(name=ex.name))
        result.message += _printed_note(printed.getvalue())
    progress.record("check", ex.name, chapter=ex.chapter, status=_STATUS[result.status])
    print(result.message)
    return result


_STATUS = {"correct": "passed", "wrong": "tried", "not attempted": "untried"}  # the progress record's words


def _sentence(text: str) -> str:
    """``text`` as a sentence of its own: "Your …", not "your …", unless it starts with code (`x`, name(…), a.b)."""
    first = text.split(" ", 1)[0]
    code_like = any(mark in first for mark in "`()._[]=")
    if get_language() != "en" or code_like:  # other scripts have no case; code keeps its own
        return text
    return text[:1].upper() + text[1:]


def _wrong(ex: Exercise, why: str) -> Result:
    why = _sentence(_one_line(why, limit=600))
    return Result(ex.name, "wrong", _("❌ {name}: not yet. {why}\n   Stuck? checks.hint({quoted}) gives a hint "
                                      "(ask again for a more precise one).").format(
        name=ex.name, why=why, quoted=repr(ex.name)))


@contextlib.contextmanager
def _own_random_state() -> Iterator[None]:
    """Run a check without touching the learner's random state (Python's, NumPy's and torch's on every device)."""
    python_state = random.getstate()
    numpy = sys.modules.get("numpy")
    numpy_state = numpy.random.get_state() if numpy is not None else None
    with torch.random.fork_rng(devices=list(range(torch.cuda.device_count())) if torch.cuda.is_initialized() else []):
        try:
            yield
        finally:
            random.setstate(python_state)
            if numpy is not None:
                numpy.random.set_state(numpy_state)


def _expect_a_function_if_solution_is_one(ex: Exercise, answer: Any) -> None:
    """A model passed where the exercise wants a function (e.g. what the function returned) gets a clear line."""
    if isinstance(answer, torch.nn.Module) and callable(ex.solution):
        raise Mismatch(_("this is a model ({type}), not a function: pass the function itself "
                         "(its name, without calling it).").format(type=type(answer).__name__))


def _printed_note(text: str) -> str:
    """One short line about what the learner's code printed while being checked, or "" if it printed nothing."""
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return ""
    first = _one_line(lines[0], limit=70)
    if len(lines) == 1:
        return "\n   " + _("(Your code printed while being checked: {first})").format(first=repr(first))
    return "\n   " + _("(Your code printed {n} lines while being checked, not shown; the first: {first})").format(
        n=len(lines), first=repr(first))


def _one_line(text: str, limit: int = 200) -> str:
    """``text`` on one line (newlines become spaces), at most ``limit`` characters."""
    text = " ".join(part.strip() for part in text.strip().splitlines() if part.strip())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _exception_text(exc: BaseException) -> str:
    """``ExcType: message`` on one short line."""
    message = _one_line(str(exc), limit=160)
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


def hint(name: str) -> None:
    """Print the next hint of exercise ``name``: each call one level deeper (the idea, a pointer, a step).

    The level counts the hints already taken, in this session or an earlier one (the progress record); past the
    last level the last hint is shown again.
    """
    ex = _get(name)
    level = min(progress.hints_taken(ex.name), len(ex.hints) - 1)
    progress.record("hint", ex.name, chapter=ex.chapter, level=level + 1)
    print(_("Hint {level} of {levels} for {name}: {hint}").format(
        level=level + 1, levels=len(ex.hints), name=ex.name, hint=_(ex.hints[level])))
    if level + 1 < len(ex.hints):
        print("   " + _("(Still stuck? checks.hint({quoted}) again gives a more precise one.)").format(
            quoted=repr(ex.name)))


def solution(name: str, force: bool = False) -> Any:
    """Show a solution of exercise ``name`` (syntax-highlighted in a notebook), once you have tried it.

    "Tried" means you have checked an answer of your own with ``checks.check`` (now or in an earlier session:
    the progress record). Before that it says how to try first; ``force=True`` shows it anyway, and says so.
    In a graded class (:func:`in_classroom`) it shows none, forced or not, and says so.
    """
    ex = _get(name)
    if in_classroom():
        print(_("🔒 {name}: in this class the solutions are not shown; your teacher will discuss them. Hints "
                "still come one level at a time: checks.hint({quoted}).").format(name=ex.name, quoted=repr(ex.name)))
        return None
    if not force and not progress.attempted(ex.name):
        print(_("🔒 {name}: try it first. Write your answer, check it with checks.check({quoted}, …); after one "
                "check, checks.solution({quoted}) shows a solution. Hints come one level at a time: "
                "checks.hint({quoted}). To see the solution now anyway: checks.solution({quoted}, force=True).")
              .format(name=ex.name, quoted=repr(ex.name)))
        return None
    if force and not progress.attempted(ex.name):
        print(_("A solution of {name}, shown before any attempt because you asked (force=True):").format(
            name=ex.name))
    progress.record("solution", ex.name, chapter=ex.chapter, forced=force and not progress.attempted(ex.name))
    from .. import show_code

    sol = ex.solution
    return show_code(_(sol) if isinstance(sol, str) else textwrap.dedent(inspect.getsource(sol)))


def in_classroom() -> bool:
    """Whether this runs in a graded class (the teacher's kit): the file :data:`CLASSROOM_FILE` in the current
    folder, or the environment variable ``COURSE_CLASSROOM`` set to anything but ``""``/``"0"``."""
    return os.environ.get(CLASSROOM_VARIABLE, "") not in ("", "0") or os.path.exists(CLASSROOM_FILE)


@contextlib.contextmanager
def forbid(*names: str, why: str = "") -> Iterator[None]:
    """Inside the block, calling any of ``names`` (``"torch.softmax"``, ``"torch.Tensor.softmax"`` …) raises
    Mismatch: the exercise asks the learner to write that function themselves. ``why`` ends the message."""
    patched: list[tuple[Any, str, Any]] = []

    def refusing(full: str) -> Callable[..., Any]:
        def refuse(*args: Any, **kwargs: Any) -> Any:
            raise Mismatch(_("your function calls {name}, which this exercise asks you to write yourself{why}.")
                           .format(name=full, why=why))
        return refuse

    try:
        for full in names:
            owner_path, attribute = full.rsplit(".", 1)
            owner: Any = torch
            for part in owner_path.split(".")[1:]:
                owner = getattr(owner, part)
            patched.append((owner, attribute, getattr(owner, attribute)))
            setattr(owner, attribute, refusing(full))
        yield
    finally:
        for owner, attribute, original in reversed(patched):
            setattr(owner, attribute, original)


def call(fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Call the learner's ``fn`` and return its result.

    A stub (``NotImplementedError``, or a result of ``None``: the stub, or a forgotten ``return``) becomes
    NotAttempted; any other exception, a call that runs over :data:`TIME_LIMIT` seconds, or a generator for a
    result a readable Mismatch.
    """
    if not callable(fn):
        raise Mismatch(_("expected a function, got {type} {value}. Pass the function itself "
                         "(its name, without parentheses).").format(type=type(fn).__name__, value=_short(fn)))
    try:
        with time_limit():
            out = fn(*args, **kwargs)
    except NotImplementedError:
        raise NotAttempted from None
    except (KeyboardInterrupt, _OutOfTime, Mismatch, NotAttempted):  # Ctrl-C, an outer time limit, a verdict
        raise
    except BaseException as exc:  # the learner's bug (even SystemExit): describe it, don't dump a traceback
        shown = ", ".join([_short(a) for a in args] + [f"{k}={_short(v)}" for k, v in kwargs.items()])
        raise Mismatch(_("calling your function with ({args}) raised {error}").format(
            args=shown, error=_exception_text(exc))) from None
    if out is None:
        raise NotAttempted(_("your function returned None (a missing `return`?); return your answer"))
    if inspect.isgenerator(out):
        raise Mismatch(_("your function returned a generator (is there a `yield` in it?); return the value itself."))
    return out


@contextlib.contextmanager
def time_limit(seconds: float | None = None, what: str | None = None) -> Iterator[None]:
    """Run the ``with`` block for at most ``seconds`` (default :data:`TIME_LIMIT`); past that, raise Mismatch.

    The message reads "{what} did not return within … s (an endless loop?)". The limit is a SIGALRM timer, so it
    works on the main thread of a Unix process (a Jupyter kernel runs cells there). Elsewhere the block runs
    without a limit: Windows has no SIGALRM, and a signal reaches only the main thread. Limits nest.
    """
    seconds = TIME_LIMIT if seconds is None else seconds
    if seconds <= 0 or not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return
    alarm = _OutOfTime(seconds)
    try:
        with _alarm_after(seconds, alarm):
            yield
    except _OutOfTime as exc:
        if exc is not alarm:  # an enclosing limit ran out: it reports itself
            raise
        raise Mismatch(_("{what} did not return within {seconds:g} s (an endless loop?)").format(
            what=what or _("your function"), seconds=seconds)) from None


@contextlib.contextmanager
def _alarm_after(seconds: float, alarm: _OutOfTime) -> Iterator[None]:
    """Raise ``alarm`` in the main thread after ``seconds``, unless the block ends first.

    A process has one SIGALRM timer. An enclosing timer that is due first still rings on time (its handler runs);
    at the end the enclosing handler and timer, less the time spent here, are put back.
    """
    previous = signal.getsignal(signal.SIGALRM)
    outer_delay, outer_interval = signal.getitimer(signal.ITIMER_REAL)
    outer_first = 0 < outer_delay <= seconds and callable(previous)
    state = {"armed": True, "outer_rang": False}
    start = time.monotonic()

    def on_alarm(signum: int, frame: Any) -> None:
        if not state["armed"]:
            return
        if outer_first and not state["outer_rang"]:
            state["outer_rang"] = True
            assert callable(previous)
            previous(signum, frame)  # the enclosing handler; a limit's raises its alarm, else ours runs on:
            signal.setitimer(signal.ITIMER_REAL, max(seconds - (time.monotonic() - start), 1e-3))
            return
        state["armed"] = False
        raise alarm

    signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, outer_delay if outer_first else seconds)
    try:
        yield
    finally:
        state["armed"] = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous if previous is not None else signal.SIG_DFL)
        if outer_delay > 0 and not state["outer_rang"]:  # give the enclosing timer back what is left of it
            left = outer_delay - (time.monotonic() - start)
            signal.setitimer(signal.ITIMER_REAL, max(left, 1e-3), outer_interval)


def expect(condition: bool, message: str) -> None:
    """Raise Mismatch(message) unless ``condition`` holds."""
    if not condition:
        raise Mismatch(message)


def _short(x: Any, limit: int = 80) -> str:
    """A short one-line description of ``x`` for messages (never raises, whatever ``x`` is)."""
    try:
        if isinstance(x, torch.Tensor):
            if x.numel() <= 6:
                text = f"tensor({x.tolist()})"
            else:
                text = _("tensor of shape {shape}, dtype {dtype}").format(shape=tuple(x.shape), dtype=x.dtype)
        else:
            text = repr(x)
    except Exception:  # a learner's object whose repr fails, a tensor on an odd device, …
        text = f"<{type(x).__name__}>"
    return _one_line(text, limit)


def expect_close(
    got: Any, expected: Any, what: str = "the result", atol: float = 1e-6, rtol: float = 1e-5, context: str = ""
) -> None:
    """Compare the learner's ``got`` with ``expected`` (tensor or number); raise Mismatch naming the first difference.

    Checks, in order: the type, the shape, NaN/inf where the reference has none, then the values.
    """
    what = what if what != "the result" else _("the result")
    subject = _("{what} for {context}").format(what=what, context=context) if context else what
    if isinstance(expected, torch.Tensor):
        if not isinstance(got, torch.Tensor):
            raise Mismatch(_("{subject} should be a torch.Tensor, but it is a {type}: {value}.").format(
                subject=subject, type=type(got).__name__, value=_short(got)))
        if got.shape != expected.shape:
            raise Mismatch(_("{subject} has shape {got}; expected {expected}.").format(
                subject=subject, got=tuple(got.shape), expected=tuple(expected.shape)))
        got_d, exp_d = got.detach().double().cpu(), expected.detach().double().cpu()
        bad_nan = (~torch.isfinite(got_d)) & torch.isfinite(exp_d)
        if bad_nan.any():
            idx = tuple(int(i) for i in bad_nan.nonzero()[0])
            raise Mismatch(_("{subject} contains {got} at index {index} where {expected:.6g} was expected "
                             "(overflow? try a numerically stable form).").format(
                subject=subject, got=got_d[idx].item(), index=idx, expected=exp_d[idx].item()))
        close = torch.isclose(got_d, exp_d, rtol=rtol, atol=atol, equal_nan=True)
        if not close.all():
            idx = tuple(int(i) for i in (~close).nonzero()[0])
            n = int((~close).sum())
            values = dict(subject=subject, index=idx, got=got_d[idx].item(), expected=exp_d[idx].item(), n=n,
                          total=close.numel())
            if idx:
                raise Mismatch(ngettext("{subject} differs at index {index}: got {got:.6g}, expected {expected:.6g} "
                                        "({n} of {total} values differs).",
                                        "{subject} differs at index {index}: got {got:.6g}, expected {expected:.6g} "
                                        "({n} of {total} values differ).", n).format(**values))
            raise Mismatch(ngettext("{subject} differs: got {got:.6g}, expected {expected:.6g} "
                                    "({n} of {total} values differs).",
                                    "{subject} differs: got {got:.6g}, expected {expected:.6g} "
                                    "({n} of {total} values differ).", n).format(**values))
        return
    if isinstance(expected, int | float) and not isinstance(expected, bool):
        if isinstance(got, torch.Tensor) and got.numel() == 1:
            got = got.item()
        if isinstance(got, bool) or not isinstance(got, int | float):
            raise Mismatch(_("{subject} should be a number, but it is a {type}: {value}.").format(
                subject=subject, type=type(got).__name__, value=_short(got)))
        if math.isnan(got) and not math.isnan(expected):
            raise Mismatch(_("{subject} is NaN; expected {expected:.6g}.").format(subject=subject, expected=expected))
        if not math.isclose(got, expected, rel_tol=rtol, abs_tol=atol):
            raise Mismatch(_("{subject} is {got:.6g}; expected {expected:.6g}.").format(
                subject=subject, got=got, expected=expected))
        return
    if got != expected:
        raise Mismatch(_("{subject} is {got}; expected {expected}.").format(
            subject=subject, got=_short(got), expected=_short(expected)))
