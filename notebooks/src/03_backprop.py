# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# # 03 · Backpropagation
#
# **You will be able to**
# - name the four parts of a training step — forward pass, loss, backward pass, update — and say which one
#   backpropagation is;
# - apply the chain rule on a computational graph node by node: *local gradient × upstream gradient*, added up
#   over every path;
# - derive the gradients of a two-layer network in matrix form, with their shapes, and confirm them with
#   `loss.backward()`;
# - use `requires_grad`, `.grad`, `torch.no_grad()` and `zero_grad()` correctly, and say why gradients accumulate;
# - build a small automatic-differentiation engine, `Value`, from scratch and train a network with it;
# - check any gradient numerically with central differences and a relative error.
#
# **Prerequisites:** chapters 00–02 (a training loop, `nn.Linear`, sigmoid, tanh and ReLU with their derivatives);
# the derivative of a function of one variable.
#
# **Run time:** about 10 seconds on a 2-core laptop CPU.

# %%
# %matplotlib inline
import math
import random

import torch
import torch.nn.functional as F
from torch import nn

import course_utils as cu
from course_utils import checks
from course_utils.autograd import Value, draw_graph, worked_example
from course_utils.data import make_moons
from course_utils.plot import new_figure, plot_decision_boundary
from course_utils.widgets import backprop_stepper

cu.set_language("en")  # the language of the messages of checkers and widgets: "en" or "zh"
cu.env.check_environment()  # one line: OK, or what to fix and how
cu.set_seed(0)
device = cu.get_device()
print(f"device: {device} (this chapter's tensors are tiny: it computes on the CPU)")

# %% [markdown]
# ## 1. One training step: forward, loss, backward, update
#
# Training repeats four steps. Take the smallest model there is, one weight: $\hat y = w x$, and one example,
# $x = 2$, $y = 6$ (so the best weight is $w = 3$). With the squared error as the loss:
#
# 1. **forward pass** — compute the prediction: $\hat y = w x$;
# 2. **loss** — one number that says how wrong it is: $L = (\hat y - y)^2$;
# 3. **backward pass** — the derivative of the loss with respect to the weight, by the chain rule:
#    $\dfrac{\partial L}{\partial w} = \dfrac{\partial L}{\partial \hat y}\cdot\dfrac{\partial \hat y}{\partial w}
#    = 2(\hat y - y)\cdot x$;
# 4. **update** — a small step against the gradient: $w \leftarrow w - \eta\,\dfrac{\partial L}{\partial w}$,
#    with learning rate $\eta$.
#
# **Backpropagation is step 3 only**: an efficient way to compute $\partial L/\partial w$ for every weight of a
# network at once. Step 4 belongs to the optimizer (plain gradient descent here; Adam and friends in chapter 06),
# which *uses* those gradients.

# %%
# NBVAL_CHECK_OUTPUT
x, y = 2.0, 6.0
w, lr = 0.5, 0.05
losses = []
for step in range(4):
    y_hat = w * x                   # 1. forward
    loss = (y_hat - y) ** 2         # 2. loss
    dloss_dw = 2 * (y_hat - y) * x  # 3. backward: dL/dy_hat * dy_hat/dw
    w = w - lr * dloss_dw           # 4. update
    losses.append(loss)
    print(f"step {step}: loss {loss:6.3f}   dL/dw {dloss_dw:6.2f}   new w {w:.3f}")
assert losses == sorted(losses, reverse=True) and abs(w - 3) < abs(0.5 - 3)  # the loss falls, w moves to 3

# %% [markdown]
# PyTorch does step 3 for you. Mark the tensors you want gradients for with `requires_grad=True`; after
# `loss.backward()`, each one's `.grad` holds $\partial L / \partial w$. The update is done inside
# `torch.no_grad()` (it must not become part of the graph), and the gradient is zeroed before the next
# backward pass — section 3 shows why.

# %%
w_t = torch.tensor(0.5, dtype=torch.float64, requires_grad=True)
for _ in range(4):
    loss_t = (w_t * x - y) ** 2   # forward + loss: PyTorch records the operations
    loss_t.backward()             # backward: fills w_t.grad with dL/dw
    assert math.isclose(w_t.grad.item(), 2 * (w_t.item() * x - y) * x)  # the same as our formula
    with torch.no_grad():
        w_t -= lr * w_t.grad      # update, not recorded
    w_t.grad.zero_()              # clear the gradient for the next step
assert math.isclose(w_t.item(), w)  # the same four steps, the same weight

# %% [markdown]
# ## 2. The chain rule on a computational graph
#
# A network is a long composition of simple operations. Write each operation as a **node** of a graph; the
# forward pass computes the nodes from left to right. Each node knows only its own **local gradient**: how its
# output changes when one of its inputs changes ($\partial(uv)/\partial u = v$, $\partial\sigma(z)/\partial z =
# \sigma(z)(1-\sigma(z))$, …). The backward pass goes from right to left: a node $v$ receives, from a node $c$ that
# uses it, the **upstream gradient** $\partial L/\partial c$ and multiplies it by the local gradient
# $\partial c/\partial v$. That is the chain rule. When $v$ feeds several nodes, its contributions **add up**, one
# per path to the loss: summed over the nodes $c$ that use $v$, local gradient × upstream gradient,
#
# $$\frac{\partial L}{\partial v} \;=\; \sum_{c}\; \frac{\partial c}{\partial v}\cdot\frac{\partial L}{\partial c} .$$
#
# Every node's gradient is computed once and then reused by all the nodes before it, so one backward pass visits
# each node of the graph once, however many weights there are.
#
# **A worked example.** One sigmoid neuron with a squared-error loss and a small penalty on its weight (a
# *weight decay* term, chapter 07):
#
# $$L = \big(\sigma(w x + b) - y\big)^2 + \lambda w^2, \qquad x = 2,\ w = 0.3,\ b = -0.1,\ y = 1,\ \lambda = 0.1 .$$
#
# Then $z = wx + b = 0.5$ and $a = \sigma(0.5) = 0.6225$ (the same weighted sum, and output, as chapter 01's
# worked neuron). The weight $w$ is used
# twice (in $wx$ and in $\lambda w^2$), so its gradient is a sum of two paths. The local gradients:
#
# | node | computes | local gradient |
# |---|---|---|
# | $w \cdot x$ | $w \cdot x$ | $x$ for $w$; $w$ for $x$ |
# | $z$ | $w \cdot x + b$ | 1 for each input |
# | $a$ | $\sigma(z)$ | $a(1-a)$ |
# | $d$ | $a - y$ | 1 for $a$; −1 for $y$ |
# | $d^2$ | $d^2$ | $2d$ |
# | $w^2$ | $w^2$ | $2w$ |
# | $\lambda w^2$ | $\lambda \cdot w^2$ | $\lambda$ for $w^2$; $w^2$ for $\lambda$ |
# | $L$ | $d^2 + \lambda w^2$ | 1 for each input |
#
# By hand, with plain Python numbers: the forward pass left to right, then the backward pass right to left, each
# line *local gradient × upstream gradient*:

