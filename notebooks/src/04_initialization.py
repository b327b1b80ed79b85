# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# # 04 · Weight initialization
#
# **You will be able to**
# - explain why a network cannot start from all-equal weights (the symmetry problem), and what too-large and
#   too-small random weights do to a deep network;
# - derive the Xavier (Glorot) and Kaiming (He) scales from one line of variance algebra, and use each scheme's
#   `torch.nn.init` function with the right `gain`;
# - say what PyTorch does for an `nn.Linear` by default, and initialize a whole model with `model.apply`;
# - measure a deep network's activations and gradients layer by layer with `course_utils.init.layer_stats`.
#
# **Prerequisites:** [02 · Activation functions](02_activations.ipynb) (tanh, ReLU, their derivatives),
# [03 · Backpropagation](03_backprop.ipynb) (`backward`, `.grad`).
#
# **Run time:** about 10 seconds on a 2-core laptop CPU.
#
# Training starts from the weights you give it. A bad start can make a network that is perfectly able to learn
# the task learn nothing at all — no later trick of the optimizer fixes that. This chapter shows the three ways a
# start goes wrong, then the two classic remedies and the numbers behind them.

# %%
# %matplotlib inline
import math

import torch
from torch import nn

import course_utils as cu
from course_utils import checks, init
from course_utils.data import make_moons
from course_utils.plot import new_figure
from course_utils.widgets import init_explorer

cu.set_language("en")  # the language of the messages of checkers and widgets: "en" or "zh"
cu.env.check_environment()  # one line: OK, or what to fix and how
cu.set_seed(0)
device = cu.get_device()
print(f"device: {device}")

# %% [markdown]
# ## 1. Why the starting point matters
#
# ### 1.1 Equal weights: the symmetry problem
#
# Give every hidden unit of a layer the same incoming weights and the same bias. Then every unit computes the same
# number for every input; each outgoing weight from them starts equal too, so the gradient each unit receives is the
# same; the update is the same, and after the update the units are still identical. However long you train, the
# layer behaves like **one** unit copied $n$ times. Randomness at the start is what makes units different —
# "breaking the symmetry".
#
# Let us see it: a 2-8-2 network on the two moons, every weight and bias set to 0.5, trained for 300 SGD steps.

# %%
X, y = make_moons(n=200, noise=0.1, seed=0)


def train(model: nn.Module, steps: int = 300, lr: float = 0.5) -> float:
    """Full-batch SGD on the moons; returns the training accuracy."""
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    for _ in range(steps):
        loss = nn.functional.cross_entropy(model(X), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    with torch.no_grad():
        return (model(X).argmax(dim=1) == y).float().mean().item()


def moons_net() -> nn.Sequential:
    return nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 2))


constant = moons_net()
for p in constant.parameters():
    nn.init.constant_(p, 0.5)
acc_constant = train(constant)
W1 = constant[0].weight.detach()
print(f"hidden weights after training (8 units × 2 inputs):\n{W1}")

# %% [markdown]
# All eight rows — the eight hidden units — are still exactly equal: the weight matrix has rank 1, and the network
# is a 2-1-2 network in disguise. With the default random start, the same training uses all eight units:

# %%
# NBVAL_CHECK_OUTPUT
cu.set_seed(0)
random_start = moons_net()
acc_random = train(random_start)
units_equal = torch.equal(W1, W1[0].expand_as(W1))
assert units_equal and torch.linalg.matrix_rank(W1) == 1
assert torch.linalg.matrix_rank(random_start[0].weight.detach()) == 2
assert acc_random > acc_constant
print(f"constant start: all 8 units identical after training: {units_equal}; accuracy {acc_constant:.2f}")
print(f"random start:   accuracy {acc_random:.2f}")

# %% [markdown]
# All zeros is even worse. With tanh, $\tanh(0) = 0$, so the hidden layer outputs zeros: the output weights get a
# zero gradient ($\partial L/\partial W_2 = \delta\, h^\top = 0$), and the hidden weights get a zero gradient too
# ($\partial L/\partial W_1 \propto W_2^\top \delta = 0$), and so does the hidden bias. Only the output bias can
# move — towards the class frequencies, which on the balanced moons means not at all. The network learns nothing.

# %%
zeros = moons_net()
for p in zeros.parameters():
    nn.init.zeros_(p)
acc_zeros = train(zeros)
assert (zeros[0].weight == 0).all() and (zeros[2].weight == 0).all()  # never moved
assert acc_zeros == 0.5  # the moons are balanced: 100 points per class
print(f"all-zero start: weights still all zero after training; accuracy {acc_zeros:.2f}")

# %% [markdown]
# (Biases, by contrast, are usually started at 0: once the weights are random, the units already differ.)
#
# ### 1.2 Too large: saturation
#
# Random, then — but how large? Take one tanh layer with 512 inputs and 512 units, fed inputs of variance 1. Each
# pre-activation $z = \sum_{i=1}^{512} w_i x_i$ adds 512 random terms, so with weights drawn from $N(0, 1)$ its
# standard deviation is $\sqrt{512} \approx 22.6$. Almost every $z$ is far out on tanh's flat tails: the unit
# *saturates* at ±1, and its derivative $\tanh'(z) = 1 - \tanh^2(z)$ is nearly 0, so almost no gradient flows
# back through it.

