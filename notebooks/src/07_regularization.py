# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# # 07 · Regularization
#
# **You will be able to**
# - recognise overfitting in training and validation curves, and say why it happens;
# - use L2 regularization / weight decay, L1 for sparsity, early stopping, gradient clipping and data augmentation;
# - write inverted dropout and batch normalization from scratch and match `nn.Dropout` and `nn.BatchNorm1d` in
#   training and evaluation mode, running statistics included;
# - explain why batch norm suffers with small batches, and when LayerNorm or GroupNorm is the better choice;
# - build the conv → batch norm → ReLU block that convolutional networks repeat (with a first look at convolution,
#   channels and pooling, which chapter 08 builds from scratch);
# - assemble BatchNorm, GELU, Dropout, AdamW and gradient clipping into one model and train it with `fit`.
#
# **Prerequisites:** chapter 06 (optimizers: SGD, Adam, AdamW) and the training loop with `fit` (chapter 00).
#
# **Run time:** about 15 seconds on a 2-core laptop CPU.
#
# A network with enough weights can memorize its training set, noise included. **Regularization** is everything
# that makes it prefer solutions that also work on data it has not seen.

# %%
# %matplotlib inline
import math

import torch
from torch import nn
from torch.utils.data import DataLoader, Subset, TensorDataset
from torchvision import transforms

import course_utils as cu
from course_utils import checks
from course_utils import regularization as R
from course_utils.data import DigitsAsMNIST, load_digits, make_moons, make_regression
from course_utils.plot import new_figure, plot_decision_boundary, show_images
from course_utils.train import evaluate, fit
from course_utils.widgets import regularization_playground

cu.set_language("en")  # the language of the messages of checkers and widgets: "en" or "zh"
cu.env.check_environment()  # one line: OK, or what to fix and how
cu.set_seed(0)
device = cu.get_device()
torch.set_num_threads(1)  # models this small train fastest on one thread (more threads cost more to coordinate)
print(f"device: {device} (this chapter's models are tiny: they train on the CPU)")

# %% [markdown]
# ## 1. Overfitting, made visible
#
# 40 training points of two noisy half-moons, 400 validation points from the same distribution, and a network far
# too large for 40 points: 2-128-128-2, about 17,000 weights. Adam, full-batch, 150 epochs:

# %%
X_train, y_train = make_moons(n=40, noise=0.3, seed=0)
X_val, y_val = make_moons(n=400, noise=0.3, seed=1)
train_loader = DataLoader(TensorDataset(X_train, y_train), batch_size=40)  # the whole training set: one batch
val_loader = DataLoader(TensorDataset(X_val, y_val), batch_size=400)
loss_fn = nn.CrossEntropyLoss()


def big_mlp(p: float = 0.0) -> nn.Module:
    """2-128-128-2 with dropout p after each hidden layer; the same initial weights every time."""
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(2, 128), nn.ReLU(), nn.Dropout(p), nn.Linear(128, 128), nn.ReLU(),
                         nn.Dropout(p), nn.Linear(128, 2))


baseline = big_mlp()
n_weights = sum(p.numel() for p in baseline.parameters())
assert 17_000 < n_weights < 17_500
print(f"weights: {n_weights}")
h_base = fit(baseline, train_loader, loss_fn, torch.optim.Adam(baseline.parameters(), lr=0.01), epochs=150,
             val_loader=val_loader, progress=False)
fig, (ax_curve, ax_boundary) = new_figure(ncols=2, width=4.2, height=3.3)
h_base.plot(ax=ax_curve)
ax_curve.set_title("No regularization")
plot_decision_boundary(baseline, X_train, y_train, ax=ax_boundary, title="Decision boundary (training points)")
fig

# %%
# NBVAL_CHECK_OUTPUT
best_val = min(h_base.val_loss)
assert h_base.train_loss[-1] < 0.01                 # the training set is memorized …
assert h_base.val_loss[-1] > 5 * best_val           # … while the validation loss has grown 5× from its best
assert h_base.val_loss.index(best_val) < 50         # which came early
print(f"train loss < 0.01: {h_base.train_loss[-1] < 0.01}")
print(f"final validation loss > 5x its minimum: {h_base.val_loss[-1] > 5 * best_val}")

# %% [markdown]
# The training loss goes to zero; the validation loss reaches its minimum within the first 50 epochs and then
# climbs. The boundary snakes around individual noisy points. The network is not "getting worse" at the task so
# much as becoming *confidently wrong* on the points it misclassifies — cross-entropy punishes confidence in wrong
# answers without limit. Everything below fights this.
#
# ## 2. L2 regularization and weight decay
#
# Add a penalty on the size of the weights to the loss:
#
# $$L_\text{reg}(w) = L(w) + \frac{\lambda}{2}\,\lVert w\rVert^2, \qquad
#   \nabla L_\text{reg} = \nabla L + \lambda w.$$
#
# For SGD the extra gradient term is a shrink of every weight by the factor $(1-\eta\lambda)$ each step — **weight
# decay** — which is what `torch.optim.SGD(..., weight_decay=λ)` adds. `course_utils.regularization.l2_penalty`
# is $\sum w^2$; the two ways are the same training:

