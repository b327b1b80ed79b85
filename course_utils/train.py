"""The course's training loop: ``fit`` and ``evaluate``, written out so a learner can read every step.

``fit`` is the five-line loop of every PyTorch program (forward, loss, zero_grad, backward, step) plus the
bookkeeping a learner would otherwise repeat in each chapter: per-epoch losses and accuracy, validation,
a learning-rate scheduler, gradient clipping, early stopping, a progress bar, and a ``History`` that plots itself.
Losses are assumed to use ``reduction="mean"`` (the PyTorch default); epoch losses are averages over samples.
"""

from __future__ import annotations

import copy
import math
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import nn

from . import validation
from .i18n import N_, _

__all__ = ["fit", "evaluate", "History"]


@dataclass
class History:
    """What ``fit`` recorded, one entry per epoch. ``val_*`` are empty without a validation loader;
    ``*_acc`` are empty unless the task is classification (integer labels, one output per class)."""

    train_loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    train_acc: list[float] = field(default_factory=list)
    val_acc: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)
    epoch_time: list[float] = field(default_factory=list)
    best_epoch: int | None = None  # 1-based epoch with the lowest monitored loss
    stopped_early: bool = False
    diverged: bool = False  # the training loss became NaN or infinite

    @property
    def epochs(self) -> int:
        return len(self.train_loss)

    def __len__(self) -> int:
        return self.epochs

    def as_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}

    def plot(self, ax: Any = None) -> Any:
        """Loss (and accuracy, if recorded) per epoch; returns the matplotlib Figure."""
        from .plot import plot_history

        return plot_history(self, ax=ax)

    def __repr__(self) -> str:
        if not self.epochs:
            return "History({})".format(_("no epochs"))
        parts = [f"epochs={self.epochs}", f"train_loss={self.train_loss[-1]:.4f}"]
        if self.val_loss:
            parts.append(f"val_loss={self.val_loss[-1]:.4f}")
        if self.train_acc:
            parts.append(f"train_acc={self.train_acc[-1]:.3f}")
        if self.val_acc:
            parts.append(f"val_acc={self.val_acc[-1]:.3f}")
        if self.stopped_early:
            parts.append(_("stopped early, best epoch {epoch}").format(epoch=self.best_epoch))
        if self.diverged:
            parts.append(_("diverged"))
        return f"History({', '.join(parts)})"


def _is_classification(output: torch.Tensor, target: torch.Tensor) -> bool:
    return output.ndim == 2 and output.shape[1] > 1 and target.ndim == 1 and not target.is_floating_point()


def _resolve_device(model: nn.Module, device: Any) -> torch.device:
    if device is not None:
        return torch.device(device)
    for p in model.parameters():
        return p.device
    return torch.device("cpu")


def _check_args(epochs: int, patience: int | None, clip_grad_norm: float | None) -> None:
    validation.integer(epochs, "epochs", min=1)
    if patience is not None:
        validation.integer(patience, "patience", min=1)
    if clip_grad_norm is not None:
        validation.number(clip_grad_norm, "clip_grad_norm", min=0, min_open=True)


def _run_epoch(
    model: nn.Module,
    loader: Iterable,
    loss_fn: Callable,
    device: torch.device,
    optimizer: torch.optim.Optimizer | None = None,
    clip_grad_norm: float | None = None,
    batch_scheduler: Any = None,
) -> tuple[float, float | None]:
    """One pass over ``loader``; trains when an optimizer is given (stepping ``batch_scheduler`` after each
    update, if given). Returns (mean loss, accuracy or None)."""
    # Per batch only what the loop must do; the totals are summed once at the end, on the device (no sync per batch)
    losses: list[torch.Tensor] = []
    sizes: list[int] = []
    hits: list[torch.Tensor] = []
    classification = None
    for inputs, targets in loader:
        inputs, targets = inputs.to(device, non_blocking=True), targets.to(device, non_blocking=True)
        outputs = model(inputs)
        loss = loss_fn(outputs, targets)
        if optimizer is not None:
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            if clip_grad_norm is not None:
                nn.utils.clip_grad_norm_(model.parameters(), clip_grad_norm)
            optimizer.step()
            if batch_scheduler is not None:
                batch_scheduler.step()
        losses.append(loss.detach())
        sizes.append(targets.shape[0])
        if classification is None:
            classification = _is_classification(outputs, targets)
        if classification:
            hits.append(outputs.detach().argmax(dim=1) == targets)
    if not sizes:
        raise ValueError(_("the data loader yielded no batches"))
    n_seen = sum(sizes)
    batch_sizes = torch.tensor(sizes, device=device, dtype=losses[0].dtype)
    total_loss = (torch.stack(losses) * batch_sizes).sum()
    accuracy = torch.cat(hits).sum().item() / n_seen if classification else None
    return total_loss.item() / n_seen, accuracy


