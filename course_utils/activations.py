"""Activation functions written from their formulas, with the signatures of ``torch.nn.functional``.

Each function takes a tensor of any shape and returns a tensor of the same shape (``softmax`` and
``log_softmax`` normalise along ``dim``). They are built from elementary torch ops only (``exp``, ``expm1``,
``log``, ``erf``, ``where``, ``amax``), so autograd differentiates them for us, and the tests check both the
values and the gradients against PyTorch's own versions in float64.

Numerical stability is part of the lesson:

* ``sigmoid`` never evaluates ``exp`` of a large positive number: it uses ``exp(-|x|)``, which lies in (0, 1].
* ``tanh`` uses ``expm1`` so that tiny inputs keep their full relative precision.
* ``softmax`` and ``log_softmax`` subtract the maximum first (the log-sum-exp trick), so ``exp`` never overflows.
"""

from __future__ import annotations

import math

import torch

from . import validation
from .i18n import _

__all__ = [
    "sigmoid", "tanh", "relu", "leaky_relu", "prelu", "elu", "gelu", "silu", "softmax", "log_softmax",
    "sigmoid_grad", "tanh_grad", "relu_grad",
]


# ----------------------------------------------------------------------------------------------- checks

def _check_tensor(value: object, name: str = "input") -> None:
    validation.tensor(value, name)


