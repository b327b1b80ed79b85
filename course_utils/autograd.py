"""A tiny scalar reverse-mode automatic differentiation engine, in the spirit of Karpathy's micrograd.

Every ``Value`` remembers the values it was computed from (``_prev``), the operation (``_op``) and a small
function ``_backward`` that applies the chain rule for that one operation: it takes ``out.grad`` (d output /
d out) and adds the local derivative times it to each input's ``grad``. ``backward()`` calls these functions
from the output back to the leaves, in reverse topological order, so every node's gradient is complete before
it is passed on. Gradients are *added* (``+=``), because a value used twice receives gradient from both uses.

    >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    >>> c = a * b + a          # dc/da = b + 1 = -2, dc/db = a = 2
    >>> c.backward()
    >>> a.grad, b.grad
    (-2.0, 2.0)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from numbers import Real
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

from .i18n import _

__all__ = ["Value", "topological_order", "draw_graph"]

Number = int | float  # the constants a Value can be combined with


class Value:
    """A scalar ``data`` with a gradient ``grad`` (d output / d this value, filled in by ``backward()``)."""

    data: float
    grad: float
    _backward: Callable[[], None]
    _prev: tuple[Value, ...]
    _op: str
    label: str

    def __init__(self, data: Number, _children: tuple[Value, ...] = (), _op: str = "", label: str = "") -> None:
        if isinstance(data, Value) or not isinstance(data, Real):
            raise TypeError(_("`data` must be a real number (int or float); got {type}").format(
                type=type(data).__name__))
        self.data = float(data)
        self.grad = 0.0
        self._backward = lambda: None  # a leaf has nothing to pass its gradient on to
        self._prev = tuple(_children)
        self._op = _op
        self.label = label

    # ------------------------------------------------------------------------------ binary operators

    def __add__(self, other: Value | Number) -> Value:
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other), "+")

        def _backward() -> None:  # d(a + b)/da = 1, d(a + b)/db = 1
            self.grad += out.grad
            other.grad += out.grad

        out._backward = _backward
        return out

    def __sub__(self, other: Value | Number) -> Value:
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data - other.data, (self, other), "-")

        def _backward() -> None:  # d(a - b)/da = 1, d(a - b)/db = -1
            self.grad += out.grad
            other.grad -= out.grad

        out._backward = _backward
        return out

    def __mul__(self, other: Value | Number) -> Value:
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other), "*")

        def _backward() -> None:  # d(a * b)/da = b, d(a * b)/db = a
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = _backward
        return out

    def __truediv__(self, other: Value | Number) -> Value:
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data / other.data, (self, other), "/")  # ZeroDivisionError if other.data == 0

        def _backward() -> None:  # d(a / b)/da = 1 / b, d(a / b)/db = -a / b**2
            self.grad += out.grad / other.data
            other.grad -= self.data / other.data**2 * out.grad

        out._backward = _backward
        return out

    def __pow__(self, exponent: Number) -> Value:
        if isinstance(exponent, Value) or not isinstance(exponent, Real):
            raise TypeError(_(
                "`exponent` must be an int or float constant, not {type} "
                "(for a learnable exponent write (b * a.log()).exp())"
            ).format(type=type(exponent).__name__))
        if self.data < 0 and exponent != int(exponent):
            raise ValueError(_("a negative base ({base}) needs an integer `exponent`; got {exponent}").format(
                base=self.data, exponent=exponent))
        out = Value(self.data**exponent, (self,), f"**{exponent:g}")

        def _backward() -> None:  # d(a**k)/da = k * a**(k - 1)
            self.grad += exponent * self.data ** (exponent - 1) * out.grad

        out._backward = _backward
        return out

    # Reflected versions, used for `2 + a`, `2 - a`, `2 * a`, `2 / a`: Python calls a.__radd__(2) etc.
    def __radd__(self, other: Number) -> Value:
        return self + other

    def __rsub__(self, other: Number) -> Value:
        return Value(other) - self

    def __rmul__(self, other: Number) -> Value:
        return self * other

    def __rtruediv__(self, other: Number) -> Value:
        return Value(other) / self

    def __neg__(self) -> Value:
        out = Value(-self.data, (self,), "neg")

        def _backward() -> None:  # d(-a)/da = -1
            self.grad -= out.grad

        out._backward = _backward
        return out

    # ------------------------------------------------------------------------------- unary functions

    def exp(self) -> Value:
        out = Value(math.exp(self.data), (self,), "exp")

        def _backward() -> None:  # d exp(a)/da = exp(a)
            self.grad += out.data * out.grad

        out._backward = _backward
        return out

    def log(self) -> Value:
        if self.data <= 0:
            raise ValueError(_("log needs a positive value; got data={data}").format(data=self.data))
        out = Value(math.log(self.data), (self,), "log")

        def _backward() -> None:  # d log(a)/da = 1 / a
            self.grad += out.grad / self.data

        out._backward = _backward
        return out

    def tanh(self) -> Value:
        out = Value(math.tanh(self.data), (self,), "tanh")

        def _backward() -> None:  # d tanh(a)/da = 1 - tanh(a)**2
            self.grad += (1 - out.data**2) * out.grad

        out._backward = _backward
        return out

    def sigmoid(self) -> Value:
        if self.data >= 0:  # stable: exp of a non-positive number only, so no overflow at +-1000
            s = 1 / (1 + math.exp(-self.data))
        else:
            z = math.exp(self.data)
            s = z / (1 + z)
        out = Value(s, (self,), "sigmoid")

        def _backward() -> None:  # d sigmoid(a)/da = sigmoid(a) * (1 - sigmoid(a))
            self.grad += out.data * (1 - out.data) * out.grad

        out._backward = _backward
        return out

    def relu(self) -> Value:
        out = Value(self.data if self.data > 0 else 0.0, (self,), "relu")

        def _backward() -> None:  # d relu(a)/da = 1 if a > 0 else 0 (0 at a = 0, as in PyTorch)
            self.grad += (self.data > 0) * out.grad

        out._backward = _backward
        return out

    # ----------------------------------------------------------------------------------- backprop

    def backward(self) -> None:
        """Fill in ``grad`` of every value this one depends on: d self / d node.

        As in PyTorch, the leaves' gradients accumulate over calls (call ``zero_grad()`` in between), while
        the intermediate values' gradients are recomputed from zero.
        """
        order = topological_order(self)
        for node in order:
            if node._prev:  # an intermediate value, not a leaf
                node.grad = 0.0
        self.grad = 1.0  # d self / d self
        for node in reversed(order):  # from the output back to the leaves
            node._backward()

    def zero_grad(self) -> None:
        """Set ``grad`` to 0 on this value and every value it depends on."""
        for node in topological_order(self):
            node.grad = 0.0

    def __repr__(self) -> str:
        return f"Value(data={self.data}, grad={self.grad})"


def topological_order(value: Value) -> list[Value]:
    """Every value that ``value`` depends on, each once, inputs before the values computed from them.

    The leaves come first and ``value`` itself last; ``backward()`` walks the list in reverse. An explicit
    stack replaces recursion, so a graph thousands of operations deep does not hit Python's recursion limit.
    """
    if not isinstance(value, Value):
        raise TypeError(_("`value` must be a Value; got {type}").format(type=type(value).__name__))
    order: list[Value] = []
    visited: set[int] = set()
    stack: list[tuple[Value, bool]] = [(value, False)]
    while stack:
        node, children_done = stack.pop()
        if children_done:  # all its inputs are already in `order`
            order.append(node)
        elif id(node) not in visited:
            visited.add(id(node))
            stack.append((node, True))  # come back to it after its children
            stack.extend((child, False) for child in reversed(node._prev))
    return order


def draw_graph(value: Value, ax: Axes | None = None, highlight: Value | None = None) -> Figure:
    """Draw the computational graph that produced ``value``, inputs on the left, ``value`` on the right.

    Each box is one ``Value``: its label and operation, ``data`` and ``grad``; arrows point from inputs to the
    values computed from them. Give the intermediate values a ``label`` to name them in the picture (an unlabelled
    one shows only its operation, e.g. "(*)"). ``highlight`` (a value in the graph) is drawn in orange, e.g. to
    step through backprop. Draws into ``ax`` if given, else into a new figure sized to the graph. Returns the Figure.
    Uses matplotlib only (no graphviz), and no pyplot, so it leaves no global state behind.
    """
    from matplotlib.figure import Figure
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    nodes = topological_order(value)
    if highlight is not None and all(node is not highlight for node in nodes):
        raise ValueError(_("`highlight` must be a Value in the graph of `value`"))

    # Column = depth: one more than the deepest input; a leaf sits just left of its first use.
    depth: dict[int, int] = {}
    for node in nodes:
        depth[id(node)] = 1 + max((depth[id(c)] for c in node._prev), default=-1)
    first_use: dict[int, int] = {}
    for node in nodes:
        for child in node._prev:
            if not child._prev:
                first_use[id(child)] = min(first_use.get(id(child), depth[id(node)]), depth[id(node)])
    for key, column in first_use.items():
        depth[key] = column - 1
    columns: dict[int, list[Value]] = {}
    for node in nodes:
        columns.setdefault(depth[id(node)], []).append(node)
    position = {}
    for col, members in columns.items():
        for row, node in enumerate(members):
            position[id(node)] = (col * 1.6, (len(members) - 1) / 2 - row)

    n_cols, n_rows = max(columns) + 1, max(len(m) for m in columns.values())
    if ax is None:
        fig = Figure(figsize=(1.2 + 2.4 * n_cols, 0.6 + 1.0 * n_rows))
        ax = fig.add_axes((0, 0, 1, 1))
    else:
        fig = cast("Figure", ax.figure)  # a Figure, or a SubFigure that draws like one

    width, height = 1.1, 0.7
    for node in nodes:
        x, y = position[id(node)]
        is_highlighted = node is highlight
        ax.add_patch(FancyBboxPatch(
            (x - width / 2, y - height / 2), width, height, boxstyle="round,pad=0.02",
            facecolor="#ffcc80" if is_highlighted else "#e3f2fd",
            edgecolor="#e65100" if is_highlighted else "#1565c0", linewidth=2.5 if is_highlighted else 1.0,
        ))
        title = node_title(node)
        lines = ([title] if title else []) + [f"data {node.data:.4g}", f"grad {node.grad:.4g}"]
        ax.text(x, y, "\n".join(lines), ha="center", va="center", fontsize=9, family="monospace")
        for child in dict.fromkeys(node._prev):  # one arrow per distinct input (a + a: one arrow)
            cx, cy = position[id(child)]
            skips_columns = depth[id(node)] - depth[id(child)] > 1  # bend it around the boxes in between
            ax.add_patch(FancyArrowPatch(
                (cx + width / 2, cy), (x - width / 2, y), arrowstyle="-|>", mutation_scale=12, color="#555555",
                connectionstyle=f"arc3,rad={-0.25 if skips_columns else 0.0}",
            ))

    ax.set_xlim(-width / 2 - 0.2, (n_cols - 1) * 1.6 + width / 2 + 0.2)
    ax.set_ylim(-n_rows / 2 - 0.1, n_rows / 2 + 0.1)
    ax.set_axis_off()
    return fig


# ------------------------------------------------------------------------------ backprop, one node at a time

__all__ += ["worked_example", "inputs", "operation", "node_name", "node_title", "graph_edges", "local_formula",
            "backprop_steps", "backprop_example"]


def inputs(value: Value) -> tuple[Value, ...]:
    """The values ``value`` was computed from, in operand order (``a * a`` gives ``(a, a)``); () for a leaf."""
    return value._prev


def operation(value: Value) -> str:
    """The operation that made ``value``: "+", "*", "**2", "tanh" …; "" for a leaf."""
    return value._op


def node_name(value: Value) -> str:
    """A short name for ``value`` in formulas: its label, else its operation in brackets ("[*]"), else its data."""
    return value.label or (f"[{value._op}]" if value._op else f"{value.data:.3g}")


def node_title(value: Value) -> str:
    """A box's first line in :func:`draw_graph`: the label and the operation, e.g. "w·x (*)", "(+)", "w"."""
    return " ".join(part for part in (value.label, f"({value._op})" if value._op else "") if part)


