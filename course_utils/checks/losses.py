"""Exercises of the loss-functions chapter: Huber from its formula, a stable cross-entropy, a stable BCE-with-logits."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from ..i18n import N_, _
from ._core import call, exercise, expect_close

CHAPTER = "05"  # the chapter whose notebook asks these exercises (its progress line)


def huber(input: torch.Tensor, target: torch.Tensor, delta: float = 1.0) -> torch.Tensor:
    """Mean Huber loss: 0.5 r^2 where |r| < delta, delta (|r| - 0.5 delta) elsewhere; r = input - target."""
    r = (input - target).abs()
    return torch.where(r < delta, 0.5 * r**2, delta * (r - 0.5 * delta)).mean()


@exercise("huber_from_scratch", solution=huber,
          hints=(N_("Compute the residual of every element and choose a piece per element: the quadratic piece where "
                    "the residual is small, the linear piece where it is large. Then average over all elements. The "
                    "linear piece is scaled so that the two pieces meet where they switch."),
                 N_("Work with the absolute residual |r|; torch.where(condition, a, b) picks a or b element by "
                    "element. The linear piece is delta · (|r| − delta/2): without the factor delta the two pieces do "
                    "not join (unless delta is 1). Return the mean over all elements, not the sum."),
                 N_("With r the absolute value of input - target: torch.where(r < delta, 0.5 * r ** 2, ...), with the "
                    "linear piece in the gap, then .mean() of the result.")))
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
          hints=(N_("Stay with logarithms all the way: a class's log-probability is its logit minus the log of the sum "
                    "of the exponentials of the row's logits, computed in a way that never overflows. Then take, in "
                    "each row, the log-probability of the target class and average its negative over the batch."),
                 N_("torch.logsumexp over dim=1, with keepdim=True, gives each row's log of the sum of exponentials "
                    "as a column (N, 1) and never overflows (it subtracts the row's maximum inside); logits minus that "
                    "column is the log-softmax. Taking the softmax first and then its log fails for logits of ±1000: "
                    "the small probabilities round to 0, and their log is -inf."),
                 N_("log_probs = logits - torch.logsumexp(...) over dim=1 with keepdim=True. Pick each row's target "
                    "entry with log_probs.gather(1, ...) and the targets as a column, or by indexing with "
                    "torch.arange(N) and target; return minus their mean.")))
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
          hints=(N_("Do not turn the logits into probabilities first: for large logits the sigmoid rounds to exactly "
                    "0 or 1, and the log of 0 is minus infinity. Rewrite the loss in terms of the logit itself, so that "
                    "the only exponential taken is of a number that is never positive, then average over the "
                    "elements."),
                 N_("For a logit x and a target y, the loss is max(x, 0) − x · y + log(1 + exp(−|x|)); exp(−|x|) is "
                    "never above 1, so nothing overflows. x.clamp(min=0) is max(x, 0), and torch.log1p(t) computes "
                    "log(1 + t), accurately even for small t."),
                 N_("With x the input and y the target: the mean of x.clamp(min=0) - x * y + torch.log1p(...), where "
                    "the gap is the exponential of minus the absolute value of x.")))
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
