"""course_utils.autograd against PyTorch: every operator's value and gradient, random graphs, deep graphs."""

from __future__ import annotations

import io
import random
import struct
import sys
from collections.abc import Callable

import pytest
import torch

from course_utils.autograd import Value, draw_graph, topological_order

DTYPE = torch.float64


def _check_against_torch(fn: Callable, inputs: list[float]) -> None:
    """fn applied to Values and to float64 tensors gives the same value and the same input gradients."""
    values = [Value(x) for x in inputs]
    out = fn(*values)
    out.backward()
    tensors = [torch.tensor(float(x), dtype=DTYPE, requires_grad=True) for x in inputs]
    out_ref = fn(*tensors)
    grads_ref = torch.autograd.grad(out_ref, tensors, allow_unused=True)
    assert isinstance(out, Value)
    assert out.data == pytest.approx(out_ref.item(), rel=1e-12, abs=1e-300)
    for v, g_ref in zip(values, grads_ref):
        expected = 0.0 if g_ref is None else g_ref.item()
        assert v.grad == pytest.approx(expected, rel=1e-12, abs=1e-300)


# ----------------------------------------------------------------------------- single operators

UNARY_CASES: list[tuple[str, Callable, list[float]]] = [
    ("neg", lambda a: -a, [-2.0, 0.0, 3.5]),
    ("exp", lambda a: a.exp(), [-30.0, -1.0, 0.0, 0.5, 5.0]),
    ("log", lambda a: a.log(), [1e-3, 0.5, 1.0, 2.5, 1e3]),
    ("tanh", lambda a: a.tanh(), [-1000.0, -20.0, -1.0, 0.0, 0.5, 20.0, 1000.0]),
    ("sigmoid", lambda a: a.sigmoid(), [-1000.0, -30.0, -1.0, 0.0, 2.0, 30.0, 1000.0]),
    ("relu", lambda a: a.relu(), [-2.0, -1e-300, 0.0, 1e-300, 3.0]),
    ("pow_2", lambda a: a**2, [-3.0, 0.0, 1.5]),
    ("pow_3_int_on_negative_base", lambda a: a**3, [-2.0, -0.5, 0.0, 4.0]),
    ("pow_minus_1", lambda a: a**-1, [-2.0, 0.5, 4.0]),
    ("pow_half", lambda a: a**0.5, [0.25, 1.0, 9.0]),
    ("pow_minus_1.5", lambda a: a**-1.5, [0.25, 2.0]),
    ("pow_0", lambda a: a**0, [-2.0, 3.0]),
    ("add_const", lambda a: a + 2, [-1.0, 0.5]),
    ("sub_const", lambda a: a - 2.5, [-1.0, 0.5]),
    ("mul_const", lambda a: a * -3, [-1.0, 0.5]),
    ("div_const", lambda a: a / 4.0, [-1.0, 0.5]),
    ("radd", lambda a: 2.5 + a, [-1.0, 0.5]),
    ("rsub", lambda a: 2.5 - a, [-1.0, 0.5]),
    ("rmul", lambda a: 3 * a, [-1.0, 0.5]),
    ("rtruediv", lambda a: 2.5 / a, [-4.0, 0.5, 3.0]),
]


@pytest.mark.parametrize("fn, inputs", [(fn, xs) for _, fn, xs in UNARY_CASES], ids=[n for n, _, _ in UNARY_CASES])
def test_unary_operator_value_and_gradient_match_torch(fn: Callable, inputs: list[float]) -> None:
    for x in inputs:
        _check_against_torch(fn, [x])


BINARY_CASES: list[tuple[str, Callable]] = [
    ("add", lambda a, b: a + b),
    ("sub", lambda a, b: a - b),
    ("mul", lambda a, b: a * b),
    ("truediv", lambda a, b: a / b),
]
PAIRS = [(2.0, -3.0), (0.5, 0.25), (-1.5, 4.0), (0.0, 2.0), (1e3, -1e-3), (7, 2)]


@pytest.mark.parametrize("fn", [fn for _, fn in BINARY_CASES], ids=[n for n, _ in BINARY_CASES])
@pytest.mark.parametrize("a, b", PAIRS, ids=str)
def test_binary_operator_value_and_gradient_match_torch(fn: Callable, a: float, b: float) -> None:
    _check_against_torch(fn, [a, b])