# %%
g_inputs = torch.Generator().manual_seed(1)  # inputs from their own seed, weights from the global one
x512 = torch.randn(256, 512, generator=g_inputs)


def tanh_layer_report(weight: torch.Tensor) -> tuple[float, float, float]:
    z = x512 @ weight.T
    h = torch.tanh(z)
    return z.std().item(), (h.abs() > 0.97).float().mean().item(), (1 - h**2).mean().item()


big = init.normal_(torch.empty(512, 512), 0.0, 1.0)
z_std, saturated, slope = tanh_layer_report(big)
assert 0.9 * math.sqrt(512) < z_std < 1.1 * math.sqrt(512)
assert saturated > 0.9 and slope < 0.05
print(f"N(0, 1) weights: std(z) = {z_std:.1f}, saturated units {saturated:.0%}, mean tanh'(z) = {slope:.3f}")

# %% [markdown]
# With $N(0, 1/512)$ weights instead (what Xavier will give), $z$ has standard deviation 1 and the units work in
# tanh's steep middle:

# %%
fitting = init.normal_(torch.empty(512, 512), 0.0, 1 / math.sqrt(512))
z_std, saturated, slope = tanh_layer_report(fitting)
assert 0.9 < z_std < 1.1 and saturated < 0.05 and slope > 0.5
print(f"N(0, 1/512) weights: std(z) = {z_std:.2f}, saturated units {saturated:.0%}, mean tanh'(z) = {slope:.2f}")

# %% [markdown]
# ### 1.3 Too small: the signal fades away
#
# The opposite mistake: weights from $N(0, 0.01^2)$. Now each layer multiplies the scale of its input by about
# $0.01 \cdot \sqrt{512} \approx 0.23$ (tanh is almost the identity near 0). After 10 layers the signal is
# $(0.01\sqrt{512})^{10} \approx 3.5 \cdot 10^{-7}$ of what went in — the last layers see (almost) the same tiny
# numbers for every input, and the gradients of the early layers shrink in the same way.

# %%
h = x512
stds = []
for _ in range(10):
    h = torch.tanh(h @ init.normal_(torch.empty(512, 512), 0.0, 0.01).T)
    stds.append(h.std().item())
std_line = " ".join(f"{s:.1e}" for s in stds)
print(f"std after each layer: {std_line}")
predicted = (0.01 * math.sqrt(512)) ** 10
assert round(predicted, 8) == 3.5e-7
assert stds[-1] < 1e-5 and 0.5 < stds[-1] / predicted < 2

# %% [markdown]
# ## 2. Keeping the variance: where the formulas come from
#
# One line of algebra explains all of it. A unit computes $z = \sum_{i=1}^{n_\text{in}} w_i x_i$ with $n_\text{in}$
# — the **fan-in** — inputs. If the weights are independent of the inputs, with mean 0 and variance
# $\operatorname{Var}(w)$, then
#
# $$\operatorname{Var}(z) = n_\text{in}\,\operatorname{Var}(w)\,\mathbb{E}[x^2].$$
#
# To keep the scale from layer to layer, make $n_\text{in}\operatorname{Var}(w)$ about 1. Checked on one layer of
# 512 inputs:

# %%
w = init.normal_(torch.empty(512, 512), 0.0, 0.05)
z = x512 @ w.T
ratio = z.var().item() / (512 * 0.05**2 * (x512**2).mean().item())
assert 0.95 < ratio < 1.05
print(f"Var(z) / (fan_in · Var(w) · E[x²]) = {ratio:.3f}")

# %% [markdown]
# **Xavier / Glorot (2010), for tanh and sigmoid.** Near 0, tanh is the identity, so the forward pass keeps the
# variance when $\operatorname{Var}(w) = 1/n_\text{in}$. The backward pass multiplies the gradients by $W^\top$,
# which sums over the $n_\text{out}$ units a layer feeds — the **fan-out** — and keeps *their* variance when
# $\operatorname{Var}(w) = 1/n_\text{out}$. Glorot and Bengio take the compromise below, drawn from a normal
# $N(0, \sigma^2)$ or from a uniform $U(-a, a)$, whose variance is $a^2/3$:
#
# $$\operatorname{Var}(w) = \frac{2}{n_\text{in} + n_\text{out}}:\qquad
# \sigma = \sqrt{\tfrac{2}{n_\text{in} + n_\text{out}}},\qquad a = \sqrt{\tfrac{6}{n_\text{in} + n_\text{out}}}.$$
#
# **Kaiming / He (2015), for ReLU.** ReLU zeroes the negative half of a symmetric $z$, so
# $\mathbb{E}[\operatorname{relu}(z)^2] = \tfrac12 \operatorname{Var}(z)$: each layer would halve the signal's energy.
# Doubling the weights' variance makes up for it (again $\sigma$ of a normal, $a$ of a uniform $U(-a, a)$):
#
# $$\operatorname{Var}(w) = \frac{2}{n_\text{in}}:\qquad \sigma = \sqrt{\tfrac{2}{n_\text{in}}},
# \qquad a = \sqrt{\tfrac{6}{n_\text{in}}}.$$

