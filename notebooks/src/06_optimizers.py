# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# # 06 · Optimizers and learning-rate schedules
#
# **You will be able to**
# - explain gradient descent, stochastic and mini-batch, and say why mini-batches are the default;
# - write SGD with momentum (and Nesterov), AdaGrad, RMSProp, Adam and AdamW from their formulas, and check them
#   against `torch.optim` to the last digits;
# - read the momentum formula in two common forms and convert a learning rate between them;
# - tell Adam's `weight_decay` (an L2 penalty) from AdamW's (decoupled weight decay);
# - use StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR and a linear warm-up, with `fit`;
# - choose an optimizer from evidence: loss curves on a real task, each optimizer with a tuned learning rate.
#
# **Prerequisites:** chapters 03 (backpropagation: what `loss.backward()` computes) and 05 (loss functions).
#
# **Run time:** about 10 seconds on a 2-core laptop CPU.
#
# An optimizer is the part of training that turns gradients into weight changes. Everything in this chapter is a
# rule for one line of the training loop, `optimizer.step()`.

# %%
# %matplotlib inline
import copy
import inspect
import math

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

import course_utils as cu
from course_utils import checks, optim
from course_utils.data import load_digits, make_regression
from course_utils.plot import new_figure
from course_utils.train import fit
from course_utils.widgets import optimizer_race, schedule_explorer

cu.set_language("en")  # the language of the messages of checkers and widgets: "en" or "zh"
cu.env.check_environment()  # one line: OK, or what to fix and how
cu.set_seed(0)
device = cu.get_device()
torch.set_num_threads(1)  # models this small train fastest on one thread (more threads cost more to coordinate)
print(f"device: {device} (this chapter's models are tiny: they train on the CPU)")

# %% [markdown]
# ## 1. Gradient descent, stochastic and mini-batch
#
# The gradient $\nabla_w L$ points in the direction in which the loss grows fastest. Gradient descent takes a small
# step the other way, again and again:
#
# $$w \leftarrow w - \eta\, \nabla_w L(w),$$
#
# with the **learning rate** $\eta$ setting the step size. The loss is an average over the training set,
# $L = \frac1N \sum_i \ell_i$, and so is its gradient. There are three ways to get it:
#
# | name | gradient from | updates per epoch |
# |---|---|---|
# | (full-)batch gradient descent | all $N$ samples | 1 |
# | stochastic gradient descent (SGD) | 1 random sample | $N$ |
# | mini-batch SGD | $B$ random samples: $g_B = \frac1B\sum_{i\in\text{batch}} \nabla \ell_i$ | $N/B$ |
#
# A mini-batch gradient is a *noisy estimate* of the full one: right on average ($\mathbb E[g_B] = \nabla L$), with a
# standard deviation that shrinks like $1/\sqrt B$ (the mean of $B$ independent draws). Let's measure that on a
# linear regression, where each sample's gradient has a formula: for $\ell_i = (w\cdot x_i + b - y_i)^2$,
# $\nabla_w \ell_i = 2\,(w\cdot x_i + b - y_i)\,x_i$.

# %%
X, y = make_regression(n=256, n_features=5, noise=0.5, seed=0)
y = y.squeeze(1)
w0, b0 = torch.zeros(5, requires_grad=True), torch.zeros(1, requires_grad=True)

residual = (X @ w0 + b0 - y).detach()
per_sample = 2 * residual[:, None] * X              # (256, 5): one gradient per sample
((X @ w0 + b0 - y) ** 2).mean().backward()          # autograd's gradient of the mean loss
assert torch.allclose(per_sample.mean(0), w0.grad, atol=1e-6)  # the full gradient is the mean of the per-sample ones

g = torch.Generator().manual_seed(0)
noise = {}
for B in (1, 4, 16, 64):
    batches = torch.randint(0, len(X), (2000, B), generator=g)  # 2000 random mini-batches of size B
    estimates = per_sample[batches].mean(dim=1)                 # (2000, 5) mini-batch gradients
    noise[B] = (estimates - per_sample.mean(0)).norm(dim=1).pow(2).mean().sqrt().item()
    print(f"B = {B:2d}: typical error of the mini-batch gradient {noise[B]:.3f}")
assert abs(noise[1] / noise[64] - 8) < 0.8  # √64 = 8: 64× the batch, 1/8 the noise

# %% [markdown]
# The update rule itself is three lines with autograd. It is exactly what `torch.optim.SGD` does:

# %%
def gd_steps(lr: float, steps: int) -> torch.Tensor:
    w = torch.zeros(5, requires_grad=True)
    for _ in range(steps):
        loss = ((X @ w - y) ** 2).mean()
        loss.backward()
        with torch.no_grad():      # the update itself is not part of the model: don't record it
            w -= lr * w.grad       # w ← w − η ∇w L
        w.grad.zero_()             # PyTorch adds gradients up: clear them
    return w.detach()


w_torch = torch.zeros(5, requires_grad=True)
opt = torch.optim.SGD([w_torch], lr=0.1)
for _ in range(20):
    opt.zero_grad()
    ((X @ w_torch - y) ** 2).mean().backward()
    opt.step()
assert torch.allclose(gd_steps(0.1, 20), w_torch.detach())

# %% [markdown]
# Now train the regression three ways for 5 epochs with the same learning rate and compare the loss on the whole
# training set after each epoch (one epoch = one pass over the data):

# %%
def train_linear(batch_size: int, epochs: int = 5, lr: float = 0.1) -> list[float]:
    torch.manual_seed(0)
    w, b = torch.zeros(5, requires_grad=True), torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([w, b], lr=lr)
    full_loss = [((X @ w + b - y) ** 2).mean().item()]
    for _ in range(epochs):
        for idx in torch.randperm(len(X)).split(batch_size):
            opt.zero_grad()
            ((X[idx] @ w + b - y[idx]) ** 2).mean().backward()
            opt.step()
        full_loss.append(((X @ w + b - y) ** 2).mean().item())
    return full_loss


curves = {"batch GD (B = 256)": train_linear(256), "mini-batch (B = 16)": train_linear(16),
          "SGD (B = 1)": train_linear(1)}
