"""Learning-rate schedules as pure functions of the epoch (re-exported by :mod:`course_utils.optim`).

Each equals what its ``torch.optim.lr_scheduler`` twin sets after ``epoch`` calls of ``scheduler.step()``.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence

from .. import validation
from ..i18n import _
from .optimizers import _check_nonnegative

__all__ = ["step_lr", "multistep_lr", "exponential_lr", "cosine_lr", "linear_warmup_lr", "warmup_cosine_lr"]


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