def graph_edges(value: Value) -> list[tuple[Value, Value]]:
    """The arrows of ``value``'s graph as (input, consumer) pairs, in :func:`draw_graph`'s order: consumers in
    topological order, then each one's distinct inputs in operand order (``a + a`` has one arrow)."""
    return [(child, node) for node in topological_order(value) for child in dict.fromkeys(node._prev)]


def local_formula(consumer: Value, child: Value) -> str:
    """The local derivative ∂consumer/∂child of the one operation that made ``consumer``, as a short formula in
    the values' names (:func:`node_name`): "1", "−1", "b", "2·a", "1 − t²" … ("?" for an unknown operation)."""
    op, prev, me = consumer._op, consumer._prev, node_name(child)
    out = node_name(consumer)
    if len(prev) == 2 and prev[0] is prev[1]:  # a op a
        return {"+": "2", "-": "0", "*": f"2·{me}", "/": "0"}.get(op, "?")
    other = node_name(prev[1] if prev[0] is child else prev[0]) if len(prev) == 2 else ""
    first = prev[0] is child
    if op == "+":
        return "1"
    if op == "-":
        return "1" if first else "−1"
    if op == "*":
        return other
    if op == "/":
        return f"1/{other}" if first else f"−{other}/{me}²"
    if op.startswith("**"):
        k = float(op[2:])
        return f"2·{me}" if k == 2 else f"{k:g}·{me}^{k - 1:g}"
    return {"neg": "−1", "exp": f"exp({me})", "log": f"1/{me}", "tanh": f"1 − {out}²",
            "sigmoid": f"{out}(1 − {out})", "relu": f"[{me} > 0]"}.get(op, "?")