ALL_OPERATORS = [(n, f) for n, f, _ in UNARY_CASES] + BINARY_CASES


@pytest.mark.parametrize("name, fn", ALL_OPERATORS, ids=[n for n, _ in ALL_OPERATORS])
@pytest.mark.parametrize("seed", range(5))
def test_operators_on_random_inputs(name: str, fn: Callable, seed: int) -> None:
    rng = random.Random(seed)
    n_inputs = 2 if name in dict(BINARY_CASES) else 1
    inputs = [rng.uniform(0.2, 3.0) * rng.choice([-1, 1]) for _ in range(n_inputs)]
    if name in {"log", "pow_half", "pow_minus_1.5"}:
        inputs = [abs(x) for x in inputs]
    _check_against_torch(fn, inputs)


def test_operators_return_new_values_with_their_inputs_and_op() -> None:
    a, b = Value(2.0, label="a"), Value(3.0, label="b")
    for out, op in [(a + b, "+"), (a - b, "-"), (a * b, "*"), (a / b, "/"), (-a, "neg"), (a**2, "**2"),
                    (a.exp(), "exp"), (a.log(), "log"), (a.tanh(), "tanh"), (a.sigmoid(), "sigmoid"),
                    (a.relu(), "relu")]:
        assert isinstance(out, Value) and out._op == op
        assert all(isinstance(child, Value) for child in out._prev) and a in out._prev
    assert (a.data, b.data, a.grad, b.grad) == (2.0, 3.0, 0.0, 0.0)  # inputs are untouched


def test_sigmoid_and_tanh_are_stable_for_huge_inputs() -> None:
    for x, s, t in [(1000.0, 1.0, 1.0), (-1000.0, 0.0, -1.0), (1e308, 1.0, 1.0), (-1e308, 0.0, -1.0)]:
        a = Value(x)
        out = a.sigmoid() + a.tanh()
        out.backward()
        assert (a.sigmoid().data, a.tanh().data) == (s, t)
        assert a.grad == 0.0


def test_repr_and_integer_data() -> None:
    assert repr(Value(0.5)) == "Value(data=0.5, grad=0.0)"
    v = Value(3)
    assert isinstance(v.data, float) and v.data == 3.0 and v.label == ""
    assert Value(1.0, label="w").label == "w"


# ------------------------------------------------------------------------- shared subexpressions

def test_gradient_accumulates_when_a_value_is_reused() -> None:
    a = Value(3.0)
    (a + a).backward()
    assert a.grad == 2.0

    a = Value(3.0)
    (a * a).backward()
    assert a.grad == 6.0

    a = Value(-2.0)
    b = a * a  # b used twice: c = b + b * a = a**2 + a**3, dc/da = 2a + 3a**2 = 8
    c = b + b * a
    c.backward()
    assert a.grad == pytest.approx(8.0)
    assert b.grad == pytest.approx(1 + a.data)


def test_backward_twice_accumulates_leaf_gradients_like_torch() -> None:
    a, b = Value(1.5), Value(-0.5)
    out = (a * b + a.tanh()) * a
    out.backward()
    first = (a.grad, b.grad)
    out.backward()
    assert (a.grad, b.grad) == pytest.approx((2 * first[0], 2 * first[1]))

    ta = torch.tensor(1.5, dtype=DTYPE, requires_grad=True)
    tb = torch.tensor(-0.5, dtype=DTYPE, requires_grad=True)
    t_out = (ta * tb + ta.tanh()) * ta
    t_out.backward(retain_graph=True)
    t_out.backward()
    assert (a.grad, b.grad) == pytest.approx((ta.grad.item(), tb.grad.item()))

    out.zero_grad()
    assert (a.grad, b.grad, out.grad) == (0.0, 0.0, 0.0)
    out.backward()
    assert (a.grad, b.grad) == pytest.approx(first)


# ---------------------------------------------------------------------------- random expressions

