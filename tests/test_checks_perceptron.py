"""The perceptron chapter's checkers: typical mistakes get a readable verdict, and nothing raises."""

import pytest
import torch
from torch import nn

from course_utils import checks


def _mlp_in_float64(sizes):
    layers = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        layers += [nn.Linear(n_in, n_out, dtype=torch.float64), nn.ReLU()]
    return nn.Sequential(*layers[:-1])


def _update_with_strict_step(w, b, x, y, lr):
    error = y - float((x @ w + b).item() > 0)  # step(0) taken as 0: the usual slip
    return w + lr * error * x, b + lr * error


@pytest.mark.parametrize(
    "name, answer, says",
    [
        ("neuron", lambda X, w, b: torch.sigmoid(X @ w.unsqueeze(1) + b), "has shape (1, 1)"),
        ("neuron", lambda X, w, b: X @ w + b, "Your output for the worked example differs"),
        ("perceptron_update", lambda w, b, x, y, lr: w, "Return the pair (new_w, new_b)"),
        ("perceptron_update", _update_with_strict_step, "a score of exactly 0"),
        ("make_mlp", lambda sizes: nn.Sequential(nn.Linear(sizes[0], sizes[-1]), nn.ReLU()),
         "the nn.Linear layers should map"),
        ("make_mlp", _mlp_in_float64, "your model raised RuntimeError"),
        ("xor_weights", lambda: (torch.zeros(2, 2),) * 4, "`b1` should have shape (2,)"),
        ("xor_weights", (1, 2, 3, 4), "`W1` should be a torch.Tensor"),
        ("xor_weights", (torch.zeros(2, 2, dtype=torch.complex64), torch.zeros(2), torch.zeros(1, 2),
                         torch.zeros(1)), "should hold real numbers"),
        ("xor_weights", lambda: (torch.zeros(2, 2), torch.zeros(2), torch.zeros(1, 2), torch.zeros(1)),
         "For the input [0.0, 0.0] your network outputs 1"),
    ],
)
def test_typical_mistakes_get_a_readable_verdict(name, answer, says, wrong_verdict):
    assert says in wrong_verdict(name, answer)


def _update_in_place(w, b, x, y, lr):
    error = y - float((x @ w + b).item() >= 0)
    w += lr * error * x  # changes the caller's w
    return w, b + lr * error


def test_an_update_in_place_is_refused_and_says_why(wrong_verdict):
    out = wrong_verdict("perceptron_update", _update_in_place)
    assert "changed the w it was given, in place" in out and "behind their back" in out, out


def test_new_values_pass_even_when_nothing_changes(capsys):
    """Returning the given w itself when the prediction is right is no change in place."""
    def update(w, b, x, y, lr):
        error = y - float((x @ w + b).item() >= 0)
        return (w if error == 0 else w + lr * error * x), b + lr * error

    assert checks.check("perceptron_update", update), capsys.readouterr().out


def test_a_forgotten_return_is_named(capsys):
    result = checks.check("neuron", lambda X, w, b: None)
    out = capsys.readouterr().out
    assert result.status == "not attempted", out
    assert "returned None (a missing `return`?)" in out and "Traceback" not in out, out


def test_the_neuron_solution_has_its_own_name():
    """The solution shown must not be called `neuron`: pasted into the chapter it would replace the import."""
    text = checks.solution("neuron", force=True)
    assert "def my_neuron(" in text


def test_stubs_read_not_attempted(capsys):
    def stub(*args):
        raise NotImplementedError

    for name in ("neuron", "perceptron_update", "make_mlp", "xor_weights"):
        assert checks.check(name, stub).status == "not attempted"
    assert "not attempted yet" in capsys.readouterr().out
