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
# - train a first small network in about ten lines, and read its loss curve and decision boundary;
# - use the course's exercises: check your answer, get a hint, reveal a solution.
#
# **Prerequisites:** Python (functions, lists, classes). No PyTorch yet.
#
# **Run time:** about 15 seconds on a 2-core laptop CPU.
#
# ## How to use this course
#
# - Run the chapters **in order** (`00` → `09`); each builds on the one before. Run a chapter top to bottom with
#   *Run → Run All Cells*.
# - **Widgets:** sliders and buttons under a plot change it. Moving a slider redraws at once; anything that trains
#   waits for a button.
# - **Exercises:** a cell defines a function with `raise NotImplementedError`. Replace that line with your code and
#   run the cell: `checks.check(...)` prints ✅, ❌ with a hint and the first wrong value, or "not attempted yet".
#   `checks.solution("name")` reveals a solution — after you have tried.
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
from course_utils.plot import plot_decision_boundary, plot_skeleton
from course_utils.train import evaluate, fit
from course_utils.widgets import neuron_explorer

cu.set_seed(0)
device = cu.get_device()
print("device:", device)

# %% [markdown]
# ## 1. Is this machine ready?
#
# The report lists what the course uses and ends with a verdict. "device" is where tensors are computed:
# `cuda` (an NVIDIA GPU), `mps` (an Apple-silicon GPU) or `cpu`. Everything in this course runs on a CPU in under a
# minute per chapter; a GPU is welcome but never needed. `cu.get_device()` picks the best one available.

# %%
report = cu.env.environment_report()
assert report["problems"] == [], report["problems"]

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
# environment), start JupyterLab again and reload the page. The report above checks this pair for you.

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
# | optimizer | changes the weights to make the loss smaller, using its gradient | `torch.optim.Adam` |
#
# Data flows forward through the layers to the loss; the gradient of the loss flows backward to every weight
# (`loss.backward()`), and the optimizer updates the weights (`optimizer.step()`). Then the loop starts again.

# %%
plot_skeleton()

# %% [markdown]
# ## 4. A first network
#
# Two interleaving half-moons: no straight line separates them, so a network needs a hidden layer. In PyTorch a
# network is a class derived from `nn.Module`: `__init__` creates the layers, `forward` says how data flows
# through them. `nn.Linear(a, b)` computes $y = xW^\top + b$ with a weight $W$ of shape `(b, a)`; PyTorch gives it
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


model = TwoLayerNet(input_size=2, hidden_size=16, output_size=2)
model

# %% [markdown]
# Each `nn.Linear(a, b)` holds $a \cdot b$ weights and $b$ biases, so this network has
# $2\cdot16 + 16 + 16\cdot2 + 2 = 82$ parameters:

# %%
# NBVAL_CHECK_OUTPUT
n_params = sum(p.numel() for p in model.parameters())
assert n_params == 2 * 16 + 16 + 16 * 2 + 2 == 82
print("parameters:", n_params)

# %% [markdown]
# ### The training loop, written out
#
# One training step is always the same five lines: **forward** (predict), **loss** (measure), **zero_grad**
# (clear the old gradients — PyTorch *adds* new gradients to `.grad`), **backward** (compute the gradient of the
# loss for every weight), **step** (update the weights). A pass over the whole training set in mini-batches is one
# **epoch**.

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
        outputs = model(inputs)            # forward
        loss = loss_fn(outputs, targets)   # loss
        optimizer.zero_grad()              # clear old gradients
        loss.backward()                    # backward
        optimizer.step()                   # update
    print(f"epoch {epoch + 1}: loss on the last batch {loss.item():.3f}")

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
# ## 5. PyTorch and TensorFlow, stated correctly
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
# - **Installing PyTorch:** use the command from pytorch.org for your system (CPU-only builds are much smaller).
#   Old instructions such as `pip install tensorflow-gpu` or a fixed `cu117` index are outdated: `tensorflow-gpu`
#   no longer exists (plain `tensorflow` includes GPU support on Linux), and the CUDA version in a wheel's name must
#   match what your driver supports. This course pins nothing: `python3 course.py setup` installs current versions.
# - **Training on one batch:** a loop like `for epoch in range(100): outputs = model(inputs) ...` over a single
#   fixed batch is a sanity check, not training; real training iterates over a `DataLoader` of mini-batches.
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
# trains correctly.

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
# Stuck? `checks.hint("accuracy")` gives a hint; `checks.solution("accuracy")` shows a solution. For example:

# %%
checks.solution("training_step_order")

# %% [markdown]
# ## Summary
#
# - `python3 course.py lab` opens the course; `python3 course.py test` checks all of it.
# - Every network is input → (hidden layer → activation) × k → output → loss, trained by an optimizer that follows
#   the gradient of the loss, which `loss.backward()` computes.
# - A training step is forward, loss, zero_grad, backward, step; an epoch is one pass over the training data in
#   mini-batches; validation uses `model.eval()` and `torch.no_grad()`.
# - PyTorch and TensorFlow 2 both run eagerly by default and both deploy to servers and phones.
#
# ## Key terms
#
# | English | 中文 |
# |---|---|
# | neural network | 神经网络 |
# | input / hidden / output layer | 输入层 / 隐藏层 / 输出层 |
# | activation function | 激活函数 |
# | loss function | 损失函数 |
# | optimizer | 优化器 |
# | forward pass / backward pass | 前向传播 / 反向传播 |
# | gradient | 梯度 |
# | epoch / mini-batch | 轮次 / 小批量 |
# | learning rate | 学习率 |
# | eager execution / static graph | 即时执行 / 静态图 |
#
# **Next:** [01 · The perceptron](01_perceptron.ipynb)
