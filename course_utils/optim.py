"""Optimizers and learning-rate schedules from the formulas, each beside its ``torch.optim`` twin.

Every optimizer is a ``torch.optim.Optimizer`` subclass with torch's constructor arguments, defaults, state names
and update order, so it drops into any training loop (and into ``course_utils.train.fit``) and matches torch to
rounding error. With a gradient ``g`` of the loss for a parameter ``w`` and learning rate ``lr``::

    SGD       g += weight_decay·w;  v ← momentum·v + (1 − dampening)·g  (v = g at the first step)
              w ← w − lr·v,  or with nesterov  w ← w − lr·(g + momentum·v)
    Adagrad   s ← s + g²;                          w ← w − lr_t · g / (√s + eps),  lr_t = lr / (1 + (t − 1)·lr_decay)
    RMSprop   s ← alpha·s + (1 − alpha)·g²;        w ← w − lr · g / (√s + eps)
              (centered: √(s − ḡ²) with ḡ the EMA of g; momentum: b ← momentum·b + g/(…), w ← w − lr·b)
    Adam      m ← β₁m + (1 − β₁)g;  v ← β₂v + (1 − β₂)g²;  m̂ = m / (1 − β₁ᵗ),  v̂ = v / (1 − β₂ᵗ)
              w ← w − lr · m̂ / (√v̂ + eps)          (amsgrad: v̂ uses the running maximum of v)
    AdamW     w ← w·(1 − lr·weight_decay), then the Adam step without weight decay in the gradient

Schedules are pure functions of the epoch, equal to what ``torch.optim.lr_scheduler`` sets after ``epoch`` calls
of ``scheduler.step()``. The 2-D ``surfaces`` and :func:`trajectory` let you watch the optimizers move.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import torch
from torch.optim import Optimizer

from . import validation
from .i18n import N_, _

__all__ = [
    "SGD", "Adagrad", "RMSprop", "Adam", "AdamW",
    "step_lr", "multistep_lr", "exponential_lr", "cosine_lr", "linear_warmup_lr", "warmup_cosine_lr",
    "Surface", "surfaces", "walk", "trajectory",
]


# ------------------------------------------------------------------------------------------------------ checks


def _check_nonnegative(value: float, name: str) -> None:
    validation.number(value, name, min=0)


def _check_unit_interval(value: float, name: str) -> None:
    validation.number(value, name, 0, 1, max_open=True)


def _check_betas(betas: Sequence[float]) -> tuple[float, float]:
    if not isinstance(betas, tuple | list) or len(betas) != 2:
        raise ValueError(_("`betas` must be a pair (beta1, beta2); got {betas!r}").format(betas=betas))
    _check_unit_interval(betas[0], "betas[0]")
    _check_unit_interval(betas[1], "betas[1]")
    return float(betas[0]), float(betas[1])


def _next_step(state: dict[str, Any]) -> int:
    """Count this step in ``state["step"]`` and return it (1 at the first step). Accepts torch's tensor steps."""
    step = int(state.get("step", 0)) + 1
    state["step"] = step
    return step


# ------------------------------------------------------------------------------------------------- optimizers


class SGD(Optimizer):
    """Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and weight decay.

    PyTorch's momentum is a running *sum*, ``v ← μ·v + g`` (v = g at the first step), not the exponential moving
    average ``v ← β·v + (1 − β)·g`` of many textbooks: the sum is 1/(1 − μ) times larger, which the learning rate
    absorbs (``lr_torch = lr_ema·(1 − β)`` gives the same steps). State per parameter: ``momentum_buffer``.
    """

    def __init__(
        self,
        params: Iterable,
        lr: float = 1e-3,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
    ):
        _check_nonnegative(lr, "lr")
        _check_nonnegative(momentum, "momentum")
        _check_nonnegative(dampening, "dampening")
        _check_nonnegative(weight_decay, "weight_decay")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError(_("`nesterov=True` needs `momentum` > 0 and `dampening` = 0; got momentum={momentum!r}, "
                               "dampening={dampening!r}").format(momentum=momentum, dampening=dampening))
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay, nesterov=nesterov)
        super().__init__(params, defaults)

    @torch.no_grad()
    def step(self, closure: Callable[[], torch.Tensor] | None = None) -> torch.Tensor | None:  # type: ignore[override]  # torch's stubs type the base step for float losses only
        """One update of every parameter that has a gradient. ``closure`` re-evaluates the loss (optional)."""
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            mu, damp = group["momentum"], group["dampening"]
            for w in group["params"]:
                if w.grad is None:
                    continue
                g = w.grad
                if group["weight_decay"] != 0:
                    g = g + group["weight_decay"] * w  # the gradient of (weight_decay / 2)·‖w‖²
                if mu != 0:
                    state = self.state[w]
                    if state.get("momentum_buffer") is None:
                        v = state["momentum_buffer"] = g.clone()  # v₁ = g₁ (no dampening at the first step)
                    else:
                        v = state["momentum_buffer"]
                        v.mul_(mu).add_(g, alpha=1 - damp)     # v ← μ·v + (1 − dampening)·g
                    g = g + mu * v if group["nesterov"] else v
                w.add_(g, alpha=-group["lr"])                  # w ← w − lr·g
        return loss