fig, ax = new_figure(width=5.5, height=3.2)
for label, losses in curves.items():
    ax.plot(losses, "o-", ms=3, label=label)
ax.set(yscale="log", xlabel="epoch", ylabel="training loss (MSE, log scale)", title="Same data, same lr, 5 epochs")
ax.legend()
fig

# %%
# NBVAL_CHECK_OUTPUT
gd, mini, single = curves.values()
assert mini[1] < gd[1] / 5  # after one epoch: 16 updates beat 1 update
assert single[-1] > mini[-1]  # one-sample gradients are so noisy that the loss keeps jittering above the minimum
print(f"after 1 epoch, mini-batch loss < 1/5 of batch GD's: {mini[1] < gd[1] / 5}")
print(f"B = 1 ends above B = 16 (gradient noise): {single[-1] > mini[-1]}")

# %% [markdown]
# Batch GD makes one careful step per epoch; SGD makes many noisy ones and, with a constant learning rate, keeps
# jittering around the minimum. Mini-batches get most of both: many steps per epoch, little noise — and a batch of
# 32 or 256 samples is computed in one vectorized operation, about as fast as one sample on a GPU. In PyTorch
# "SGD" (`torch.optim.SGD`) is the update rule; which of the three you get depends on the `DataLoader`'s
# `batch_size`.

# %% [markdown]
# ## 2. Momentum
#
# On an **ill-conditioned** loss — steep in one direction, flat in another — one learning rate cannot suit both:
# small enough not to bounce across the steep direction means crawling along the flat one. Momentum lets the
# steps build up speed where successive gradients agree and cancel where they alternate, like a ball rolling
# downhill. Two ways of writing it are common, and they are **not** the same formula:
#
# | | velocity | update |
# |---|---|---|
# | exponential moving average (many textbooks and tutorials) | $v \leftarrow \beta v + (1-\beta)\,g$ | $w \leftarrow w - \eta_\text{EMA}\, v$ |
# | PyTorch's `SGD(momentum=μ)` | $v \leftarrow \mu v + g$ ($v_1 = g_1$) | $w \leftarrow w - \eta\, v$ |
#
# PyTorch's $v$ is a running **sum** $g_t + \mu g_{t-1} + \mu^2 g_{t-2} + \dots$; the average is the same sum times
# $(1-\beta)$. With $\mu = \beta$ the two velocities differ by the constant factor $1/(1-\beta)$ — 10× for 0.9 —
# and the learning rate absorbs it: $\eta = (1-\beta)\,\eta_\text{EMA}$ gives exactly the same steps. Checked on
# the ill-conditioned bowl $0.05x^2 + y^2$ from `optim.surfaces`:

# %%
bowl = optim.surfaces["quadratic"]
beta, lr_ema = 0.9, 0.5
w, v = torch.tensor([-1.8, 1.2], dtype=torch.float64), torch.zeros(2, dtype=torch.float64)
ema_path = [w]
for _ in range(60):
    g = torch.tensor(bowl.grad(*w.tolist()), dtype=torch.float64)
    v = beta * v + (1 - beta) * g          # the moving-average form
    w = w - lr_ema * v
    ema_path.append(w)
torch_path = optim.trajectory(torch.optim.SGD, bowl, start=(-1.8, 1.2), steps=60,
                              lr=(1 - beta) * lr_ema, momentum=beta)  # PyTorch's form, lr scaled by (1 − β)
assert torch.allclose(torch.stack(ema_path), torch_path, atol=1e-12)

# %% [markdown]
# **Pitfall:** many tutorials write momentum in the average form. Copy their β = 0.9 *and* their
# learning rate into `torch.optim.SGD(momentum=0.9)` and every step is 10× larger than intended. In PyTorch, a
# typical start is `lr=0.01`–`0.1` with `momentum=0.9`.
#
# PyTorch can also damp: `dampening=d` makes the update $v \leftarrow \mu v + (1-d)\,g$, the average form when
# $d = \mu$ — except at the first step, where PyTorch always starts the buffer at $v_1 = g_1$:

# %%
p = torch.zeros(3, requires_grad=True)
opt = torch.optim.SGD([p], lr=0.1, momentum=0.9, dampening=0.9)
p.grad = torch.tensor([1.0, -2.0, 3.0])
opt.step()
assert torch.equal(opt.state[p]["momentum_buffer"], torch.tensor([1.0, -2.0, 3.0]))  # v₁ = g₁, not 0.1·g₁

# %% [markdown]
# **Nesterov momentum** (`nesterov=True`) steps along $g + \mu v$ instead of $v$ — it uses the velocity it is about
# to have, which damps overshooting. What momentum does on the ill-conditioned bowl, with the real optimizer
# classes (`optim.trajectory(optimizer_class, surface, start, steps, **hyperparameters)`):

# %%
fig, (ax, ax_f) = new_figure(ncols=2, width=4.2, height=3.3)
Xg, Yg, Zg = bowl.grid()
ax.contour(Xg, Yg, Zg, levels=bowl.levels, colors="0.7", linewidths=0.7)
final = {}
for label, hp in {"SGD": {}, "momentum 0.9": {"momentum": 0.9},
                  "Nesterov 0.9": {"momentum": 0.9, "nesterov": True}}.items():
    path = optim.trajectory(optim.SGD, bowl, steps=100, lr=0.05, **hp)
    f = bowl(path[:, 0], path[:, 1])
    final[label] = f[-1].item()
    ax.plot(path[:, 0], path[:, 1], lw=1.3, label=label)
    ax_f.plot(f.clamp_min(1e-12), lw=1.3, label=label)
ax.set(xlim=(-2, 2), ylim=(-1.5, 1.5), title="0.05·x² + y², lr = 0.05", xlabel="x", ylabel="y")
ax_f.set(yscale="log", xlabel="step", ylabel="loss (log scale)", title="loss per step")
ax.legend(fontsize=8)
fig

# %%
# NBVAL_CHECK_OUTPUT
assert final["momentum 0.9"] < final["SGD"] / 100
sgd_path = optim.trajectory(optim.SGD, bowl, steps=100, lr=0.05)
assert torch.allclose(sgd_path[1:, 0] / sgd_path[:-1, 0], torch.tensor(0.995, dtype=sgd_path.dtype))  # x × 0.995
print(f"after 100 steps momentum's loss is < 1/100 of plain SGD's: {final['momentum 0.9'] < final['SGD'] / 100}")

