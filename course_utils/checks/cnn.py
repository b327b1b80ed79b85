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

CHAPTER = "08"  # the chapter whose notebook asks these exercises (its progress line)


def conv_output_size(size: int, kernel_size: int, stride: int = 1, padding: int = 0) -> int:
    """Side length after a convolution (or pooling): ⌊(size + 2·padding − kernel_size) / stride⌋ + 1."""
    return (size + 2 * padding - kernel_size) // stride + 1


@exercise("conv_output_size", solution=conv_output_size,
          hints=(N_("Picture the padded row of pixels and a window sliding along it, one stride at a time. Count the "
                    "positions where the whole window still fits inside the row: the first one, plus one for every "
                    "full stride left after it. A count of pixels is a whole number."),
                 N_("The padded row has size + 2·padding pixels. After the first window, size + 2·padding − "
                    "kernel_size pixels are left, and every further window needs stride of them: divide, round "
                    "down, and add the first window. Floor division // rounds down and keeps an int; / gives a "
                    "float."),
                 N_("It is the chapter's formula ⌊(padded size − kernel_size) / stride⌋ + 1, the padded size "
                    "counting the padding on both sides; write the floor with //. Check it by hand: size 28, "
                    "kernel_size 5, stride 1, padding 2 gives 28, and size 28, kernel_size 2, stride 2 gives 14.")))
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
          hints=(N_("Each output pixel is one window of the input, through all input channels, multiplied element "
                    "by element with a filter and summed. Lay every window out as a column and every filter as a "
                    "row: one matrix product then gives every output pixel of every output channel. Add the bias, "
                    "and fold the result back into an image."),
                 N_("F.unfold(input, (k_h, k_w), padding=padding, stride=stride) has shape (N, C_in·k_h·k_w, L), "
                    "one column per output pixel; the weight flattened to (C_out, C_in·k_h·k_w) turns it into "
                    "(N, C_out, L) with @. The bias has one value per output channel: shape it (1, C_out, 1) so "
                    "that it broadcasts. L is H_out·W_out, from the output-size formula."),
                 N_("Multiply cols from F.unfold by the weight flattened with reshape(C_out, -1), which gives "
                    "(N, C_out, L); only when a bias is given, add it reshaped to (1, -1, 1); then reshape to "
                    "(N, C_out, H_out, W_out). The kernel may be rectangular (k_h ≠ k_w): compute H_out from the "
                    "height and k_h, W_out from the width and k_w.")))
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
          hints=(N_("With no non-linearity in between, two linear layers make one linear map. Write what the second "
                    "layer does to the first one's output, multiply it out, and read off the matrix that multiplies "
                    "the input and the vector that is added: one new layer holds exactly these."),
                 N_("fc2(fc1(x)) = W₂(W₁x + b₁) + b₂: the merged weight is a product of the two weights (in which "
                    "order?), and the merged bias gathers every term without x, the first bias included. "
                    "nn.Linear stores its weight with shape (out_features, in_features)."),
                 N_("Make an nn.Linear from fc1's number of inputs to fc2's number of outputs. Inside "
                    "torch.no_grad(), copy W₂ @ W₁ (fc2's weight times fc1's) into its weight with .copy_(), and "
                    "into its bias the first bias sent through the second weight, plus the second bias.")))
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
                                       "fc2, and fc2 adds its own.").format(context=context))
        expect((got.in_features, got.out_features) == (n_in, n_out),
               _("for {context}, the merged layer should map {n_in} → {n_out} features; yours maps "
                 "{got_in} → {got_out}.").format(context=context, n_in=n_in, n_out=n_out,
                                                 got_in=got.in_features, got_out=got.out_features))
        weight = got.weight
        shape = _shape_of(weight)
        expect(isinstance(weight, torch.Tensor) and tuple(weight.shape) == (n_out, n_in),
               (_("for {context}, the merged weight should have shape ({n_out}, {n_in}), as nn.Linear stores "
                  "(out_features, in_features); yours is {shape} (transposed?).")
                if shape == (n_in, n_out) else
                _("for {context}, the merged weight should have shape ({n_out}, {n_in}), as nn.Linear stores "
                  "(out_features, in_features); yours is {shape}.")).format(
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
          hints=(N_("When testing, the model must answer the same way every time: switch off what acts only in "
                    "training, such as dropout, and record no gradients. Then add up the loss and the right "
                    "predictions over all samples and divide by the number of samples. The loss function gives "
                    "each batch's mean, and the last batch is smaller."),
                 N_("The model's .eval() switches dropout off, and a loop under torch.no_grad() builds no graph. "
                    "Weight each batch's mean loss by its number of samples before adding it up; the predicted "
                    "class is the argmax of the outputs over dim 1. Return two Python floats: .item() turns a "
                    "one-element tensor into one."),
                 N_("Call .eval() on the model, then under torch.no_grad() loop over the loader: add loss.item() "
                    "* len(targets) to a total loss, the number of outputs.argmax(dim=1) equal to targets to a "
                    "count, and len(targets) to the number of samples. Return the total loss and the count, each "
                    "divided by the number of samples.")))
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
    dropout_on = []  # the dropout layer's mode at each of its runs inside the learner's function
    watch = model[2].register_forward_pre_hook(lambda layer, _args: dropout_on.append(layer.training))
    torch.manual_seed(1)
    try:
        got = call(fn, model, loader, loss_fn)
    finally:
        watch.remove()
    expect(isinstance(got, tuple | list) and len(got) == 2,
           _("return two numbers, (mean loss, accuracy); got {type} {value}.").format(type=type(got).__name__,
                                                                                      value=repr(got)))
    got_loss, got_acc = got
    if isinstance(got_loss, torch.Tensor):
        expect(not got_loss.requires_grad, _("the loss you return still carries a graph (requires_grad=True): "
                                             "return a plain Python number, and build no graph while testing."))
    if isinstance(got_loss, torch.Tensor) and got_loss.numel() == 1:
        got_loss = got_loss.item()
    # the mean of the batch means, as the learner's loop would give it in evaluation mode, and in training mode
    # (the same dropout draws: the learner's function ran from the same seed, one forward pass per batch)
    batch_means = []
    for training in (False, True):
        model.train(training)
        torch.manual_seed(1)
        with torch.no_grad():
            batch_means.append(sum(loss_fn(model(xb), yb).item() for xb, yb in loader) / len(loader))
    model.eval()
    if isinstance(got_loss, int | float) and abs(got_loss - want_loss) > 1e-5:  # the more common slip first
        expect(all(abs(got_loss - batch_mean) > 1e-6 for batch_mean in batch_means),
               _("your loss is the average of the batch means, but the last batch has 2 samples, not 4: weight "
                 "each batch's mean loss by its number of samples, and divide the sum by the total number of "
                 "samples."))
        expect(not any(dropout_on), _("your function runs the model in training mode, where dropout changes "
                                      "every prediction at random: switch it to evaluation mode before testing."))
    context = _("10 samples in batches of 4, 4, 2")
    expect_close(got_loss, want_loss, _("the mean loss"), atol=1e-5, context=context)
    expect_close(got_acc, want_acc, _("the accuracy"), atol=1e-6, context=context)
