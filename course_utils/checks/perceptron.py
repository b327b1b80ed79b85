"""Exercises of the perceptron chapter: a batch of neurons, one perceptron update, an MLP from sizes, XOR by hand."""

from __future__ import annotations

import torch
from torch import nn

from ..i18n import N_, _, ngettext
from ._core import Mismatch, call, exercise, expect, expect_close, time_limit

CHAPTER = "01"  # the chapter whose notebook asks these exercises (its progress line)


def my_neuron(X: torch.Tensor, w: torch.Tensor, b: float) -> torch.Tensor:
    """sigmoid(x . w + b) for every row x of X (n, d), with w (d,) and a number b -> (n,)."""
    return torch.sigmoid(X @ w + b)


@exercise("neuron", solution=my_neuron,
          hints=(N_("Each row of X is one input: take the weighted sum of its features, add the bias, and squash "
                    "the result with the sigmoid. Do all rows at once, without a loop."),
                 N_("The matrix-vector product X @ w (shapes (n, d) and (d,)) gives one weighted sum per row, shape "
                    "(n,); the sigmoid is torch.sigmoid, or 1 / (1 + torch.exp(-z))."),
                 N_("Compute z = X @ w + b, which already has shape (n,) (no extra dimension), then return the "
                    "sigmoid of z.")))
def _check_neuron(fn) -> None:
    g = torch.Generator().manual_seed(0)
    cases = [
        (_("the worked example"), torch.tensor([[0.5, 0.3, 0.2]]), torch.tensor([0.4, 0.6, 0.1]), 0.1),
        (_("5 points with 3 features"), torch.randn(5, 3, generator=g), torch.randn(3, generator=g), -0.3),
        (_("4 points with 2 features"), torch.randn(4, 2, generator=g), torch.randn(2, generator=g), 2.0),
        (_("2 points with 1 feature"), torch.tensor([[1.0], [-2.0]]), torch.tensor([3.0]), 0.0),
    ]
    for label, X, w, b in cases:
        got = call(fn, X.clone(), w.clone(), b)
        if isinstance(got, torch.Tensor) and got.shape == (X.shape[0], 1):
            raise Mismatch(_("for {label} the output has shape {shape}; return one number per row, shape ({n},), "
                             "without the extra dimension: a 1-D w already gives one weighted sum per row.").format(
                label=label, shape=tuple(got.shape), n=X.shape[0]))
        expect_close(got, my_neuron(X, w, b), _("your output"), atol=1e-6, context=label)


def perceptron_update(w: torch.Tensor, b: float, x: torch.Tensor, y: int, lr: float) -> tuple[torch.Tensor, float]:
    """One step of the perceptron rule on the point x (d,) with label y in {0, 1}; returns the new (w, b)."""
    y_hat = 1.0 if (x @ w + b).item() >= 0 else 0.0  # step(z): 1 for z >= 0
    error = y - y_hat
    return w + lr * error * x, b + lr * error


@exercise("perceptron_update", solution=perceptron_update,
          hints=(N_("First predict with the step function (a score of exactly zero counts as 1), then compare with "
                    "the label: a right prediction changes nothing, a wrong one moves the weights and the bias "
                    "towards the right answer, by an amount the learning rate sets."),
                 N_("The score is x @ w + b and the prediction y_hat is 1.0 when the score is >= 0 (not > 0), else "
                    "0.0; the error y - y_hat is -1, 0 or +1, and the rule adds lr * error * x to w and "
                    "lr * error to b."),
                 N_("Turn the score into a number with .item(), compute y_hat and the error, then return the pair "
                    "(w + ..., b + ...) as new values; w += ... would change the caller's w in place, which the "
                    "exercise forbids.")))
