"""Regularization from scratch, each piece beside its PyTorch twin: dropout, batch normalization, weight penalties,
gradient clipping, and the conv → batch-norm → ReLU block that CNNs repeat.

::

    dropout          training: keep each value with probability 1 − p and scale survivors by 1 / (1 − p)
                     (inverted dropout: the mean is unchanged, so evaluation needs no rescaling); eval: identity
    BatchNorm1d      y = γ · (x − μ_B) / √(σ²_B + eps) + β with the batch's mean and (biased) variance in
                     training, which also update running_mean / running_var (unbiased) with ``momentum``;
                     in eval the running statistics replace the batch's
    l2_penalty       Σ w²  over the given parameters  (add λ/2 · l2_penalty to the loss = weight decay λ in SGD)
    l1_penalty       Σ |w|                             (pushes weights to exactly zero: sparsity)
    clip_grad_norm_  scale all gradients by min(1, max_norm / (‖g‖ + 1e-6)), ‖g‖ the norm of all of them together

Only ``torch`` is imported; the modules are ordinary ``nn.Module`` s with torch's parameter and buffer names, so a
``state_dict`` moves between ``BatchNorm1d`` and ``torch.nn.BatchNorm1d``.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Iterable
from typing import Any

import torch
from torch import nn

from . import validation
from .i18n import _

__all__ = ["dropout", "BatchNorm1d", "l2_penalty", "l1_penalty", "clip_grad_norm_", "ConvBlock",
           "train_regularized_mlp"]


def dropout(x: torch.Tensor, p: float = 0.5, training: bool = True) -> torch.Tensor:
    """Inverted dropout, as ``torch.nn.functional.dropout``: ``x`` any shape, returns the same shape.

    In training each element is zeroed with probability ``p`` and the survivors are multiplied by 1 / (1 − p),
    so E[output] = x. With ``training=False`` (``model.eval()``) it returns ``x`` unchanged. The mask is drawn
    with ``bernoulli_`` exactly as torch draws it, so the same seed gives the same output as ``nn.Dropout``.
    """
    validation.number(p, "p", 0, 1, meaning=_("the probability of zeroing an element"))
    if not training or p == 0:
        return x
    if p == 1:
        return x * torch.zeros((), dtype=x.dtype, device=x.device)
    keep = torch.empty_like(x).bernoulli_(1 - p)  # 1 with probability 1 − p, else 0
    return x * (keep / (1 - p))


class BatchNorm1d(nn.Module):
    """Batch normalization (Ioffe & Szegedy, 2015) over a batch of feature vectors, as ``torch.nn.BatchNorm1d``.

    Input (N, C) or (N, C, L); statistics are per feature (channel) C, over N (and L). In training mode each
    batch is normalized with its own mean and biased variance, and the running estimates are updated as
    ``running ← (1 − momentum)·running + momentum·batch_stat`` (the variance unbiased, ×n/(n − 1));
    ``momentum=None`` uses the plain average of all batches so far. In eval mode the running estimates are used,
    so a sample's output no longer depends on the rest of its batch. ``affine`` adds the learnable scale γ
    (``weight``, ones) and shift β (``bias``, zeros).
    """

    running_mean: torch.Tensor | None  # buffers: None when track_running_stats=False
    running_var: torch.Tensor | None
    num_batches_tracked: torch.Tensor | None

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
    ):
        super().__init__()
        validation.integer(num_features, "num_features", min=1)
        validation.number(eps, "eps", min=0, min_open=True)
        if momentum is not None:
            validation.number(momentum, "momentum", 0, 1, meaning=_("or None for a cumulative average"))
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        if affine:
            self.weight = nn.Parameter(torch.ones(num_features))   # γ
            self.bias = nn.Parameter(torch.zeros(num_features))    # β
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", torch.zeros(num_features))
            self.register_buffer("running_var", torch.ones(num_features))
            self.register_buffer("num_batches_tracked", torch.tensor(0, dtype=torch.long))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() not in (2, 3) or x.shape[1] != self.num_features:
            raise ValueError(_("`x` must have shape (N, {features}) or (N, {features}, L); got {shape}").format(
                features=self.num_features, shape=tuple(x.shape)))
        dims = (0,) if x.dim() == 2 else (0, 2)           # average over everything but the feature axis
        shape = (1, -1) if x.dim() == 2 else (1, -1, 1)   # to broadcast per-feature vectors against x
        use_batch = self.training or not self.track_running_stats
        if use_batch:
            n = x.numel() // self.num_features              # values per feature in this batch
            if self.training and n <= 1:
                raise ValueError(_("batch norm needs more than 1 value per feature in training; got `x` of "
                                   "shape {shape} (use a batch larger than 1, or model.eval())").format(
                    shape=tuple(x.shape)))
            mean = x.mean(dim=dims)
            var = x.var(dim=dims, unbiased=False)          # normalize with the biased variance …
            if self.training and self.track_running_stats:
                running_mean, running_var, count = self._running_stats()
                with torch.no_grad():
                    count.add_(1)
                    factor = 1.0 / float(count) if self.momentum is None else self.momentum
                    running_mean.mul_(1 - factor).add_(mean.detach(), alpha=factor)
                    unbiased = var.detach() * (n / (n - 1))  # … but track the unbiased one
                    running_var.mul_(1 - factor).add_(unbiased, alpha=factor)
        else:
            mean, var, _count = self._running_stats()
        x_hat = (x - mean.reshape(shape)) / torch.sqrt(var.reshape(shape) + self.eps)
        if self.affine:
            return x_hat * self.weight.reshape(shape) + self.bias.reshape(shape)
        return x_hat

    def _running_stats(self) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """The buffers (running_mean, running_var, num_batches_tracked); they exist if track_running_stats=True."""
        mean, var, count = self.running_mean, self.running_var, self.num_batches_tracked
        if mean is None or var is None or count is None:
            raise RuntimeError(_("this BatchNorm1d keeps no running statistics (track_running_stats=False)"))
        return mean, var, count

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
                f"track_running_stats={self.track_running_stats}")


def _params(parameters: Iterable[torch.Tensor] | torch.Tensor) -> list[torch.Tensor]:
    if isinstance(parameters, torch.Tensor):
        return [parameters]
    return list(parameters)


def _total(terms: list[torch.Tensor]) -> torch.Tensor:
    """terms[0] + terms[1] + …, in that order (the dtype and device of the terms); tensor(0.) for no terms."""
    if not terms:
        return torch.tensor(0.0)
    return sum(terms[1:], terms[0])


def l2_penalty(parameters: Iterable[torch.Tensor] | torch.Tensor) -> torch.Tensor:
    """Σ w² over every element of ``parameters`` (a scalar tensor, differentiable).

    ``loss + (λ/2)·l2_penalty(model.parameters())`` has the gradient ``∇loss + λ·w``: exactly what
    ``torch.optim.SGD(..., weight_decay=λ)`` adds.
    """
    return _total([(w**2).sum() for w in _params(parameters)])


def l1_penalty(parameters: Iterable[torch.Tensor] | torch.Tensor) -> torch.Tensor:
    """Σ |w| over every element of ``parameters`` (a scalar tensor). Its gradient λ·sign(w) has the same size
    for small and large weights, so it pushes small weights all the way to zero (sparsity)."""
    return _total([w.abs().sum() for w in _params(parameters)])


def clip_grad_norm_(
    parameters: Iterable[torch.Tensor] | torch.Tensor, max_norm: float, norm_type: float = 2.0
) -> torch.Tensor:
    """Rescale the gradients of ``parameters`` in place so that their joint norm is at most ``max_norm``.

    The norm is taken over all gradients together, as if they were one long vector; every gradient is multiplied
    by the same ``min(1, max_norm / (total_norm + 1e-6))``, so the update keeps its direction. Returns the total
    norm *before* clipping, as ``torch.nn.utils.clip_grad_norm_``.
    """
    validation.number(max_norm, "max_norm", min=0, min_open=True)
    grads = [p.grad for p in _params(parameters) if p.grad is not None]
    if not grads:
        return torch.tensor(0.0)
    norm_type = float(norm_type)
    if math.isinf(norm_type):
        total = torch.stack([g.detach().abs().max() for g in grads]).max()
    else:
        total = torch.stack([torch.linalg.vector_norm(g.detach(), norm_type) for g in grads])
        total = torch.linalg.vector_norm(total, norm_type)
    scale = torch.clamp(max_norm / (total + 1e-6), max=1.0)
    for g in grads:
        g.detach().mul_(scale)
    return total


class ConvBlock(nn.Module):
    """conv → batch norm → ReLU: the pattern modern CNNs repeat (chapter 08). Input (N, in_channels, H, W); output
    (N, out_channels, H, W) (``padding = kernel_size // 2`` keeps the size for odd kernels).

    The convolution has no bias: batch norm subtracts each channel's mean right after it, which cancels any
    constant the conv would add, and β (the norm's ``bias``) supplies the shift instead.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int = 3):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, kernel_size, padding=kernel_size // 2, bias=False)
        self.bn = nn.BatchNorm2d(out_channels)
        self.relu = nn.ReLU()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.relu(self.bn(self.conv(x)))


# ------------------------------------------------------------------------- regularization on a small problem


def train_regularized_mlp(
    p: float, weight_decay: float, noise: float, width: int, n_train: int, epochs: int = 300, seed: int = 0,
    checkpoints: Iterable[int] = (),
) -> dict[str, Any]:
    """Train a 2-width-width-2 MLP with dropout ``p`` and AdamW(lr=0.01, ``weight_decay``) full-batch on
    ``n_train`` noisy moons; validate on 400 fresh ones after every epoch.

    Returns the ``model``, per-epoch ``train_loss`` and ``val_loss`` (both measured in eval mode, so dropout
    does not inflate the training loss), the final ``val_acc``, and the training data ``X`` (n_train, 2) and
    ``y`` (n_train,). Runs on one thread (a model this small trains fastest there); takes about a second at
    the largest settings.

    ``checkpoints``: epochs after which to keep a copy of the model's weights, returned as ``checkpoints``
    ({epoch: {"state": the model's ``state_dict()``, "val_acc": the validation accuracy then}}); keeping them
    changes nothing in the training.
    """
    from . import num_threads
    from .data import make_moons

    with num_threads(1):
        X, y = make_moons(n=n_train, noise=noise, seed=seed)
        X_val, y_val = make_moons(n=400, noise=noise, seed=seed + 1)
        torch.manual_seed(seed)
        model = nn.Sequential(nn.Linear(2, width), nn.ReLU(), nn.Dropout(p), nn.Linear(width, width), nn.ReLU(),
                              nn.Dropout(p), nn.Linear(width, 2))
        optimizer = torch.optim.AdamW(model.parameters(), lr=0.01, weight_decay=weight_decay)
        loss_fn = nn.CrossEntropyLoss()
        train_loss, val_loss = [], []
        wanted, kept = set(checkpoints), {}
        for _epoch in range(epochs):
            model.train()
            loss = loss_fn(model(X), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            model.eval()
            with torch.no_grad():
                train_loss.append(loss_fn(model(X), y).item())
                val_loss.append(loss_fn(model(X_val), y_val).item())
                if _epoch + 1 in wanted:
                    kept[_epoch + 1] = {"state": copy.deepcopy(model.state_dict()),
                                        "val_acc": (model(X_val).argmax(1) == y_val).float().mean().item()}
        with torch.no_grad():
            val_acc = (model(X_val).argmax(1) == y_val).float().mean().item()
    run = {"model": model, "train_loss": train_loss, "val_loss": val_loss, "val_acc": val_acc, "X": X, "y": y}
    if wanted:
        run["checkpoints"] = kept
    return run
