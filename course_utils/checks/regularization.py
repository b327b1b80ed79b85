"""Exercises of the regularization chapter: inverted dropout, batch norm in training, running statistics,
clipping gradients by their global norm."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from ..i18n import N_, _, ngettext
from ._core import call, exercise, expect, expect_close

CHAPTER = "07"  # the chapter whose notebook asks these exercises (its progress line)

# ---------------------------------------------------------------------------------------------------- dropout


def inverted_dropout(x: torch.Tensor, p: float, training: bool) -> torch.Tensor:
    """Zero each element with probability p and scale the survivors by 1/(1 − p) in training; identity in eval."""
    if not training or p == 0:
        return x
    keep = (torch.rand_like(x) >= p).to(x.dtype)
    return x * keep / (1 - p)


@exercise("inverted_dropout", solution=inverted_dropout,
          hints=(N_("In evaluation mode nothing changes. In training, switch each element off at random with "
                    "probability p, and scale up the ones that survive so that the expected value of every element "
                    "stays what it was."),
                 N_("Draw uniform random numbers of x's shape with torch.rand_like: keeping the places where they are "
                    "at least p keeps each element with probability 1 − p. Turn that boolean mask into x's dtype, "
                    "multiply, and divide by (1 − p)."),
                 N_("keep = (torch.rand_like(x) >= p).to(…), then divide x * keep by the probability of keeping. p is "
                    "the probability of dropping, so keep where the random number is not below p; and return x as it "
                    "is when training is False.")))
def _check_inverted_dropout(fn) -> None:
    with torch.random.fork_rng():  # seeded masks, without touching the learner's random state
        torch.manual_seed(0)
        x = torch.rand(400, 500) + 0.5  # 200,000 positive values: zeros can only come from the mask
        got = call(fn, x.clone(), 0.3, False)
        expect_close(got, x, _("the output in eval mode (training=False)"), context="p=0.3")
        got = call(fn, x.clone(), 0.0, True)
        expect_close(got, x, _("the output with p=0"), context="training=True")
        for p in (0.2, 0.5):
            got = call(fn, x.clone(), p, True)
            _check_dropout_output(got, x, p)


def _check_dropout_output(got, x: torch.Tensor, p: float) -> None:
    """Compare one training-mode output with the rules of inverted dropout, whatever its type or dtype."""
    expect(isinstance(got, torch.Tensor),
           _("the output should be a torch.Tensor (p={p}, training=True); got {type}.").format(
               p=p, type=type(got).__name__))
    expect(got.shape == x.shape,
           _("the output should have the input's shape {want} (p={p}, training=True); got {got}.").format(
               want=tuple(x.shape), p=p, got=tuple(got.shape)))
    expect(not (got.is_complex() or got.dtype == torch.bool),
           _("the output should hold real numbers like the input (p={p}); got dtype {dtype}.").format(
               p=p, dtype=got.dtype))
    got = got.detach().cpu().double()  # any real dtype (float64 included) is compared in float64
    dropped = got == 0
    frac = dropped.double().mean().item()
    expect(abs(frac - p) < 0.01, _("with p={p}, {frac:.3f} of the values are zero; about {p} should be "
                                   "(p is the probability of *dropping*).").format(p=p, frac=frac))
    want = x.double() / (1 - p)
    wrong = ~dropped & ~torch.isclose(got, want, rtol=1e-5)
    if wrong.any():
        i = tuple(int(k) for k in wrong.nonzero()[0])
        expect(False, _("with p={p}, the surviving values should be x/(1 − p) = x/{keep:g}; e.g. at index {i} "
                        "x={x:.4f} gave {got:.4f} instead of {want:.4f}.").format(
                            p=p, keep=1 - p, i=i, x=x[i].item(), got=got[i].item(), want=want[i].item()))


# ------------------------------------------------------------------------------------------- batch norm, train


def batch_norm_train(x: torch.Tensor, gamma: torch.Tensor, beta: torch.Tensor, eps: float = 1e-5) -> torch.Tensor:
    """Batch norm of x (N, C) with the batch's mean and biased variance per feature, then γ·x̂ + β."""
    mean = x.mean(dim=0)
    var = x.var(dim=0, unbiased=False)
    return gamma * (x - mean) / torch.sqrt(var + eps) + beta


@exercise("batch_norm_train", solution=batch_norm_train,
          hints=(N_("Normalize each feature, each column, on its own: subtract its average over the batch and divide "
                    "by its standard deviation over the batch, kept away from zero by a small constant; then scale and "
                    "shift each feature by its own learned factor and offset."),
                 N_("Reduce over the batch dimension, dim=0, so that mean and variance have shape (C,). Use the biased "
                    "variance, x.var(dim=0, unbiased=False), which divides by N, and put eps inside the square root: "
                    "(x − mean) / sqrt(var + eps)."),
                 N_("With the mean over dim=0 and the biased variance as above, return gamma * (x - mean) / "
                    "torch.sqrt(…) + beta. The default of x.var is the unbiased variance (it divides by N − 1), which "
                    "gives slightly wrong numbers, most visibly for small batches.")))
