"""The artificial neuron and the perceptron: the classic learning rule from scratch, and the PyTorch module.

Two different things share the name "perceptron", so this module gives them two names:

* :class:`PerceptronRule` is Rosenblatt's perceptron (1958): a **step** activation and the perceptron learning
  rule ``w <- w + lr * (y - y_hat) * x``. No gradients, no loss function. It finds a separating line whenever one
  exists, and it never stops making mistakes when none exists (XOR).
* :class:`Perceptron` is the ``nn.Module`` many tutorials call a perceptron: ``nn.Linear(input_dim, 1)``
  followed by a **sigmoid**. Strictly it is a logistic-regression unit, trained by gradient descent on a loss.

Helpers: :func:`step` (the Heaviside step), :func:`neuron` (one neuron, ``f(x . w + b)``) and :func:`make_gate`
(the truth tables of AND, OR, NAND and XOR, optionally as noisy clouds around the four corners).
"""

from __future__ import annotations

import torch
from torch import nn

from . import activations, validation
from .i18n import _

__all__ = ["step", "neuron", "make_gate", "GATES", "PerceptronRule", "Perceptron"]

# The label of each corner (0,0), (0,1), (1,0), (1,1) for every gate.
GATES: dict[str, tuple[int, int, int, int]] = {
    "AND": (0, 0, 0, 1),
    "OR": (0, 1, 1, 1),
    "NAND": (1, 1, 1, 0),
    "XOR": (0, 1, 1, 0),
}
_CORNERS = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])


_check_tensor = validation.tensor


def step(z: torch.Tensor) -> torch.Tensor:
    """The Heaviside step: 1 where z >= 0, else 0 (same dtype as ``z``; ``torch.heaviside(z, 1)``).

    Shape: z (*) -> output (*). Its derivative is 0 everywhere it exists, so gradient descent cannot train it.
    """
    _check_tensor(z, "z")
    return (z >= 0).to(z.dtype if z.is_floating_point() else torch.float32)


def neuron(x: torch.Tensor, w: torch.Tensor, b: float | torch.Tensor, activation: str = "sigmoid") -> torch.Tensor:
    """One artificial neuron, y = f(sum_i w_i x_i + b).

    Shapes: x (d,) or a batch (n, d); w (d,); b a number or a 0-d tensor -> y () or (n,).
    ``activation`` is "sigmoid", "relu", "step" or "identity".
    """
    _check_tensor(x, "x")
    _check_tensor(w, "w")
    if w.dim() != 1 or x.shape[-1:] != w.shape:
        raise ValueError(_("`w` must be 1-D with one weight per feature (x.shape[-1] = {features}); "
                           "got w of shape {shape}").format(features=x.shape[-1:], shape=tuple(w.shape)))
    z = x @ w + b
    functions = {"sigmoid": activations.sigmoid, "relu": activations.relu, "step": step, "identity": lambda t: t}
    if activation not in functions:
        raise ValueError(_("`activation` must be one of {choices}; got {activation!r}").format(
            choices=sorted(functions), activation=activation))
    return functions[activation](z)


