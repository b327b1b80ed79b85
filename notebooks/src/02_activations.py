# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# # 02 · Activation functions
#
# **You will be able to**
# - explain why a network needs a non-linear activation, and show that a stack of linear layers is one linear
#   layer;
# - state the formula, range, derivative, strengths and weaknesses of sigmoid, tanh, ReLU, LeakyReLU, PReLU, ELU,
#   GELU, SiLU, softmax and log-softmax, and check a from-scratch version of each against PyTorch;
# - write three of them yourself: the sigmoid's derivative, a softmax that never overflows, and LeakyReLU;
# - compute softmax without overflow (the max-subtraction trick), and say why `log_softmax` beats `log(softmax)`;
# - measure vanishing gradients in a deep stack and dead ReLU units, and fix them;
# - choose the activation for hidden layers and for the output of a binary, multi-class or regression task.
#
# **Prerequisites:** [01 · The perceptron](01_perceptron.ipynb) (a neuron, `nn.Linear`, `nn.Sequential`).
#
# **Run time:** about 5 seconds on a 2-core laptop CPU.

# %%
# %matplotlib inline
import math

import torch
import torch.nn.functional as F
from torch import nn

import course_utils as cu
from course_utils import activations as A
from course_utils import checks
from course_utils.data import make_moons, make_xor
from course_utils.plot import new_figure
from course_utils.widgets import activation_explorer, vanishing_gradients

cu.set_language("en")  # the language of the messages of checkers and widgets: "en" or "zh"
cu.env.check_environment()  # one line: OK, or what to fix and how
cu.set_seed(0)
device = cu.get_device()
print(f"device: {device}")  # the networks here are tiny: they run on the CPU

# %% [markdown]
# ## 1. Why a network needs a non-linearity
#
# A linear layer computes $h = xW_1^\top + b_1$. Feed that into a second one:
#
# $$y = hW_2^\top + b_2 = x\,\underbrace{W_1^\top W_2^\top}_{(W_2W_1)^\top} + \underbrace{b_1W_2^\top + b_2}_{b}$$
#
# which is again *one* linear layer, with weight $W = W_2W_1$ and bias $b = W_2b_1 + b_2$. However many linear layers
# you stack, the network can only draw straight lines (planes, hyperplanes): it is a linear model. An activation
# function $f$ between the layers, $y = f(xW_1^\top + b_1)W_2^\top + b_2$, breaks the collapse. Numerically, for
# three layers:

# %%
stack = nn.Sequential(nn.Linear(2, 16), nn.Linear(16, 16), nn.Linear(16, 1))  # no activations
L1, L2, L3 = stack
with torch.no_grad():
    W = L3.weight @ L2.weight @ L1.weight                         # (1, 16) @ (16, 16) @ (16, 2) -> (1, 2)
    b = L3.weight @ (L2.weight @ L1.bias + L2.bias) + L3.bias      # (1,)
    x = torch.randn(100, 2)
    assert torch.allclose(stack(x), x @ W.T + b, atol=1e-5)
print(f"three linear layers = one nn.Linear(2, 1) with W = {W.numpy().round(3)} and b = {b.numpy().round(3)}")

# %% [markdown]
# So the stack cannot learn XOR, whose classes no line separates (chapter 01). Train it, and the same stack with a
# ReLU after each hidden layer, on the XOR clouds:

# %%
def train(model: nn.Module, X: torch.Tensor, y: torch.Tensor, steps: int = 100, lr: float = 0.05) -> float:
    """Full-batch Adam on BCEWithLogitsLoss (the model outputs one logit); returns the training accuracy."""
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    for _ in range(steps):
        loss = F.binary_cross_entropy_with_logits(model(X), y.float().unsqueeze(1))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    with torch.no_grad():
        return ((model(X) >= 0).long().squeeze(1) == y).float().mean().item()


X_xor, y_xor = make_xor(n=200, noise=0.2, seed=0)
cu.set_seed(0)
acc_linear = train(nn.Sequential(nn.Linear(2, 16), nn.Linear(16, 16), nn.Linear(16, 1)), X_xor, y_xor)
cu.set_seed(0)
acc_relu = train(nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 1)),
                 X_xor, y_xor)

# %%
# NBVAL_CHECK_OUTPUT
assert acc_linear <= 0.75 and acc_relu == 1.0
print(f"XOR: three linear layers at most 75%: {acc_linear <= 0.75}; with ReLUs 100%: {acc_relu == 1.0}")

# %% [markdown]
# **Pitfall.** A widely copied CNN tutorial ends with `fc1 = nn.Linear(7*7*64, 1000)` and
# `fc2 = nn.Linear(1000, 10)` and calls `out = self.fc2(self.fc1(out))` with nothing in between. The two layers
# collapse into one `nn.Linear(3136, 10)`: three million parameters that add no expressive power over 31 370.
# Put `nn.ReLU()` (and, there, the dropout) between them.

# %%
two = sum(p.numel() for p in [*nn.Linear(7 * 7 * 64, 1000).parameters(), *nn.Linear(1000, 10).parameters()])
one = sum(p.numel() for p in nn.Linear(7 * 7 * 64, 10).parameters())
assert (two, one) == (3_147_010, 31_370)
print(f"fc1 + fc2 without activation: {two:,} parameters; the single layer they equal: {one:,}")

