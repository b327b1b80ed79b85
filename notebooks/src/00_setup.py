# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# # 00 · Set-up: your environment, the course, and a first network
#
# **You will be able to**
# - check that your machine runs the course (versions, device, widgets) and fix it when it does not;
# - name the parts every neural network shares — input, hidden layers, activations, output, loss, optimizer — and
#   say what each one does;
# - work with tensors: shape and dtype, indexing, `@`, broadcasting, reductions along a dimension, devices;
# - train a first small network in about ten lines, on the device your machine has, and read its loss curve and
#   decision boundary;
# - use the course's exercises: check your answer, get hints one level at a time, see a solution after trying.
#
# **Prerequisites:** Python (functions, lists, classes). No PyTorch yet: section 4 teaches the tensors every
# chapter uses.
#
# **Run time:** about 5 seconds on a 2-core laptop CPU.
#
# ## How to use this course
#
# - Run the chapters **in order** (`00` → `09`); each builds on the one before. Run a chapter top to bottom with
#   *Run → Run All Cells*.
# - **Widgets:** sliders and buttons under a plot change it. Moving a slider redraws at once; anything that trains
#   waits for a button.
# - **Exercises:** a cell defines a function whose body is `raise NotImplementedError` (or sets an answer to
#   `None`). Replace that line with your code and run the cell: `checks.check(...)` prints ✅, "not attempted
#   yet", or ❌ with what is wrong. Stuck? `checks.hint("name")` gives a hint: first the idea, and each time you
#   ask again a more precise one. Once you have checked an answer of your own, `checks.solution("name")` shows a
#   solution.
# - **Your progress** is kept on this machine: every check, hint and solution. The last cell of each chapter shows
#   your progress in that chapter, `cu.progress.show()` in the whole course, after a restart too.
# - Every number the text claims is checked by an `assert` in a code cell next to it: if the text were wrong, the
#   chapter would not run.
#
# The first cell of every chapter imports what the chapter needs, fixes the random seed (so you see the same
# numbers as this page), picks the device, and asks for plots inside the notebook.

# %%
# %matplotlib inline
import torch
from torch import nn

import course_utils as cu
from course_utils import checks
from course_utils.data import make_moons
from course_utils.plot import plot_broadcast, plot_decision_boundary, plot_skeleton
from course_utils.train import evaluate, fit
from course_utils.widgets import neuron_explorer

cu.set_language("en")  # the language of the messages of checkers and widgets: "en" or "zh"
cu.env.check_environment()  # one line: OK, or what to fix and how
cu.set_seed(0)
device = cu.get_device()
print(f"device: {device}")

# %% [markdown]
# ## 1. Is this machine ready?
#
# The report lists what the course uses and ends with a verdict. "device" is where tensors are computed:
# `cuda` (an NVIDIA GPU), `mps` (an Apple-silicon GPU) or `cpu`. Every chapter runs on a CPU, in under a minute
# (chapter 08 takes a few minutes if it downloads the real MNIST); a GPU is welcome but never needed.
# `cu.get_device()` picks the best one available. The first cell of every chapter runs a quick version of this
# check, `cu.env.check_environment()`: one line, `environment OK: …`, or for each problem what is wrong and the
# command that fixes it.

# %%
# NBVAL_IGNORE_OUTPUT
report = cu.env.environment_report()
assert report["problems"] == [], report["problems"]

# %% [markdown]
# ### Setting up an environment yourself
#
# `python3 course.py lab` builds the course's environment for you (see the README). For your own projects, or to
# do it by hand, make one isolated environment per project. With conda:
#
# ```bash
# conda create -n nn-course python=3.11   # the course needs Python 3.10 or newer
# conda activate nn-course
# pip install torch torchvision           # better: the exact line pytorch.org gives for your system and GPU
# pip install -e .                        # in the course folder: the course's helpers and its requirements
# ```
#
# Inside a conda environment, install PyTorch with `pip`: PyTorch no longer publishes conda packages on its own
# `pytorch` channel (conda-forge's `pytorch` package is the conda alternative, and the course's `environment.yml`
# uses it: `conda env create -f environment.yml`). Without conda, `python3 -m venv .venv` does the same job.
#
# ### Is the GPU visible?
#
# PyTorch answers in a few lines. `torch.version.cuda` is the CUDA version the installed build was made for
# (`None` for a CPU-only build); `torch.cuda.is_available()` is `True` only when that build also finds an NVIDIA
# GPU and a driver new enough for it.