UNARY_OPS: dict[str, tuple[Callable, Callable[[float], bool]]] = {
    # name: (function for Value and tensor alike, when the input is in its domain and well conditioned)
    "neg": (lambda a: -a, lambda x: True),
    "exp": (lambda a: a.exp(), lambda x: x < 4),
    "log": (lambda a: a.log(), lambda x: x > 0.1),
    "tanh": (lambda a: a.tanh(), lambda x: True),
    "sigmoid": (lambda a: a.sigmoid(), lambda x: True),
    "relu": (lambda a: a.relu(), lambda x: True),
    "square": (lambda a: a**2, lambda x: abs(x) < 30),
    "cube": (lambda a: a**3, lambda x: abs(x) < 10),
    "sqrt": (lambda a: a**0.5, lambda x: x > 0.1),
    "reciprocal": (lambda a: a**-1, lambda x: abs(x) > 0.1),
    "radd": (lambda a: 1.5 + a, lambda x: True),
    "rsub": (lambda a: 0.5 - a, lambda x: True),
    "rmul": (lambda a: -2 * a, lambda x: True),
    "rtruediv": (lambda a: 1.0 / a, lambda x: abs(x) > 0.1),
    "add_const": (lambda a: a + 0.3, lambda x: True),
    "div_const": (lambda a: a / 3, lambda x: True),
}
BINARY_OPS: dict[str, tuple[Callable, Callable[[float, float], bool]]] = {
    "+": (lambda a, b: a + b, lambda x, y: True),
    "-": (lambda a, b: a - b, lambda x, y: True),
    "*": (lambda a, b: a * b, lambda x, y: True),
    "/": (lambda a, b: a / b, lambda x, y: abs(y) > 0.1),
}


def _random_graph(seed: int) -> tuple[list[Value], list[torch.Tensor], Value, torch.Tensor, bool]:
    """The same random expression built twice, from Values and from float64 tensors.

    Operands are drawn from every node built so far, so nodes get reused (shared subexpressions); a binary
    op also takes the same node twice now and then (a * a). Returns the nodes, the outputs and whether some
    node was used more than once.
    """
    rng = random.Random(seed)
    n_leaves = rng.randint(1, 5)
    data = [rng.uniform(-2.0, 2.0) for _ in range(n_leaves)]
    values = [Value(x, label=f"x{i}") for i, x in enumerate(data)]
    tensors = [torch.tensor(x, dtype=DTYPE, requires_grad=True) for x in data]
    uses = [0] * n_leaves
    n_ops = rng.randint(3, 30)
    while len(values) < n_leaves + n_ops:
        if rng.random() < 0.5:
            name = rng.choice(sorted(UNARY_OPS))
            fn, ok = UNARY_OPS[name]
            i = rng.randrange(len(values))
            operands = [i]
            if not ok(values[i].data):
                continue
        else:
            name = rng.choice(sorted(BINARY_OPS))
            fn, ok = BINARY_OPS[name]
            i = rng.randrange(len(values))
            j = i if rng.random() < 0.15 else rng.randrange(len(values))
            operands = [i, j]
            if not ok(values[i].data, values[j].data):
                continue
        out = fn(*(values[k] for k in operands))
        if not abs(out.data) < 1e3:  # keep numbers well conditioned
            continue
        values.append(out)
        tensors.append(fn(*(tensors[k] for k in operands)))
        uses.append(0)
        for k in operands:
            uses[k] += 1
    # The output: the last node plus a few random others, so most of the graph matters.
    picks = [len(values) - 1] + [rng.randrange(len(values)) for _ in range(rng.randint(0, 3))]
    out, out_ref = values[picks[0]], tensors[picks[0]]
    for k in picks[1:]:
        out, out_ref = out + values[k], out_ref + tensors[k]
        uses[k] += 1
    return values, tensors, out, out_ref, max(uses) > 1


@pytest.mark.parametrize("seed", range(150))
def test_random_expression_graph_gradients_match_torch(seed: int) -> None:
    values, tensors, out, out_ref, _ = _random_graph(seed)
    out.backward()
    assert out.data == pytest.approx(out_ref.item(), rel=1e-9, abs=1e-12)
    for v, t in zip(values, tensors):
        assert v.data == pytest.approx(t.item(), rel=1e-9, abs=1e-12)
    # d out / d node for every node, leaves and intermediate values alike.
    grads_ref = torch.autograd.grad(out_ref, tensors, allow_unused=True)
    for v, g_ref in zip(values, grads_ref):
        expected = 0.0 if g_ref is None else g_ref.item()
        assert v.grad == pytest.approx(expected, rel=1e-8, abs=1e-10), f"node {v} (op {v._op!r})"


