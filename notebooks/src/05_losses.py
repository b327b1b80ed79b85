# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# # 05 · Loss functions
#
# **You will be able to**
# - choose a regression loss — MSE, MAE, Huber, Smooth L1 — knowing its gradient and how much an outlier pulls it;
# - compute cross-entropy from logits by hand, as log-softmax + NLL, and with `nn.CrossEntropyLoss`, and avoid the
#   softmax-before-the-loss bug;
# - use label smoothing, class weights and `pos_weight`, and say why `BCEWithLogitsLoss` beats `BCELoss` on
#   sigmoid outputs;
# - call KL divergence, explain how CTC sums over the alignments of a label to a longer output, and write your own
#   loss as a function or an `nn.Module`.
#
# **Prerequisites:** 02 · Activation functions (softmax, log-softmax, sigmoid), 03 · Backpropagation, 04 ·
# Weight initialization.
#
# **Run time:** about 10 seconds on a 2-core laptop CPU.
#
# The loss turns "how wrong is the model?" into one number; training follows its gradient downhill. So the loss
# decides what the model cares about: how much a big error counts compared to many small ones, how confident it
# should become, which classes matter. Every loss in this chapter is written from its formula in
# `course_utils.losses` and checked against `torch.nn.functional`.

# %%
# %matplotlib inline
import itertools
import math
import warnings

import torch
import torch.nn.functional as F
from torch import nn

import course_utils as cu
from course_utils import checks, losses
from course_utils.data import load_digits, make_regression
from course_utils.plot import new_figure
from course_utils.train import fit
from course_utils.widgets import cross_entropy_explorer, loss_curves, outlier_fit

cu.set_language("en")  # the language of the messages of checkers and widgets: "en" or "zh"
cu.env.check_environment()  # one line: OK, or what to fix and how
cu.set_seed(0)
device = cu.get_device()
print(f"device: {device}")

# %% [markdown]
# ## 1. A loss is one number: reductions
#
# A loss function compares the model's output with the target element by element, then *reduces* the many
# per-element losses to one number. Every PyTorch loss has `reduction=`: `"mean"` (the default), `"sum"`, or
# `"none"` (keep one loss per element — useful to look at which samples are hard).

# %%
pred = torch.tensor([2.5, 0.0, 2.0, 8.0])
target = torch.tensor([3.0, -0.5, 2.0, 7.0])
per_element = F.mse_loss(pred, target, reduction="none")
assert torch.equal(per_element, (pred - target) ** 2)
assert F.mse_loss(pred, target) == per_element.mean() and F.mse_loss(pred, target, reduction="sum") == per_element.sum()
print("none:", per_element.tolist(), " mean:", F.mse_loss(pred, target).item(),
      " sum:", F.mse_loss(pred, target, reduction="sum").item())

# %% [markdown]
# **Pass `reduction=` (and `beta=`, `delta=`, `weight=` …) by keyword.** Many `torch.nn.functional` losses still
# carry the deprecated arguments `size_average` and `reduce` in third and fourth place, so `F.mse_loss(pred, target,
# "sum")` sets `size_average="sum"` — which counts as "true" — and silently returns the **mean**, with only a
# deprecation warning. `course_utils.losses` has the clean signatures, but call both the same way: by keyword.

# %%
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    positional = F.mse_loss(pred, target, "sum")  # looks like sum ...
assert positional == per_element.mean() != per_element.sum()  # ... is the mean
print(f"F.mse_loss(pred, target, 'sum') = {positional.item():.4f}, the mean; the sum is {per_element.sum().item()}")

# %% [markdown]
# **Match the shapes.** A regression model's output usually has shape `(N, 1)`; if the target has shape `(N,)`,
# `F.mse_loss` *broadcasts* the two to `(N, N)` — every prediction against every target — and returns a wrong
# number with only a warning. `course_utils.losses` refuses, naming both shapes. Reshape the target with
# `y.unsqueeze(1)` (or the output with `.squeeze(1)`).

# %%
out, t = torch.randn(4, 1, generator=torch.Generator().manual_seed(0)), torch.tensor([1.0, 2.0, 3.0, 4.0])
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    broadcast = F.mse_loss(out, t)  # (4, 1) against (4,): compared as (4, 4)
assert torch.allclose(broadcast, ((out - t) ** 2).mean()) and not torch.allclose(broadcast, F.mse_loss(out[:, 0], t))
try:
    losses.mse_loss(out, t)
except ValueError as error:
    print("course_utils.losses.mse_loss:", error)

# %% [markdown]
# ## 2. Regression losses
#
# With the residual $r = \hat y - y$ (prediction minus target):
#
# | loss | per element | derivative $\partial/\partial r$ | PyTorch |
# |---|---|---|---|
# | MSE (L2) | $r^2$ | $2r$ | `nn.MSELoss`, `F.mse_loss` |
# | MAE (L1) | $\lvert r\rvert$ | $\operatorname{sign}(r)$ | `nn.L1Loss`, `F.l1_loss` |
# | Huber | $\tfrac12 r^2$ if $\lvert r\rvert < \delta$, else $\delta(\lvert r\rvert - \tfrac12\delta)$ | $r$ clipped to $[-\delta, \delta]$ | `nn.HuberLoss(delta=)` |
# | Smooth L1 | $\tfrac12 r^2/\beta$ if $\lvert r\rvert < \beta$, else $\lvert r\rvert - \tfrac12\beta$ | $r/\beta$ clipped to $[-1, 1]$ | `nn.SmoothL1Loss(beta=)` |
#
# MSE's gradient grows with the error: a point 10 away pulls 10 times harder than a point 1 away. MAE's gradient is
# ±1 whatever the error: every point pulls equally, however far (and the gradient jumps at 0). Huber is MSE near the
# target and MAE far from it: smooth at 0, bounded far away. Smooth L1 is the same shape scaled:
# $\text{SmoothL1}_\beta = \text{Huber}_{\delta=\beta}/\beta$. Written out for a vector of residuals:

# %%
r = torch.linspace(-4, 4, 81, dtype=torch.float64)
zero = torch.zeros_like(r)
delta = beta = 1.5

mse = r**2
mae = r.abs()
huber = torch.where(r.abs() < delta, 0.5 * r**2, delta * (r.abs() - 0.5 * delta))
smooth_l1 = torch.where(r.abs() < beta, 0.5 * r**2 / beta, r.abs() - 0.5 * beta)

for ours, name, kwargs in [(mse, "mse_loss", {}), (mae, "l1_loss", {}), (huber, "huber_loss", {"delta": delta}),
                           (smooth_l1, "smooth_l1_loss", {"beta": beta})]:
    theirs = getattr(F, name)(r, zero, reduction="none", **kwargs)
    package = getattr(losses, name)(r, zero, reduction="none", **kwargs)
    assert torch.allclose(ours, theirs) and torch.allclose(package, theirs), name
assert torch.allclose(smooth_l1, huber / beta)
print("MSE, MAE, Huber, Smooth L1 by hand = course_utils.losses = torch.nn.functional; SmoothL1_β = Huber_β / β")

# %% [markdown]
# The derivatives of the table, checked with autograd:

# %%
x = r.clone().requires_grad_(True)
for name, kwargs, expected in [
    ("mse_loss", {}, 2 * r),
    ("l1_loss", {}, torch.sign(r)),
    ("huber_loss", {"delta": delta}, r.clamp(-delta, delta)),
    ("smooth_l1_loss", {"beta": beta}, (r / beta).clamp(-1, 1)),
]:
    (grad,) = torch.autograd.grad(getattr(losses, name)(x, zero, reduction="sum", **kwargs), x)
    assert torch.allclose(grad, expected), name
print("dMSE/dr = 2r, dMAE/dr = sign(r), dHuber/dr = clip(r, ±δ), dSmoothL1/dr = clip(r/β, ±1): checked")
cu.show_source(losses.huber_loss)

# %% [markdown]
# Move δ and β: the dotted lines mark where each switches from quadratic to linear. Watch the derivative panel —
# that is what the optimizer feels.

# %%
curves = loss_curves()
curves

# %% [markdown]
# ### 2.1 Outliers: the mean and the median
#
# Predict one constant $c$ for the numbers 1, 2, 3, 4, 100. MSE is smallest at their **mean**, 22 — dragged far away
# by the single 100. MAE is smallest at their **median**, 3, which ignores how far the 100 is. (Setting the
# derivative to zero: $\sum 2(c - y_i) = 0$ gives the mean; $\sum \operatorname{sign}(c - y_i) = 0$ needs as many
# points above $c$ as below: the median.)

# %%
values = torch.tensor([1.0, 2.0, 3.0, 4.0, 100.0])
c = torch.linspace(0, 30, 30001)
mse_of_c = ((values[None] - c[:, None]) ** 2).mean(dim=1)
mae_of_c = (values[None] - c[:, None]).abs().mean(dim=1)
best_mse, best_mae = c[mse_of_c.argmin()].item(), c[mae_of_c.argmin()].item()
assert abs(best_mse - values.mean().item()) < 0.01 and abs(best_mae - values.median().item()) < 0.01
print(f"best constant under MSE: {best_mse:.2f} (mean {values.mean():.0f}); "
      f"under MAE: {best_mae:.2f} (median {values.median():.0f})")

# %% [markdown]
# The same happens when fitting a line. `make_regression(outliers=0.1)` makes 100 points on $y = 2x + 0.5$ with a
# little noise, then shifts 10 of them by 5 to 10 — here 8 upwards, 2 downwards. We fit `nn.Linear(1, 1)` under
# each loss with the usual training loop:

# %%
X, y = make_regression(n=100, noise=0.2, outliers=0.1, seed=0)
shift = (y - (2 * X + 0.5))[:, 0]
assert (shift > 3).sum() == 8 and (shift < -3).sum() == 2  # the 10 outliers: 8 up, 2 down
regression_losses = {
    "MSE": nn.MSELoss(),
    "MAE": nn.L1Loss(),
    "Huber (δ=1)": nn.HuberLoss(delta=1.0),
}
fits = {}
for name, loss_fn in regression_losses.items():
    torch.manual_seed(0)
    line = nn.Linear(1, 1)
    optimizer = torch.optim.Adam(line.parameters(), lr=0.1)
    for _ in range(200):
        loss = loss_fn(line(X), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    fits[name] = (line.weight.item(), line.bias.item())

fig, axes = new_figure(ncols=2, width=4.0, height=3.2)
grid = torch.tensor([-1.0, 1.0])
for ax, ylim, title in [(axes[0], (-12.5, 13), "all 100 points"), (axes[1], (-2.5, 3.5), "zoom on the lines")]:
    ax.scatter(X[:, 0], y[:, 0], s=10, color="0.4", label="data (10 outliers)")
    ax.plot(grid, 2 * grid + 0.5, "k--", lw=1, label="true: y = 2x + 0.5")
    for name, (w, b) in fits.items():
        ax.plot(grid, w * grid + b, lw=2, label=f"{name}: y = {w:.2f}x + {b:.2f}")
    ax.set(xlabel="x", ylabel="y", ylim=ylim, title=title)
axes[1].legend(fontsize=7, loc="upper left")
fig

# %%
# NBVAL_CHECK_OUTPUT
def error(fit: tuple[float, float]) -> float:
    return abs(fit[0] - 2.0) + abs(fit[1] - 0.5)  # distance from the true slope and intercept


assert abs(fits["MSE"][1] - 0.5) > 0.3  # the intercept is pulled up by the 8 upward outliers
assert abs(fits["MAE"][1] - 0.5) < 0.1 and abs(fits["Huber (δ=1)"][1] - 0.5) < 0.1
assert error(fits["MAE"]) < error(fits["MSE"]) / 2 and error(fits["Huber (δ=1)"]) < error(fits["MSE"]) / 2
for name, (_, b) in fits.items():
    print(f"{name:>12}: intercept within 0.1 of the true 0.5: {abs(b - 0.5) < 0.1}")

# %% [markdown]
# MSE is still the right choice when the noise really is Gaussian without gross errors (it is the maximum-likelihood
# loss then), and its gradient shrinks as the fit improves, which makes training settle. MAE is robust but its
# gradient never shrinks — near the optimum it keeps stepping by the full learning rate. Huber and Smooth L1 (used
# for bounding-box regression in object detectors) take the best of both.
#
# Drag the red point: MSE's line follows it, MAE's barely moves, Huber's moves a little — more as δ grows.

# %%
drag = outlier_fit()
drag

# %% [markdown]
# ## 3. Classification: cross-entropy
#
# A classifier outputs one raw score per class, a **logit** $z_c$. Softmax turns them into probabilities,
# $p_c = e^{z_c} / \sum_k e^{z_k}$, and cross-entropy is minus the log-probability of the true class $t$:
#
# $$L = -\log p_t = -z_t + \log \sum_k e^{z_k}.$$
#
# It is 0 when the model puts all its probability on the right class and grows without bound as $p_t \to 0$. Its
# gradient on the logits is as simple as a gradient gets: $\partial L/\partial z_c = p_c - y_c$ (with $y$ the one-hot
# target) — "predicted minus wanted". By hand, for two samples and three classes:

# %%
logits = torch.tensor([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3]])
labels = torch.tensor([0, 2])