# %%
print(f"PyTorch {torch.__version__} | built for CUDA: {torch.version.cuda}")
print(f"NVIDIA GPU visible: {torch.cuda.is_available()}")
if torch.cuda.is_available():
    print(f"  GPU 0: {torch.cuda.get_device_name(0)}")
print(f"Apple-silicon GPU (MPS) visible: {torch.backends.mps.is_available()}")
assert (device.type == "cuda") == torch.cuda.is_available()  # get_device() takes a CUDA GPU whenever there is one

# %% [markdown]
# If a machine with an NVIDIA GPU prints `False`: `nvidia-smi` in a terminal must list the GPU (if not, install
# or update the NVIDIA driver), and `torch.version.cuda` must not be `None` (if it is, you installed the CPU-only
# build: take the CUDA line from pytorch.org). PyTorch's CUDA builds bring their own CUDA libraries, so no
# separate CUDA toolkit is needed; the driver only has to be new enough (`nvidia-smi` shows the newest CUDA
# version it supports).
#
# TensorFlow is not needed in this course. If you install it for other work, its GPU check is one line:
#
# ```bash
# pip install "tensorflow[and-cuda]"   # Linux (or WSL2 on Windows) with an NVIDIA GPU: installs the CUDA libraries too
# pip install tensorflow               # without an NVIDIA GPU; also macOS (no official TensorFlow GPU support)
# python -c "import tensorflow as tf; print(tf.config.list_physical_devices('GPU'))"
# ```
#
# A list such as `[PhysicalDevice(name='/physical_device:GPU:0', device_type='GPU')]` means TensorFlow sees the GPU;
# `[]` means it does not. On native Windows, TensorFlow's GPU support ended with version 2.10: use WSL2.

# %% [markdown]
# ## 2. Do widgets render?
#
# Move the sliders. The curve is one artificial neuron, $y = \sigma(w x + b)$ — the subject of the next chapter:
# $w$ sets how steep the step is (and its direction when negative), $b$ shifts it; the step's middle sits at
# $x = -b/w$.
#
# **If you see text like `LivePlot(...)` or "Error displaying widget" instead of sliders:** the Python package
# `ipywidgets` and JupyterLab's front-end `jupyterlab_widgets` do not match (ipywidgets 8 needs jupyterlab_widgets
# 3). Close JupyterLab, run `python3 course.py setup` (or `pip install -U ipywidgets jupyterlab_widgets` in your own
# environment), start JupyterLab again and reload the page. The report of section 1 checks this pair for you.

# %%
explorer = neuron_explorer()
explorer

# %% [markdown]
# The widget is an ordinary Python object, so code can move its sliders too — this is how the course's tests
# check that every slider redraws its picture:

# %%
before = explorer.image.value
explorer.controls["w"].value = -2.0
assert explorer.image.value != before and explorer.last_error is None
explorer.controls["w"].value = 1.0  # back to where it was

# %% [markdown]
# ## 3. The skeleton every network shares
#
# However large, a network trained with PyTorch has the same parts:
#
# | part | what it does | PyTorch |
# |---|---|---|
# | input layer | receives the data; its size is the number of features (784 for a 28×28 image) | the tensor `x` |
# | hidden layers | transform the data into features that make the task easier | `nn.Linear`, `nn.Conv2d` … |
# | activation | adds non-linearity; without it, stacked layers collapse into one linear map | `nn.ReLU()` … |
# | output layer | one number per class (or one for regression) | `nn.Linear(hidden, classes)` |
# | loss | one number that says how wrong the predictions are | `nn.CrossEntropyLoss()`, `nn.MSELoss()` |
# | optimizer | changes the weights to make the loss smaller, using its gradient | `torch.optim.SGD`, `torch.optim.Adam` |
#
# Data flows forward through the layers to the loss; the gradient of the loss flows backward to every weight
# (`loss.backward()`), and the optimizer updates the weights (`optimizer.step()`). Then the loop starts again.
# The picture shows the simplest update, plain gradient descent (SGD) with learning rate $\eta$; Adam, used below,
# follows the same gradient with a step size adapted to each weight (chapter 06).
#
# **Parameters and hyperparameters.** The weights and biases are the model's **parameters**: the optimizer learns
# them from the data (`model.parameters()` is what you hand to it). Everything you choose *before* training is a
# **hyperparameter**: the learning rate, the batch size, the number of epochs, the width (neurons per hidden
# layer) and depth (number of layers), the activation, the loss, the optimizer itself. Training never changes a
# hyperparameter; you choose them by trying values and comparing the results on validation data.

