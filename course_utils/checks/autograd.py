"""Exercises of the backpropagation chapter: a gradient by hand, ``Value.__pow__``'s backward, a linear layer's
gradients in matrix form, and a numerical gradient by central differences."""

from __future__ import annotations

from collections.abc import Callable

import torch

from ..autograd import Value
from ..i18n import N_, _
from ._core import Mismatch, NotAttempted, call, exercise, expect, expect_close, time_limit


def _autograd_grads(fn: Callable, *inputs: float) -> list[float]:
    """d fn / d input for each input, by torch autograd in float64: the oracle."""
    tensors = [torch.tensor(float(v), dtype=torch.float64, requires_grad=True) for v in inputs]
    return [g.item() for g in torch.autograd.grad(fn(*tensors), tensors)]


# ------------------------------------------------------------------------------ a two-node graph by hand

def two_node_gradient(x: float, y: float, z: float) -> tuple[float, float, float]:
    """(∂f/∂x, ∂f/∂y, ∂f/∂z) of f = (x + y) · z, by the chain rule through q = x + y."""
    q = x + y        # forward: the first node
    df_dq = z        # f = q · z: the local gradient of the product with respect to q is z
    df_dx = 1 * df_dq  # q = x + y: local gradient 1, times the upstream gradient ∂f/∂q
    df_dy = 1 * df_dq
    df_dz = q        # the local gradient of q · z with respect to z is q
    return df_dx, df_dy, df_dz


@exercise("two_node_gradient", solution=two_node_gradient,
          hint=N_("Give the sum a name, q = x + y, so f = q · z. Then ∂f/∂z = q and ∂f/∂q = z; an addition passes "
                  "its upstream gradient on unchanged, so ∂f/∂x = ∂f/∂y = 1 · ∂f/∂q."))
def _check_two_node_gradient(fn) -> None:
    for x, y, z in [(-2.0, 5.0, -4.0), (1.0, 2.0, 3.0), (0.5, -0.5, 2.0), (3.0, 0.0, 0.0)]:
        got = call(fn, x, y, z)
        expect(isinstance(got, tuple | list) and len(got) == 3,
               _("return three numbers (∂f/∂x, ∂f/∂y, ∂f/∂z); for x={x}, y={y}, z={z} you returned {got}.").format(
                   x=x, y=y, z=z, got=repr(got)))
        expected = _autograd_grads(lambda a, b, c: (a + b) * c, x, y, z)
        for name, g, e in zip(("∂f/∂x", "∂f/∂y", "∂f/∂z"), got, expected):
            expect_close(g, e, name, context=f"x={x}, y={y}, z={z}")


# ------------------------------------------------------------------------------------ Value.__pow__

def _backward(out: Value, context: str) -> None:
    """out.backward(), with an error in the learner's _backward turned into a readable verdict."""
    try:
        with time_limit(what=f"backward() ({context})"):
            out.backward()
    except NotImplementedError:
        raise NotAttempted from None
    except Mismatch:
        raise
    except Exception as exc:
        raise Mismatch(_("backward() raised {error_type}: {error} ({context}).").format(
            error_type=type(exc).__name__, error=exc, context=context)) from None


def value_pow(a: Value, k: float) -> Value:
    """a ** k for a constant k, as a new Value whose _backward adds k · a**(k − 1) · out.grad to a.grad."""
    out = Value(a.data**k, (a,), f"**{k:g}")

    def _backward() -> None:
        a.grad += k * a.data ** (k - 1) * out.grad  # local gradient × upstream gradient, added (+=)

    out._backward = _backward
    return out


@exercise("value_pow", solution=value_pow,
          hint=N_("Build out = Value(a.data ** k, (a,), f'**{k}'); define _backward() that does a.grad += "
                  "k * a.data ** (k - 1) * out.grad — the local gradient times the upstream out.grad, added with += "
                  "(a may be used elsewhere too); set out._backward = _backward and return out."))
