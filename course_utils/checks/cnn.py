"""Exercises of the CNN chapter: the output-size formula, a convolution as one matrix product (im2col), two linear
layers merged into one, and the ``test()`` function that tutorials often leave out."""

from __future__ import annotations

import re
import string

import torch
from torch import nn

from ..i18n import N_, _
from ..models import conv_output_size as _conv_output_size
from ._core import Mismatch, call, exercise, expect, expect_close


def conv_output_size(size: int, kernel_size: int, stride: int = 1, padding: int = 0) -> int:
    """Side length after a convolution (or pooling): ⌊(size + 2·padding − kernel_size) / stride⌋ + 1."""
    return (size + 2 * padding - kernel_size) // stride + 1


@exercise("conv_output_size", solution=conv_output_size,
          hint=N_("Pad both sides (size + 2·padding), count how many kernel_size-wide windows fit when they start "
                  "stride apart: (size + 2·padding − kernel_size) // stride windows after the first one, so add 1. "
                  "Use // (floor division) so the answer is an int."))
def _check_conv_output_size(fn) -> None:
    cases = [(28, 5, 1, 2), (28, 2, 2, 0), (14, 5, 1, 2), (32, 3, 1, 0), (7, 3, 2, 1), (28, 3, 2, 1),
             (5, 5, 1, 0), (10, 4, 3, 0), (224, 7, 2, 3), (6, 1, 1, 0)]
    for size, k, s, p in cases:
        context = f"size={size}, kernel_size={k}, stride={s}, padding={p}"
        got = call(fn, size, k, s, p)
        want = _conv_output_size(size, k, s, p)
        expect(isinstance(got, int) and not isinstance(got, bool),
               _("for {context} the answer should be an int (a number of pixels); got {type} {value}. Floor "
                 "division // keeps ints.").format(context=context, type=type(got).__name__, value=repr(got)))
        expect_close(got, want, _("the output size"), context=context)


def conv2d_unfold(
    input: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None = None, stride: int = 1, padding: int = 0
) -> torch.Tensor:
    """F.conv2d as one matrix product: im2col with F.unfold, (C_out, C_in·k_h·k_w) @ (N, C_in·k_h·k_w, L)."""
    n, _c_in, h, w = input.shape
    c_out, _c_in, kh, kw = weight.shape
    cols = torch.nn.functional.unfold(input, (kh, kw), padding=padding, stride=stride)  # (N, C_in·kh·kw, L)
    out = weight.reshape(c_out, -1) @ cols                                                # (N, C_out, L)
    if bias is not None:
        out = out + bias.reshape(1, -1, 1)
    h_out = (h + 2 * padding - kh) // stride + 1
    w_out = (w + 2 * padding - kw) // stride + 1
    return out.reshape(n, c_out, h_out, w_out)


@exercise("conv2d_unfold", solution=conv2d_unfold,
          hint=N_("cols = F.unfold(input, (k_h, k_w), padding=padding, stride=stride) has shape "
                  "(N, C_in·k_h·k_w, L): one column per output pixel. weight.reshape(C_out, -1) @ cols gives "
                  "(N, C_out, L); add bias.reshape(1, -1, 1) when there is a bias, then reshape L into "
                  "(H_out, W_out) with the output-size formula."))
def _check_conv2d_unfold(fn) -> None:
    g = torch.Generator().manual_seed(0)
    cases = [  # (input shape, weight shape, bias?, stride, padding)
        ((1, 1, 6, 6), (1, 1, 3, 3), False, 1, 0),
        ((2, 3, 8, 7), (4, 3, 3, 3), True, 1, 1),
        ((2, 1, 28, 28), (8, 1, 5, 5), True, 1, 2),
        ((3, 2, 9, 9), (5, 2, 3, 2), True, 2, 0),
        ((1, 4, 5, 5), (2, 4, 5, 5), True, 1, 0),
        ((2, 3, 7, 10), (6, 3, 1, 1), False, 3, 1),
    ]
    for in_shape, w_shape, has_bias, stride, padding in cases:
        x = torch.randn(in_shape, generator=g)
        weight = torch.randn(w_shape, generator=g)
        bias = torch.randn(w_shape[0], generator=g) if has_bias else None
        context = (_("input {in_shape}, weight {w_shape}, a bias, stride {stride}, padding {padding}") if has_bias
                   else _("input {in_shape}, weight {w_shape}, no bias, stride {stride}, padding {padding}")).format(
            in_shape=in_shape, w_shape=w_shape, stride=stride, padding=padding)
        got = call(fn, x, weight, bias, stride, padding)
        want = torch.nn.functional.conv2d(x, weight, bias, stride=stride, padding=padding)
        expect_close(got, want, _("your convolution"), atol=1e-4, rtol=1e-4, context=context)