# %%
torch.manual_seed(0)
a, b = nn.Linear(2, 2), nn.Linear(2, 2)
b.load_state_dict(a.state_dict())
opt_a = torch.optim.SGD(a.parameters(), lr=0.1)                    # penalty in the loss
opt_b = torch.optim.SGD(b.parameters(), lr=0.1, weight_decay=0.05)  # weight decay in the optimizer
for _ in range(50):
    opt_a.zero_grad()
    (loss_fn(a(X_train), y_train) + 0.05 / 2 * R.l2_penalty(a.parameters())).backward()
    opt_a.step()
    opt_b.zero_grad()
    loss_fn(b(X_train), y_train).backward()
    opt_b.step()
assert all(torch.allclose(p, q, atol=1e-6) for p, q in zip(a.parameters(), b.parameters()))

# %% [markdown]
# For Adam the two are *not* the same (chapter 06): use `AdamW` for weight decay. PyTorch's AdamW decays each step by
# `lr × weight_decay`, so with `lr=0.01` a `weight_decay` of 1.0 is a 1% shrink per step. Small weights make a
# smoother function — the network cannot build the sharp bends that fit single noisy points:

# %%
decayed = big_mlp()
h_decay = fit(decayed, train_loader, loss_fn, torch.optim.AdamW(decayed.parameters(), lr=0.01, weight_decay=1.0),
              epochs=150, val_loader=val_loader, progress=False)

# %% [markdown]
# ### L1: regularization that zeroes weights
#
# The L1 penalty $\lambda\sum|w|$ has the gradient $\lambda\,\mathrm{sign}(w)$: the same push for a weight of 0.001
# as for one of 1. L2's push, $\lambda w$, fades as the weight shrinks, so L2 makes weights *small*; L1 drives the
# unimportant ones all the way to (about) zero — a **sparse** network. PyTorch optimizers have no L1 option; add the
# penalty to the training loss (only there: the validation loss stays the plain cross-entropy):

# %%
l1_model = big_mlp()
weights = [p for name, p in l1_model.named_parameters() if name.endswith("weight")]
opt = torch.optim.Adam(l1_model.parameters(), lr=0.01)
for _ in range(150):
    loss = loss_fn(l1_model(X_train), y_train) + 1e-3 * R.l1_penalty(weights)
    opt.zero_grad()
    loss.backward()
    opt.step()


def weight_values(model: nn.Module) -> torch.Tensor:
    return torch.cat([p.detach().flatten() for name, p in model.named_parameters() if name.endswith("weight")])


near_zero = {name: (weight_values(m).abs() < 0.01).float().mean().item()
             for name, m in {"none": baseline, "L2 (AdamW)": decayed, "L1": l1_model}.items()}
fig, ax = new_figure(width=5.5, height=3.0)
bins = torch.logspace(-6, 1, 50)
for name, m in {"none": baseline, "L2 (AdamW, weight_decay=1)": decayed, "L1 (λ = 0.001)": l1_model}.items():
    ax.hist(weight_values(m).abs().clamp_min(1e-6).numpy(), bins=bins.numpy(), histtype="step", lw=1.5, label=name)
ax.set(xscale="log", xlabel="|weight| (log scale)", ylabel="number of weights", title="Weight sizes after training")
ax.legend(fontsize=8)
fig

# %%
# NBVAL_CHECK_OUTPUT
with torch.no_grad():
    val_l1 = loss_fn(l1_model(X_val), y_val).item()
assert near_zero["L1"] > 0.9 and near_zero["none"] < 0.2 and near_zero["L2 (AdamW)"] < 0.7
assert h_decay.val_loss[-1] < 0.5 * h_base.val_loss[-1] and val_l1 < 0.5 * h_base.val_loss[-1]
print(f"weights below 0.01: L1 > 90%: {near_zero['L1'] > 0.9} | no regularization < 20%: "
      f"{near_zero['none'] < 0.2} | L2 < 70%: {near_zero['L2 (AdamW)'] < 0.7}")
print(f"final validation loss < half the unregularized one: L2 {h_decay.val_loss[-1] < 0.5 * h_base.val_loss[-1]}, "
      f"L1 {val_l1 < 0.5 * h_base.val_loss[-1]}")

# %% [markdown]
# Over 90% of the L1 network's weights end below 0.01 (with Adam they hover within about a learning rate of zero
# rather than landing exactly on it); L2 shrinks weights without zeroing most of them. Both end with a validation
# loss less than half of the unregularized network's.
#
# ## 3. Early stopping
#
# The validation curve of section 1 had its minimum early. **Early stopping** watches the validation loss and stops
# when it has not improved for `patience` epochs, then restores the weights of the best epoch. `fit` does it with
# `patience=`:

# %%
stopped = big_mlp()
h_stop = fit(stopped, train_loader, loss_fn, torch.optim.Adam(stopped.parameters(), lr=0.01), epochs=150,
             val_loader=val_loader, patience=20, progress=False)
print(h_stop)

# %%
# NBVAL_CHECK_OUTPUT
restored = evaluate(stopped, val_loader, loss_fn)["loss"]
assert h_stop.stopped_early and h_stop.epochs == h_stop.best_epoch + 20
assert math.isclose(restored, min(h_stop.val_loss), rel_tol=1e-5)  # the best epoch's weights are back
print(f"stopped early: {h_stop.stopped_early} | ran best epoch + patience: {h_stop.epochs == h_stop.best_epoch + 20}")
print(f"restored weights have the best validation loss: {math.isclose(restored, min(h_stop.val_loss), rel_tol=1e-5)}")

