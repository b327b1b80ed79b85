"""Chapter 02's checkers: answers in another reasonable form pass, and every wrong form gets one readable line."""

import pytest
import torch
import torch.nn.functional as F

from course_utils import checks


def _sigmoid_derivative_by_autograd(x):
    xr = x.clone().requires_grad_()
    (grad,) = torch.autograd.grad(torch.sigmoid(xr).sum(), xr)
    return grad


RIGHT = {
    "sigmoid_derivative": [_sigmoid_derivative_by_autograd, lambda x: torch.sigmoid(x) * torch.sigmoid(-x)],
    "stable_softmax": [lambda x: torch.exp(x - torch.logsumexp(x, dim=1, keepdim=True))],
    "leaky_relu": [lambda x, negative_slope=0.01: F.leaky_relu(x, negative_slope),
                   lambda x, negative_slope=0.01: x.clamp(min=0) + negative_slope * x.clamp(max=0)],
    "dead_fractions": [lambda m, X: [torch.tensor(f) for f in checks.activations.dead_fractions(m, X)]],
}


@pytest.mark.parametrize("name, answer", [(n, a) for n, answers in RIGHT.items() for a in answers])
def test_other_correct_forms_pass(name, answer, capsys) -> None:
    assert checks.check(name, answer), capsys.readouterr().out


WRONG = {
    "sigmoid_derivative": [(lambda x: torch.sigmoid(x).tolist(), "should be a torch.Tensor"),
                           (lambda x: 0.25, "should be a torch.Tensor"),
                           (lambda x: torch.exp(-x) / (1 + torch.exp(-x)) ** 2, "Your σ′(x)")],
    "stable_softmax": [(lambda x: torch.exp(x) / torch.exp(x).sum(dim=0, keepdim=True), "differs"),
                       (lambda x: (torch.exp(x) / torch.exp(x).sum(1, keepdim=True)).numpy(),
                        "should be a torch.Tensor"),
                       (lambda x: torch.exp(x) / torch.exp(x).sum(1, keepdim=True), "overflow")],
    "leaky_relu": [(lambda x: F.leaky_relu(x), "TypeError"),
                   (lambda x, negative_slope=0.01: torch.maximum(negative_slope * x, x), "negative_slope = 1.5")],
    "dead_fractions": [(lambda m, X: {0: 1.0}, "eturn a list of floats"),
                       (lambda m, X: [0.0], "your list's length is 1"),
                       (lambda m, X: ["0", "0"], "should be a number")],
}


@pytest.mark.parametrize("name, answer, says", [(n, a, s) for n, cases in WRONG.items() for a, s in cases])
def test_wrong_forms_get_one_readable_verdict(name, answer, says, capsys) -> None:
    result = checks.check(name, answer)
    out = capsys.readouterr().out
    assert result.status == "wrong", out
    assert says in out and "checks.hint(" in out and "Traceback" not in out, out


@pytest.mark.parametrize("answer, name", [
    (lambda x: torch.softmax(x, dim=1), "torch.softmax"),
    (lambda x: x.softmax(dim=1), "torch.Tensor.softmax"),
    (lambda x: F.softmax(x, dim=1), "torch.nn.functional.softmax"),
    (lambda x: torch.special.softmax(x, 1), "torch.special.softmax"),
    (lambda x: torch.nn.Softmax(dim=1)(x), "torch.nn.functional.softmax"),
])
def test_stable_softmax_refuses_the_built_in_softmax(answer, name, wrong_verdict) -> None:
    out = wrong_verdict("stable_softmax", answer)
    assert f"calls {name}, which this exercise asks you to write yourself" in out and "torch.exp" in out, out


def test_the_built_in_softmax_works_again_after_the_check(capsys) -> None:
    checks.check("stable_softmax", lambda x: x.softmax(dim=1))
    x = torch.tensor([[1.0, 2.0]])
    assert torch.allclose(x.softmax(dim=1), F.softmax(x, dim=1)) and torch.allclose(torch.softmax(x, 1), x.softmax(1))
    assert checks.check("stable_softmax", checks.activations.stable_softmax), capsys.readouterr().out
