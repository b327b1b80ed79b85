"""Exercises of the loss-functions chapter: Huber from its formula, a stable cross-entropy, a stable BCE-with-logits."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from ..i18n import N_, _
from ._core import call, exercise, expect_close


def huber(input: torch.Tensor, target: torch.Tensor, delta: float = 1.0) -> torch.Tensor:
    """Mean Huber loss: 0.5 r^2 where |r| < delta, delta (|r| - 0.5 delta) elsewhere; r = input - target."""
    r = (input - target).abs()
    return torch.where(r < delta, 0.5 * r**2, delta * (r - 0.5 * delta)).mean()


@exercise("huber_from_scratch", solution=huber,
          hint=N_("r = (input - target).abs(); torch.where(r < delta, 0.5 * r**2, delta * (r - 0.5 * delta)) "
                  "picks the piece element by element. Without the factor delta in the linear piece the two pieces "
                  "do not join (except at delta = 1). Finish with .mean()."))
def _check_huber(fn) -> None:
    g = torch.Generator().manual_seed(0)
    for delta in (1.0, 0.5, 3.0):
        x, y = torch.randn(50, generator=g) * 4, torch.randn(50, generator=g)
        got = call(fn, x, y, delta)
        expect_close(got, F.huber_loss(x, y, delta=delta), _("your Huber loss"),
                     context=_("50 residuals between {lo:.2f} and {hi:.2f}, delta={delta}").format(
                         lo=(x - y).min(), hi=(x - y).max(), delta=delta))
    x, y = torch.tensor([[0.0, 2.0], [-5.0, 0.5]]), torch.zeros(2, 2)
    expect_close(call(fn, x, y, 1.0), F.huber_loss(x, y, delta=1.0), _("your Huber loss"),
                 context=_("a (2, 2) input [[0, 2], [-5, 0.5]] against zeros, delta=1"))


def cross_entropy_from_logits(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy of logits (N, C) against class indices (N,), stable for any logits."""
    log_probs = logits - torch.logsumexp(logits, dim=1, keepdim=True)  # log-softmax without overflow
    return -log_probs.gather(1, target.unsqueeze(1)).mean()


@exercise("stable_cross_entropy", solution=cross_entropy_from_logits,
          hint=N_("log p = logits - logsumexp(logits, dim=1, keepdim=True) never overflows (torch.logsumexp "
                  "subtracts the max inside). Pick each row's target entry with log_p.gather(1, target.unsqueeze(1)) "
                  "or log_p[torch.arange(N), target], then return minus its mean. softmax(...).log() fails for "
                  "large logits."))
def _check_cross_entropy(fn) -> None:
    g = torch.Generator().manual_seed(0)
    cases = [
        (torch.randn(8, 5, generator=g), torch.randint(0, 5, (8,), generator=g), _("8 random rows of 5 logits")),
        (torch.randn(4, 3, generator=g) * 10, torch.tensor([0, 1, 2, 0]), _("4 rows of 3 logits of size ~10")),
        (torch.tensor([[1000.0, 0.0, -1000.0], [0.0, 1000.0, 0.0]]), torch.tensor([2, 1]),
         _("extreme logits ±1000 (the true loss of row 0 is 2000)")),
    ]
    for logits, target, label in cases:
        expect_close(call(fn, logits, target), F.cross_entropy(logits, target), _("your cross-entropy"),
                     rtol=1e-4, context=label)


def bce_with_logits(input: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Mean binary cross-entropy of logits ``input`` against targets in [0, 1], stable for any logits."""
    x, y = input, target
    return (x.clamp(min=0) - x * y + torch.log1p(torch.exp(-x.abs()))).mean()


@exercise("stable_bce_with_logits", solution=bce_with_logits,
          hint=N_("Use the rewritten form max(x, 0) - x*y + log(1 + exp(-|x|)): exp(-|x|) is never above 1, so "
                  "nothing overflows. x.clamp(min=0) is max(x, 0); torch.log1p(t) is log(1 + t), accurate for small "
                  "t. Going through torch.sigmoid(x) loses the answer once sigmoid rounds to exactly 0 or 1."))
def _check_bce_with_logits(fn) -> None:
    g = torch.Generator().manual_seed(0)
    cases = [
        (torch.randn(10, generator=g) * 3, torch.randint(0, 2, (10,), generator=g).float(), _("10 random logits")),
        (torch.tensor([2.0, -1.0, 0.0]), torch.tensor([0.3, 0.9, 0.5]), _("soft targets [0.3, 0.9, 0.5]")),
        (torch.tensor([1000.0, -1000.0]), torch.tensor([0.0, 1.0]),
         _("confidently wrong logits [1000, -1000] with targets [0, 1] (the true loss is 1000)")),
        (torch.tensor([30.0, -30.0]), torch.tensor([1.0, 0.0]), _("confidently right logits [30, -30]")),
    ]
    for x, y, label in cases:
        expect_close(call(fn, x, y), F.binary_cross_entropy_with_logits(x, y), _("your loss"), rtol=1e-4,
                     context=label)