p = torch.exp(logits) / torch.exp(logits).sum(dim=1, keepdim=True)
by_hand = -torch.log(p[torch.arange(2), labels]).mean()

log_p = F.log_softmax(logits, dim=1)  # the stable way: z - logsumexp(z)
two_steps = F.nll_loss(log_p, labels)  # NLL: minus the log-prob of the target, averaged

assert torch.allclose(by_hand, two_steps) and torch.allclose(two_steps, F.cross_entropy(logits, labels))
assert torch.allclose(losses.cross_entropy(logits, labels), F.cross_entropy(logits, labels))
z = logits.clone().requires_grad_(True)
F.cross_entropy(z, labels, reduction="sum").backward()
assert torch.allclose(z.grad, p - F.one_hot(labels, 3))
print(f"by hand {by_hand:.4f} = log_softmax + nll_loss {two_steps:.4f} = F.cross_entropy "
      f"{F.cross_entropy(logits, labels):.4f};  dL/dz = p - y")

# %% [markdown]
# `course_utils.losses.cross_entropy` is literally `nll_loss(log_softmax(input))`, plus the options (class weights,
# `ignore_index`, label smoothing, probability targets) that the next sections use:

# %%
cu.show_source(losses.cross_entropy)

# %% [markdown]
# Move the logits and pick the true class: the probabilities, the loss, and the gradient $p - y$ — negative on
# the true class (raise its logit), positive on the others (lower theirs).

# %%
softmax_widget = cross_entropy_explorer()
softmax_widget

# %% [markdown]
# ### 3.1 The `log_softmax` + `nll_loss` pairing
#
# A tutorial's MNIST network ends its `forward` with `F.log_softmax(self.fc3(x), dim=1)` and trains with
# `F.nll_loss(output, target)`. That is correct and exactly `nn.CrossEntropyLoss` on the raw `fc3` output — the
# split is only a matter of where log-softmax lives. Two cousins of it are not the same:
#
# - log-softmax output fed to `CrossEntropyLoss` applies log-softmax twice — **harmless**, since log-probabilities
#   already have $\log\sum_k e^{\log p_k} = \log 1 = 0$;
# - **softmax** output fed to `nll_loss` computes $-p_t$, not $-\log p_t$: a different, much weaker loss.

# %%
logits = torch.randn(16, 10, generator=torch.Generator().manual_seed(0)) * 3
labels = torch.randint(0, 10, (16,), generator=torch.Generator().manual_seed(1))
log_p = F.log_softmax(logits, dim=1)
assert torch.allclose(F.nll_loss(log_p, labels), F.cross_entropy(logits, labels))  # the pairing
assert torch.allclose(F.cross_entropy(log_p, labels), F.cross_entropy(logits, labels))  # twice: harmless
probs = F.softmax(logits, dim=1)
assert torch.allclose(F.nll_loss(probs, labels), -probs[torch.arange(16), labels].mean())  # -p, not -log p
print("nll_loss(log_softmax(z)) == cross_entropy(z); nll_loss(softmax(z)) == -mean(p_t): not a log-likelihood")

# %% [markdown]
# ### 3.2 `CrossEntropyLoss` takes logits: the softmax-first bug
#
# `nn.CrossEntropyLoss` applies log-softmax itself. Put a softmax at the end of the model as well and the loss sees
# probabilities in $[0, 1]$ as if they were logits. Nothing crashes, and the model even learns — badly. The loss
# can no longer reach 0: with $C$ classes the best "logits" are 1 for the true class and 0 for the others, so for
# $C = 10$
#
# $$L \ge -\log \frac{e}{e + C - 1} = -\log \frac{e}{e + 9} \approx 1.46,$$
#
# and a sample that is already right still gets pushed, while a wrong one gets a gradient squashed by the softmax's
# own derivative. For a confidently wrong sample of 10 classes (logit 8 on class 0, the true class is 1):