def test_random_graphs_share_subexpressions_and_use_every_operator() -> None:
    graphs = [_random_graph(seed) for seed in range(150)]
    assert sum(shared for *_, shared in graphs) >= 140  # most graphs reuse a node
    ops_seen = {v._op for values, *_ in graphs for v in values}
    assert {"+", "-", "*", "/", "neg", "exp", "log", "tanh", "sigmoid", "relu", "**2", "**3", "**0.5",
            "**-1"} <= ops_seen
    assert any(len(v._prev) == 2 and v._prev[0] is v._prev[1] for values, *_ in graphs for v in values)  # a * a


# ------------------------------------------------------------------------------ topological order

def test_topological_order_lists_each_node_once_inputs_first() -> None:
    values, _, out, _, _ = _random_graph(seed=3)
    order = topological_order(out)
    assert order[-1] is out
    assert len({id(v) for v in order}) == len(order)
    position = {id(v): i for i, v in enumerate(order)}
    for v in order:
        for child in v._prev:
            assert position[id(child)] < position[id(v)]
    # Exactly the nodes out depends on: compare with a plain recursive search.
    reachable: dict[int, Value] = {}

    def visit(v: Value) -> None:
        if id(v) not in reachable:
            reachable[id(v)] = v
            for child in v._prev:
                visit(child)

    visit(out)
    assert set(position) == set(reachable)


def test_topological_order_matches_micrograds_recursive_order() -> None:
    a, b = Value(1.0, label="a"), Value(2.0, label="b")
    c = a * b
    d = c + a
    e = d * c
    assert [v.label or v._op for v in topological_order(e)] == ["a", "b", "*", "+", "*"]
    assert topological_order(a) == [a]


def test_topological_order_rejects_non_values() -> None:
    with pytest.raises(TypeError, match="`value`"):
        topological_order(1.0)


# ----------------------------------------------------------------------------------- deep graphs

@pytest.mark.parametrize("depth", [5000, 20_000])
def test_deep_chain_of_additions_has_no_recursion_error(depth: int) -> None:
    assert depth > sys.getrecursionlimit()  # a recursive topological sort would fail here
    x = Value(0.5)
    y = x
    for _ in range(depth):
        y = y + x
    y.backward()
    assert x.grad == depth + 1
    assert len(topological_order(y)) == depth + 1
    y.zero_grad()
    assert x.grad == 0.0


def test_deep_chain_of_mixed_operations_matches_torch() -> None:
    x, t = Value(0.3), torch.tensor(0.3, dtype=DTYPE, requires_grad=True)
    y, u = x, t
    for i in range(3000):
        y = (y * 0.9 + x).tanh() if i % 2 else y.sigmoid() - 0.2 * x
        u = (u * 0.9 + t).tanh() if i % 2 else u.sigmoid() - 0.2 * t
    y.backward()
    (g_ref,) = torch.autograd.grad(u, t)
    assert y.data == pytest.approx(u.item(), rel=1e-10)
    assert x.grad == pytest.approx(g_ref.item(), rel=1e-8)


# ----------------------------------------------------------------------------------------- errors

def test_exponent_must_be_a_number_not_a_value() -> None:
    with pytest.raises(TypeError, match="`exponent`"):
        Value(2.0) ** Value(3.0)
    with pytest.raises(TypeError, match="`exponent`"):
        Value(2.0) ** "3"


def test_negative_base_needs_an_integer_exponent() -> None:
    with pytest.raises(ValueError, match="`exponent`"):
        Value(-8.0) ** (1 / 3)
    assert (Value(-2.0) ** 2.0).data == 4.0  # an integral float is fine


@pytest.mark.parametrize("x", [0.0, -1.0, -1e-300])
def test_log_of_a_non_positive_value_names_the_value(x: float) -> None:
    with pytest.raises(ValueError, match=f"data={x}"):
        Value(x).log()


