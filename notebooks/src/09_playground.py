# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# # 09 · Network playground
#
# **You will be able to**
# - drive a whole small network from one widget — the data, the input features, depth and width, activation,
#   initialization, optimizer, learning rate, batch size, regularization and schedule — and read each of its views;
# - predict, then check, what a setting does: why XOR needs a hidden layer (or one feature), why layers without an
#   activation collapse into one, why depth helps on a spiral, what a too-high learning rate does, how L2 curbs
#   overfitting;
# - turn any run into a plain PyTorch script that reproduces it bit for bit, and share a lesson as a small JSON file;
# - run such experiments in code with `Playground`, and assert what you expect instead of eyeballing it.
#
# **Prerequisites:** chapters 01–08; this chapter puts together everything they built.
#
# **Run time:** about 10 seconds on a 2-core laptop CPU.
#
# [TensorFlow Playground](https://playground.tensorflow.org) lets you change everything about a small network and
# watch it learn, but it never shows code. This playground shows the code too: every setting is a line of
# PyTorch, and one button writes the whole run out as a script.

# %%
# %matplotlib inline
import contextlib
import io
import json
import math
import tempfile
import textwrap
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

import course_utils as cu
from course_utils import checks
from course_utils.losses import binary_cross_entropy_with_logits
from course_utils.playground import FEATURES, LR_CHOICES, PRESETS, Playground, Settings
from course_utils.widgets import playground

cu.set_language("en")  # the language of the messages of checkers and widgets: "en" or "zh"
cu.env.check_environment()  # one line: OK, or what to fix and how
cu.set_seed(0)
device = cu.get_device()
print(f"device: {device}")  # the playground's networks are tiny: they train on the CPU whatever this says

# %% [markdown]
# ## 1. The playground
#
# Run the cell, then press **Play**. The data are two classes of points in the plane (orange = class 1,
# blue = class 0); the network learns to tell them apart.

# %%
widget = playground()
widget

# %% [markdown]
# What you see, left to right:
#
# | view | what it shows |
# |---|---|
# | **the network** | one square per input feature and per unit: its value over the whole plane (orange > 0 > blue; sigmoid units are centred on 0.5). Lines are the weights: orange positive, blue negative, thicker = larger |
# | **the output** | the network's P(class 1) over the plane, with the points: training points with a white rim, test points with a black rim (for the regression plane: the predicted value) |
# | **the loss** | training and test loss after every epoch; the header gives the epoch, the losses and the test accuracy |
#
# and the controls:
#
# | control | what it changes | in PyTorch |
# |---|---|---|
# | data, noise, train % | the data set, how noisy, how much of it trains (the rest tests) | `course_utils.data.make_*` |
# | inputs | the features the network sees: $x_1, x_2, x_1^2, x_2^2, x_1x_2, \sin x_1, \sin x_2$ | `torch.stack([...], dim=1)` |
# | layers, units | hidden layers (0–6), units per layer (1–8) | `nn.Linear(a, b)` per layer |
# | activation | ReLU, tanh, sigmoid, GELU or none ("linear") | `nn.ReLU()` … `nn.Identity()` |
# | init | how the weights start | `nn.init.xavier_uniform_` … |
# | optimizer, learning rate | SGD, SGD + momentum, Adam, RMSprop | `torch.optim.Adam(params, lr=…)` |
# | batch size | points per update step | the mini-batch loop |
# | schedule | constant, StepLR, CosineAnnealingLR | `torch.optim.lr_scheduler` |
# | regularize, reg. rate, dropout p | L1/L2 penalty on the weights; dropout after each hidden layer | `loss + λ·Σ\|w\|` (L1), `loss + λ·½Σw²` (L2), `nn.Dropout(p)` |
#
# **Play** trains in the background a few epochs per frame, until **Pause** (or 1000 epochs); the notebook stays
# usable meanwhile (the training loop hands control back to the kernel between frames). **Step** trains one
# epoch, **Reset** goes back to epoch 0 with the same initial weights, **Regenerate data** draws new points,
# **Export code** shows the whole run as a PyTorch script. Moving any control starts again from epoch 0 with the
# new settings — training only happens on the buttons.
#
# The widget is a Python object, so code can press its buttons too:

# %%
for _ in range(5):
    widget.press("Step")
