"""Loss functions from scratch, each beside its ``torch.nn.functional`` twin, with the same signature and values.

Regression (``input`` and ``target`` of the same shape, any shape)::

    mse_loss          (x - y)^2
    l1_loss           |x - y|
    smooth_l1_loss    0.5 (x - y)^2 / beta   if |x - y| < beta   else |x - y| - 0.5 beta
    huber_loss        0.5 (x - y)^2          if |x - y| < delta  else delta (|x - y| - 0.5 delta)

Classification::

    nll_loss              -w[t] * input[t]                 input: log-probabilities (N, C) or (N, C, d1, ...)
    cross_entropy         nll_loss(log_softmax(input))     input: logits, same shapes
    binary_cross_entropy  -w (y log p + (1 - y) log(1 - p))           p: probabilities, each log clamped at -100
    binary_cross_entropy_with_logits  the same with p = sigmoid(x), computed stably from the logits x

``reduction`` is ``"mean"`` (the default), ``"sum"`` or ``"none"`` (one loss per element / per sample).
Only ``torch`` tensor operations are used, so autograd gives the gradients.
"""

from __future__ import annotations

import torch

from . import validation
from .activations import log_softmax  # the stable log-softmax of the activations chapter
from .i18n import _

__all__ = [
    "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss",
    "nll_loss", "cross_entropy", "binary_cross_entropy", "binary_cross_entropy_with_logits",
    "regression_loss_curves", "fit_line",
]

_REDUCTIONS = ("mean", "sum", "none")


# ------------------------------------------------------------------------------------------------------ checks


def _check_reduction(reduction: str) -> None:
    validation.one_of(reduction, "reduction", _REDUCTIONS)


def _check_same_shape(input: torch.Tensor, target: torch.Tensor) -> None:
    if input.shape != target.shape:
        raise ValueError(
            _("`input` and `target` must have the same shape; got input shape {input_shape} "
              "and target shape {target_shape}").format(input_shape=tuple(input.shape),
                                                        target_shape=tuple(target.shape))
        )


def _check_float(tensor: torch.Tensor, name: str, message: str) -> None:
    """``message``: the whole sentence, translated, with the fields ``{name}`` and ``{dtype}``."""
    if not tensor.is_floating_point():
        raise ValueError(message.format(name=name, dtype=tensor.dtype))


def _check_broadcasts(tensor: torch.Tensor | None, name: str, shape: torch.Size) -> None:
    if tensor is None:
        return
    try:
        fits = torch.broadcast_shapes(tensor.shape, shape) == shape
    except RuntimeError:  # not broadcastable at all
        fits = False
    if not fits:
        raise ValueError(
            _("`{name}` must broadcast to the input's shape {shape}; got shape {got}").format(
                name=name, shape=tuple(shape), got=tuple(tensor.shape))
        )


def _reduce(loss: torch.Tensor, reduction: str) -> torch.Tensor:
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


# -------------------------------------------------------------------------------------------------- regression


def mse_loss(input: torch.Tensor, target: torch.Tensor, reduction: str = "mean") -> torch.Tensor:
    """Mean squared error (x - y)^2. ``input``, ``target``: same shape; ``reduction="none"`` keeps it."""
    _check_reduction(reduction)
    _check_same_shape(input, target)
    return _reduce((input - target) ** 2, reduction)


def l1_loss(input: torch.Tensor, target: torch.Tensor, reduction: str = "mean") -> torch.Tensor:
    """Mean absolute error |x - y|. ``input``, ``target``: same shape; ``reduction="none"`` keeps it."""
    _check_reduction(reduction)
    _check_same_shape(input, target)
    return _reduce((input - target).abs(), reduction)


