"""Exercises of the initialization chapter: Kaiming-normal from scratch, a ``model.apply`` initializer, and a
convolution weight's fans, gain and Xavier bound. (``dead_relu_units`` is kept for earlier notebooks.)"""

from __future__ import annotations

import math
from typing import Literal

import torch
from torch import nn

from ..i18n import N_, _
from ._core import Mismatch, NotAttempted, _short, call, exercise, expect, expect_close, time_limit


def kaiming_normal_fill(tensor: torch.Tensor) -> torch.Tensor:
    """Fill a weight (out, in) or (out, in, *kernel) in place with N(0, 2 / fan_in); return the same tensor."""
    fan_in = tensor.shape[1] * math.prod(tensor.shape[2:])
    with torch.no_grad():
        return tensor.normal_(0.0, math.sqrt(2.0 / fan_in))


@exercise("kaiming_normal_fill", solution=kaiming_normal_fill,
          hint=N_("fan_in = tensor.shape[1] times the product of the kernel sizes tensor.shape[2:] (1 for a "
                  "Linear weight). Then, inside torch.no_grad(), call tensor.normal_(0.0, std) with std = "
                  "sqrt(2 / fan_in) and return tensor: normal_ fills it in place."))
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
        raise Mismatch(_("filling nn.Linear(4, 4).weight failed: {error} A parameter requires grad, so change it "
                         "inside `with torch.no_grad():`.").format(error=exc)) from None


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
          hint=N_("model.apply calls your function once for every module (the Sequential itself, each Linear, "
                  "each ReLU, the BatchNorm). Act only when isinstance(m, nn.Linear): "
                  "nn.init.xavier_uniform_(m.weight) and, if m.bias is not None, nn.init.zeros_(m.bias)."))
def _check_init_weights(fn) -> None:
    torch.manual_seed(0)
    bn = nn.BatchNorm1d(200)
    model = nn.Sequential(nn.Linear(400, 300), nn.ReLU(), nn.Linear(300, 200, bias=False), bn, nn.ReLU(),
                          nn.Linear(200, 10))
    bn_before = bn.weight.detach().clone()
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
    expect(torch.equal(bn.weight.detach(), bn_before),
           _("the BatchNorm1d's weight changed: initialize only nn.Linear modules (check isinstance)."))


def dead_fraction(h: torch.Tensor) -> float:
    """Fraction of units (columns of ``h``, shape (batch, units)) that are 0 for every sample in the batch."""
    return (h == 0).all(dim=0).float().mean().item()


@exercise("dead_relu_units", solution=dead_fraction,
          hint=N_("A unit is a column of h. It is dead when the whole column is 0: (h == 0).all(dim=0) gives one "
                  "bool per unit; the fraction is its .float().mean().item(). Counting zero *entries* is not the "
                  "same: a healthy ReLU unit is 0 for about half the samples."))
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
          hint=N_("weight.shape is (out_channels, in_channels, kh, kw). One output unit sees "
                  "in_channels · kh · kw inputs: fan_in = weight.shape[1] * math.prod(weight.shape[2:]); likewise "
                  "fan_out = weight.shape[0] * math.prod(weight.shape[2:]) (a Linear weight has no kernel: the "
                  "product is 1). gain = nn.init.calculate_gain(nonlinearity); "
                  "bound = gain * math.sqrt(6 / (fan_in + fan_out))."))
def _check_xavier_numbers(fn) -> None:
    from torch.nn.init import _calculate_fan_in_and_fan_out  # PyTorch's own fans: the oracle

    for where, weight, nonlinearity in _xavier_cases():
        shape = tuple(weight.shape)
        where = _("{where} (weight shape {shape})").format(where=where, shape=shape)
        got = call(fn, weight.detach().clone(), nonlinearity)
        expect(isinstance(got, tuple | list) and len(got) == 4,
               _("return four numbers (fan_in, fan_out, gain, bound); for {where} you returned {value}.").format(
                   where=where, value=_short(got)))
        fan_in, fan_out, gain, bound = (_number(v, name, where)
                                        for v, name in zip(got, ("fan_in", "fan_out", "gain", "bound")))
        want_in, want_out = _calculate_fan_in_and_fan_out(weight)
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