# %%
plot_skeleton()

# %% [markdown]
# ## 4. Tensors: shapes, dimensions, devices
#
# Everything a network computes with is a **tensor**: an array of numbers with a **shape** (how many entries along
# each dimension), one **dtype** (the kind of number: `torch.float32` for weights and data, `torch.int64` for class
# labels) and a **device** (where it lives: the CPU or a GPU). A batch of 5 points with 3 features each is a tensor
# of shape `(5, 3)`: dimension 0 counts the points (rows), dimension 1 the features (columns).

# %%
x = torch.tensor([[1.0, 2.0, 3.0],
                  [4.0, 5.0, 6.0]])
labels = torch.tensor([2, 0])
print(x.shape, x.dtype, labels.dtype, x.device)
assert x.shape == (2, 3) and x.ndim == 2 and x.dtype == torch.float32 and labels.dtype == torch.int64
assert torch.zeros(4, 3).shape == (4, 3) and torch.randn(2, 5).shape == (2, 5)

# %% [markdown]
# **Indexing and slicing** work as in Python lists, one index per dimension: `x[0]` is the first row, `x[:, 1]`
# the second column (`:` means "all of this dimension"), `x[1, 2]` one entry. A condition gives a mask of
# `True`/`False` that picks entries: `x[x > 2]`.

# %%
assert x[0].tolist() == [1.0, 2.0, 3.0] and x[:, 1].tolist() == [2.0, 5.0] and x[1, 2].item() == 6.0
assert x[:, :2].shape == (2, 2) and x[x > 2].tolist() == [3.0, 4.0, 5.0, 6.0]

# %% [markdown]
# **`@` is the matrix product.** An `(n, d)` tensor times a `(d,)` vector gives `(n,)`: one weighted sum per row,
# $\mathbf{x}_i \cdot \mathbf{w}$. Times a `(d, k)` matrix it gives `(n, k)`. The inner sizes must agree; a layer
# `nn.Linear(d, k)` is exactly `x @ W.T + b`.

# %%
w = torch.tensor([0.5, -1.0, 2.0])
assert (x @ w).tolist() == [1 * 0.5 - 2 + 6, 4 * 0.5 - 5 + 12]  # one dot product per row: (2, 3) @ (3,) -> (2,)
assert (x @ torch.ones(3, 4)).shape == (2, 4)

# %% [markdown]
# **Broadcasting.** Two tensors of different shapes combine entry by entry when, comparing their shapes from the
# right, each pair of sizes is equal or one of them is 1 (a missing dimension counts as 1). A size-1 dimension is
# then used again along the other's size, without copying memory. `x - x.mean(dim=0)` subtracts a `(3,)` row of
# column means from every row of a `(2, 3)` tensor; a column `(3, 1)` plus a row `(4,)` gives a `(3, 4)` table.
# `t[:, None]` (or `t.unsqueeze(1)`) adds a size-1 dimension to turn a `(3,)` vector into a `(3, 1)` column:

# %%
col, row = torch.tensor([0.0, 10.0, 20.0])[:, None], torch.tensor([1.0, 2.0, 3.0, 4.0])
table = col + row
assert col.shape == (3, 1) and table.shape == (3, 4)
assert torch.equal(table, col.expand(3, 4) + row.expand(3, 4))  # the same as copying both out to (3, 4) first
plot_broadcast(col, row)

# %% [markdown]
# **Reductions along a dimension.** `x.sum(dim=0)` adds *down* dimension 0 — over the rows — and leaves one number
# per column; `x.sum(dim=1)` adds across each row. The dimension you name is the one that disappears, unless you
# ask to keep it with size 1 (`keepdim=True`), which is what you want when you divide by the result. `mean`,
# `max` and `argmax` (the *index* of the largest entry) take `dim` the same way. `.item()` turns a tensor with one
# entry into a Python number, and `.float()` turns `True`/`False` into 1.0/0.0, so the mean of a comparison is
# the fraction of entries where it holds.

