"""Exercises of the activations chapter: sigmoid's derivative, a stable softmax, LeakyReLU, dead ReLUs of a model."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from ..i18n import N_, _, ngettext
from ._core import Mismatch, call, exercise, expect, expect_close, forbid

CHAPTER = "02"  # the chapter whose notebook asks these exercises (its progress line)

_EXTREMES = [-1000.0, -100.0, -30.0, -6.0, -1.0, 0.0, 1e-3, 1.0, 6.0, 30.0, 100.0, 1000.0]


def sigmoid_derivative(x: torch.Tensor) -> torch.Tensor:
    """sigma'(x) = sigma(x) * (1 - sigma(x)), elementwise; stable for any x (torch.sigmoid never overflows)."""
    s = torch.sigmoid(x)
    return s * (1 - s)


@exercise("sigmoid_derivative", solution=sigmoid_derivative,
          hints=(N_("The sigmoid's slope can be written with the sigmoid itself: compute the sigmoid once and "
                    "build the derivative from it. That form never overflows, whatever the input."),
                 N_("Use the identity sigma'(x) = sigma(x) * (1 - sigma(x)), with torch.sigmoid, which is stable for "
                    "any x. The textbook form exp(-x) / (1 + exp(-x))**2 overflows at x = -1000 (inf / inf = nan)."),
                 N_("Keep the sigmoid of x in a variable, say s, and return s times one minus s; this works "
                    "elementwise, for a tensor of any shape.")))
def _check_sigmoid_derivative(fn) -> None:
    g = torch.Generator().manual_seed(0)
    for dtype in (torch.float32, torch.float64):
        for label, x in [(_("random inputs"), 4 * torch.randn(50, generator=g, dtype=dtype)),
                         (_("extreme inputs"), torch.tensor(_EXTREMES, dtype=dtype)),
                         (_("a 2-D input"), torch.randn(3, 4, generator=g, dtype=dtype))]:
            xr = x.clone().requires_grad_()
            (expected,) = torch.autograd.grad(torch.sigmoid(xr).sum(), xr)  # autograd is the oracle
            got = call(fn, x.clone())
            expect_close(got, expected, _("your σ′(x)"), atol=1e-7, rtol=1e-5,
                         context=_("{label} ({dtype})").format(label=label, dtype=dtype))


_SOFTMAXES = ("torch.softmax", "torch.Tensor.softmax", "torch.nn.functional.softmax", "torch.special.softmax",
              "torch.log_softmax", "torch.Tensor.log_softmax", "torch.nn.functional.log_softmax",
              "torch.special.log_softmax")  # exp(log_softmax(x)) is the built-in softmax too


def stable_softmax(x: torch.Tensor) -> torch.Tensor:
    """Softmax of each row of x (n, C): subtract the row's max, exponentiate, divide by the row's sum."""
    shifted = x - x.max(dim=1, keepdim=True).values
    exps = torch.exp(shifted)
    return exps / exps.sum(dim=1, keepdim=True)


@exercise("stable_softmax", solution=stable_softmax,
          hints=(N_("Softmax does not change when you subtract the same number from every entry of a row. Subtract "
                    "the row's largest value first: the largest exponential is then exactly one, and nothing "
                    "overflows."),
                 N_("The row maxima are x.max(dim=1, keepdim=True).values, shape (n, 1); exponentiate the shifted "
                    "logits with torch.exp and divide by their sum along dim=1, with keepdim=True so that (n, C) and "
                    "(n, 1) broadcast. The factor exp(-max) cancels, so the result is unchanged."),
                 N_("Shift x by its row maxima, exponentiate, and divide the exponentials by their row sums. One "
                    "maximum over the whole tensor is not enough: a row far below it underflows to 0 / 0. Using "
                    "torch.softmax is not allowed here.")))
def _check_stable_softmax(fn) -> None:
    g = torch.Generator().manual_seed(1)
    cases = [
        (_("random logits of shape (4, 5)"), 3 * torch.randn(4, 5, generator=g)),
        (_("a single row"), torch.tensor([[1.0, 2.0, 3.0]])),
        (_("rows with huge logits [1000, 0, -1000] and [-1000, -1000, -999]"),
         torch.tensor([[1000.0, 0.0, -1000.0], [-1000.0, -1000.0, -999.0]])),
        (_("float64 logits of shape (3, 2)"), torch.randn(3, 2, generator=g, dtype=torch.float64)),
    ]
    for label, x in cases:
        with forbid(*_SOFTMAXES, why=_(": build it from torch.exp, to see where softmax overflows and how to avoid "
                                       "it")):
            got = call(fn, x.clone())
        expect_close(got, F.softmax(x, dim=1), _("your softmax"), context=label)


def leaky_relu(x: torch.Tensor, negative_slope: float = 0.01) -> torch.Tensor:
    """x where x > 0, else negative_slope * x (PyTorch's definition, for any slope)."""
    return torch.where(x > 0, x, negative_slope * x)