def _check_number(value: object, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(_("`{name}` must be a number (int or float); got {type}").format(
            name=name, type=type(value).__name__))


def _check_dim(input: torch.Tensor, dim: int) -> None:
    if isinstance(dim, bool) or not isinstance(dim, int):
        raise TypeError(_("`dim` must be an int; got {type}").format(type=type(dim).__name__))
    ndim = max(input.dim(), 1)  # like torch, a 0-d tensor accepts dim 0 or -1
    if not -ndim <= dim < ndim:
        raise ValueError(_(
            "`dim` must be in the range [{low}, {high}] for an input of shape {shape}; got {dim}"
        ).format(low=-ndim, high=ndim - 1, shape=tuple(input.shape), dim=dim))


# ------------------------------------------------------------------------------------------ s-shapes

def sigmoid(input: torch.Tensor) -> torch.Tensor:
    """Logistic sigmoid, sigma(x) = 1 / (1 + exp(-x)), elementwise.

    Shape: input (*) -> output (*), values in [0, 1].

    Stable form: with z = exp(-|x|) in (0, 1], sigma(x) = 1 / (1 + z) for x >= 0 and z / (1 + z) for x < 0,
    so no ``exp`` ever overflows (the naive form gives ``exp(1000) = inf``).
    """
    _check_tensor(input)
    minus_abs = torch.where(input >= 0, -input, input)  # -|x|, with slope -1 (not 0) at x = 0
    z = torch.exp(minus_abs)
    return torch.where(input >= 0, 1 / (1 + z), z / (1 + z))


def tanh(input: torch.Tensor) -> torch.Tensor:
    """Hyperbolic tangent, tanh(x) = (exp(x) - exp(-x)) / (exp(x) + exp(-x)), elementwise.

    Shape: input (*) -> output (*), values in [-1, 1].

    Stable form: tanh is odd, and for a = |x| >= 0, tanh(a) = -expm1(-2a) / (2 + expm1(-2a)), where
    expm1(t) = exp(t) - 1 computed without cancellation; so nothing overflows and tiny x stays accurate.
    """
    _check_tensor(input)
    positive = input >= 0
    a = torch.where(positive, input, -input)  # |x|, with slope +1 (not 0) at x = 0
    e = torch.expm1(-2 * a)
    t = -e / (2 + e)
    return torch.where(positive, t, -t)


# ------------------------------------------------------------------------------------ rectifiers

def relu(input: torch.Tensor) -> torch.Tensor:
    """Rectified linear unit, relu(x) = max(0, x), elementwise.

    Shape: input (*) -> output (*). Its gradient at exactly 0 is taken as 0, as in PyTorch.
    """
    _check_tensor(input)
    return torch.where(input > 0, input, torch.zeros_like(input))


def leaky_relu(input: torch.Tensor, negative_slope: float = 0.01) -> torch.Tensor:
    """Leaky ReLU: x for x > 0, else negative_slope * x, elementwise.

    Shape: input (*) -> output (*). A small slope for x <= 0 keeps the gradient from dying.
    """
    _check_tensor(input)
    _check_number(negative_slope, "negative_slope")
    return torch.where(input > 0, input, input * negative_slope)


def prelu(input: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
    """Parametric ReLU: x for x > 0, else weight * x, with a *learned* slope ``weight``.

    Shapes: input (N, C, *) or (N,) -> output of the same shape; weight has 1 element (one slope shared by
    all channels) or C elements (one slope per channel; the channel dimension is dim 1, as in PyTorch).
    """
    _check_tensor(input)
    _check_tensor(weight, "weight")
    if weight.numel() != 1:
        channels = input.shape[1] if input.dim() >= 2 else 1
        if weight.dim() != 1 or weight.numel() != channels:
            raise ValueError(_(
                "`weight` must have 1 element or one per channel (dim 1 of `input`, here {channels}); "
                "got shape {shape}"
            ).format(channels=channels, shape=tuple(weight.shape)))
        weight = weight.reshape([1, channels] + [1] * (input.dim() - 2))  # broadcast along dim 1
    else:
        weight = weight.reshape(())
    return torch.where(input > 0, input, weight * input)


def elu(input: torch.Tensor, alpha: float = 1.0) -> torch.Tensor:
    """Exponential linear unit: x for x > 0, else alpha * (exp(x) - 1), elementwise.

    Shape: input (*) -> output (*), values above -alpha.
    """
    _check_tensor(input)
    _check_number(alpha, "alpha")
    # Feed expm1 only x <= 0: exp(1e4) = inf would make the unused branch's gradient 0 * inf = NaN.
    negative_part = torch.where(input > 0, torch.zeros_like(input), input)
    return torch.where(input > 0, input, alpha * torch.expm1(negative_part))


# ------------------------------------------------------------------------------- smooth rectifiers

def gelu(input: torch.Tensor, approximate: str = "none") -> torch.Tensor:
    """Gaussian error linear unit, gelu(x) = x * Phi(x), elementwise (Phi: the standard normal CDF).

    Shape: input (*) -> output (*).

    ``approximate="none"``: the exact form, Phi(x) = (1 + erf(x / sqrt(2))) / 2.
    ``approximate="tanh"``: Phi(x) ~ (1 + tanh(sqrt(2 / pi) * (x + 0.044715 x^3))) / 2 (used by GPT-2 / BERT).
    """
    _check_tensor(input)
    if approximate == "none":
        return 0.5 * input * (1 + torch.erf(input / math.sqrt(2.0)))
    if approximate == "tanh":
        inner = math.sqrt(2.0 / math.pi) * (input + 0.044715 * input**3)
        return 0.5 * input * (1 + tanh(inner))
    raise ValueError(_('`approximate` must be "none" or "tanh"; got {approximate!r}').format(approximate=approximate))


def silu(input: torch.Tensor) -> torch.Tensor:
    """Sigmoid linear unit (also called swish), silu(x) = x * sigmoid(x), elementwise.

    Shape: input (*) -> output (*).
    """
    _check_tensor(input)
    return input * sigmoid(input)


# ---------------------------------------------------------------------------------------- softmax

def softmax(input: torch.Tensor, dim: int) -> torch.Tensor:
    """Softmax along ``dim``: exp(x_i) / sum_j exp(x_j). Entries are in [0, 1] and sum to 1 along ``dim``.

    Shape: input (*) -> output (*), same shape. For logits of shape (batch, classes) use ``dim=1`` (or -1).

    Subtracting the maximum m first does not change the result (the factor exp(-m) cancels) and makes the
    largest exponent exp(0) = 1, so nothing overflows:

    >>> softmax(torch.tensor([1000.0, 1000.0]), dim=0)
    tensor([0.5000, 0.5000])
    """
    _check_tensor(input)
    _check_dim(input, dim)
    # No gradient through the shift: the result does not depend on it.
    shifted = input - input.amax(dim=dim, keepdim=True).detach()
    exps = torch.exp(shifted)
    return exps / exps.sum(dim=dim, keepdim=True)


def log_softmax(input: torch.Tensor, dim: int) -> torch.Tensor:
    """Log of softmax along ``dim``: x_i - log(sum_j exp(x_j)), via the log-sum-exp trick.

    Shape: input (*) -> output (*), same shape; entries are <= 0 and their exps sum to 1 along ``dim``.

    With m = max_j x_j: log(sum_j exp(x_j)) = m + log(sum_j exp(x_j - m)), which neither overflows nor
    takes log(0); computing log(softmax(x)) instead gives -inf as soon as a probability underflows to 0.
    """
    _check_tensor(input)
    _check_dim(input, dim)
    shifted = input - input.amax(dim=dim, keepdim=True).detach()
    return shifted - torch.log(torch.exp(shifted).sum(dim=dim, keepdim=True))


# ------------------------------------------------------------------------- closed-form derivatives

def sigmoid_grad(x: torch.Tensor) -> torch.Tensor:
    """Derivative of the sigmoid, sigma'(x) = sigma(x) * (1 - sigma(x)), elementwise; at most 1/4 (at x = 0).

    Shape: x (*) -> output (*).
    """
    _check_tensor(x, "x")
    s = sigmoid(x)
    return s * (1 - s)


def tanh_grad(x: torch.Tensor) -> torch.Tensor:
    """Derivative of tanh, tanh'(x) = 1 - tanh(x)^2, elementwise; at most 1 (at x = 0).

    Shape: x (*) -> output (*).
    """
    _check_tensor(x, "x")
    return 1 - tanh(x) ** 2


def relu_grad(x: torch.Tensor) -> torch.Tensor:
    """Derivative of ReLU: 1 for x > 0, else 0 (0 at x = 0, PyTorch's convention), elementwise.

    Shape: x (*) -> output (*), same dtype as x.
    """
    _check_tensor(x, "x")
    return (x > 0).to(x.dtype)