# %%
assert x.sum(dim=0).tolist() == [5.0, 7.0, 9.0] and x.sum(dim=1).tolist() == [6.0, 15.0]
assert x.sum(dim=1, keepdim=True).shape == (2, 1)
assert x.argmax(dim=1).tolist() == [2, 2] and x.max(dim=0).values.tolist() == [4.0, 5.0, 6.0]
assert abs((x > 2).float().mean().item() - 4 / 6) < 1e-6  # four of the six entries exceed 2

# %% [markdown]
# **Devices.** A tensor lives on one device, and an operation needs all its tensors on the same one: `t.to(device)`
# returns a copy on `device` (the one picked in the first cell), and `model.to(device)` moves a model's parameters.
# Forgetting it gives the error "Expected all tensors to be on the same device". On a machine without a GPU,
# `device` is the CPU and `.to(device)` changes nothing (a tensor already there is returned as it is), so the
# same code runs everywhere.

# %%
on_device = x.to(device)
assert on_device.device.type == device.type and torch.equal(on_device.cpu(), x)

# %% [markdown]
# That is all the chapters assume. `torch.stack` (join equal-shaped tensors along a new dimension) and `reshape`
# appear where they are needed, with a sentence each; the exercises below check your hand at `dim` and
# broadcasting.

# %% [markdown]
# ## 5. A first network
#
# Two interleaving half-moons: no straight line separates them, so a network needs a hidden layer. In PyTorch a
# network is a class derived from `nn.Module`: `__init__` creates the layers, `forward` says how data flows
# through them. `nn.Linear(in_features, out_features)` computes $y = xW^\top + \mathbf{b}$ with a weight $W$ of
# shape `(out_features, in_features)` and a bias $\mathbf{b}$ of shape `(out_features,)`; PyTorch gives both
# random initial values.

# %%
class TwoLayerNet(nn.Module):
    def __init__(self, input_size: int, hidden_size: int, output_size: int):
        super().__init__()  # sets up the parameter bookkeeping; forgetting it is an error at the first layer
        self.layer1 = nn.Linear(input_size, hidden_size)
        self.relu = nn.ReLU()
        self.layer2 = nn.Linear(hidden_size, output_size)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layer2(self.relu(self.layer1(x)))  # (batch, 2) -> (batch, hidden) -> (batch, 2) logits


model = TwoLayerNet(input_size=2, hidden_size=16, output_size=2).to(device)  # its parameters on the device
model

# %% [markdown]
# Each `nn.Linear(in_features, out_features)` holds `in_features · out_features` weights and `out_features`
# biases, so this network has $2\cdot16 + 16 + 16\cdot2 + 2 = 82$ parameters. The 16 is a hyperparameter (you
# chose the width); the 82 numbers it leads to are parameters (the optimizer will learn them):

# %%
# NBVAL_CHECK_OUTPUT
n_params = sum(p.numel() for p in model.parameters())
assert n_params == 2 * 16 + 16 + 16 * 2 + 2 == 82
assert all(p.requires_grad for p in model.parameters())  # every parameter gets a gradient, so it can be learned
print(f"hidden_size (a hyperparameter): {model.layer1.out_features} | parameters: {n_params}")
initial = [p.detach().clone() for p in model.parameters()]  # to compare after training

# %% [markdown]
# ### The training loop, written out
#
# One training step is always the same five lines: **forward** (predict), **loss** (measure), **zero_grad**
# (clear the old gradients — PyTorch *adds* new gradients to `.grad`), **backward** (compute the gradient of the
# loss for every weight), **step** (update the weights). `zero_grad` may also come first, or last (after `step`),
# but never between `backward` and `step`: there it would wipe the gradients the step needs. A pass over the
# whole training set, here in mini-batches of 32, is one **epoch**.

# %%
X, y = make_moons(n=400, noise=0.15, seed=0)
train_set = torch.utils.data.TensorDataset(X[:300], y[:300])
val_set = torch.utils.data.TensorDataset(X[300:], y[300:])
train_loader = torch.utils.data.DataLoader(train_set, batch_size=32, shuffle=True)
val_loader = torch.utils.data.DataLoader(val_set, batch_size=100)

loss_fn = nn.CrossEntropyLoss()  # takes raw scores (logits) and integer class labels
optimizer = torch.optim.Adam(model.parameters(), lr=0.01)