# %%
# NBVAL_CHECK_OUTPUT
x, w, b, y, lam = 2.0, 0.3, -0.1, 1.0, 0.1
# forward
wx = w * x
z = wx + b
a = 1 / (1 + math.exp(-z))
d = a - y
L = d**2 + lam * w**2
# backward: start with dL/dL = 1
dL_dd2 = 1.0                     # L = d² + λw²: local gradient 1 for each term
dL_dlamw2 = 1.0
dL_dd = 2 * d * dL_dd2           # d²: local 2d
dL_da = 1.0 * dL_dd              # d = a − y: local 1 for a ...
dL_dy = -1.0 * dL_dd             # ... and −1 for y
dL_dz = a * (1 - a) * dL_da      # sigmoid: local a(1 − a)
dL_db = 1.0 * dL_dz              # z = wx + b: local 1 for each input
dL_dwx = 1.0 * dL_dz
dL_dx = w * dL_dwx               # wx: local w for x ...
dL_dw2 = lam * dL_dlamw2         # λ·w²: local λ for w²
dL_dw = x * dL_dwx + 2 * w * dL_dw2  # ... and w has two paths: x · upstream + 2w · upstream

assert round(z, 4) == 0.5 and round(a, 4) == 0.6225
assert round(x * dL_dwx, 4) == -0.3549 and round(2 * w * dL_dw2, 4) == 0.06  # w's two paths
print(f"L = {L:.4f}   dL/dw = {dL_dw:.4f}   dL/db = {dL_db:.4f}   dL/dx = {dL_dx:.4f}")

# %% [markdown]
# The same function in PyTorch, and its autograd: the numbers agree.

# %%
xt, wt, bt, yt = (torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in (x, w, b, y))
Lt = (torch.sigmoid(wt * xt + bt) - yt) ** 2 + lam * wt**2
Lt.backward()
for name, mine, theirs in [("w", dL_dw, wt), ("b", dL_db, bt), ("x", dL_dx, xt), ("y", dL_dy, yt)]:
    assert math.isclose(mine, theirs.grad.item(), rel_tol=1e-12), name
assert math.isclose(L, Lt.item(), rel_tol=1e-12)
print("by hand == torch autograd")

# %% [markdown]
# ### Step through it
#
# The widget shows the same graph after the forward pass. Move the slider: at each step one node (orange) gets
# its gradient, from the nodes that use it (green) — *local gradient × upstream gradient*, summed over its uses.
# The order is backwards through the graph: a node's turn comes only after every node that uses it is done, so
# its upstream gradients are complete. Watch the last step, the weight $w$: two uses, two products, one sum.

# %%
stepper = backprop_stepper()
stepper

# %% [markdown]
# ## 3. A two-layer network, in matrix form
#
# A real layer works on a whole batch at once, so its gradients are matrices. Take a batch $X$ of $N$ examples
# with $D$ features, a hidden layer of $K$ ReLU units, and $C$ class scores (logits) with the cross-entropy loss:
#
# $$H = X W_1^\top + b_1, \quad A = \mathrm{ReLU}(H), \quad S = A W_2^\top + b_2, \quad
#   L = \frac1N\sum_{n} -\log \operatorname{softmax}(S_n)_{y_n}$$
#
# with shapes $X: (N, D)$, $W_1: (K, D)$, $H, A: (N, K)$, $W_2: (C, K)$, $S: (N, C)$ — `nn.Linear(in, out)`
# stores its weight as `(out, in)`. Write $G_M = \partial L/\partial M$, a matrix of the same shape as $M$.
# Backwards:
#
# | gradient | formula | shape |
# |---|---|---|
# | $G_S$ | $(\operatorname{softmax}(S) - Y)/N$, with $Y$ the one-hot labels (derived below) | $(N, C)$ |
# | $G_{W_2}$ | $G_S^\top A$ | $(C, N)(N, K) = (C, K)$ |
# | $G_{b_2}$ | $\sum_n G_S[n, :]$ — the bias is added to every row | $(C,)$ |
# | $G_A$ | $G_S W_2$ | $(N, C)(C, K) = (N, K)$ |
# | $G_H$ | $G_A \odot \mathbb 1[H > 0]$ — ReLU lets the gradient through where it was active | $(N, K)$ |
# | $G_{W_1}$ | $G_H^\top X$ | $(K, N)(N, D) = (K, D)$ |
# | $G_{b_1}$ | $\sum_n G_H[n, :]$ | $(K,)$ |
#
# **Where $G_S$ comes from.** Take one example with logits $s$, label $y$ and probabilities
# $p = \operatorname{softmax}(s)$, and write $y_c = 1$ if $c = y$, else 0 (the one-hot row). Three lines:
#
# $$\begin{aligned}
# -\log p_y &= -\log\frac{e^{s_y}}{\sum_j e^{s_j}} = -s_y + \log\sum_j e^{s_j}, \\
# \frac{\partial(-s_y)}{\partial s_c} &= -y_c, \qquad
#   \frac{\partial}{\partial s_c}\log\sum_j e^{s_j} = \frac{e^{s_c}}{\sum_j e^{s_j}} = p_c, \\
# \frac{\partial(-\log p_y)}{\partial s_c} &= p_c - y_c .
# \end{aligned}$$
#
# The probabilities minus the one-hot label: a step against this gradient raises the right class's logit in
# proportion to its missing probability $1 - p_y$ and lowers every other logit $c$ in proportion to the
# probability it got, $p_c$. $L$ averages $N$ such terms, hence the $1/N$; row $n$ of $G_S$ is
# $(p_n - y_n)/N$.
#
# Where do the transposes come from? Entry by entry, $S_{nc} = \sum_k A_{nk} (W_2)_{ck} + (b_2)_c$, so
# $\partial L/\partial (W_2)_{ck} = \sum_n (G_S)_{nc} A_{nk}$ — exactly $(G_S^\top A)_{ck}$. In practice **let
# the shapes guide you**: the gradient has the shape of its tensor, and usually only one product of the
# available matrices has that shape.