def backprop_steps(output: Value) -> list[tuple[Value, list[tuple[Value, float, float]]]]:
    """Backprop on ``output``'s graph, one node at a time: a list of ``(node, uses)`` in the order computed.

    ``uses`` lists, for each value computed from ``node``, ``(consumer, local, upstream)``: the local gradient
    ∂consumer/∂node and the upstream gradient ∂output/∂consumer. Their products summed are ∂output/∂node. The
    first step is ``output`` itself (no uses: its gradient is 1). Runs ``zero_grad()`` and ``backward()`` on
    ``output``, so every ``grad`` in the graph ends up as after a fresh backward.
    """
    order = topological_order(output)
    local: dict[tuple[int, int], float] = {}
    for node in order:  # each operation's local derivatives: its _backward with an upstream gradient of 1
        if node._prev:
            for n in order:
                n.grad = 0.0
            node.grad = 1.0
            node._backward()
            for child in dict.fromkeys(node._prev):
                local[(id(node), id(child))] = child.grad
    output.zero_grad()
    output.backward()
    steps = []
    for node in reversed(order):  # every use of a node comes before it: its gradient is complete
        uses = [(c, local[(id(c), id(node))], c.grad) for c in order if any(p is node for p in c._prev)]
        steps.append((node, uses))
    return steps