def test_data_must_be_a_real_number() -> None:
    for bad in ["1.0", [1.0], None, Value(1.0), 1 + 2j]:
        with pytest.raises(TypeError, match="`data`"):
            Value(bad)


def test_arithmetic_with_a_non_number_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        Value(1.0) + "a"
    with pytest.raises(TypeError):
        "a" * Value(1.0)


def test_division_by_zero_raises() -> None:
    with pytest.raises(ZeroDivisionError):
        Value(1.0) / Value(0.0)
    with pytest.raises(ZeroDivisionError):
        1.0 / Value(0.0)


# ------------------------------------------------------------------------------------ draw_graph

def _neuron() -> tuple[Value, list[Value]]:
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2, b = Value(-3.0, label="w1"), Value(1.0, label="w2"), Value(6.8813735870195432, label="b")
    n = x1 * w1 + x2 * w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    o.backward()
    return o, [x1, x2, w1, w2, b, n]


def test_draw_graph_returns_a_figure_with_one_box_per_value() -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    o, (x1, *_, n) = _neuron()
    fig = draw_graph(o)
    assert isinstance(fig, Figure)
    (ax,) = fig.axes
    nodes = topological_order(o)
    assert len(nodes) == 10
    assert len(ax.texts) == len(nodes)
    assert sum(isinstance(p, FancyBboxPatch) for p in ax.patches) == len(nodes)
    assert sum(isinstance(p, FancyArrowPatch) for p in ax.patches) == 9  # one per input of each op
    texts = [t.get_text() for t in ax.texts]
    assert any(t.startswith("o (tanh)") and "data 0.7071" in t and "grad 1" in t for t in texts)
    assert any(t.startswith("x1\n") and "grad -1.5" in t for t in texts)
    # Inputs are drawn to the left of the values computed from them.
    x_of = {t.get_text().split("\n")[0]: t.get_position()[0] for t in ax.texts}
    assert x_of["x1"] < x_of["n (+)"] < x_of["o (tanh)"]
    buffer = io.BytesIO()
    FigureCanvasAgg(fig).print_png(buffer)
    assert buffer.getvalue().startswith(b"\x89PNG")


def test_draw_graph_counts_a_reused_value_once() -> None:
    from matplotlib.patches import FancyArrowPatch

    a = Value(2.0, label="a")
    c = a + a
    fig = draw_graph(c)
    (ax,) = fig.axes
    assert len(ax.texts) == 2
    assert sum(isinstance(p, FancyArrowPatch) for p in ax.patches) == 1
    assert len(draw_graph(a).axes[0].texts) == 1  # a single leaf is a graph too


def test_draw_graph_highlights_one_node() -> None:
    from matplotlib.colors import to_rgba
    from matplotlib.patches import FancyBboxPatch

    o, (*_, n) = _neuron()
    boxes = [p for p in draw_graph(o, highlight=n).axes[0].patches if isinstance(p, FancyBboxPatch)]
    colours = [p.get_facecolor() for p in boxes]
    plain = [p.get_facecolor() for p in draw_graph(o).axes[0].patches if isinstance(p, FancyBboxPatch)]
    assert len(set(plain)) == 1
    assert sum(c != plain[0] for c in colours) == 1
    assert to_rgba("#ffcc80") in colours
    with pytest.raises(ValueError, match="`highlight`"):
        draw_graph(o, highlight=Value(1.0))


def test_draw_graph_draws_into_given_axes_without_pyplot_state() -> None:
    from matplotlib.figure import Figure

    pyplot_before = "matplotlib.pyplot" in sys.modules
    figures_before = _pyplot_figures()
    fig = Figure()
    ax = fig.add_subplot()
    o, _ = _neuron()
    assert draw_graph(o, ax=ax) is fig
    assert len(ax.texts) == len(topological_order(o))
    draw_graph(o)
    assert ("matplotlib.pyplot" in sys.modules) == pyplot_before  # draw_graph does not import pyplot
    assert _pyplot_figures() == figures_before  # nor open a pyplot figure


def _pyplot_figures() -> list[int]:
    plt = sys.modules.get("matplotlib.pyplot")
    return [] if plt is None else plt.get_fignums()