def smooth_l1_loss(
    input: torch.Tensor, target: torch.Tensor, reduction: str = "mean", beta: float = 1.0
) -> torch.Tensor:
    """Quadratic 0.5 d^2 / beta for |d| < beta, linear |d| - 0.5 beta beyond (d = x - y); same shapes.

    Its slope is at most 1, so outliers pull less than with MSE. ``beta=0`` is exactly :func:`l1_loss`.
    ``smooth_l1_loss(x, y, beta=b) == huber_loss(x, y, delta=b) / b``.
    """
    _check_reduction(reduction)
    _check_same_shape(input, target)
    validation.number(beta, "beta", min=0)
    if beta == 0:  # the quadratic piece would divide by zero
        return l1_loss(input, target, reduction)
    diff = input - target
    loss = torch.where(diff.abs() < beta, 0.5 * diff**2 / beta, diff.abs() - 0.5 * beta)
    return _reduce(loss, reduction)


def huber_loss(
    input: torch.Tensor, target: torch.Tensor, reduction: str = "mean", delta: float = 1.0
) -> torch.Tensor:
    """Quadratic 0.5 d^2 for |d| < delta, linear delta (|d| - 0.5 delta) beyond (d = x - y); same shapes.

    Like MSE near the target, like L1 (slope ``delta``) far from it.
    """
    _check_reduction(reduction)
    _check_same_shape(input, target)
    validation.number(delta, "delta", min=0, min_open=True)
    diff = input - target
    loss = torch.where(diff.abs() < delta, 0.5 * diff**2, delta * (diff.abs() - 0.5 * delta))
    return _reduce(loss, reduction)


# ---------------------------------------------------------------------------------------------- classification


def _check_class_input(input: torch.Tensor, name: str) -> None:
    _check_float(input, name, _("`{name}` must be a floating-point tensor (scores per class); got dtype {dtype}"))
    if input.dim() < 2:
        raise ValueError(
            _("`{name}` must be 2-D (batch, classes) or (batch, classes, d1, ...); got shape {shape}").format(
                name=name, shape=tuple(input.shape))
        )


def _check_class_target(input: torch.Tensor, target: torch.Tensor, ignore_index: int) -> None:
    """``target``: integer class indices of shape (N, d1, ...) in [0, C), or ``ignore_index``."""
    if target.is_floating_point() or target.is_complex() or target.dtype == torch.bool:
        raise ValueError(
            _("`target` must hold class indices (an integer dtype such as torch.long); got dtype {dtype}").format(
                dtype=target.dtype)
        )
    expected = (input.shape[0], *input.shape[2:])
    if tuple(target.shape) != expected:
        raise ValueError(
            _("`target` must have shape {expected} for input shape {input_shape} (batch, classes, ...); "
              "got target shape {target_shape}").format(
                expected=expected, input_shape=tuple(input.shape), target_shape=tuple(target.shape))
        )
    valid = target[target != ignore_index]
    n_classes = input.shape[1]
    if valid.numel() and (valid.min() < 0 or valid.max() >= n_classes):
        raise ValueError(
            _("`target` class indices must be in [0, {last}] (or ignore_index={ignore_index}); "
              "got values from {low} to {high}").format(
                last=n_classes - 1, ignore_index=ignore_index, low=valid.min().item(), high=valid.max().item())
        )


def _check_class_weight(weight: torch.Tensor | None, n_classes: int) -> None:
    if weight is not None and tuple(weight.shape) != (n_classes,):
        raise ValueError(_("`weight` must have shape ({n_classes},), one per class; got {shape}").format(
            n_classes=n_classes, shape=tuple(weight.shape)))


def _unbatched(input: torch.Tensor, target: torch.Tensor) -> bool:
    """torch accepts one sample without the batch dim: input (C,) with a class index () or probabilities (C,)."""
    return input.dim() == 1 and (target.dim() == 0 or target.shape == input.shape)


def _broadcast_over_classes(weight: torch.Tensor, input: torch.Tensor) -> torch.Tensor:
    """(C,) -> (1, C, 1, ...) so that it multiplies input of shape (N, C, d1, ...) class by class."""
    return weight.view(1, -1, *([1] * (input.dim() - 2)))