# %% [markdown]
# Early stopping costs nothing but a validation set, and it is a regularizer: fewer epochs leave the weights closer
# to their small initial values. (The validation set has then been used to choose the model: report final numbers on
# a separate test set.)
#
# ## 4. Gradient clipping
#
# One unlucky batch — an outlier, a steep region of the loss — can produce a huge gradient, and one huge step can
# throw the weights somewhere the loss is NaN. **Clipping by the global norm** rescales all gradients together when
# their joint norm exceeds a threshold:
#
# $$\lVert g\rVert = \sqrt{\textstyle\sum_{p} \sum_i g_{p,i}^2}, \qquad
#   g \leftarrow g \cdot \min\!\left(1, \frac{\text{max\_norm}}{\lVert g\rVert + 10^{-6}}\right),$$
#
# where $p$ runs over all the parameter tensors and $i$ over their elements. The direction is kept; only the length
# is capped. Our version against `torch.nn.utils.clip_grad_norm_`:

# %%
cu.show_source(R.clip_grad_norm_)

# %%
params_ours = [torch.zeros(3, 4, requires_grad=True), torch.zeros(4, requires_grad=True)]
params_torch = [torch.zeros(3, 4, requires_grad=True), torch.zeros(4, requires_grad=True)]
for p, q in zip(params_ours, params_torch):
    p.grad = 5 * torch.randn(p.shape)
    q.grad = p.grad.clone()
total_ours = R.clip_grad_norm_(params_ours, max_norm=1.0)
total_torch = nn.utils.clip_grad_norm_(params_torch, max_norm=1.0)
assert torch.allclose(total_ours, total_torch)
assert all(torch.allclose(p.grad, q.grad) for p, q in zip(params_ours, params_torch))
clipped_norm = torch.cat([p.grad.flatten() for p in params_ours]).norm().item()
assert abs(clipped_norm - 1.0) < 1e-5
print(f"norm before: {total_ours.item():.1f}, after: {clipped_norm:.3f}")

# %% [markdown]
# In a training loop the call goes **between `loss.backward()` and `optimizer.step()`** (after the gradients exist,
# before they are used); `fit(..., clip_grad_norm=1.0)` does exactly that. A regression with 5% wild outliers and a
# bold learning rate — SGD with momentum at 0.2 — shows what it is for:

# %%
X_reg, y_reg = make_regression(n=200, n_features=1, noise=0.1, outliers=0.05, seed=0)
runs = {}
for clip in (None, 1.0):  # the same initial weights and the same batches, with and without clipping
    reg_loader = DataLoader(TensorDataset(X_reg, y_reg), batch_size=20, shuffle=True,
                            generator=torch.Generator().manual_seed(0))
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(1, 32), nn.Tanh(), nn.Linear(32, 32), nn.Tanh(), nn.Linear(32, 32), nn.Tanh(),
                        nn.Linear(32, 1))
    runs[clip] = fit(net, reg_loader, nn.MSELoss(), torch.optim.SGD(net.parameters(), lr=0.2, momentum=0.9),
                     epochs=20, clip_grad_norm=clip, progress=False)

# %%
# NBVAL_CHECK_OUTPUT
assert runs[None].diverged and not runs[1.0].diverged and runs[1.0].train_loss[-1] < 5
print(f"without clipping the loss became NaN: {runs[None].diverged}")
print(f"with clip_grad_norm=1.0 training finished: {not runs[1.0].diverged}")

# %% [markdown]
# Clipping is standard for recurrent networks and transformers, and a cheap insurance elsewhere. It is not a cure
# for a learning rate that is simply too high — it caps the step, it does not choose a good one.
#
# ## 5. Dropout
#
# During training, **dropout** sets each activation to zero with probability $p$, a different random choice at every
# step: no unit can rely on a particular other unit being there, so the network learns redundant features instead of
# fragile co-adaptations. If it only zeroed, the layer after it would see inputs $1-p$ times smaller in training than
# in evaluation. **Inverted dropout** — what PyTorch does — scales the survivors up during training instead:
#
# $$\text{dropout}(x)_i = \frac{m_i\, x_i}{1-p}, \quad m_i \sim \text{Bernoulli}(1-p), \qquad
#   \mathbb E[\text{dropout}(x)_i] = \frac{(1-p)\,x_i}{1-p} = x_i,$$
#
# and in evaluation it is the identity. Our version draws the mask exactly as PyTorch does, so with the same seed it
# gives the same output as `nn.Dropout`:

# %%
cu.show_source(R.dropout)

# %%
x = torch.randn(4, 1000)
torch.manual_seed(42)
ours = R.dropout(x, p=0.3, training=True)
torch.manual_seed(42)
theirs = nn.Dropout(p=0.3)(x)                     # a new module is in training mode
assert torch.equal(ours, theirs)
survivors = ours != 0
assert torch.allclose(ours[survivors], x[survivors] / 0.7)  # survivors scaled by 1/(1 − p)

# %% [markdown]
# "The mean is preserved in expectation" is a statement about randomness, so we test it statistically: for a
# million ones, the average after dropout is 1 up to sampling noise, whose standard deviation is
# $\sqrt{p/(1-p)}/\sqrt n$ (each output is $1/(1-p)$ with probability $1-p$, else 0):

