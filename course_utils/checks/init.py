"""Exercises of the initialization chapter: Kaiming-normal from scratch, a ``model.apply`` initializer, and a
convolution weight's fans, gain and Xavier bound. (``dead_relu_units`` is kept for earlier notebooks.)"""

from __future__ import annotations

import math
from typing import Literal

import torch
from torch import nn

from ..i18n import N_, _
from ..init import fan_in_and_fan_out
from ._core import Mismatch, NotAttempted, _short, call, exercise, expect, expect_close, time_limit

CHAPTER = "04"  # the chapter whose notebook asks these exercises (its progress line)


def kaiming_normal_fill(tensor: torch.Tensor) -> torch.Tensor:
    """Fill a weight (out, in) or (out, in, *kernel) in place with N(0, 2 / fan_in); return the same tensor."""
    fan_in = tensor.shape[1] * math.prod(tensor.shape[2:])
    with torch.no_grad():
        return tensor.normal_(0.0, math.sqrt(2.0 / fan_in))


@exercise("kaiming_normal_fill", solution=kaiming_normal_fill,
          hints=(N_("Count how many inputs feed one output unit (the input size times the kernel size), turn that "
                    "count into the standard deviation Kaiming's rule asks for, and fill the tensor you were given "
                    "with normal samples of that standard deviation, in place. A parameter tracks gradients, so the "
                    "fill must happen with gradient tracking switched off."),
                 N_("fan_in is tensor.shape[1] times the product of the kernel sizes tensor.shape[2:] (an empty "
                    "product, 1, for a Linear weight), and the std is sqrt(2 / fan_in). The in-place method normal_ "
                    "fills a tensor and returns it; call it inside torch.no_grad() so that it works on a parameter."),
                 N_("fan_in = tensor.shape[1] * math.prod(...) over the kernel dimensions; then, in a torch.no_grad() "
                    "block, return tensor.normal_(0.0, ...) with the square root of 2 / fan_in in the gap.")))
def _check_kaiming_normal_fill(fn) -> None:
    for shape in [(300, 400), (256, 64, 3, 3), (500, 1000)]:
        label = _("a weight of shape {shape}").format(shape=shape)
        tensor = torch.zeros(shape)
        got = call(fn, tensor)
        expect(got is tensor, _("for {label}, return the tensor you were given, filled in place (like "
                                "torch.nn.init.kaiming_normal_), not a new tensor.").format(label=label))
        expect(bool(tensor.ne(0).any()),
               _("the tensor of {label} is still all zeros: fill it in place.").format(label=label))
        fan_in = shape[1] * math.prod(shape[2:])
        want = math.sqrt(2.0 / fan_in)
        std, mean = tensor.std().item(), tensor.mean().item()
        expect(abs(std / want - 1) < 0.03,
               _("for {label} (fan_in = {fan_in}) the std of your weights is {std:.4g}; expected "
                 "sqrt(2 / fan_in) = {want:.4g}.").format(label=label, fan_in=fan_in, std=std, want=want))
        expect(abs(mean) < 5 * want / math.sqrt(tensor.numel()),
               _("for {label} the mean of your weights is {mean:.4g}; it should be 0.").format(label=label, mean=mean))
        kurtosis = ((tensor - mean) ** 4).mean().item() / std**4
        expect(abs(kurtosis - 3) < 0.3,
               _("for {label} the weights do not look normally distributed (kurtosis {kurtosis:.2f}, a normal "
                 "has 3; a uniform 1.8). Use normal_, not uniform_.").format(label=label, kurtosis=kurtosis))
    layer = nn.Linear(4, 4)
    try:
        call(fn, layer.weight)  # a parameter requires grad: filling it in place needs torch.no_grad()
    except Mismatch as exc:
        raise Mismatch(_("filling nn.Linear(4, 4).weight failed: {error} A parameter requires grad, and autograd "
                         "refuses to change it in place while gradients are tracked (see torch.no_grad in the "
                         "chapter).").format(error=exc)) from None


def init_weights(m: nn.Module) -> None:
    """For ``model.apply``: Xavier-uniform weights and zero biases for every nn.Linear; other modules untouched."""
    if isinstance(m, nn.Linear):
        nn.init.xavier_uniform_(m.weight)
        if m.bias is not None:
            nn.init.zeros_(m.bias)


def _apply(fn, model: nn.Module) -> None:
    """model.apply(fn) where fn returns None by design: only the stub and a crash need translating."""
    if not callable(fn):
        raise Mismatch(_("expected a function, got {type}.").format(type=type(fn).__name__))
    try:
        with time_limit(what=_("model.apply(your function)")):
            model.apply(fn)
    except NotImplementedError:
        raise NotAttempted from None
    except Mismatch:
        raise
    except Exception as exc:
        raise Mismatch(_("model.apply(your function) raised {type}: {error}").format(
            type=type(exc).__name__, error=exc)) from None