# %%
relu_energy = (torch.relu(z) ** 2).mean() / z.var()
assert 0.45 < relu_energy < 0.55
uniform_std = init.uniform_(torch.empty(1000, 1000), -1.0, 1.0).std().item()
assert abs(uniform_std - 1 / math.sqrt(3)) < 0.01  # U(-a, a) has std a / sqrt(3)
print(f"E[relu(z)²] / Var(z) = {relu_energy:.3f};  std of U(-1, 1) = {uniform_std:.3f} ≈ 1/√3 = 0.577")

# %% [markdown]
# **The gain.** `torch.nn.init` writes both schemes with a factor, the *gain* of the non-linearity that follows:
# $\sigma_\text{Xavier} = \text{gain}\sqrt{2/(n_\text{in}+n_\text{out})}$, $\sigma_\text{Kaiming} =
# \text{gain}/\sqrt{n_\text{in}}$. ReLU's gain $\sqrt2$ is the doubling above; tanh's $5/3$ makes up for tanh
# squashing values away from 0; a leaky ReLU with slope $a$ loses less than ReLU, gain $\sqrt{2/(1+a^2)}$.
# `course_utils.init.calculate_gain` returns the same numbers as `nn.init.calculate_gain`:

# %%
# NBVAL_CHECK_OUTPUT
for name in ["linear", "sigmoid", "tanh", "relu", "leaky_relu", "selu"]:
    assert init.calculate_gain(name) == nn.init.calculate_gain(name)
    print(f"{name:>10}: gain {init.calculate_gain(name):.4f}")
assert init.calculate_gain("leaky_relu", 0.2) == nn.init.calculate_gain("leaky_relu", 0.2)

# %% [markdown]
# ## 3. The schemes, from scratch and in `torch.nn.init`
#
# | scheme | distribution | `course_utils.init` = `torch.nn.init` | use before |
# |---|---|---|---|
# | uniform | $U(a, b)$ — e.g. $U(-1/\sqrt{n_\text{in}}, 1/\sqrt{n_\text{in}})$ | `uniform_(w, a, b)` | — |
# | normal | $N(\mu, \sigma^2)$ | `normal_(w, mean, std)` | — |
# | Xavier uniform | $U(-a, a)$, $a = \text{gain}\sqrt{6/(n_\text{in}+n_\text{out})}$ | `xavier_uniform_(w, gain)` | tanh, sigmoid |
# | Xavier normal | $N(0, \sigma^2)$, $\sigma = \text{gain}\sqrt{2/(n_\text{in}+n_\text{out})}$ | `xavier_normal_(w, gain)` | tanh, sigmoid |
# | Kaiming uniform | $U(-b, b)$, $b = \text{gain}\sqrt{3/n_\text{in}}$ ($=\sqrt{6/n_\text{in}}$ for ReLU) | `kaiming_uniform_(w, a, mode, nonlinearity)` | ReLU family |
# | Kaiming normal | $N(0, \sigma^2)$, $\sigma = \text{gain}/\sqrt{n_\text{in}}$ ($=\sqrt{2/n_\text{in}}$ for ReLU) | `kaiming_normal_(w, a, mode, nonlinearity)` | ReLU family |
#
# Every one of them fills the tensor **in place** (the trailing underscore, as in `add_`) and returns it. The fans
# of a weight of shape `(out, in)` are $n_\text{in}$ = `in` and $n_\text{out}$ = `out`; for a convolution weight
# `(out, in, kh, kw)` each is multiplied by the kernel size $kh \cdot kw$. Kaiming's `mode="fan_out"` uses
# $n_\text{out}$ instead, which keeps the gradients' variance in the backward pass rather than the activations'.
# Here is the from-scratch Kaiming-uniform: compute the fan, the gain, the bound, then one `uniform_` call.

# %%
cu.show_source(init.kaiming_uniform_)

# %% [markdown]
# `nn.Conv2d` is the layer for images that chapter 08 builds from scratch: it slides small squares of weights
# (kernels) over the picture, and its weight is a 4-D tensor of shape `(out_channels, in_channels, kh, kw)`. Here
# it only shows that the initializers treat that weight like any other; its fan-in counts `in_channels · kh · kw`.
#
# Because the from-scratch version draws its numbers with the same call and the same arguments as PyTorch, the
# same seed gives the same weights, bit for bit — for all six initializers, on a `Linear` and on a `Conv2d` weight:

# %%
# NBVAL_CHECK_OUTPUT
calls = {
    "uniform_": ({"a": -0.1, "b": 0.1}),
    "normal_": ({"mean": 0.0, "std": 0.02}),
    "xavier_uniform_": ({"gain": 5 / 3}),
    "xavier_normal_": ({}),
    "kaiming_uniform_": ({"nonlinearity": "relu"}),
    "kaiming_normal_": ({"mode": "fan_out", "nonlinearity": "relu"}),
}
assert init.fan_in_and_fan_out(nn.Conv2d(3, 16, kernel_size=5).weight) == (3 * 25, 16 * 25)
for name, kwargs in calls.items():
    for shape in [(300, 200), (16, 3, 5, 5)]:
        ours, theirs = torch.empty(shape), torch.empty(shape)
        torch.manual_seed(0)
        getattr(init, name)(ours, **kwargs)
        torch.manual_seed(0)
        getattr(nn.init, name)(theirs, **kwargs)
        assert torch.equal(ours, theirs), (name, shape)
    print(f"{name:>16}: identical to torch.nn.init.{name}")

# %% [markdown]
# And the statistics are the formulas': on a 400 × 600 weight ($n_\text{in} = 600$, $n_\text{out} = 400$),

# %%
w = torch.empty(400, 600)
expected = {
    "xavier_uniform_": math.sqrt(6 / 1000) / math.sqrt(3),
    "xavier_normal_": math.sqrt(2 / 1000),
    "kaiming_uniform_": math.sqrt(6 / 600) / math.sqrt(3),
    "kaiming_normal_": math.sqrt(2 / 600),
}
for name, std in expected.items():
    kwargs = {"nonlinearity": "relu"} if name.startswith("kaiming") else {}
    got = getattr(init, name)(w, **kwargs).std().item()
    assert abs(got / std - 1) < 0.01, (name, got, std)
    print(f"{name:>16}: std {got:.5f}, formula {std:.5f}")
assert init.xavier_uniform_(w).abs().max() <= math.sqrt(6 / 1000)
assert init.kaiming_uniform_(w, nonlinearity="relu").abs().max() <= math.sqrt(6 / 600)

# %% [markdown]
# **Careful with the defaults of `uniform_` and `normal_`.** A popular table writes
# "uniform $U(-1/\sqrt d, 1/\sqrt d)$: `nn.init.uniform_(linear.weight)`" — but called without bounds, `uniform_`
# draws from $U(0, 1)$: every weight positive, far too large. Pass the bounds. Likewise
# `nn.init.normal_(w, mean=0, std=1)` is not "small values": with 512 inputs it is the saturating start of
# section 1.2.

# %%
d = 784
w = nn.init.uniform_(torch.empty(128, d))
assert w.min() >= 0 and w.max() <= 1  # U(0, 1): not what the table meant
w = nn.init.uniform_(torch.empty(128, d), -1 / math.sqrt(d), 1 / math.sqrt(d))
assert w.abs().max() <= 1 / math.sqrt(d)
print(f"uniform_ with explicit bounds: weights in ±{1 / math.sqrt(d):.4f}")

# %% [markdown]
# ## 4. What PyTorch does by default
#
# An `nn.Linear(in, out)` is initialized when you create it, by its `reset_parameters` method:
# `kaiming_uniform_(weight, a=math.sqrt(5))`, then the bias from $U(-1/\sqrt{n_\text{in}}, 1/\sqrt{n_\text{in}})$.
# The odd $a = \sqrt5$ is a leaky-ReLU slope chosen so that the gain is $\sqrt{2/(1+5)} = 1/\sqrt3$ and the bound
# $\text{gain}\cdot\sqrt{3/n_\text{in}} = 1/\sqrt{n_\text{in}}$: the weights are
# $U(-1/\sqrt{n_\text{in}}, 1/\sqrt{n_\text{in}})$, the "uniform" row of the table. We reproduce a fresh layer bit
# for bit:

# %%
torch.manual_seed(0)
layer = nn.Linear(300, 100)
torch.manual_seed(0)
w, b = torch.empty(100, 300), torch.empty(100)
init.kaiming_uniform_(w, a=math.sqrt(5))
init.uniform_(b, -1 / math.sqrt(300), 1 / math.sqrt(300))
assert torch.equal(layer.weight, w) and torch.equal(layer.bias, b)
assert math.isclose(init.calculate_gain("leaky_relu", math.sqrt(5)) * math.sqrt(3 / 300), 1 / math.sqrt(300))
assert layer.weight.abs().max() <= 1 / math.sqrt(300)
assert abs(layer.weight.var().item() * 3 * 300 - 1) < 0.05  # variance 1 / (3 n_in), a sixth of Kaiming's 2 / n_in
print(f"nn.Linear(300, 100).weight: U(-1/√300, 1/√300) = U(-{1 / math.sqrt(300):.4f}, {1 / math.sqrt(300):.4f})")

# %% [markdown]
# Its variance is $\frac{1}{3 n_\text{in}}$ — a sixth of Kaiming's $\frac{2}{n_\text{in}}$. For the shallow networks
# and the networks with normalization layers that most people train this works well. In a deep plain ReLU stack
# each layer multiplies the signal's energy by about $n_\text{in} \cdot \frac{1}{3 n_\text{in}} \cdot \frac12 =
# \frac16$ (until the biases, which do not shrink, dominate), so the signal fades: section 6 shows it.
# `nn.Conv2d` uses the same rule, with the fan including the kernel size.