def test_draw_graph_adds_boxes_texts_and_arrows_in_topological_order() -> None:
    """The backprop stepper restyles draw_graph's artists by position: box i and text i are node i of
    topological_order, arrow j is the j-th (input, node) pair in that order."""
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    o, _ = _neuron()
    ax = draw_graph(o).axes[0]
    order = topological_order(o)
    boxes = [p for p in ax.patches if isinstance(p, FancyBboxPatch)]
    arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    edges = [(child, node) for node in order for child in dict.fromkeys(node._prev)]
    assert len(boxes) == len(ax.texts) == len(order) and len(arrows) == len(edges)
    for node, box, text in zip(order, boxes, ax.texts):
        x, y = text.get_position()
        assert box.contains_point(ax.transData.transform((x, y)))
        assert f"data {node.data:.4g}" in text.get_text()
    for (child, node), arrow in zip(edges, arrows):
        (x0, _), (x1, _) = arrow._posA_posB  # from the input's right edge to the node's left edge
        assert x0 == pytest.approx(ax.texts[order.index(child)].get_position()[0] + 0.55)
        assert x1 == pytest.approx(ax.texts[order.index(node)].get_position()[0] - 0.55)


# ----------------------------------------------------------------------- chapter 03's backprop stepper

def test_backprop_steps_visit_each_node_after_all_its_uses_and_sum_local_times_upstream() -> None:
    from course_utils.autograd import backprop_example as _backprop_example
    from course_utils.autograd import backprop_steps as _backprop_steps

    out = _backprop_example()
    steps = _backprop_steps(out)
    order = topological_order(out)
    assert [node for node, _ in steps] == list(reversed(order))
    assert steps[0] == (out, []) and out.grad == 1.0
    done: set[int] = set()
    for node, uses in steps:
        assert all(id(consumer) in done for consumer, _, _ in uses)  # upstream gradients are complete
        if uses:
            assert node.grad == pytest.approx(sum(local * upstream for _, local, upstream in uses), rel=1e-12)
        done.add(id(node))
    by_label = {node.label: (node, uses) for node, uses in steps}
    w, w_uses = by_label["w"]
    assert sorted(c.label for c, _, _ in w_uses) == ["w²", "w·x"]  # w is used twice
    # The chapter's hand computation: x = 2, w = 0.3, b = -0.1, y = 1, λ = 0.1.
    assert by_label["a"][0].data == pytest.approx(0.6225, abs=5e-5)
    t = {k: torch.tensor(v, dtype=DTYPE, requires_grad=True) for k, v in
         {"x": 2.0, "w": 0.3, "b": -0.1, "y": 1.0, "λ": 0.1}.items()}
    loss = (torch.sigmoid(t["w"] * t["x"] + t["b"]) - t["y"]) ** 2 + t["λ"] * t["w"] ** 2
    loss.backward()
    assert out.data == pytest.approx(loss.item(), rel=1e-12)
    for label, tensor in t.items():
        assert by_label[label][0].grad == pytest.approx(tensor.grad.item(), rel=1e-12), label


def test_backprop_steps_local_gradients_for_every_operator() -> None:
    from course_utils.autograd import backprop_steps as _backprop_steps
    from course_utils.autograd import local_formula as _local_formula

    a, b = Value(1.5, label="a"), Value(-0.7, label="b")
    nodes = [a + b, a - b, a * b, a / b, a**3, -a, a.exp(), a.log(), a.tanh(), a.sigmoid(), a.relu(), a * a]
    out = nodes[0]
    for n in nodes[1:]:
        out = out + n
    out.label = "f"
    steps = _backprop_steps(out)
    ta = torch.tensor(1.5, dtype=DTYPE, requires_grad=True)
    tb = torch.tensor(-0.7, dtype=DTYPE, requires_grad=True)
    t_nodes = [ta + tb, ta - tb, ta * tb, ta / tb, ta**3, -ta, ta.exp(), ta.log(), ta.tanh(), ta.sigmoid(),
               ta.relu(), ta * ta]
    for node, t_node in zip(nodes, t_nodes):
        uses = next(u for n, u in steps if n is node)
        assert len(uses) == 1 and uses[0][1] == 1.0  # each feeds one "+" node
        for child in dict.fromkeys(node._prev):
            (local,) = (loc for c, loc, _ in next(u for n, u in steps if n is child) if c is node)
            slot = ta if child is a else tb
            (ref,) = torch.autograd.grad(t_node, slot, retain_graph=True)
            assert local == pytest.approx(ref.item(), rel=1e-12), node._op
            assert "?" not in _local_formula(node, child), node._op
    assert _local_formula(nodes[2], a) == "b" and _local_formula(nodes[2], b) == "a"
    assert _local_formula(nodes[-1], a) == "2·a" and _local_formula(nodes[9], a).endswith("(1 − [sigmoid])")


