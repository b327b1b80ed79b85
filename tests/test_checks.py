"""The exercise checker: friendly verdicts, never a traceback, and solutions that pass their own checks."""

import re
import signal
import threading
import time
from pathlib import Path

import pytest
import torch
from torch import nn

from course_utils import checks
from course_utils.checks import Mismatch, _core

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def square_exercise():
    """A throw-away exercise: return x**2 for a tensor x."""

    def reference(x):
        return x**2

    @checks.exercise("_test_square", hints=("square it", "multiply x by itself", "return x * x"), solution=reference)
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
    assert "checks.hint('_test_square')" in out and "Traceback" not in out
    assert "square it" not in out and "x * x" not in out, "a verdict gives no hint, only how to ask for one"


def test_correct_answer_passes(square_exercise, capsys):
    assert checks.check(square_exercise, lambda x: x * x)
    assert "✅" in capsys.readouterr().out


def test_hints_come_one_level_at_a_time_and_stop_at_the_last(square_exercise, capsys):
    shown = []
    for _ in range(4):
        checks.hint(square_exercise)
        shown.append(capsys.readouterr().out)
    assert shown[0].startswith("Hint 1 of 3 for _test_square: square it") and "again" in shown[0]
    assert shown[1].startswith("Hint 2 of 3 for _test_square: multiply x by itself")
    assert shown[2].startswith("Hint 3 of 3 for _test_square: return x * x") and "again" not in shown[2]
    assert shown[3] == shown[2]


def test_the_solution_waits_for_an_attempt(square_exercise, capsys):
    assert checks.solution(square_exercise) is None
    out = capsys.readouterr().out
    assert "try it first" in out and "return x**2" not in out and "force=True" in out
    checks.check(square_exercise, None)  # the stub is not an attempt
    assert checks.solution(square_exercise) is None
    checks.check(square_exercise, lambda x: x * 2)  # a wrong answer is
    capsys.readouterr()
    assert "return x**2" in checks.solution(square_exercise)


def test_a_forced_solution_says_it_came_before_any_attempt(square_exercise, capsys):
    text = checks.solution(square_exercise, force=True)
    assert "return x**2" in text
    assert "before any attempt because you asked (force=True)" in capsys.readouterr().out


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
        checks.exercise("accuracy", hints=("", ""), solution="")(lambda a: None)


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


# The framework keeps the promise for every checker: whatever happens while checking, one verdict, no traceback.

def _verdict(capsys) -> str:
    out = capsys.readouterr().out
    assert "Traceback" not in out and len(out.splitlines()) <= 4, out
    return out


@pytest.fixture
def fragile_exercise():
    """An exercise whose checker trips over an answer it did not foresee (.item() of a 21-element tensor)."""

    @checks.exercise("_test_fragile", hints=("a number", "return a number"), solution=lambda: 1.0)
    def _check(fn):
        checks.expect_close(checks.call(fn).item(), 1.0)

    yield "_test_fragile"
    del _core._REGISTRY["_test_fragile"]


def test_a_checker_tripping_over_an_answer_gives_a_wrong_verdict_not_a_traceback(fragile_exercise, capsys):
    result = checks.check(fragile_exercise, lambda: torch.zeros(21))
    out = _verdict(capsys)
    assert result.status == "wrong" and not result
    assert "Your answer could not be checked: RuntimeError: a Tensor with 21 elements" in out, out
    assert "checks.hint('_test_fragile')" in out


def test_the_issue_example_warmup_cosine_with_a_tensor_of_21_reads_wrong(capsys):
    result = checks.check("warmup_cosine", lambda base_lr, epoch, warmup, t_max: torch.zeros(21))
    assert result.status == "wrong"
    assert "should be a number, but it is a Tensor" in _verdict(capsys)


def _spin(*args):
    while True:
        try:
            time.sleep(0.01)
        except Exception:  # a blanket except in the learner's code must not swallow the time limit
            pass


