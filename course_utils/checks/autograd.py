"""Exercises of the backpropagation chapter: a gradient by hand, ``Value.__pow__``'s backward, a linear layer's
gradients in matrix form, and a numerical gradient by central differences."""

from __future__ import annotations

from collections.abc import Callable

import torch

from ..autograd import Value
from ..i18n import N_, _
from ._core import Mismatch, NotAttempted, call, exercise, expect, expect_close, time_limit

CHAPTER = "03"  # the chapter whose notebook asks these exercises (its progress line)


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
          hints=(N_("Give the sum of x and y a name of its own, so that f is a product of two factors. Then work "
                    "backwards from f, one node at a time: the gradient of each input is the node's local gradient "
                    "with respect to that input times the upstream gradient that reached the node."),
                 N_("Two local gradients are all you need. For a product q · z, the gradient with respect to one "
                    "factor is the other factor; for a sum x + y, it is 1 with respect to each input, so a sum passes "
                    "its upstream gradient ∂f/∂q on unchanged."),
                 N_("With q = x + y: df_dz = q and df_dq = z; then df_dx and df_dy are each the sum's local gradient "
                    "times df_dq. Return the three numbers in the order (∂f/∂x, ∂f/∂y, ∂f/∂z).")))
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
          hints=(N_("Do what every operation of the chapter's Value does: compute the result forward, remember the "
                    "Value it came from, and attach a small backward step. That step multiplies the local gradient of "
                    "a power (the power rule) by the upstream gradient and adds the product to the input's gradient."),
                 N_("Make a new Value from a.data ** k with (a,) as its children. Inside a nested _backward, the local "
                    "gradient k · a^(k − 1) times out.grad goes into a.grad with +=, not =: a may be used elsewhere in "
                    "the graph, and = would wipe out the gradient that reached it from there."),
                 N_("out = Value(a.data ** k, (a,), ...) with any label; then def _backward(): a.grad += ... * "
                    "out.grad, where the gap is the power rule's local gradient. Store the nested function as "
                    "out._backward, then return out.")))
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
          hints=(N_("Each gradient has the shape of the tensor it belongs to. The gradients of the input and of the "
                    "weight are each a matrix product of the upstream gradient with the other factor: let the shapes "
                    "tell you the order and whether to transpose. The bias is added to every row, so its gradient "
                    "collects a contribution from every sample."),
                 N_("Match the shapes: grad_x (N, in) comes from grad_out (N, out) and weight (out, in); grad_weight "
                    "(out, in) from grad_out transposed, (out, N), and x (N, in); grad_bias (out,) is grad_out summed "
                    "over the batch dimension, dim 0. A grad_weight of shape (in, out) means a missing transpose."),
                 N_("grad_x = grad_out @ ... with the weight in the gap; grad_weight = ... @ x with grad_out "
                    "transposed (.T) in the gap; grad_bias = grad_out.sum(...) over dim=0. Return the three as a "
                    "tuple, in that order.")))
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
          hints=(N_("Estimate one partial derivative at a time: move a single entry of x up by h, then down by h, "
                    "evaluate f at both points, and divide the difference of the two results by the distance between "
                    "the points. Put the entry back before you move on to the next one."),
                 N_("Use the central difference (f(x + h·eᵢ) − f(x − h·eᵢ)) / (2h), not the forward one "
                    "(f(x + h·eᵢ) − f(x)) / h, which is off by about h/2 · f''. A flat view, x.view(-1), reaches every "
                    "entry of a tensor of any shape; fill a torch.zeros_like(x) result through its own flat view. "
                    "Nudging all entries at once gives one directional derivative, not the gradient."),
                 N_("For each index i of the flat view: keep old, the entry's value; set the entry to old + h and "
                    "evaluate f on x as a float, f_plus; set it to old - h for f_minus; set it back to old and store "
                    "the central difference of f_plus and f_minus at index i of the flat gradient.")))
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