# %%
cu.set_seed(0)
N, D, K, C = 6, 3, 5, 4
X = torch.randn(N, D, dtype=torch.float64)
labels = torch.randint(0, C, (N,))
net = nn.Sequential(nn.Linear(D, K), nn.ReLU(), nn.Linear(K, C)).double()
W1, b1 = net[0].weight.detach(), net[0].bias.detach()
W2, b2 = net[2].weight.detach(), net[2].bias.detach()

# forward, by hand
H = X @ W1.T + b1                 # (N, K)
A = H.clamp(min=0)                # ReLU
S = A @ W2.T + b2                 # (N, C) logits
P = S.softmax(dim=1)
loss = -P[torch.arange(N), labels].log().mean()

# backward, by hand
Y = F.one_hot(labels, C).double()
G_S = (P - Y) / N                 # (N, C)
G_W2 = G_S.T @ A                  # (C, K)
G_b2 = G_S.sum(dim=0)             # (C,)
G_A = G_S @ W2                    # (N, K)
G_H = G_A * (H > 0)               # (N, K)
G_W1 = G_H.T @ X                  # (K, D)
G_b1 = G_H.sum(dim=0)             # (K,)

# %% [markdown]
# Now autograd: the forward pass through `net`, `loss.backward()`, and each parameter's `.grad`.

# %%
# NBVAL_CHECK_OUTPUT
loss_t = F.cross_entropy(net(X), labels)
loss_t.backward()
assert torch.allclose(loss_t, loss)
S_leaf = S.clone().requires_grad_()
(G_S_autograd,) = torch.autograd.grad(F.cross_entropy(S_leaf, labels), S_leaf)
assert torch.allclose(G_S, G_S_autograd, rtol=1e-10, atol=1e-12)  # (p − y) / N, row by row
for (name, p), mine in zip(net.named_parameters(), [G_W1, G_b1, G_W2, G_b2]):
    assert p.requires_grad and p.grad.shape == p.shape == mine.shape
    assert torch.allclose(p.grad, mine, rtol=1e-10, atol=1e-12), name
    print(f"{name:9} shape {str(tuple(p.shape)):7} grad shape {str(tuple(p.grad.shape)):7} by hand == autograd")
assert nn.Linear(10, 64).weight.shape == (64, 10)  # (out, in)

# %% [markdown]
# Every gradient matches, and has its parameter's shape: `net[0].weight.grad` is `(5, 3)` = (out, in), like the
# weight. (For the same reason a tutorial's `nn.Linear(10, 64)` prints `fc1.weight.grad.shape` as
# `torch.Size([64, 10])`, not `[10, 64]`.)
#
# ### `requires_grad`, leaves and `.grad`
#
# PyTorch records an operation only when one of its inputs has `requires_grad=True`. Tensors you create have it
# off; an `nn.Module`'s parameters have it on. A tensor you created is a **leaf**; a result of recorded
# operations has a `grad_fn` (the node's backward function). `backward()` fills `.grad` of the leaves that
# require it; intermediate results keep no `.grad` unless you ask with `.retain_grad()`.

# %%
u = torch.tensor(2.0, requires_grad=True)  # a leaf we want the gradient of
k = torch.tensor(3.0)                      # a constant: requires_grad is False
h = u * k
h.retain_grad()                            # keep the gradient of this intermediate value too
e = h + u**2
e.backward()
assert u.is_leaf and not h.is_leaf and h.grad_fn is not None and k.grad is None
assert u.grad.item() == 3.0 + 2 * 2.0 == 7.0  # de/du = k + 2u
assert h.grad.item() == 1.0
print(f"e.grad_fn: {type(e.grad_fn).__name__}   u.grad: {u.grad.item()}")

# %% [markdown]
# Two errors you will meet. A backward pass frees the values the graph saved, so a second `backward()` through
# the same graph fails; and `backward()` needs a single number to start from:

# %%
v = torch.tensor([1.0, 2.0], requires_grad=True)
out = (v * v).sum()
out.backward()
try:
    out.backward()                               # the same graph again
except RuntimeError as err:
    assert "second time" in str(err)
    print("RuntimeError:", str(err).split(" (")[0])
try:
    (v * v).backward()                           # a vector, not a scalar
except RuntimeError as err:
    assert "scalar outputs" in str(err)
    print("RuntimeError:", err)

# %% [markdown]
# ### Gradients accumulate: `zero_grad()`
#
# `backward()` **adds** to `.grad`; it never overwrites it. Run it twice without clearing and the gradients
# double:

# %%
net.zero_grad()
F.cross_entropy(net(X), labels).backward()
first = net[0].weight.grad.clone()
F.cross_entropy(net(X), labels).backward()   # again, without zero_grad()
assert torch.allclose(net[0].weight.grad, 2 * first)
print(f"after two backward passes: |grad| / |first grad| = {(net[0].weight.grad.norm() / first.norm()).item()}")

# %% [markdown]
# Why add? For the same reason $w$ in section 2 got the sum of its two paths: a tensor used in several places
# must collect all its contributions, and the simplest way is `+=`. It is also useful: a batch too large for
# memory can be split into **micro-batches** whose gradients add up before one update. With a mean loss, weight
# each part by its share of the batch, and the sum equals the full-batch gradient:

# %%
net.zero_grad()
F.cross_entropy(net(X), labels).backward()
full = [p.grad.clone() for p in net.parameters()]

net.zero_grad()
for part in (slice(0, 2), slice(2, 6)):      # micro-batches of 2 and 4 examples
    share = (part.stop - part.start) / N
    (share * F.cross_entropy(net(X[part]), labels[part])).backward()
assert all(torch.allclose(p.grad, g) for p, g in zip(net.parameters(), full))
print("two micro-batches, accumulated == one full batch")

# %% [markdown]
# So in a training loop call `optimizer.zero_grad()` (or `model.zero_grad()`) once per step, before
# `backward()`. By default it sets `.grad` to `None`, which frees the memory and reads as "no gradient yet":

# %%
optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
optimizer.zero_grad()
assert all(p.grad is None for p in net.parameters())

# %% [markdown]
# ### `torch.no_grad()` and the update
#
# Inside `with torch.no_grad():` nothing is recorded: results have no `grad_fn` and need no memory for the
# backward pass. Use it for evaluation and for updating weights. An in-place update of a leaf that requires grad
# *outside* it is refused: autograd would have to record the update itself, and the weight would stop being a
# leaf. Rebinding instead, `w = w - lr * w.grad`, is not refused but is worse: the new `w` is a computed tensor,
# not a leaf, so the next `backward()` leaves its `.grad` empty:

# %%
with torch.no_grad():
    out = net(X)
assert not out.requires_grad and out.grad_fn is None

try:
    net[0].weight -= 0.1                          # outside no_grad
except RuntimeError as err:
    print("RuntimeError:", str(err)[:90], "…")
else:
    raise AssertionError("expected a RuntimeError")

w_leaf = torch.tensor(1.0, requires_grad=True)
(3 * w_leaf).backward()
w_next = w_leaf - 0.1 * w_leaf.grad              # outside no_grad: a computed tensor, not a leaf any more
assert not w_next.is_leaf and w_next.grad_fn is not None

# %% [markdown]
# The whole training step on the two-layer network, once by hand (our matrix gradients, our update) and once the
# PyTorch way (`loss.backward()`, `optimizer.step()`), from the same starting weights. Five steps of each give the
# same weights, and the loss falls:

# %%
net_torch = nn.Sequential(nn.Linear(D, K), nn.ReLU(), nn.Linear(K, C)).double()
net_torch.load_state_dict(net.state_dict())
optimizer = torch.optim.SGD(net_torch.parameters(), lr=0.5)
params = [p.detach().clone() for p in net.parameters()]  # W1, b1, W2, b2 for the by-hand version

by_hand_losses = []
for _ in range(5):
    W1_, b1_, W2_, b2_ = params
    H = X @ W1_.T + b1_                                       # forward
    A = H.clamp(min=0)
    P = (A @ W2_.T + b2_).softmax(dim=1)
    by_hand_losses.append(-P[torch.arange(N), labels].log().mean().item())  # loss
    G_S = (P - Y) / N                                         # backward
    G_H = (G_S @ W2_) * (H > 0)
    grads = [G_H.T @ X, G_H.sum(0), G_S.T @ A, G_S.sum(0)]
    params = [p - 0.5 * g for p, g in zip(params, grads)]     # update

    loss_t = F.cross_entropy(net_torch(X), labels)            # forward + loss
    optimizer.zero_grad()
    loss_t.backward()                                         # backward
    optimizer.step()                                          # update
    assert math.isclose(loss_t.item(), by_hand_losses[-1], rel_tol=1e-10)

assert all(torch.allclose(p, q) for p, q in zip(net_torch.parameters(), params))
assert by_hand_losses[-1] < by_hand_losses[0]
print(f"losses: {[round(v, 3) for v in by_hand_losses]}")

# %% [markdown]
# ## 4. Autograd from scratch: the `Value` class
#
# How does `loss.backward()` know all this? Every operation records its inputs and a small function that applies
# its local gradient. We now build that machine for single numbers (scalars), in the spirit of Andrej Karpathy's
# *micrograd* — it is PyTorch's autograd with the tensors taken out.
#
# **Step 1: a number that remembers where it came from.** Each result keeps its inputs (`_prev`) and the
# operation (`_op`): together they are the computational graph.

# %%
class Scalar:
    def __init__(self, data, _prev=(), _op=""):
        self.data = data
        self.grad = 0.0                  # dL/d(this value), filled in by the backward pass
        self._prev = _prev
        self._op = _op
        self._backward = lambda: None    # a leaf passes nothing on

    def __repr__(self):
        return f"Scalar(data={self.data:.4g}, grad={self.grad:.4g})"

    def __add__(self, other):
        return Scalar(self.data + other.data, (self, other), "+")

    def __mul__(self, other):
        return Scalar(self.data * other.data, (self, other), "*")


p, q, r = Scalar(2.0), Scalar(-3.0), Scalar(10.0)
e = p * q + r
print(f"{e} made by {e._op} from {e._prev}")

# %% [markdown]
# **Step 2: each operation knows its local gradient.** When an operation creates its output `out`, it also creates
# a function `_backward` that, once `out.grad` (the upstream gradient) is known, adds *local gradient ×
# `out.grad`* to each input's `.grad`. We add the methods to the class one at a time (Python allows that), so
# each idea gets its own cell:

# %%
def add(self, other):
    out = Scalar(self.data + other.data, (self, other), "+")

    def _backward():                     # d(a + b)/da = 1, d(a + b)/db = 1
        self.grad += 1.0 * out.grad
        other.grad += 1.0 * out.grad

    out._backward = _backward
    return out


def mul(self, other):
    out = Scalar(self.data * other.data, (self, other), "*")

    def _backward():                     # d(a * b)/da = b, d(a * b)/db = a
        self.grad += other.data * out.grad
        other.grad += self.data * out.grad

    out._backward = _backward
    return out


Scalar.__add__, Scalar.__mul__ = add, mul