# %% [markdown]
# ## 2. The S-shaped functions: sigmoid and tanh
#
# $$\sigma(x) = \frac{1}{1 + e^{-x}} \in (0, 1), \qquad \sigma'(x) = \sigma(x)\,\big(1 - \sigma(x)\big)$$
#
# $$\tanh(x) = \frac{e^{x} - e^{-x}}{e^{x} + e^{-x}} = 2\sigma(2x) - 1 \in (-1, 1), \qquad
#   \tanh'(x) = 1 - \tanh^2(x)$$
#
# Both squash any input into a bounded range; tanh is a sigmoid stretched to $(-1, 1)$. Far from 0 they are flat:
# they **saturate**, and a flat function has a derivative near 0, so almost no gradient passes back through it.
#
# **From scratch, stably.** Written as in the formula, `1 / (1 + exp(-x))` computes `exp(1000) = inf` for
# $x = -1000$. The result happens to come out right (1/inf = 0), but the derivative written the same way,
# $e^{-x}/(1 + e^{-x})^2$, becomes inf/inf = NaN; and the tanh formula $(1 - e^{-2x})/(1 + e^{-2x})$ is NaN already at
# $x = -50$ in float32 ($e^{100}$ overflows). `course_utils.activations` only ever exponentiates $-|x| \le 0$:

# %%
cu.show_source(A.sigmoid)

# %%
t = torch.tensor([-1000.0, -50.0, 0.0, 50.0, 1000.0])  # float32
naive_sigmoid_grad = torch.exp(-t) / (1 + torch.exp(-t)) ** 2
naive_tanh = (1 - torch.exp(-2 * t)) / (1 + torch.exp(-2 * t))
assert naive_sigmoid_grad.isnan().any() and naive_tanh.isnan().any()
assert torch.equal(A.sigmoid(t), torch.sigmoid(t)) and torch.isfinite(A.sigmoid_grad(t)).all()
assert torch.allclose(A.tanh(t), torch.tanh(t)) and not A.tanh(t).isnan().any()
print(f"naive tanh:  {naive_tanh}")
print(f"stable tanh: {A.tanh(t)}")

# %% [markdown]
# The facts the tables quote, checked on a fine grid (float64):
#
# - $\sigma'(x) \le 1/4$, with equality only at $x = 0$; beyond $|x| = 6$ it is below $0.0025$ (a hundredth of its
#   peak): a saturated sigmoid passes back almost nothing.
# - $\tanh'(x) \le 1$, with equality at 0: four times the sigmoid's peak.
# - tanh is **zero-centred**: for inputs centred on 0 its outputs average 0; the sigmoid's average $1/2$. Why it
#   matters: the gradient of a weight is (upstream gradient) × (its input); if all inputs of a layer are
#   positive, all the weights of one neuron get gradients of the same sign, and gradient descent zig-zags.

# %%
x = torch.arange(-20_000, 20_001, dtype=torch.float64) / 1000  # step 0.001, contains 0 exactly
d_sig, d_tanh = A.sigmoid_grad(x), A.tanh_grad(x)
assert d_sig.max() == 0.25 == A.sigmoid_grad(torch.zeros(1, dtype=torch.float64)).item()
assert (d_sig[x != 0] < 0.25).all()
assert (d_sig[x.abs() >= 6] < 0.0025).all()
assert d_tanh.max() == 1.0 and (d_tanh[x != 0] < 1).all()
assert torch.allclose(A.tanh(x), 2 * A.sigmoid(2 * x) - 1)

z = torch.randn(100_000, generator=torch.Generator().manual_seed(0))
assert abs(A.sigmoid(z).mean() - 0.5) < 0.01 and abs(A.tanh(z).mean()) < 0.01
print(f"sigmoid'(6) = {A.sigmoid_grad(torch.tensor(6.0)).item():.5f};  mean output on N(0, 1) inputs: "
      f"sigmoid {A.sigmoid(z).mean():.2f}, tanh {A.tanh(z).mean():.2f}")

# %% [markdown]
# ## 3. Rectifiers: ReLU and its repairs
#
# $$\operatorname{ReLU}(x) = \max(0, x), \qquad \operatorname{ReLU}'(x) = \begin{cases}1 & x > 0\\ 0 & x < 0\end{cases}$$
#
# (PyTorch uses 0 at exactly $x = 0$.) No exponential, so it is cheap; for $x > 0$ its slope is exactly 1, so it
# does not saturate there; many units output exactly 0, a sparse representation. Its weakness is the other half: a
# unit whose input is negative for *every* example outputs 0 and gets zero gradient forever, a **dead** unit
# (section 8). The repairs give the negative side a slope:
#
# - **LeakyReLU**: $x$ for $x > 0$, else $\alpha x$, with a fixed small $\alpha$ (`negative_slope=0.01` in PyTorch).
# - **PReLU**: the same, but $\alpha$ is a *learned* parameter (PyTorch starts it at 0.25).
# - **ELU**: $x$ for $x > 0$, else $\alpha(e^x - 1)$: bounded below by $-\alpha$, outputs closer to zero mean, and
#   with the default $\alpha = 1$ its slope is continuous at 0 (1 on both sides), so it has no corner.
#
# You will write LeakyReLU in exercise 3. ELU shows a subtlety of writing activations with `torch.where`: both
# branches are computed for every input, so the unused `exp` branch must not overflow either (its gradient would be
# $0 \cdot \infty = $ NaN):

# %%
cu.show_source(A.elu)

# %%
x = torch.linspace(-20, 20, 40_001, dtype=torch.float64)
assert torch.equal(A.relu(x), F.relu(x)) and A.relu(x).min() == 0
assert torch.equal(A.relu_grad(x), (x > 0).double())
assert torch.allclose(A.leaky_relu(x), F.leaky_relu(x)) and nn.LeakyReLU().negative_slope == 0.01
assert torch.allclose(A.elu(x), F.elu(x)) and A.elu(x).min() > -1.0  # ELU's range is (-alpha, inf)
near_0 = torch.tensor([-1e-9, 1e-9], dtype=torch.float64, requires_grad=True)
(elu_slopes,) = torch.autograd.grad(A.elu(near_0).sum(), near_0)
assert torch.allclose(elu_slopes, torch.ones(2, dtype=torch.float64))  # slope 1 on both sides of 0 (alpha = 1)

prelu = nn.PReLU()  # one learned slope, a Parameter, initialised to 0.25
assert [p.tolist() for p in prelu.parameters()] == [[0.25]]
assert torch.allclose(A.prelu(x, prelu.weight.double()), prelu.double()(x))