def worked_example(x: float = 2.0, w: float = 0.3, b: float = -0.1, y: float = 1.0, lam: float = 0.1,
                   sigmoid: Callable[[Value], Value] = Value.sigmoid) -> tuple[Value, list[Value]]:
    """Chapter 03's worked graph, L = (σ(w·x + b) − y)² + λ·w², from labelled values (no backward yet).

    Every node is labelled with its name in the chapter's table (w·x, z, a, d, d², w², λw², L). With the defaults,
    z = w·x + b = 0.5 and σ(z) = 0.6225. The weight w is used twice (in w·x and in the penalty λ·w²), so its
    gradient is a sum of two paths. ``sigmoid`` builds the σ node (a learner's own version can be swapped in).
    Returns the output L and the leaves [x, w, b, y, λ].
    """
    leaves = [Value(v, label=n) for v, n in zip((x, w, b, y, lam), ("x", "w", "b", "y", "λ"))]
    xv, wv, bv, yv, lv = leaves
    nodes = {"w·x": wv * xv}
    nodes["z"] = nodes["w·x"] + bv
    nodes["a"] = sigmoid(nodes["z"])
    nodes["d"] = nodes["a"] - yv
    nodes["d²"] = nodes["d"] ** 2
    nodes["w²"] = wv**2
    nodes["λw²"] = lv * nodes["w²"]
    nodes["L"] = nodes["d²"] + nodes["λw²"]
    for name, node in nodes.items():
        node.label = name
    return nodes["L"], leaves


def backprop_example() -> Value:
    """The output L of :func:`worked_example` at its default values (what the backprop stepper steps through)."""
    return worked_example()[0]