def evaluate(model: nn.Module, loader: Iterable, loss_fn: Callable, device: Any = None) -> dict[str, float]:
    """Mean loss over ``loader`` (and ``accuracy`` for classification) with the model in eval mode, no grad.

    Returns ``{"loss": float, "n": int}`` plus ``"accuracy"`` when the targets are class labels. The model's
    train/eval mode is restored afterwards.
    """
    device = _resolve_device(model, device)
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            loss, acc = _run_epoch(model, loader, loss_fn, device)
    finally:
        model.train(was_training)
    result: dict[str, float] = {"loss": loss}
    if acc is not None:
        result["accuracy"] = acc
    return result


def fit(
    model: nn.Module,
    train_loader: Iterable,
    loss_fn: Callable,
    optimizer: torch.optim.Optimizer,
    epochs: int,
    val_loader: Iterable | None = None,
    scheduler: Any = None,
    clip_grad_norm: float | None = None,
    device: Any = None,
    progress: bool = True,
    patience: int | None = None,
    scheduler_step: str = "epoch",
) -> History:
    """Train ``model`` for ``epochs`` passes over ``train_loader`` and return the per-epoch ``History``.

    Each batch ``(inputs, targets)`` is moved to ``device`` (default: where the model's parameters are; the model
    is moved there too). ``scheduler`` is stepped once per epoch (``ReduceLROnPlateau`` gets the monitored loss),
    or after every batch with ``scheduler_step="batch"`` (for schedules counted in steps, such as ``OneCycleLR``);
    ``History.lr`` holds the learning rate each epoch started with.
    ``clip_grad_norm`` clips the global gradient norm before each step. With ``patience``, training stops when the
    monitored loss (validation if given, else training) has not improved for that many epochs, and the best
    weights are restored. Training also stops, with a message, if the loss becomes NaN or infinite.
    ``progress`` shows a bar over the epochs: live while training, and in a notebook its saved output is the
    final state (epochs done, last losses), so a notebook read without a kernel shows what was trained.
    """
    _check_args(epochs, patience, clip_grad_norm)
    if scheduler_step not in ("epoch", "batch"):
        raise ValueError(_('`scheduler_step` must be "epoch" or "batch"; got {scheduler_step!r}').format(
            scheduler_step=scheduler_step))
    if scheduler_step == "batch" and isinstance(scheduler, torch.optim.lr_scheduler.ReduceLROnPlateau):
        raise ValueError(_('ReduceLROnPlateau watches a loss once per epoch: use scheduler_step="epoch"'))
    per_batch = scheduler if scheduler_step == "batch" else None
    device = _resolve_device(model, device)
    model.to(device)
    history = History()
    best_loss, best_state, since_best = math.inf, None, 0

    bar = _EpochBar(epochs, enabled=progress)
    try:
        for epoch in range(1, epochs + 1):
            start = time.perf_counter()
            model.train()
            history.lr.append(optimizer.param_groups[0]["lr"])
            train_loss, train_acc = _run_epoch(model, train_loader, loss_fn, device, optimizer, clip_grad_norm,
                                               per_batch)
            history.train_loss.append(train_loss)
            if train_acc is not None:
                history.train_acc.append(train_acc)
            monitored = train_loss
            if val_loader is not None:
                val = evaluate(model, val_loader, loss_fn, device)
                history.val_loss.append(val["loss"])
                if "accuracy" in val:
                    history.val_acc.append(val["accuracy"])
                monitored = val["loss"]
            history.epoch_time.append(time.perf_counter() - start)
            bar.advance(_postfix(history))

            if not math.isfinite(train_loss):
                history.diverged = True
                print(_("Training stopped at epoch {epoch}: the loss became {loss}. "
                        "The learning rate is probably too high (or the data contains NaN/inf).").format(
                    epoch=epoch, loss=train_loss))
                break
            if scheduler is not None and per_batch is None:
                if isinstance(scheduler, torch.optim.lr_scheduler.ReduceLROnPlateau):
                    scheduler.step(monitored)
                else:
                    scheduler.step()
            if monitored < best_loss:
                best_loss, since_best, history.best_epoch = monitored, 0, epoch
                if patience is not None:
                    best_state = copy.deepcopy(model.state_dict())
            else:
                since_best += 1
                if patience is not None and since_best >= patience:
                    history.stopped_early = True
                    break
    finally:
        bar.close()  # also on an error or an interrupt: the bar then shows where it stopped
    if history.stopped_early and best_state is not None:
        model.load_state_dict(best_state)
    return history