# %% [markdown]
# Plain SGD settles the steep direction ($y$) at once but crawls along the flat one ($x$): the gradient there is
# $0.1x$, so each step multiplies $x$ by $1 - 0.05 \cdot 0.1 = 0.995$ — a shrink of only 0.5% (asserted above).
# Momentum accumulates those small, consistent steps.
#
# The course's `SGD` is written from these formulas as a `torch.optim.Optimizer` subclass with PyTorch's arguments,
# so it works in any training loop. Read it, then check it against `torch.optim.SGD` over 100 steps of a small
# network — parameters *and* the optimizer's state (the momentum buffers):

# %%
cu.show_source(optim.SGD)

# %%
def same_as_torch(name: str, steps: int = 100, **hyperparameters) -> bool:
    """Train two copies of a small float64 network, one with optim.<name>, one with torch.optim.<name>."""
    torch.manual_seed(1)
    net = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 1)).double()
    inputs, targets = torch.randn(64, 4, dtype=torch.float64), torch.randn(64, 1, dtype=torch.float64)
    runs = []
    for cls in (getattr(optim, name), getattr(torch.optim, name)):
        model = copy.deepcopy(net)
        opt = cls(model.parameters(), **hyperparameters)
        for _ in range(steps):
            opt.zero_grad()
            nn.functional.mse_loss(model(inputs), targets).backward()
            opt.step()
        runs.append((list(model.parameters()), opt))
    (ours, ours_opt), (theirs, theirs_opt) = runs
    same = all(torch.allclose(a, b, atol=1e-6) for a, b in zip(ours, theirs))
    for a, b in zip(ours, theirs):
        for key, value in theirs_opt.state[b].items():
            same &= torch.allclose(torch.as_tensor(ours_opt.state[a][key], dtype=torch.float64),
                                   torch.as_tensor(value, dtype=torch.float64), atol=1e-6)
    return same


assert same_as_torch("SGD", lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01)
assert same_as_torch("SGD", lr=0.05, momentum=0.9, dampening=0.5)

# %% [markdown]
# ## 3. AdaGrad: a learning rate per weight
#
# Some weights get large gradients, others small ones (rare features, for example). AdaGrad divides each weight's
# step by the root of the sum of all its squared gradients so far:
#
# $$s \leftarrow s + g^2, \qquad w \leftarrow w - \frac{\eta}{\sqrt{s} + \varepsilon}\, g$$
#
# (elementwise). PyTorch adds $\varepsilon$ (default $10^{-10}$) after the square root; some tutorials write
# $\sqrt{s + \varepsilon}$ — a detail that only matters when $s$ is tiny. The catch: $s$ only grows. With a
# gradient that stays 1, $s_t = t$ and the step is $\eta/\sqrt t$ — it decays forever, whether or not the weight
# has arrived:

# %%
def step_sizes(optimizer_cls, steps: int = 200, **hyperparameters) -> torch.Tensor:
    """The size of each step under a constant gradient of 1."""
    w = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    opt = optimizer_cls([w], **hyperparameters)
    sizes = []
    for _ in range(steps):
        before = w.item()
        w.grad = torch.ones(1, dtype=torch.float64)
        opt.step()
        sizes.append(before - w.item())
    return torch.tensor(sizes, dtype=torch.float64)


t = torch.arange(1, 201, dtype=torch.float64)
adagrad_steps = step_sizes(optim.Adagrad, lr=0.1)
assert torch.allclose(adagrad_steps, 0.1 / t.sqrt(), rtol=1e-6)  # η/√t: after 100 steps, a tenth of the first
assert same_as_torch("Adagrad", lr=0.1, lr_decay=0.01, weight_decay=0.01)

# %% [markdown]
# ## 4. RMSProp: forget old gradients
#
# RMSProp keeps AdaGrad's per-weight scaling but replaces the ever-growing sum by an exponential moving average,
# so old gradients fade out and the step size stops shrinking:
#
# $$s \leftarrow \alpha s + (1-\alpha)\, g^2, \qquad w \leftarrow w - \frac{\eta}{\sqrt{s} + \varepsilon}\, g$$
#
# PyTorch's default is $\alpha = 0.99$ (many tutorials use 0.9: a valid choice, not the default). $s$ starts at
# 0 and nothing corrects that, so early on $s$ is too small and the steps too large: with a constant gradient 1,
# $s_t = 1 - \alpha^t$ and the step is $\eta / \sqrt{1-\alpha^t}$ — **10 η** at the first step for
# $\alpha = 0.99$, then down towards $\eta$.

# %%
rmsprop_steps = step_sizes(optim.RMSprop, lr=0.01)
assert torch.allclose(rmsprop_steps, 0.01 / ((1 - 0.99**t).sqrt() + 1e-8), rtol=1e-6)
assert math.isclose(rmsprop_steps[0].item(), 10 * 0.01, rel_tol=1e-6)   # first step: 10 η
assert abs(rmsprop_steps[-1].item() - 0.01) < 0.001                    # after 200 steps: about η
assert same_as_torch("RMSprop", lr=0.001, momentum=0.9, centered=True, weight_decay=0.01)

# %% [markdown]
# (`centered=True` divides by an estimate of the gradient's *standard deviation* instead of its root mean square;
# `momentum` adds a momentum buffer on top.)
#
# ## 5. Adam = momentum + RMSProp + bias correction
#
# Adam (Kingma & Ba, 2015) keeps two moving averages — of the gradient (momentum, β₁) and of its square (RMSProp,
# β₂) — and divides out their zero start:
#
# $$m \leftarrow \beta_1 m + (1-\beta_1)\,g, \qquad v \leftarrow \beta_2 v + (1-\beta_2)\,g^2,$$
# $$\hat m = \frac{m}{1-\beta_1^t}, \qquad \hat v = \frac{v}{1-\beta_2^t}, \qquad
#   w \leftarrow w - \eta\,\frac{\hat m}{\sqrt{\hat v} + \varepsilon}.$$
#
# The paper's defaults are PyTorch's too: $\eta = 0.001$, $\beta = (0.9, 0.999)$, $\varepsilon = 10^{-8}$. (The
# `betas=[0.9, 0.99]` found in many tutorials is a common variant, not the default.)