p, q, r = Scalar(2.0), Scalar(-3.0), Scalar(10.0)
pq = p * q
e = pq + r
e.grad = 1.0          # dL/de with L = e
e._backward()         # fills pq.grad and r.grad
pq._backward()        # fills p.grad and q.grad (it needs pq.grad, so it must come second)
assert (p.grad, q.grad, r.grad) == (-3.0, 2.0, 1.0)  # de/dp = q, de/dq = p, de/dr = 1
print(p, q, r)

# %% [markdown]
# **Step 3: `backward()` in the right order.** A node may call its `_backward` only when its own `.grad` is
# complete — after every node that uses it. A **topological order** lists every node after its inputs;
# walking it in reverse gives exactly that.

# %%
def backward(self):
    order, seen = [], set()

    def visit(node):                     # depth first: a node's inputs go into `order` before it
        if node not in seen:
            seen.add(node)
            for child in node._prev:
                visit(child)
            order.append(node)

    visit(self)
    self.grad = 1.0                      # dL/dL = 1
    for node in reversed(order):         # from the output back to the leaves
        node._backward()


Scalar.backward = backward

p, q, r = Scalar(2.0), Scalar(-3.0), Scalar(10.0)
(p * q + r).backward()
assert (p.grad, q.grad, r.grad) == (-3.0, 2.0, 1.0)

# %% [markdown]
# **Why `+=` and not `=`.** In $f = a + a$ the value $a$ is used twice, and $\partial f/\partial a = 2$: one per
# path. With `=` the second path would overwrite the first:

# %%
a = Scalar(3.0)
(a + a).backward()
assert a.grad == 2.0