def _check_value_pow(fn) -> None:
    for x, k in [(3.0, 2), (2.0, 3), (-1.5, 3), (0.5, -1), (4.0, 0.5), (2.5, 0)]:
        a = Value(x)
        out = call(fn, a, k)
        expect(isinstance(out, Value), _("return a Value; for a = Value({x}), k = {k} you returned {type}.").format(
            x=x, k=k, type=type(out).__name__))
        expect_close(out.data, x**k, _("the value out.data"), context=f"a = {x}, k = {k}")
        expect(any(child is a for child in out._prev),
               _("the new Value must remember its input: pass (a,) as its children, so backward() finds a "
                 "(a = {x}, k = {k}).").format(x=x, k=k))
        _backward(out * 3.0, f"a = {x}, k = {k}")  # an upstream gradient of 3, not 1
        expect(a.grad != 0.0 or k == 0,
               _("a.grad is still 0 after backward() (a = {x}, k = {k}): did you set out._backward?").format(x=x, k=k))
        expect_close(a.grad, 3.0 * k * x ** (k - 1), _("the gradient a.grad after (a ** k * 3).backward()"),
                     context=_("a = {x}, k = {k} (upstream gradient 3: multiply by out.grad)").format(x=x, k=k))
    # a used twice: its gradients from both uses must add up
    a = Value(1.5)
    out = call(fn, a, 2) + call(fn, a, 3)
    _backward(out, "a**2 + a**3")
    expect_close(a.grad, 2 * 1.5 + 3 * 1.5**2, _("the gradient a.grad of a**2 + a**3"),
                 context=_("a = 1.5 (a used twice: use +=, not =)"))
    a = Value(2.0)
    out = call(fn, a, 2) + a
    _backward(out, "a**2 + a")
    expect_close(a.grad, 2 * 2.0 + 1, _("the gradient a.grad of a**2 + a"),
                 context=_("a = 2 (a used twice: use +=, not =)"))


# -------------------------------------------------------------------- a linear layer, in matrix form