for epoch in range(5):
    for inputs, targets in train_loader:
        inputs, targets = inputs.to(device), targets.to(device)  # the batch where the model is
        outputs = model(inputs)            # forward
        loss = loss_fn(outputs, targets)   # loss
        optimizer.zero_grad()              # clear old gradients
        loss.backward()                    # backward
        optimizer.step()                   # update
    print(f"epoch {epoch + 1}: loss on the last batch {loss.item():.3f}")

# %% [markdown]
# The loop changed every parameter and no hyperparameter: the learning rate is still the 0.01 you chose.

# %%
assert all(not torch.equal(before, after) for before, after in zip(initial, model.parameters()))
assert all(p.device.type == device.type for p in model.parameters())  # trained where the first cell said
assert optimizer.param_groups[0]["lr"] == 0.01

# %% [markdown]
# ### The same loop with `fit`
#
# Every chapter trains with `course_utils.train.fit`: the loop above plus what you would otherwise rewrite each
# time — a validation pass after each epoch (in `model.eval()` mode, without gradients), the average loss and
# accuracy per epoch, a progress bar, and a `History` that plots itself. Read it with `cu.show_source(fit)`.
# We continue training the same model for 40 more epochs:

# %%
history = fit(model, train_loader, loss_fn, optimizer, epochs=40, val_loader=val_loader)
history.plot()

# %%
# NBVAL_CHECK_OUTPUT
result = evaluate(model, val_loader, loss_fn)
assert result["accuracy"] >= 0.95, result
print(f"validation accuracy ≥ 95%: {result['accuracy'] >= 0.95}")

# %% [markdown]
# The network bends its decision boundary around the moons — something a single straight line (one neuron,
# chapter 01) cannot do:

# %%
plot_decision_boundary(model, X, y, title="A 2-16-2 network on the moons")

# %% [markdown]
# ## 6. PyTorch and TensorFlow, stated correctly
#
# You will meet both. Some tutorials still repeat a picture of 2018; here is the current one.
#
# | | PyTorch | TensorFlow 2 |
# |---|---|---|
# | execution | eager by default (each line runs when called); `torch.compile` traces and optimizes | eager by default too; `tf.function` traces a graph |
# | deployment | `torch.export`, ExecuTorch (mobile/edge), ONNX export, TorchScript (older) | SavedModel, TensorFlow Lite (LiteRT), TF Serving, ONNX via tf2onnx |
# | high-level API | `nn.Module` + your own loop (or Lightning) | Keras (`model.fit`) |
# | where you see it | most research code and many products | many production systems, mobile |
#
# **Pitfall (from a common tutorial):** "TensorFlow uses a static graph, PyTorch a dynamic one." That was true of
# TensorFlow 1. TensorFlow 2 runs eagerly by default and builds graphs only inside `tf.function`. Likewise "PyTorch
# needs ONNX to deploy" is wrong: `torch.export` and ExecuTorch deploy without it. Pick the framework your team and
# your deployment target use; the ideas of this course carry over unchanged.

# %% [markdown]
# ## Pitfalls
#
# - **Installing from old instructions.** `pip install tensorflow-gpu` fails today: that package was retired in
#   2022 and now only stops with an error; GPU TensorFlow on Linux is `pip install "tensorflow[and-cuda]"`. A
#   fixed PyTorch index such as `.../whl/cu117` installs an old build: take the current line from pytorch.org
#   (CPU-only builds are much smaller). `python=3.9` in an old `conda create` line is too old for this course
#   (3.10 or newer). The course pins nothing: `python3 course.py setup` installs current versions.
# - **One fixed batch of a large data set is not training on it.** Full-batch gradient descent — every step on the
#   whole training set, as chapters 01, 02 and 04 do on up to a few hundred points — is training. But a loop like
#   `for epoch in range(100): outputs = model(inputs) ...` over one fixed batch taken from a large data set only
#   fits that batch: the model never sees the rest. It is a good sanity check (a working model drives the loss on
#   one batch close to zero); to train, iterate over the whole training set, e.g. a `DataLoader` of mini-batches.
# - **Forgetting `optimizer.zero_grad()`:** gradients add up across steps (chapter 03 shows it), and the updates grow
#   wrong.
# - **Forgetting `model.eval()` when measuring:** dropout and batch-norm behave differently in training mode
#   (chapter 07). `evaluate` switches modes for you and turns off gradient tracking.
# - **Leaving out the validation loop:** a tutorial that says "test function omitted" leaves you unable to see
#   overfitting. `fit(..., val_loader=...)` measures validation loss every epoch.
# - **Widgets show as text:** see section 2 — mismatched `ipywidgets` / `jupyterlab_widgets`.

