"""course_utils.activations against PyTorch: values and autograd gradients in float64, stability, facts."""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import partial

import pytest
import torch
import torch.nn.functional as F

from course_utils import activations as A

DTYPE = torch.float64
Fn = Callable[[torch.Tensor], torch.Tensor]

# (id, ours, torch's): elementwise functions of one tensor.
ELEMENTWISE: list[tuple[str, Fn, Fn]] = [
    ("sigmoid", A.sigmoid, torch.sigmoid),
    ("tanh", A.tanh, torch.tanh),
    ("relu", A.relu, F.relu),
    ("leaky_relu", A.leaky_relu, F.leaky_relu),
    ("leaky_relu_0.2", partial(A.leaky_relu, negative_slope=0.2), partial(F.leaky_relu, negative_slope=0.2)),
    ("elu", A.elu, F.elu),
    ("elu_alpha_0.5", partial(A.elu, alpha=0.5), partial(F.elu, alpha=0.5)),
    ("gelu", A.gelu, F.gelu),
    ("gelu_tanh", partial(A.gelu, approximate="tanh"), partial(F.gelu, approximate="tanh")),
    ("silu", A.silu, F.silu),
    ("prelu_shared", partial(A.prelu, weight=torch.tensor([0.25], dtype=DTYPE)),
     partial(F.prelu, weight=torch.tensor([0.25], dtype=DTYPE))),
]
ELEMENTWISE_IDS = [name for name, _, _ in ELEMENTWISE]
ELEMENTWISE_FNS = [(ours, ref) for _, ours, ref in ELEMENTWISE]


def _elu_formula(alpha: float = 1.0) -> Fn:
    """ELU from its formula, x for x > 0 else alpha·expm1(x), element by element with Python's ``math.expm1``.

    The reference for tiny inputs: torch 2.2's own ELU computes alpha·(exp(x) − 1) there and loses the relative
    precision (-1e-12 → -9.99978e-13, -1e-300 → 0), later versions do not.
    """
    def elu(x: torch.Tensor) -> torch.Tensor:
        return torch.tensor([v if v > 0 else alpha * math.expm1(v) for v in x.tolist()], dtype=x.dtype)

    return elu


# Where torch's result for tiny inputs depends on its version, the mathematics is the reference.
TINY_REFERENCES = {"elu": _elu_formula(), "elu_alpha_0.5": _elu_formula(0.5)}
TINY_FNS = [(ours, TINY_REFERENCES.get(name, ref)) for name, ours, ref in ELEMENTWISE]

SHAPES = [(), (7,), (4, 5), (2, 3, 4)]
EXTREMES = [-1e4, -1000.0, -50.0, -6.0, -1.0, -1e-8, -1e-300, 0.0, 1e-300, 1e-8, 1.0, 6.0, 50.0, 1000.0, 1e4]


def _random(shape: tuple[int, ...], seed: int, scale: float = 3.0) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return (scale * torch.randn(shape, generator=g, dtype=DTYPE)).requires_grad_()


def _vjp(fn: Fn, x: torch.Tensor, seed: int = 1) -> torch.Tensor:
    """Gradient of sum(v * fn(x)) with respect to x, for a fixed random v: one vector-Jacobian product."""
    x = x.detach().clone().requires_grad_()
    y = fn(x)
    v = torch.randn(y.shape, generator=torch.Generator().manual_seed(seed), dtype=y.dtype)
    (grad,) = torch.autograd.grad(y, x, grad_outputs=v)
    return grad


def _assert_same_finiteness(ours: torch.Tensor, ref: torch.Tensor) -> None:
    assert torch.equal(torch.isfinite(ours), torch.isfinite(ref)), f"NaN/inf pattern differs:\n{ours}\n{ref}"


# ------------------------------------------------------------------------- elementwise vs torch