class _EpochBar:
    """The epoch progress bar of ``fit``: live while it trains; its final state is what a saved notebook keeps.

    Outside a notebook it is tqdm's text bar. Inside one, tqdm draws a widget, and a notebook file keeps only the
    text the widget was first displayed with, "epochs: 0%| | 0/40": a page that shows the saved notebook without a
    kernel (a code host, a website) would look as if nothing had trained. So the widget is displayed under a
    display id, and :meth:`close` replaces that output with the same widget whose text is the final line
    ("epochs: 100%|██████████| 40/40 [..., loss=...]"). A learner in JupyterLab sees the live bar throughout.
    """

    def __init__(self, epochs: int, enabled: bool = True):
        from tqdm.auto import tqdm  # imported here: tqdm.auto pulls in ipywidgets inside a notebook

        options: dict[str, Any] = dict(total=epochs, desc=_("epochs"), unit=_("epoch"), disable=not enabled,
                                       leave=True)
        notebook = sys.modules.get("tqdm.notebook")  # imported by tqdm.auto only inside a notebook
        self._handle: Any = None
        if enabled and notebook is not None and issubclass(tqdm, notebook.tqdm_notebook):
            from IPython.display import display

            self.bar = tqdm(display=False, **options)
            self._handle = display(self.bar.container, display_id=True)
        else:
            self.bar = tqdm(**options)

    def advance(self, postfix: dict[str, str]) -> None:
        """Count one finished epoch and show its numbers (redrawn at tqdm's own pace, not every epoch)."""
        self.bar.set_postfix(postfix, refresh=False)
        self.bar.update(1)

    def close(self) -> None:
        """Close the bar; in a notebook, make its saved output text the final state."""
        self.bar.close()
        if self._handle is None:
            return
        container = self.bar.container
        bundle = container._repr_mimebundle_() if hasattr(container, "_repr_mimebundle_") else None
        if isinstance(bundle, dict):
            bundle["text/plain"] = str(self.bar)  # the whole final line: the widget's own text is cut at 110
            self._handle.update(bundle, raw=True)
        else:
            self._handle.update(container)


# the names of the bar's numbers (History's fields), shown in the course's language
_POSTFIX_NAMES = {"loss": N_("loss"), "val_loss": N_("val_loss"), "val_acc": N_("val_acc"), "acc": N_("acc")}


def _postfix(history: History) -> dict[str, str]:
    post = {"loss": f"{history.train_loss[-1]:.4f}"}
    if history.val_loss:
        post["val_loss"] = f"{history.val_loss[-1]:.4f}"
    if history.val_acc:
        post["val_acc"] = f"{history.val_acc[-1]:.3f}"
    elif history.train_acc:
        post["acc"] = f"{history.train_acc[-1]:.3f}"
    return {_(_POSTFIX_NAMES[name]): value for name, value in post.items()}