# %%
z = torch.tensor([[8.0] + [0.0] * 9], requires_grad=True)
(grad_right,) = torch.autograd.grad(F.cross_entropy(z, torch.tensor([1])), z)
(grad_bug,) = torch.autograd.grad(F.cross_entropy(F.softmax(z, dim=1), torch.tensor([1])), z)
assert grad_bug.norm() < grad_right.norm() / 100
print(f"gradient norm on the logits: {grad_right.norm():.2f} with logits, {grad_bug.norm():.4f} with softmax first")

# %% [markdown]
# On the 8×8 digits, the same network and optimizer, with and without the extra softmax:

# %%
X_train, y_train = load_digits("train")
X_test, y_test = load_digits("test")
train_loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X_train.flatten(1), y_train),
                                           batch_size=64, shuffle=True)
test_loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X_test.flatten(1), y_test),
                                          batch_size=500)


def softmax_then_cross_entropy(output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    return F.cross_entropy(F.softmax(output, dim=1), target)  # the bug: softmax before CrossEntropyLoss


histories = {}
for name, loss_fn in [("logits → CrossEntropyLoss", nn.CrossEntropyLoss()),
                      ("softmax → CrossEntropyLoss (bug)", softmax_then_cross_entropy)]:
    cu.set_seed(0)
    model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
    histories[name] = fit(model, train_loader, loss_fn, torch.optim.Adam(model.parameters(), lr=1e-2),
                          epochs=10, val_loader=test_loader, progress=False)

fig, (ax_loss, ax_acc) = new_figure(ncols=2, width=4.2, height=3.0)
floor = -math.log(math.e / (math.e + 9))
for name, history in histories.items():
    ax_loss.plot(range(1, 11), history.train_loss, "o-", ms=3, label=name)
    ax_acc.plot(range(1, 11), history.val_acc, "o-", ms=3, label=name)
ax_loss.axhline(floor, color="C1", ls=":", lw=1)
ax_loss.set(xlabel="epoch", ylabel="training loss", title=f"the bug's loss cannot go below {floor:.2f}")
ax_acc.set(xlabel="epoch", ylabel="test accuracy", title="it learns, but worse", ylim=(0.7, 1.0))
ax_acc.legend(fontsize=8)
fig

# %%
# NBVAL_CHECK_OUTPUT
good, bug = histories["logits → CrossEntropyLoss"], histories["softmax → CrossEntropyLoss (bug)"]
assert all(loss >= floor for loss in bug.train_loss) and good.train_loss[-1] < 0.2
assert good.val_acc[-1] >= 0.95 and bug.val_acc[-1] <= good.val_acc[-1] - 0.05 and bug.val_acc[-1] > 0.5
print(f"loss floor with softmax first: {floor:.3f}")
print(f"test accuracy ≥ 0.95 with logits: {good.val_acc[-1] >= 0.95}; "
      f"at least 5 points lower with the bug: {bug.val_acc[-1] <= good.val_acc[-1] - 0.05}")

# %% [markdown]
# ### 3.3 Label smoothing
#
# Cross-entropy against a one-hot target is lowest when $p_t = 1$, which needs the true logit infinitely far above
# the others: the model is rewarded for ever more confidence. **Label smoothing** with $\varepsilon$ trains against
# $(1-\varepsilon)\,\text{one-hot} + \varepsilon/C$ instead:
#
# $$L = (1-\varepsilon)\,(-\log p_t) + \frac{\varepsilon}{C}\sum_{c} (-\log p_c).$$
#
# Now the best prediction is $p_t = 1 - \varepsilon + \varepsilon/C$, reached at a finite logit gap
# $g^* = \log\frac{1-\varepsilon+\varepsilon/C}{\varepsilon/C}$ — beyond it, more confidence costs.

# %%
eps, C = 0.1, 5
logits = torch.randn(6, C, generator=torch.Generator().manual_seed(0))
labels = torch.tensor([0, 1, 2, 3, 4, 0])
target = (1 - eps) * F.one_hot(labels, C) + eps / C
by_hand = -(target * F.log_softmax(logits, dim=1)).sum(dim=1).mean()
assert torch.allclose(by_hand, F.cross_entropy(logits, labels, label_smoothing=eps))
assert torch.allclose(losses.cross_entropy(logits, labels, label_smoothing=eps), by_hand)


def smoothed_loss_at_gap(gap: torch.Tensor) -> torch.Tensor:
    """The smoothed loss of one sample whose true logit is `gap` above the C - 1 others."""
    z = torch.cat([gap.reshape(1), torch.zeros(C - 1)]).unsqueeze(0)
    return F.cross_entropy(z, torch.tensor([0]), label_smoothing=eps)


g_star = torch.tensor(math.log((1 - eps + eps / C) / (eps / C)), requires_grad=True)
(slope,) = torch.autograd.grad(smoothed_loss_at_gap(g_star), g_star)
assert abs(slope) < 1e-6  # the minimum
assert smoothed_loss_at_gap(torch.tensor(20.0)) > smoothed_loss_at_gap(g_star.detach())
assert F.cross_entropy(torch.tensor([[20.0, 0, 0, 0, 0]]), torch.tensor([0])) < 1e-8  # no smoothing: ever lower
print(f"with ε = {eps}, C = {C}: the best logit gap is {g_star.item():.2f}; a gap of 20 costs more")

# %% [markdown]
# ### 3.4 Class weights and `ignore_index`
#
# With rare classes, `weight=` (one number per class) makes their errors count more: sample $i$'s loss is multiplied
# by $w_{t_i}$. Careful with the mean: with class-index targets, `cross_entropy` and `nll_loss` divide by the **sum
# of the weights** of the samples, not by their number, so the result is a weighted average:
#
# $$L = \frac{\sum_i w_{t_i}\,\ell_i}{\sum_i w_{t_i}}.$$
#
# `ignore_index=` drops samples whose label is that value (padding in sequences) from both the sum and the count.

# %%
logits = torch.randn(6, 3, generator=torch.Generator().manual_seed(0))
labels = torch.tensor([0, 0, 0, 0, 1, 2])  # class 0 is common
weight = torch.tensor([0.25, 1.0, 1.0])
per_sample = F.cross_entropy(logits, labels, reduction="none")
weighted_mean = (weight[labels] * per_sample).sum() / weight[labels].sum()
assert torch.allclose(F.cross_entropy(logits, labels, weight=weight), weighted_mean)
assert torch.allclose(losses.cross_entropy(logits, labels, weight=weight), weighted_mean)
assert not torch.allclose(weighted_mean, (weight[labels] * per_sample).mean())  # not divided by 6
padded = torch.tensor([0, 0, -100, 0, 1, 2])
assert torch.allclose(F.cross_entropy(logits, padded), per_sample[padded != -100].mean())
print(f"weighted mean {weighted_mean:.4f} = Σ w·loss / Σ w; ignore_index=-100 drops the padded sample")

# %% [markdown]
# That weighted average is particular to class-index targets. Two other losses take a `weight=` and divide by a plain
# count:
#
# - `cross_entropy` with **probability targets** $p$ (soft labels, of the logits' shape): sample $i$'s loss is
#   $-\sum_c w_c\, p_{ic} \log q_{ic}$, and `"mean"` divides by the number of samples $N$;
# - `binary_cross_entropy(_with_logits)`: `weight=` rescales each *element*'s loss (it broadcasts against the
#   input, e.g. one number per output column), and `"mean"` divides by the number of elements.

# %%
soft = F.softmax(torch.randn(6, 3, generator=torch.Generator().manual_seed(2)), dim=1)  # probability targets
per_sample_soft = -(weight * soft * F.log_softmax(logits, dim=1)).sum(dim=1)
assert torch.allclose(F.cross_entropy(logits, soft, weight=weight), per_sample_soft.mean())  # ÷ N = 6
assert torch.allclose(losses.cross_entropy(logits, soft, weight=weight), per_sample_soft.mean())
assert not torch.allclose(per_sample_soft.mean(), per_sample_soft.sum() / (weight * soft).sum())

x = torch.randn(4, 3, generator=torch.Generator().manual_seed(3))
t = (torch.rand(4, 3, generator=torch.Generator().manual_seed(4)) < 0.5).float()
column_weight = torch.tensor([0.5, 1.0, 3.0])  # one per output column, broadcast over the 4 rows
per_element_bce = column_weight * F.binary_cross_entropy_with_logits(x, t, reduction="none")
assert torch.allclose(F.binary_cross_entropy_with_logits(x, t, weight=column_weight), per_element_bce.mean())  # ÷ 12
assert torch.allclose(F.binary_cross_entropy(torch.sigmoid(x), t, weight=column_weight), per_element_bce.mean())
assert torch.allclose(losses.binary_cross_entropy_with_logits(x, t, weight=column_weight), per_element_bce.mean())
assert not torch.allclose(per_element_bce.mean(), per_element_bce.sum() / column_weight.expand(4, 3).sum())
print("weight= with probability targets: ÷ N;  BCE's weight=: ÷ number of elements;  class indices: ÷ Σ w")

# %% [markdown]
# ## 4. Binary classification: `BCELoss` vs `BCEWithLogitsLoss`
#
# For a yes/no target $y \in \{0, 1\}$ (or a probability) and a predicted probability $p$:
#
# $$L = -\big(y \log p + (1-y)\log(1-p)\big).$$
#
# `nn.BCELoss` takes $p$, so the model ends in a sigmoid. `nn.BCEWithLogitsLoss` takes the logit $x$ and computes
# the same loss for $p = \sigma(x)$ — but from $x$, in a form that never overflows:
#
# $$L = \max(x, 0) - x\,y + \log\!\left(1 + e^{-\lvert x\rvert}\right),$$
#
# where $e^{-\lvert x\rvert} \le 1$ always. Going through $p$ first loses information: in float32, $\sigma(x)$
# rounds to exactly 1 once $x \gtrsim 17$, and then $\log(1 - p) = \log 0 = -\infty$. PyTorch's BCE clamps each log
# at $-100$, so it reports 100 — whatever the true loss. Three confidently wrong predictions (logit $x$, target 0):

# %%
# NBVAL_CHECK_OUTPUT
for logit in [17.0, 100.0, 1000.0]:
    x = torch.tensor([logit])
    y0 = torch.tensor([0.0])
    exact = logit + math.log1p(math.exp(-logit))  # the true loss: -log(1 - sigmoid(x)) = x + log(1 + e^-x)
    bce = F.binary_cross_entropy(torch.sigmoid(x), y0).item()
    with_logits = F.binary_cross_entropy_with_logits(x, y0).item()
    assert torch.sigmoid(x).item() == 1.0 and bce == 100.0  # sigmoid rounded to exactly 1: log(1 - 1) clamped
    assert math.isclose(with_logits, exact, rel_tol=1e-6)
    assert math.isclose(losses.binary_cross_entropy_with_logits(x, y0).item(), exact, rel_tol=1e-6)
    print(f"logit {logit:6.0f}: true loss {exact:7.1f}   BCE(sigmoid(x)) {bce:5.1f}   with logits {with_logits:7.1f}")

# %% [markdown]
# At 17 BCE reports 100 for a loss of 17; at 100 both agree by luck (the true loss is $100 + \log(1 + e^{-100})$,
# which is 100 in float32); at 1000 BCE is stuck at 100 while the truth is 1000. Worse than the value is the
# gradient: through a saturated sigmoid it is exactly 0, so the confidently wrong sample teaches nothing. With
# logits the gradient is $\sigma(x) - y$, here 1 — the largest it can be.

# %%
x = torch.tensor([1000.0], requires_grad=True)
F.binary_cross_entropy(torch.sigmoid(x), torch.tensor([0.0])).backward()
grad_bce = x.grad.item()
x.grad = None
F.binary_cross_entropy_with_logits(x, torch.tensor([0.0])).backward()
grad_logits = x.grad.item()
assert grad_bce == 0.0 and grad_logits == 1.0
assert torch.sigmoid(torch.tensor(16.0)) < 1  # at 16 float32 still tells sigmoid from 1; at 17 it cannot
print(f"gradient at logit 1000, target 0: BCE(sigmoid) {grad_bce}, BCEWithLogits {grad_logits}")
cu.show_source(losses.binary_cross_entropy_with_logits)

# %% [markdown]
# For imbalanced yes/no data `BCEWithLogitsLoss(pos_weight=...)` multiplies the positive term
# $-y\log\sigma(x)$: `pos_weight = n_negative / n_positive` makes both classes count equally.

# %%
x = torch.randn(8, 3, generator=torch.Generator().manual_seed(0))
t = (torch.rand(8, 3, generator=torch.Generator().manual_seed(1)) < 0.2).float()
pos_weight = torch.tensor([4.0, 1.0, 2.0])  # one per output column
by_hand = -(pos_weight * t * F.logsigmoid(x) + (1 - t) * F.logsigmoid(-x)).mean()
assert torch.allclose(F.binary_cross_entropy_with_logits(x, t, pos_weight=pos_weight), by_hand)
assert torch.allclose(losses.binary_cross_entropy_with_logits(x, t, pos_weight=pos_weight), by_hand)
print(f"pos_weight: {by_hand:.4f} by hand = torch = course_utils")

# %% [markdown]
# ## 5. Two more losses: KL divergence and CTC
#
# **KL divergence** $D_\text{KL}(p\,\|\,q) = \sum_c p_c \log(p_c/q_c)$ measures how far a predicted distribution
# $q$ is from a target distribution $p$ (knowledge distillation, VAEs). `F.kl_div(input, target)` computes
# $D_\text{KL}(\text{target}\,\|\,\cdot)$ with the **log** of the prediction $q$ as `input` and the probabilities $p$
# as `target`, and only `reduction="batchmean"` (the sum divided by the batch size) gives the true KL per sample.
# Cross-entropy against a soft target is the target's own entropy plus the KL: $H(p, q) = H(p) + D_\text{KL}(p\,\|\,q)$.

# %%
logits_q = torch.randn(4, 5, generator=torch.Generator().manual_seed(0))
p = F.softmax(torch.randn(4, 5, generator=torch.Generator().manual_seed(1)), dim=1)
kl = F.kl_div(F.log_softmax(logits_q, dim=1), p, reduction="batchmean")
q = F.softmax(logits_q, dim=1)
assert torch.allclose(kl, (p * (p / q).log()).sum(dim=1).mean())
entropy = -(p * p.log()).sum(dim=1).mean()
assert torch.allclose(F.cross_entropy(logits_q, p), entropy + kl)  # probability targets
print(f"KL(p || q) = {kl:.4f};  H(p, q) = H(p) + KL = {entropy + kl:.4f}")

# %% [markdown]
# **CTC** (connectionist temporal classification) trains sequence models (recurrent networks such as the LSTM, met
# in chapter 08, section 5.4) whose output is longer than the label and not aligned with it — speech or
# handwriting: 50 time steps of audio, 10 characters, and no one says which step is
# which letter. The model outputs, at every time step, a probability for each character *and* for an extra
# **blank** token ("no new character here"). An **alignment** is one choice of token per time step; it is read as a
# label by two rules, in this order:
#
# 1. merge repeated tokens that are next to each other (`aab` → `ab`);
# 2. remove the blanks (`a_b` → `ab`).
#
# So `aab_`, `_a_b` and `abbb` all read as "ab"; a doubled letter needs a blank between its copies (`a_a` → "aa",
# but `aa` → "a"). The probability of a label is the **sum over all alignments that read as it** of the product of
# the per-step probabilities, and CTC's loss is minus its log. Summing over every alignment is what spares us from
# labelling which step is which letter. For 4 time steps, the tokens {blank, a, b} and the label "ab", we can list
# them all and check `F.ctc_loss` against the brute-force sum:

# %%
# NBVAL_CHECK_OUTPUT
def collapse(alignment: tuple[int, ...], blank: int = 0) -> list[int]:
    """Read an alignment as a label: merge adjacent repeats, then drop the blanks."""
    merged = [token for i, token in enumerate(alignment) if i == 0 or token != alignment[i - 1]]
    return [token for token in merged if token != blank]


tokens, label, T = "_ab", [1, 2], 4  # token 0 is the blank; the label is "ab"
alignments = [a for a in itertools.product(range(3), repeat=T) if collapse(a) == label]
assert collapse((1, 1, 0, 1)) == [1, 1] and collapse((1, 1, 1, 1)) == [1]  # a_a → "aa", aaaa → "a"
assert len(alignments) == 15  # of the 3⁴ = 81 alignments, 15 read as "ab"
print(len(alignments), "alignments of length 4 read as 'ab':", " ".join("".join(tokens[i] for i in a)
                                                                      for a in alignments))

log_probs = torch.randn(T, 1, 3, generator=torch.Generator().manual_seed(0)).log_softmax(dim=2)  # (time, batch, C)
brute_force = -torch.logsumexp(torch.stack([sum(log_probs[t, 0, k] for t, k in enumerate(a)) for a in alignments]),
                               dim=0)
ctc_sum = F.ctc_loss(log_probs, torch.tensor([label]), torch.tensor([T]), torch.tensor([2]), reduction="sum")
assert torch.allclose(ctc_sum, brute_force)
ctc_mean = F.ctc_loss(log_probs, torch.tensor([label]), torch.tensor([T]), torch.tensor([2]))  # default "mean"
assert torch.allclose(ctc_mean, brute_force / 2)  # "mean" divides each sequence's loss by its label length
print(f"-log Σ over the 15 alignments = {brute_force:.4f} = F.ctc_loss(reduction='sum') {ctc_sum:.4f}")

# %% [markdown]
# The number of alignments grows exponentially with the length, so `nn.CTCLoss` computes the same sum by dynamic
# programming (a forward pass over time, like the forward algorithm of hidden Markov models). Its inputs:
# log-probabilities of shape (time, batch, classes) with class 0 as the blank by default, the targets, and each
# sequence's input and target length. Note its default `reduction="mean"`: each sequence's loss is first divided by
# its target length (asserted above), then averaged over the batch. A realistic size, 50 steps and 10 labels:

# %%
T, N, n_classes, S = 50, 2, 20, 10
log_probs = torch.randn(T, N, n_classes, generator=torch.Generator().manual_seed(0)).log_softmax(dim=2)
targets = torch.randint(1, n_classes, (N, S), generator=torch.Generator().manual_seed(1))  # labels 1..19; 0 = blank
ctc = nn.CTCLoss(blank=0)(log_probs, targets, torch.full((N,), T), torch.full((N,), S))
assert torch.isfinite(ctc) and ctc > 0
print(f"CTC loss of random outputs: {ctc:.2f}")

# %% [markdown]
# ## 6. Your own loss
#
# A loss is any function that returns a scalar tensor computed with torch operations from the output: autograd
# differentiates it for you. The skeleton tutorial writes MSE as a module:

# %%
class CustomLoss(nn.Module):
    def forward(self, pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return torch.mean((pred - target) ** 2)


def custom_loss(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:  # the same as a plain function
    return torch.mean((pred - target) ** 2)


a = torch.randn(10, 3, requires_grad=True)
b = torch.randn(10, 3)
assert torch.allclose(CustomLoss()(a, b), F.mse_loss(a, b)) and torch.allclose(custom_loss(a, b), F.mse_loss(a, b))
(g_module,) = torch.autograd.grad(CustomLoss()(a, b), a)
(g_torch,) = torch.autograd.grad(F.mse_loss(a, b), a)
assert torch.allclose(g_module, g_torch)
print("CustomLoss = custom_loss = F.mse_loss, gradients included")

# %% [markdown]
# (An `__init__` that only calls `super().__init__()` can go: `nn.Module` provides it.) Use a **module**
# when the loss has settings or state — a δ, class weights registered as a buffer so `.to(device)` moves them; a
# **function** otherwise. A new example, the *log-cosh* loss $\log\cosh r$: like $r^2/2$ near 0 and like $|r|$
# far away, a smooth Huber. Autograd finds its derivative $\tanh r$; we train the outlier line with it:

# %%
class LogCoshLoss(nn.Module):
    def __init__(self, reduction: str = "mean"):
        super().__init__()
        self.reduction = reduction

    def forward(self, pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        r = pred - target
        loss = r.abs() + F.softplus(-2 * r.abs()) - math.log(2)  # log(cosh r), without overflowing cosh
        return loss.mean() if self.reduction == "mean" else loss.sum()


r = torch.linspace(-50, 50, 101, dtype=torch.float64, requires_grad=True)
value = LogCoshLoss(reduction="sum")(r, torch.zeros_like(r))
(grad,) = torch.autograd.grad(value, r)
assert torch.allclose(grad, torch.tanh(r.detach()))
assert torch.allclose(LogCoshLoss()(r[45:56], torch.zeros(11, dtype=torch.float64)),
                      torch.log(torch.cosh(r[45:56])).mean())

torch.manual_seed(0)
line = nn.Linear(1, 1)
optimizer = torch.optim.Adam(line.parameters(), lr=0.1)
for _ in range(200):
    loss = LogCoshLoss()(line(X), y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
assert abs(line.bias.item() - 0.5) < 0.15 and abs(line.weight.item() - 2.0) < 0.15
print(f"log-cosh fit: y = {line.weight.item():.2f}x + {line.bias.item():.2f} (MSE gave intercept "
      f"{fits['MSE'][1]:.2f})")

# %% [markdown]
# The one rule: stay inside torch. `.item()`, `.numpy()` or Python's `math` on a tensor produce plain numbers that
# autograd cannot follow — the result has no gradient, and `backward()` fails:

# %%
def broken_loss(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    return torch.tensor(((pred - target) ** 2).mean().item())  # .item() leaves the graph


try:
    broken_loss(a, b).backward()
    failure = None
except RuntimeError as error:
    failure = error
assert failure is not None
print("RuntimeError:", failure)

# %% [markdown]
# ## Pitfalls
#
# - **Softmax before `nn.CrossEntropyLoss`** (or sigmoid before `BCEWithLogitsLoss`): the loss applies it again.
#   Training runs, but the loss has a floor and the model learns worse (section 3.2). Feed raw logits.
# - **Softmax output into `nll_loss`**: NLL expects log-probabilities; on probabilities it computes $-p_t$. Pair
#   `log_softmax` with `nll_loss`, or logits with `cross_entropy` — the pairing of section 3.1's MNIST network is right.
# - **`BCELoss` on `sigmoid` outputs** saturates in float32 at logits of about 17: the loss is clamped at 100 and the
#   gradient is 0. Use `BCEWithLogitsLoss` on logits; apply `torch.sigmoid` only to report probabilities.
# - **Targets of the wrong kind or shape:** `CrossEntropyLoss` wants class indices of dtype `long` and shape `(N,)`
#   (or probabilities of the same shape as the logits); `BCEWithLogitsLoss` wants float targets of the output's
#   shape and raises otherwise; `MSELoss` with a `(N, 1)` output and a `(N,)` target broadcasts to `(N, N)` and
#   returns a wrong number with only a warning (section 1).
# - **Positional options:** `F.mse_loss(pred, target, "sum")` returns the *mean* (the third slot is the deprecated
#   `size_average`). Pass `reduction=`, `weight=`, `beta=`, `delta=` by keyword.
# - **Weighted means:** with `weight=` and class-index targets, `cross_entropy` / `nll_loss` with `"mean"` divide by
#   the sum of the samples' weights, not by $N$; with probability targets `cross_entropy` divides by $N$, and BCE's
#   `weight=` (a weight per element) by the number of elements (section 3.4). `reduction="sum"` instead of `"mean"`
#   multiplies the gradient by the batch size — an effective learning-rate change.
# - **MSE with outliers:** one bad label can drag the fit; use Huber / Smooth L1 (or MAE) when the data has gross
#   errors. MAE's gradient never shrinks near the optimum; lower the learning rate or prefer Huber.
# - **`F.kl_div(q, p)` argument order:** the input is log-$q$, the target is $p$, and `reduction="batchmean"` gives
#   the mathematical KL.
# - **CTC's default `reduction="mean"`** divides each sequence's loss by its target length before averaging; use
#   `"sum"` (or `"none"`) to get $-\log P(\text{label})$ itself.
# - **Custom losses that leave torch** (`.item()`, NumPy) break the graph: `backward()` raises.

# %% [markdown]
# ## Exercises
#
# ### Exercise 1 — Huber from its formula
# Write `huber(input, target, delta=1.0)`: the mean over all elements of $\tfrac12 r^2$ where $|r| < \delta$ and
# $\delta(|r| - \tfrac12\delta)$ elsewhere, with $r$ = `input - target` (any shape).

# %%
def huber(input: torch.Tensor, target: torch.Tensor, delta: float = 1.0) -> torch.Tensor:
    raise NotImplementedError  # replace this line with your code


checks.check("huber_from_scratch", huber)

# %% [markdown]
# ### Exercise 2 — cross-entropy that never overflows
# Write `cross_entropy_from_logits(logits, target)` for logits `(N, C)` and class indices `(N,)`: the mean of
# $-z_t + \log\sum_k e^{z_k}$. It must give the right answer for logits of ±1000 (use `torch.logsumexp`).

# %%
def cross_entropy_from_logits(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    raise NotImplementedError  # replace this line with your code


checks.check("stable_cross_entropy", cross_entropy_from_logits)

# %% [markdown]
# ### Exercise 3 — binary cross-entropy with logits
# Write `bce_with_logits(input, target)`: the mean binary cross-entropy of $p = \sigma(x)$ for logits $x$ =
# `input` and targets in $[0, 1]$, computed from $x$ so that a logit of 1000 with target 0 costs 1000.

# %%
def bce_with_logits(input: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    raise NotImplementedError  # replace this line with your code


checks.check("stable_bce_with_logits", bce_with_logits)

# %% [markdown]
# Stuck? `checks.hint("stable_bce_with_logits")` gives the idea; ask again for a more precise hint. After you have checked an
# answer of your own, `checks.solution("stable_bce_with_logits")` shows a solution.
#
# ## Summary
#
# - A loss reduces per-element errors to one number (`reduction="mean" | "sum" | "none"`); its gradient is what
#   training follows.
# - Regression: MSE ($r^2$, gradient $2r$, minimized by the mean) is pulled by outliers; MAE ($|r|$, gradient
#   $\pm1$, the median) is robust; Huber (δ) and Smooth L1 (β $= \delta$, scaled by $1/\beta$) are quadratic near 0
#   and linear beyond.
# - Cross-entropy $= -\log\operatorname{softmax}(z)_t$ = `nll_loss(log_softmax(z))` = `cross_entropy(z)`; its
#   gradient is $p - y$. Feed `CrossEntropyLoss` raw logits, never softmax outputs.
# - Label smoothing caps the confidence the loss rewards; `weight=` reweights classes (with class-index targets the
#   mean divides by the samples' weights' sum; with probability targets, and in BCE, by the plain count);
#   `ignore_index` skips padding.
# - Binary: `BCEWithLogitsLoss` on logits is exact and keeps its gradient where `BCELoss` on sigmoid outputs clamps
#   at 100 with gradient 0.
# - KL (`F.kl_div(log q, p, reduction="batchmean")`) is one call. CTC (`nn.CTCLoss`) sums the probabilities of
#   every alignment that reads as the label (merge repeats, drop blanks). A custom loss is any torch computation
#   returning a scalar — as a function or an `nn.Module`.
#
# ## Key terms
#
# | English | 中文 |
# |---|---|
# | loss function | 损失函数 |
# | mean squared error (MSE) | 均方误差 |
# | mean absolute error (MAE, L1) | 平均绝对误差 |
# | Huber loss / Smooth L1 loss | Huber 损失 / 平滑 L1 损失 |
# | outlier | 异常值（离群点） |
# | residual | 残差 |
# | logits | 未规范化的预测（logits） |
# | cross-entropy | 交叉熵 |
# | negative log-likelihood (NLL) | 负对数似然 |
# | label smoothing | 标签平滑 |
# | class weights | 类别权重 |
# | binary cross-entropy | 二元交叉熵 |
# | numerical stability | 数值稳定性 |
# | KL divergence | KL 散度 |
# | connectionist temporal classification (CTC) | 连接时序分类（CTC） |
# | alignment / blank token | 对齐 / 空白符（blank） |
# | reduction (mean / sum) | 归约方式（求平均 / 求和） |
#
# **Next:** [06 · Optimizers and learning-rate schedules](06_optimizers.ipynb)

# %% [markdown]
# ## Your progress
#
# Your checks, hints and solutions of this chapter, from the record on this machine (run the cell again after
# working on the exercises; `cu.progress.show()` shows every chapter):

# %%
cu.progress.show("05")