class Adagrad(Optimizer):
    """AdaGrad (Duchi et al., 2011): each weight's step is divided by the root of the sum of all its squared
    gradients so far. The sum only grows, so the effective learning rate ``lr / √(Σg²)`` decays forever.

    ``eps`` is added *after* the square root (PyTorch's form; some texts write ``√(Σg² + ε)``).
    State per parameter: ``step``, ``sum``.
    """

    def __init__(
        self,
        params: Iterable,
        lr: float = 1e-2,
        lr_decay: float = 0.0,
        weight_decay: float = 0.0,
        initial_accumulator_value: float = 0.0,
        eps: float = 1e-10,
    ):
        _check_nonnegative(lr, "lr")
        _check_nonnegative(lr_decay, "lr_decay")
        _check_nonnegative(weight_decay, "weight_decay")
        _check_nonnegative(initial_accumulator_value, "initial_accumulator_value")
        _check_nonnegative(eps, "eps")
        defaults = dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, eps=eps)
        super().__init__(params, defaults)

    @torch.no_grad()
    def step(self, closure: Callable[[], torch.Tensor] | None = None) -> torch.Tensor | None:  # type: ignore[override]  # torch's stubs type the base step for float losses only
        """One update of every parameter that has a gradient. ``closure`` re-evaluates the loss (optional)."""
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            for w in group["params"]:
                if w.grad is None:
                    continue
                state = self.state[w]
                if "sum" not in state:
                    state["sum"] = torch.full_like(w, group["initial_accumulator_value"])
                t = _next_step(state)
                g = w.grad
                if group["weight_decay"] != 0:
                    g = g + group["weight_decay"] * w
                lr_t = group["lr"] / (1 + (t - 1) * group["lr_decay"])
                state["sum"].addcmul_(g, g)                           # s ← s + g²
                w.addcdiv_(g, state["sum"].sqrt() + group["eps"], value=-lr_t)  # w ← w − lr_t·g / (√s + ε)
        return loss