class ForgetfulScalar(Scalar):
    def __add__(self, other):            # the same, with = instead of +=
        out = ForgetfulScalar(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad = out.grad
            other.grad = out.grad

        out._backward = _backward
        return out


a = ForgetfulScalar(3.0)
(a + a).backward()
assert a.grad == 1.0  # wrong: one path lost
print("with +=: 2.0 (right);  with =: 1.0 (wrong)")

# %% [markdown]
# **The package version.** `course_utils.autograd.Value` is this class, finished: it adds `-`, `/`, `**` with a
# number, `exp`, `log`, `tanh`, `sigmoid`, `relu`, numbers on either side (`2 * a` works through the *reflected*
# operators `__rmul__` and friends), labels for pictures, a topological order without recursion (so graphs
# thousands of nodes deep work), and `zero_grad()`. Read it:

# %%
cu.show_source(Value)

# %% [markdown]
# With `Value` the worked example of section 2 is its own formula, and the gradients are the ones we computed by
# hand:

# %%
cu.show_source(worked_example)

# %%
Lv, (xv, wv, bv, yv, lv) = worked_example(x, w, b, y, lam)
Lv.backward()
assert math.isclose(wv.grad, dL_dw) and math.isclose(bv.grad, dL_db) and math.isclose(xv.grad, dL_dx)
assert math.isclose(lv.grad, w**2)  # dL/dλ = w²

fig, ax = new_figure(width=11, height=3.4)
draw_graph(Lv, ax=ax)

# %% [markdown]
# Each box is one `Value`: its label (the names of the table in section 2, as in the stepper) and its operation,
# its `data` from the forward pass and its `grad` from the backward pass (`draw_graph` needs only matplotlib).
# `backprop_stepper(your_value)` steps through any small graph of yours, like the widget above.
#
# ## 5. Gradient checking
#
# A gradient formula or a backward function can be wrong in ways no error message reveals: training is merely
# slow or odd. The cure is a check against the definition of the derivative. Taylor's formula
# $f(x \pm h) = f(x) \pm h f'(x) + \tfrac{h^2}{2} f''(x) \pm \tfrac{h^3}{6} f'''(x) + \dots$ gives two estimates,
# the **forward** difference (left) and the **central** difference (right):
#
# $$\frac{f(x+h) - f(x)}{h} = f'(x) + O(h), \qquad \frac{f(x+h) - f(x-h)}{2h} = f'(x) + O(h^2).$$
#
# The central difference is far more accurate for the same $h$. But $h$ cannot be tiny either: $f(x+h)$ and
# $f(x-h)$ then agree in almost all their digits, and the rounding error, about $\varepsilon / h$ with
# $\varepsilon \approx 10^{-16}$ in float64, takes over. Here is the error for $f = \sin$ at $x = 1$:

# %%
hs = [10.0**e for e in torch.linspace(-13, -1, 49).tolist()]
exact = math.cos(1.0)
forward_err = [abs((math.sin(1 + h) - math.sin(1)) / h - exact) for h in hs]
central_err = [abs((math.sin(1 + h) - math.sin(1 - h)) / (2 * h) - exact) for h in hs]

h = 1e-5
assert abs((math.sin(1 + h) - math.sin(1 - h)) / (2 * h) - exact) < 1e-10   # central: about h²/6
assert abs((math.sin(1 + h) - math.sin(1)) / h - exact) > 1e-6              # forward: about h/2
assert min(central_err) < min(forward_err) / 100
assert all(err < 1e-9 for h, err in zip(hs, central_err) if 1e-6 <= h <= 1e-5)

fig, ax = new_figure(width=5.5, height=3.5)
ax.loglog(hs, forward_err, "o-", ms=3, label="forward difference")
ax.loglog(hs, central_err, "o-", ms=3, label="central difference")
ax.set(xlabel="step h", ylabel="|estimate − exact|", title="Finite differences for sin′(1), float64")
ax.legend()
fig

# %% [markdown]
# Left of each valley rounding error dominates, right of it the truncation error ($\propto h$ or $h^2$). A step
# of $h$ between $10^{-6}$ and $10^{-5}$ in float64 keeps the central difference's error below $10^{-9}$.
#
# **The criterion.** Compare an analytic gradient $g_a$ with a numerical one $g_n$ by the **relative error**,
# which does not depend on the scale of the numbers (it is taken as 0 when both are 0):
#
# $$\operatorname{rel}(g_a, g_n) = \frac{|g_a - g_n|}{\max(|g_a|, |g_n|)}.$$
#
# In float64 with central differences a correct gradient gives a relative error around $10^{-8}$ or less; we
# accept below $10^{-6}$. A wrong formula typically gives $10^{-2}$ or more.
#
# **Checking `Value`.** Nudge one input of the worked example up and down, rebuild the graph, and compare with
# the `grad` that `backward()` computed:

# %%
def rel_error(g_a: float, g_n: float) -> float:
    scale = max(abs(g_a), abs(g_n))
    return 0.0 if scale == 0 else abs(g_a - g_n) / scale


def check_value_gradients(sigmoid=Value.sigmoid, h=1e-6):
    """The largest relative error between backward() and central differences, over the five inputs."""
    inputs = [x, w, b, y, lam]
    out, leaves = worked_example(*inputs, sigmoid=sigmoid)
    out.backward()
    worst = 0.0
    for i, leaf in enumerate(leaves):
        up, down = list(inputs), list(inputs)
        up[i] += h
        down[i] -= h
        numerical = (worked_example(*up, sigmoid=sigmoid)[0].data
                     - worked_example(*down, sigmoid=sigmoid)[0].data) / (2 * h)
        worst = max(worst, rel_error(leaf.grad, numerical))
    return worst


worst = check_value_gradients()
assert worst < 1e-6
print(f"Value: largest relative error {worst:.1e}")

# %% [markdown]
# And a check that catches a bug: a sigmoid whose backward forgets the factor $(1 - a)$.

# %%
def buggy_sigmoid(v: Value) -> Value:
    s = 1 / (1 + math.exp(-v.data))
    out = Value(s, (v,), "sigmoid")

    def _backward():
        v.grad += s * out.grad           # wrong: the local gradient is s * (1 - s)

    out._backward = _backward
    return out


worst_buggy = check_value_gradients(sigmoid=buggy_sigmoid)
assert worst_buggy > 1e-2
print(f"buggy sigmoid: largest relative error {worst_buggy:.1e}  -> a bug")

# %% [markdown]
# **Checking the matrix gradients.** The same test works on tensors, one entry at a time. Here every entry of
# $W_1$, against our by-hand $G_{W_1}$ from section 3:

# %%
def two_layer_loss(W1_: torch.Tensor) -> float:
    P = ((X @ W1_.T + b1).clamp(min=0) @ W2.T + b2).softmax(dim=1)
    return -P[torch.arange(N), labels].log().mean().item()


h = 1e-6
worst = 0.0
for i in range(K):
    for j in range(D):
        up, down = W1.clone(), W1.clone()
        up[i, j] += h
        down[i, j] -= h
        numerical = (two_layer_loss(up) - two_layer_loss(down)) / (2 * h)
        worst = max(worst, rel_error(G_W1[i, j].item(), numerical))
assert worst < 1e-6
print(f"G_W1: largest relative error {worst:.1e}")

# %% [markdown]
# PyTorch ships this check: `torch.autograd.gradcheck(fn, inputs)` compares autograd with central differences
# for every input entry (inputs in float64, with `requires_grad=True`) and returns `True` or raises an error that
# names the mismatch. Use it when you write your own `torch.autograd.Function`. Here it checks autograd on the
# two-layer loss as a function of $W_1$:

# %%
W1_check = W1.clone().requires_grad_(True)
assert torch.autograd.gradcheck(lambda W: F.cross_entropy((X @ W.T + b1).relu() @ W2.T + b2, labels), (W1_check,))

# %% [markdown]
# Two things make a correct gradient fail the check. **float32**: its rounding error is about $10^{-7}$ of a
# value, so with $h = 10^{-6}$ the central difference is off by around a percent — check in float64. **Kinks**:
# within $h$ of a ReLU's 0 the difference straddles two slopes (0 and 1) and matches neither; move the point.

# %%
x32 = torch.tensor(0.7, dtype=torch.float32)
h = 1e-6
numerical32 = ((torch.sin(x32 + h) - torch.sin(x32 - h)) / (2 * h)).item()
assert rel_error(math.cos(0.7), numerical32) > 1e-3
print(f"float32, h = 1e-6: relative error {rel_error(math.cos(0.7), numerical32):.1e}")

kink = Value(1e-7)                   # just right of ReLU's kink at 0
kink.relu().backward()               # the slope there is 1
numerical_kink = (max(0.0, 1e-7 + h) - max(0.0, 1e-7 - h)) / (2 * h)
assert kink.grad == 1.0 and rel_error(kink.grad, numerical_kink) > 0.1
print(f"ReLU at 1e-7, h = 1e-6: backward {kink.grad}, central difference {numerical_kink:.2f}")

# %% [markdown]
# ## 6. A small network of `Value`s learns the moons
#
# `Value` is a complete autograd engine, so it can train a network. A neuron is $\tanh(\sum_i w_i x_i + b)$; a
# layer is a list of neurons; a multi-layer perceptron (MLP) is a list of layers — about 35 lines. We train a
# 2-8-1 network on 40 points of the moons. The loss for a score $s$ and label $t \in \{-1, +1\}$ is
# $\log(1 + e^{-t s})$ — binary cross-entropy on a logit (chapter 05), written with our operations.

# %%
class Neuron:
    def __init__(self, n_in: int, activation: bool = True):
        self.w = [Value(random.uniform(-1, 1)) for _ in range(n_in)]
        self.b = Value(0.0)
        self.activation = activation

    def __call__(self, xs):
        s = sum((wi * xi for wi, xi in zip(self.w, xs)), self.b)  # w·x + b
        return s.tanh() if self.activation else s

    def parameters(self):
        return self.w + [self.b]


class Layer:
    def __init__(self, n_in: int, n_out: int, activation: bool = True):
        self.neurons = [Neuron(n_in, activation) for _ in range(n_out)]

    def __call__(self, xs):
        return [neuron(xs) for neuron in self.neurons]

    def parameters(self):
        return [p for neuron in self.neurons for p in neuron.parameters()]


class MLP:
    def __init__(self, sizes: list[int]):  # e.g. [2, 8, 1]; the last layer has no activation
        self.layers = [Layer(n_in, n_out, activation=i < len(sizes) - 2)
                       for i, (n_in, n_out) in enumerate(zip(sizes, sizes[1:]))]

    def __call__(self, xs):
        for layer in self.layers:
            xs = layer(xs)
        return xs[0]  # one score

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]


