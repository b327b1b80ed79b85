"""Exercises of the optimizers chapter: a momentum step in PyTorch's form, an Adam step, warm-up + cosine."""

from __future__ import annotations

import math

import torch

from ..i18n import N_, _
from ._core import call, exercise, expect, expect_close

CHAPTER = "06"  # the chapter whose notebook asks these exercises (its progress line)


def _pair(out, names: str) -> tuple:
    """``out`` as a tuple of as many values as ``names`` lists ("new w, new v", marked with ``N_``)."""
    n = len(names.split(", "))
    expect(isinstance(out, tuple | list),
           _("return a tuple ({names}); got {type}.").format(names=_(names), type=type(out).__name__))
    expect(len(out) == n, _("return a tuple of {n} values ({names}); yours has {k}.").format(
        n=n, names=_(names), k=len(out)))
    return tuple(out)


# ------------------------------------------------------------------------------------------- SGD with momentum


def sgd_momentum_step(w: torch.Tensor, g: torch.Tensor, v: torch.Tensor, lr: float, momentum: float):
    """One step of torch.optim.SGD(lr, momentum): v ← μ·v + g, then w ← w − lr·v. Returns (new w, new v)."""
    v = momentum * v + g
    return w - lr * v, v


@exercise("sgd_momentum_step", solution=sgd_momentum_step,
          hints=(N_("First update the velocity: it keeps a running sum of past gradients that shrinks by the momentum "
                    "factor at every step. Then move the weight against the new velocity, not the old one, and return "
                    "both, since the next step needs the velocity."),
                 N_("PyTorch's buffer is a running sum, not an average: v ← momentum·v + g, with no (1 − momentum) "
                    "factor in front of g. The step uses the new v: w ← w − lr·v; return the pair (new w, new v)."),
                 N_("Two lines: first v = momentum * v + …, then return w - lr * …, v. The order matters: compute the "
                    "new v before the step, so that w moves along it.")))
def _check_sgd_momentum_step(fn) -> None:
    g_ = torch.Generator().manual_seed(0)
    w, v = torch.randn(5, generator=g_), torch.zeros(5)
    for step in range(1, 5):
        g = torch.randn(5, generator=g_)
        got = _pair(call(fn, w.clone(), g.clone(), v.clone(), 0.1, 0.9), N_("new w, new v"))
        want = sgd_momentum_step(w, g, v, 0.1, 0.9)
        context = _("step {step} (lr=0.1, momentum=0.9, v started at zeros)").format(step=step)
        expect_close(got[1], want[1], _("the new v"), context=context)
        expect_close(got[0], want[0], _("the new w"), context=context)
        w, v = want


# ------------------------------------------------------------------------------------------------------- Adam


def adam_step(w: torch.Tensor, g: torch.Tensor, m: torch.Tensor, v: torch.Tensor, t: int, lr: float = 1e-3,
              betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8):
    """Step ``t`` (1, 2, …) of Adam. Returns (new w, new m, new v)."""
    beta1, beta2 = betas
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g * g
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return w - lr * m_hat / (v_hat.sqrt() + eps), m, v


@exercise("adam_step", solution=adam_step,
          hints=(N_("Adam keeps two moving averages, one of the gradients and one of the squared gradients. Both start "
                    "at zero and are too small in the first steps, so divide each by a correction that fades as the "
                    "step count grows; then step along the first, divided by the square root of the second."),
                 N_("m ← β₁·m + (1 − β₁)·g and v ← β₂·v + (1 − β₂)·g²; bias correction m̂ = m / (1 − β₁ᵗ) and "
                    "v̂ = v / (1 − β₂ᵗ); then w ← w − lr·m̂ / (√v̂ + eps), with eps outside the square root."),
                 N_("After updating m and v (the second with g * g), divide m by (1 - beta1**t) to get m_hat, and v "
                    "likewise with beta2; the new weight is w - lr * m_hat / (… + eps), the gap being the square root "
                    "of v_hat. Return the new w with the *uncorrected* m and v, not m_hat and v_hat: the next step "
                    "builds on them.")))
def _check_adam_step(fn) -> None:
    g_ = torch.Generator().manual_seed(1)
    for scale, lr in ((1.0, 0.01), (1e-4, 0.001)):  # tiny gradients: where eps's place matters
        w, m, v = torch.randn(6, generator=g_), torch.zeros(6), torch.zeros(6)
        for t in range(1, 5):
            g = scale * torch.randn(6, generator=g_)
            got = _pair(call(fn, w.clone(), g.clone(), m.clone(), v.clone(), t, lr=lr), N_("new w, new m, new v"))
            want = adam_step(w, g, m, v, t, lr=lr)
            context = _("step t={t}, lr={lr}, gradients of size ~{scale:g}").format(t=t, lr=lr, scale=scale)
            expect_close(got[1], want[1], _("the new m"), context=context, atol=1e-9)
            expect_close(got[2], want[2], _("the new v"), context=context, atol=1e-14)
            expect_close(got[0], want[0], _("the new w"), context=context, atol=1e-7)
            w, m, v = want


# ----------------------------------------------------------------------------------------- warm-up + cosine


def warmup_cosine(base_lr: float, epoch: int, warmup_epochs: int, T_max: int) -> float:
    """Linear warm-up from base_lr/3 to base_lr over ``warmup_epochs``, then cosine to 0 over ``T_max`` epochs."""
    if epoch < warmup_epochs:
        return base_lr * (1 / 3 + (2 / 3) * epoch / warmup_epochs)
    e = epoch - warmup_epochs
    return base_lr * (1 + math.cos(math.pi * e / T_max)) / 2


@exercise("warmup_cosine", solution=warmup_cosine,
          hints=(N_("There are two phases. During the warm-up the rate climbs in a straight line from a third of the "
                    "base rate towards the base rate; after it, the rate follows half a cosine wave from the base rate "
                    "down to zero, counting epochs from the end of the warm-up."),
                 N_("Branch on epoch < warmup_epochs. The warm-up is base_lr·(1/3 + (2/3)·epoch/warmup_epochs); the "
                    "cosine part is base_lr·(1 + cos(π·e/T_max))/2, where e counts the epochs since the warm-up ended "
                    "(math.cos, math.pi)."),
                 N_("In the second branch shift the epoch first, e = epoch - …, so that e is 0 on the first epoch "
                    "after the warm-up; then return base_lr * (1 + math.cos(math.pi * … / T_max)) / 2. Putting epoch "
                    "itself into the cosine is the usual slip: the cosine then does not start at base_lr.")))
def _check_warmup_cosine(fn) -> None:
    for base_lr, warmup, T_max in ((0.1, 5, 20), (1.0, 3, 10)):
        for epoch in range(warmup + T_max + 1):
            got = call(fn, base_lr, epoch, warmup, T_max)  # a number, or a one-element tensor
            expect_close(got, warmup_cosine(base_lr, epoch, warmup, T_max), _("the learning rate"),
                         context=f"base_lr={base_lr}, epoch={epoch}, warmup_epochs={warmup}, T_max={T_max}",
                         atol=1e-9)