# %%
for cls in (optim.Adam, torch.optim.Adam):
    defaults = {k: v.default for k, v in inspect.signature(cls).parameters.items()}
    assert defaults["lr"] == 1e-3 and tuple(defaults["betas"]) == (0.9, 0.999) and defaults["eps"] == 1e-8

# %% [markdown]
# Why the correction? At step 1, $m = 0.1\,g$ and $v = 0.001\,g^2$; uncorrected, the step would be
# $\eta \cdot 0.1/\sqrt{0.001} \approx 3.16\,\eta$. Corrected, $\hat m = g$, $\hat v = g^2$ and a constant gradient
# gives steps of exactly $\eta$ from the very first one. The three adaptive methods under a constant gradient:

# %%
adam_steps = step_sizes(optim.Adam, lr=0.01)
assert torch.allclose(adam_steps, torch.full((200,), 0.01, dtype=torch.float64), rtol=1e-6)  # η from step 1
uncorrected_first = 0.01 * (1 - 0.9) / math.sqrt(1 - 0.999)
assert abs(uncorrected_first / 0.01 - 3.16) < 0.01

fig, ax = new_figure(width=5.5, height=3.2)
ax.plot(t, adagrad_steps / 0.1, label="AdaGrad: 1/√t, forever")
ax.plot(t, rmsprop_steps / 0.01, label="RMSProp (α = 0.99): 10 at first, then → 1")
ax.plot(t, adam_steps / 0.01, label="Adam: 1 from the first step")
ax.set(xscale="log", yscale="log", xlabel="step t", ylabel="step size ÷ learning rate",
       title="Step sizes under a constant gradient")
ax.legend(fontsize=8)
fig

# %%
cu.show_source(optim.Adam)

# %%
assert same_as_torch("Adam", lr=0.01, weight_decay=0.01, amsgrad=True)
assert same_as_torch("Adam", lr=0.005, betas=(0.8, 0.99), eps=1e-6)

# %% [markdown]
# `amsgrad=True` divides by the largest $v$ seen so far, so the denominator never shrinks.
#
# ## 6. AdamW: weight decay that is really weight decay
#
# An **L2 penalty** $\frac\lambda2\lVert w\rVert^2$ adds $\lambda w$ to the gradient. For plain SGD that *is* weight
# decay: $w \leftarrow w - \eta(g + \lambda w) = (1-\eta\lambda)\,w - \eta g$. Adam's `weight_decay` adds the same
# $\lambda w$ to the gradient — and then divides it by $\sqrt{\hat v}$ like the rest. Loshchilov & Hutter (2019)
# showed this is not weight decay any more: a weight with large gradients is barely decayed, and the size of the
# decay step no longer depends on λ the way it should. **AdamW** decouples it: first every weight shrinks by the
# same fraction, then the Adam step follows, with $\hat m$ and $\hat v$ computed from the loss's gradient $g$ alone:
#
# $$w \leftarrow (1 - \eta\lambda)\, w, \qquad w \leftarrow w - \eta\,\frac{\hat m}{\sqrt{\hat v} + \varepsilon}.$$
#
# The cleanest way to see the difference: a loss whose gradient is zero, so that only the decay acts, on two
# weights of sizes 1 and 100:

# %%
def decay_only(optimizer_cls, weight_decay: float, steps: int = 100) -> torch.Tensor:
    w = torch.tensor([1.0, 100.0], dtype=torch.float64, requires_grad=True)
    opt = optimizer_cls([w], lr=0.01, weight_decay=weight_decay)
    for _ in range(steps):
        w.grad = torch.zeros(2, dtype=torch.float64)  # the loss's gradient: nothing
        opt.step()
    return w.detach()


start = torch.tensor([1.0, 100.0], dtype=torch.float64)
adam_l2 = {lam: decay_only(optim.Adam, lam) for lam in (0.01, 1.0)}
adamw = {lam: decay_only(optim.AdamW, lam) for lam in (0.01, 1.0)}
for lam in (0.01, 1.0):
    print(f"λ = {lam:4}:  Adam + L2 → {[round(x, 4) for x in adam_l2[lam].tolist()]},"
          f"  AdamW → {[round(x, 4) for x in adamw[lam].tolist()]}")
    assert torch.allclose(adamw[lam], start * (1 - 0.01 * lam) ** 100)  # AdamW: × (1 − ηλ) per step
assert torch.allclose(adam_l2[0.01], adam_l2[1.0])  # Adam + L2: λ cancels out — 100× the penalty, same weights
assert abs((start - adam_l2[1.0])[1].item() - 100 * 0.01) < 0.01  # the large weight loses 100 steps × η ≈ 1

# %% [markdown]
# With Adam + L2, λ = 0.01 and λ = 1 give *identical* weights: Adam divides the penalty's gradient $\lambda w$ by
# its own size, so λ cancels, and the weight of 100 loses about 1 (100 steps of size η) — 1% of itself. AdamW
# shrinks every weight by the same fraction, $(1-\eta\lambda)$ per step, and more for a larger λ: that is weight
# decay.
#
# An AdamW step is exactly "decay, then an Adam step without weight decay". Three checks on the small network of
# section 2: the course's `AdamW` (read its source) equals `torch.optim.AdamW` over 100 steps, parameters and state;
# `torch.optim.AdamW` equals a plain `Adam` whose weights are shrunk by $(1-\eta\lambda)$ before each step; and recent
# PyTorch versions also offer AdamW as `Adam(..., decoupled_weight_decay=True)` — a flag that older versions (which
# this course supports too) do not have, so the cell looks for it before using it:

# %%
cu.show_source(optim.AdamW)


