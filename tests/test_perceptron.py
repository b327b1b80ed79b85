"""The perceptron chapter: the neuron, the perceptron rule, the nn.Module, its exercises and its widget."""

import math

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from course_utils import checks, widgets
from course_utils.perceptron import GATES, Perceptron, PerceptronRule, make_gate, neuron, step

# ------------------------------------------------------------------------------------------------ step, neuron


def test_step_is_heaviside_with_one_at_zero():
    z = torch.tensor([-3.0, -1e-30, 0.0, 1e-30, 2.0])
    assert torch.equal(step(z), torch.heaviside(z, torch.tensor(1.0)))
    assert step(z.double()).dtype == torch.float64
    assert step(torch.tensor([-1, 0, 1])).tolist() == [0.0, 1.0, 1.0]  # integer input -> float output
    with pytest.raises(TypeError, match="`z`"):
        step([0.0])


def test_the_worked_example_gives_0_6225():
    x, w = torch.tensor([0.5, 0.3, 0.2]), torch.tensor([0.4, 0.6, 0.1])
    y = neuron(x, w, 0.1)
    assert y.shape == () and round(y.item(), 4) == 0.6225
    assert y.item() == pytest.approx(1 / (1 + math.exp(-0.5)), abs=1e-7)
    assert neuron(x, w, 0.1, activation="relu").item() == pytest.approx(0.5)
    assert neuron(x, w, 0.1, activation="identity").item() == pytest.approx(0.5)
    assert neuron(x, w, 0.1, activation="step").item() == 1.0
    assert neuron(x, w, torch.tensor(-1.0), activation="step").item() == 0.0


def test_neuron_on_a_batch_matches_nn_linear():
    X = torch.randn(6, 4)
    layer = nn.Linear(4, 1)
    expected = torch.sigmoid(layer(X)).squeeze(1)
    got = neuron(X, layer.weight[0].detach(), layer.bias.detach()[0])
    assert got.shape == (6,)
    torch.testing.assert_close(got, expected.detach())


def test_neuron_argument_errors():
    with pytest.raises(TypeError, match="`x`"):
        neuron([1.0, 2.0], torch.ones(2), 0.0)
    with pytest.raises(TypeError, match="`w`"):
        neuron(torch.ones(2), [1.0, 2.0], 0.0)
    with pytest.raises(ValueError, match="`w`.*got w of shape \\(3,\\)"):
        neuron(torch.ones(5, 2), torch.ones(3), 0.0)
    with pytest.raises(ValueError, match="`activation`.*'tanh'"):
        neuron(torch.ones(2), torch.ones(2), 0.0, activation="tanh")


# --------------------------------------------------------------------------------------------------- gates