# %% [markdown]
# ## 5. Initializing a whole model: `model.apply`
#
# The layers already exist, with their default weights; you overwrite them. `model.apply(fn)` calls `fn(m)` on
# every module `m` of the model (children first, then the model itself), so `fn` picks the modules it cares about
# with `isinstance`:

# %%
def init_for_relu(m: nn.Module) -> None:
    if isinstance(m, nn.Linear | nn.Conv2d):
        nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
        if m.bias is not None:
            nn.init.zeros_(m.bias)


model = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10))
model.apply(init_for_relu)
for m in model:
    if isinstance(m, nn.Linear):
        assert abs(m.weight.std().item() / math.sqrt(2 / m.in_features) - 1) < 0.1 and (m.bias == 0).all()
model

# %% [markdown]
# `nn.init` functions run under `torch.no_grad()` themselves. If you assign weights by hand instead
# (`m.weight.copy_(...)`), wrap it in `with torch.no_grad():`, or autograd refuses the in-place change of a
# parameter. Another common spot is the model's own `__init__`: call `self.apply(init_for_relu)` at its end.
#
# **Pitfall from a tutorial:** `nn.Linear(784, 128, weight_initializer=nn.init.xavier_uniform_)` looks natural but
# `nn.Linear` has no such argument (its arguments are `in_features, out_features, bias, device, dtype`); Python
# refuses it:

# %%
try:
    nn.Linear(784, 128, weight_initializer=nn.init.xavier_uniform_)
    raised = None
except TypeError as error:
    raised = error
assert isinstance(raised, TypeError)
print("TypeError:", raised)

fc1 = nn.Linear(784, 128)  # the correct way: create the layer, then initialize its weight in place
nn.init.xavier_uniform_(fc1.weight)
nn.init.zeros_(fc1.bias)
assert fc1.weight.abs().max() <= math.sqrt(6 / (784 + 128))

# %% [markdown]
# ## 6. The experiment: a 10-layer network under each scheme
#
# Now an experiment in the spirit of Glorot & Bengio (2010) and He et al. (2015): a stack of 10 layers of width
# 1024, each `Linear` followed by tanh or ReLU, fed a batch of 64 inputs from $N(0, 1)$.
# `course_utils.init.layer_stats` runs the batch through the model with hooks and reports, for every layer, the
# activations' mean and standard deviation, the fraction of saturated tanh units ($|h| > 0.97$) and of dead ReLU
# units (0 for the whole batch), and the standard deviation of the gradient arriving at the layer. As a loss we
# take $\sum_{ij} h_{ij} r_{ij}$ for a fixed random $r \sim N(0, 1)$, so the gradient arriving at the last layer is
# exactly $r$, of std 1: every other layer's gradient std reads as "times the last one's".
#
# The inputs and the weights come from **different** random generators: drawn from the same seed, the inputs would
# repeat the first layer's weights, and each unit would see an input correlated with its own weights — its output
# scale then doubles, and the measurement is wrong.

# %%
cu.show_source(init.layer_stats)

# %%
WIDTH, DEPTH = 1024, 10
SCHEMES = {
    "N(0, 1)": lambda w: nn.init.normal_(w, 0.0, 1.0),
    "PyTorch default": None,  # keep what nn.Linear did, biases included
    "Xavier": lambda w: nn.init.xavier_normal_(w),
    "Xavier, gain 5/3": lambda w: nn.init.xavier_normal_(w, gain=nn.init.calculate_gain("tanh")),
    "Kaiming": lambda w: nn.init.kaiming_normal_(w, nonlinearity="relu"),
}


def deep_net(activation: type[nn.Module], scheme: str) -> nn.Sequential:
    torch.manual_seed(0)  # weights: the global generator
    layers = []
    for _ in range(DEPTH):
        layers += [nn.Linear(WIDTH, WIDTH), activation()]
    model = nn.Sequential(*layers)
    fill = SCHEMES[scheme]
    if fill is not None:
        def scheme_init(m: nn.Module) -> None:
            if isinstance(m, nn.Linear):
                fill(m.weight)
                nn.init.zeros_(m.bias)

        model.apply(scheme_init)
    return model


x = torch.randn(64, WIDTH, generator=torch.Generator().manual_seed(1))  # inputs: their own generator
r = torch.randn(64, WIDTH, generator=torch.Generator().manual_seed(2))


def random_direction(output: torch.Tensor) -> torch.Tensor:
    return (output * r).sum()


results = {}
for act in (nn.Tanh, nn.ReLU):
    for scheme in SCHEMES:
        stats = init.layer_stats(deep_net(act, scheme), x, loss_fn=random_direction)
        results[act.__name__, scheme] = [s for s in stats if s["type"] == act.__name__]  # after each activation
first = results["ReLU", "Kaiming"][0]
print(f"{len(results)} runs. The first record (ReLU + Kaiming, layer {first['name']}, a {first['type']}, output "
      f"{first['shape']}):")