# %%
def adamw_by_hand(steps: int = 5, lr: float = 0.01, weight_decay: float = 0.1, decoupled_flag: bool = False):
    """Parameters after `steps` steps of torch's AdamW and of a second optimizer on a copy of the same network:
    Adam with the flag, or (without it) plain Adam after shrinking every weight by (1 − lr·weight_decay)."""
    torch.manual_seed(1)
    net = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 1)).double()
    inputs, targets = torch.randn(64, 4, dtype=torch.float64), torch.randn(64, 1, dtype=torch.float64)
    reference, other = copy.deepcopy(net), copy.deepcopy(net)
    opt_ref = torch.optim.AdamW(reference.parameters(), lr=lr, weight_decay=weight_decay)
    if decoupled_flag:
        opt = torch.optim.Adam(other.parameters(), lr=lr, weight_decay=weight_decay, decoupled_weight_decay=True)
    else:
        opt = torch.optim.Adam(other.parameters(), lr=lr)  # no weight decay inside Adam
    for _ in range(steps):
        for model, optimizer in ((reference, opt_ref), (other, opt)):
            optimizer.zero_grad()
            nn.functional.mse_loss(model(inputs), targets).backward()
            if not decoupled_flag and optimizer is opt:
                with torch.no_grad():
                    for p in model.parameters():
                        p.mul_(1 - lr * weight_decay)  # the decay, before the Adam step
            optimizer.step()
    return list(reference.parameters()), list(other.parameters())


assert same_as_torch("AdamW", lr=0.01, weight_decay=0.1)             # course_utils.optim.AdamW == torch.optim.AdamW
assert same_as_torch("AdamW", lr=0.005, weight_decay=1.0, amsgrad=True)
ref, by_hand = adamw_by_hand()
assert all(torch.allclose(a, b, atol=1e-12) for a, b in zip(ref, by_hand))  # AdamW = decay, then Adam
has_flag = "decoupled_weight_decay" in inspect.signature(torch.optim.Adam).parameters
if has_flag:
    ref, flagged = adamw_by_hand(decoupled_flag=True)
    assert all(torch.allclose(a, b, atol=1e-12) for a, b in zip(ref, flagged))
    print(f"torch {torch.__version__}: Adam(decoupled_weight_decay=True) == AdamW")
else:
    print(f"torch {torch.__version__} has no Adam(decoupled_weight_decay=...): use torch.optim.AdamW")
print("optim.AdamW == torch.optim.AdamW == shrink by (1 − lr·weight_decay), then Adam: checked")

# %% [markdown]
# Two more things to know. PyTorch's AdamW multiplies the decay by the learning rate ($1 - \eta\lambda$), so a
# schedule that lowers $\eta$ lowers the decay too, and `weight_decay=0.01` decays by 0.001% per step at
# `lr=0.001` (a factor of $1 - 10^{-5}$). Its default `weight_decay` is 0.01, Adam's is 0. And
# `torch.optim.Adam(..., weight_decay=1e-4)` — as in many tutorials' training skeletons — is the L2 version: use
# `AdamW` when you mean weight decay.

# %%
for cls in (optim.AdamW, torch.optim.AdamW):
    assert inspect.signature(cls).parameters["weight_decay"].default == 0.01
assert inspect.signature(torch.optim.Adam).parameters["weight_decay"].default == 0
w = torch.ones(1, dtype=torch.float64, requires_grad=True)
w.grad = torch.zeros(1, dtype=torch.float64)                           # only the decay acts
torch.optim.AdamW([w], lr=0.001, weight_decay=0.01).step()
assert math.isclose(w.item(), 1 - 1e-5)                                # one step: × (1 − 0.001·0.01), 0.001% less

# %% [markdown]
# ## 7. The optimizers race on 2-D surfaces
#
# Four small surfaces show the typical landscapes (all in `optim.surfaces`, with their gradients written out):

# %%
for name, surface in optim.surfaces.items():
    print(f"{name:10s} start {surface.start}: {surface.caption}")

# %%
racers = {"SGD": (optim.SGD, {}), "momentum": (optim.SGD, {"momentum": 0.9}),
          "Nesterov": (optim.SGD, {"momentum": 0.9, "nesterov": True}), "Adagrad": (optim.Adagrad, {}),
          "RMSprop": (optim.RMSprop, {}), "Adam": (optim.Adam, {})}
paths = {(s, label): optim.trajectory(cls, s, steps=150, lr=0.05, **hp)
         for s in optim.surfaces for label, (cls, hp) in racers.items()}

fig, axes = new_figure(ncols=4, width=3.0, height=3.0)
for ax, (name, surface) in zip(axes, optim.surfaces.items()):
    Xg, Yg, Zg = surface.grid()
    ax.contour(Xg, Yg, Zg, levels=surface.levels, colors="0.7", linewidths=0.6)
    for i, label in enumerate(racers):
        path = paths[name, label]
        ax.plot(path[:, 0], path[:, 1], lw=1.1, color=f"C{i}", label=label)
    ax.plot(*zip(*surface.minima), "*", color="0.3", ms=8)
    ax.set(xlim=(-2, 2), ylim=(-2, 2), title=name, aspect="equal")
axes[0].legend(fontsize=7, loc="lower right")
fig

# %% [markdown]
# What the paths show (150 steps, learning rate 0.05 for all):
# - **saddle**: started 0.05 off the ridge, plain SGD needs more than 3× the steps of momentum or Adam to get away
#   from the saddle point (where the gradient is almost zero). Started exactly *on* the ridge, no gradient method
#   ever leaves it: the gradient has no sideways component there.
# - **himmelblau**: from the same start, the SGD family and the adaptive methods end in *different* minima.
# - **rosenbrock**: everyone reaches the curved valley fast, and then crawls along its flat floor; no one is at the
#   minimum (1, 1) after 150 steps at this learning rate.

# %%
# NBVAL_CHECK_OUTPUT
def escape_step(label: str) -> int:
    return int((paths["saddle", label][:, 1].abs() > 0.5).nonzero()[0])


assert escape_step("SGD") > 3 * max(escape_step("momentum"), escape_step("Adam"))
on_ridge = [optim.trajectory(cls, "saddle", start=(-1.8, 0.0), steps=150, lr=0.05, **hp)
            for cls, hp in racers.values()]
assert all((path[:, 1] == 0).all() for path in on_ridge)


def nearest_minimum(path: torch.Tensor) -> int:
    return min(range(4), key=lambda i: math.dist(path[-1].tolist(), optim.surfaces["himmelblau"].minima[i]))