def _check_perceptron_update(fn) -> None:
    w0 = torch.tensor([0.5, -1.0])
    cases = [
        (_("a point predicted right (y = 1, score 1.5)"), w0, 0.5, torch.tensor([2.0, 0.0]), 1, 1.0),
        (_("a point predicted right (y = 0, score -1.5)"), w0, 0.5, torch.tensor([0.0, 2.0]), 0, 1.0),
        (_("a wrong 0 (y = 1, score -1.5)"), w0, 0.5, torch.tensor([0.0, 2.0]), 1, 1.0),
        (_("a wrong 1 (y = 0, score 1.5)"), w0, 0.5, torch.tensor([2.0, 0.0]), 0, 0.5),
        (_("a score of exactly 0 (predicted 1) with y = 0"), torch.zeros(2), 0.0, torch.tensor([1.0, 1.0]), 0, 1.0),
        (_("zero weights and y = 1 (score 0 predicts 1: right)"), torch.zeros(3), 0.0, torch.tensor([1.0, 2.0, 3.0]),
         1, 0.1),
    ]
    for label, w, b, x, y, lr in cases:
        given = w.clone()
        got = call(fn, given, b, x.clone(), y, lr)
        expect(torch.equal(given, w),
               _("for {label} your function changed the w it was given, in place (+=, -= or a method ending in _): "
                 "the caller's tensor then changes behind their back, and every name for it, such as the old "
                 "weights kept to compare with, shows the new values. Leave w as it is and return new values.")
               .format(label=label))
        expect(isinstance(got, tuple | list) and len(got) == 2,
               _("return the pair (new_w, new_b); for {label} you returned a {type}.").format(
                   label=label, type=type(got).__name__))
        new_w, new_b = got
        ref_w, ref_b = perceptron_update(w, b, x, y, lr)
        context = _("{label}, w = {w}, b = {b}, x = {x}, lr = {lr}").format(
            label=label, w=w.tolist(), b=b, x=x.tolist(), lr=lr)
        expect_close(new_w, ref_w, _("the new w"), context=context)
        expect_close(float(new_b) if isinstance(new_b, torch.Tensor) and new_b.numel() == 1 else new_b, ref_b,
                     _("the new b"), context=context)


def make_mlp(sizes: list[int]) -> nn.Sequential:
    """An MLP as nn.Sequential: nn.Linear between consecutive sizes, nn.ReLU between them, none after the last."""
    layers: list[nn.Module] = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        layers += [nn.Linear(n_in, n_out), nn.ReLU()]
    return nn.Sequential(*layers[:-1])  # the output layer gives raw scores: no activation after it


_NONLINEAR = (nn.ReLU, nn.LeakyReLU, nn.PReLU, nn.ELU, nn.GELU, nn.SiLU, nn.Tanh, nn.Sigmoid)


@exercise("make_mlp", solution=make_mlp,
          hints=(N_("Each pair of neighbouring sizes in the list is one linear layer. Put a ReLU after every layer "
                    "except the last: the output layer returns raw scores."),
                 N_("Pair each size with the next one, e.g. zip(sizes[:-1], sizes[1:]), make nn.Linear(n_in, n_out) "
                    "for each pair with nn.ReLU() after it, and wrap a list of modules with nn.Sequential(*layers)."),
                 N_("Collect nn.Linear(n_in, n_out) and nn.ReLU() for every pair in a list, then leave out the "
                    "list's last element (the ReLU after the output layer) when you pass it to nn.Sequential; an "
                    "activation there would, with ReLU, clip every negative score to 0.")))
def _check_make_mlp(fn) -> None:
    for sizes in ([2, 8, 1], [20, 64, 32, 4], [784, 128, 64, 10], [3, 1]):
        model = call(fn, list(sizes))
        expect(isinstance(model, nn.Sequential),
               _("for sizes {sizes} return an nn.Sequential; got {type}.").format(
                   sizes=sizes, type=type(model).__name__))
        modules = list(model)
        linears = [m for m in modules if isinstance(m, nn.Linear)]
        got = [(m.in_features, m.out_features) for m in linears]
        want = list(zip(sizes[:-1], sizes[1:]))
        expect(got == want, _("for sizes {sizes} the nn.Linear layers should map {want} (in, out); got {got}.")
               .format(sizes=sizes, want=want, got=got))
        expect(bool(modules) and isinstance(modules[-1], nn.Linear),
               _("for sizes {sizes} the last module is {last}; end with the output nn.Linear (an activation after "
                 "it would, e.g. with ReLU, clip every negative score to 0).").format(
                   sizes=sizes, last=type(modules[-1]).__name__) if modules else
               _("for sizes {sizes} the last module is missing; end with the output nn.Linear (an activation after "
                 "it would, e.g. with ReLU, clip every negative score to 0).").format(sizes=sizes))
        for i, (a, b) in enumerate(zip(modules[:-1], modules[1:])):
            if isinstance(a, nn.Linear):
                expect(isinstance(b, _NONLINEAR),
                       _("for sizes {sizes} module {index} follows a hidden nn.Linear but is {type}: put nn.ReLU() "
                         "between layers, or consecutive Linear layers collapse into one.").format(
                           sizes=sizes, index=i + 1, type=type(b).__name__))
        expect(len(modules) == 2 * len(want) - 1,
               ngettext("for sizes {sizes} expected {expected} module (Linear, ReLU, …, Linear); got {got}.",
                        "for sizes {sizes} expected {expected} modules (Linear, ReLU, …, Linear); got {got}.",
                        2 * len(want) - 1).format(sizes=sizes, expected=2 * len(want) - 1, got=len(modules)))
        x = torch.randn(5, sizes[0], generator=torch.Generator().manual_seed(0))
        try:
            with torch.no_grad(), time_limit(what=_("your model on sizes {sizes}").format(sizes=sizes)):
                out = model(x)
        except Exception as exc:  # e.g. a layer made with dtype=torch.float64: describe it, never raise
            raise Mismatch(_("for sizes {sizes} your model raised {error} on a float32 batch of shape ({n}, {d}): "
                             "{message}").format(sizes=sizes, error=type(exc).__name__, n=5, d=sizes[0],
                                                 message=exc)) from None
        expect(out.shape == (5, sizes[-1]), _("for sizes {sizes} a batch of 5 gives shape {got}; expected {expected}.")
               .format(sizes=sizes, got=tuple(out.shape), expected=(5, sizes[-1])))


