"""Optimizers, learning-rate schedules and 2-D loss surfaces, written from the formulas beside their torch twins.

Every name is used as ``course_utils.optim.<name>``; the code lives in three modules of this package:

- ``optimizers``: :class:`SGD`, :class:`Adagrad`, :class:`RMSprop`, :class:`Adam`, :class:`AdamW`, each a
  ``torch.optim.Optimizer`` subclass with torch's arguments, defaults, state names and update order, so it drops
  into any training loop and matches torch to rounding error (its docstring lists every update rule);
- ``schedules``: :func:`step_lr`, :func:`multistep_lr`, :func:`exponential_lr`, :func:`cosine_lr`,
  :func:`linear_warmup_lr`, :func:`warmup_cosine_lr`, pure functions of the epoch equal to what
  ``torch.optim.lr_scheduler`` sets after ``epoch`` calls of ``scheduler.step()``;
- ``loss_surfaces``: the 2-D :data:`surfaces` (each a :class:`Surface`), :func:`walk` and :func:`trajectory`, to
  watch the optimizers move.
"""

from .loss_surfaces import Surface, surfaces, trajectory, walk
from .optimizers import SGD, Adagrad, Adam, AdamW, RMSprop
from .schedules import cosine_lr, exponential_lr, linear_warmup_lr, multistep_lr, step_lr, warmup_cosine_lr

__all__ = [
    "SGD", "Adagrad", "RMSprop", "Adam", "AdamW",
    "step_lr", "multistep_lr", "exponential_lr", "cosine_lr", "linear_warmup_lr", "warmup_cosine_lr",
    "Surface", "surfaces", "walk", "trajectory",
]