def _check_batch_norm_train(fn) -> None:
    g_ = torch.Generator().manual_seed(2)
    for n, c in ((4, 3), (32, 5)):
        x = 3 * torch.randn(n, c, generator=g_, dtype=torch.float64) + 1
        gamma = torch.rand(c, generator=g_, dtype=torch.float64) + 0.5
        beta = torch.randn(c, generator=g_, dtype=torch.float64)
        got = call(fn, x.clone(), gamma.clone(), beta.clone())
        want = F.batch_norm(x, None, None, gamma, beta, training=True, eps=1e-5)
        expect_close(got, want, _("the normalized output"),
                     context=_("a batch of shape ({n}, {c})").format(n=n, c=c))


# --------------------------------------------------------------------------------------- running statistics


def running_stats_update(running_mean: torch.Tensor, running_var: torch.Tensor, x: torch.Tensor,
                         momentum: float = 0.1) -> tuple[torch.Tensor, torch.Tensor]:
    """The running statistics after a training batch x (N, C), as nn.BatchNorm1d: unbiased variance."""
    mean = x.mean(dim=0)
    var = x.var(dim=0, unbiased=True)
    return (1 - momentum) * running_mean + momentum * mean, (1 - momentum) * running_var + momentum * var


@exercise("running_stats_update", solution=running_stats_update,
          hints=(N_("Each running statistic becomes a weighted average of its old value and the new batch's statistic, "
                    "and PyTorch's momentum is the weight of the new batch, not of the old value. Mind which variance "
                    "the running one is built from: not quite the one used to normalize."),
                 N_("new = (1 − momentum)·old + momentum·(the batch's statistic), per feature over dim=0, for the mean "
                    "and for the variance. The running variance uses the unbiased batch variance (x.var(dim=0), which "
                    "divides by N − 1), although normalization uses the biased one."),
                 N_("With mean and var the batch's statistics per feature (var unbiased), return the pair "
                    "((1 - momentum) * running_mean + momentum * …, (1 - momentum) * running_var + …). Swapping "
                    "momentum and 1 - momentum is the usual slip: a momentum of 0.1 means the new batch counts for "
                    "10%.")))
def _check_running_stats_update(fn) -> None:
    g_ = torch.Generator().manual_seed(3)
    bn = torch.nn.BatchNorm1d(4, momentum=0.1).double()
    for _i in range(3):
        x = 2 * torch.randn(6, 4, generator=g_, dtype=torch.float64) + 1
        assert bn.running_mean is not None and bn.running_var is not None  # track_running_stats=True keeps them
        got = call(fn, bn.running_mean.clone(), bn.running_var.clone(), x.clone(), 0.1)
        expect(isinstance(got, tuple | list),
               _("return a pair (new running_mean, new running_var); got {type}.").format(type=type(got).__name__))
        expect(len(got) == 2, ngettext("return a pair (new running_mean, new running_var); yours has {k} value.",
                                       "return a pair (new running_mean, new running_var); yours has {k} values.",
                                       len(got)).format(k=len(got)))
        bn.train()
        bn(x)
        context = _("a batch of 6, momentum=0.1")
        expect_close(got[0], bn.running_mean, _("the new running_mean"), context=context)
        expect_close(got[1], bn.running_var, _("the new running_var"), context=context)


# ----------------------------------------------------------------------------------------- gradient clipping


def clip_grad_norm(grads: list[torch.Tensor], max_norm: float) -> list[torch.Tensor]:
    """Scale every gradient by min(1, max_norm / (total_norm + 1e-6)), total_norm over all of them together."""
    total = torch.sqrt(sum(((g**2).sum() for g in grads), torch.tensor(0.0)))
    scale = min(1.0, max_norm / (total.item() + 1e-6))
    return [g * scale for g in grads]


@exercise("clip_grad_norm", solution=clip_grad_norm,
          hints=(N_("Treat all the gradients as one long vector and compute one length for all of them together. If "
                    "that length is above the maximum, shrink every gradient by the same factor so that the length "
                    "becomes the maximum; if it is not, leave them as they are."),
                 N_("total = sqrt(sum of every squared element of every gradient), one norm for all of them, not one "
                    "per tensor. The factor is min(1, max_norm / (total + 1e-6)), as clip_grad_norm_ computes it: it "
                    "never scales up."),
                 N_("Add up (g**2).sum() over every g in grads and take the square root to get total; then "
                    "scale = min(1.0, max_norm / (… + 1e-6)), and return a list with every g multiplied by scale.")))
def _check_clip_grad_norm(fn) -> None:
    g_ = torch.Generator().manual_seed(4)
    for max_norm, scale in ((1.0, 3.0), (0.5, 0.01)):  # clipped, and too small to clip
        grads = [scale * torch.randn(3, 4, generator=g_), scale * torch.randn(4, generator=g_)]
        got = call(fn, [g.clone() for g in grads], max_norm)
        params = [torch.zeros_like(g, requires_grad=True) for g in grads]
        for p, g in zip(params, grads):
            p.grad = g.clone()
        total = torch.nn.utils.clip_grad_norm_(params, max_norm).item()
        expect(isinstance(got, list | tuple),
               _("return a list of {n} gradients; got {type}.").format(n=len(grads), type=type(got).__name__))
        expect(len(got) == len(grads), _("return a list of {n} gradients, one for each given gradient; yours has "
                                         "{k}.").format(n=len(grads), k=len(got)))
        for i, (mine, p) in enumerate(zip(got, params)):
            expect_close(mine, p.grad, _("gradient {i}").format(i=i),
                         context=_("max_norm={max_norm}, gradients with a total norm of {total:.3g}").format(
                             max_norm=max_norm, total=total))
