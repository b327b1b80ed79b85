"""Convolution and pooling from scratch, and the course's image classifiers for 28×28 digits.

::

    conv_output_size  ⌊(H + 2·padding − dilation·(k − 1) − 1) / stride⌋ + 1   (the same formula for pooling)
    conv2d            out[n, o, i, j] = bias[o] + Σ_c Σ_u Σ_v  x_pad[n, c, i·s + u, j·s + v] · weight[o, c, u, v]
                      (what PyTorch calls a convolution is a cross-correlation: the kernel is not flipped)
    max_pool2d        out[n, c, i, j] = max over the k × k window at (i·s, j·s) of x_pad (padded with −∞)

    MLP          784 → 128 → 64 → 10 with ReLU; returns logits (a common tutorial's NeuralNet, minus log_softmax)
    SimpleCNN    [conv 5×5 → ReLU → max-pool 2] × 2 (32, 64 channels) → dropout → 3136 → 1000 → ReLU → 10
                 (tutorials often omit the ReLU between the two linear layers, which then collapse into one)
    ResBlock     x + BN(conv(ReLU(BN(conv(x))))), then ReLU: the residual block of ResNet (He et al., 2015)
    ResNetSmall  a stem conv, two residual stages with max-pooling, one linear layer

Every model takes images of shape (batch, 1, 28, 28) and returns logits of shape (batch, num_classes): pair them
with ``nn.CrossEntropyLoss``. Only ``torch`` is imported.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from . import validation
from .i18n import _

__all__ = [
    "conv_output_size", "conv2d", "max_pool2d", "MLP", "SimpleCNN", "ResBlock", "ResNetSmall",
]


# ----------------------------------------------------------------------------------------------- from scratch


def _pair(value: int | tuple[int, int], name: str, minimum: int) -> tuple[int, int]:
    """An int or a pair of ints, each ≥ ``minimum``, as a pair (height, width)."""
    pair: tuple[Any, ...] = tuple(value) if isinstance(value, tuple | list) else (value, value)
    if len(pair) != 2 or any(isinstance(v, bool) or not isinstance(v, int) or v < minimum for v in pair):
        raise ValueError(_("`{name}` must be an int ≥ {minimum} or a pair of them; got {value!r}").format(
            name=name, minimum=minimum, value=value))
    return pair  # type: ignore[return-value]


def conv_output_size(size: int, kernel_size: int, stride: int = 1, padding: int = 0, dilation: int = 1) -> int:
    """Length of one spatial side after a convolution or pooling layer: ⌊(size + 2p − d(k − 1) − 1) / s⌋ + 1.

    With dilation 1 this is the familiar ⌊(size + 2p − k) / s⌋ + 1. Raises ValueError when the (padded) input
    is smaller than the kernel. MNIST's 28 pixels through a 3×3 convolution with padding 1, then 2×2 pooling:

    >>> conv_output_size(28, kernel_size=3, padding=1), conv_output_size(28, kernel_size=2, stride=2)
    (28, 14)
    """
    for name, v, lo in [("size", size, 1), ("kernel_size", kernel_size, 1), ("stride", stride, 1),
                        ("padding", padding, 0), ("dilation", dilation, 1)]:
        validation.integer(v, name, min=lo)
    span = dilation * (kernel_size - 1) + 1
    if size + 2 * padding < span:
        raise ValueError(_("the kernel ({span} wide) is larger than the padded input ({size} + 2·{padding})").format(
            span=span, size=size, padding=padding))
    return (size + 2 * padding - span) // stride + 1


def _pad(x: torch.Tensor, padding: tuple[int, int], value: float) -> torch.Tensor:
    """(N, C, H, W) → (N, C, H + 2·ph, W + 2·pw), the border filled with ``value``."""
    ph, pw = padding
    if ph == 0 and pw == 0:
        return x
    n, c, h, w = x.shape
    out = x.new_full((n, c, h + 2 * ph, w + 2 * pw), value)
    out[:, :, ph:ph + h, pw:pw + w] = x
    return out


def _windows(x: torch.Tensor, kernel: tuple[int, int], stride: tuple[int, int]) -> torch.Tensor:
    """Every k_h × k_w window of ``x`` (N, C, H, W), stride apart: a view (N, C, H_out, W_out, k_h, k_w).

    ``Tensor.unfold(dim, size, step)`` slides a window along one dimension without copying; doing it on the
    height, then on the width, gives all 2-D windows. (``torch.nn.functional.unfold`` returns the same numbers
    flattened to (N, C·k_h·k_w, H_out·W_out): the "im2col" matrix.)
    """
    return x.unfold(2, kernel[0], stride[0]).unfold(3, kernel[1], stride[1])


def _batched(input: torch.Tensor, name: str) -> tuple[torch.Tensor, bool]:
    validation.tensor(input, name)
    if input.ndim == 3:
        return input.unsqueeze(0), True
    if input.ndim != 4:
        raise ValueError(_("`{name}` must be 4-D (batch, channels, height, width) or 3-D (channels, height, "
                           "width); got shape {shape}").format(name=name, shape=tuple(input.shape)))
    return input, False


def conv2d(
    input: torch.Tensor,
    weight: torch.Tensor,
    bias: torch.Tensor | None = None,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] = 0,
) -> torch.Tensor:
    """2-D convolution as ``torch.nn.functional.conv2d`` (no dilation, no groups), from sliding windows.

    ``input`` (N, C_in, H, W) or (C_in, H, W); ``weight`` (C_out, C_in, k_h, k_w); ``bias`` (C_out,) or None.
    Returns (N, C_out, H_out, W_out) (no batch dimension if ``input`` had none), with
    H_out = ⌊(H + 2·p_h − k_h) / s_h⌋ + 1 and likewise for W. Zero padding; the kernel is not flipped.
    """
    x, unbatched = _batched(input, "input")
    if not isinstance(weight, torch.Tensor) or weight.ndim != 4:
        got = tuple(weight.shape) if isinstance(weight, torch.Tensor) else type(weight).__name__
        raise ValueError(_("`weight` must be 4-D (out_channels, in_channels, k_h, k_w); got {got}").format(got=got))
    if weight.shape[1] != x.shape[1]:
        raise ValueError(_("`weight` expects {expected} input channels (its dim 1) but `input` has {got}").format(
            expected=weight.shape[1], got=x.shape[1]))
    if bias is not None and tuple(bias.shape) != (weight.shape[0],):
        raise ValueError(_("`bias` must have shape ({channels},), one per output channel; got {shape}").format(
            channels=weight.shape[0], shape=tuple(bias.shape)))
    stride, padding = _pair(stride, "stride", 1), _pair(padding, "padding", 0)
    kernel = (weight.shape[2], weight.shape[3])
    for dim in (2, 3):
        if x.shape[dim] + 2 * padding[dim - 2] < kernel[dim - 2]:
            # one whole sentence per side, so that "height" / "width" is translated with it
            message = (_("the kernel's height ({kernel}) is larger than the padded input's ({size} + 2·{padding})")
                       if dim == 2 else
                       _("the kernel's width ({kernel}) is larger than the padded input's ({size} + 2·{padding})"))
            raise ValueError(message.format(kernel=kernel[dim - 2], size=x.shape[dim], padding=padding[dim - 2]))
    windows = _windows(_pad(x, padding, 0.0), kernel, stride)      # (N, C_in, H_out, W_out, k_h, k_w)
    out = torch.einsum("ncijuv,ocuv->noij", windows, weight)       # Σ over c, u, v for each output channel o
    if bias is not None:
        out = out + bias.view(1, -1, 1, 1)
    return out.squeeze(0) if unbatched else out


def max_pool2d(
    input: torch.Tensor,
    kernel_size: int | tuple[int, int],
    stride: int | tuple[int, int] | None = None,
    padding: int | tuple[int, int] = 0,
) -> torch.Tensor:
    """2-D max pooling as ``torch.nn.functional.max_pool2d`` (no dilation, ``ceil_mode=False``).

    ``input`` (N, C, H, W) or (C, H, W); ``stride`` defaults to ``kernel_size`` (non-overlapping windows).
    Each channel is pooled on its own; padding counts as −∞, so it never wins the max. Like PyTorch, padding may
    be at most half the kernel size. Returns (N, C, H_out, W_out) with the same output-size formula as conv2d.
    """
    x, unbatched = _batched(input, "input")
    kernel = _pair(kernel_size, "kernel_size", 1)
    stride = kernel if stride is None else _pair(stride, "stride", 1)
    padding = _pair(padding, "padding", 0)
    if padding[0] > kernel[0] // 2 or padding[1] > kernel[1] // 2:
        raise ValueError(_("`padding` must be at most half of `kernel_size`; got padding {padding} for kernel "
                           "{kernel}").format(padding=padding, kernel=kernel))
    for dim in (2, 3):
        conv_output_size(x.shape[dim], kernel[dim - 2], stride[dim - 2], padding[dim - 2])
    windows = _windows(_pad(x, padding, float("-inf")), kernel, stride)  # (N, C, H_out, W_out, k_h, k_w)
    out = windows.amax(dim=(-2, -1))
    return out.squeeze(0) if unbatched else out


# ----------------------------------------------------------------------------------------------------- models


class MLP(nn.Module):
    """A fully connected network 784 → 128 → 64 → 10 with ReLU (the ``NeuralNet`` of many MNIST tutorials).

    Input images (N, 1, 28, 28) (or anything that flattens to ``in_features`` per sample); returns logits
    (N, num_classes). Tutorials often end with ``F.log_softmax`` and trained with ``F.nll_loss``; returning logits
    and training with ``nn.CrossEntropyLoss`` computes exactly the same loss (cross-entropy = log_softmax + NLL).
    """

    def __init__(self, in_features: int = 784, hidden: tuple[int, ...] = (128, 64), num_classes: int = 10):
        super().__init__()
        sizes = [in_features, *hidden]
        layers: list[nn.Module] = [nn.Flatten()]
        for a, b in zip(sizes[:-1], sizes[1:]):
            layers += [nn.Linear(a, b), nn.ReLU()]
        layers.append(nn.Linear(sizes[-1], num_classes))
        self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


class SimpleCNN(nn.Module):
    """A tutorial-style CNN for 28×28 digits, with the non-linearity such tutorials often leave out restored.

    layer1: conv 5×5 (1 → 32, padding 2 keeps 28×28) → ReLU → max-pool 2 → 32×14×14;
    layer2: conv 5×5 (32 → 64) → ReLU → max-pool 2 → 64×7×7 = 3136 features;
    dropout → fc1 3136 → ``hidden`` (1000) → **ReLU** → fc2 ``hidden`` → 10. Input (N, 1, 28, 28); output logits
    (N, num_classes). 3,199,106 parameters with the defaults, 98% of them in fc1.
    """

    def __init__(self, num_classes: int = 10, hidden: int = 1000, dropout: float = 0.5):
        super().__init__()
        self.layer1 = nn.Sequential(nn.Conv2d(1, 32, kernel_size=5, stride=1, padding=2), nn.ReLU(),
                                    nn.MaxPool2d(kernel_size=2, stride=2))
        self.layer2 = nn.Sequential(nn.Conv2d(32, 64, kernel_size=5, stride=1, padding=2), nn.ReLU(),
                                    nn.MaxPool2d(kernel_size=2, stride=2))
        self.drop_out = nn.Dropout(dropout)
        self.fc1 = nn.Linear(7 * 7 * 64, hidden)
        self.relu = nn.ReLU()  # without it fc1 and fc2 would collapse into one linear map
        self.fc2 = nn.Linear(hidden, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.shape[-2:] != (28, 28):
            raise ValueError(_("SimpleCNN expects 28×28 images (N, 1, 28, 28); got shape {shape}").format(
                shape=tuple(x.shape)))
        out = self.layer2(self.layer1(x))     # (N, 64, 7, 7)
        out = out.flatten(start_dim=1)        # (N, 3136)
        out = self.drop_out(out)
        out = self.relu(self.fc1(out))        # (N, hidden)
        return self.fc2(out)                  # (N, num_classes) logits


class ResBlock(nn.Module):
    """A residual block: ``relu(x + bn2(conv2(relu(bn1(conv1(x))))))``, channels and size unchanged.

    Input and output (N, channels, H, W). The convolutions are 3×3 with padding 1 and no bias (batch norm
    subtracts each channel's mean right after, cancelling any bias). A widely copied version calls ``F.relu``
    without ``import torch.nn.functional as F``; here the ReLUs are modules.

    With BatchNorm's default initialization (γ = 1, β = 0) the correction F(x) = bn2(…) starts with mean 0 and
    variance 1 per channel, as large as a normalized x: the block is *not* close to the identity at the start.
    It is when bn2's γ is set to 0 (torchvision's ``resnet18(zero_init_residual=True)``): then F(x) = 0 and the
    block computes relu(x), which is x itself for the non-negative inputs a preceding ReLU produces, as in
    ``ResNetSmall``. Chapter 08 (section 5.3) checks both. Either way the gradient reaches x through the "+ x"
    path unchanged (up to the final ReLU), which is why deep stacks of blocks train.
    """

    def __init__(self, channels: int):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(channels)
        self.relu = nn.ReLU()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        residual = x
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + residual)  # `out += residual` would work too: `out` is bn2's output, not x


class ResNetSmall(nn.Module):
    """A small residual network for 28×28 digits (about 15 thousand parameters with the defaults).

    stem: conv 3×3 (1 → c1) → BN → ReLU; ResBlock(c1) → max-pool 2 (14×14); conv 3×3 (c1 → c2) → BN → ReLU;
    ResBlock(c2) → max-pool 2 (7×7); flatten (c2·7·7) → linear → num_classes. ``channels=(c1, c2)``, default
    (8, 16). Input (N, 1, image_size, image_size); output logits (N, num_classes).

    Real ResNets end with global average pooling (one number per channel) instead of the flatten; with only a
    few hundred training steps, as in the course, keeping the 7×7 positions learns faster.
    """

    def __init__(self, num_classes: int = 10, channels: tuple[int, int] = (8, 16), image_size: int = 28):
        super().__init__()
        c1, c2 = channels

        def conv_bn_relu(a: int, b: int) -> nn.Sequential:
            return nn.Sequential(nn.Conv2d(a, b, 3, padding=1, bias=False), nn.BatchNorm2d(b), nn.ReLU())

        self.features = nn.Sequential(
            conv_bn_relu(1, c1), ResBlock(c1), nn.MaxPool2d(2),
            conv_bn_relu(c1, c2), ResBlock(c2), nn.MaxPool2d(2),
        )
        side = image_size // 4
        self.fc = nn.Linear(c2 * side * side, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.features(x)               # (N, c2, H/4, W/4)
        return self.fc(out.flatten(1))       # (N, num_classes) logits