# %%
# NBVAL_CHECK_OUTPUT
n, p = 1_000_000, 0.3
out = R.dropout(torch.ones(n), p=p, training=True)
sigma = math.sqrt(p / (1 - p)) / math.sqrt(n)
assert abs(out.mean().item() - 1.0) < 5 * sigma       # within 5 standard deviations of 1
assert abs((out == 0).float().mean().item() - p) < 0.005
print(f"mean after dropout is 1 within 5 sigma: {abs(out.mean().item() - 1.0) < 5 * sigma}")

# %% [markdown]
# **`model.train()` and `model.eval()`** switch every dropout (and batch-norm) layer in a model. Forgetting
# `model.eval()` when measuring gives random, too-pessimistic predictions; `evaluate` and `fit` switch for you.

# %%
assert nn.Dropout().p == 0.5
dropout_net = big_mlp(p=0.5)
dropout_net.train()
assert not torch.equal(dropout_net(X_val), dropout_net(X_val))  # training mode: a new random mask every call
dropout_net.eval()
assert torch.equal(dropout_net(X_val), dropout_net(X_val))      # eval mode: deterministic
h_drop = fit(dropout_net, train_loader, loss_fn, torch.optim.Adam(dropout_net.parameters(), lr=0.01),
             epochs=150, val_loader=val_loader, progress=False)
assert h_drop.val_loss[-1] < 0.6 * h_base.val_loss[-1]
print(f"final validation loss: {h_base.val_loss[-1]:.2f} without dropout, {h_drop.val_loss[-1]:.2f} with p = 0.5")

# %% [markdown]
# Common values are $p$ = 0.1–0.5 (many tutorials use 0.3–0.5 and suggest 0.4–0.6; `nn.Dropout()`'s default is
# 0.5, asserted above). Dropout goes after hidden layers' activations, not on the output layer.
#
# ## 6. Batch normalization
#
# **Batch normalization** (Ioffe & Szegedy, 2015) standardizes each feature over the batch, then lets the network
# rescale and shift it with two learned vectors, γ (`weight`) and β (`bias`):
#
# $$\mu_B = \frac1B\sum_i x_i, \quad \sigma_B^2 = \frac1B\sum_i (x_i-\mu_B)^2, \quad
#   y_i = \gamma\,\frac{x_i-\mu_B}{\sqrt{\sigma_B^2+\varepsilon}} + \beta.$$
#
# It keeps the inputs of every layer in a stable range, which allows higher learning rates and makes training less
# sensitive to initialization. At evaluation time there may be no batch (a single image), and a prediction should not
# depend on which other samples share its batch. So during training BN also keeps **running estimates**,
#
# $$\hat\mu \leftarrow (1-m)\,\hat\mu + m\,\mu_B, \qquad \hat\sigma^2 \leftarrow (1-m)\,\hat\sigma^2 + m\,
#   \tfrac{B}{B-1}\,\sigma_B^2 \quad (m = \text{momentum} = 0.1),$$
#
# and `model.eval()` normalizes with those instead. Note the two variances: normalization uses the batch's biased
# variance, the running estimate the unbiased one ($\tfrac{B}{B-1}$). Our `BatchNorm1d`:

# %%
cu.show_source(R.BatchNorm1d.forward)

# %%
ours_bn, torch_bn = R.BatchNorm1d(5), nn.BatchNorm1d(5)
with torch.no_grad():
    ours_bn.weight.uniform_(0.5, 1.5)
    ours_bn.bias.normal_()
torch_bn.load_state_dict(ours_bn.state_dict())  # same names: weight, bias, running_mean, running_var, …
for _ in range(10):                              # training mode: batch statistics, running estimates updated
    batch = 3 * torch.randn(16, 5) + 2
    assert torch.allclose(ours_bn(batch), torch_bn(batch), atol=1e-5)
assert torch.allclose(ours_bn.running_mean, torch_bn.running_mean, atol=1e-6)
assert torch.allclose(ours_bn.running_var, torch_bn.running_var, atol=1e-5)
assert ours_bn.num_batches_tracked == torch_bn.num_batches_tracked == 10
ours_bn.eval()
torch_bn.eval()                                  # eval mode: the running estimates
single = torch.randn(1, 5)
assert torch.allclose(ours_bn(single), torch_bn(single), atol=1e-5)

# %% [markdown]
# The running estimates follow the data's true statistics with a lag set by the momentum. Feeding batches of 8 from
# a feature with mean 3 and standard deviation 2:

# %%
bn = R.BatchNorm1d(1)
g = torch.Generator().manual_seed(0)
batch_means, running_means, running_vars = [], [], []
for _ in range(100):
    batch = 3 + 2 * torch.randn(8, 1, generator=g)
    bn(batch)
    batch_means.append(batch.mean().item())
    running_means.append(bn.running_mean.item())
    running_vars.append(bn.running_var.item())
fig, ax = new_figure(width=5.5, height=3.0)
ax.plot(batch_means, ".", color="0.6", label="mean of each batch of 8")
ax.plot(running_means, lw=2, label="running_mean (momentum 0.1)")
ax.axhline(3, color="C3", ls="--", lw=1, label="true mean 3")
ax.set(xlabel="training batch", ylabel="value", title="BatchNorm's running mean", ylim=(-3.2, 5.5))
ax.legend(fontsize=8, loc="lower right")  # below the data: no point or curve is covered
fig