@pytest.mark.parametrize("ours, ref", ELEMENTWISE_FNS, ids=ELEMENTWISE_IDS)
@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("seed", [0, 1])
def test_elementwise_matches_torch_on_random_inputs(ours: Fn, ref: Fn, shape: tuple, seed: int) -> None:
    x = _random(shape, seed)
    torch.testing.assert_close(ours(x), ref(x), rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(_vjp(ours, x), _vjp(ref, x), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("ours, ref", ELEMENTWISE_FNS, ids=ELEMENTWISE_IDS)
def test_elementwise_matches_torch_on_extreme_inputs(ours: Fn, ref: Fn) -> None:
    x = torch.tensor(EXTREMES, dtype=DTYPE, requires_grad=True)
    y, y_ref = ours(x), ref(x)
    _assert_same_finiteness(y, y_ref)
    assert torch.isfinite(y).all()
    torch.testing.assert_close(y, y_ref, rtol=1e-12, atol=1e-12)
    # Gradient of each output with respect to its own input (elementwise, so the sum's gradient).
    (g,) = torch.autograd.grad(ours(x).sum(), x)
    (g_ref,) = torch.autograd.grad(ref(x).sum(), x)
    _assert_same_finiteness(g, g_ref)
    assert torch.isfinite(g).all()
    torch.testing.assert_close(g, g_ref, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("ours, ref", TINY_FNS, ids=ELEMENTWISE_IDS)
def test_elementwise_keeps_relative_precision_for_tiny_inputs(ours: Fn, ref: Fn) -> None:
    x = torch.tensor([-1e-8, -1e-12, -1e-300, 1e-300, 1e-12, 1e-8], dtype=DTYPE)
    torch.testing.assert_close(ours(x), ref(x), rtol=1e-13, atol=0.0)


@pytest.mark.parametrize("ours, ref", ELEMENTWISE_FNS, ids=ELEMENTWISE_IDS)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=str)
def test_elementwise_keeps_shape_and_dtype(ours: Fn, ref: Fn, dtype: torch.dtype) -> None:
    x = _random((3, 4), seed=5).detach().to(dtype)
    if "weight" in getattr(ours, "keywords", {}):  # prelu's weight must match the input's dtype
        ours = partial(A.prelu, weight=ours.keywords["weight"].to(dtype))
        ref = partial(F.prelu, weight=ref.keywords["weight"].to(dtype))
    y = ours(x)
    assert y.shape == x.shape and y.dtype == dtype
    torch.testing.assert_close(y, ref(x))


@pytest.mark.parametrize("shape, weight_shape", [((5, 3), (3,)), ((2, 3, 4), (3,)), ((2, 3, 4, 5), (3,)),
                                                 ((2, 3, 4), (1,)), ((6,), (1,)), ((4, 2), ())])
def test_prelu_values_and_gradients_for_input_and_weight(shape: tuple, weight_shape: tuple) -> None:
    x = _random(shape, seed=3)
    x = torch.where(torch.arange(x.numel()).reshape(shape) % 5 == 0, torch.zeros_like(x), x)  # some exact 0s
    w = (0.1 + torch.rand(weight_shape, generator=torch.Generator().manual_seed(4), dtype=DTYPE))
    w.requires_grad_()
    y, y_ref = A.prelu(x, w), F.prelu(x, w)
    torch.testing.assert_close(y, y_ref, rtol=1e-12, atol=1e-12)
    v = torch.randn(shape, generator=torch.Generator().manual_seed(6), dtype=DTYPE)
    grads = torch.autograd.grad(y, (x, w), grad_outputs=v)
    grads_ref = torch.autograd.grad(y_ref, (x, w), grad_outputs=v)
    for g, g_ref in zip(grads, grads_ref):
        torch.testing.assert_close(g, g_ref, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("ours, ref", [(A.relu, F.relu), (A.leaky_relu, F.leaky_relu), (A.elu, F.elu),
                                       (A.sigmoid, torch.sigmoid), (A.tanh, torch.tanh)],
                         ids=["relu", "leaky_relu", "elu", "sigmoid", "tanh"])
def test_gradient_at_zero_follows_torch_convention(ours: Fn, ref: Fn) -> None:
    x = torch.zeros(1, dtype=DTYPE, requires_grad=True)
    (g,) = torch.autograd.grad(ours(x).sum(), x)
    (g_ref,) = torch.autograd.grad(ref(x).sum(), x)
    assert g.item() == pytest.approx(g_ref.item(), abs=1e-15)


def test_sigmoid_is_stable_at_plus_minus_1000() -> None:
    x = torch.tensor([-1000.0, 1000.0], dtype=DTYPE, requires_grad=True)
    y = A.sigmoid(x)
    assert y.tolist() == [0.0, 1.0]
    (g,) = torch.autograd.grad(y.sum(), x)
    assert g.tolist() == [0.0, 0.0]
    assert A.sigmoid(torch.tensor([-1000.0, 1000.0], dtype=torch.float32)).tolist() == [0.0, 1.0]


# ------------------------------------------------------------------------------------- softmax

SOFTMAX = [("softmax", A.softmax, F.softmax), ("log_softmax", A.log_softmax, F.log_softmax)]
SOFTMAX_IDS = [name for name, _, _ in SOFTMAX]
SOFTMAX_FNS = [(ours, ref) for _, ours, ref in SOFTMAX]
SHAPES_AND_DIMS = [((), 0), ((), -1), ((5,), 0), ((5,), -1), ((3, 4), 0), ((3, 4), 1), ((3, 4), -1),
                   ((2, 3, 4), 0), ((2, 3, 4), 1), ((2, 3, 4), 2), ((2, 3, 4), -2)]


@pytest.mark.parametrize("ours, ref", SOFTMAX_FNS, ids=SOFTMAX_IDS)
@pytest.mark.parametrize("shape, dim", SHAPES_AND_DIMS, ids=str)
@pytest.mark.parametrize("seed", [0, 1])
def test_softmax_matches_torch_on_random_inputs(ours: Callable, ref: Callable, shape: tuple, dim: int,
                                                seed: int) -> None:
    x = _random(shape, seed)
    torch.testing.assert_close(ours(x, dim), ref(x, dim), rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(_vjp(lambda t: ours(t, dim), x), _vjp(lambda t: ref(t, dim), x),
                               rtol=1e-10, atol=1e-12)


EXTREME_ROWS = [
    [1000.0, 0.0, -1000.0],
    [1e4, 1e4, -1e4],
    [-1e4, -1e4, -1e4],
    [0.0, 0.0, 0.0],
    [1e-300, -1e-300, 0.0],
    [800.0, 799.0, 798.0],
    [-800.0, -799.0, -798.0],
]


@pytest.mark.parametrize("ours, ref", SOFTMAX_FNS, ids=SOFTMAX_IDS)
def test_softmax_matches_torch_on_extreme_inputs(ours: Callable, ref: Callable) -> None:
    x = torch.tensor(EXTREME_ROWS, dtype=DTYPE, requires_grad=True)
    y, y_ref = ours(x, 1), ref(x, 1)
    _assert_same_finiteness(y, y_ref)
    assert torch.isfinite(y).all()
    torch.testing.assert_close(y, y_ref, rtol=1e-12, atol=1e-12)
    v = torch.randn(x.shape, generator=torch.Generator().manual_seed(0), dtype=DTYPE)
    (g,) = torch.autograd.grad(ours(x, 1), x, grad_outputs=v)
    (g_ref,) = torch.autograd.grad(ref(x, 1), x, grad_outputs=v)
    _assert_same_finiteness(g, g_ref)
    torch.testing.assert_close(g, g_ref, rtol=1e-10, atol=1e-12)


def test_log_softmax_stays_finite_where_log_of_softmax_underflows() -> None:
    x = torch.tensor([[0.0, -1000.0]], dtype=DTYPE)
    assert torch.isinf(torch.log(A.softmax(x, 1))).any()  # the naive composition gives -inf ...
    torch.testing.assert_close(A.log_softmax(x, 1), torch.tensor([[0.0, -1000.0]], dtype=DTYPE))  # ... not us


@pytest.mark.parametrize("shape, dim", [((5,), 0), ((3, 4), 1), ((3, 4), 0), ((2, 3, 4), -1)], ids=str)
def test_softmax_sums_to_one_and_is_a_probability(shape: tuple, dim: int) -> None:
    x = _random(shape, seed=7, scale=10.0).detach()
    p = A.softmax(x, dim)
    assert (p >= 0).all() and (p <= 1).all()
    torch.testing.assert_close(p.sum(dim), torch.ones_like(p.sum(dim)), rtol=0, atol=1e-12)
    torch.testing.assert_close(A.log_softmax(x, dim).exp().sum(dim), torch.ones_like(p.sum(dim)), rtol=0,
                               atol=1e-12)
    torch.testing.assert_close(A.log_softmax(x, dim), torch.log(p), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("constant", [-1000.0, -3.5, 0.25, 7.0, 1000.0])
def test_softmax_is_invariant_to_adding_a_constant(constant: float) -> None:
    x = _random((4, 6), seed=8).detach()
    torch.testing.assert_close(A.softmax(x + constant, 1), A.softmax(x, 1), rtol=1e-10, atol=1e-12)
    torch.testing.assert_close(A.log_softmax(x + constant, 1), A.log_softmax(x, 1), rtol=1e-10, atol=1e-10)


# --------------------------------------------------------------------- closed-form derivatives

GRAD_HELPERS = [("sigmoid_grad", A.sigmoid_grad, torch.sigmoid), ("tanh_grad", A.tanh_grad, torch.tanh),
                ("relu_grad", A.relu_grad, F.relu)]


@pytest.mark.parametrize("helper, fn", [(h, f) for _, h, f in GRAD_HELPERS], ids=[n for n, _, _ in GRAD_HELPERS])
@pytest.mark.parametrize("extreme", [False, True], ids=["random", "extreme"])
def test_closed_form_derivative_equals_autograd(helper: Fn, fn: Fn, extreme: bool) -> None:
    x = torch.tensor(EXTREMES, dtype=DTYPE, requires_grad=True) if extreme else _random((50,), seed=9)
    (g_autograd,) = torch.autograd.grad(fn(x).sum(), x)
    g = helper(x.detach())
    assert g.shape == x.shape and g.dtype == x.dtype
    torch.testing.assert_close(g, g_autograd, rtol=1e-12, atol=1e-15)


def test_sigmoid_derivative_is_at_most_a_quarter_with_equality_at_zero() -> None:
    x = torch.arange(-20000, 20001, dtype=DTYPE) / 1000  # step 0.001, contains 0 exactly
    d = A.sigmoid_grad(x)
    assert d.max().item() <= 0.25
    assert A.sigmoid_grad(torch.zeros(1, dtype=DTYPE)).item() == 0.25
    assert (d[x != 0] < 0.25).all()
    assert (A.sigmoid_grad(torch.tensor([-6.0, 6.0], dtype=DTYPE)) < 0.0025).all()  # it vanishes fast
    assert A.sigmoid_grad(torch.tensor([6.0], dtype=DTYPE)).item() == pytest.approx(0.002466509291359931)


def test_tanh_derivative_is_at_most_one_with_equality_at_zero() -> None:
    x = torch.arange(-20000, 20001, dtype=DTYPE) / 1000
    d = A.tanh_grad(x)
    assert d.max().item() <= 1.0 and (d >= 0).all()
    assert A.tanh_grad(torch.zeros(1, dtype=DTYPE)).item() == 1.0
    assert (d[x != 0] < 1.0).all()


def test_relu_derivative_is_a_step() -> None:
    x = torch.tensor([-2.0, -1e-300, 0.0, 1e-300, 3.0], dtype=DTYPE)
    assert A.relu_grad(x).tolist() == [0.0, 0.0, 0.0, 1.0, 1.0]


# ------------------------------------------------------------------------- written from scratch

def test_no_function_calls_torchs_own_version(monkeypatch: pytest.MonkeyPatch) -> None:
    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("called PyTorch's own activation")

    for module, names in [
        (torch, ["sigmoid", "tanh", "relu", "softmax", "log_softmax", "logsumexp", "prelu", "selu"]),
        (F, ["sigmoid", "tanh", "relu", "leaky_relu", "prelu", "elu", "gelu", "silu", "softmax",
             "log_softmax"]),
        (torch.Tensor, ["sigmoid", "tanh", "relu", "softmax", "log_softmax", "logsumexp"]),
        (torch.special, ["expit", "logit", "softmax", "log_softmax", "logsumexp"]),
    ]:
        for name in names:
            monkeypatch.setattr(module, name, forbidden)
    x = _random((3, 4), seed=10)
    w = torch.tensor([0.25], dtype=DTYPE)
    outputs = [A.sigmoid(x), A.tanh(x), A.relu(x), A.leaky_relu(x), A.prelu(x, w), A.elu(x), A.gelu(x),
               A.gelu(x, approximate="tanh"), A.silu(x), A.softmax(x, 1), A.log_softmax(x, 1),
               A.sigmoid_grad(x), A.tanh_grad(x), A.relu_grad(x)]
    sum(out.sum() for out in outputs).backward()
    assert x.grad is not None and torch.isfinite(x.grad).all()


# ------------------------------------------------------------------------------------- errors

@pytest.mark.parametrize("fn", [A.sigmoid, A.tanh, A.relu, A.leaky_relu, A.elu, A.gelu, A.silu],
                         ids=lambda f: f.__name__)
def test_non_tensor_input_is_a_type_error_naming_input(fn: Fn) -> None:
    with pytest.raises(TypeError, match="`input`"):
        fn([1.0, 2.0])


@pytest.mark.parametrize("fn", [A.softmax, A.log_softmax], ids=lambda f: f.__name__)
def test_softmax_argument_errors(fn: Callable) -> None:
    x = torch.zeros(2, 3)
    with pytest.raises(TypeError, match="`input`"):
        fn([[1.0, 2.0]], 1)
    with pytest.raises(ValueError, match=r"`dim` must be in the range \[-2, 1\].*got 2"):
        fn(x, 2)
    with pytest.raises(ValueError, match="`dim`"):
        fn(x, -3)
    with pytest.raises(ValueError, match="`dim`"):
        fn(torch.tensor(1.0), 1)
    with pytest.raises(TypeError, match="`dim`"):
        fn(x, 1.0)
    with pytest.raises(TypeError, match="`dim`"):
        fn(x, None)


def test_gelu_rejects_an_unknown_approximation() -> None:
    with pytest.raises(ValueError, match="`approximate`.*'fast'"):
        A.gelu(torch.zeros(3), approximate="fast")


def test_prelu_argument_errors() -> None:
    with pytest.raises(TypeError, match="`input`"):
        A.prelu(1.0, torch.tensor([0.25]))
    with pytest.raises(TypeError, match="`weight`"):
        A.prelu(torch.zeros(2, 3), 0.25)
    with pytest.raises(ValueError, match="`weight`.*3"):
        A.prelu(torch.zeros(2, 3), torch.full((4,), 0.25))
    with pytest.raises(ValueError, match="`weight`"):
        A.prelu(torch.zeros(6), torch.full((6,), 0.25))


@pytest.mark.parametrize("fn, name", [(A.leaky_relu, "negative_slope"), (A.elu, "alpha")])
def test_slope_arguments_must_be_numbers(fn: Callable, name: str) -> None:
    with pytest.raises(TypeError, match=f"`{name}`"):
        fn(torch.zeros(3), "0.1")


@pytest.mark.parametrize("helper", [A.sigmoid_grad, A.tanh_grad, A.relu_grad], ids=lambda f: f.__name__)
def test_derivative_helpers_reject_non_tensors(helper: Fn) -> None:
    with pytest.raises(TypeError, match="`x`"):
        helper(0.5)


# ------------------------------------------------------------- chapter 02: exercises and widgets

from course_utils import checks, init, widgets  # noqa: E402


def _stub(*args):
    raise NotImplementedError


@pytest.mark.parametrize("name", ["sigmoid_derivative", "stable_softmax", "leaky_relu", "dead_fractions"])
def test_activation_exercise_solutions_pass_and_stubs_are_not_attempted(name: str) -> None:
    assert checks.check(name, checks._core._REGISTRY[name].solution)
    assert checks.check(name, _stub).status == "not attempted"
    assert checks.check(name, None).status == "not attempted"


WRONG_ANSWERS = {
    "sigmoid_derivative": [
        lambda x: torch.exp(-x) / (1 + torch.exp(-x)) ** 2,        # right formula, NaN at x = -1000
        lambda x: torch.sigmoid(x),                                # the function, not its derivative
        lambda x: torch.sigmoid(x) * (1 + torch.sigmoid(x)),       # sign slip
        lambda x: 1 - torch.tanh(x) ** 2,                          # tanh's derivative
    ],
    "stable_softmax": [
        lambda x: torch.exp(x) / torch.exp(x).sum(dim=1, keepdim=True),                  # overflows
        lambda x: torch.exp(x - x.max()) / torch.exp(x - x.max()).sum(dim=1, keepdim=True),  # global max
        lambda x: torch.exp(x - x.max(dim=1, keepdim=True).values)
        / torch.exp(x - x.max(dim=1, keepdim=True).values).sum(),                        # sums over everything
        lambda x: torch.exp(x - x.max(dim=0, keepdim=True).values)
        / torch.exp(x - x.max(dim=0, keepdim=True).values).sum(dim=0, keepdim=True),     # columns, not rows
    ],
    "leaky_relu": [
        lambda x, negative_slope=0.01: torch.maximum(negative_slope * x, x),           # wrong for slope > 1
        lambda x, negative_slope=0.01: torch.relu(x),                                  # ignores the slope
        lambda x, negative_slope=0.01: torch.where(x > 0, x, 0.01 * x),                # hard-coded slope
        lambda x, negative_slope=0.1: torch.where(x > 0, x, negative_slope * x),       # wrong default
    ],
    "dead_fractions": [
        lambda model, X: _per_relu(model, X, lambda h: (h <= 0).float().mean().item()),     # sparsity, not death
        lambda model, X: _per_relu(model, X, lambda h: (h <= 0).all(dim=1).float().mean().item()),  # rows
        lambda model, X: _per_relu(model, X, lambda h: int((h <= 0).all(dim=0).sum())),     # a count
        lambda model, X: _per_relu(model, X, lambda h: (h <= 0).all(dim=0).float().mean().item())[:1],  # first only
        lambda model, X: (model[0](X) <= 0).all(dim=0).float().mean().item(),               # one number
        lambda model, X: _per_relu(model, X, lambda h: (h <= 0).all(dim=0).float().mean()),  # accepted: tensors
    ],
}


@pytest.mark.parametrize("name", list(WRONG_ANSWERS))
def test_activation_exercises_catch_typical_mistakes(name: str, capsys: pytest.CaptureFixture) -> None:
    answers = WRONG_ANSWERS[name]
    if name == "dead_fractions":  # 1-element tensors are fine: the checker takes their .item()
        assert checks.check(name, answers[-1])
        answers = answers[:-1]
    for answer in answers:
        result = checks.check(name, answer)
        assert result.status == "wrong", (name, result.message)
    out = capsys.readouterr().out
    assert "Traceback" not in out and "checks.hint(" in out


def _per_relu(model, X, measure):
    """Apply ``measure`` to the input of every nn.ReLU of ``model`` (the structure of a right answer)."""
    out, h = [], X
    with torch.no_grad():
        for layer in model:
            if isinstance(layer, torch.nn.ReLU):
                out.append(measure(h))
            h = layer(h)
    return out


def test_dead_fractions_after_the_relu_is_also_right() -> None:
    """Measuring the ReLU's output (== 0 on every example) gives the same answer as its input (<= 0)."""
    def after(model, X):
        out, h = [], X
        with torch.no_grad():
            for layer in model:
                h = layer(h)
                if isinstance(layer, torch.nn.ReLU):
                    out.append((h == 0).all(dim=0).float().mean().item())
        return out

    assert checks.check("dead_fractions", after)


def test_sigmoid_derivative_checker_names_the_overflow(capsys: pytest.CaptureFixture) -> None:
    checks.check("sigmoid_derivative", lambda x: torch.exp(-x) / (1 + torch.exp(-x)) ** 2)
    assert "nan" in capsys.readouterr().out.lower()


def _x_extent(span) -> tuple[float, float]:
    """An ``axvspan``'s x range in data coordinates (a Polygon before matplotlib 3.9, a Rectangle since)."""
    box = span.get_path().get_extents(span.get_patch_transform())
    return box.x0, box.x1


def test_activation_explorer_shades_saturation_where_the_slope_is_small() -> None:
    w = widgets.activation_explorer()
    fig = w.draw(**w.values())  # sigmoid: saturated beyond |x| ~ 3.6 (sigma' < 0.025)
    ax_f = fig.axes[0]
    spans = [p for p in ax_f.patches]
    assert len(spans) == 2
    edges = sorted(round(x, 1) for p in spans for x in _x_extent(p))
    assert edges[1] == pytest.approx(-3.6, abs=0.1) and edges[2] == pytest.approx(3.6, abs=0.1)
    w.controls["f"].value = "ReLU"  # dead half: one span, x <= 0
    assert len(fig.axes[0].patches) == 1
    lo, hi = _x_extent(fig.axes[0].patches[0])
    assert lo == -10 and hi == pytest.approx(0, abs=0.1)
    w.controls["f"].value = "PReLU (a = 0.25)"  # slope 0.25 > 10% of 1: nothing shaded
    assert len(fig.axes[0].patches) == 0 and "never below" in fig._suptitle.get_text()
    w.controls["compare"].value = "tanh"
    assert fig.axes[0].lines[1].get_visible() and w.last_error is None


def test_saturated_spans_helper() -> None:
    x = torch.arange(6.0)
    assert widgets.activations._saturated_spans(x, torch.tensor([1, 1, 0, 0, 1, 1]).bool()) == [(0.0, 2.0), (4.0, 5.0)]
    assert widgets.activations._saturated_spans(x, torch.zeros(6, dtype=torch.bool)) == []


def test_first_layer_gradients_show_the_chapter_claims() -> None:
    threads = torch.get_num_threads()
    data = init.first_layer_gradients(max_depth=20)
    assert torch.get_num_threads() == threads  # it computes on one thread, then restores the setting
    default, recommended = init.DEPTH_INITS
    assert len(data) == 2 * 3 * 20 and len(data[(default, "ReLU", 7)]) == 7
    ratio = {(i, a): data[(i, a, 20)][0] / data[(i, a, 20)][-1] for i in (default, recommended)
             for a in ("sigmoid", "tanh", "ReLU")}
    assert ratio[(default, "sigmoid")] < 1e-10 and ratio[(recommended, "sigmoid")] < 1e-8
    assert 1e-2 < ratio[(recommended, "tanh")] < 1e2 and 1e-2 < ratio[(recommended, "ReLU")] < 1e2
    assert ratio[(default, "tanh")] < 1e-3 and ratio[(default, "ReLU")] < 1e-4


def test_vanishing_gradients_widget_labels_the_first_layer() -> None:
    w = widgets.vanishing_gradients()
    w.controls["depth"].value = 1
    fig = w.draw(**w.values())
    assert "depth 1" in fig._suptitle.get_text()
    assert all(len(line.get_xdata()) == 1 for line in fig.axes[0].lines)
    w.controls["depth"].value = 30  # sigmoid's first-layer gradient underflows float32 here: shown, not an error
    assert w.last_error is None and len(fig.axes[0].lines[0].get_xdata()) == 30