assert nearest_minimum(paths["himmelblau", "SGD"]) != nearest_minimum(paths["himmelblau", "Adam"])
assert all(math.dist(paths["rosenbrock", label][-1].tolist(), (1, 1)) > 0.4 for label in racers)
steps_to_escape = {label: escape_step(label) for label in ("SGD", "momentum", "Adam")}
print(f"saddle: steps to get |y| > 0.5: {steps_to_escape}")
print("saddle: started on the ridge, every optimizer stays on it: True")
print("himmelblau: SGD and Adam end in different minima: True")
print("rosenbrock: nobody within 0.4 of (1, 1) after 150 steps at lr 0.05: True")

at_lr_1 = {label: optim.trajectory(cls, "quadratic", steps=100, lr=1.0, **hp) for label, (cls, hp) in racers.items()}
assert abs(abs(at_lr_1["SGD"][-1, 1].item()) - 1.2) < 1e-9      # plain SGD: y flips sign forever, never shrinks
assert len(at_lr_1["Nesterov"]) < 101                            # Nesterov blows up: trajectory stopped it
assert all(bowl(*at_lr_1[label][-1]) < 1e-3 for label in ("Adagrad", "RMSprop", "Adam"))
print("quadratic at lr 1: SGD bounces, Nesterov blows up, the adaptive methods converge: True")

# %% [markdown]
# Now race them yourself. Pick a surface (the start moves to its suggested point; then drag it), the learning rate
# shared by all, momentum for the SGD variants, β₁/β₂ for Adam, and the number of steps. The right panel shows how
# far each is from the lowest value, $f - f_\min$, on a log scale; its title names any optimizer that **blew up**:
# a coordinate went past $10^6$ (or became infinite), where `optim.trajectory` stops the path. Things to try: on the
# quadratic, set the learning rate to 1 — plain SGD then bounces across the steep direction forever (the learning
# rate, 1, is exactly 2 / curvature there: checked in the cell above), Nesterov blows up, and the adaptive
# methods don't mind. Set Adam's β₁ to 0: what is left is RMSProp with bias correction. Start the saddle at y = 0.

# %%
optimizer_race()

# %% [markdown]
# ## 8. Learning-rate schedules
#
# A large learning rate makes fast progress early; a small one settles into a minimum at the end. A schedule
# changes $\eta$ epoch by epoch. With $\eta_0$ the base rate and $e$ the epoch:
#
# | schedule | $\eta_e$ | PyTorch |
# |---|---|---|
# | step decay | $\eta_0\,\gamma^{\lfloor e / s\rfloor}$ | `StepLR(opt, step_size=s, gamma=γ)` |
# | multi-step | $\eta_0\,\gamma^{\#\{\text{milestones} \le e\}}$ | `MultiStepLR(opt, milestones, gamma)` |
# | exponential | $\eta_0\,\gamma^{e}$ | `ExponentialLR(opt, gamma)` |
# | cosine annealing | $\eta_\min + (\eta_0-\eta_\min)\,\frac{1+\cos(\pi e/T)}{2}$ | `CosineAnnealingLR(opt, T_max=T, eta_min)` |
# | linear warm-up | $\eta_0\,(f + (1-f)\min(e, W)/W)$ | `LinearLR(opt, start_factor=f, total_iters=W)` |
#
# `course_utils.optim` has each as a pure function of the epoch (`step_lr(base_lr, epoch, step_size, gamma)` …).
# PyTorch's schedulers compute the same rates step by step; they must agree epoch by epoch:

# %%
def torch_lrs(make_scheduler, epochs: int = 60, base_lr: float = 0.1) -> list[float]:
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=base_lr)
    scheduler = make_scheduler(opt)
    rates = []
    for _ in range(epochs):
        rates.append(opt.param_groups[0]["lr"])
        opt.step()        # (a real loop trains an epoch here)
        scheduler.step()  # once per epoch, after the optimizer's steps
    return rates


S = torch.optim.lr_scheduler
pairs = {
    "StepLR": (lambda o: S.StepLR(o, step_size=5, gamma=0.1), lambda e: optim.step_lr(0.1, e, 5, 0.1)),
    "MultiStepLR": (lambda o: S.MultiStepLR(o, [20, 45], 0.5), lambda e: optim.multistep_lr(0.1, e, [20, 45], 0.5)),
    "ExponentialLR": (lambda o: S.ExponentialLR(o, 0.95), lambda e: optim.exponential_lr(0.1, e, 0.95)),
    "CosineAnnealingLR": (lambda o: S.CosineAnnealingLR(o, T_max=50), lambda e: optim.cosine_lr(0.1, e, 50)),
    "LinearLR": (lambda o: S.LinearLR(o, start_factor=0.1, total_iters=10),
                 lambda e: optim.linear_warmup_lr(0.1, e, 10, start_factor=0.1)),
}
for name, (make, ours) in pairs.items():
    theirs = torch_lrs(make)
    assert all(math.isclose(ours(e), theirs[e], rel_tol=1e-9, abs_tol=1e-15) for e in range(60)), name
assert optim.step_lr(0.01, 4, step_size=5) == 0.01 and math.isclose(optim.step_lr(0.01, 5, step_size=5), 0.001)
assert optim.cosine_lr(0.1, 75, T_max=50) > optim.cosine_lr(0.1, 50, T_max=50)  # past T_max it rises again

# %% [markdown]
# A typical tutorial's `StepLR(optimizer, step_size=5, gamma=0.1)` divides the rate by 10 every 5 epochs (asserted:
# 0.01 up to epoch 4, 0.001 from epoch 5). Note the last assert: cosine annealing is periodic — past `T_max` the rate
# climbs back up, so set `T_max` to the number of epochs you train. Move the sliders to see each schedule:

# %%
schedule_explorer()

# %% [markdown]
# **With `fit`:** create the scheduler on the optimizer and pass it; `fit` calls `scheduler.step()` once after each
# epoch and records the rate of every epoch in `history.lr`:

# %%
X_train, y_train = load_digits(split="train")
X_val, y_val = load_digits(split="test")
X_train, X_val = X_train.flatten(1), X_val.flatten(1)  # 8×8 images → 64 features
val_loader = DataLoader(TensorDataset(X_val, y_val), batch_size=512)