def merge_linear_layers(fc1: nn.Linear, fc2: nn.Linear) -> nn.Linear:
    """One nn.Linear equal to fc2(fc1(x)): W = W₂W₁, b = W₂b₁ + b₂."""
    merged = nn.Linear(fc1.in_features, fc2.out_features)
    with torch.no_grad():
        merged.weight.copy_(fc2.weight @ fc1.weight)
        merged.bias.copy_(fc2.weight @ fc1.bias + fc2.bias)
    return merged


@exercise("merge_linear_layers", solution=merge_linear_layers,
          hint=N_("fc2(fc1(x)) = W₂(W₁x + b₁) + b₂ = (W₂W₁)x + (W₂b₁ + b₂). Make nn.Linear(fc1.in_features, "
                  "fc2.out_features) and, inside torch.no_grad(), copy W₂ @ W₁ into its weight and W₂ @ b₁ + b₂ "
                  "into its bias (nn.Linear stores W with shape (out, in))."))
def _check_merge_linear_layers(fn) -> None:
    g = torch.Generator().manual_seed(0)
    for n_in, n_mid, n_out in [(3, 4, 2), (3136, 64, 10), (5, 1, 5)]:
        torch.manual_seed(n_in)
        fc1, fc2 = nn.Linear(n_in, n_mid), nn.Linear(n_mid, n_out)
        context = f"fc1 = nn.Linear({n_in}, {n_mid}), fc2 = nn.Linear({n_mid}, {n_out})"
        got = call(fn, fc1, fc2)
        expect(isinstance(got, nn.Linear),
               _("for {context}, return an nn.Linear; got {type}.").format(context=context, type=type(got).__name__))
        expect(got.bias is not None, _("for {context}, the merged layer needs a bias: fc1's bias passes through "
                                       "fc2 (W₂b₁ + b₂).").format(context=context))
        expect((got.in_features, got.out_features) == (n_in, n_out),
               _("for {context}, the merged layer should map {n_in} → {n_out} features; yours maps "
                 "{got_in} → {got_out}.").format(context=context, n_in=n_in, n_out=n_out,
                                                 got_in=got.in_features, got_out=got.out_features))
        weight = got.weight
        shape = _shape_of(weight)
        expect(isinstance(weight, torch.Tensor) and tuple(weight.shape) == (n_out, n_in),
               (_("for {context}, the merged weight should have shape ({n_out}, {n_in}) — nn.Linear stores "
                  "(out_features, in_features), so W = W₂ @ W₁ — but yours is {shape} (transposed?).")
                if shape == (n_in, n_out) else
                _("for {context}, the merged weight should have shape ({n_out}, {n_in}) — nn.Linear stores "
                  "(out_features, in_features), so W = W₂ @ W₁ — but yours is {shape}.")).format(
                   context=context, n_out=n_out, n_in=n_in, shape=shape))
        x = torch.randn(6, n_in, generator=g)
        with torch.no_grad():
            try:  # the learner's module runs only inside call(): any error becomes one readable line
                out = call(got, x)
            except Mismatch as err:
                raise _as_merged_layer_error(err, context) from None
            expect_close(out, fc2(fc1(x)), "merged(x)", atol=1e-4, rtol=1e-4,
                         context=_("{context} (compared with fc2(fc1(x)))").format(context=context))