# a ReLU's record has no saturated fraction (None), a tanh's no dead one: show the numbers that apply
print("  " + ", ".join(f"{key} {first[key]:.3f}" for key in ("mean", "std", "saturated", "dead", "grad_std")
                       if first[key] is not None))

# %%
fig, axes = new_figure(ncols=2, nrows=2, width=4.2, height=2.9)
for row, act in enumerate(["Tanh", "ReLU"]):
    for scheme in SCHEMES:
        stats = results[act, scheme]
        layers = range(1, DEPTH + 1)
        axes[row, 0].plot(layers, [s["std"] for s in stats], "o-", ms=3, label=scheme)
        axes[row, 1].plot(layers, [s["grad_std"] for s in stats], "o-", ms=3, label=scheme)
    axes[row, 0].set(yscale="log", ylabel="std of activations", title=f"{act}: activations, forward")
    axes[row, 1].set(yscale="log", ylabel="std of gradient", title=f"{act}: gradients, backward")
for ax in axes[1]:
    ax.set_xlabel("layer")
axes[0, 0].legend(fontsize=7)
fig

# %% [markdown]
# What the curves say — each sentence is checked by the cell below:
#
# - **ReLU + Kaiming** keeps the scale: the energy $\mathbb{E}[h^2]$ stays near its input value 1 at every layer
#   (we assert it within 0.5–2, and the std too), and the gradient std stays within 0.5–2 of the last layer's.
# - **ReLU + Xavier** loses half the energy per layer (no factor 2), and **ReLU + PyTorch's default** keeps only a
#   sixth of it — after 10 layers the activations are 20 to 100 times smaller than under Kaiming, and the gradient
#   reaching layer 1 is over 10 times (Xavier) and over 1000 times (default) smaller than the one at layer 10.
# - **tanh + Xavier, gain 5/3** is flat (std within 0.5–2 at every layer). Plain Xavier (gain 1) drifts down slowly,
#   losing about a factor 3 in 10 layers, because tanh squashes — the reason for the 5/3.
# - **N(0, 1)** explodes under ReLU (×~20 per layer: $\sqrt{1024/2}$) and under tanh saturates over 90% of the
#   units at every layer. Its gradients do not simply vanish: the few unsaturated units times the huge weights make
#   the gradient at layer 1 over 1000 times that at layer 10. A network in either state does not train.

# %%
# NBVAL_CHECK_OUTPUT
def energy(s: dict) -> float:
    return s["std"] ** 2 + s["mean"] ** 2  # E[h²] = Var(h) + E[h]²


kaiming = results["ReLU", "Kaiming"]
assert all(0.5 < energy(s) < 2 and 0.5 < s["std"] < 2 for s in kaiming)
assert all(0.5 < s["grad_std"] < 2 for s in kaiming)
xavier_relu, default_relu = results["ReLU", "Xavier"], results["ReLU", "PyTorch default"]
assert all(0.35 < energy(b) / energy(a) < 0.65 for a, b in zip(xavier_relu, xavier_relu[1:]))  # half per layer
assert 1 / 10 < energy(default_relu[1]) / energy(default_relu[0]) < 1 / 3  # about a sixth
assert all(20 < kaiming[-1]["std"] / r[-1]["std"] < 100 for r in (xavier_relu, default_relu))
assert xavier_relu[0]["grad_std"] < 0.1 and default_relu[0]["grad_std"] < 0.001  # the last layer's is 1
assert all(0.5 < s["std"] < 2 for s in results["Tanh", "Xavier, gain 5/3"])
plain = results["Tanh", "Xavier"]
assert 2 < plain[0]["std"] / plain[-1]["std"] < 4 and all(s["saturated"] < 0.05 for s in plain)
normal = results["Tanh", "N(0, 1)"]
assert all(s["saturated"] > 0.9 for s in normal) and normal[0]["grad_std"] > 1000
exploding = results["ReLU", "N(0, 1)"]
assert all(15 < b["std"] / a["std"] < 30 for a, b in zip(exploding, exploding[1:]))  # sqrt(1024 / 2) = 22.6
print(f"ReLU + Kaiming: E[h²] and std within 0.5-2 at every layer: {all(0.5 < energy(s) < 2 for s in kaiming)}")
print(f"tanh + N(0, 1): over 90% saturated at every layer: {all(s['saturated'] > 0.9 for s in normal)}")

# %%
energy_line = " ".join(f"{energy(s):.2f}" for s in kaiming)
print(f"ReLU + Kaiming, E[h²] per layer: {energy_line}")

# %% [markdown]
# The histograms tell the same story value by value. Top: the activations of layers 1, 4, 7 and 10; bottom: the
# size of the gradients arriving at them, as $\log_{10}|g|$ (one unit on that axis is a factor of 10). Under
# N(0, 1), tanh piles its outputs at ±1 (95% of them beyond |0.97| in every layer) and the gradients of successive
# layers sit orders of magnitude apart. Xavier (gain 5/3) does not confine tanh to its steep middle: the outputs
# cover the whole range (−1, 1), fairly flat in the middle and rising towards ±1. The gain that keeps their std
# steady also leaves some units near saturation: 21% of layer 1's outputs lie beyond |0.97| (its inputs have std 1,
# larger than a tanh layer's outputs), 5–6% from layer 4 on. The price is small: the gradient std stays between 1
# and 3 times the last layer's in all ten layers. Kaiming keeps ReLU's positive outputs (zeros left out) and the
# gradients at the same scale in every layer. The cell after the picture checks these numbers.