def linear_backward(x: torch.Tensor, weight: torch.Tensor, grad_out: torch.Tensor
                    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Gradients of y = x @ weight.T + bias, given grad_out = ∂L/∂y.

    x (N, in), weight (out, in), grad_out (N, out). Returns (grad_x (N, in), grad_weight (out, in),
    grad_bias (out,)): each gradient has the shape of what it is the gradient of.
    """
    grad_x = grad_out @ weight      # (N, out) @ (out, in) -> (N, in)
    grad_weight = grad_out.T @ x    # (out, N) @ (N, in)  -> (out, in)
    grad_bias = grad_out.sum(dim=0)  # the bias is added to every row: sum over the batch -> (out,)
    return grad_x, grad_weight, grad_bias


@exercise("linear_backward", solution=linear_backward,
          hint=N_("Let the shapes guide you: each gradient has the shape of its tensor. grad_x is (N, in) = "
                  "(N, out) @ (out, in); grad_weight is (out, in) = (out, N) @ (N, in); the bias is added to "
                  "every row, so grad_bias sums grad_out over the batch (dim 0)."))
def _check_linear_backward(fn) -> None:
    g = torch.Generator().manual_seed(0)
    for n, n_in, n_out in [(5, 3, 4), (1, 2, 3), (7, 4, 2)]:
        x = torch.randn(n, n_in, generator=g, dtype=torch.float64, requires_grad=True)
        weight = torch.randn(n_out, n_in, generator=g, dtype=torch.float64, requires_grad=True)
        bias = torch.randn(n_out, generator=g, dtype=torch.float64, requires_grad=True)
        grad_out = torch.randn(n, n_out, generator=g, dtype=torch.float64)
        (x @ weight.T + bias).backward(grad_out)
        got = call(fn, x.detach().clone(), weight.detach().clone(), grad_out.clone())
        expect(isinstance(got, tuple | list) and len(got) == 3,
               _("return three tensors (grad_x, grad_weight, grad_bias); got {type}.").format(type=type(got).__name__))
        where = f"x {tuple(x.shape)}, weight {tuple(weight.shape)}"
        for name, got_t, ref in zip(("grad_x", "grad_weight", "grad_bias"), got, (x.grad, weight.grad, bias.grad)):
            expect_close(got_t, ref, _("your {name}").format(name=name), context=where)


# ------------------------------------------------------------------- gradient checking, numerically

def numerical_grad(f: Callable[[torch.Tensor], torch.Tensor | float], x: torch.Tensor, h: float = 1e-6
                   ) -> torch.Tensor:
    """∂f/∂x by central differences, one entry at a time: (f(x + h·eᵢ) − f(x − h·eᵢ)) / 2h.

    ``f`` maps a tensor shaped like ``x`` to a scalar. Returns a tensor shaped like ``x``; leaves ``x``
    unchanged (use float64: in float32 the difference drowns in rounding error).
    """
    grad = torch.zeros_like(x)
    flat_x, flat_grad = x.view(-1), grad.view(-1)  # views: writing to flat_x[i] nudges x itself
    for i in range(flat_x.numel()):
        old = flat_x[i].item()
        flat_x[i] = old + h
        f_plus = float(f(x))
        flat_x[i] = old - h
        f_minus = float(f(x))
        flat_x[i] = old  # put it back
        flat_grad[i] = (f_plus - f_minus) / (2 * h)
    return grad


def _restored(x: torch.Tensor, original: torch.Tensor, h: float, label: str) -> None:
    """Mismatch unless ``x`` equals ``original`` up to float rounding.

    ``x[i] += h; …; x[i] -= 2 * h; …; x[i] += h`` may leave x[i] one rounding step (about 1e-16 · |x[i]|) away
    from where it was: that counts as restored. An entry that is still nudged is off by about h or more.
    """
    tolerance = 1e-12 * (1 + original.abs())  # far above rounding error, far below any nudge h
    off = (x - original).abs() > tolerance
    if off.any():
        idx = tuple(int(i) for i in off.nonzero()[0])
        before, after = original[idx].item(), x[idx].item()
        raise Mismatch(_("your function changed x ({label}): entry {index} was {before:.6g} before the call and is "
                         "{after:.6g} after it, off by {off:.3g} = {off_h:.3g}·h. Put each entry back after nudging "
                         "it (x is compared up to float rounding, so undoing the nudges with x[i] += h … "
                         "x[i] -= 2 * h … x[i] += h is fine).").format(
            label=label, index=idx, before=before, after=after, off=after - before, off_h=(after - before) / h))


@exercise("numerical_grad", solution=numerical_grad,
          hint=N_("Loop over the entries one at a time (x.view(-1)[i]): add h, evaluate f, subtract h, evaluate f, "
                  "put the old value back, and store the central difference (f_plus − f_minus) / (2 * h) — not the "
                  "forward one (f(x + h) − f(x)) / h, which is off by about h/2 · f''. Nudging all entries at once "
                  "gives one directional derivative, not the gradient."))
def _check_numerical_grad(fn) -> None:
    g = torch.Generator().manual_seed(1)
    h = 1e-4
    cases: list[tuple[str, Callable, torch.Tensor]] = [
        (_("f(x) = sum(sin(x) · x), x of shape (5,)"), lambda t: (torch.sin(t) * t).sum(),
         torch.randn(5, generator=g, dtype=torch.float64)),
        (_("f(x) = x[0] · x[1] + x[1]³, x of shape (2,)"), lambda t: t[0] * t[1] + t[1] ** 3,
         torch.tensor([1.5, -2.0], dtype=torch.float64)),
        (_("f(x) = logsumexp(x), x of shape (2, 3)"), lambda t: torch.logsumexp(t.reshape(-1), 0),
         torch.randn(2, 3, generator=g, dtype=torch.float64)),
    ]
    for label, f, x in cases:
        original = x.clone()
        got = call(fn, f, x, h)
        _restored(x, original, h, label)
        expect(isinstance(got, torch.Tensor),
               _("return a tensor shaped like x; got {type} ({label}).").format(type=type(got).__name__, label=label))
        x_ref = original.clone().requires_grad_(True)
        (ref,) = torch.autograd.grad(f(x_ref), x_ref)
        # With h = 1e-4, central differences are off by about h²/6 · |f'''| (1e-8 or less here), well inside
        # the tolerance; a forward difference (off by about h/2 · |f''|) or a wrong divisor is far outside it.
        expect_close(got, ref, _("your numerical gradient"), atol=1e-7, rtol=1e-6, context=f"{label}, h = {h:g}")