# %%
assert abs(sum(running_means[-20:]) / 20 - 3) < 0.5 and abs(sum(running_vars[-20:]) / 20 - 4) < 1.5

# %% [markdown]
# ### Why small batches hurt — and the alternatives
#
# With a batch of two, each feature's two values $a, b$ have mean $\frac{a+b}2$ and biased variance
# $\left(\frac{a-b}2\right)^2$, so they are normalized to $\pm\frac{|a-b|/2}{\sqrt{(a-b)^2/4 + \varepsilon}}$ — about
# −1 and +1 whatever they were: always a little less than 1 in size, noticeably so only when $|a - b|$ is not much
# larger than $\sqrt\varepsilon \approx 0.003$ (and 0 when $a = b$). The "statistics" of two samples are pure noise, and the output keeps only which of the two
# values was larger. A batch of one is worse still when it leaves a single value per channel: `BatchNorm1d` on
# shape (1, C) has no variance to compute and raises an error in training. (`BatchNorm2d` on one image still has
# H × W values per channel and runs — on the statistics of a single image.) **LayerNorm** normalizes each sample over
# its own features, **GroupNorm** over groups of channels within a sample: neither looks at the rest of the batch, so
# they behave the same for any batch size, in training and evaluation alike.

# %%
# NBVAL_CHECK_OUTPUT
pair = torch.tensor([[0.3, 5.0, -2.0, 1.0], [0.5, -7.0, 40.0, 1.2]])
out = R.BatchNorm1d(4)(pair)
half_gap = (pair[0] - pair[1]).abs() / 2
assert torch.allclose(out.abs(), (half_gap / (half_gap**2 + 1e-5).sqrt()).expand(2, 4))  # the formula above
assert torch.allclose(out.abs(), torch.ones_like(out), atol=1e-3) and (out.abs() <= 1).all()  # about ±1 …
assert (out[:, 0].abs() < 0.9996).all() and abs(math.sqrt(1e-5) - 0.003) < 2e-4  # … 0.3 vs 0.5 give ±0.9995
assert torch.equal(R.BatchNorm1d(1)(torch.tensor([[2.0], [2.0]])), torch.zeros(2, 1))  # a = b: both become 0
try:
    nn.BatchNorm1d(4)(torch.randn(1, 4))  # one value per channel, in training mode
    raised = None
except ValueError as error:
    raised = error
assert raised is not None
assert nn.BatchNorm2d(4)(torch.randn(1, 4, 5, 5)).shape == (1, 4, 5, 5)  # one image, 25 values per channel: runs
layer_norm, group_norm = nn.LayerNorm(4), nn.GroupNorm(2, 4)
assert torch.allclose(layer_norm(pair)[:1], layer_norm(pair[:1]))   # a sample's output does not depend on its
assert torch.allclose(group_norm(pair)[:1], group_norm(pair[:1]))   # batch-mates: same alone or in the batch
print(out.detach().numpy().round(4))
print(f"BatchNorm1d on a batch of shape (1, 4) in training raises {type(raised).__name__}")

# %% [markdown]
# Batch norm is the default in CNNs trained with reasonable batches (32+); LayerNorm is the standard in transformers
# and recurrent networks; GroupNorm serves CNNs whose batches must be small (large images, detection). About BN's
# regularizing effect: the batch statistics add a little noise in training, which helps a bit, but BN's main effect
# is faster, more stable training, not regularization.
#
# ## 7. The CNN pattern: conv → batch norm → ReLU
#
# This section and the next use three layers for images that chapter 08 builds from scratch (its sections 2 and 3).
# Just enough to read them:
#
# - An image batch is a tensor of shape (N, C, H, W): N images, each with C **channels** of H × W pixels — 1 channel
#   for a grey image, 3 for a colour one, and inside a network one channel per feature the layer detects.
# - A **convolution**, `nn.Conv2d(C_in, C_out, kernel_size=3, padding=1)`, slides C_out small filters (each
#   C_in × 3 × 3 weights, plus a bias) over the image. At every position a filter takes the weighted sum of the
#   3 × 3 window in all input channels: the same weights everywhere, so a pattern is found wherever it is. Each
#   filter gives one output channel; `padding=1` adds a border of zeros so that H × W stays the same.
# - **Max-pooling**, `nn.MaxPool2d(2)`, keeps the largest value of each 2 × 2 block of each channel: half the height,
#   half the width.
#
# The shapes, and one value of each layer computed by hand:

# %%
# NBVAL_CHECK_OUTPUT
images = torch.randn(4, 1, 28, 28, generator=torch.Generator().manual_seed(0))  # 4 grey 28×28 images
torch.manual_seed(0)
conv = nn.Conv2d(1, 8, kernel_size=3, padding=1)          # 8 filters of 1×3×3 weights, and 8 biases
maps = conv(images)                                       # one output channel per filter
pooled = nn.MaxPool2d(2)(maps)
assert conv.weight.shape == (8, 1, 3, 3) and maps.shape == (4, 8, 28, 28) and pooled.shape == (4, 8, 14, 14)
window = images[0, 0, 9:12, 9:12]                         # the 3×3 window centred on pixel (10, 10)
assert torch.allclose(maps[0, 2, 10, 10], (conv.weight[2, 0] * window).sum() + conv.bias[2], atol=1e-6)
assert pooled[0, 2, 5, 5] == maps[0, 2, 10:12, 10:12].max()  # pooled pixel (5, 5) = max of the block at (10, 10)
print("images", tuple(images.shape), "→ Conv2d(1, 8, 3, padding=1)", tuple(maps.shape),
      "→ MaxPool2d(2)", tuple(pooled.shape))