# %%
def activations_and_grads(model: nn.Sequential) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
    """Each activation layer's output for the batch x, and the gradient of random_direction arriving at it."""
    outputs, h = [], x
    for module in model:
        h = module(h)
        if not isinstance(module, nn.Linear):
            h.retain_grad()  # keep .grad on this non-leaf tensor
            outputs.append(h)
    random_direction(h).backward()
    return [o.detach() for o in outputs], [o.grad for o in outputs]


cases = [(nn.Tanh, "N(0, 1)"), (nn.Tanh, "Xavier, gain 5/3"), (nn.ReLU, "Kaiming")]
fig, axes = new_figure(ncols=3, nrows=2, width=3.0, height=2.4)
for col, (act, scheme) in enumerate(cases):
    acts, grads = activations_and_grads(deep_net(act, scheme))
    for layer in (1, 4, 7, 10):
        a, g = acts[layer - 1].flatten(), grads[layer - 1].flatten()
        if act is nn.ReLU:
            a, g = a[a > 0], g[acts[layer - 1].flatten() > 0]
        axes[0, col].hist(a.numpy(), bins=50, histtype="step", density=True, label=f"layer {layer}")
        axes[1, col].hist(g.abs().clamp_min(1e-30).log10().numpy(), bins=50, histtype="step", density=True)
    axes[0, col].set_title(f"{act.__name__}, {scheme}", fontsize=9)
    axes[1, col].set_xlabel("log10 |gradient|")
axes[0, 0].legend(fontsize=7)
axes[0, 0].set_ylabel("activations")
axes[1, 0].set_ylabel("gradients")
fig

# %%
# NBVAL_CHECK_OUTPUT
beyond = [s["saturated"] for s in results["Tanh", "Xavier, gain 5/3"]]  # the share of outputs beyond |0.97|
assert all(round(s["saturated"], 2) == 0.95 for s in results["Tanh", "N(0, 1)"])
assert round(beyond[0], 2) == 0.21 and all(0.05 < b < 0.065 for b in beyond[3:])
assert all(0.9 < s["grad_std"] < 3 for s in results["Tanh", "Xavier, gain 5/3"])  # the last layer's is 1
assert all(s["std"] < 1 for s in results["Tanh", "Xavier, gain 5/3"])  # below the input's std, 1
shares = " ".join(f"{b:.0%}" for b in beyond)
print(f"tanh + Xavier, gain 5/3: outputs beyond |0.97| in layers 1 to 10: {shares}")

# %% [markdown]
# ### Play with it
#
# Pick a scheme, an activation, the depth and the width. Left: the histograms of five layers' activations (values
# beyond the axis are counted in its end bin, ReLU's zeros are left out); right: the activations' std at every
# layer, on a log scale, against the input's 1 (dashed), with the five histograms' layers as coloured dots.
# Things to try: ReLU with N(0, 1) at width 16 and at 256 (the explosion rate is $\sqrt{\text{width}/2}$); ReLU
# with Xavier (gain 1) and then Kaiming; sigmoid with any scheme (its outputs are not centred at 0: the mean 0.5
# rides along); 20 layers of "PyTorch default".

# %%
explorer = init_explorer()
explorer

# %% [markdown]
# ## Pitfalls
#
# - **`nn.Linear(..., weight_initializer=...)` does not exist** (a tutorial's error): it raises `TypeError`.
#   Create the layer, then call `nn.init.xavier_uniform_(layer.weight)`, or initialize the whole model with
#   `model.apply(fn)`.
# - **Constant weights** (all zeros, all ones, all 0.5): the units of a layer stay identical forever (section 1.1).
#   Zero *biases* are fine.
# - **`nn.init.uniform_(w)` without bounds is $U(0, 1)$**, and `normal_(w)` is $N(0, 1)$ — far too large for a
#   layer with many inputs. Pass the bounds or the std, or use a scheme that computes them from the fans.
# - **Matching the scheme to the activation:** Kaiming for ReLU and its relatives, Xavier with gain
#   `calculate_gain("tanh")` for tanh. Xavier under ReLU halves the signal's energy at every layer.
# - **Same seed for data and weights** in an experiment: the inputs then repeat the weights, and what you measure
#   is a correlation, not the scheme. Use separate generators.
# - **Changing parameters in place without `torch.no_grad()`**: the `nn.init` functions do it for you; your own
#   `m.weight.copy_(...)` or `normal_` on a parameter needs `with torch.no_grad():`.
# - **The default is not always enough:** PyTorch's default ($U(\pm 1/\sqrt{n_\text{in}})$) is tuned for typical
#   shallow or normalized networks; a deep plain ReLU stack needs Kaiming (or batch normalization, chapter 07).
#   The common advice "complex networks should set Kaiming/Xavier by hand" holds for that reason.
# - **Blaming initialization for everything:** a flat loss can also come from a too-high learning rate, dead ReLUs
#   from a bad step, or wrong labels. `layer_stats` tells them apart: look at std, saturated and dead fractions and
#   gradient std per layer before changing the scheme.