def xor_weights() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """A 2-2-1 network of step neurons that computes XOR: hidden OR and NAND, output AND of the two."""
    W1 = torch.tensor([[1.0, 1.0], [-1.0, -1.0]])  # unit 1: x1 + x2 - 0.5 >= 0 is OR
    b1 = torch.tensor([-0.5, 1.5])                  # unit 2: -x1 - x2 + 1.5 >= 0 is NAND
    W2 = torch.tensor([[1.0, 1.0]])                 # output: h1 + h2 - 1.5 >= 0 is AND
    b2 = torch.tensor([-1.5])
    return W1, b1, W2, b2


def _step_net(x: torch.Tensor, W1: torch.Tensor, b1: torch.Tensor, W2: torch.Tensor, b2: torch.Tensor) -> torch.Tensor:
    h = (x @ W1.T + b1 >= 0).float()
    return (h @ W2.T + b2 >= 0).long().reshape(-1)


@exercise("xor_weights", solution=xor_weights,
          hints=(N_("One step neuron draws only one straight line, and XOR needs two. Let each hidden unit draw one "
                    "line, and let the output unit combine their answers."),
                 N_("Let hidden unit 1 compute OR (it fires unless both inputs are 0) and hidden unit 2 compute NAND "
                    "(it fires unless both are 1). XOR is true exactly when both fire, so the output unit computes "
                    "AND of the two; a unit fires when its weighted sum plus bias is >= 0."),
                 N_("Row i of W1 holds the weights of hidden unit i: OR works with weights 1 and 1 and bias -0.5, "
                    "NAND with weights -1 and -1 and a bias you choose. The output AND is h1 + h2 - 1.5 >= 0: W2 "
                    "has shape (1, 2) and b2 shape (1,).")))
def _check_xor_weights(answer) -> None:
    got = call(answer) if callable(answer) else answer
    expect(isinstance(got, tuple | list) and len(got) == 4,
           _("return the four tensors (W1, b1, W2, b2); got {type}.").format(type=type(got).__name__))
    names = ("W1", "b1", "W2", "b2")
    shapes = ((2, 2), (2,), (1, 2), (1,))
    tensors = []
    for name, shape, t in zip(names, shapes, got):
        expect(isinstance(t, torch.Tensor),
               _("`{name}` should be a torch.Tensor; got {type}.").format(name=name, type=type(t).__name__))
        expect(tuple(t.shape) == shape, _("`{name}` should have shape {shape} (nn.Linear's layout); got {got}.")
               .format(name=name, shape=shape, got=tuple(t.shape)))
        expect(not t.is_complex(), _("`{name}` should hold real numbers; got dtype {dtype}.").format(
            name=name, dtype=t.dtype))
        tensors.append(t.detach().float())
    X = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    out = _step_net(X, *tensors)
    for x, o, want in zip(X.tolist(), out.tolist(), [0, 1, 1, 0]):
        expect(o == want, _("for the input {x} your network outputs {got}; XOR is {want}. (Each neuron outputs "
                            "1 when its weighted sum plus bias is >= 0, else 0.)").format(x=x, got=o, want=want))