# %% [markdown]
# Modern convolutional networks — the next chapter's small residual network among them — repeat one pattern:
# convolution → batch norm → ReLU. `BatchNorm2d` is the same idea as `BatchNorm1d` with statistics per *channel*,
# over the batch and all pixel positions: every pixel of every image counts as one sample of its channel. The
# convolution before it needs no bias: BN subtracts each channel's mean, which removes any constant the conv adds
# (β takes over that role):

# %%
bn2d = nn.BatchNorm2d(8)
as_samples = maps.permute(0, 2, 3, 1).reshape(-1, 8)      # (4·28·28, 8): each pixel a sample, each channel a feature
assert torch.allclose(bn2d(maps).permute(0, 2, 3, 1).reshape(-1, 8), nn.BatchNorm1d(8)(as_samples), atol=1e-5)
no_bias = maps - conv.bias.view(1, -1, 1, 1)              # the same conv without its bias …
assert torch.allclose(bn2d(maps), bn2d(no_bias), atol=1e-4)  # … gives the same output after BN
cu.show_source(R.ConvBlock)

# %%
block = R.ConvBlock(1, 8)
assert block(images).shape == (4, 8, 28, 28)
assert sum(p.numel() for p in block.parameters()) == 8 * 1 * 3 * 3 + 2 * 8  # conv weights + γ and β

# %% [markdown]
# ## 8. Data augmentation
#
# The best regularizer is more data. When you can't get it, you can often *make* it: a digit rotated by 10° or
# shifted by two pixels is still the same digit. **Data augmentation** applies such random, label-preserving changes
# to every training image, each time it is used, so the network never sees exactly the same image twice. With
# torchvision's transforms (a pipeline as tutorials often write it, with a 15° rotation):

# %%
augment = transforms.Compose([
    transforms.RandomRotation(15),                          # rotate by a random angle in [−15°, 15°]
    transforms.RandomAffine(0, translate=(0.1, 0.1)),       # shift by up to 10% of the size in x and y
    transforms.ToTensor(),                                  # PIL image → float tensor (1, 28, 28) in [0, 1]
])
plain = transforms.ToTensor()

digits, labels = load_digits(split="train", resize=28)      # tensors, for a picture
assert digits.shape == (1438, 1, 28, 28)
to_pil = transforms.ToPILImage()
torch.manual_seed(0)
examples = [digits[i] for i in range(8)]
grid = torch.stack(examples + [augment(to_pil(img)) for _ in range(2) for img in examples])
show_images(grid, labels=labels[:8].tolist() * 3, ncols=8)

# %% [markdown]
# The first row is the original images; the two rows below are random augmentations of them. The transforms work on
# PIL images, like torchvision's datasets deliver them; `course_utils.data.DigitsAsMNIST` serves the digits at 28×28
# exactly as torchvision's `MNIST` does (image, label), with a `transform=` argument — the same code will run on
# MNIST in the next chapter.
#
# Does it help? A small CNN of two `ConvBlock`s on only 300 training images, with and without augmentation, measured
# on the test digits as they are and on the same test digits randomly rotated and shifted (how handwriting varies):

# %%
test_plain = DigitsAsMNIST(train=False, transform=plain)
test_moved = DigitsAsMNIST(train=False, transform=augment)
torch.manual_seed(123)  # one fixed random rotation/shift per test image
X_test = torch.stack([test_plain[i][0] for i in range(len(test_plain))])
X_test_moved = torch.stack([test_moved[i][0] for i in range(len(test_moved))])
y_test = test_plain.targets
test_loaders = {"plain": DataLoader(TensorDataset(X_test, y_test), batch_size=512),
                "moved": DataLoader(TensorDataset(X_test_moved, y_test), batch_size=512)}


def small_cnn() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(R.ConvBlock(1, 8), nn.MaxPool2d(2), R.ConvBlock(8, 16), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(16 * 7 * 7, 10))


accuracy = {}
for augmented, transform in ((False, plain), (True, augment)):
    train_set = Subset(DigitsAsMNIST(train=True, transform=transform), range(300))  # augmented on the fly
    loader = DataLoader(train_set, batch_size=32, shuffle=True, generator=torch.Generator().manual_seed(0))
    cnn = small_cnn()
    fit(cnn, loader, loss_fn, torch.optim.Adam(cnn.parameters(), lr=3e-3), epochs=12, progress=False)
    accuracy[augmented] = {test: evaluate(cnn, tl, loss_fn)["accuracy"] for test, tl in test_loaders.items()}
print(f"trained without augmentation: test accuracy {accuracy[False]['plain']:.3f} on the digits as they are, "
      f"{accuracy[False]['moved']:.3f} rotated and shifted")
print(f"trained with augmentation:    test accuracy {accuracy[True]['plain']:.3f} on the digits as they are, "
      f"{accuracy[True]['moved']:.3f} rotated and shifted")

