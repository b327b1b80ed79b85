"""Chapter 03's ``numerical_grad`` checker: x restored up to float rounding is restored; a nudge left behind is not."""

import torch

from course_utils import checks
from course_utils.checks import Mismatch
from course_utils.checks import autograd as ex


def _nudge_and_undo(f, x, h=1e-6):
    """The common loop: x[i] += h, then -= 2h, then += h, which can leave x[i] one rounding step off."""
    grad = torch.zeros_like(x)
    flat_x, flat_grad = x.view(-1), grad.view(-1)
    for i in range(flat_x.numel()):
        flat_x[i] += h
        f_plus = float(f(x))
        flat_x[i] -= 2 * h
        f_minus = float(f(x))
        flat_x[i] += h
        flat_grad[i] = (f_plus - f_minus) / (2 * h)
    return grad


def test_the_nudge_and_undo_loop_really_drifts_by_rounding() -> None:
    x = torch.randn(1000, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    original = x.clone()
    _nudge_and_undo(lambda t: t.sum(), x, 1e-4)
    assert not torch.equal(x, original)  # some entries are one rounding step off ...
    ex._restored(x, original, 1e-4, "a test")  # ... which counts as restored


def test_the_nudge_and_undo_loop_is_accepted(capsys) -> None:
    assert checks.check("numerical_grad", _nudge_and_undo), capsys.readouterr().out


def test_a_nudge_left_behind_is_named_with_its_size_in_h(capsys) -> None:
    def leaves_x_nudged(f, x, h=1e-6):
        grad = ex.numerical_grad(f, x, h)
        x.view(-1)[0] += h
        return grad

    result = checks.check("numerical_grad", leaves_x_nudged)
    out = capsys.readouterr().out
    assert result.status == "wrong"
    assert "changed x" in out and "off by 0.0001 = 1·h" in out and "float rounding" in out, out
    assert "Traceback" not in out


def test_restored_names_the_first_entry_that_moved() -> None:
    original = torch.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=torch.float64)
    moved = original.clone()
    moved[1, 0] -= 2e-4
    try:
        ex._restored(moved, original, 1e-4, "a test")
    except Mismatch as wrong:
        assert "entry (1, 0)" in str(wrong) and "= -2·h" in str(wrong), str(wrong)
    else:
        raise AssertionError("a moved entry must be reported")


def test_numerical_grad_checker_still_rejects_wrong_differences(capsys) -> None:
    def forward_difference(f, x, h=1e-6):
        grad = torch.zeros_like(x)
        for i in range(x.numel()):
            nudged = x.clone()
            nudged.view(-1)[i] += h
            grad.view(-1)[i] = (float(f(nudged)) - float(f(x))) / h
        return grad

    def in_float32(f, x, h=1e-6):  # the rounding error of float32 swamps the difference
        return ex.numerical_grad(lambda t: f(t.double()), x.float(), h)

    for wrong in (forward_difference, in_float32, lambda f, x, h: ex.numerical_grad(f, x, h).tolist()):
        result = checks.check("numerical_grad", wrong)
        out = capsys.readouterr().out
        assert result.status == "wrong" and "checks.hint(" in out and "Traceback" not in out, out


def test_the_stub_is_not_attempted(capsys) -> None:
    def stub(f, x, h=1e-6):
        raise NotImplementedError

    assert checks.check("numerical_grad", stub).status == "not attempted"