# %% [markdown]
# ## 4. Smooth rectifiers: GELU and SiLU
#
# **GELU** weights its input by the probability that a standard normal variable is below it:
#
# $$\operatorname{GELU}(x) = x\,\Phi(x) = \frac{x}{2}\Big(1 + \operatorname{erf}\big(x/\sqrt2\big)\Big)
#   \approx \frac{x}{2}\Big(1 + \tanh\big(\sqrt{2/\pi}\,(x + 0.044715\,x^3)\big)\Big)$$
#
# The tanh form is the approximation in GPT-2's code and in later versions of BERT's reference code (its first
# release used the exact form); `nn.GELU(approximate="tanh")` computes it, and the exact form is PyTorch's
# default. **SiLU** (also called swish) is $x\,\sigma(x)$. Both look like a ReLU with a smooth corner and a small
# dip below zero, and both are common in Transformers and modern CNNs (SiLU inside the SwiGLU layers of many recent
# language models).

# %%
cu.show_source(A.gelu)

# %%
x = torch.linspace(-10, 10, 200_001, dtype=torch.float64)
gelu, gelu_tanh, silu = A.gelu(x), A.gelu(x, approximate="tanh"), A.silu(x)
assert torch.allclose(gelu, F.gelu(x)) and torch.allclose(gelu_tanh, F.gelu(x, approximate="tanh"))
assert torch.allclose(silu, F.silu(x))
approx_error = (gelu - gelu_tanh).abs().max().item()
assert approx_error < 5e-4
assert round(gelu.min().item(), 2) == -0.17 and round(x[gelu.argmin()].item(), 2) == -0.75
assert round(silu.min().item(), 3) == -0.278 and round(x[silu.argmin()].item(), 2) == -1.28
print(f"GELU vs its tanh approximation: at most {approx_error:.1e} apart;  min GELU {gelu.min():.3f}, "
      f"min SiLU {silu.min():.3f}")

# %% [markdown]
# ## 5. The whole family, checked against PyTorch
#
# | function | formula | range | derivative | strengths | weaknesses | PyTorch |
# |---|---|---|---|---|---|---|
# | sigmoid | $1/(1+e^{-x})$ | $(0,1)$ | $\sigma(1-\sigma) \le \tfrac14$ | output reads as a probability: binary outputs, gates | saturates (vanishing gradient); not zero-centred | `nn.Sigmoid()` |
# | tanh | $2\sigma(2x)-1$ | $(-1,1)$ | $1-\tanh^2 \le 1$ | zero-centred, steeper | still saturates | `nn.Tanh()` |
# | ReLU | $\max(0,x)$ | $[0,\infty)$ | 1 or 0 | cheap, no saturation for $x>0$, sparse | dead units; not zero-centred | `nn.ReLU()` |
# | LeakyReLU | $x$ or $\alpha x$ | $\mathbb{R}$ | 1 or $\alpha$ | no dead units | $\alpha$ is one more hyperparameter | `nn.LeakyReLU(0.01)` |
# | PReLU | $x$ or $a x$, $a$ learned | $\mathbb{R}$ | 1 or $a$ | learns the slope | a few more parameters | `nn.PReLU()` |
# | ELU | $x$ or $\alpha(e^x-1)$ | $(-\alpha,\infty)$ | 1 or $\alpha e^x$ | no corner ($\alpha=1$), mean closer to 0 | an exponential | `nn.ELU()` |
# | GELU | $x\,\Phi(x)$ | $\approx[-0.17,\infty)$ | $\Phi(x)+x\,\varphi(x)$ | smooth; Transformers (BERT, GPT-2) | costlier | `nn.GELU()` |
# | SiLU | $x\,\sigma(x)$ | $\approx[-0.28,\infty)$ | $\sigma(x)\,(1+x(1-\sigma(x)))$ | smooth; modern CNNs and LLMs | costlier | `nn.SiLU()` |
# | softmax | $e^{x_i}/\sum_j e^{x_j}$ | $(0,1)$, sums to 1 | $p_i(\delta_{ij}-p_j)$ | class probabilities | not a hidden layer's activation | `nn.Softmax(dim=1)` |
# | log-softmax | $x_i - \log\sum_j e^{x_j}$ | $(-\infty,0]$ | $\delta_{ij}-p_j$ | stable with NLL loss | not a hidden layer's activation | `nn.LogSoftmax(dim=1)` |
#
# ($\Phi$ and $\varphi$ are the standard normal CDF and density.) Every elementwise function from scratch against
# PyTorch, values and autograd derivatives, in float64, on random inputs and on extremes up to ±1000 (no NaN):

# %%
family = {
    "sigmoid": (A.sigmoid, torch.sigmoid), "tanh": (A.tanh, torch.tanh), "relu": (A.relu, F.relu),
    "leaky_relu": (A.leaky_relu, F.leaky_relu), "elu": (A.elu, F.elu), "gelu": (A.gelu, F.gelu),
    "gelu_tanh": (lambda t: A.gelu(t, approximate="tanh"), lambda t: F.gelu(t, approximate="tanh")),
    "silu": (A.silu, F.silu),
}
extremes = torch.tensor([-1000.0, -50.0, -6.0, -1e-8, 0.0, 1e-8, 6.0, 50.0, 1000.0], dtype=torch.float64)
inputs = torch.cat([3 * torch.randn(1000, dtype=torch.float64), extremes])