def batch_loss(model, points, targets):
    """Mean of log(1 + exp(−t·s)) over the batch; targets t are ±1."""
    terms = [(1 + (-t * model(p)).exp()).log() for p, t in zip(points, targets)]
    return sum(terms, Value(0.0)) / len(terms)


X_moons, y_moons = make_moons(n=40, noise=0.1, seed=0)
points, targets = X_moons.tolist(), (2 * y_moons - 1).tolist()  # plain Python lists; labels ±1
random.seed(0)
mlp = MLP([2, 8, 1])
print(f"parameters: {len(mlp.parameters())}")

# %% [markdown]
# Before training, one honest test: the same network in PyTorch, with the same weights, must give the same loss
# and the same gradient for every weight.

# %%
def layer_tensors(layer: Layer, attr: str) -> tuple[torch.Tensor, torch.Tensor]:
    """A layer's weights (out, in) and biases (out,) as float64 tensors: attr "data" for values, "grad" for grads."""
    weight = [[getattr(w, attr) for w in neuron.w] for neuron in layer.neurons]
    bias = [getattr(neuron.b, attr) for neuron in layer.neurons]
    return torch.tensor(weight, dtype=torch.float64), torch.tensor(bias, dtype=torch.float64)


def to_torch(model: MLP) -> nn.Sequential:
    """An nn.Sequential 2-8-1 with tanh, holding the Value MLP's current weights."""
    torch_net = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 1)).double()
    with torch.no_grad():
        for linear, layer in zip((torch_net[0], torch_net[2]), model.layers):
            weight, bias = layer_tensors(layer, "data")
            linear.weight.copy_(weight)
            linear.bias.copy_(bias)
    return torch_net


loss_v = batch_loss(mlp, points, targets)
loss_v.backward()
torch_net = to_torch(mlp)
loss_ref = F.binary_cross_entropy_with_logits(torch_net(X_moons.double()).squeeze(1), y_moons.double())
loss_ref.backward()
assert math.isclose(loss_v.data, loss_ref.item(), rel_tol=1e-12)
for linear, layer in zip((torch_net[0], torch_net[2]), mlp.layers):
    grad_weight, grad_bias = layer_tensors(layer, "grad")
    assert torch.allclose(grad_weight, linear.weight.grad) and torch.allclose(grad_bias, linear.bias.grad)
print(f"loss: Value {loss_v.data:.6f}, torch {loss_ref.item():.6f}; gradients equal")

# %% [markdown]
# Training is the loop of section 1 over mini-batches of 4 points: forward and loss, clear the gradients,
# backward, update.

# %%
lr, epochs, batch_size = 0.5, 80, 4
parameters = mlp.parameters()
history = []
for _ in range(epochs):
    order = list(range(len(points)))
    random.shuffle(order)
    epoch_loss = 0.0
    for start in range(0, len(order), batch_size):
        idx = order[start:start + batch_size]
        loss = batch_loss(mlp, [points[i] for i in idx], [targets[i] for i in idx])  # forward + loss
        for p in parameters:
            p.grad = 0.0                                                             # zero_grad
        loss.backward()                                                              # backward
        for p in parameters:
            p.data -= lr * p.grad                                                    # update
        epoch_loss += loss.data * len(idx) / len(points)
    history.append(epoch_loss)

accuracy = sum((mlp(p).data > 0) == (t > 0) for p, t in zip(points, targets)) / len(points)
assert history[-1] < history[0] / 3 and accuracy >= 0.95

# %%
# NBVAL_CHECK_OUTPUT
print(f"training accuracy: {accuracy:.2f}")

# %% [markdown]
# The loss curve, and the decision boundary (drawn by the PyTorch copy of the trained weights, which computes
# the same function much faster on a grid):

# %%
fig, (ax_loss, ax_boundary) = new_figure(ncols=2, width=4.5, height=3.5)
ax_loss.plot(range(1, epochs + 1), history)
ax_loss.set(xlabel="epoch", ylabel="mean loss", title="Training a 2-8-1 MLP of Values")
plot_decision_boundary(to_torch(mlp), X_moons, y_moons, ax=ax_boundary, title="Its decision boundary")
fig

# %% [markdown]
# Everything PyTorch adds on top is speed and reach: tensors instead of single numbers (one node per matrix
# product instead of thousands), operations written in C++ and CUDA, and many more of them. The bookkeeping —
# record the graph forward, walk it backward, local gradient × upstream gradient, `+=` — is what you just built.

# %% [markdown]
# ## Pitfalls
#
# - **"Backpropagation updates the weights."** Some tutorials list *forward pass → loss → backpropagation →
#   update $w_{new} = w_{old} - \eta\cdot\nabla w$* as the steps of "the backpropagation algorithm", call the
#   optimizer the part that "updates the parameters by backpropagation", and put one comment `# backpropagation`
#   over `optimizer.zero_grad()`, `loss.backward()` and `optimizer.step()`. Backpropagation only **computes the
#   gradients** (`loss.backward()`); the **update** is a separate step by an optimizer (`optimizer.step()`: SGD,
#   Adam, … all use the same gradients); `zero_grad()` only clears old gradients. And the update subtracts
#   $\eta\,\partial L/\partial w$, the gradient *of the loss* with respect to $w$ — "$\nabla w$" is a
#   misleading name for it. Keeping the steps apart tells you where to look: a wrong gradient is a backward bug,
#   a diverging loss with right gradients is an update (learning-rate) problem.
# - **Forgetting `zero_grad()`.** Gradients add up over `backward()` calls (section 3); without clearing, each
#   step uses the sum of all past gradients. Call `optimizer.zero_grad()` once per step, before `backward()`.
# - **Updating weights outside `torch.no_grad()`.** `w -= lr * w.grad` on a leaf raises a `RuntimeError`;
#   `w = w - lr * w.grad` silently replaces the leaf by a computed tensor, whose `.grad` stays `None` at the next
#   step. Update inside `torch.no_grad()` (optimizers do), or call `optimizer.step()`.
# - **`.grad` is `None`.** Only leaves with `requires_grad=True` get `.grad`; an intermediate tensor needs
#   `.retain_grad()`, a tensor created without `requires_grad=True` gets none, and `zero_grad()` sets `.grad` to
#   `None` until the next `backward()`.
# - **`backward()` twice on one graph** raises "Trying to backward through the graph a second time": the
#   intermediate values were freed. Recompute the forward pass (as in section 3), or pass `retain_graph=True` if
#   you really need two passes over one graph.
# - **`backward()` on a non-scalar** raises "grad can be implicitly created only for scalar outputs": reduce the
#   output to one number (`.mean()`, `.sum()`) or pass `gradient=` of the output's shape.
# - **Hand-written backward with `=`.** A value used twice must receive the sum of its gradients: `+=` (section 4).
# - **Gradient checks that fail for the wrong reason:** float32 (use float64), a step $h$ too large or too small
#   (use $10^{-6}$ to $10^{-5}$ in float64), forward instead of central differences, points at a ReLU's kink.
# - **Transposed weight gradients.** `nn.Linear(in, out).weight` and its `.grad` have shape `(out, in)`; a
#   by-hand gradient of shape `(in, out)` is a missing transpose.