def test_backprop_stepper_shows_every_step_and_explains_it() -> None:
    from course_utils.autograd import backprop_example as _backprop_example
    from course_utils.autograd import backprop_steps as _backprop_steps
    from course_utils.widgets import backprop_stepper
    from course_utils.widgets.autograd import _step_caption

    widget = backprop_stepper()
    slider = widget.controls["step"]
    assert (slider.min, slider.max, slider.value) == (1, 13, 1)
    pictures = set()
    for step in range(1, 14):
        slider.value = step
        assert widget.last_error is None
        pictures.add(widget.image.value)
    assert len(pictures) == 13
    width, height = struct.unpack(">II", widget.image.value[16:24])
    assert width <= 1100 and height <= 1100

    out = _backprop_example()
    steps = _backprop_steps(out)
    assert "Backprop starts here: ∂L/∂L = 1" in _step_caption(1, 13, out, *steps[0])
    node, uses = steps[-1]
    caption = _step_caption(13, 13, out, node, uses)
    assert node.label == "w" and "used 2 times" in caption
    assert "∂L/∂w = ∂(w·x)/∂w × ∂L/∂(w·x) + ∂(w²)/∂w × ∂L/∂(w²)" in caption
    assert "= x × ∂L/∂(w·x) + 2·w × ∂L/∂(w²)" in caption
    assert "= 2 × (−0.1774) + 0.6 × 0.1 = −0.2949" in caption


def test_backprop_stepper_takes_any_small_graph_and_refuses_big_ones() -> None:
    from course_utils.widgets import backprop_stepper

    x, y, z = Value(-2.0, label="x"), Value(5.0, label="y"), Value(-4.0, label="z")
    q = x + y
    q.label = "q"
    f = q * z
    f.label = "f"
    widget = backprop_stepper(f)
    assert widget.controls["step"].max == 5
    assert (x.grad, y.grad, z.grad) == (-4.0, -4.0, 3.0)  # it ran backward
    widget.controls["step"].value = 5
    assert widget.last_error is None

    with pytest.raises(TypeError, match="`output`"):
        backprop_stepper(1.0)
    big = Value(0.0)
    for _ in range(40):
        big = big + 1.0
    with pytest.raises(ValueError, match="at most 40"):
        backprop_stepper(big)


# ------------------------------------------------------------------------- chapter 03's exercises