# %% [markdown]
# ## Exercises
#
# ### Exercise 1 — count the parameters
# Write `count_parameters(model)` that returns the number of *trainable* scalars in a model (parameters with
# `requires_grad=True`), as an `int`.

# %%
def count_parameters(model: nn.Module) -> int:
    raise NotImplementedError  # replace this line with your code


checks.check("count_parameters", count_parameters)

# %% [markdown]
# ### Exercise 2 — the order of a training step
# Put the five steps `"forward"`, `"loss"`, `"zero_grad"`, `"backward"`, `"step"` in a list, in an order that
# trains correctly (more than one order is right).

# %%
answer = None  # e.g. ["loss", "forward", ...]

checks.check("training_step_order", answer)

# %% [markdown]
# ### Exercise 3 — accuracy
# Write `accuracy(logits, labels)`: `logits` has shape `(n, classes)`, `labels` shape `(n,)`; return the fraction
# of rows whose largest logit is at the label's index, as a Python `float`.

# %%
def accuracy(logits: torch.Tensor, labels: torch.Tensor) -> float:
    raise NotImplementedError  # replace this line with your code


checks.check("accuracy", accuracy)

# %% [markdown]
# ### Exercise 4 — every row sums to 1
# Write `row_normalize(x)`: `x` has shape `(n, d)` with positive entries; return `x` with each row divided by that
# row's sum, so that every row of the result sums to 1 (the shape stays `(n, d)`). Watch the shapes when you
# divide (section 4).

# %%
def row_normalize(x: torch.Tensor) -> torch.Tensor:
    raise NotImplementedError  # replace this line with your code


checks.check("row_normalize", row_normalize)

# %% [markdown]
# ### Exercise 5 — center the columns
# Write `center_columns(x)`: subtract from each column of `x` (shape `(n, d)`) that column's mean, so that every
# column of the result has mean 0.

# %%
def center_columns(x: torch.Tensor) -> torch.Tensor:
    raise NotImplementedError  # replace this line with your code


checks.check("center_columns", center_columns)

# %% [markdown]
# Stuck on one of them? `checks.hint("row_normalize")` gives the idea; ask again for a pointer, and once more
# for a nearly complete step. After you have checked an answer of your own, `checks.solution("row_normalize")`
# shows a solution.

# %% [markdown]
# ## Summary
#
# - `python3 course.py lab` opens the course; `python3 course.py test` checks all of it.
# - Every network is input → (hidden layer → activation) × k → output → loss, trained by an optimizer that follows
#   the gradient of the loss, which `loss.backward()` computes.
# - Parameters (weights and biases) are learned by the optimizer; hyperparameters (learning rate, batch size,
#   epochs, width, depth …) are chosen by you.
# - A training step is forward, loss, zero_grad, backward, step (`zero_grad` anywhere except between backward and
#   step); an epoch is one pass over the training data; validation uses `model.eval()` and `torch.no_grad()`.
# - A tensor has a shape, a dtype and a device; `dim=k` in a reduction names the dimension that disappears
#   (`keepdim=True` keeps it with size 1, ready to broadcast back), and model and data must share a device.
# - PyTorch and TensorFlow 2 both run eagerly by default and both deploy to servers and phones.
#
# ## Key terms
#
# | English | 中文 |
# |---|---|
# | neural network | 神经网络 |
# | tensor | 张量 |
# | broadcasting | 广播 |
# | device | 设备 |
# | input / hidden / output layer | 输入层 / 隐藏层 / 输出层 |
# | activation function | 激活函数 |
# | loss function | 损失函数 |
# | optimizer | 优化器 |
# | forward pass / backward pass | 前向传播 / 反向传播 |
# | gradient | 梯度 |
# | parameter / hyperparameter | 参数 / 超参数 |
# | epoch | 轮次（迭代周期） |
# | mini-batch | 小批量 |
# | learning rate | 学习率 |
# | eager execution | 即时执行 |
# | dynamic graph / static graph | 动态图 / 静态图 |
#
# **Next:** [01 · The perceptron](01_perceptron.ipynb)

# %% [markdown]
# ## Your progress
#
# Your checks, hints and solutions of this chapter, from the record on this machine (run the cell again after
# working on the exercises; `cu.progress.show()` shows every chapter):

# %%
cu.progress.show("00")
