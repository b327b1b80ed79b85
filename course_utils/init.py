"""Weight initialisation from scratch, with ``torch.nn.init`` semantics, and a probe of what it does to a network.

Every initialiser fills ``tensor`` in place (under ``torch.no_grad()``) and returns the same tensor, exactly like
``torch.nn.init.<name>``. The random numbers come from one ``tensor.uniform_`` or ``tensor.normal_`` call with
the same arguments torch uses, so with the same seed (or the same ``generator`` state) the results are
bit-for-bit identical to PyTorch's.

Fans follow PyTorch's convention for a weight of shape (out_features, in_features) or
(out_channels, in_channels, *kernel_size)::

    fan_in  = in_channels  * receptive_field      receptive_field = prod(kernel_size), 1 for Linear
    fan_out = out_channels * receptive_field

The scales (``gain`` comes from :func:`calculate_gain`)::

    xavier_uniform_   U(-a, a),        a   = gain * sqrt(6 / (fan_in + fan_out))
    xavier_normal_    N(0, std^2),     std = gain * sqrt(2 / (fan_in + fan_out))
    kaiming_uniform_  U(-b, b),        b   = gain * sqrt(3 / fan)      fan = fan_in or fan_out (``mode``)
    kaiming_normal_   N(0, std^2),     std = gain / sqrt(fan)

:func:`layer_stats` runs one batch through a model and reports, layer by layer, the activation scale, the
saturated or dead fraction and the gradient scale: the numbers that show whether an initialisation keeps a deep
network trainable.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import torch

from .i18n import _

__all__ = [
    "calculate_gain", "fan_in_and_fan_out",
    "uniform_", "normal_", "xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_",
    "layer_stats",
    "INIT_SCHEMES", "init_weight_scale", "init_activation_stats", "DEPTH_ACTIVATIONS", "DEPTH_INITS",
    "first_layer_gradients",
]

_LINEAR_FNS = (
    "linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
)


# --------------------------------------------------------------------------------------------- gains and fans


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The recommended gain for a nonlinearity (``torch.nn.init.calculate_gain``).

    ============================ ==========================================
    nonlinearity                 gain
    ============================ ==========================================
    linear, conv*, sigmoid       1
    tanh                         5/3
    relu                         sqrt(2)
    leaky_relu                   sqrt(2 / (1 + negative_slope^2)); ``param`` is the slope, default 0.01
    selu                         3/4
    ============================ ==========================================
    """
    if nonlinearity in _LINEAR_FNS or nonlinearity == "sigmoid":
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            negative_slope = 0.01
        elif isinstance(param, int | float) and not isinstance(param, bool):
            negative_slope = param
        else:
            raise ValueError(_("`param` (the leaky_relu negative slope) must be a number; got {param!r}").format(
                param=param))
        return math.sqrt(2.0 / (1 + negative_slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    supported = ", ".join(repr(n) for n in (*_LINEAR_FNS, "sigmoid", "tanh", "relu", "leaky_relu", "selu"))
    raise ValueError(_("`nonlinearity` must be one of {supported}; got {nonlinearity!r}").format(
        supported=supported, nonlinearity=nonlinearity))


def fan_in_and_fan_out(tensor: torch.Tensor) -> tuple[int, int]:
    """``(fan_in, fan_out)`` of a weight of shape (out, in) or (out, in, *kernel_size).

    ``fan_in = in * prod(kernel_size)``: how many inputs feed one output unit;
    ``fan_out = out * prod(kernel_size)``: how many outputs one input unit feeds.
    """
    if tensor.dim() < 2:
        raise ValueError(_(
            "`tensor` must have at least 2 dimensions (out_features, in_features, *kernel_size) to compute "
            "fan_in and fan_out; got shape {shape}"
        ).format(shape=tuple(tensor.shape)))
    receptive_field = 1
    for size in tensor.shape[2:]:
        receptive_field *= size
    fan_in = tensor.shape[1] * receptive_field
    fan_out = tensor.shape[0] * receptive_field
    return fan_in, fan_out


def _fan(tensor: torch.Tensor, mode: str) -> int:
    """``fan_in`` or ``fan_out``, as ``mode`` says (case-insensitive, like torch)."""
    if not isinstance(mode, str) or mode.lower() not in ("fan_in", "fan_out"):
        raise ValueError(_("`mode` must be 'fan_in' or 'fan_out'; got {mode!r}").format(mode=mode))
    fan_in, fan_out = fan_in_and_fan_out(tensor)
    return fan_in if mode.lower() == "fan_in" else fan_out


# ----------------------------------------------------------------------------------------------- initialisers


def uniform_(
    tensor: torch.Tensor, a: float = 0.0, b: float = 1.0, generator: torch.Generator | None = None
) -> torch.Tensor:
    """Fill ``tensor`` (any shape) with samples of U(a, b), in place; return it."""
    with torch.no_grad():
        return tensor.uniform_(a, b, generator=generator)


def normal_(
    tensor: torch.Tensor, mean: float = 0.0, std: float = 1.0, generator: torch.Generator | None = None
) -> torch.Tensor:
    """Fill ``tensor`` (any shape) with samples of N(mean, std^2), in place; return it."""
    with torch.no_grad():
        return tensor.normal_(mean, std, generator=generator)


def xavier_uniform_(
    tensor: torch.Tensor, gain: float = 1.0, generator: torch.Generator | None = None
) -> torch.Tensor:
    """Glorot & Bengio (2010): U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out)); in place, returns it.

    ``tensor``: a weight of shape (out, in) or (out, in, *kernel_size).
    """
    fan_in, fan_out = fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    a = math.sqrt(3.0) * std  # a uniform U(-a, a) has std a / sqrt(3); computed as torch does, to the last bit
    return uniform_(tensor, -a, a, generator=generator)


def xavier_normal_(
    tensor: torch.Tensor, gain: float = 1.0, generator: torch.Generator | None = None
) -> torch.Tensor:
    """Glorot & Bengio (2010): N(0, std^2) with std = gain * sqrt(2 / (fan_in + fan_out)); in place, returns it.

    ``tensor``: a weight of shape (out, in) or (out, in, *kernel_size).
    """
    fan_in, fan_out = fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return normal_(tensor, 0.0, std, generator=generator)


def kaiming_uniform_(
    tensor: torch.Tensor,
    a: float = 0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """He et al. (2015): U(-b, b) with b = gain * sqrt(3 / fan); in place, returns it.

    ``tensor``: a weight of shape (out, in) or (out, in, *kernel_size). ``a`` is the negative slope of the
    leaky ReLU that follows (``a=0`` with the default ``"leaky_relu"`` gives ReLU's gain sqrt(2)). ``mode``
    ``"fan_in"`` keeps the activations' variance through the forward pass, ``"fan_out"`` the gradients'
    through the backward pass. A tensor with no elements is returned unchanged, as torch does.
    """
    if tensor.numel() == 0:
        return tensor
    fan = _fan(tensor, mode)
    gain = calculate_gain(nonlinearity, a)
    std = gain / math.sqrt(fan)
    bound = math.sqrt(3.0) * std  # a uniform U(-b, b) has std b / sqrt(3)
    return uniform_(tensor, -bound, bound, generator=generator)


def kaiming_normal_(
    tensor: torch.Tensor,
    a: float = 0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """He et al. (2015): N(0, std^2) with std = gain / sqrt(fan); in place, returns it.

    Arguments as in :func:`kaiming_uniform_`.
    """
    if tensor.numel() == 0:
        return tensor
    fan = _fan(tensor, mode)
    gain = calculate_gain(nonlinearity, a)
    std = gain / math.sqrt(fan)
    return normal_(tensor, 0.0, std, generator=generator)


# ------------------------------------------------------------------------------------------------ layer_stats


def _saturated_fraction(module: torch.nn.Module, y: torch.Tensor) -> float | None:
    """Fraction of outputs in the flat tails: |y| > 0.97 for Tanh, y outside (0.03, 0.97) for Sigmoid."""
    if isinstance(module, torch.nn.Tanh):
        return (y.abs() > 0.97).float().mean().item()
    if isinstance(module, torch.nn.Sigmoid):
        return ((y <= 0.03) | (y >= 0.97)).float().mean().item()
    return None


def _dead_fraction(module: torch.nn.Module, y: torch.Tensor) -> float | None:
    """Fraction of ReLU units (features; channels for conv outputs) that output 0 for every sample in the batch."""
    if not isinstance(module, torch.nn.ReLU):
        return None
    per_unit = y.transpose(0, 1).reshape(y.shape[1], -1) if y.dim() > 1 else y.reshape(1, -1)
    return (per_unit == 0).all(dim=1).float().mean().item()


def layer_stats(
    model: torch.nn.Module,
    x: torch.Tensor,
    loss_fn: Callable[[torch.Tensor], torch.Tensor] | None = None,
    *,
    training: bool = False,
) -> list[dict[str, Any]]:
    """Run one batch ``x`` through ``model`` and describe every leaf layer's output, in forward order.

    Returns one dict per call of a leaf module (Linear, Conv2d, Tanh, ReLU, ...) with keys

    - ``name``, ``type``, ``shape``: the module's name in ``model``, its class name, its output shape;
    - ``mean``, ``std``: of the layer's output (``std`` as ``torch.std``, unbiased);
    - ``saturated``: Tanh: fraction of outputs with |y| > 0.97; Sigmoid: fraction outside (0.03, 0.97);
      ``None`` for other layers;
    - ``dead``: ReLU: fraction of units (features, or channels of a conv output) that are 0 for the whole
      batch; ``None`` for other layers;
    - ``grad_std``: std of d(loss)/d(output): how big the gradient arriving at this layer is. The loss is
      ``loss_fn(output)`` (a scalar) if given, else the surrogate ``output.pow(2).mean()``. ``None`` when no
      gradient reaches the layer (nothing in the model or ``x`` requires grad).

    The model runs in eval mode by default (dropout off, batch norm on running statistics); ``training=True``
    runs it in training mode, and batch-norm running statistics are put back afterwards. Either way the model's
    mode, its buffers and every parameter's ``.grad`` are left as they were: gradients are taken with
    ``torch.autograd.grad``, which never writes ``.grad``, and all hooks are removed even if the forward fails.
    """
    records: list[dict[str, Any]] = []
    outputs: list[torch.Tensor] = []  # layer outputs that need a gradient
    handles: list[Any] = []

    def probe(name: str) -> Callable:
        def hook(module: torch.nn.Module, inputs: Any, output: Any) -> None:
            if not isinstance(output, torch.Tensor):
                return  # e.g. an LSTM's tuple: not described
            y = output.detach().float()
            record = {
                "name": name,
                "type": type(module).__name__,
                "shape": tuple(output.shape),
                "mean": y.mean().item(),
                "std": y.std().item(),
                "saturated": _saturated_fraction(module, y),
                "dead": _dead_fraction(module, y),
                "grad_std": None,
            }
            records.append(record)
            if output.requires_grad:  # a tensor hook fires when the backward pass reaches this output
                handles.append(output.register_hook(lambda grad: record.update(grad_std=grad.float().std().item())))
                outputs.append(output)

        return hook

    was_training = model.training
    buffers = {name: b.detach().clone() for name, b in model.named_buffers()}
    try:
        for name, module in model.named_modules():
            if next(module.children(), None) is None:  # a leaf: no submodules
                handles.append(module.register_forward_hook(probe(name or type(module).__name__)))
        model.train(training)
        with torch.enable_grad():
            output = model(x)
            if outputs:
                loss = loss_fn(output) if loss_fn is not None else output.pow(2).mean()
                # autograd.grad returns the gradients instead of accumulating them in .grad, so nothing is
                # touched. The tensor hooks above record them. Asking for the parameters' gradients too (then
                # discarded) makes the backward pass reach every layer, even one whose output a later in-place
                # op (ReLU(inplace=True)) overwrote.
                params: list[torch.Tensor] = [p for p in model.parameters() if p.requires_grad]
                torch.autograd.grad(loss, outputs + params, allow_unused=True)
    finally:
        for handle in handles:
            handle.remove()
        model.train(was_training)
        with torch.no_grad():
            for name, b in model.named_buffers():
                b.copy_(buffers[name])
    return records


# ------------------------------------------------------------------------ deep stacks: what each scheme does

# The schemes chapter 04's explorer compares on square (width, width) layers.
INIT_SCHEMES = ("N(0, 1)", "N(0, 0.01²)", "PyTorch default", "Xavier (gain 1)", "Xavier × gain", "Kaiming (ReLU)")
_STACK_ACTIVATIONS: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "tanh": torch.tanh, "ReLU": torch.relu, "sigmoid": torch.sigmoid}
_STACK_RANGES = {"tanh": (-1.0, 1.0), "ReLU": (0.0, 3.0), "sigmoid": (0.0, 1.0)}
_STACK_DRAWS: dict[tuple[int, int], tuple[torch.Tensor, torch.Tensor, torch.Tensor]] = {}


def init_weight_scale(scheme: str, activation: str, width: int) -> tuple[str, float]:
    """The distribution of a (width, width) weight under ``scheme`` (one of :data:`INIT_SCHEMES`) for a layer
    followed by ``activation`` ("tanh", "ReLU" or "sigmoid"): ("normal", std) or ("uniform", bound).

    The same numbers as the initialisers above and ``torch.nn.init``: PyTorch's default is
    kaiming_uniform_(a=√5), a bound of 1/√fan_in; Xavier-normal has std gain·√(2 / (fan_in + fan_out));
    Kaiming-normal with ReLU's gain has std √(2 / fan_in).
    """
    fan = width  # square layers: fan_in = fan_out = width
    if scheme == "N(0, 1)":
        return "normal", 1.0
    if scheme == "N(0, 0.01²)":
        return "normal", 0.01
    if scheme == "PyTorch default":
        return "uniform", calculate_gain("leaky_relu", math.sqrt(5)) * math.sqrt(3.0 / fan)
    if scheme == "Xavier (gain 1)":
        return "normal", math.sqrt(2.0 / (fan + fan))
    if scheme == "Xavier × gain":
        gain = calculate_gain({"tanh": "tanh", "ReLU": "relu", "sigmoid": "sigmoid"}[activation])
        return "normal", gain * math.sqrt(2.0 / (fan + fan))
    if scheme == "Kaiming (ReLU)":
        return "normal", calculate_gain("relu") / math.sqrt(fan)
    raise ValueError(_("`scheme` must be one of {schemes}; got {scheme!r}").format(schemes=INIT_SCHEMES, scheme=scheme))


def _stack_draws(width: int, depth: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Standard draws for ``depth`` square layers, made once per size and scaled per scheme: N(0, 1) and U(-1, 1)
    weights (depth, width, width), U(-1, 1) biases (depth, width)."""
    key = (width, depth)
    if key not in _STACK_DRAWS:
        g = torch.Generator().manual_seed(0)
        normal = torch.randn(depth, width, width, generator=g)
        uniform = torch.rand(depth, width, width, generator=g) * 2 - 1
        bias = torch.rand(depth, width, generator=g) * 2 - 1
        _STACK_DRAWS[key] = (normal, uniform, bias)
    return _STACK_DRAWS[key]


def init_activation_stats(
    scheme: str, activation: str, width: int, depth: int = 20, batch: int = 64, bins: int = 40
) -> dict[str, torch.Tensor]:
    """Push a batch of N(0, 1) inputs (batch, width) through ``depth`` square layers initialized with ``scheme``.

    Biases are 0, except for PyTorch's default (U(-1/√fan_in, 1/√fan_in), as nn.Linear). Returns ``std``
    (depth,): the activations' std after each layer; ``hist`` (depth, bins): the fraction of each layer's
    activations in each bin of the activation's range (values beyond it count in the end bins; ReLU's exact
    zeros are left out, their fraction is ``zeros`` (depth,)); ``edges`` (bins + 1,). The inputs use another seed
    than the weights: drawn from the same seed, they would be correlated with the first layer's weights.
    """
    if activation not in _STACK_ACTIVATIONS:
        raise ValueError(_("`activation` must be one of {activations}; got {activation!r}").format(
            activations=tuple(_STACK_ACTIVATIONS), activation=activation))
    act = _STACK_ACTIVATIONS[activation]
    lo, hi = _STACK_RANGES[activation]
    kind, scale = init_weight_scale(scheme, activation, width)
    normal, uniform, bias = _stack_draws(width, depth)
    weights = normal if kind == "normal" else uniform  # scaled below, on the smaller (batch, width) product
    biases = bias / math.sqrt(width) if scheme == "PyTorch default" else torch.zeros(depth, width)
    h = torch.randn(batch, width, generator=torch.Generator().manual_seed(1))
    stds, hists, zeros = [], [], []
    for layer in range(depth):
        h = act(torch.addmm(biases[layer], h, weights[layer].T, alpha=scale))  # bias + scale * h @ W^T
        stds.append(h.std())
        values = h[h != 0] if activation == "ReLU" else h.reshape(-1)
        zeros.append(1 - values.numel() / h.numel())
        index = ((values - lo) * (bins / (hi - lo))).long().clamp_(0, bins - 1)  # out of range: the end bins
        hists.append(torch.bincount(index, minlength=bins) / h.numel())
    return {"std": torch.stack(stds), "hist": torch.stack(hists), "zeros": torch.tensor(zeros),
            "edges": torch.linspace(lo, hi, bins + 1)}


# Chapter 02's vanishing-gradient stacks: each activation with the gain of its recommended initialisation.
DEPTH_ACTIVATIONS: dict[str, tuple[Callable[[torch.Tensor], torch.Tensor], float]] = {
    "sigmoid": (torch.sigmoid, 1.0), "tanh": (torch.tanh, 5.0 / 3), "ReLU": (torch.relu, 2**0.5)}
DEPTH_INITS = ("PyTorch default", "Xavier (sigmoid, tanh) / Kaiming (ReLU)")


def first_layer_gradients(max_depth: int = 30, width: int = 32, batch: int = 64,
                          seed: int = 0) -> dict[tuple[str, str, int], list[float]]:
    """Gradient norms of every layer's weights in deep stacks of Linear + activation, for each depth.

    Returns ``{(init, activation, depth): [|dL/dW_1|, ..., |dL/dW_depth|]}`` for depths 1..``max_depth``, each
    activation of :data:`DEPTH_ACTIVATIONS` and each init of :data:`DEPTH_INITS`: PyTorch's default for
    ``nn.Linear`` (weights and biases U(-1/sqrt(width), 1/sqrt(width))), or the recommended gain (uniform with std
    gain/sqrt(width), zero biases: Xavier with gain 1 for sigmoid and 5/3 for tanh, Kaiming for ReLU). The
    loss is the mean of a fixed random linear read-out of the last layer over a batch of N(0, 1) inputs.
    Every network of one init shares the same underlying random numbers, so only the activation and the depth
    differ. Takes well under a second (plain tensors, one backward pass per network, on one thread).
    """
    from . import num_threads

    g = torch.Generator().manual_seed(seed)
    x = torch.randn(batch, width, generator=g)
    readout = torch.randn(width, generator=g) / width**0.5
    unit_w = [2 * torch.rand(width, width, generator=g) - 1 for _i in range(max_depth)]  # U(-1, 1)
    unit_b = [2 * torch.rand(width, generator=g) - 1 for _i in range(max_depth)]
    out = {}
    with num_threads(1):  # tiny matrices: extra threads only add overhead (a lot, on a busy machine)
        for init in DEPTH_INITS:
            for name, (fn, gain) in DEPTH_ACTIVATIONS.items():
                if init == DEPTH_INITS[0]:
                    weights = [w / width**0.5 for w in unit_w]
                    biases = [b / width**0.5 for b in unit_b]
                else:
                    weights = [w * gain * (3 / width) ** 0.5 for w in unit_w]  # U(-a, a) has std a / sqrt(3)
                    biases = [torch.zeros(width)] * max_depth
                for depth in range(1, max_depth + 1):
                    params = [w.clone().requires_grad_() for w in weights[:depth]]
                    h = x
                    for w, b in zip(params, biases):
                        h = fn(h @ w.T + b)
                    grads = torch.autograd.grad((h @ readout).mean(), params)
                    out[(init, name, depth)] = [gr.norm().item() for gr in grads]
    return out