# %%
# NBVAL_CHECK_OUTPUT
gain_moved = accuracy[True]["moved"] - accuracy[False]["moved"]
change_plain = accuracy[True]["plain"] - accuracy[False]["plain"]
assert gain_moved > 0.1 and change_plain > -0.03
print(f"augmentation: > 10 points better on rotated/shifted digits: {gain_moved > 0.1}")
print(f"augmentation: no more than 3 points worse on the plain test digits: {change_plain > -0.03}")

# %% [markdown]
# Augmentation makes the network robust to exactly the variations you add: a large gain on moved digits, about the
# same (within 3 points) on the centred ones. Choose transformations that keep the label (a horizontally flipped
# digit is not always the same digit; a flipped cat is still a cat), and apply them **only to the training set**.

# %% [markdown]
# ## 9. The whole recipe in one model
#
# A common recipe for an MLP puts most of this chapter into one model: each hidden layer is Linear → BatchNorm1d →
# GELU → Dropout, trained with AdamW (weight decay) and gradient clipping. A typical tutorial's complete example,
# as one model: 20 input features, 5 classes, batches of 64. It trains 50 epochs; 20 are enough here, and keep the
# chapter fast. Its data are random features with *random* labels, which leave nothing to learn but memorization;
# ours give the labels a rule (the largest of 5 fixed random projections of the features), so that a validation
# set can tell whether the model learned. `fit` does the loop
# such tutorials write out — `model.train()`, and per batch `zero_grad`, forward, loss, `backward`, clipping,
# `step`. An optimizer hook records the norm of the gradients each step receives, i.e. after clipping:

# %%
g = torch.Generator().manual_seed(0)
X_toy = torch.randn(1500, 20, generator=g)
y_toy = (X_toy @ torch.randn(20, 5, generator=g)).argmax(dim=1)   # 5 classes, decided by the features
toy_train = DataLoader(TensorDataset(X_toy[:1000], y_toy[:1000]), batch_size=64, shuffle=True,
                       generator=torch.Generator().manual_seed(0))
toy_val = DataLoader(TensorDataset(X_toy[1000:], y_toy[1000:]), batch_size=500)

torch.manual_seed(0)
recipe = nn.Sequential(
    nn.Linear(20, 128), nn.BatchNorm1d(128), nn.GELU(), nn.Dropout(0.3),
    nn.Linear(128, 64), nn.BatchNorm1d(64), nn.GELU(), nn.Dropout(0.3),
    nn.Linear(64, 5),
)
optimizer = torch.optim.AdamW(recipe.parameters(), lr=1e-3, weight_decay=0.01)
step_norms = []


def record_norm(opt, args, kwargs) -> None:
    """Called by the optimizer before each step: the global norm of the gradients it is about to use."""
    step_norms.append(torch.cat([p.grad.flatten() for p in recipe.parameters()]).norm().item())


optimizer.register_step_pre_hook(record_norm)
h_recipe = fit(recipe, toy_train, nn.CrossEntropyLoss(), optimizer, epochs=20, val_loader=toy_val,
               clip_grad_norm=1.0, progress=False)
clipped = sum(abs(norm - 1.0) < 1e-4 for norm in step_norms)     # clipped steps have a norm of exactly 1
assert len(step_norms) == 20 * 16 and max(step_norms) <= 1.0 + 1e-6 and 0 < clipped < len(step_norms)
assert h_recipe.train_loss[-1] < h_recipe.train_loss[0] / 2 and h_recipe.val_acc[-1] > 0.85
print(f"clipped: {clipped} of the {len(step_norms)} steps; the largest gradient norm a step used: "
      f"{max(step_norms):.4f}")
print(f"training loss {h_recipe.train_loss[0]:.3f} in the first epoch, {h_recipe.train_loss[-1]:.3f} in the 20th")
print(f"validation accuracy after 20 epochs: {h_recipe.val_acc[-1]:.1%} (chance: 20%)")

# %% [markdown]
# 1000 samples in batches of 64 are 16 steps per epoch, 320 in all (`clipped` counts the steps whose gradients
# were clipped). Clipping is a cap, not a rescaling of every step. Each piece has its place: BatchNorm before the activation (the convention of this recipe; some
# networks put it after), Dropout after it, weight decay in the optimizer, clipping between `backward()` and
# `step()`. And the model has two modes: `fit` and `evaluate` switch between them, a hand-written loop must call
# `model.train()` and `model.eval()` itself.

# %% [markdown]
# ## 10. Playground
#
# Everything together on the moons: dropout $p$, weight decay (AdamW), the noise of the data, the width of the two
# hidden layers, and the number of training points. The sliders change the settings and show the new training data;
# **Train** trains for 300 epochs (about a second) and draws the boundary and the curves. Try: the default
# (overfitting) → add dropout 0.5 → instead weight decay 0.5 → instead 200 training points. Which helps most?

# %%
playground = regularization_playground()
playground

# %% [markdown]
# The widget is a Python object; pressing its button from code trains with the current settings (the widget above
# updates too), and `draw` gives its picture:

# %%
playground.press("Train")
assert playground.last_error is None
playground.draw(**playground.values())