class RMSprop(Optimizer):
    """RMSProp (Hinton, 2012): AdaGrad with the sum of squared gradients replaced by an exponential moving average
    ``s ← α·s + (1 − α)·g²``, so old gradients are forgotten and the step size no longer decays to zero.

    There is no bias correction: ``s`` starts at 0, so the first steps are up to ``1/√(1 − α)`` (10× for
    α = 0.99) larger than later ones. ``centered`` divides by an estimate of the gradient's standard deviation
    instead of its root mean square. State per parameter: ``step``, ``square_avg``, ``momentum_buffer`` (if
    momentum > 0), ``grad_avg`` (if centered).
    """

    def __init__(
        self,
        params: Iterable,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
        centered: bool = False,
    ):
        _check_nonnegative(lr, "lr")
        _check_unit_interval(alpha, "alpha")
        _check_nonnegative(eps, "eps")
        _check_nonnegative(weight_decay, "weight_decay")
        _check_nonnegative(momentum, "momentum")
        defaults = dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay, momentum=momentum,
                        centered=centered)
        super().__init__(params, defaults)

    @torch.no_grad()
    def step(self, closure: Callable[[], torch.Tensor] | None = None) -> torch.Tensor | None:  # type: ignore[override]  # torch's stubs type the base step for float losses only
        """One update of every parameter that has a gradient. ``closure`` re-evaluates the loss (optional)."""
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            alpha, mu = group["alpha"], group["momentum"]
            for w in group["params"]:
                if w.grad is None:
                    continue
                state = self.state[w]
                if "square_avg" not in state:
                    state["square_avg"] = torch.zeros_like(w)
                    if mu > 0:
                        state["momentum_buffer"] = torch.zeros_like(w)
                    if group["centered"]:
                        state["grad_avg"] = torch.zeros_like(w)
                _next_step(state)
                g = w.grad
                if group["weight_decay"] != 0:
                    g = g + group["weight_decay"] * w
                s = state["square_avg"]
                s.mul_(alpha).addcmul_(g, g, value=1 - alpha)         # s ← α·s + (1 − α)·g²
                if group["centered"]:
                    g_avg = state["grad_avg"]
                    g_avg.mul_(alpha).add_(g, alpha=1 - alpha)        # ḡ ← α·ḡ + (1 − α)·g
                    denom = (s - g_avg * g_avg).sqrt() + group["eps"]  # √(E[g²] − E[g]²) + ε
                else:
                    denom = s.sqrt() + group["eps"]
                if mu > 0:
                    b = state["momentum_buffer"]
                    b.mul_(mu).addcdiv_(g, denom)                     # b ← μ·b + g / (√s + ε)
                    w.add_(b, alpha=-group["lr"])
                else:
                    w.addcdiv_(g, denom, value=-group["lr"])          # w ← w − lr·g / (√s + ε)
        return loss


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015) = momentum (an EMA ``m`` of the gradient) + RMSProp (an EMA ``v`` of its square)
    + bias correction: both EMAs start at 0, so early on they are too small by the factor ``1 − βᵗ``; dividing
    by it makes the very first step ``lr·g/|g| = ±lr``.

    The paper's defaults, also torch's: lr = 0.001, betas = (0.9, 0.999), eps = 1e-8. ``weight_decay`` here is
    an L2 penalty added to the gradient (and then divided by √v̂ like the rest of it) — use :class:`AdamW` for
    decoupled weight decay. State per parameter: ``step``, ``exp_avg``, ``exp_avg_sq``, ``max_exp_avg_sq`` (if
    amsgrad).
    """

    _decoupled = False

    def __init__(
        self,
        params: Iterable,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
    ):
        _check_nonnegative(lr, "lr")
        betas = _check_betas(betas)
        _check_nonnegative(eps, "eps")
        _check_nonnegative(weight_decay, "weight_decay")
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad)
        super().__init__(params, defaults)

    @torch.no_grad()
    def step(self, closure: Callable[[], torch.Tensor] | None = None) -> torch.Tensor | None:  # type: ignore[override]  # torch's stubs type the base step for float losses only
        """One update of every parameter that has a gradient. ``closure`` re-evaluates the loss (optional)."""
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            lr, wd = group["lr"], group["weight_decay"]
            for w in group["params"]:
                if w.grad is None:
                    continue
                state = self.state[w]
                if "exp_avg" not in state:
                    state["exp_avg"] = torch.zeros_like(w)
                    state["exp_avg_sq"] = torch.zeros_like(w)
                    if group["amsgrad"]:
                        state["max_exp_avg_sq"] = torch.zeros_like(w)
                t = _next_step(state)
                g = w.grad
                if wd != 0:
                    if self._decoupled:
                        w.mul_(1 - lr * wd)                           # AdamW: shrink the weight directly
                    else:
                        g = g + wd * w                                # Adam: L2 penalty inside the gradient
                m, v = state["exp_avg"], state["exp_avg_sq"]
                m.mul_(beta1).add_(g, alpha=1 - beta1)                # m ← β₁m + (1 − β₁)g
                v.mul_(beta2).addcmul_(g, g, value=1 - beta2)         # v ← β₂v + (1 − β₂)g²
                if group["amsgrad"]:
                    torch.maximum(state["max_exp_avg_sq"], v, out=state["max_exp_avg_sq"])
                    v = state["max_exp_avg_sq"]                       # never let the denominator shrink
                m_hat = m / (1 - beta1**t)                            # bias corrections
                v_hat = v / (1 - beta2**t)
                w.addcdiv_(m_hat, v_hat.sqrt() + group["eps"], value=-lr)  # w ← w − lr·m̂ / (√v̂ + ε)
        return loss


class AdamW(Adam):
    """AdamW (Loshchilov & Hutter, 2019): Adam with *decoupled* weight decay. Each step first shrinks every weight,
    ``w ← w·(1 − lr·weight_decay)``, then takes the Adam step on the loss's gradient alone — so every weight
    decays at the same rate, however large its gradients. Default ``weight_decay=1e-2``, as torch.
    """

    _decoupled = True

    def __init__(
        self,
        params: Iterable,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
    ):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad)


# -------------------------------------------------------------------------------------------------- schedules


def _check_epoch(epoch: int) -> None:
    validation.integer(epoch, "epoch", min=0)


def _check_positive_int(value: int, name: str) -> None:
    validation.integer(value, name, min=1)


def _check_gamma(gamma: float) -> None:
    validation.number(gamma, "gamma", min=0, min_open=True)


def step_lr(base_lr: float, epoch: int, step_size: int, gamma: float = 0.1) -> float:
    """StepLR: ``base_lr · gamma^⌊epoch / step_size⌋`` — multiply by ``gamma`` every ``step_size`` epochs."""
    _check_nonnegative(base_lr, "base_lr")
    _check_epoch(epoch)
    _check_positive_int(step_size, "step_size")
    _check_gamma(gamma)
    return base_lr * gamma ** (epoch // step_size)


def multistep_lr(base_lr: float, epoch: int, milestones: Sequence[int], gamma: float = 0.1) -> float:
    """MultiStepLR: ``base_lr · gamma^k`` with k the number of ``milestones`` (epochs) ≤ ``epoch``."""
    _check_nonnegative(base_lr, "base_lr")
    _check_epoch(epoch)
    _check_gamma(gamma)
    if not isinstance(milestones, list | tuple) or not all(
        isinstance(m, int) and not isinstance(m, bool) and m > 0 for m in milestones
    ):
        raise ValueError(_("`milestones` must be a list of positive int epochs; got {milestones!r}").format(
            milestones=milestones))
    if list(milestones) != sorted(milestones):
        raise ValueError(_("`milestones` must be increasing; got {milestones!r}").format(milestones=milestones))
    return base_lr * gamma ** bisect.bisect_right(list(milestones), epoch)


def exponential_lr(base_lr: float, epoch: int, gamma: float) -> float:
    """ExponentialLR: ``base_lr · gamma^epoch`` — multiply by ``gamma`` every epoch."""
    _check_nonnegative(base_lr, "base_lr")
    _check_epoch(epoch)
    _check_gamma(gamma)
    return base_lr * gamma**epoch


def cosine_lr(base_lr: float, epoch: int, T_max: int, eta_min: float = 0.0) -> float:
    """CosineAnnealingLR: ``eta_min + (base_lr − eta_min)·(1 + cos(π·epoch / T_max)) / 2``.

    Falls from ``base_lr`` at epoch 0 to ``eta_min`` at epoch ``T_max`` along half a cosine (and, like torch,
    rises again after ``T_max``: stop training at ``T_max`` or use a warm restart).
    """
    _check_nonnegative(base_lr, "base_lr")
    _check_epoch(epoch)
    _check_positive_int(T_max, "T_max")
    _check_nonnegative(eta_min, "eta_min")
    return eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * epoch / T_max)) / 2


def linear_warmup_lr(base_lr: float, epoch: int, warmup_epochs: int, start_factor: float = 1 / 3) -> float:
    """Linear warm-up (``LinearLR(start_factor, end_factor=1.0, total_iters=warmup_epochs)``): the rate climbs in a
    straight line from ``start_factor · base_lr`` at epoch 0 to ``base_lr`` at ``warmup_epochs``, then stays."""
    _check_nonnegative(base_lr, "base_lr")
    _check_epoch(epoch)
    _check_positive_int(warmup_epochs, "warmup_epochs")
    validation.number(start_factor, "start_factor", 0, 1, min_open=True)
    return base_lr * (start_factor + (1 - start_factor) * min(epoch, warmup_epochs) / warmup_epochs)


def warmup_cosine_lr(
    base_lr: float, epoch: int, warmup_epochs: int, T_max: int, eta_min: float = 0.0, start_factor: float = 1 / 3
) -> float:
    """Linear warm-up for ``warmup_epochs``, then cosine annealing over ``T_max`` epochs — what
    ``SequentialLR([LinearLR(...), CosineAnnealingLR(..., T_max)], milestones=[warmup_epochs])`` sets."""
    _check_epoch(epoch)
    _check_positive_int(warmup_epochs, "warmup_epochs")
    _check_positive_int(T_max, "T_max")  # checked here too: the warm-up epochs alone would not use it
    if epoch < warmup_epochs:
        return linear_warmup_lr(base_lr, epoch, warmup_epochs, start_factor)
    return cosine_lr(base_lr, epoch - warmup_epochs, T_max, eta_min)


# ------------------------------------------------------------------------------------------- 2-D test surfaces


@dataclass
class Surface:
    """A loss surface f(x, y) to watch optimizers on. ``f`` takes tensors x, y (any equal shapes) and returns
    f elementwise; ``start`` is a suggested start point, ``minima`` the known minimizers, ``f_min`` the lowest
    value, ``xlim``/``ylim`` the window to draw."""

    name: str
    f: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
    start: tuple[float, float]
    minima: list[tuple[float, float]]
    f_min: float = 0.0
    xlim: tuple[float, float] = (-2.0, 2.0)
    ylim: tuple[float, float] = (-2.0, 2.0)
    description: str = ""
    levels: list[float] = field(default_factory=list)  # contour levels that show the surface's shape
    grad: Callable[[float, float], tuple[float, float]] | None = None  # ∂f/∂x, ∂f/∂y by hand (faster)

    @property
    def caption(self) -> str:
        """``description`` in the course's language (see :func:`course_utils.set_language`)."""
        return _(self.description)

    def __call__(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return self.f(x, y)

    def grid(self, n: int = 120) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """``(X, Y, Z)`` on an n × n grid over the window, for contour plots."""
        xs = torch.linspace(*self.xlim, n, dtype=torch.float64)
        ys = torch.linspace(*self.ylim, n, dtype=torch.float64)
        X, Y = torch.meshgrid(xs, ys, indexing="xy")
        return X, Y, self.f(X, Y)


# Each surface f(x, y) with its gradient worked out by hand (the tests check it against autograd): on a
# 2-element point, plain-float gradients make a 200-step trajectory several times faster than autograd.


def _quadratic(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return 0.05 * x**2 + y**2


def _quadratic_grad(x: float, y: float) -> tuple[float, float]:
    return 0.1 * x, 2 * y


def _rosenbrock(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return 0.01 * (1 - x) ** 2 + (y - x**2) ** 2


def _rosenbrock_grad(x: float, y: float) -> tuple[float, float]:
    r = y - x * x
    return -0.02 * (1 - x) - 4 * x * r, 2 * r


def _saddle(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return 0.5 * x**2 - 0.5 * y**2 + 0.25 * y**4


def _saddle_grad(x: float, y: float) -> tuple[float, float]:
    return x, -y + y * y * y


def _himmelblau(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    u, v = 2.5 * x, 2.5 * y
    return ((u**2 + v - 11) ** 2 + (u + v**2 - 7) ** 2) / 100


def _himmelblau_grad(x: float, y: float) -> tuple[float, float]:
    u, v = 2.5 * x, 2.5 * y
    a, b = u * u + v - 11, u + v * v - 7
    return 2.5 * (4 * u * a + 2 * b) / 100, 2.5 * (2 * a + 4 * v * b) / 100


# Himmelblau's four minima, in the rescaled coordinates (u, v) = (2.5 x, 2.5 y).
_HIMMELBLAU_MINIMA = [(3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186), (3.584428, -1.848126)]

surfaces: dict[str, Surface] = {
    "quadratic": Surface(
        "quadratic", _quadratic, start=(-1.8, 1.2), minima=[(0.0, 0.0)],
        description=N_("an ill-conditioned bowl 0.05·x² + y²: 20× steeper across (y) than along (x)"),
        levels=[0.01, 0.03, 0.1, 0.2, 0.4, 0.8, 1.6, 3.2], grad=_quadratic_grad),
    "rosenbrock": Surface(
        "rosenbrock", _rosenbrock, start=(-1.5, 1.5), minima=[(1.0, 1.0)],
        description=N_("Rosenbrock's banana valley (1 − x)² + 100·(y − x²)², divided by 100: a curved, flat-bottomed "
                       "valley with its minimum at (1, 1)"),
        levels=[0.002, 0.01, 0.04, 0.15, 0.5, 1.5, 4.0, 10.0], grad=_rosenbrock_grad),
    "saddle": Surface(
        "saddle", _saddle, start=(-1.8, 0.05), minima=[(0.0, 1.0), (0.0, -1.0)], f_min=-0.25,
        description=N_("a saddle at (0, 0) between two valleys: x²/2 − y²/2 + y⁴/4, minima at (0, ±1)"),
        levels=[-0.2, -0.1, 0.0, 0.1, 0.3, 0.6, 1.0, 1.6], grad=_saddle_grad),
    "himmelblau": Surface(
        "himmelblau", _himmelblau, start=(0.3, -0.3), minima=[(u / 2.5, v / 2.5) for u, v in _HIMMELBLAU_MINIMA],
        description=N_("Himmelblau's function (x² + y − 11)² + (x + y² − 7)² on a 2.5× smaller scale, ÷100: four "
                       "minima of equal depth — where you end depends on where you start and how you move"),
        levels=[0.02, 0.1, 0.3, 0.6, 1.0, 1.6, 2.5, 4.0], grad=_himmelblau_grad),
}


def _as_surface(surface: Surface | str) -> Surface:
    if isinstance(surface, Surface):
        return surface
    if isinstance(surface, str) and surface in surfaces:
        return surfaces[surface]
    raise ValueError(_("`surface` must be a Surface or one of {names}; got {surface!r}").format(
        names=sorted(surfaces), surface=surface))


def walk(
    optimizer_cls: type[Optimizer], surface: Surface | str, start: Sequence[float] | None = None,
    **hyperparameters: Any,
) -> Iterator[tuple[float, float]]:
    """Yield the points ``optimizer_cls`` visits on ``surface``, the start first, one step at a time, for as long
    as you ask (or until it diverges). :func:`trajectory` collects them; the optimizer race widget pulls more
    when you ask for more steps."""
    surface = _as_surface(surface)
    start = surface.start if start is None else start
    if len(start) != 2:
        raise ValueError(_("`start` must be a point (x, y); got {start!r}").format(start=start))
    x, y = float(start[0]), float(start[1])
    point = torch.tensor([x, y], dtype=torch.float64, requires_grad=True)
    optimizer = optimizer_cls([point], **hyperparameters)
    # NumPy views of the point and of its gradient: reading and writing two numbers through them costs far less
    # than making a new tensor at every step
    grad = torch.zeros(2, dtype=torch.float64)
    grad_np, point_np = grad.numpy(), point.detach().numpy()
    yield x, y
    while True:
        if surface.grad is not None:
            grad_np[0], grad_np[1] = surface.grad(x, y)
            point.grad = grad
        else:
            optimizer.zero_grad()
            surface.f(point[0], point[1]).backward()
        optimizer.step()
        x, y = float(point_np[0]), float(point_np[1])
        if not (math.isfinite(x) and math.isfinite(y)) or max(abs(x), abs(y)) > 1e6:
            return  # diverged
        yield x, y


def trajectory(
    optimizer_cls: type[Optimizer],
    surface: Surface | str,
    start: Sequence[float] | None = None,
    steps: int = 100,
    **hyperparameters: Any,
) -> torch.Tensor:
    """Run ``optimizer_cls([point], **hyperparameters)`` for ``steps`` steps on a 2-D ``surface`` from ``start``.

    ``surface`` is a :class:`Surface` (or a key of :data:`surfaces`); ``start`` defaults to its suggested start.
    Works with any optimizer class (``course_utils.optim.Adam``, ``torch.optim.Adam`` …). The gradient is the
    surface's hand-written ``grad`` when it has one, else autograd's. Returns the visited points, float64 of
    shape (steps + 1, 2), the start first. If the optimizer diverges (a coordinate becomes infinite, NaN or
    larger than 1e6 in size), the path stops there and is shorter.
    """
    validation.integer(steps, "steps", min=0)
    points = itertools.islice(walk(optimizer_cls, surface, start, **hyperparameters), steps + 1)
    return torch.tensor(list(points), dtype=torch.float64).reshape(-1, 2)