assert widget.playground.epoch == 5 and widget.last_error is None
widget.playground

# %% [markdown]
# ## 2. What runs behind it
#
# `widget.playground` is a `Playground` (from `course_utils.playground`): the data, the model, the optimizer and the
# history of one `Settings`. You can use it without any widget — every experiment below does. A `Settings` is a
# frozen dataclass; bad values raise a `ValueError` that names the setting:

# %%
settings = Settings(dataset="moons", hidden=(8, 8), activation="relu", optimizer="adam", lr=0.01)
try:
    Settings(activation="swish")
except ValueError as err:
    print(err)

# %% [markdown]
# ### 2.1 The model and its size
#
# The inputs are the chosen features $\varphi(x)$ of a point $x = (x_1, x_2)$. Each hidden layer computes
# $h_\ell = f(W_\ell h_{\ell-1} + b_\ell)$ with $h_0 = \varphi(x)$; the last layer gives one number, the logit $z$,
# and $p = \sigma(z)$ is the probability of class 1. A layer from $a$ to $b$ units has $a \cdot b$ weights and $b$
# biases, so a network of widths $n_0, n_1, \dots, n_L$ and one output ($n_{L+1} = 1$) has
# $\sum_{\ell=1}^{L+1} (n_{\ell-1} + 1)\, n_\ell$ parameters:

# %%
# NBVAL_CHECK_OUTPUT
pg = Playground(settings)
widths = [len(pg.settings.features), *pg.settings.hidden, 1]
by_formula = sum((a + 1) * b for a, b in zip(widths, widths[1:]))
assert by_formula == pg.n_parameters == sum(p.numel() for p in pg.model.parameters()) == 105
print(pg.model)
print(f"parameters: {by_formula}")

# %% [markdown]
# ### 2.2 The loss
#
# Two classes and one logit per point: the loss is the binary cross-entropy of $p = \sigma(z)$,
#
# $$\ell(z, y) = -\big[y \log \sigma(z) + (1-y)\log(1-\sigma(z))\big] = \max(z, 0) - z\,y + \log\!\big(1 + e^{-|z|}\big),$$
#
# the second form being the one that never overflows (chapter 05). `nn.BCEWithLogitsLoss` computes it from the
# logits. The epoch-0 entry of the history is exactly this loss of the untrained network on the training set:

# %%
with torch.no_grad():
    z, y = pg.model(pg.X_train), pg.y_train
by_hand = (z.clamp(min=0) - z * y + torch.log1p(torch.exp(-z.abs()))).mean()
assert torch.allclose(by_hand, binary_cross_entropy_with_logits(z, y))
assert torch.allclose(by_hand, F.binary_cross_entropy_with_logits(z, y))
assert abs(by_hand.item() - pg.history["train_loss"][0]) < 1e-6

# %% [markdown]
# For the regression plane the output is the prediction itself and the loss is `nn.MSELoss`.
#
# ### 2.3 Regularization: the penalty, and what it adds to the gradient
#
# L1 adds $\lambda \sum |w|$ to the loss, L2 adds $\tfrac{\lambda}{2}\sum w^2$ (over the weights, not the biases).
# The L2 term's gradient is $\lambda w$: exactly what `torch.optim.SGD(..., weight_decay=λ)` adds to each gradient.
# One SGD step each way, from the same weights:

# %%
lam, lr = 0.1, 0.5
layer = nn.Linear(3, 2)
x, target = torch.randn(8, 3), torch.randn(8, 2)

by_penalty = nn.Linear(3, 2)
by_penalty.load_state_dict(layer.state_dict())
loss = F.mse_loss(by_penalty(x), target) + lam / 2 * (by_penalty.weight**2).sum()
loss.backward()
with torch.no_grad():
    for p in by_penalty.parameters():
        p -= lr * p.grad

by_decay = nn.Linear(3, 2)
by_decay.load_state_dict(layer.state_dict())
opt = torch.optim.SGD([{"params": [by_decay.weight], "weight_decay": lam}, {"params": [by_decay.bias]}], lr=lr)
F.mse_loss(by_decay(x), target).backward()
opt.step()
assert torch.allclose(by_penalty.weight, by_decay.weight) and torch.allclose(by_penalty.bias, by_decay.bias)

# %% [markdown]
# The whole training loop of one epoch — shuffled mini-batches, the penalty, the five steps of chapter 00, one
# scheduler step — is short:

# %%
cu.show_source(Playground._train_epoch)

# %% [markdown]
# ## 3. Export to code
#
# **Export code** (or `export_code()`) writes the current run as a standalone script: the data generator inlined,
# the features, the model, its initialization, the loss, the optimizer, the schedule and the loop. It needs no
# `course_utils`: it imports `torch` (and `nn` from it), plus Python's own `math` for the data sets drawn with
# $\pi$ (every one but XOR and the regression plane), so it runs wherever PyTorch is installed. Here is the script
# for 20 epochs of the default settings (the circles):

# %%
pg = Playground().step(20)
code = pg.export_code()
imports = [line for line in code.splitlines() if line.startswith(("import ", "from "))]
assert imports == ["import math", "import torch", "from torch import nn"]
print(code)

# %% [markdown]
# It is not just similar: it does the same operations in the same order from the same seeds, so with the same
# PyTorch on the same machine it prints the same losses **to the last bit** (another PyTorch version or processor
# may round differently in the last digits). Run it here (the tests also run such scripts as separate programs,
# for several settings) and compare with `==`:

# %%
# NBVAL_CHECK_OUTPUT
threads, printed = torch.get_num_threads(), io.StringIO()
with contextlib.redirect_stdout(printed):
    exec(code, {"__name__": "__main__"})
torch.set_num_threads(threads)  # the script sets one thread; give the notebook its threads back
final = printed.getvalue().strip().splitlines()[-1].split()
same = float(final[3]) == pg.train_loss and float(final[6]) == pg.test_loss
assert same
print(f"the script's final losses equal the playground's, bit for bit: {same}")

# %% [markdown]
# ## 4. Guided experiments
#
# Each experiment loads a **preset** — named settings a teacher can open with `playground(preset=...)` — trains,
# and asserts what happened. Before running a cell, predict the result.

# %%
for name, preset in PRESETS.items():
    print(f"{name:28} {textwrap.shorten(preset['note'], 90, placeholder=' …')}")

# %% [markdown]
# ### 4.1 XOR needs a hidden layer — or the right feature
#
# With no hidden layer the model is $z = w_1x_1 + w_2x_2 + b$: its boundary $z = 0$ is a straight line, and no
# line puts the corners $(-1, 1), (1, -1)$ on one side and $(1, 1), (-1, -1)$ on the other (chapter 01). A hidden
# layer of 4 tanh units bends the boundary. So does the single feature $x_1x_2$: it is negative on the class-1
# corners and positive on the others (on every training point here: the noise never moves one across an axis),
# so a straight line **in the features** separates the classes.

# %%
# NBVAL_CHECK_OUTPUT
no_hidden = Playground(preset="xor-needs-hidden-layer").step(40)
hidden = Playground(preset="xor-needs-hidden-layer", hidden=(4,)).step(40)
product = Playground(preset="xor-needs-hidden-layer", features=("x1*x2",)).step(40)
assert torch.equal((product.X_train[:, 0] < 0).float(), product.y_train[:, 0])  # x1*x2 < 0 exactly on class 1
assert no_hidden.test_accuracy < 0.75 and min(hidden.test_accuracy, product.test_accuracy) > 0.95
print(f"no hidden layer fails (test accuracy < 0.75): {no_hidden.test_accuracy < 0.75}")
print(f"4 hidden units, or the feature x1*x2, succeed (> 0.95): "
      f"{min(hidden.test_accuracy, product.test_accuracy) > 0.95}")

# %% [markdown]
# ### 4.2 Features instead of layers: the circles
#
# Feed a model with **no hidden layer** the features $x_1^2$ and $x_2^2$: its boundary is
# $w_1 x_1^2 + w_2 x_2^2 + b = 0$, a straight line in the features but a curve in the plane. Which curve depends on the signs. With $w_1, w_2$
# of the same sign and $b$ of the other, it is an **ellipse** centred on the origin, with semi-axes $\sqrt{-b/w_1}$
# and $\sqrt{-b/w_2}$ (a circle when $w_1 = w_2$). With $w_1, w_2$ of opposite signs it is a **hyperbola** (two
# crossing lines when $b = 0$). With $w_1, w_2$ of one sign and $b$ of the same sign (or 0) there is no curve at all
# (at most the origin): every point falls in one class. Training picks the signs that fit the data: here an ellipse,
# nearly a circle, between the inner ring (radius 0.5) and the outer one (radius 1). Feed the same model $x_1, x_2$
# instead and it can only draw a line. The widget below shows the first after 30 epochs:

# %%
# NBVAL_CHECK_OUTPUT
circles = playground(preset="circles-with-features")
circles.playground.step(30)
circles.update()
(w1, w2), b = circles.playground.model[0].weight.detach()[0].tolist(), circles.playground.model[0].bias.item()
assert w1 * w2 > 0 and w1 * b < 0, "same-sign weights, a bias of the other sign: an ellipse"
semi_axes = (-b / w1) ** 0.5, (-b / w2) ** 0.5
assert all(0.5 < r < 1 for r in semi_axes)
line = Playground(preset="circles-with-features", features=("x1", "x2")).step(30)
assert circles.playground.test_accuracy > 0.95 and line.test_accuracy < 0.7
print(f"w1 = {w1:.2f}, w2 = {w2:.2f}, b = {b:.2f}: an ellipse with semi-axes {semi_axes[0]:.2f} and "
      f"{semi_axes[1]:.2f}")
circles

# %% [markdown]
# ### 4.3 No activation, no depth
#
# Set the activation to "linear" (none) and the three hidden layers and the output layer compute
# $W_4(W_3(W_2(W_1x + b_1) + b_2) + b_3) + b_4 = Wx + b$ with $W = W_4W_3W_2W_1$ (and $b$ the biases carried
# through the same products): one linear layer, a straight boundary, however deep. Multiply the weights out by hand
# and compare with the network:

# %%
linear = Playground(preset="linear-activation-collapses").step(40)
W, b = torch.eye(2), torch.zeros(2)
for layer in linear.model:
    if isinstance(layer, nn.Linear):
        W, b = layer.weight.detach() @ W, layer.weight.detach() @ b + layer.bias.detach()
points = torch.randn(100, 2)
with torch.no_grad():
    assert torch.allclose(linear.model(points), points @ W.T + b, atol=1e-5)
tanh = Playground(preset="linear-activation-collapses", activation="tanh").step(40)
assert linear.test_accuracy < 0.7 and tanh.test_accuracy > 0.95

# %% [markdown]
# ### 4.4 Depth on the spiral
#
# The same 16 hidden units, arranged two ways: one layer of 16, or two layers of 8. Each unit of a first layer is
# $\tanh(w \cdot x + b)$: constant along straight lines, a single fold across the plane. One hidden layer can only
# add its folds up; a second layer applies tanh again to sums of folds, so its units are already curved pieces, and
# the output combines those. On this spiral, trained 100 epochs, that wins by far:

# %%
# NBVAL_CHECK_OUTPUT
wide = Playground(preset="spiral-needs-depth", hidden=(16,)).step(100)
deep = Playground(preset="spiral-needs-depth").step(100)  # (8, 8)
assert wide.n_hidden_units == deep.n_hidden_units == 16
assert deep.test_accuracy - wide.test_accuracy > 0.2
print(f"two layers of 8 beat one layer of 16 by more than 0.2 test accuracy: "
      f"{deep.test_accuracy - wide.test_accuracy > 0.2}")

# %% [markdown]
# One run is one draw of the initial weights; the tests of this course check that the same holds for other seeds
# too. Before you conclude "A beats B", compare a few seeds (`Playground(..., seed=1)`).
#
# ### 4.5 A learning rate too high
#
# Adam's step is about `lr` in every weight, whatever the gradient's size (chapter 06). With `lr = 3` on these
# circles each step overshoots: after 30 epochs the training loss is higher than before training, so the network
# did not learn (`pg.learned` is False), while `lr = 0.03` learns. How much higher differs from one computer to
# another: with steps this large, the last digit of a sum (which the processor's vector instructions round in
# their own order) grows into a different path, so this cell checks only what every computer shows. The loss stays
# finite all along: in this course a run has **diverged** only when its loss becomes NaN or infinite
# (`pg.diverged`, like `fit`'s `History.diverged`), which is not the case here. Where between the two rates does
# learning break down? That is Exercise 3.