def _as_merged_layer_error(err: Mismatch, context: str) -> Mismatch:
    """``call``'s "calling your function with (…) raised …" retold about the merged layer; other verdicts as they are.

    The message is matched against ``call``'s sentence in the current language, so it works in every edition.
    """
    template = _("calling your function with ({args}) raised {error}")
    pattern = "".join(re.escape(text) + (f"(?P<{field}>.*?)" if field else "")
                      for text, field, _spec, _conv in string.Formatter().parse(template))
    found = re.fullmatch(pattern, str(err), flags=re.S)
    if found is None:
        return err
    return Mismatch(_("for {context}, calling your merged layer with ({args}) raised {error}").format(
        context=context, args=found["args"], error=found["error"]))


def _shape_of(value: object) -> object:
    """A tensor's shape as a tuple, else the value's type name (for messages)."""
    return tuple(value.shape) if isinstance(value, torch.Tensor) else type(value).__name__


def test(model: nn.Module, loader, loss_fn) -> tuple[float, float]:
    """The evaluation function tutorials leave out: (mean loss per sample, accuracy) in eval mode, without gradients."""
    model.eval()  # dropout off, batch norm uses its running statistics
    total_loss, correct, n = 0.0, 0, 0
    with torch.no_grad():  # no graph: faster, less memory
        for inputs, targets in loader:
            outputs = model(inputs)
            total_loss += loss_fn(outputs, targets).item() * len(targets)  # the loss is a batch *mean*
            correct += (outputs.argmax(dim=1) == targets).sum().item()
            n += len(targets)
    return total_loss / n, correct / n


@exercise("test_function", solution=test,
          hint=N_("Call model.eval() first (dropout off) and loop under torch.no_grad(). loss_fn returns the mean "
                  "over a batch, so add loss.item() * len(targets) and divide by the number of samples at the end "
                  "(the last batch can be smaller). Accuracy: (outputs.argmax(dim=1) == targets).sum() over all "
                  "batches ÷ the number of samples. Return (loss, accuracy) as two floats."))
def _check_test_function(fn) -> None:
    g = torch.Generator().manual_seed(0)
    x = torch.randn(10, 8, generator=g)
    y = torch.randint(0, 3, (10,), generator=g)
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=4)  # 4 + 4 + 2
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Dropout(0.5), nn.Linear(32, 3))
    loss_fn = nn.CrossEntropyLoss()
    model.eval()
    want_loss, want_acc = test(model, loader, loss_fn)
    model.train()  # as after a training epoch: the learner's function must switch to eval itself
    torch.manual_seed(1)
    got = call(fn, model, loader, loss_fn)
    expect(isinstance(got, tuple | list) and len(got) == 2,
           _("return two numbers, (mean loss, accuracy); got {type} {value}.").format(type=type(got).__name__,
                                                                                      value=repr(got)))
    got_loss, got_acc = got
    if isinstance(got_loss, torch.Tensor):
        expect(not got_loss.requires_grad, _("the loss you return still carries a graph (requires_grad=True): "
                                             "use .item(), and loop under torch.no_grad()."))
    if isinstance(got_loss, torch.Tensor) and got_loss.numel() == 1:
        got_loss = got_loss.item()
    left_training = model.training
    model.eval()
    with torch.no_grad():
        batch_mean = sum(loss_fn(model(xb), yb).item() for xb, yb in loader) / len(loader)
    if isinstance(got_loss, int | float) and abs(got_loss - want_loss) > 1e-5:
        expect(not left_training, _("with the model in training mode, dropout changes every prediction at "
                                    "random: call model.eval() before testing."))
        expect(abs(got_loss - batch_mean) > 1e-6,
               _("your loss is the average of the batch means, but the last batch has 2 samples, not 4: weight "
                 "each batch's loss by its size (loss.item() * len(targets)) and divide by the number of samples."))
    context = _("10 samples in batches of 4, 4, 2")
    expect_close(got_loss, want_loss, _("the mean loss"), atol=1e-5, context=context)
    expect_close(got_acc, want_acc, _("the accuracy"), atol=1e-6, context=context)