# %% [markdown]
# ## Exercises
#
# ### Exercise 1 — Kaiming-normal from scratch
# Write `my_kaiming_normal_(tensor)`: fill a weight of shape `(out, in)` or `(out, in, kh, kw)` **in place** with
# samples of $N(0, 2/n_\text{in})$, where $n_\text{in}$ = `in` × the kernel size, and return the same tensor. It must
# also work on a parameter (`nn.Linear(4, 4).weight`), which requires grad.

# %%
def my_kaiming_normal_(tensor: torch.Tensor) -> torch.Tensor:
    raise NotImplementedError  # replace this line with your code


checks.check("kaiming_normal_fill", my_kaiming_normal_)

# %% [markdown]
# ### Exercise 2 — an initializer for `model.apply`
# Write `init_weights(m)` to be passed to `model.apply`: every `nn.Linear` gets Xavier-uniform weights and a zero
# bias (some layers have `bias=False`); every other module is left alone. It returns nothing.

# %%
def init_weights(m: nn.Module) -> None:
    raise NotImplementedError  # replace this line with your code


checks.check("init_weights_with_apply", init_weights)

# %% [markdown]
# ### Exercise 3 — a convolution weight's fans, gain and Xavier bound
# An `nn.Conv2d(in_channels, out_channels, kernel_size)` stores its weight as `(out_channels, in_channels, kh, kw)`.
# Write `xavier_numbers(weight, nonlinearity)`: return `(fan_in, fan_out, gain, bound)` for that weight (or a
# Linear weight `(out, in)`), where `gain` is the gain of `nonlinearity` (`"relu"`, `"tanh"`, `"sigmoid"` or
# `"linear"`; the gains printed in section 2, or `nn.init.calculate_gain`) and `bound` is the $a$ of Xavier-uniform's
# $U(-a, a)$. Work the fans out from `weight.shape`; the checker compares with PyTorch's.

# %%
def xavier_numbers(weight: torch.Tensor, nonlinearity: str) -> tuple[int, int, float, float]:
    raise NotImplementedError  # replace this line with your code


checks.check("xavier_numbers", xavier_numbers)

# %% [markdown]
# Stuck? `checks.hint("xavier_numbers")` gives the idea; ask again for a more precise hint. After you have checked an
# answer of your own, `checks.solution("xavier_numbers")` shows a solution.
#
# ## Summary
#
# - Units that start equal stay equal: initialize weights randomly (biases may start at 0).
# - The scale decides whether a deep network's signal survives: $\operatorname{Var}(z) = n_\text{in}
#   \operatorname{Var}(w)\,\mathbb{E}[x^2]$. Too large saturates tanh or explodes ReLU; too small fades to 0.
# - Xavier/Glorot: $\operatorname{Var}(w) = \text{gain}^2 \cdot 2/(n_\text{in}+n_\text{out})$, for tanh/sigmoid
#   (gain 5/3 for tanh). Kaiming/He: $\operatorname{Var}(w) = 2/n_\text{in}$, for ReLU. Uniform versions use the bound
#   $\sqrt3\,\sigma$. A convolution weight's fans include its kernel: $n_\text{in}$ = in_channels · kh · kw,
#   $n_\text{out}$ = out_channels · kh · kw.
# - `torch.nn.init.*_` fill in place; `course_utils.init` reproduces them bit for bit. `nn.Linear` defaults to
#   `kaiming_uniform_(a=√5)` = $U(\pm 1/\sqrt{n_\text{in}})$, bias likewise.
# - Initialize a model with `model.apply(fn)` after building it; there is no `weight_initializer=` argument.
# - Measure, don't guess: `layer_stats(model, x)` gives each layer's activation std, saturated or dead fraction and
#   gradient std.
#
# ## Key terms
#
# | English | 中文 |
# |---|---|
# | weight initialization | 权重初始化 |
# | symmetry breaking | 打破对称性 |
# | fan-in / fan-out | 扇入 / 扇出 |
# | convolution kernel | 卷积核 |
# | Xavier (Glorot) initialization | Xavier（Glorot）初始化 |
# | Kaiming (He) initialization | Kaiming（He）初始化 |
# | gain | 增益 |
# | saturation | 饱和 |
# | vanishing / exploding gradients | 梯度消失 / 梯度爆炸 |
# | dead ReLU | 死亡 ReLU（ReLU 神经元死亡） |
# | variance | 方差 |
# | in-place operation | 原地操作 |
#
# **Next:** [05 · Loss functions](05_losses.ipynb)

# %% [markdown]
# ## Your progress
#
# Your checks, hints and solutions of this chapter, from the record on this machine (run the cell again after
# working on the exercises; `cu.progress.show()` shows every chapter):

# %%
cu.progress.show("04")