def _nll(
    log_probs: torch.Tensor, target: torch.Tensor, weight: torch.Tensor | None, ignore_index: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-sample losses -w[t] * log_probs[t] (0 where ignored) and the weights w[t] (0 where ignored)."""
    keep = target != ignore_index
    safe_target = torch.where(keep, target, 0).long()  # any valid index; its loss is zeroed by `keep`
    picked = log_probs.gather(1, safe_target.unsqueeze(1)).squeeze(1)  # (N, d1, ...)
    w = weight[safe_target] if weight is not None else torch.ones_like(picked)
    w = w * keep
    return -w * picked, w


def nll_loss(
    input: torch.Tensor,
    target: torch.Tensor,
    weight: torch.Tensor | None = None,
    ignore_index: int = -100,
    reduction: str = "mean",
) -> torch.Tensor:
    """Negative log-likelihood of the target classes, given log-probabilities.

    ``input``: (N, C) or (N, C, d1, ...) log-probabilities (e.g. ``log_softmax(logits, dim=1)``);
    ``target``: (N,) or (N, d1, ...) class indices; ``weight``: (C,) per-class weights.
    Loss of sample i: -weight[t_i] * input[i, t_i]; samples with ``t_i == ignore_index`` count 0.
    ``"mean"`` divides by the sum of the weights of the counted samples (their number without ``weight``).
    """
    _check_reduction(reduction)
    if input.dim() == 1 and target.dim() == 0:  # one sample without the batch dim, as torch accepts
        loss = nll_loss(input.unsqueeze(0), target.unsqueeze(0), weight, ignore_index, reduction)
        return loss.squeeze(0) if reduction == "none" else loss
    _check_class_input(input, "input")
    _check_class_target(input, target, ignore_index)
    _check_class_weight(weight, input.shape[1])
    loss, w = _nll(input, target, weight, ignore_index)
    if reduction == "mean":
        return loss.sum() / w.sum()
    return _reduce(loss, reduction)


def cross_entropy(
    input: torch.Tensor,
    target: torch.Tensor,
    weight: torch.Tensor | None = None,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> torch.Tensor:
    """Cross-entropy between the softmax of ``input`` logits and the target classes: ``nll_loss(log_softmax)``.

    ``input``: (N, C) or (N, C, d1, ...) raw scores (logits); ``weight``: (C,). ``target`` is either

    - class indices, shape (N,) or (N, d1, ...): loss_i = -weight[t_i] log p_i[t_i]; with ``label_smoothing``
      e the target becomes (1 - e) one-hot + e / C uniform, so
      loss_i = (1 - e) nll_i + (e / C) sum_c -weight[c] log p_i[c], and ``"mean"`` divides by
      sum_i weight[t_i] over the samples not ignored, as ``nll_loss`` does;
    - class probabilities, the same shape as ``input`` (floating point): loss_i = -sum_c weight[c] q_ic log p_ic,
      and ``"mean"`` divides by the number of samples (not by the weights). ``ignore_index`` must stay negative.
    """
    _check_reduction(reduction)
    validation.number(label_smoothing, "label_smoothing", 0, 1)
    if _unbatched(input, target):
        loss = cross_entropy(
            input.unsqueeze(0), target.unsqueeze(0), weight, ignore_index, reduction, label_smoothing
        )
        return loss.squeeze(0) if reduction == "none" else loss
    _check_class_input(input, "input")
    n_classes = input.shape[1]
    _check_class_weight(weight, n_classes)
    log_probs = log_softmax(input, dim=1)

    if target.shape == input.shape:  # class probabilities, as torch decides it
        _check_float(target, "target", _("`{name}` must be a floating-point tensor (class probabilities, since it "
                                         "has the same shape as `input`); got dtype {dtype}"))
        if ignore_index >= 0:
            raise ValueError(_("`ignore_index` is not supported for class-probability targets; got {ignore_index}")
                             .format(ignore_index=ignore_index))
        q = target * (1 - label_smoothing) + label_smoothing / n_classes
        if weight is not None:
            q = q * _broadcast_over_classes(weight, input)
        loss = -(q * log_probs).sum(dim=1)  # (N, d1, ...)
        return _reduce(loss, reduction)

    _check_class_target(input, target, ignore_index)
    loss, w = _nll(log_probs, target, weight, ignore_index)
    if label_smoothing > 0:
        # -sum_c weight[c] log p[c]: the loss against the uniform target, zero where ignored
        class_w = _broadcast_over_classes(weight, input) if weight is not None else 1.0
        uniform = -(class_w * log_probs).sum(dim=1) * (target != ignore_index)
        loss = (1 - label_smoothing) * loss + (label_smoothing / n_classes) * uniform
    if reduction == "mean":
        return loss.sum() / w.sum()
    return _reduce(loss, reduction)


def _clamped_log(p: torch.Tensor) -> torch.Tensor:
    """log(p) clamped at -100, as torch's binary_cross_entropy does.

    log(0) = -inf becomes -100. The ``where`` keeps the gradient at p = 0 at 0 instead of nan (0 * 1/0).
    """
    safe = torch.where(p > 0, p, torch.ones_like(p))
    return safe.log().masked_fill(p == 0, -100.0).clamp(min=-100)


def binary_cross_entropy(
    input: torch.Tensor,
    target: torch.Tensor,
    weight: torch.Tensor | None = None,
    reduction: str = "mean",
) -> torch.Tensor:
    """-weight * (y log p + (1 - y) log(1 - p)) for probabilities p = ``input`` in [0, 1].

    ``input``, ``target``: same shape, floating point; ``weight``: broadcastable to it. Like torch, each log
    is clamped at -100, so a confident wrong prediction (p = 0 or 1 exactly) costs 100, not infinity: the
    true loss may be larger. Prefer :func:`binary_cross_entropy_with_logits`.
    """
    _check_reduction(reduction)
    _check_same_shape(input, target)
    _check_float(target, "target", _("`{name}` must be a floating-point tensor (probabilities in [0, 1]); "
                                     "got dtype {dtype}"))
    _check_broadcasts(weight, "weight", input.shape)
    if input.numel() and (input.min() < 0 or input.max() > 1):
        raise ValueError(
            _("`input` must hold probabilities in [0, 1] (apply torch.sigmoid, or use "
              "binary_cross_entropy_with_logits); got values from {low} to {high}").format(
                low=input.min().item(), high=input.max().item())
        )
    loss = -(target * _clamped_log(input) + (1 - target) * _clamped_log(1 - input))
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def binary_cross_entropy_with_logits(
    input: torch.Tensor,
    target: torch.Tensor,
    weight: torch.Tensor | None = None,
    reduction: str = "mean",
    pos_weight: torch.Tensor | None = None,
) -> torch.Tensor:
    """Binary cross-entropy of p = sigmoid(x) for logits x = ``input``, computed stably from x.

    Without ``pos_weight``: loss = max(x, 0) - x y + log(1 + exp(-|x|)). It equals
    -(y log sigmoid(x) + (1 - y) log(1 - sigmoid(x))) but never overflows (exp(-|x|) <= 1) and needs no
    clamping: logit -1000 with target 1 costs exactly 1000.

    ``pos_weight`` (broadcastable, typically (C,)) multiplies the positive term: with
    softplus(-x) = log(1 + exp(-x)) = -log sigmoid(x),
    loss = (1 - y) x + (1 + (pos_weight - 1) y) softplus(-x), which is the formula above when pos_weight = 1.
    ``weight`` (broadcastable) multiplies each element's loss. ``input``, ``target``: same shape.
    """
    _check_reduction(reduction)
    _check_same_shape(input, target)
    _check_float(input, "input", _("`{name}` must be a floating-point tensor (logits); got dtype {dtype}"))
    _check_float(target, "target", _("`{name}` must be a floating-point tensor (probabilities in [0, 1]); "
                                     "got dtype {dtype}"))
    _check_broadcasts(weight, "weight", input.shape)
    _check_broadcasts(pos_weight, "pos_weight", input.shape)
    x, y = input, target
    # max(-x, 0) written as (|x| - x) / 2: the same value, and at x = 0 autograd takes the slope -1/2 of the
    # smooth function instead of a one-sided -1 or 0.
    softplus_neg = (x.abs() - x) / 2 + torch.log1p(torch.exp(-x.abs()))  # log(1 + exp(-x)), stable
    log_weight = 1 + (pos_weight - 1) * y if pos_weight is not None else 1
    loss = (1 - y) * x + log_weight * softplus_neg
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


# ------------------------------------------------------------------------------- the losses side by side


def regression_loss_curves(
    r: torch.Tensor, delta: float = 1.0, beta: float = 1.0
) -> dict[str, tuple[torch.Tensor, torch.Tensor]]:
    """Each regression loss above at the residuals ``r`` (any shape; the target is 0) and its derivative, by
    autograd: ``{name: (loss, dloss/dr)}``, both shaped like ``r``, for MSE, MAE, Huber (``delta``) and
    Smooth L1 (``beta``), in that order. The names carry δ and β, e.g. "Huber, δ = 1.00"."""
    zero = torch.zeros_like(r)
    fns = [("MSE", lambda x: mse_loss(x, zero, reduction="none")),
           ("MAE (L1)", lambda x: l1_loss(x, zero, reduction="none")),
           (f"Huber, δ = {delta:.2f}", lambda x: huber_loss(x, zero, reduction="none", delta=delta)),
           (f"Smooth L1, β = {beta:.2f}", lambda x: smooth_l1_loss(x, zero, reduction="none", beta=beta))]
    curves = {}
    for name, fn in fns:
        x = r.detach().clone().requires_grad_(True)
        value = fn(x)
        (grad,) = torch.autograd.grad(value.sum(), x)
        curves[name] = (value.detach(), grad)
    return curves


_LINE_LOSSES = ("mse", "mae", "huber")


def fit_line(x: torch.Tensor, y: torch.Tensor, loss: str = "mse", delta: float = 1.0,
             iters: int = 60) -> torch.Tensor:
    """(slope, intercept), float64 (2,), of the line minimizing the mean ``loss`` ("mse", "mae" or "huber" with
    ``delta``) of its residuals on the points ``x``, ``y`` (n,).

    MSE is least squares, one solve. MAE and Huber are fitted by iteratively reweighted least squares: weights
    1/|r| (MAE) or min(1, δ/|r|) (Huber) turn each loss, locally, into a weighted squared error; ``iters``
    rounds of that converge on the few dozen points a plot shows.
    """
    if loss not in _LINE_LOSSES:
        raise ValueError(_("`loss` must be one of {losses}; got {loss!r}").format(losses=_LINE_LOSSES, loss=loss))
    x, t = x.detach().double().reshape(-1), y.detach().double().reshape(-1)
    if len(x) != len(t) or len(x) < 2:
        raise ValueError(_("`x` and `y` must hold the same number (at least 2) of points; got {n_x} and {n_y}")
                         .format(n_x=len(x), n_y=len(t)))
    A = torch.stack([x, torch.ones_like(x)], dim=1)  # (n, 2)
    w = torch.ones_like(t)
    coef = torch.zeros(2, dtype=torch.float64)
    for _i in range(1 if loss == "mse" else iters):
        Aw = A * w[:, None]
        coef = torch.linalg.solve(Aw.T @ A, Aw.T @ t)
        r = (t - A @ coef).abs()
        w = 1 / r.clamp_min(1e-6) if loss == "mae" else delta / r.clamp_min(delta)
    return coef