@exercise("init_weights_with_apply", solution=init_weights,
          hints=(N_("The model hands your function every module in turn, the model itself and its activations "
                    "included. Act only on the linear layers: give their weights Xavier-uniform values and their "
                    "biases zeros, keeping in mind that some linear layers have no bias at all. Leave every other "
                    "module as it is."),
                 N_("Test the module's type with isinstance against nn.Linear, as init_for_relu does in section 5. "
                    "nn.init has an in-place initializer for each job, xavier_uniform_ and zeros_; a layer built with "
                    "bias=False has its bias set to None, so check for that before zeroing it."),
                 N_("if isinstance(m, ...): give m.weight to nn.init.xavier_uniform_, and, only when m.bias is not "
                    "None, give the bias to nn.init.zeros_. Return nothing: model.apply ignores what your function "
                    "returns.")))
def _check_init_weights(fn) -> None:
    torch.manual_seed(0)
    prelu = nn.PReLU(200)  # a module with a weight of its own (chapter 02) that is not an nn.Linear
    model = nn.Sequential(nn.Linear(400, 300), nn.ReLU(), nn.Linear(300, 200, bias=False), prelu,
                          nn.Linear(200, 10))
    prelu_before = prelu.weight.detach().clone()
    _apply(fn, model)
    linears = [(i, m) for i, m in enumerate(model) if isinstance(m, nn.Linear)]
    if all(m.weight.abs().max() <= 1 / math.sqrt(m.in_features) + 1e-7 for _i, m in linears):
        raise NotAttempted  # every weight still within PyTorch's default bound: the function changed nothing
    for i, m in linears:
        bound = math.sqrt(6.0 / (m.in_features + m.out_features))
        where = f"model[{i}] = {m}"
        w = m.weight.detach()
        expect(w.abs().max().item() <= bound + 1e-6,
               _("{where}: a weight of {value:.4g} lies outside the Xavier-uniform bound "
                 "±{bound:.4g} = ±sqrt(6 / (fan_in + fan_out)).").format(
                   where=where, value=w.abs().max().item(), bound=bound))
        expect(abs(w.std().item() / (bound / math.sqrt(3)) - 1) < 0.05,
               _("{where}: the weights' std is {std:.4g}; Xavier-uniform gives {want:.4g}. "
                 "Did you use xavier_uniform_?").format(where=where, std=w.std().item(), want=bound / math.sqrt(3)))
        if m.bias is not None:
            expect(bool((m.bias == 0).all()), _("{where}: the bias should be all zeros.").format(where=where))
    expect(torch.equal(prelu.weight.detach(), prelu_before),
           _("the weight of the model's nn.PReLU changed: initialize only the nn.Linear modules and leave every "
             "other module as it is."))


def dead_fraction(h: torch.Tensor) -> float:
    """Fraction of units (columns of ``h``, shape (batch, units)) that are 0 for every sample in the batch."""
    return (h == 0).all(dim=0).float().mean().item()


@exercise("dead_relu_units", solution=dead_fraction, listed=False,
          hints=(N_("A unit is a column of the activations, one value per sample. It is dead when it is zero for "
                    "every sample in the batch; the answer is the share of such columns among all columns."),
                 N_("Compare h with 0, then reduce over the batch dimension with all (dim=0): one bool per unit. "
                    "Counting zero entries instead is not the same: a healthy ReLU unit is 0 for about half the "
                    "samples."),
                 N_("(h == 0).all(dim=0) gives one bool per unit; turn it into floats, take their mean, and return "
                    "a Python number with .item().")))
def _check_dead_fraction(fn) -> None:
    g = torch.Generator().manual_seed(0)
    cases = []
    for batch, units, dead in [(64, 10, 3), (32, 100, 0), (16, 8, 8), (100, 50, 17)]:
        h = torch.relu(torch.randn(batch, units, generator=g))
        h[:, torch.randperm(units, generator=g)[:dead]] = 0
        cases.append((h, dead / units))
    for h, want in cases:
        got = call(fn, h)
        expect_close(got, dead_fraction(h), _("the dead fraction"),
                     context=_("ReLU outputs of shape {shape} with {n} dead units").format(
                         shape=tuple(h.shape), n=round(want * h.shape[1])))


# ------------------------------------------------------------- a convolution weight's fans, gain and bound

def xavier_numbers(weight: torch.Tensor, nonlinearity: str) -> tuple[int, int, float, float]:
    """(fan_in, fan_out, gain, bound) of Xavier-uniform init for ``weight`` (out, in) or (out, in, *kernel).

    Every output unit sees ``in · kh · kw`` inputs (fan_in); every input unit feeds ``out · kh · kw`` outputs
    (fan_out). ``bound = gain · sqrt(6 / (fan_in + fan_out))``: xavier_uniform_ draws from U(−bound, bound).
    """
    receptive_field = math.prod(weight.shape[2:])  # kh · kw for a Conv2d weight; 1 for a Linear weight
    fan_in = weight.shape[1] * receptive_field
    fan_out = weight.shape[0] * receptive_field
    gain = nn.init.calculate_gain(nonlinearity)  # type: ignore[arg-type]  # a str, as in the exercise; newer torch stubs want a Literal of names
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return fan_in, fan_out, gain, bound