# %%
# NBVAL_CHECK_OUTPUT
too_high = Playground(preset="adam-too-high-lr").step(30)
fine = Playground(preset="adam-too-high-lr", lr=0.03).step(30)
start = too_high.history["train_loss"][0]
assert not too_high.learned and too_high.train_loss > start  # worse than before training
assert not too_high.diverged and all(map(math.isfinite, too_high.history["train_loss"]))  # finite all along
assert fine.learned and fine.test_accuracy > 0.9
print(f"lr = 3: training loss {start:.2f} before training, higher after 30 epochs: {too_high.train_loss > start}")
print(f"lr = 0.03 learns: {fine.learned}")

# %% [markdown]
# ### 4.6 Overfitting, and L2 against it
#
# 30 noisy training points, three layers of 8 ReLUs: the network can memorize the training set. The training loss
# keeps falling; the test loss bottoms out early, then climbs. An L2 penalty of 0.03 keeps the weights small and the
# test loss down.

# %%
free = Playground(preset="overfitting-small-data").step(200)
l2 = Playground(preset="overfitting-small-data", regularization="l2", reg_rate=0.03).step(200)
best_epoch = min(range(201), key=free.history["test_loss"].__getitem__)
assert free.train_loss < free.history["train_loss"][best_epoch]  # the training loss kept falling after it
assert sum(w.abs().sum() for w in l2.weights) < sum(w.abs().sum() for w in free.weights) / 2  # smaller weights
assert free.train_loss < l2.train_loss  # L2 fits the training points less tightly ...
assert l2.test_loss < free.test_loss / 2  # ... and generalizes much better
assert best_epoch < 50 and free.test_loss > 2 * min(free.history["test_loss"])
print(f"without L2 the test loss was lowest at epoch {best_epoch}")

# %%
overfit = playground(settings=free.settings)
overfit.playground.step(200)
overfit.update()
overfit

# %% [markdown]
# ### 4.7 Zero initialization: units that never differ
#
# Start every weight at 0 and every unit of a layer computes the same function, gets the same gradient and the
# same update (chapter 04): four units work as one. The hidden units stay identical, column for column:

# %%
zero = Playground(preset="zero-init-symmetry").step(20)
for h in zero.layer_outputs(torch.randn(50, 2))[1:-1]:
    assert torch.equal(h, h[:, :1].expand_as(h)), "every unit of the layer is the same"
xavier = Playground(preset="zero-init-symmetry", init="xavier_uniform").step(20)
assert zero.test_accuracy < 0.75 < 0.95 < xavier.test_accuracy

# %% [markdown]
# ### 4.8 Seeded, and shareable
#
# The same settings give the same curves, bit for bit — however you split the training, and whatever else
# touches the random generator in between (the playground keeps its own random stream). A playground saves as a
# small JSON file of its settings and epoch; loading it trains again to the same state. This is how a teacher
# shares a lesson: `playground(settings="lesson.json")` opens the widget there.

# %%
a = Playground(preset="spiral-needs-depth").step(3)
torch.rand(10)  # other randomness in between changes nothing
b = Playground(preset="spiral-needs-depth").step(1).step(2)
assert a.history == b.history

with tempfile.TemporaryDirectory() as folder:
    path = Path(folder) / "lesson.json"
    a.save(path)
    print(path.read_text())
    again = Playground.load(path)
assert again.epoch == 3 and again.history == a.history
assert json.loads(json.dumps(a.to_dict())) == a.to_dict()

# %% [markdown]
# ## Pitfalls
#
# - **Layers without an activation** (a tutorial's `fc1` → `fc2` with nothing between them): two `nn.Linear` in a
#   row are one `nn.Linear` (section 4.3). Put `nn.ReLU()` (or another non-linearity) between them.
# - **"All outputs are the same value, so it is vanishing gradients: add BatchNorm."** That is one cause among
#   several. The playground shows two others: an initialization that makes the units identical (4.7) and a
#   learning rate too high (4.5); dead ReLUs and wrong labels are more. Look first (the unit heatmaps, the loss
#   curve, the learning rate), then fix.
# - **Judging by the training loss:** it kept falling in 4.6 while the network got worse on new points. Always
#   watch a held-out loss.
# - **One seed is an anecdote:** small networks on small data vary from one initialization to the next; compare
#   settings over a few seeds.
# - **Features computed differently at test time:** whatever you feed the model in training (here $x_1^2$,
#   $x_1x_2$ …), compute the same way for every new point — the exported script uses one `expand` for both.
# - **Training the same playground from a cell while Play runs** interleaves the two; press Pause first.