@pytest.mark.parametrize("gate", list(GATES))
def test_make_gate_is_the_truth_table(gate):
    X, y = make_gate(gate)
    assert X.tolist() == [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
    a, b = X[:, 0].bool(), X[:, 1].bool()
    truth = {"AND": a & b, "OR": a | b, "NAND": ~(a & b), "XOR": a ^ b}[gate]
    assert y.dtype == torch.long and y.tolist() == truth.long().tolist()
    assert torch.equal(make_gate(gate.lower())[1], y)


def test_make_gate_noisy_clouds_are_seeded_and_labelled_by_corner():
    X, y = make_gate("XOR", n=80, noise=0.1, seed=3)
    X2, _ = make_gate("XOR", n=80, noise=0.1, seed=3)
    assert X.shape == (80, 2) and X.dtype == torch.float32 and y.shape == (80,)
    assert torch.equal(X, X2) and not torch.equal(X, make_gate("XOR", n=80, noise=0.1, seed=4)[0])
    corners = X.round()  # noise 0.1 never moves a point half-way to another corner here
    assert torch.equal((corners[:, 0] != corners[:, 1]).long(), y)


@pytest.mark.parametrize("kwargs, match", [({"gate": "XNOR"}, "`gate`"), ({"gate": "AND", "n": 0}, "`n`"),
                                           ({"gate": "AND", "noise": -1.0}, "`noise`")])
def test_make_gate_argument_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_gate(**kwargs)


# ------------------------------------------------------------------------------------------ perceptron rule


@pytest.mark.parametrize("gate, epochs", [("AND", 6), ("OR", 4), ("NAND", 6)])
def test_perceptron_rule_converges_on_separable_gates(gate, epochs):
    X, y = make_gate(gate)
    p = PerceptronRule(2).fit(X, y, epochs=100)
    assert p.converged and p.score(X, y) == 1.0
    assert len(p.mistakes_per_epoch) == epochs and p.mistakes_per_epoch[-1] == 0
    assert torch.equal(p.predict(X), y) and p.predict(X).dtype == torch.long


def test_perceptron_rule_never_solves_xor_and_cycles():
    X, y = make_gate("XOR")
    p = PerceptronRule(2)
    states = []
    for _ in range(50):
        p.fit(X, y, epochs=1)
        states.append((p.weight.tolist(), p.bias.item()))
        assert p.score(X, y) < 1.0
    assert not p.converged and min(p.mistakes_per_epoch) >= 1 and len(p.mistakes_per_epoch) == 50
    assert all(s == states[2] for s in states[2:])


def test_perceptron_rule_converges_on_random_separable_data():
    """Novikoff: with a margin, finitely many mistakes; the final line separates every point."""
    g = torch.Generator().manual_seed(0)
    w_true, b_true = torch.tensor([2.0, -1.0, 0.5]), 0.3
    X = torch.randn(300, 3, generator=g)
    score = X @ w_true + b_true
    keep = score.abs() > 0.3  # a margin
    X, y = X[keep], (score[keep] > 0).long()
    p = PerceptronRule(3, lr=0.5).fit(X, y, epochs=1000)
    assert p.converged and p.score(X, y) == 1.0


def test_update_follows_the_rule():
    p = PerceptronRule(2, lr=0.5)
    assert p.update(torch.tensor([1.0, 2.0]), 0)  # score 0 -> predicts 1 -> wrong: subtract
    assert p.weight.tolist() == [-0.5, -1.0] and p.bias.item() == -0.5
    assert not p.update(torch.tensor([1.0, 2.0]), 0)  # now right: no change
    assert p.weight.tolist() == [-0.5, -1.0]
    assert p.update(torch.tensor([1.0, 0.0]), 1)  # score -1 -> predicts 0 -> wrong: add
    assert p.weight.tolist() == [0.0, -1.0] and p.bias.item() == 0.0


def test_perceptron_rule_matches_decision_function_and_argument_errors():
    p = PerceptronRule(2)
    p.weight = torch.tensor([1.0, -2.0])
    p.bias = torch.tensor(0.5)
    X = torch.tensor([[1.0, 1.0], [0.0, 0.0]])
    assert p.decision_function(X).tolist() == [-0.5, 0.5] and p.predict(X).tolist() == [0, 1]
    with pytest.raises(ValueError, match="`input_dim`"):
        PerceptronRule(0)
    with pytest.raises(ValueError, match="`lr`"):
        PerceptronRule(2, lr=0)
    with pytest.raises(ValueError, match=r"`X` must have shape \(n, 2\)"):
        p.predict(torch.ones(3, 3))
    with pytest.raises(TypeError, match="`X`"):
        p.fit([[0.0, 1.0]], torch.tensor([1]))
    with pytest.raises(ValueError, match="`y`"):
        p.fit(torch.ones(2, 2), torch.tensor([0, 2]))


# --------------------------------------------------------------------------------------------- nn.Module


def test_perceptron_module_is_linear_then_sigmoid():
    torch.manual_seed(0)
    model = Perceptron(3)
    assert isinstance(model.linear, nn.Linear) and isinstance(model.activation, nn.Sigmoid)
    assert sum(p.numel() for p in model.parameters()) == 4
    X = torch.randn(7, 3)
    out = model(X)
    assert out.shape == (7, 1) and ((out > 0) & (out < 1)).all()
    torch.testing.assert_close(out, torch.sigmoid(X @ model.linear.weight.T + model.linear.bias))
    assert model(torch.tensor([1.0, 2.0, 3.0])).shape == (1,)
    with pytest.raises(ValueError, match="`input_dim`"):
        Perceptron(0)


def test_perceptron_module_learns_and_but_not_xor():
    for gate, ok in [("AND", True), ("XOR", False)]:
        X, y = make_gate(gate, n=80, noise=0.1)
        torch.manual_seed(0)
        model = Perceptron(2)
        opt = torch.optim.Adam(model.parameters(), lr=0.05)
        for _ in range(200):
            loss = F.binary_cross_entropy(model(X), y.float().unsqueeze(1))
            opt.zero_grad()
            loss.backward()
            opt.step()
        acc = ((model(X) >= 0.5).long().squeeze(1) == y).float().mean().item()
        assert (acc == 1.0) if ok else (acc <= 0.75)


# --------------------------------------------------------------------------------------------- exercises


def _stub(*args):
    raise NotImplementedError


@pytest.mark.parametrize("name", ["neuron", "perceptron_update", "make_mlp", "xor_weights"])
def test_solutions_pass_and_stubs_are_not_attempted(name, capsys):
    assert checks.check(name, checks._core._REGISTRY[name].solution)
    assert checks.check(name, _stub).status == "not attempted"
    assert checks.check(name, None).status == "not attempted"


def _xor_as_values():
    return checks._core._REGISTRY["xor_weights"].solution()


WRONG = {
    "neuron": [
        lambda X, w, b: torch.sigmoid(X @ w),                       # forgot the bias
        lambda X, w, b: X @ w + b,                                  # forgot the activation
        lambda X, w, b: torch.sigmoid(X @ w + b).unsqueeze(1),      # shape (n, 1)
        lambda X, w, b: torch.sigmoid((X * w).sum() + b),           # summed over the batch too
    ],
    "perceptron_update": [
        lambda w, b, x, y, lr: (w + lr * y * x, b + lr * y),        # updates even when right
        lambda w, b, x, y, lr: (w - lr * (y - float((x @ w + b) >= 0)) * x, b),  # wrong sign, no bias update
        lambda w, b, x, y, lr: (w + lr * (y - float((x @ w + b) > 0)) * x,        # step(0) = 0
                                b + lr * (y - float((x @ w + b) > 0))),
        lambda w, b, x, y, lr: w,                                   # not a pair
    ],
    "make_mlp": [
        lambda sizes: nn.Sequential(*[nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:])]),  # no activations
        lambda sizes: nn.Sequential(*[m for a, b in zip(sizes[:-1], sizes[1:])
                                      for m in (nn.Linear(a, b), nn.ReLU())]),  # a ReLU after the output layer
        lambda sizes: nn.Sequential(nn.Linear(sizes[0], 64), nn.ReLU(), nn.Linear(64, sizes[-1])),  # fixed hidden
        lambda sizes: [nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:])],  # a list, not a module
        lambda sizes: nn.Sequential(*[m for a, b in zip(sizes[:-1], sizes[1:])
                                      for m in (nn.Linear(a, b), nn.Dropout())][:-1]),  # no non-linearity
    ],
    "xor_weights": [
        lambda: (torch.tensor([[1.0, 1.0], [1.0, 1.0]]), torch.tensor([-0.5, -1.5]),
                 torch.tensor([[1.0, 1.0]]), torch.tensor([-1.5])),  # OR and AND, then AND: computes AND
        lambda: (torch.ones(2, 2), torch.zeros(2), torch.ones(2), torch.zeros(1)),  # W2 of the wrong shape
        lambda: [1, 2, 3, 4],                                       # not tensors
        lambda: _xor_as_values()[:3],                               # three tensors
    ],
}