def _number(value: object, what: str, where: str) -> float:
    """``value`` as a float (a one-element tensor is fine); Mismatch if it is not a number."""
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Mismatch(_("{what} for {where} should be a number; got {type}.").format(
            what=what, where=where, type=type(value).__name__))
    return float(value)


def _xavier_cases() -> list[tuple[str, torch.Tensor, Literal["relu", "tanh", "sigmoid", "linear"]]]:
    with torch.random.fork_rng():  # the layers' default init draws numbers: leave the learner's seed alone
        return [
            (_("nn.Conv2d(3, 16, kernel_size=5), before a ReLU"), nn.Conv2d(3, 16, 5).weight, "relu"),
            (_("nn.Conv2d(64, 128, kernel_size=3), before a tanh"), nn.Conv2d(64, 128, 3).weight, "tanh"),
            (_("nn.Conv2d(16, 32, kernel_size=(3, 5)), before a sigmoid"), nn.Conv2d(16, 32, (3, 5)).weight,
             "sigmoid"),
            (_("nn.Linear(300, 100), no activation after it"), nn.Linear(300, 100).weight, "linear"),
        ]


@exercise("xavier_numbers", solution=xavier_numbers,
          hints=(N_("Count connections. One output unit is fed by every input channel at every position of the "
                    "kernel; one input unit feeds every output channel at every position of the kernel. The gain "
                    "depends only on the activation after the layer, and it scales Xavier's bound, which uses both "
                    "fans."),
                 N_("The weight's shape is (out_channels, in_channels, kh, kw): fan_in is dimension 1 times the "
                    "kernel size, fan_out dimension 0 times the kernel size (a Linear weight has no kernel "
                    "dimensions: the kernel size is 1). The gain comes from nn.init.calculate_gain, and the bound is "
                    "gain · sqrt(6 / (fan_in + fan_out)), not Kaiming's bound, which uses fan_in alone."),
                 N_("The kernel size is math.prod(weight.shape[2:]); multiply weight.shape[1] by it for fan_in and "
                    "weight.shape[0] by it for fan_out. Then gain = nn.init.calculate_gain(...) of the nonlinearity, "
                    "and bound = gain * math.sqrt(...) with 6 / (fan_in + fan_out) in the gap.")))
def _check_xavier_numbers(fn) -> None:
    for where, weight, nonlinearity in _xavier_cases():
        shape = tuple(weight.shape)
        where = _("{where} (weight shape {shape})").format(where=where, shape=shape)
        got = call(fn, weight.detach().clone(), nonlinearity)
        expect(isinstance(got, tuple | list) and len(got) == 4,
               _("return four numbers (fan_in, fan_out, gain, bound); for {where} you returned {value}.").format(
                   where=where, value=_short(got)))
        fan_in, fan_out, gain, bound = (_number(v, name, where)
                                        for v, name in zip(got, ("fan_in", "fan_out", "gain", "bound")))
        want_in, want_out = fan_in_and_fan_out(weight)  # the course's own, checked against PyTorch's
        if (fan_in, fan_out) == (want_out, want_in) and want_in != want_out:
            raise Mismatch(_("fan_in and fan_out are swapped for {where}: dimension 0 is out_channels, "
                             "dimension 1 in_channels.").format(where=where))
        kernel = math.prod(shape[2:])
        also = _("{message} Multiply by the kernel size too.")
        message = _("fan_in for {where} is {got:g}; expected {want} = weight.shape[1] × kernel size = "
                    "{n} × {kernel}.").format(where=where, got=fan_in, want=want_in, n=shape[1], kernel=kernel)
        expect(fan_in == want_in, also.format(message=message) if fan_in == shape[1] else message)
        message = _("fan_out for {where} is {got:g}; expected {want} = weight.shape[0] × kernel size = "
                    "{n} × {kernel}.").format(where=where, got=fan_out, want=want_out, n=shape[0], kernel=kernel)
        expect(fan_out == want_out, also.format(message=message) if fan_out == shape[0] else message)
        want_gain = nn.init.calculate_gain(nonlinearity)
        expect_close(gain, want_gain, _("the gain of {name}").format(name=repr(nonlinearity)), atol=0.0, rtol=1e-3,
                     context=where)
        want_bound = want_gain * math.sqrt(6.0 / (want_in + want_out))
        expect_close(bound, want_bound, _("the Xavier-uniform bound gain · sqrt(6 / (fan_in + fan_out))"),
                     atol=0.0, rtol=1e-3, context=where)