# %% [markdown]
# ## Pitfalls
#
# - **Forgetting `model.eval()`** before evaluating or predicting: dropout keeps dropping and batch norm uses the
#   batch's statistics — predictions become random and depend on the batch. Switch back with `model.train()`.
# - **Batch norm with tiny batches:** a batch of 2 normalizes every feature to about ±1; a batch of 1 with one value
#   per channel (`BatchNorm1d` on shape (1, C)) raises an error in training. Use batches of 32+ or LayerNorm /
#   GroupNorm.
# - **Augmenting the validation or test set:** evaluation data gets only the deterministic preprocessing
#   (`ToTensor`, `Normalize`), never random transforms.
# - **Clipping in the wrong place:** `clip_grad_norm_` must come after `loss.backward()` and before
#   `optimizer.step()`; after the step it does nothing for this update.
# - **Adam's `weight_decay` is L2, not weight decay** — use AdamW (chapter 06).
# - **Early stopping on the test set:** the set that chooses the epoch is a validation set; the test set is for the
#   final number only.
# - **Reading "outputs all the same → use BatchNorm" (a common tutorial skeleton) as a rule:** identical outputs
#   also come from dead ReLUs, a learning rate that is too high, or a bug in the labels; BatchNorm fixes only some
#   of them.

# %% [markdown]
# ## Exercises
#
# ### Exercise 1 — inverted dropout
# Write `inverted_dropout(x, p, training)`: in training zero each element with probability `p` and divide the
# survivors by `1 − p`; with `training=False` return `x` unchanged.

# %%
def inverted_dropout(x: torch.Tensor, p: float, training: bool) -> torch.Tensor:
    raise NotImplementedError  # replace this line with your code


checks.check("inverted_dropout", inverted_dropout)

# %% [markdown]
# ### Exercise 2 — batch norm in training mode
# Write `batch_norm_train(x, gamma, beta, eps=1e-5)` for `x` of shape (N, C): normalize each feature with the batch
# mean and the *biased* batch variance, then scale by `gamma` and shift by `beta` (both of shape (C,)).

# %%
def batch_norm_train(x: torch.Tensor, gamma: torch.Tensor, beta: torch.Tensor, eps: float = 1e-5) -> torch.Tensor:
    raise NotImplementedError  # replace this line with your code


checks.check("batch_norm_train", batch_norm_train)

# %% [markdown]
# ### Exercise 3 — running statistics
# Write `running_stats_update(running_mean, running_var, x, momentum=0.1)` returning the new
# `(running_mean, running_var)` after a training batch `x` of shape (N, C), as `nn.BatchNorm1d` updates them.

# %%
def running_stats_update(running_mean, running_var, x, momentum=0.1):
    raise NotImplementedError  # replace this line with your code


checks.check("running_stats_update", running_stats_update)

# %% [markdown]
# ### Exercise 4 — clipping by the global norm
# Write `clip_grad_norm(grads, max_norm)`: `grads` is a list of gradient tensors; return the list scaled as
# `clip_grad_norm_` would scale them (one norm over all of them together).

# %%
def clip_grad_norm(grads: list[torch.Tensor], max_norm: float) -> list[torch.Tensor]:
    raise NotImplementedError  # replace this line with your code


checks.check("clip_grad_norm", clip_grad_norm)

# %% [markdown]
# Stuck? `checks.hint("running_stats_update")` gives the idea; ask again for a more precise hint. After you have checked an
# answer of your own, `checks.solution("running_stats_update")` shows a solution.
#
# ## Summary
#
# - Overfitting: training loss falls while validation loss rises; watch both curves.
# - L2 / weight decay keeps weights small (SGD's `weight_decay`, AdamW); L1 drives most weights to about zero.
# - Early stopping (`fit(..., patience=)`) keeps the best epoch's weights; gradient clipping caps the update's length
#   (between `backward()` and `step()`).
# - Inverted dropout zeroes activations with probability $p$ and scales the rest by $1/(1-p)$, keeping the mean;
#   identity in eval mode.
# - Batch norm normalizes with batch statistics in training and running estimates in eval; it needs reasonable
#   batches — LayerNorm/GroupNorm don't depend on the batch. Conv → BN → ReLU is the CNN building block.
# - Linear → BatchNorm1d → GELU → Dropout per hidden layer, AdamW and `fit(..., clip_grad_norm=1.0)`: the
#   chapter's pieces in one model.
# - Augmentation adds label-preserving variation to the training data and buys robustness to it.
#
# ## Key terms
#
# | English | 中文 |
# |---|---|
# | overfitting / underfitting | 过拟合 / 欠拟合 |
# | regularization | 正则化 |
# | L2 regularization / weight decay | L2 正则化 / 权重衰减 |
# | L1 regularization / sparsity | L1 正则化 / 稀疏性 |
# | early stopping | 早停 |
# | gradient clipping | 梯度裁剪 |
# | data augmentation | 数据增广 |
# | dropout | 暂退法（丢弃法） |
# | standardization, (x − mean) / std | 标准化 |
# | batch normalization | 批量规范化（批量归一化） |
# | running mean / running variance | 滑动均值 / 滑动方差 |
# | layer normalization / group normalization | 层规范化 / 组规范化 |
# | convolution / channel | 卷积 / 通道 |
# | max pooling | 最大汇聚（最大池化） |
# | training mode / evaluation mode | 训练模式 / 评估模式 |
#
# **Next:** [08 · A CNN on MNIST](08_cnn_mnist.ipynb)

# %% [markdown]
# ## Your progress
#
# Your checks, hints and solutions of this chapter, from the record on this machine (run the cell again after
# working on the exercises; `cu.progress.show()` shows every chapter):

# %%
cu.progress.show("07")