def test_autograd_exercises_accept_the_solutions_and_catch_typical_mistakes(capsys) -> None:
    from course_utils import checks
    from course_utils.checks import autograd as ex

    for name in ("two_node_gradient", "value_pow", "linear_backward", "numerical_grad"):
        assert checks.check(name, getattr(ex, name)), capsys.readouterr().out

    def pow_overwrites(a, k):  # = instead of +=
        out = Value(a.data**k, (a,), "**")

        def _backward():
            a.grad = k * a.data ** (k - 1) * out.grad

        out._backward = _backward
        return out

    def pow_ignores_upstream(a, k):  # forgets out.grad
        out = Value(a.data**k, (a,), "**")

        def _backward():
            a.grad += k * a.data ** (k - 1)

        out._backward = _backward
        return out

    def pow_without_backward(a, k):
        return Value(a.data**k, (a,), "**")

    def pow_without_children(a, k):
        return Value(a.data**k)

    def pow_with_a_broken_backward(a, k):
        out = Value(a.data**k, (a,), "**")

        def _backward():
            a.grad += k * a.dta ** (k - 1) * out.grad  # a typo: AttributeError inside backward()

        out._backward = _backward
        return out

    def pow_with_a_stub_backward(a, k):
        out = Value(a.data**k, (a,), "**")

        def _backward():
            raise NotImplementedError

        out._backward = _backward
        return out

    def forward_difference(f, x, h=1e-6):
        grad = torch.zeros_like(x)
        for i in range(x.numel()):
            nudged = x.clone()
            nudged.view(-1)[i] += h
            grad.view(-1)[i] = (float(f(nudged)) - float(f(x))) / h
        return grad

    def divides_by_h(f, x, h=1e-6):
        return 2 * ex.numerical_grad(f, x, h)

    def leaves_x_nudged(f, x, h=1e-6):
        grad = ex.numerical_grad(f, x, h)
        x.view(-1)[0] += h
        return grad

    def nudges_everything(f, x, h=1e-6):
        return torch.full_like(x, (float(f(x + h)) - float(f(x - h))) / (2 * h))

    wrong = {
        "two_node_gradient": [lambda x, y, z: (z, z, x), lambda x, y, z: (1.0, 1.0, x + y),
                              lambda x, y, z: (z, z)],
        "value_pow": [pow_overwrites, pow_ignores_upstream, pow_without_backward, pow_without_children,
                      pow_with_a_broken_backward, lambda a, k: a.data**k],
        "linear_backward": [lambda x, w, g: (g @ w, x.T @ g, g.sum(0)),           # grad_weight transposed
                            lambda x, w, g: (g @ w, g.T @ x, g.mean(0)),          # mean instead of sum
                            lambda x, w, g: (g @ w.T, g.T @ x, g.sum(0))],        # wrong grad_x
        "numerical_grad": [forward_difference, divides_by_h, leaves_x_nudged, nudges_everything],
    }
    for name, answers in wrong.items():
        for answer in answers:
            result = checks.check(name, answer)
            out = capsys.readouterr().out
            assert result.status == "wrong", (name, out)
            assert "checks.hint(" in out and "Traceback" not in out
    assert checks.check("value_pow", lambda a, k: None).status == "not attempted"
    assert checks.check("value_pow", pow_with_a_stub_backward).status == "not attempted"
    assert "AttributeError" in (capsys.readouterr().out + str(checks.check("value_pow", pow_with_a_broken_backward)))


# ---------------------------------------------------------------- the public view of a graph, for the stepper

def test_graph_accessors_name_the_operations_and_inputs() -> None:
    from course_utils.autograd import graph_edges, inputs, node_name, node_title, operation

    a, b = Value(2.0, label="a"), Value(3.0)
    c = a * a + b
    assert inputs(c)[1] is b and inputs(inputs(c)[0]) == (a, a) and inputs(a) == ()
    assert (operation(c), operation(a)) == ("+", "")
    assert (node_name(a), node_name(b), node_name(c)) == ("a", "3", "[+]")
    c.label = "c"
    assert (node_title(c), node_title(a), node_title(inputs(c)[0])) == ("c (+)", "a", "(*)")
    fig = draw_graph(c)
    from matplotlib.patches import FancyArrowPatch

    arrows = [p for p in fig.axes[0].patches if isinstance(p, FancyArrowPatch)]
    assert len(graph_edges(c)) == len(arrows) == 3  # a·a draws one arrow from a


def test_public_backprop_steps_agree_with_torch_on_the_worked_example() -> None:
    from course_utils.autograd import backprop_example, backprop_steps, local_formula

    out = backprop_example()
    steps = backprop_steps(out)
    assert [node for node, _ in steps] == list(reversed(topological_order(out)))
    w = next(node for node, _ in steps if node.label == "w")
    tw = torch.tensor(0.3, dtype=DTYPE, requires_grad=True)
    ((torch.sigmoid(tw * 2.0 - 0.1) - 1.0) ** 2 + 0.1 * tw**2).backward()
    assert w.grad == pytest.approx(tw.grad.item(), rel=1e-12)
    z = next(node for node, _ in steps if node.label == "z")
    a = next(node for node, _ in steps if node.label == "a")
    assert local_formula(a, z) == "a(1 − a)"