def value_and_derivative(fn, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """fn(x) and its elementwise derivative f'(x), by autograd."""
    x = x.clone().requires_grad_()
    y = fn(x)
    (dy,) = torch.autograd.grad(y.sum(), x)
    return y.detach(), dy


for name, (ours, theirs) in family.items():
    (y, dy), (y_ref, dy_ref) = value_and_derivative(ours, inputs), value_and_derivative(theirs, inputs)
    assert torch.isfinite(y).all() and torch.isfinite(dy).all(), name
    torch.testing.assert_close(y, y_ref, rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(dy, dy_ref, rtol=1e-10, atol=1e-12)

# The derivative column of the table, against autograd:
x = 3 * torch.randn(1000, dtype=torch.float64)
s, phi, Phi = torch.sigmoid(x), torch.exp(-x**2 / 2) / math.sqrt(2 * math.pi), 0.5 * (1 + torch.erf(x / math.sqrt(2)))
closed_forms = {
    "sigmoid": s * (1 - s), "tanh": 1 - torch.tanh(x) ** 2, "elu": torch.where(x > 0, 1.0, torch.exp(x)),
    "gelu": Phi + x * phi, "silu": s * (1 + x * (1 - s)),
}
for name, derivative in closed_forms.items():
    torch.testing.assert_close(value_and_derivative(family[name][0], x)[1], derivative)
print(f"{len(family)} activations equal PyTorch's (values and derivatives) on {len(inputs)} inputs")

# %% [markdown]
# The four you will meet most, and their derivatives:

# %%
x = torch.linspace(-5, 5, 401)
fig, (ax_f, ax_d) = new_figure(ncols=2, width=4.2, height=3.0)
for name in ["sigmoid", "tanh", "relu", "gelu"]:
    y, dy = value_and_derivative(family[name][0], x)
    ax_f.plot(x, y, label=name)
    ax_d.plot(x, dy, label=name)
ax_f.set(title="f(x)", xlabel="x", ylim=(-1.5, 3))
ax_d.set(title="f′(x)", xlabel="x")
ax_f.legend()
fig

# %% [markdown]
# **Explore them all.** Choose a function (and one to compare), and the input range. The shaded regions are where
# $|f'|$ is below 10% of its peak: there the function saturates (sigmoid, tanh) or is dead (ReLU's negative side),
# and passes back almost no gradient. Compare the leaky ones: with PyTorch's default slope 0.01, LeakyReLU is shaded
# on its negative side (1% of the slope is little, but unlike ReLU's 0 it is never nothing); with slope 0.1 it keeps
# exactly 10%, the threshold itself, so it is not shaded, and neither is PReLU with its starting slope 0.25. And
# notice how GELU and SiLU dip below zero.

# %%
x_neg = torch.tensor([-1.0], dtype=torch.float64, requires_grad=True)
for slope, shaded in [(0.01, True), (0.1, False), (0.25, False)]:
    (d,) = torch.autograd.grad(A.leaky_relu(x_neg, negative_slope=slope).sum(), x_neg)
    assert (d.abs().item() < 0.1 * 1.0) == shaded  # shaded: |f'| below 10% of its peak, 1 (the positive side)

explorer = activation_explorer()
explorer

# %% [markdown]
# ## 6. Softmax and log-softmax: the output of a classifier
#
# A classifier's last layer outputs one score per class, the **logits** $z_1, \dots, z_C$. Softmax turns them into
# probabilities, positive and summing to 1:
#
# $$\operatorname{softmax}(z)_i = \frac{e^{z_i}}{\sum_{j=1}^{C} e^{z_j}}$$
#
# **The max-subtraction trick.** Take $z = (1000, 0, -1000)$. $e^{1000}$ overflows to `inf` (in float32 already
# $e^{89}$ does), and inf/inf is NaN. But multiplying numerator and denominator by $e^{-m}$ changes nothing:
#
# $$\frac{e^{z_i}}{\sum_j e^{z_j}} = \frac{e^{z_i - m}}{\sum_j e^{z_j - m}}, \qquad m = \max_j z_j$$
#
# With $m$ subtracted, the largest exponent is $e^0 = 1$: no overflow, and the denominator is at least 1, so no
# division by 0 either (without it, logits like $(-1000, -1000, -999)$ underflow to $0/0$, NaN too). You will write
# the stable softmax in exercise 2. The same shift gives log-softmax without ever taking $\log 0$,
# $\log\operatorname{softmax}(z)_i = z_i - m - \log\sum_j e^{z_j - m}$; here is the package's version:

# %%
cu.show_source(A.log_softmax)

# %%
logits = torch.tensor([[1000.0, 0.0, -1000.0], [-1000.0, -1000.0, -999.0], [2.0, 1.0, 0.1]])
naive = torch.exp(logits) / torch.exp(logits).sum(dim=1, keepdim=True)
p = A.softmax(logits, dim=1)
assert naive.isnan().any() and torch.isfinite(p).all()
assert torch.allclose(p, F.softmax(logits, dim=1))
assert torch.allclose(p.sum(dim=1), torch.ones(3))                         # rows sum to 1
assert torch.allclose(A.softmax(logits + 123.0, dim=1), p)                 # adding a constant changes nothing
assert torch.allclose(A.log_softmax(logits, dim=1), F.log_softmax(logits, dim=1))
for ours, theirs in [(A.softmax, F.softmax), (A.log_softmax, F.log_softmax)]:  # derivatives too, in float64
    l64 = logits.double().requires_grad_()
    v = torch.randn(l64.shape, dtype=torch.float64)  # a random upstream gradient
    (g,) = torch.autograd.grad(ours(l64, dim=1), l64, v)
    (g_ref,) = torch.autograd.grad(theirs(l64, dim=1), l64, v)
    assert torch.isfinite(g).all()
    torch.testing.assert_close(g, g_ref)
print(f"naive:\n{naive}\nstable:\n{p}")

# %% [markdown]
# **Why `log_softmax` and not `log(softmax(...))`?** In floating point, a very small probability rounds to exactly
# 0, and $\log 0 = -\infty$; `log_softmax` computes the same number without forming the probability. (The table
# says softmax outputs lie in $(0, 1)$: true of the real numbers, not of float32.) And with two classes, softmax
# is the sigmoid of the difference of the logits, which is why binary classifiers use one logit and a sigmoid.

# %%
z2 = torch.tensor([[0.0, -1000.0]])
assert torch.isinf(torch.log(A.softmax(z2, dim=1))).any()
assert A.log_softmax(z2, dim=1).tolist() == [[0.0, -1000.0]]
pair = torch.randn(5, 2, dtype=torch.float64)
assert torch.allclose(A.softmax(pair, dim=1)[:, 0], A.sigmoid(pair[:, 0] - pair[:, 1]))

# %% [markdown]
# As an activation function, softmax belongs at the **output** of a multi-class classifier, never as a hidden
# layer's activation: it couples all units of a layer and squeezes them into one probability vector. (Softmax does
# appear *inside* hidden computations, where weights must sum to 1: attention in Transformers normalizes its scores
# with it. That is a weighting, not a layer's activation.) And in PyTorch you usually don't apply it yourself at
# the output either: `nn.CrossEntropyLoss` takes the raw logits and applies log-softmax inside (it equals
# `nn.NLLLoss` on `log_softmax` outputs). Chapter 05 covers losses in detail.

# %%
targets = torch.tensor([0, 2, 0])
assert torch.allclose(F.cross_entropy(logits, targets), F.nll_loss(A.log_softmax(logits, dim=1), targets))

# %% [markdown]
# ## 7. Vanishing gradients
#
# Backpropagation (chapter 03) multiplies, layer by layer, the gradient coming from above by each layer's local
# derivative: the activation's slope $f'$ times the weights. Through $L$ layers that is a product of $L$ factors.
# With the sigmoid, each $f'$ is at most $1/4$, so with weights of the usual scale the product shrinks
# geometrically: the layers near the input hardly learn. Only much larger weights can make up for the $1/4$, and
# they push many units into the sigmoid's flat tails (the end of this section tries it).
#
# The experiment: stacks of `depth` layers `nn.Linear(32, 32)` + activation, one random batch, and the norm of
# the gradient of each layer's weights. We compare two initialisations: PyTorch's default for `nn.Linear`, and the
# scale `torch.nn.init` recommends for each activation (Xavier with gain 1 for sigmoid, 5/3 for tanh; Kaiming for
# ReLU; chapter 04 explains them).

# %%
ACTIVATIONS = {"sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "ReLU": nn.ReLU}


def layer_gradient_norms(activation: str, depth: int, recommended_init: bool, width: int = 32) -> list[float]:
    """‖∂L/∂W‖ of each of the `depth` hidden layers (first = next to the input), for one random batch."""
    cu.set_seed(0)
    layers = []
    for _ in range(depth):
        linear = nn.Linear(width, width)
        if recommended_init:
            if activation == "ReLU":
                nn.init.kaiming_uniform_(linear.weight, nonlinearity="relu")
            else:
                nn.init.xavier_uniform_(linear.weight, gain=nn.init.calculate_gain(activation.lower()))
            nn.init.zeros_(linear.bias)
        layers += [linear, ACTIVATIONS[activation]()]
    net = nn.Sequential(*layers, nn.Linear(width, 1))
    net(torch.randn(64, width)).mean().backward()
    return [layer.weight.grad.norm().item() for layer in net[:-1] if isinstance(layer, nn.Linear)]


depth = 20
norms = {(name, init): layer_gradient_norms(name, depth, init) for name in ACTIVATIONS for init in (False, True)}
ratio = {key: g[0] / g[-1] for key, g in norms.items()}  # first layer's gradient ÷ last hidden layer's

fig, axes = new_figure(ncols=2, width=4.2, height=3.2)
for ax, init, title in [(axes[0], False, "PyTorch's default init"), (axes[1], True, "recommended init")]:
    for name in ACTIVATIONS:
        ax.semilogy(range(1, depth + 1), norms[(name, init)], "o-", ms=3, label=name)
    ax.set(title=title, xlabel="layer (1 = next to the input)", ylabel="‖∂L/∂W‖")
axes[0].legend()
print("first / last layer gradient, with PyTorch's default init | with the recommended init:")
for name in ACTIVATIONS:
    print(f"  {name:7s}  {ratio[(name, False)]:.0e}  {ratio[(name, True)]:.0e}")
fig

# %%
# NBVAL_CHECK_OUTPUT
vanishes = {key: r < 1e-3 for key, r in ratio.items()}
assert ratio[("sigmoid", False)] < 1e-10 and ratio[("sigmoid", True)] < 1e-10  # sigmoid: vanishes with both
assert 1e-2 < ratio[("tanh", True)] < 1e2 and 1e-2 < ratio[("ReLU", True)] < 1e2  # kept within 100x
assert 3 < ratio[("tanh", True)] < 10                                            # tanh's grows, about 6-fold
assert ratio[("tanh", False)] < 1e-3 and ratio[("ReLU", False)] < 1e-4          # default init: vanish too
with torch.random.fork_rng():  # a fresh default layer, leaving the seeded random stream as it was
    default_std = nn.Linear(1000, 1000).weight.std().item()
assert 2.4 < math.sqrt(2 / 1000) / default_std < 2.5  # Kaiming's std for ReLU ÷ the default's: √6 ≈ 2.45
print("first layer's gradient < 1/1000 of the last's, with PyTorch's default init | with the recommended init:")
for name in ACTIVATIONS:
    print(f"  {name:7s}  {vanishes[(name, False)]!s:5}  {vanishes[(name, True)]}")

# %% [markdown]
# Read the numbers carefully, because the usual slogan ("ReLU solves vanishing gradients") is only half true:
#
# - **sigmoid** vanishes with both initialisations tried here: 20 layers shrink the first layer's gradient by a
#   factor of $10^{10}$ or more. The gain `torch.nn.init` recommends for the sigmoid is 1, which does nothing
#   about its slope of at most $1/4$.
# - **tanh and ReLU** have slope 1 (at 0, or on the whole positive side), so with the matching initialisation
#   the gradient keeps its scale across 20 layers (within a factor of 100; tanh's even grows, about 6-fold).
# - With PyTorch's **default** init (weights in $\pm 1/\sqrt{\text{fan\_in}}$, a standard deviation of
#   $1/\sqrt{3\,\text{fan\_in}}$: for ReLU about 2.4 times smaller than Kaiming's $\sqrt{2/\text{fan\_in}}$,
#   chapter 04) tanh and ReLU stacks vanish too. The activation and the initialisation work together; chapter 04 fixes the
#   init, and normalisation layers (chapter 07) and residual connections help further.
#
# Can a larger initialisation rescue the sigmoid? Each layer's factor is $f' \cdot W$: if every unit stayed near 0,
# where $f' = 1/4$, weights four times larger would offset it. But larger weights also push units away from 0,
# where $f'$ is smaller still. Try Xavier weights with gains from 1 to 16, and count the saturated units (outputs
# below 0.03 or above 0.97, where $\sigma' < 0.03$):

# %%
def sigmoid_stack(gain: float, depth: int = 20, width: int = 32) -> tuple[float, float, float]:
    """A sigmoid stack with Xavier weights times `gain`, on one random batch: (first ÷ last hidden layer's
    ‖∂L/∂W‖, the fraction of saturated sigmoid outputs, their mean)."""
    cu.set_seed(0)
    layers = []
    for _ in range(depth):
        linear = nn.Linear(width, width)
        nn.init.xavier_uniform_(linear.weight, gain=gain)
        nn.init.zeros_(linear.bias)
        layers += [linear, nn.Sigmoid()]
    net = nn.Sequential(*layers, nn.Linear(width, 1))
    h, outputs = torch.randn(64, width), []
    for layer in net:
        h = layer(h)
        if isinstance(layer, nn.Sigmoid):
            outputs.append(h.detach())
    h.mean().backward()
    grads = [layer.weight.grad.norm().item() for layer in net[:-1] if isinstance(layer, nn.Linear)]
    outputs = torch.stack(outputs)                                   # (depth, 64, width)
    saturated = ((outputs < 0.03) | (outputs > 0.97)).float().mean().item()
    return grads[0] / grads[-1], saturated, outputs.mean().item()


gains = {gain: sigmoid_stack(gain) for gain in (1, 4, 8, 12, 16)}
for gain, (r, saturated, mean) in gains.items():
    print(f"sigmoid, Xavier × gain {gain:2d}: first / last layer gradient = {r:.0e}, "
          f"saturated units {saturated:.0%}, mean output {mean:.2f}")

# %%
# NBVAL_CHECK_OUTPUT
ratio_12, saturated_12, mean_12 = gains[12]
assert gains[1][0] < 1e-10 and 0.1 < ratio_12 < 10  # gain 12: the gradient keeps its scale over 20 layers ...
assert saturated_12 > 0.5 and abs(mean_12 - 0.5) < 0.05  # ... but most units saturate, and the mean is 0.5
assert gains[4][0] < 1e-3                                  # four times the weights is not enough
assert A.sigmoid_grad(torch.logit(torch.tensor([0.03, 0.97]))).max() < 0.03  # saturated: sigma' < 0.03
assert gains[8][0] < 0.1 and gains[16][0] > 3             # a narrow window: shrinks at gain 8, grows at 16
print(f"gain 12: gradient kept within 10x: {0.1 < ratio_12 < 10}; over half the units saturated: "
      f"{saturated_12 > 0.5}; mean output about 0.5: {abs(mean_12 - 0.5) < 0.05}")

# %% [markdown]
# So the sigmoid's gradient does *not* vanish with every initialisation: with gain 12 the first layer's gradient is
# back at the last one's scale (gain 4, the naive guess, still loses a factor of over 1000). Look at the price,
# though. Over half of the units sit in the flat tails, where they hardly react to their input and pass back almost
# nothing; the gradient travels through the rest. The outputs average 0.5, not 0, so every layer receives
# all-positive inputs (the zig-zag of section 2). And the window is narrow: with gain 8 the gradient still shrinks
# over the 20 layers, with gain 16 it grows. That, not an impossibility, is why the sigmoid is avoided in the hidden
# layers of deep networks, where tanh and ReLU keep the gradient's scale with their standard initialisation.
#
# Move the depth slider: every network was computed when the widget was built, so each position redraws at once.

# %%
depth_widget = vanishing_gradients()
depth_widget

# %% [markdown]
# ## 8. Dead ReLUs, and LeakyReLU's recovery
#
# A ReLU unit whose input $w\cdot x + b$ is negative for *every* example outputs 0 for all of them, and its slope is
# 0 there, so its weights and bias receive exactly zero gradient: it can never come back. A large negative bias
# (or one big, bad update from a too-high learning rate) kills units this way. Here all 32 hidden units of a
# moons classifier start with bias $-3$:

# %%
X, y = make_moons(n=200, noise=0.15, seed=0)


def make_net(activation: nn.Module) -> nn.Sequential:
    cu.set_seed(0)
    net = nn.Sequential(nn.Linear(2, 32), activation, nn.Linear(32, 1))
    with torch.no_grad():
        net[0].bias.fill_(-3.0)  # a large negative bias: every pre-activation is negative
    return net


def inactive_fraction(net: nn.Sequential) -> float:
    """Fraction of hidden units whose pre-activation is <= 0 on every example (dead, for a ReLU)."""
    with torch.no_grad():
        return (net[0](X) <= 0).all(dim=0).float().mean().item()


relu_net = make_net(nn.ReLU())
loss = F.binary_cross_entropy_with_logits(relu_net(X), y.float().unsqueeze(1))
loss.backward()
assert inactive_fraction(relu_net) == 1.0
assert relu_net[0].weight.grad.abs().max() == 0 and relu_net[0].bias.grad.abs().max() == 0
assert relu_net(X).std() == 0  # every input gets the same output
first_grad = relu_net[0].weight.grad.abs().max().item()
print(f"dead units: {inactive_fraction(relu_net)} | first-layer gradient: {first_grad}")

# %% [markdown]
# All outputs are the same value, whatever the input. Train both versions for 150 steps: the ReLU network cannot
# move its first layer, and the loss stays at $\ln 2 \approx 0.693$ (a coin flip). LeakyReLU passes a small
# gradient ($\alpha = 0.01$) through the negative side, enough for the biases to climb back:

# %%
results = {}
for name, activation in [("ReLU", nn.ReLU()), ("LeakyReLU", nn.LeakyReLU(0.01))]:
    net = make_net(activation)
    acc = train(net, X, y, steps=150)
    loss = F.binary_cross_entropy_with_logits(net(X), y.float().unsqueeze(1)).item()
    results[name] = (inactive_fraction(net), loss, acc)

# %%
# NBVAL_CHECK_OUTPUT
(dead_relu, loss_relu, acc_dead), (dead_leaky, loss_leaky, acc_leaky) = results["ReLU"], results["LeakyReLU"]
assert dead_relu == 1.0 and abs(loss_relu - math.log(2)) < 1e-3 and acc_dead == 0.5
assert dead_leaky < 0.5 and acc_leaky > 0.95
print(f"ReLU:      all units still dead: {dead_relu == 1.0}, loss ≈ ln 2: {abs(loss_relu - math.log(2)) < 1e-3}")
print(f"LeakyReLU: fewer than half inactive: {dead_leaky < 0.5}, accuracy > 95%: {acc_leaky > 0.95}")

# %% [markdown]
# (Adam helps here: its step size does not shrink with the gradient's magnitude, so the 100× smaller gradient
# through LeakyReLU's negative side still moves the biases at full speed; plain SGD would recover far more
# slowly.) Prevention beats cure: a sensible initialisation and learning rate keep most ReLUs alive; measure the
# dead fraction of every ReLU layer (exercise 4) when a network stops learning.

# %% [markdown]
# ## 9. Choosing an activation
#
# | where | task | activation | loss in PyTorch |
# |---|---|---|---|
# | hidden layers | any | **ReLU** first; LeakyReLU/PReLU if many units die; GELU or SiLU in Transformers and modern CNNs; tanh in small or recurrent nets | |
# | output | binary classification | sigmoid (one unit) | `nn.BCEWithLogitsLoss` on the logit (it applies the sigmoid itself) |
# | output | multi-label (several yes/no) | sigmoid per unit | `nn.BCEWithLogitsLoss` |
# | output | multi-class (one of $C$) | softmax ($C$ units) | `nn.CrossEntropyLoss` on the logits (it applies log-softmax itself) |
# | output | regression | identity (none) | `nn.MSELoss`, `nn.L1Loss`, … |
#
# So in PyTorch the output activation usually lives *inside the loss*; apply `torch.sigmoid` or `softmax` only to
# read predictions as probabilities:

# %%
features = torch.randn(8, 16)
binary_logit = nn.Linear(16, 1)(features)                 # (8, 1)
labels01 = torch.randint(0, 2, (8, 1)).float()
assert torch.allclose(nn.BCEWithLogitsLoss()(binary_logit, labels01),
                      nn.BCELoss()(torch.sigmoid(binary_logit), labels01))
class_logits = nn.Linear(16, 10)(features)                # (8, 10)
classes = torch.randint(0, 10, (8,))
assert torch.allclose(nn.CrossEntropyLoss()(class_logits, classes),
                      nn.NLLLoss()(F.log_softmax(class_logits, dim=1), classes))
probabilities = class_logits.softmax(dim=1)               # for reading, not for the loss
assert torch.allclose(probabilities.sum(dim=1), torch.ones(8))

# %% [markdown]
# ## Pitfalls
#
# - **Linear layers without an activation between them collapse into one** (section 1). A CNN tutorial's
#   `fc1` → `fc2` with nothing between is one linear layer with 100× the parameters.
# - **Softmax before `nn.CrossEntropyLoss`.** A skeleton tutorial's table pairs "multi-class output" with
#   `nn.Softmax(dim=1)`; put that in the model and train with `nn.CrossEntropyLoss`, and softmax is applied twice.
#   It still runs, but the loss can no longer approach 0 (below: a confident, correct prediction still costs 0.55)
#   and the gradients are distorted. Feed the loss the logits.
# - **"Sigmoid only for the binary output layer"** (an activations table). Also for multi-label outputs (one sigmoid
#   per label) and for gates (LSTM, GRU, attention gating); what it should not be is a hidden activation of a deep
#   network (section 7).
# - **LeakyReLU as $\max(\alpha x, x)$** (a comparison table) equals LeakyReLU only for $\alpha \le 1$; PyTorch defines
#   it as $x$ for $x > 0$ and $\alpha x$ otherwise, for any slope. Also know the default: `nn.LeakyReLU()` uses
#   0.01; a tutorial's `nn.LeakyReLU(0.1)` is a choice, not the default.
# - **The textbook tanh formula overflows**: $(1 - e^{-2x})/(1 + e^{-2x})$ is NaN at $x = -50$ in float32, and
#   $e^{-x}/(1+e^{-x})^2$ for $\sigma'$ at $x = -1000$. Use `torch.tanh`, `torch.sigmoid`, or the stable forms.
# - **"Softmax outputs lie in (0, 1)"** is true in exact arithmetic; in float32 softmax and sigmoid outputs reach
#   exactly 0 and 1 (the softmax of the logits $(0, -120)$ is exactly $(1, 0)$, and
#   `torch.sigmoid(torch.tensor(17.0))` is exactly 1.0), and the log of 0 is $-\infty$. Use `log_softmax`,
#   `nn.CrossEntropyLoss` and `nn.BCEWithLogitsLoss`, which work on logits.
# - **"ReLU mitigates vanishing gradients"** holds with a matching initialisation only (section 7); and "ReLU:
#   weights with $x < 0$ cannot update" is too strong: a unit gets no gradient *from the examples* where its input
#   is negative; it is dead only when that holds for every example.
# - **"ReLU is used in over 90% of cases"** (an activations table) is a number without a source. ReLU is the usual
#   default for MLPs and CNNs; Transformers mostly use GELU or SiLU-based gates.
# - **"GELU is the standard activation of BERT and GPT"** is dated: GPT-2's code and later versions of BERT's
#   reference code use the tanh approximation of GELU; many recent language models use SiLU inside SwiGLU.
# - **"All outputs are the same value → vanishing/exploding gradients → add BatchNorm"** (a debugging table) is
#   one cause among several: dead ReLUs give exactly that symptom (section 8), and the fix there is the bias,
#   the initialisation, the learning rate or LeakyReLU.

# %%
confident = torch.tensor([[10.0, 0.0, 0.0]])
right = torch.tensor([0])
once, twice = F.cross_entropy(confident, right).item(), F.cross_entropy(confident.softmax(dim=1), right).item()
assert once < 1e-3 and twice > 0.55
assert torch.sigmoid(torch.tensor(17.0)).item() == 1.0
assert F.softmax(torch.tensor([0.0, -120.0]), dim=0).tolist() == [1.0, 0.0]
v = torch.tensor([-2.0, 3.0])
assert not torch.equal(torch.maximum(2.0 * v, v), F.leaky_relu(v, negative_slope=2.0))  # max(αx, x) breaks at α > 1
print(f"cross-entropy of a confident right answer: on logits {once:.5f}, after a softmax {twice:.2f}")

# %% [markdown]
# ## Exercises
#
# ### Exercise 1 — the sigmoid's derivative
# Write `sigmoid_derivative(x)`, elementwise, for a tensor of any shape. It must not return NaN for $x = \pm1000$.

# %%
def sigmoid_derivative(x: torch.Tensor) -> torch.Tensor:
    raise NotImplementedError  # replace this line with your code


checks.check("sigmoid_derivative", sigmoid_derivative)

# %% [markdown]
# ### Exercise 2 — a softmax that never overflows
# Write `stable_softmax(x)` for logits `x` of shape `(n, C)`: the softmax of each row. Rows like
# `[1000, 0, -1000]` must work. Use `torch.exp`, not `torch.softmax` (nor `torch.log_softmax`): the checker
# holds you to it.

# %%
def stable_softmax(x: torch.Tensor) -> torch.Tensor:
    raise NotImplementedError  # replace this line with your code


checks.check("stable_softmax", stable_softmax)

# %% [markdown]
# ### Exercise 3 — LeakyReLU
# Write `leaky_relu(x, negative_slope=0.01)` as PyTorch defines it, for any slope (the checker also tries 1.5).

# %%
def leaky_relu(x: torch.Tensor, negative_slope: float = 0.01) -> torch.Tensor:
    raise NotImplementedError  # replace this line with your code


checks.check("leaky_relu", leaky_relu)

# %% [markdown]
# ### Exercise 4 — which layers have dead units?
# Write `dead_fractions(model, X)` for an `nn.Sequential` `model` and a batch `X`: for each `nn.ReLU` in the model,
# in order, the fraction of its units that are dead on this batch (their input is $\le 0$ for every example).
# Return a list of Python floats, one per ReLU. (Run the batch through the layers one at a time.)

# %%
def dead_fractions(model: nn.Sequential, X: torch.Tensor) -> list[float]:
    raise NotImplementedError  # replace this line with your code


checks.check("dead_fractions", dead_fractions)

# %% [markdown]
# Stuck? `checks.hint("dead_fractions")` gives the idea; ask again for a more precise hint. After you have checked an
# answer of your own, `checks.solution("dead_fractions")` shows a solution.

# %% [markdown]
# ## Summary
#
# - Without a non-linearity, any stack of linear layers is one linear layer; activations give networks their power.
# - sigmoid $(0,1)$ and tanh $(-1,1)$ saturate: $\sigma' \le 1/4$, $\tanh' \le 1$; tanh is zero-centred. ReLU is
#   cheap and does not saturate for $x > 0$, but units can die; LeakyReLU, PReLU and ELU give the negative side a
#   slope; GELU and SiLU are smooth rectifiers used in Transformers.
# - Softmax turns logits into probabilities; subtract the maximum first (softmax is invariant to adding a
#   constant), and prefer `log_softmax` (or a loss on logits) to `log(softmax)`.
# - In a 20-layer stack the sigmoid's gradient vanished with PyTorch's default and with Xavier's init; a gain of
#   12 kept its scale, but with over half the units saturated and outputs not zero-centred. Deep hidden layers use
#   tanh or ReLU, which keep the gradient with their matching init.
# - Hidden layers: ReLU first (LeakyReLU/GELU when needed). Output: sigmoid for binary, softmax for multi-class,
#   identity for regression, usually applied inside the loss.
#
# ## Key terms
#
# | English | 中文 |
# |---|---|
# | activation function | 激活函数 |
# | non-linearity | 非线性 |
# | sigmoid / hyperbolic tangent (tanh) | sigmoid 函数 / 双曲正切（tanh）函数 |
# | rectified linear unit (ReLU) | 修正线性单元（ReLU） |
# | leaky ReLU / parametric ReLU (PReLU) | 带泄漏的 ReLU（Leaky ReLU）/ 参数化 ReLU（PReLU） |
# | saturation | 饱和 |
# | zero-centred | 以零为中心 |
# | vanishing gradient | 梯度消失 |
# | dead ReLU | 死亡 ReLU（ReLU 神经元死亡） |
# | logits | 未规范化的预测（logits） |
# | softmax / log-softmax | softmax 函数 / 对数 softmax（log-softmax） |
# | numerical stability / overflow, underflow | 数值稳定性 / 上溢、下溢 |
# | identity function | 恒等函数 |
#
# **Next:** [03 · Backpropagation](03_backprop.ipynb)

# %% [markdown]
# ## Your progress
#
# Your checks, hints and solutions of this chapter, from the record on this machine (run the cell again after
# working on the exercises; `cu.progress.show()` shows every chapter):

# %%
cu.progress.show("02")