# %% [markdown]
# ## Exercises
#
# Each checker reads a playground's state: pass it a trained `Playground`, the widget itself (it reads
# `widget.playground`), or a function that returns one. Solve them with the widget's controls or in code.
#
# ### Exercise 1 — XOR without a hidden layer
# Starting from the preset `"xor-needs-hidden-layer"`, keep the data and **no hidden layer**, and reach a test
# accuracy of at least 0.95. Return the trained playground.

# %%
def xor_without_hidden_layer() -> Playground:
    raise NotImplementedError  # e.g. return Playground(preset="xor-needs-hidden-layer", ...).step(...)


checks.check("xor_without_hidden_layer", xor_without_hidden_layer)

# %% [markdown]
# ### Exercise 2 — the spiral with the fewest units
# Starting from the preset `"spiral-needs-depth"` (16 hidden units), keep the data and reach a test accuracy of at
# least 0.9 with **at most 4 hidden units** in total, within 500 epochs. Anything else may change: layers, inputs,
# activation, optimizer … (With the widget: `w = playground(preset="spiral-needs-depth")`, play, then
# `checks.check("spiral_fewest_units", w)`.)

# %%
def spiral_with_few_units() -> Playground:
    raise NotImplementedError


checks.check("spiral_fewest_units", spiral_with_few_units)

# %% [markdown]
# ### Exercise 3 — where Adam breaks
# On the preset `"adam-too-high-lr"`, change only the learning rate. Find the **smallest** learning rate of the
# slider (`LR_CHOICES`) at which Adam no longer learns: after 50 epochs the training loss is no lower than before
# training (`pg.learned` is False). Answer with the number, or with the playground trained at it.

# %%
print(f"the slider's learning rates: {LR_CHOICES}")
adam_breaks_at = None  # a number from LR_CHOICES

checks.check("adam_breaking_lr", adam_breaks_at)

# %% [markdown]
# Stuck? `checks.hint("spiral_fewest_units")` gives the idea; ask again for a more precise hint. After you have checked an
# answer of your own, `checks.solution("spiral_fewest_units")` shows a solution.
# (The features of the playground are worth a look: `FEATURES` lists them all.)

# %%
print(FEATURES)

# %% [markdown]
# ## Summary
#
# - A network is a stack of choices: input features, widths and depth, activation, initialization, loss,
#   optimizer and learning rate, batch size, regularization, schedule. The playground puts each on a control and
#   each control is one line of PyTorch (**Export code** writes them all out).
# - Non-linear boundaries need a non-linearity: a hidden layer *with* an activation, or non-linear input features.
#   Linear layers stacked without one collapse into one.
# - With the same number of units, depth can combine simple pieces into shapes a single layer cannot draw.
# - Too high a learning rate makes the loss rise instead of fall; equal initial weights keep units identical;
#   watch the test loss for overfitting, and regularize (L2, dropout) against it.
# - Experiments are code: seed them, assert the result, save the settings to share them.
#
# ## Key terms
#
# | English | 中文 |
# |---|---|
# | playground | 演练场 |
# | input feature / feature engineering | 输入特征 / 特征工程 |
# | decision boundary | 决策边界 |
# | hidden unit | 隐藏单元 |
# | depth / width | 深度 / 宽度 |
# | linearly separable | 线性可分 |
# | overfitting | 过拟合 |
# | L1 / L2 regularization | L1 / L2 正则化 |
# | dropout | 暂退法（丢弃法） |
# | epoch | 轮次（迭代周期） |
# | learning-rate schedule | 学习率调度 |
# | divergence (the loss becomes NaN or infinite) | 发散（损失变为 NaN 或无穷大） |
# | reproducibility (random seed) | 可复现性（随机种子） |
# | preset | 预设 |
#
# **Back to the start:** [00 · Set-up](00_setup.ipynb) — and the [course README](../README.md) for the course map,
# the two commands and troubleshooting.

# %% [markdown]
# ## Your progress
#
# Your checks, hints and solutions of this chapter, from the record on this machine (run the cell again after
# working on the exercises; `cu.progress.show()` shows every chapter):

# %%
cu.progress.show("09")