# %% [markdown]
# ## Exercises
#
# ### Exercise 1 — a two-node graph by hand
# For $f = (x + y)\cdot z$, return $(\partial f/\partial x,\ \partial f/\partial y,\ \partial f/\partial z)$ as
# three numbers. Name the intermediate node $q = x + y$ and use local gradient × upstream gradient — no torch.

# %%
def two_node_gradient(x: float, y: float, z: float) -> tuple[float, float, float]:
    raise NotImplementedError  # replace this line with your code


checks.check("two_node_gradient", two_node_gradient)

# %% [markdown]
# ### Exercise 2 — `Value.__pow__`'s backward
# Write `value_pow(a, k)`: $a^k$ for a `Value` `a` and a constant number `k`, as a new `Value` with `(a,)` as its
# input and a `_backward` that adds the local gradient $k\,a^{k-1}$ times `out.grad` to `a.grad`. The checker
# uses it inside bigger graphs, so the upstream gradient and `+=` matter.

# %%
def value_pow(a: Value, k: float) -> Value:
    raise NotImplementedError  # replace this line with your code


checks.check("value_pow", value_pow)

# %% [markdown]
# ### Exercise 3 — a linear layer's gradients, in matrix form
# For $Y = X W^\top + b$ with $X$: `(N, in)`, $W$: `(out, in)`, and the upstream gradient
# `grad_out` $= \partial L/\partial Y$: `(N, out)`, return `(grad_x, grad_weight, grad_bias)` with the shapes of
# $X$, $W$ and $b$. Use matrix products, no loops and no autograd.

# %%
def linear_backward(x: torch.Tensor, weight: torch.Tensor, grad_out: torch.Tensor):
    raise NotImplementedError  # replace this line with your code


checks.check("linear_backward", linear_backward)

# %% [markdown]
# ### Exercise 4 — a numerical gradient for a whole tensor
# Write `numerical_grad(f, x, h)`: the central-difference estimate of $\partial f/\partial x$ for a function `f`
# from a float64 tensor `x` (any shape) to a scalar. Nudge one entry at a time, and leave `x` as you found it, up
# to float rounding (`x[i] += h`, then `x[i] -= 2 * h`, then `x[i] += h` may leave an entry one rounding step off,
# which the checker allows). Return a tensor shaped like `x`.

# %%
def numerical_grad(f, x: torch.Tensor, h: float = 1e-6) -> torch.Tensor:
    raise NotImplementedError  # replace this line with your code


checks.check("numerical_grad", numerical_grad)

# %% [markdown]
# Stuck? `checks.hint("value_pow")` gives the idea; ask again for a more precise hint. After you have checked an
# answer of your own, `checks.solution("value_pow")` shows a solution.
# Then compare with the package: `cu.show_source(Value.__pow__)`.

# %% [markdown]
# ## Summary
#
# - A training step is forward pass → loss → backward pass → update. **Backpropagation is the backward pass**: it
#   computes $\partial L/\partial w$ for every weight; the optimizer's update is a separate step.
# - On a computational graph, a node's gradient is $\sum$ (local gradient × upstream gradient) over the nodes that
#   use it; walking the graph in reverse topological order makes every upstream gradient ready in time.
# - In matrix form each gradient has the shape of its tensor: for $Y = XW^\top + b$, $G_X = G_Y W$,
#   $G_W = G_Y^\top X$, $G_b = \sum_n G_Y[n]$.
# - In PyTorch: `requires_grad=True` marks what to differentiate; `loss.backward()` fills the leaves' `.grad`;
#   gradients **accumulate**, so `zero_grad()` once per step; update and evaluate inside `torch.no_grad()`.
# - `Value` is autograd in about 200 lines: each operation records its inputs and a `_backward` that adds local
#   gradient × `out.grad`; `backward()` runs them from the output back.
# - Check gradients with central differences in float64 and the relative error: below $10^{-6}$ is right,
#   $10^{-2}$ and above is a bug.
#
# ## Key terms
#
# | English | 中文 |
# |---|---|
# | backpropagation | 反向传播 |
# | forward pass / backward pass | 前向传播 / 反向传播 |
# | chain rule | 链式法则 |
# | computational graph | 计算图 |
# | local gradient / upstream gradient | 局部梯度 / 上游梯度 |
# | automatic differentiation (autograd) | 自动微分（autograd） |
# | leaf tensor | 叶子张量 |
# | gradient accumulation | 梯度累积 |
# | topological order | 拓扑序 |
# | gradient descent / learning rate | 梯度下降 / 学习率 |
# | finite difference (central difference) | 有限差分（中心差分） |
# | gradient checking | 梯度检验 |
# | relative error | 相对误差 |
# | weight decay | 权重衰减 |
#
# **Next:** [04 · Weight initialization](04_initialization.ipynb)

# %% [markdown]
# ## Your progress
#
# Your checks, hints and solutions of this chapter, from the record on this machine (run the cell again after
# working on the exercises; `cu.progress.show()` shows every chapter):

# %%
cu.progress.show("03")