def test_an_endless_loop_ends_with_a_verdict_and_restores_the_previous_alarm(square_exercise, monkeypatch, capsys):
    monkeypatch.setattr(_core, "TIME_LIMIT", 0.2)
    fired = []
    previous = signal.signal(signal.SIGALRM, lambda *_: fired.append(True))
    signal.setitimer(signal.ITIMER_REAL, 100.0)
    try:
        start = time.monotonic()
        result = checks.check(square_exercise, _spin)
        assert time.monotonic() - start < 2
        assert signal.getsignal(signal.SIGALRM) is not _core.signal.SIG_DFL and not fired
        left, _ = signal.setitimer(signal.ITIMER_REAL, 0)
        assert 95 < left <= 100  # the outer timer runs on, less the time spent
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert result.status == "wrong"
    assert "Your function did not return within 0.2 s (an endless loop?)" in _verdict(capsys)


def test_an_outer_time_limit_that_runs_out_inside_an_inner_one_reports_itself(monkeypatch):
    monkeypatch.setattr(_core, "TIME_LIMIT", 5.0)
    with pytest.raises(Mismatch, match="outer code did not return within 0.2 s"):
        with checks.time_limit(0.2, "outer code"):
            checks.call(_spin)
    assert signal.getitimer(signal.ITIMER_REAL)[0] == 0


def test_an_earlier_foreign_alarm_still_rings_once_and_the_limit_still_holds(square_exercise, monkeypatch, capsys):
    monkeypatch.setattr(_core, "TIME_LIMIT", 0.3)
    fired = []
    previous = signal.signal(signal.SIGALRM, lambda *_: fired.append(time.monotonic()))
    signal.setitimer(signal.ITIMER_REAL, 0.1)
    try:
        start = time.monotonic()
        result = checks.check(square_exercise, _spin)
        time.sleep(0.05)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert len(fired) == 1 and 0.05 < fired[0] - start < 0.25, fired
    assert result.status == "wrong" and "within 0.3 s" in _verdict(capsys)


def test_the_whole_check_has_a_time_limit_too(monkeypatch, capsys):
    monkeypatch.setattr(_core, "CHECK_TIME_LIMIT", 0.2)

    @checks.exercise("_test_slow_checker", hints=("-", "-"), solution=lambda: 1)
    def _check(fn):
        fn()  # learner code run outside call(): only the whole check's limit stops it

    try:
        result = checks.check("_test_slow_checker", _spin)
    finally:
        del _core._REGISTRY["_test_slow_checker"]
    assert result.status == "wrong"
    assert "Your code did not return within 0.2 s (an endless loop?)" in _verdict(capsys)


def test_no_time_limit_off_the_main_thread_or_without_sigalrm(square_exercise, monkeypatch, capsys):
    results = []
    worker = threading.Thread(target=lambda: results.append(checks.check(square_exercise, lambda x: x * x)))
    worker.start()
    worker.join()
    assert results and results[0]
    monkeypatch.delattr(signal, "setitimer")  # as on Windows
    assert checks.check(square_exercise, lambda x: x * x)


def test_what_the_learner_prints_is_kept_aside_in_one_line(square_exercise, capsys):
    def chatty(x):
        for i in range(120):
            print("step", i)
        return x * 2

    assert checks.check(square_exercise, chatty).status == "wrong"
    out = _verdict(capsys)
    assert "step 5" not in out and "(Your code printed 120 lines while being checked, not shown; the first: 'step 0')" \
        in out, out

    def debug_print(x):
        print("x is", x.shape)
        return x * x

    assert checks.check(square_exercise, debug_print)
    out = _verdict(capsys)
    assert out.startswith("✅") and "(Your code printed 2 lines while being checked, not shown; the first: " \
        "'x is torch.Size([3])')" in out, out  # the checker calls it twice

    assert checks.check("count_parameters", lambda m: print("hello") or sum(p.numel() for p in m.parameters() if p.requires_grad))
    assert "\n   (Your code printed 4 lines" in _verdict(capsys)


def test_ctrl_c_goes_through_but_sys_exit_does_not(square_exercise, capsys):
    def interrupted(x):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        checks.check(square_exercise, interrupted)
    assert signal.getitimer(signal.ITIMER_REAL)[0] == 0  # no timer left behind

    def exits(x):
        raise SystemExit(1)

    assert checks.check(square_exercise, exits).status == "wrong"
    assert "raised SystemExit: 1" in _verdict(capsys)