def digits_loader(seed: int = 0) -> DataLoader:
    return DataLoader(TensorDataset(X_train, y_train), batch_size=64, shuffle=True,
                      generator=torch.Generator().manual_seed(seed))


def digits_model() -> nn.Module:
    torch.manual_seed(0)  # every optimizer starts from the same weights
    return nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))


model = digits_model()
opt = torch.optim.AdamW(model.parameters(), lr=0.01)
scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=6)
history = fit(model, digits_loader(), nn.CrossEntropyLoss(), opt, epochs=6, val_loader=val_loader,
              scheduler=scheduler, progress=False)
assert all(math.isclose(lr, optim.cosine_lr(0.01, e, 6), abs_tol=1e-12) for e, lr in enumerate(history.lr))
print(f"learning rate per epoch: {[round(lr, 5) for lr in history.lr]}")

# %% [markdown]
# **Pitfall:** call `scheduler.step()` once per *epoch* (after that epoch's `optimizer.step()` calls). Called per
# batch, `T_max=100` means 100 batches, not 100 epochs. Stepping per batch is fine when you mean it — count
# `T_max` in batches then: `fit(..., scheduler_step="batch")` does that, and chapter 08 uses it.
#
# ## 9. Which optimizer? Evidence from a real task
#
# Advice such as "use Adam; SGD + momentum when you can tune; RMSprop for small data", common in tutorials, is
# worth what the curves behind it show. Here are curves: the 8×8 handwritten digits (1,438 training, 359
# validation images), a 64-64-10 MLP, batches of 64, 6 epochs. A fair comparison tunes each optimizer's learning
# rate: we try three values, 3× apart, around where each works, and keep the one with the lowest final validation
# loss. Every run starts from the same weights and sees the batches in the same order.

# %%
grid = {
    "SGD": (lambda p, lr: torch.optim.SGD(p, lr=lr), [0.3, 1.0, 3.0]),
    "SGD + momentum 0.9": (lambda p, lr: torch.optim.SGD(p, lr=lr, momentum=0.9), [0.1, 0.3, 1.0]),
    "Adagrad": (lambda p, lr: torch.optim.Adagrad(p, lr=lr), [0.1, 0.3, 1.0]),
    "RMSprop": (lambda p, lr: torch.optim.RMSprop(p, lr=lr), [0.003, 0.01, 0.03]),
    "Adam": (lambda p, lr: torch.optim.Adam(p, lr=lr), [0.01, 0.03, 0.1]),
}
assert (len(X_train), len(X_val)) == (1438, 359)  # the split of section 8's loaders
sweep, best = {}, {}
for name, (make, lrs) in grid.items():
    for lr in lrs:
        model = digits_model()
        sweep[name, lr] = fit(model, digits_loader(), nn.CrossEntropyLoss(), make(model.parameters(), lr),
                              epochs=6, val_loader=val_loader, progress=False)
    best_lr = min(lrs, key=lambda lr: sweep[name, lr].val_loss[-1])
    best[name] = (best_lr, sweep[name, best_lr])
    row = "   ".join(f"lr {lr:<5g} → {sweep[name, lr].val_loss[-1]:.2f}" for lr in lrs)
    print(f"{name:19s} final validation loss:  {row}")

fig, (ax, ax_acc) = new_figure(ncols=2, width=4.3, height=3.2)
for name, (lr, h) in best.items():
    ax.plot(range(1, 7), h.val_loss, "o-", ms=3, label=f"{name} (lr {lr:g})")
    ax_acc.plot(range(1, 7), h.val_acc, "o-", ms=3, label=name)
ax.set(xlabel="epoch", ylabel="validation loss", title="Each optimizer at its best learning rate")
lowest = min(min(h.val_acc) for _, h in best.values())  # every epoch of every curve stays in the picture
ax_acc.set(xlabel="epoch", ylabel="validation accuracy", ylim=(math.floor(10 * lowest) / 10, 1.0),
           title="Validation accuracy")
ax.legend(fontsize=7)
fig

# %%
# NBVAL_CHECK_OUTPUT
adam_lr, adam = best["Adam"]
sgd_lr, sgd = best["SGD"]
momentum_lr, momentum = best["SGD + momentum 0.9"]
all_good = all(h.val_acc[-1] >= 0.9 for _, h in best.values())
fastest = adam.val_loss[1] < sgd.val_loss[1]
momentum_close = momentum.val_acc[-1] >= adam.val_acc[-1] - 0.03
lr_ratio = sgd_lr / adam_lr >= 10
forgiving = all(sweep["Adam", lr].val_acc[-1] >= 0.93 for lr in grid["Adam"][1])
assert all_good and fastest and momentum_close and lr_ratio and forgiving
print(f"every optimizer, tuned, reaches >= 90% validation accuracy: {all_good}")
print(f"after 2 epochs Adam's validation loss is below plain SGD's: {fastest}")
print(f"tuned SGD + momentum ends within 3 points of Adam's accuracy: {momentum_close}")
print(f"plain SGD's best lr is >= 10x Adam's: {lr_ratio}")
print(f"Adam reaches >= 93% at every lr of its 10x range: {forgiving}")

# %% [markdown]
# What the curves show — and what they don't:
# - **Tuned, they all work** on this task (≥ 90% in 6 epochs). The differences are in speed and in how much tuning
#   each needs.
# - **Adam starts faster than plain SGD** (lower validation loss after 2 epochs, each at its best rate) and is good
#   over the whole 10× range of rates we tried (see the printed sweep) — which is why **Adam (or AdamW, when you
#   want weight decay) is the sensible first choice**.
# - **SGD + momentum, tuned, catches up** (within 3 percentage points of Adam here). With a good schedule it is
#   still the choice of many image models — when you can afford to tune it.
# - **Learning rates don't transfer** between optimizers: plain SGD's best rate here is ≥ 10× Adam's (and at 3.0 it
#   no longer learns at all: its loss stays at ln 10 ≈ 2.3, chance level).
# - **RMSprop** does about as well as the others here; these curves give no reason to prefer it for small data
#   over Adam, which is RMSProp plus momentum and bias correction.
#
# Six epochs on one small data set are one data point: tune on *your* task, with a validation set.