@exercise("leaky_relu", solution=leaky_relu,
          hints=(N_("Keep the positive inputs as they are and multiply the others by the slope. Choose entry by "
                    "entry; a maximum of the two candidates only works for slopes up to 1."),
                 N_("torch.where(condition, a, b) takes a where the condition holds and b elsewhere; here the "
                    "condition is x > 0. The shortcut torch.maximum(negative_slope * x, x) only agrees when "
                    "negative_slope <= 1, and the checker also tries 1.5."),
                 N_("Return torch.where(x > 0, ..., ...) with the input itself where it is positive and the input "
                    "times negative_slope elsewhere; keep negative_slope=0.01 as the default in the signature.")))
def _check_leaky_relu(fn) -> None:
    g = torch.Generator().manual_seed(2)
    x = torch.cat([torch.tensor([-1000.0, -2.0, -1e-3, 0.0, 1e-3, 3.0]), 3 * torch.randn(20, generator=g)])
    for slope in (0.01, 0.2, 1.5):
        got = call(fn, x.clone(), slope)
        expect_close(got, F.leaky_relu(x, negative_slope=slope), _("your LeakyReLU"),
                     context=f"negative_slope = {slope}")
    got = call(fn, x.clone())
    expect_close(got, F.leaky_relu(x), _("your LeakyReLU"), context=_("the default negative_slope (0.01)"))


def dead_fractions(model: nn.Sequential, X: torch.Tensor) -> list[float]:
    """For each nn.ReLU in ``model`` (in order): the fraction of its units that are dead on the batch ``X``.

    A unit is dead on the batch when its input (the pre-activation) is <= 0 for every example, so the ReLU outputs
    0 and passes back zero gradient for all of them. Returns a list of Python floats, one per ReLU.
    """
    fractions = []
    h = X
    with torch.no_grad():
        for layer in model:
            if isinstance(layer, nn.ReLU):
                fractions.append((h <= 0).all(dim=0).float().mean().item())
            h = layer(h)
    return fractions


def _bias(layer: nn.Module) -> torch.Tensor:
    assert isinstance(layer, nn.Linear) and layer.bias is not None
    return layer.bias


def _dead_relu_models() -> list[tuple[str, nn.Sequential, torch.Tensor]]:
    with torch.random.fork_rng():  # seeded models, without touching the learner's random state
        torch.manual_seed(0)
        X = torch.randn(64, 4)
        healthy = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 8), nn.ReLU(), nn.Linear(8, 2))
        killed = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 8), nn.ReLU(), nn.Linear(8, 1))
        half = nn.Sequential(nn.Linear(4, 10), nn.ReLU(), nn.Linear(10, 1))
        mixed = nn.Sequential(nn.Linear(4, 6), nn.Tanh(), nn.Linear(6, 12), nn.ReLU(), nn.Linear(12, 3))
    with torch.no_grad():
        _bias(killed[0]).fill_(-10.0)  # every unit of the first ReLU dies, so the second sees only its biases
        _bias(killed[2]).copy_(torch.tensor([1.0, -1.0] * 4))
        _bias(half[0])[:5] = -10.0  # 5 of 10 units dead
        _bias(mixed[2])[:3] = -10.0
    return [(_("a healthy 4-16-8-2 MLP"), healthy, X),
            (_("a 4-16-8-1 MLP whose first-layer biases are -10"), killed, X),
            (_("a 4-10-1 MLP with 5 biases at -10"), half, X), (_("a Tanh then a ReLU layer"), mixed, X)]


@exercise("dead_fractions", solution=dead_fractions,
          hints=(N_("Run the batch through the layers one at a time. Just before each ReLU, a unit (one column) is "
                    "dead when its input is zero or below for every example, not just for some; record the share "
                    "of such units."),
                 N_("Start with h = X and after each layer set h to layer(h); at an nn.ReLU, (h <= 0).all(dim=0) marks "
                    "the dead columns, and the mean of that mask (as floats) is the fraction. Counting zero entries "
                    "instead measures sparsity, not death."),
                 N_("In the loop over the model's layers: when the layer is an nn.ReLU, append the dead fraction of "
                    "h as a Python float (.item()) to your list, and only then pass h through the layer. Return "
                    "the list, one float per ReLU.")))
def _check_dead_fractions(fn) -> None:
    for label, model, X in _dead_relu_models():
        want = dead_fractions(model, X)  # before the learner's code runs, which could change the model
        got = call(fn, model, X.clone())
        expect(isinstance(got, list | tuple),
               _("return a list of floats, one per ReLU; for {label} you returned {type}.").format(
                   label=label, type=type(got).__name__))
        expect(len(got) == len(want), ngettext("{label} has {n} ReLU layer; your list's length is {got}.",
                                               "{label} has {n} ReLU layers; your list's length is {got}.",
                                               len(want)).format(label=label, n=len(want), got=len(got)))
        for i, (g, w) in enumerate(zip(got, want)):
            g = g.item() if isinstance(g, torch.Tensor) and g.numel() == 1 else g
            if not isinstance(g, int | float) or isinstance(g, bool):
                raise Mismatch(_("entry {i} for {label} should be a number; got {type}.").format(
                    i=i, label=label, type=type(g).__name__))
            expect_close(float(g), w, _("the dead fraction of ReLU number {n}").format(n=i + 1), atol=1e-6,
                         context=label)