@pytest.mark.parametrize(
    "answer, says",
    [
        (nn.Linear(3, 3), "This is a model (Linear), not a function: pass the function itself"),
        (torch.ones(3), "Expected a function, got Tensor tensor([1.0, 1.0, 1.0]). Pass the function itself"),
        (lambda x: (v for v in x), "returned a generator (is there a `yield` in it?)"),
        (lambda: 0, "raised TypeError"),
    ],
)
def test_common_slips_get_a_specific_reason(square_exercise, answer, says, capsys):
    assert checks.check(square_exercise, answer).status == "wrong"
    assert says in _verdict(capsys)


def test_a_long_or_multiline_reason_stays_on_one_line(square_exercise, capsys):
    def raises_long(x):
        raise ValueError("first line\n" + "very long " * 100)

    assert checks.check(square_exercise, raises_long).status == "wrong"
    verdict = _verdict(capsys).splitlines()[0]
    assert "raised ValueError: first line very long" in verdict and len(verdict) < 400, verdict


def test_short_never_raises():
    class Broken:
        def __repr__(self):
            raise RuntimeError("no repr")

    assert _core._short(Broken()) == "<Broken>"


# --- the learning loop: hints in levels, the first one an idea without code ------------------------------------
LISTED = [n for n in checks.exercises() if not n.startswith("_") and _core._REGISTRY[n].listed]
CODE_IN_WORDS = [
    (re.compile(r"`"), "inline code"),
    (re.compile(r"\b(?!e\.g\b|i\.e\b)[A-Za-z_]\w*\.[A-Za-z_]\w*"), "an attribute (x.y)"),
    (re.compile(r"\b[A-Za-z_]\w*\("), "a call f(…)"),
    (re.compile(r"\b[a-z]+_[a-z_]+\b"), "a snake_case name"),
    (re.compile(r"\*\*|==|<=|>=|\+=|\[:"), "an operator of code"),
]


def code_in(text: str) -> list[str]:
    """What in ``text`` reads as code rather than words."""
    return [f"{what}: {m.group(0)!r}" for pattern, what in CODE_IN_WORDS for m in [pattern.search(text)] if m]


@pytest.mark.parametrize("name", LISTED)
def test_every_exercise_has_hints_in_levels_and_the_first_is_an_idea_without_code(name, solution_lines):
    from course_utils import set_language
    from course_utils.i18n import _

    ex = _core._REGISTRY[name]
    assert len(ex.hints) >= 2, f"{name}: {len(ex.hints)} level(s) of hints; at least two (the idea, a pointer)"
    assert len(set(ex.hints)) == len(ex.hints), f"{name}: two levels say the same"
    for lang in ("en", "zh"):
        set_language(lang)
        first = _(ex.hints[0])
        assert not code_in(first), f"{name} [{lang}]: the first hint must be the idea in words: {code_in(first)}"
        for level, text in enumerate(ex.hints, 1):
            shown = _(text)
            given_away = [line for line in solution_lines(name) if line in shown]
            assert not given_away, f"{name} [{lang}]: hint {level} is a line of the solution: {given_away}"
    set_language("en")


def test_the_code_detector_sees_code():
    assert code_in("use torch.where(x > 0, x, negative_slope * x)")
    assert code_in("h = layer(h)") and code_in("`x`") and code_in("x ** 2") and code_in("keep_dim")
    assert not code_in("Keep the positive part as it is and scale the negative part, e.g. by a small slope.")
    assert not code_in("一个单元是一列：整列都不大于 0 时它才算“死了”。")


def test_every_exercise_belongs_to_the_chapter_that_asks_it():
    asked = {}
    for src in sorted((ROOT / "notebooks" / "src").glob("[0-9][0-9]_*.py")):
        for name in re.findall(r'checks\.check\("([a-z_0-9]+)"', src.read_text(encoding="utf-8")):
            asked.setdefault(name, src.stem[:2])
    assert {n: _core._REGISTRY[n].chapter for n in LISTED} == asked