# %% [markdown]
# ## Pitfalls
#
# - **Momentum in two forms (tutorials often use the first):** $v \leftarrow \beta v + (1-\beta)g$ is not
#   PyTorch's $v \leftarrow \mu v + g$; the PyTorch form's steps are $1/(1-\mu)$ = 10× larger at the same `lr`.
#   Convert with $\eta_\text{torch} = (1-\beta)\,\eta_\text{EMA}$.
# - **Adam's `weight_decay` is an L2 penalty, not weight decay.** `Adam(params, weight_decay=1e-4)` (a common
#   tutorial skeleton) scales the decay by $1/\sqrt{\hat v}$; use `AdamW` for decoupled weight decay, and remember
#   that PyTorch's AdamW decays by `lr × weight_decay` per step.
# - **Defaults quoted loosely:** RMSprop's `alpha` is 0.99 by default (many tutorials use 0.9); Adam's betas are
#   (0.9, 0.999) (many tutorials use (0.9, 0.99)); AdaGrad's ε sits outside the square root. All valid settings —
#   just know which one you use.
# - **Reusing a learning rate across optimizers:** `lr=0.1` is reasonable for SGD and far too large for Adam;
#   `lr=0.001` (Adam's default) makes plain SGD crawl.
# - **"Adam is best for 90% of tasks" (a tutorial claim):** folklore. The curves above show Adam is a fast, forgiving
#   start on this task; they also show tuned SGD + momentum nearly matching it.
# - **Scheduler steps:** one `scheduler.step()` per epoch, after the epoch's `optimizer.step()` calls (or one
#   per batch, with `T_max` counted in batches); and `CosineAnnealingLR` rises again after `T_max`.
# - **RMSprop's first steps are large** (no bias correction: 10× at step 1 with α = 0.99). If early training is
#   unstable with RMSprop, that is a suspect.

# %% [markdown]
# ## Exercises
#
# ### Exercise 1 — one momentum step, PyTorch's way
# Write `sgd_momentum_step(w, g, v, lr, momentum)` returning `(new_w, new_v)` for one step of
# `torch.optim.SGD(lr=lr, momentum=momentum)`: $v \leftarrow \mu v + g$, then $w \leftarrow w - \eta v$. (The
# buffer `v` starts as zeros, which makes the first step $v = g$, as PyTorch's.)

# %%
def sgd_momentum_step(w: torch.Tensor, g: torch.Tensor, v: torch.Tensor, lr: float, momentum: float):
    raise NotImplementedError  # replace this line with your code


checks.check("sgd_momentum_step", sgd_momentum_step)

# %% [markdown]
# ### Exercise 2 — one Adam step
# Write `adam_step(w, g, m, v, t, lr=1e-3, betas=(0.9, 0.999), eps=1e-8)` returning `(new_w, new_m, new_v)` for
# step `t` (1, 2, …) of Adam, with bias correction and `eps` outside the square root.

# %%
def adam_step(w, g, m, v, t, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
    raise NotImplementedError  # replace this line with your code


checks.check("adam_step", adam_step)

# %% [markdown]
# ### Exercise 3 — warm-up, then cosine
# Write `warmup_cosine(base_lr, epoch, warmup_epochs, T_max)`: for `epoch < warmup_epochs` a linear warm-up from
# `base_lr / 3` towards `base_lr` (PyTorch's `LinearLR` default `start_factor=1/3`):
# $\eta_0\,(\tfrac13 + \tfrac23\,e/W)$; from `warmup_epochs` on, cosine annealing from `base_lr` to 0 over `T_max`
# epochs counted from the end of the warm-up. (`optim.warmup_cosine_lr` is the package's version — try first!)

# %%
def warmup_cosine(base_lr: float, epoch: int, warmup_epochs: int, T_max: int) -> float:
    raise NotImplementedError  # replace this line with your code


checks.check("warmup_cosine", warmup_cosine)

# %% [markdown]
# Stuck? `checks.hint("adam_step")` gives the idea; ask again for a more precise hint. After you have checked an
# answer of your own, `checks.solution("adam_step")` shows a solution.
#
# ## Summary
#
# - Gradient descent steps against the gradient, $w \leftarrow w - \eta\nabla L$. Mini-batches give noisy but
#   unbiased gradients (noise ∝ $1/\sqrt B$) and many updates per epoch.
# - Momentum accumulates consistent steps; PyTorch's form $v \leftarrow \mu v + g$ is $1/(1-\mu)$ times the
#   moving-average form, which the learning rate absorbs.
# - AdaGrad scales each weight's step by its gradient history, but its steps decay forever; RMSProp uses a moving
#   average instead; Adam adds momentum and bias correction (defaults 0.001, (0.9, 0.999), 1e-8).
# - AdamW decays weights directly, $w \leftarrow (1-\eta\lambda)w$; Adam's `weight_decay` is an L2 penalty that the
#   adaptive scaling distorts.
# - Schedules (step, multi-step, exponential, cosine, warm-up) set $\eta$ per epoch; `fit(..., scheduler=...)` steps
#   them once per epoch.
# - On the digits, every optimizer works once its learning rate is tuned; Adam starts fast and is good over a 10×
#   range of learning rates; SGD + momentum catches up when tuned.
#
# ## Key terms
#
# | English | 中文 |
# |---|---|
# | gradient descent | 梯度下降 |
# | stochastic / mini-batch gradient descent | 随机 / 小批量梯度下降 |
# | learning rate | 学习率 |
# | momentum | 动量 |
# | exponential moving average | 指数移动平均（指数加权平均） |
# | ill-conditioned | 病态（条件数大） |
# | saddle point | 鞍点 |
# | adaptive learning rate | 自适应学习率 |
# | bias correction | 偏差修正 |
# | weight decay / L2 penalty | 权重衰减 / L2 惩罚 |
# | decoupled weight decay | 解耦权重衰减 |
# | learning-rate schedule / decay | 学习率调度 / 衰减 |
# | cosine annealing | 余弦退火 |
# | warm-up | 预热 |
#
# **Next:** [07 · Regularization](07_regularization.ipynb)

# %% [markdown]
# ## Your progress
#
# Your checks, hints and solutions of this chapter, from the record on this machine (run the cell again after
# working on the exercises; `cu.progress.show()` shows every chapter):

# %%
cu.progress.show("06")