@pytest.mark.parametrize("name", list(WRONG))
def test_typical_wrong_answers_fail_kindly(name, capsys):
    for answer in WRONG[name]:
        result = checks.check(name, answer)
        assert result.status == "wrong", (name, result.message)
    out = capsys.readouterr().out
    assert "Traceback" not in out and "checks.hint(" in out


def test_xor_weights_accepts_the_tuple_itself():
    assert checks.check("xor_weights", _xor_as_values())


# ------------------------------------------------------------------------------------------------ widget


def test_playground_reports_accuracy_and_rings_mistakes():
    w = widgets.perceptron_playground()
    title = lambda: w.draw(**w.values()).axes[0].get_title()  # noqa: E731
    assert "AND: accuracy 50%" in title()  # the OR line on AND: the (0,1) and (1,0) clouds are wrong
    w.controls["b"].value = -1.5
    assert "accuracy 100% (0 of 80 wrong)" in title() and w.last_error is None
    w.controls["dataset"].value = "OR"
    assert "OR: accuracy 50%" in title()  # the AND line on OR
    w.controls["dataset"].value = "moons"
    assert "of 200 wrong" in title()


def test_playground_never_reaches_100_percent_on_xor():
    w = widgets.perceptron_playground()
    w.controls["dataset"].value = "XOR"
    g = torch.Generator().manual_seed(0)
    for w1, w2, b in (10 * torch.rand(30, 3, generator=g) - 5).tolist():
        w.controls["w1"].value, w.controls["w2"].value, w.controls["b"].value = w1, w2, b
        assert "accuracy 100%" not in w.draw(**w.values()).axes[0].get_title()
    assert w.last_error is None


def test_playground_handles_zero_and_vertical_weights():
    w = widgets.perceptron_playground()
    w.controls["w2"].value = 0.0  # a vertical line x1 = -b / w1
    line = w.draw(**w.values()).axes[0].lines[0]
    assert line.get_visible() and list(line.get_xdata()) == [0.5, 0.5]
    w.controls["w1"].value = 0.0  # w = 0: no line, everything on one side
    assert not w.draw(**w.values()).axes[0].lines[0].get_visible() and w.last_error is None
    assert widgets.perceptron._line_through_box(0.0, 0.0, 1.0, (0, 1), (0, 1)) is None
    xs, ys = widgets.perceptron._line_through_box(1.0, 2.0, -1.0, (0.0, 1.0), (0.0, 1.0))
    assert xs == [0.0, 1.0] and ys == [0.5, 0.0]