def make_gate(gate: str, n: int = 4, noise: float = 0.0, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """A logic gate as a data set: the corners (0,0), (0,1), (1,0), (1,1) and the gate's output as label.

    ``gate``: "AND", "OR", "NAND" or "XOR" (any case). With the defaults, the 4-row truth table in that order;
    with ``n`` > 4 the corners repeat in turn and ``noise`` adds seeded Gaussian jitter (std ``noise``).
    Returns X (n, 2) float32 and y (n,) int64.
    """
    key = gate.upper() if isinstance(gate, str) else gate
    if key not in GATES:
        raise ValueError(_("`gate` must be one of {choices}; got {gate!r}").format(choices=list(GATES), gate=gate))
    validation.integer(n, "n", min=1)
    validation.number(noise, "noise", min=0)
    idx = torch.arange(n) % 4
    X = _CORNERS[idx].clone()
    if noise > 0:
        X += noise * torch.randn(n, 2, generator=torch.Generator().manual_seed(seed))
    y = torch.tensor(GATES[key], dtype=torch.long)[idx]
    return X, y


class PerceptronRule:
    """Rosenblatt's perceptron: y_hat = step(x . w + b), trained by the perceptron learning rule.

    For each training point (x, y) in turn, with labels y in {0, 1}::

        y_hat = step(x . w + b)          # 1 if x . w + b >= 0, else 0
        w <- w + lr * (y - y_hat) * x    # nothing changes when the prediction is right
        b <- b + lr * (y - y_hat)

    A wrong 0 (y = 1) adds x to w, tilting the line towards the point; a wrong 1 subtracts it. If a line
    separates the two classes, this reaches zero mistakes after finitely many updates (Novikoff's theorem);
    otherwise it never does. The weights start at zero, so runs are deterministic.

    Attributes: ``weight`` (d,), ``bias`` (), ``lr``, and after :meth:`fit` ``mistakes_per_epoch`` (a list of
    ints) and ``converged`` (True when the last epoch made no mistake).
    """

    def __init__(self, input_dim: int, lr: float = 1.0):
        validation.integer(input_dim, "input_dim", min=1)
        validation.number(lr, "lr", min=0, min_open=True)
        self.weight = torch.zeros(input_dim)
        self.bias = torch.zeros(())
        self.lr = float(lr)
        self.mistakes_per_epoch: list[int] = []
        self.converged = False

    def _check_X(self, X: torch.Tensor) -> torch.Tensor:
        _check_tensor(X, "X")
        if X.dim() != 2 or X.shape[1] != self.weight.shape[0]:
            raise ValueError(_("`X` must have shape (n, {d}); got {shape}").format(
                d=self.weight.shape[0], shape=tuple(X.shape)))
        return X.float()

    def decision_function(self, X: torch.Tensor) -> torch.Tensor:
        """The score x . w + b of each row of X (n, d) -> (n,); its sign gives the side of the line."""
        return self._check_X(X) @ self.weight + self.bias

    def predict(self, X: torch.Tensor) -> torch.Tensor:
        """Class 0 or 1 for each row of X (n, d) -> (n,) int64."""
        return step(self.decision_function(X)).long()

    def score(self, X: torch.Tensor, y: torch.Tensor) -> float:
        """Accuracy: the fraction of rows of X (n, d) whose prediction equals y (n,)."""
        return (self.predict(X) == y).float().mean().item()

    def update(self, x: torch.Tensor, y: int | torch.Tensor) -> bool:
        """Apply the rule to one point x (d,) with label y; return True if it was a mistake (and so an update)."""
        error = float(y) - step(x.float() @ self.weight + self.bias).item()  # -1, 0 or +1
        if error != 0:
            self.weight += self.lr * error * x.float()
            self.bias += self.lr * error
        return error != 0

    def fit(self, X: torch.Tensor, y: torch.Tensor, epochs: int = 100) -> PerceptronRule:
        """Visit the rows of X (n, d) in order, ``epochs`` times at most; stop after an epoch without mistakes.

        ``y`` (n,) holds labels 0 or 1. Returns ``self``; ``mistakes_per_epoch`` records each epoch's mistakes.
        """
        X = self._check_X(X)
        _check_tensor(y, "y")
        if y.shape != X.shape[:1] or not bool(((y == 0) | (y == 1)).all()):
            raise ValueError(_("`y` must have shape ({n},) and hold only 0s and 1s; got {y!r}").format(
                n=X.shape[0], y=y))
        for _epoch in range(epochs):
            mistakes = sum(self.update(x_i, y_i) for x_i, y_i in zip(X, y))
            self.mistakes_per_epoch.append(int(mistakes))
            if mistakes == 0:
                break
        self.converged = bool(self.mistakes_per_epoch) and self.mistakes_per_epoch[-1] == 0
        return self


class Perceptron(nn.Module):
    """A single neuron as an ``nn.Module``: ``nn.Linear(input_dim, 1)`` then a sigmoid.

    Shapes: x (n, input_dim) -> (n, 1), probabilities in (0, 1); an unbatched x (input_dim,) -> (1,).
    Despite the name (kept from common tutorials) this is logistic regression, not Rosenblatt's perceptron:
    its sigmoid is smooth, so it is trained with a loss and gradient descent (``nn.BCELoss`` on its output; or
    drop the sigmoid and use ``nn.BCEWithLogitsLoss``, which is more stable). See :class:`PerceptronRule`.
    """

    def __init__(self, input_dim: int):
        validation.integer(input_dim, "input_dim", min=1)
        super().__init__()
        self.linear = nn.Linear(input_dim, 1)
        self.activation = nn.Sigmoid()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.activation(self.linear(x))
