"""The optimizers from the formulas, each beside its ``torch.optim`` twin (re-exported by :mod:`course_utils.optim`).

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
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import torch
from torch.optim import Optimizer

from .. import validation
from ..i18n import _

__all__ = ["SGD", "Adagrad", "RMSprop", "Adam", "AdamW"]


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
                    g_avg.lerp_(g, 1 - alpha)                         # ḡ ← α·ḡ + (1 − α)·g, as ḡ + (1 − α)·(g − ḡ)
                    # √(E[g²] − E[g]²) + ε in torch's order of operations: where the variance vanishes, s − ḡ² is
                    # rounding error, and only the same operations in the same order round the same way
                    denom = s.addcmul(g_avg, g_avg, value=-1).sqrt_().add_(group["eps"])
                else:
                    denom = s.sqrt().add_(group["eps"])
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
