"""The CNN chapter's checkers answer every wrong answer with one readable line and never raise."""

import pytest
import torch
from torch import nn

from course_utils import checks
from course_utils.checks import cnn


def _transposed(fc1: nn.Linear, fc2: nn.Linear) -> nn.Linear:
    """W₁ᵀW₂ᵀ = (W₂W₁)ᵀ: shape (in, out) instead of (out, in)."""
    merged = nn.Linear(fc1.in_features, fc2.out_features)
    with torch.no_grad():
        merged.weight = nn.Parameter(fc1.weight.T @ fc2.weight.T)
        merged.bias.copy_(fc2.weight @ fc1.bias + fc2.bias)
    return merged


def _bias_of_the_wrong_size(fc1: nn.Linear, fc2: nn.Linear) -> nn.Linear:
    """The right weight, but fc1's bias (n_mid,) kept as it is: the layer itself fails when it runs."""
    merged = cnn.merge_linear_layers(fc1, fc2)
    merged.bias = nn.Parameter(fc1.bias.detach().clone())
    return merged


class _Broken(nn.Linear):
    def forward(self, x):
        raise ValueError("forward is not finished")


def _raising_module(fc1: nn.Linear, fc2: nn.Linear) -> nn.Linear:
    return _Broken(fc1.in_features, fc2.out_features)


def _without_first_bias(fc1: nn.Linear, fc2: nn.Linear) -> nn.Linear:
    merged = cnn.merge_linear_layers(fc1, fc2)
    with torch.no_grad():
        merged.bias.copy_(fc2.bias)  # forgot W₂b₁
    return merged


def _raises(fc1, fc2):
    return fc1.weight @ fc2.weight  # (n_mid, n_in) @ (n_out, n_mid): a shape error in the learner's own code


@pytest.mark.parametrize(
    "answer, says",
    [
        (_transposed, "(transposed?)"),
        (_bias_of_the_wrong_size, "calling your merged layer"),
        (_raising_module, "raised ValueError: forward is not finished"),
        (_without_first_bias, "differs at index"),
        (lambda fc1, fc2: nn.Sequential(fc1, fc2), "return an nn.Linear; got Sequential"),
        (lambda fc1, fc2: fc2.weight @ fc1.weight, "return an nn.Linear; got Tensor"),
        (lambda fc1, fc2: nn.Linear(fc1.in_features, fc2.out_features, bias=False), "needs a bias"),
        (lambda fc1, fc2: nn.Linear(fc2.out_features, fc1.in_features), "should map 3 → 2 features"),
        (_raises, "raised RuntimeError"),
        ("W2 @ W1", "Expected a function, got str"),
    ],
)
def test_merge_linear_layers_explains_wrong_answers_in_one_line(answer, says, wrong_verdict):
    out = wrong_verdict("merge_linear_layers", answer)
    assert says in out, out
    assert out.count("\n") == 2  # the verdict, how to ask for a hint
    assert "W₂ @ W₁" not in out and "W₂b₁ + b₂" not in out, "a verdict says what is wrong, not the formula"


def _stub(fc1, fc2):
    raise NotImplementedError


@pytest.mark.parametrize("answer", [None, _stub])
def test_merge_linear_layers_stub_reads_not_attempted(answer, capsys):
    assert checks.check("merge_linear_layers", answer).status == "not attempted"
    assert "not attempted yet" in capsys.readouterr().out


def test_merge_linear_layers_answer_none_from_a_function_does_not_raise(capsys):
    result = checks.check("merge_linear_layers", lambda fc1, fc2: None)  # a forgotten `return`
    out = capsys.readouterr().out
    assert not result and "Traceback" not in out


def test_merge_linear_layers_solution_passes(capsys):
    assert checks.check("merge_linear_layers", cnn.merge_linear_layers)
    assert "✅" in capsys.readouterr().out
