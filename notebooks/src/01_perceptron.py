# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# # 01 · The perceptron
#
# **You will be able to**
# - compute one artificial neuron, $y = f(\mathbf{w}\cdot\mathbf{x} + b)$, by hand, in plain Python and in PyTorch;
# - train Rosenblatt's perceptron with its learning rule, and explain why it solves AND and OR but can never
#   solve XOR;
# - solve XOR with a hidden layer, and draw the decision boundary;
# - write the same models the PyTorch way: `nn.Linear` ($y = xW^\top + b$), `nn.Module` with `forward`, and
#   `nn.Sequential`, with the right input and output sizes.
#
# **Prerequisites:** [00 · Set-up](00_setup.ipynb) (tensors, a training loop).
#
# **Run time:** about 5 seconds on a 2-core laptop CPU.

# %%
# %matplotlib inline
import math

import torch
from torch import nn

import course_utils as cu
from course_utils import checks
from course_utils.data import make_xor
from course_utils.perceptron import Perceptron, PerceptronRule, make_gate, neuron, step
from course_utils.plot import CLASS_COLORS, new_figure, plot_decision_boundary
from course_utils.widgets import perceptron_playground

cu.set_language("en")  # the language of the messages of checkers and widgets: "en" or "zh"
cu.env.check_environment()  # one line: OK, or what to fix and how
cu.set_seed(0)
device = cu.get_device()
print(f"device: {device}")  # the models of this chapter are tiny: they run on the CPU

# %% [markdown]
# ## 1. From a biological neuron to an artificial one
#
# A biological neuron collects signals through its dendrites, adds them up in the cell body, and *fires* a signal
# down its axon when the total passes a threshold. Some connections (synapses) count more than others. The
# artificial neuron keeps exactly that much of the story:
#
# | biological neuron | artificial neuron |
# |---|---|
# | signals arriving at the dendrites | inputs $x_1, \dots, x_n$ (the features) |
# | strength of each synapse | weights $w_1, \dots, w_n$ (learned) |
# | the cell body adds the signals | weighted sum $z = \sum_i w_i x_i + b$ |
# | the firing threshold | the bias $b$ shifts the threshold; $f$ decides how the neuron "fires" |
# | the signal sent down the axon | output $y = f(z)$ |
#
# $$y = f\Big(\sum_{i=1}^{n} w_i x_i + b\Big) = f(\mathbf{w}\cdot\mathbf{x} + b)$$
#
# ```
#  x₁ ──w₁──╮
#  x₂ ──w₂──┼──▶ z = Σ wᵢxᵢ + b ──▶ f ──▶ y
#  x₃ ──w₃──╯
# ```
#
# $f$ is the **activation function**. The next chapter compares many; here we need two: the **sigmoid**
# $\sigma(z) = 1/(1 + e^{-z})$, which squashes any number into $(0, 1)$, and the **step**, which outputs 1 when
# $z \ge 0$ and 0 otherwise. (The analogy ends here: real neurons spike in time, adapt, and are far more complex.)
#
# ### A worked example, by hand
#
# Three inputs $x = (0.5, 0.3, 0.2)$, weights $w = (0.4, 0.6, 0.1)$, bias $b = 0.1$:
#
# $$z = 0.4\cdot0.5 + 0.6\cdot0.3 + 0.1\cdot0.2 + 0.1 = 0.2 + 0.18 + 0.02 + 0.1 = 0.5, \qquad
#   y = \sigma(0.5) = \frac{1}{1 + e^{-0.5}} \approx 0.6225$$
#
# First in plain Python, exactly as written:

# %%
# NBVAL_CHECK_OUTPUT
x = [0.5, 0.3, 0.2]
w = [0.4, 0.6, 0.1]
b = 0.1

z = sum(w_i * x_i for w_i, x_i in zip(w, x)) + b
y = 1 / (1 + math.exp(-z))
assert math.isclose(z, 0.5) and round(y, 4) == 0.6225
print(f"z = {z:.4f}, sigmoid(z) = {y:.4f}, relu(z) = {max(0.0, z):.4f}")

# %% [markdown]
# In PyTorch the weighted sum is a dot product, `w @ x` (or `torch.dot(w, x)`), and it works just the same on a
# whole **batch**: stack $n$ inputs as the rows of a matrix $X$ of shape `(n, 3)`, and `X @ w` gives the $n$ sums
# at once. `course_utils.perceptron.neuron(x, w, b, activation)` is that one line plus a choice of activation
# (exercise 1 asks you to write its sigmoid version for a batch):

# %%
x_t, w_t = torch.tensor(x), torch.tensor(w)
assert torch.isclose(torch.sigmoid(w_t @ x_t + b), torch.tensor(0.6225), atol=5e-5)
assert torch.isclose(neuron(x_t, w_t, b), torch.sigmoid(w_t @ x_t + b))
assert neuron(x_t, w_t, b, activation="relu").item() == torch.relu(w_t @ x_t + b).item()

X_batch = torch.stack([x_t, torch.zeros(3), torch.ones(3)])  # 3 inputs as rows: shape (3, 3)
print(f"a batch of 3 inputs -> outputs {neuron(X_batch, w_t, b)}")

# %% [markdown]
# ## 2. The perceptron: a neuron with a step
#
# Frank Rosenblatt's **perceptron** (1958) is one neuron with the step activation:
#
# $$\hat y = \operatorname{step}(\mathbf{w}\cdot\mathbf{x} + b), \qquad
#   \operatorname{step}(z) = \begin{cases} 1 & z \ge 0 \\ 0 & z < 0 \end{cases}$$
#
# With two inputs, the points where $w_1 x_1 + w_2 x_2 + b = 0$ form a straight line, the **decision boundary**:
# the perceptron answers 1 on one side and 0 on the other. $\mathbf{w}$ is perpendicular to the line and points
# to the "1" side; $b$ shifts the line. So a perceptron can only ever separate two classes **by one straight
# line** (a plane, or hyperplane, with more inputs).
#
# Logic gates make good first data sets: four points, the corners $(0,0), (0,1), (1,0), (1,1)$, labelled by the
# gate. A line with $w = (1, 1)$ cuts off the corner $(1,1)$ with $b = -1.5$ (AND), and everything but $(0,0)$
# with $b = -0.5$ (OR):

# %%
X_and, y_and = make_gate("AND")
X_or, y_or = make_gate("OR")
print(f"inputs: {X_and.tolist()}")
print(f"AND: {y_and.tolist()}   OR: {y_or.tolist()}")

w_hand = torch.tensor([1.0, 1.0])
assert torch.equal(step(X_and @ w_hand - 1.5).long(), y_and)  # b = -1.5 computes AND
assert torch.equal(step(X_or @ w_hand - 0.5).long(), y_or)    # b = -0.5 computes OR
assert torch.equal(step(torch.tensor([-2.0, 0.0, 3.0])), torch.heaviside(torch.tensor([-2.0, 0.0, 3.0]),
                                                                          torch.tensor(1.0)))

# %% [markdown]
# ### The perceptron learning rule
#
# Instead of choosing the weights by hand, the perceptron *learns* them. Start from $\mathbf{w} = 0, b = 0$ and
# visit the training points one by one. For each point $(\mathbf{x}, y)$ with label $y \in \{0, 1\}$:
#
# $$\hat y = \operatorname{step}(\mathbf{w}\cdot\mathbf{x} + b), \qquad
#   \mathbf{w} \leftarrow \mathbf{w} + \eta\,(y - \hat y)\,\mathbf{x}, \qquad b \leftarrow b + \eta\,(y - \hat y)$$
#
# $\eta$ is the learning rate. The error $y - \hat y$ is 0 when the prediction is right (nothing changes), $+1$
# for a wrong 0 (add $\mathbf{x}$: the line moves towards putting the point on the 1 side) and $-1$ for a wrong 1
# (subtract it). No gradients, no loss function: just "fix the mistakes". One pass over the data is an epoch.
#
# `PerceptronRule` implements it: its `update(x, y)` applies the rule to one point (exercise 2 asks you to write
# the same step as a function that returns the new weights). Here is the rule at work on the first epoch of AND,
# point by point:

# %%
trace = PerceptronRule(input_dim=2, lr=1.0)
print(" point    y  score  ŷ  error   new w        new b")
for x_i, y_i in zip(X_and, y_and):
    score = (x_i @ trace.weight + trace.bias).item()
    y_hat = int(step(torch.tensor(score)).item())
    trace.update(x_i, y_i)
    print(f" {x_i.tolist()}  {y_i.item()}  {score:5.1f}  {y_hat}  {y_i.item() - y_hat:+d}    "
          f"{trace.weight.tolist()}  {trace.bias.item():+.1f}")

# %% [markdown]
# `fit` repeats epochs until one makes no mistake:

# %%
cu.show_source(PerceptronRule.fit)

# %% [markdown]
# **The perceptron convergence theorem** (Novikoff, 1962): if some line separates the two classes, the rule makes
# only finitely many mistakes and stops at a separating line. AND and OR are linearly separable:

# %%
# NBVAL_CHECK_OUTPUT
p_and = PerceptronRule(2).fit(X_and, y_and, epochs=100)
p_or = PerceptronRule(2).fit(X_or, y_or, epochs=100)
for name, p, X_g, y_g in [("AND", p_and, X_and, y_and), ("OR", p_or, X_or, y_or)]:
    assert p.converged and p.score(X_g, y_g) == 1.0
    print(f"{name}: converged after {len(p.mistakes_per_epoch)} epochs, mistakes per epoch "
          f"{p.mistakes_per_epoch}, w = {p.weight.tolist()}, b = {p.bias.item()}")

# %%
fig, axes = new_figure(ncols=2, width=3.6, height=3.2)
for ax, (name, p, X_g, y_g) in zip(axes, [("AND", p_and, X_and, y_and), ("OR", p_or, X_or, y_or)]):
    plot_decision_boundary(p.decision_function, X_g, y_g, ax=ax, title=f"perceptron on {name}")
    ax.scatter(X_g[:, 0], X_g[:, 1], c=[CLASS_COLORS[int(c)] for c in y_g], s=90, edgecolors="k", zorder=3)
    assert (p.decision_function(X_g) == 0).any()  # some corners sit exactly on the line (see below)
fig

# %% [markdown]
# Look closely: some corners lie *exactly on* the line (their score is 0, which the step counts as 1). The rule
# stops at the first line that makes no mistake, however close it passes to the points; it has no notion of a
# margin. Logistic regression and support-vector machines prefer lines that keep their distance.
#
# ### XOR: where one line is not enough
#
# XOR ("exclusive or") is 1 when exactly one input is 1: the corners $(0,1)$ and $(1,0)$ against $(0,0)$ and
# $(1,1)$. Run the same rule for 100 epochs:

# %%
X_xor, y_xor = make_gate("XOR")
p_xor = PerceptronRule(2)
states = []
for _ in range(100):  # one epoch at a time, to record the state after each
    p_xor.fit(X_xor, y_xor, epochs=1)
    states.append((p_xor.weight.tolist(), p_xor.bias.item(), p_xor.score(X_xor, y_xor)))

assert not p_xor.converged and min(p_xor.mistakes_per_epoch) >= 1  # a mistake in every single epoch
assert max(acc for _, _, acc in states) < 1.0                         # never 100%, after any epoch
assert all(s == states[2] for s in states[2:])  # from epoch 3 on it ends each epoch in the same state: a cycle
print(f"mistakes in the first 10 epochs: {p_xor.mistakes_per_epoch[:10]}")
print(f"state after every epoch from the 3rd on: w = {states[2][0]}, b = {states[2][1]}, accuracy {states[2][2]}")

# %% [markdown]
# It never stops making mistakes, and it never will: it cycles through the same weights forever. That is not
# bad luck; **no line separates XOR**. Suppose $\operatorname{step}(w_1x_1 + w_2x_2 + b)$ computed XOR. Then
#
# | input | XOR | so |
# |---|---|---|
# | $(0,0)$ | 0 | $b < 0$ |
# | $(0,1)$ | 1 | $w_2 + b \ge 0$ |
# | $(1,0)$ | 1 | $w_1 + b \ge 0$ |
# | $(1,1)$ | 0 | $w_1 + w_2 + b < 0$ |
#
# Adding the middle two rows gives $w_1 + w_2 + 2b \ge 0$, so $w_1 + w_2 + b \ge -b > 0$, which contradicts the
# last row. The best any line can do is 3 corners out of 4. We check that on 360 directions × 401 offsets:

# %%
# NBVAL_CHECK_OUTPUT
angles = torch.linspace(0, 2 * math.pi, 361)[:-1]
directions = torch.stack([torch.cos(angles), torch.sin(angles)], dim=1)  # (360, 2): every direction of w
offsets = torch.linspace(-2, 2, 401)                                       # (401,): values of b
scores = (X_xor @ directions.T)[:, :, None] + offsets                      # (4, 360, 401)
accuracy = (step(scores).long() == y_xor[:, None, None]).float().mean(dim=0)
assert accuracy.max().item() == 0.75
print(f"best accuracy of any of {accuracy.numel():,} lines on XOR: {accuracy.max().item():.2f}")

# %% [markdown]
# In 1969 Minsky and Papert's book *Perceptrons* made this limit famous, and it cooled research on neural
# networks for years. The way out, a hidden layer, is the next section. First, find the lines yourself: move
# $w_1, w_2, b$ and watch the accuracy. The shaded side is where the perceptron says 1; wrong points are ringed in
# red. Reach 100% on AND and OR; then try XOR (4 noisy clouds around the corners) and the moons.

# %%
playground = perceptron_playground()
playground

# %% [markdown]
# (The sliders can be moved from code too: $w = (1, 1)$, $b = -1.5$ is a perfect line for AND.)

# %%
for name, value in {"dataset": "AND", "w1": 1.0, "w2": 1.0, "b": -1.5}.items():
    playground.controls[name].value = value
assert "accuracy 100%" in playground.draw(**playground.values()).axes[0].get_title()

# %% [markdown]
# ## 3. The same neuron, the PyTorch way
#
# ### `nn.Linear` computes $y = xW^\top + b$
#
# `nn.Linear(in_features, out_features)` holds a weight matrix $W$ of shape `(out_features, in_features)` (one
# row per output neuron) and a bias $b$ of shape `(out_features,)`. For a batch $x$ of shape
# `(batch, in_features)` it returns $y$ of shape `(batch, out_features)`:
#
# $$y = x W^\top + b.$$
#
# So a layer is just many neurons side by side, each one row of $W$. Check it against the matrix product:

# %%
layer = nn.Linear(in_features=3, out_features=4)
x_batch = torch.randn(5, 3)
assert layer.weight.shape == (4, 3) and layer.bias.shape == (4,)
assert torch.allclose(layer(x_batch), x_batch @ layer.weight.T + layer.bias)
print(f"output shape: {tuple(layer(x_batch).shape)}")

# %% [markdown]
# **Default initialisation.** PyTorch fills a new `nn.Linear`'s weight and bias with random numbers drawn
# uniformly from $\left[-1/\sqrt{\text{in\_features}},\ 1/\sqrt{\text{in\_features}}\right]$ (so their standard
# deviation is $1/\sqrt{3\cdot\text{in\_features}}$). Chapter 04 shows why the scale matters and how to choose it.

# %%
big = nn.Linear(1000, 500)
bound = 1 / math.sqrt(1000)
assert big.weight.abs().max() <= bound and big.bias.abs().max() <= bound
assert abs(big.weight.std().item() / (1 / math.sqrt(3 * 1000)) - 1) < 0.02
print(f"weights in [{big.weight.min():.4f}, {big.weight.max():.4f}], 1/sqrt(1000) = {bound:.4f}")

# %% [markdown]
# The worked example once more, as an `nn.Linear(3, 1)` whose weights we set by hand (under `torch.no_grad()`,
# because changing parameters in place must not be recorded for gradients):

# %%
one = nn.Linear(3, 1)
with torch.no_grad():
    one.weight.copy_(torch.tensor([[0.4, 0.6, 0.1]]))  # shape (out=1, in=3)
    one.bias.fill_(0.1)
out = torch.sigmoid(one(torch.tensor([[0.5, 0.3, 0.2]])))  # a batch of one input, shape (1, 3)
assert out.shape == (1, 1) and round(out.item(), 4) == 0.6225

# %% [markdown]
# ### An `nn.Module`: `__init__` makes the layers, `forward` says how data flows
#
# Many tutorials call this module a "perceptron": a linear layer followed by a sigmoid. `course_utils` keeps the
# name, `Perceptron(input_dim)`:

# %%
cu.show_source(Perceptron)

# %% [markdown]
# Calling `model(x)` runs `forward` (through `nn.Module.__call__`, which also runs hooks: call the model, not
# `model.forward(x)`). A batch of shape `(n, input_dim)` gives `(n, 1)`; a single unbatched input of shape
# `(input_dim,)`, such as `torch.tensor([1.0, 2.0, 3.0])`, gives shape `(1,)`:

# %%
model = Perceptron(input_dim=3)
assert model(torch.tensor([1.0, 2.0, 3.0])).shape == (1,)
probabilities = model(torch.randn(8, 3))
assert probabilities.shape == (8, 1) and ((probabilities > 0) & (probabilities < 1)).all()
print(model)

# %% [markdown]
# Note the difference from Rosenblatt's perceptron: the sigmoid is *smooth*, so this model is trained by gradient
# descent on a loss (binary cross-entropy), like logistic regression; the step's slope is 0 wherever it is
# defined, which gives gradient descent nothing to follow. Trained on noisy clouds around the four corners, it learns AND and
# fails on XOR just like the perceptron, because its decision boundary ($\sigma(z) = 0.5$, i.e. $z = 0$) is
# still one straight line. With only 80 points, every step can use the whole training set (**full-batch**
# gradient descent): that is training, the loop of chapter 00 with one batch that holds all the data.

# %%
def train(model: nn.Module, X: torch.Tensor, y: torch.Tensor, loss_fn: nn.Module, steps: int = 100,
          lr: float = 0.05) -> nn.Module:
    """Full-batch training: every step is forward, loss, zero_grad, backward, step on all of X (n, d)."""
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    targets = y.float().unsqueeze(1)  # (n,) labels -> (n, 1), the shape of the model's output
    for _ in range(steps):
        loss = loss_fn(model(X), targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return model


# %%
# NBVAL_CHECK_OUTPUT
for gate in ["AND", "XOR"]:
    X_g, y_g = make_gate(gate, n=80, noise=0.1, seed=0)
    cu.set_seed(0)
    sigmoid_unit = train(Perceptron(2), X_g, y_g, nn.BCELoss())
    acc = ((sigmoid_unit(X_g) >= 0.5).long().squeeze(1) == y_g).float().mean().item()
    assert acc == 1.0 if gate == "AND" else acc <= 0.75
    print(f"sigmoid neuron on noisy {gate}: accuracy 100%: {acc == 1.0}, at most 75%: {acc <= 0.75}")

# %% [markdown]
# ## 4. A hidden layer solves XOR
#
# One line cannot separate XOR, but two lines can: one that cuts off $(0,0)$ and one that cuts off $(1,1)$. A
# **hidden layer** of neurons computes such lines as new features, and the output neuron combines them. In
# exercise 4 you will find weights for a 2-2-1 network of step neurons by hand. Here gradient descent finds them,
# so the hidden neurons need a smooth (or piecewise-linear) activation instead of the step: ReLU,
# $\max(0, z)$.
#
# A network of layers where each layer's output feeds the next is a **multilayer perceptron** (MLP).
# `nn.Sequential` builds one from a list of modules, applied in order. The data: noisy clouds around
# $(\pm1, \pm1)$, label 1 where the signs differ (the same XOR pattern, centred on 0).

# %%
X, y = make_xor(n=200, noise=0.2, seed=0)
cu.set_seed(0)
mlp = nn.Sequential(
    nn.Linear(2, 8),   # input layer -> hidden layer: 2 features, 8 hidden neurons
    nn.ReLU(),         # the non-linearity: without it the two layers would collapse into one line
    nn.Linear(8, 1),   # hidden -> output: one score (a logit) for "class 1"
)
train(mlp, X, y, nn.BCEWithLogitsLoss())
line = train(Perceptron(2), X, y, nn.BCELoss())

with torch.no_grad():
    acc_mlp = ((mlp(X) >= 0).long().squeeze(1) == y).float().mean().item()
    acc_line = ((line(X) >= 0.5).long().squeeze(1) == y).float().mean().item()

# %%
# NBVAL_CHECK_OUTPUT
assert acc_mlp == 1.0 and acc_line <= 0.75
print(f"XOR: one neuron at most 75%: {acc_line <= 0.75}; MLP 2-8-1 at 100%: {acc_mlp == 1.0}")

# %% [markdown]
# The single neuron can only draw a line; the MLP bends its boundary around the four clouds (the MLP outputs a
# logit, so its boundary is at 0; the sigmoid neuron outputs a probability, so its boundary is at 0.5):

# %%
fig, axes = new_figure(ncols=2, width=3.8, height=3.4)
plot_decision_boundary(line, X, y, ax=axes[0], threshold=0.5, title=f"one neuron: {acc_line:.0%}")
plot_decision_boundary(mlp, X, y, ax=axes[1], title=f"MLP 2-8-1: {acc_mlp:.0%}")
fig

# %% [markdown]
# ### How big is each layer?
#
# - **Input layer** size = number of features of one example (2 here; 784 for a 28×28 image; 20 for a table
#   with 20 columns). It is not a layer of weights, just the input tensor's last dimension.
# - **Output layer** size = number of classes for multi-class classification (one logit per class, for
#   `nn.CrossEntropyLoss`), or **1** for regression (and for binary classification with one logit and
#   `nn.BCEWithLogitsLoss`).
# - **Hidden layers**: your choice (width and depth are hyperparameters). Each `nn.Linear` is *fully
#   connected*: every neuron receives every output of the layer before (one weight per pair), and neurons of the
#   same layer are not connected to each other.
#
# For example, a phone-price classifier with 20 features and 4 price classes (exercise 3 builds such a model from a
# list of sizes):

# %%
# NBVAL_CHECK_OUTPUT
phone_model = nn.Sequential(
    nn.Linear(20, 64), nn.ReLU(),   # 20 features in
    nn.Linear(64, 32), nn.ReLU(),
    nn.Linear(32, 4),               # 4 classes out: one logit each
)
logits = phone_model(torch.randn(16, 20))
n_params = sum(p.numel() for p in phone_model.parameters())
assert logits.shape == (16, 4)
assert n_params == (20 * 64 + 64) + (64 * 32 + 32) + (32 * 4 + 4) == 3556
print(f"output shape: {tuple(logits.shape)} | parameters: {n_params}")

# %% [markdown]
# Feed it the wrong number of features and the first matrix product fails, naming both shapes:

# %%
try:
    phone_model(torch.randn(16, 21))
except RuntimeError as error:
    print("RuntimeError:", error)
    assert "cannot be multiplied" in str(error)

# %% [markdown]
# ## Pitfalls
#
# - **"Perceptron" means two things.** Many tutorials call a sigmoid neuron
#   `nn.Linear(d, 1)` + `nn.Sigmoid()` a perceptron. Rosenblatt's perceptron uses a step and the perceptron
#   rule; the sigmoid unit is logistic regression, trained by gradient descent. Both draw one straight line.
# - **`max(0, z)` is for one number.** A tutorial's NumPy neuron writes ReLU as Python's `max(0, z)`: fine for a
#   single number, an error for an array or a tensor (below). Use `np.maximum(0, z)`, `torch.relu(z)` or
#   `z.clamp(min=0)`.
# - **`nn.Linear`'s weight is `(out, in)`**, so the layer computes `x @ W.T + b`, not `x @ W`. With a square
#   layer `x @ W` even runs, and gives wrong numbers.
# - **Stacking layers without an activation** gives one linear layer again: `nn.Linear(2, 8)` then
#   `nn.Linear(8, 1)` draws one straight line, and cannot solve XOR. Put `nn.ReLU()` (or another non-linearity)
#   between them; chapter 02 shows the collapse numerically.
# - **The perceptron rule never stops on data that no line separates.** Always cap the epochs (XOR above cycles
#   forever). It also has no notion of a "best" line among many separating ones.
# - **A step activation cannot be trained by backpropagation**: its slope is 0 wherever it exists. That is why
#   MLPs use sigmoid, tanh or ReLU.
# - **"Every neuron connects to all neurons of the neighbouring layers"** is true of fully connected (`nn.Linear`)
#   layers only. Convolutional layers (chapter 08) connect each output to a small patch of the input.
# - **Unbatched inputs.** `model(torch.tensor([1.0, 2.0, 3.0]))` works (output shape `(1,)`), but layers such as
#   batch normalisation expect a batch dimension; give models `(batch, features)` tensors.

# %%
try:
    max(0, torch.tensor([-1.0, 2.0]))
except RuntimeError as error:
    print("RuntimeError:", error)
assert torch.equal(torch.relu(torch.tensor([-1.0, 2.0])), torch.tensor([0.0, 2.0]))

# %% [markdown]
# ## Exercises
#
# ### Exercise 1 — a batch of neurons
# Write `my_neuron(X, w, b)`: `X` has shape `(n, d)` (one input per row), `w` shape `(d,)`, `b` is a number.
# Return the sigmoid neuron's output for every row, shape `(n,)`. (The worked example must give 0.6225.) It has
# its own name so that it does not replace the imported `neuron`, which the cells above use.

# %%
def my_neuron(X: torch.Tensor, w: torch.Tensor, b: float) -> torch.Tensor:
    raise NotImplementedError  # replace this line with your code


checks.check("neuron", my_neuron)

# %% [markdown]
# ### Exercise 2 — one step of the perceptron rule
# Write `perceptron_update(w, b, x, y, lr)` for one training point `x` (shape `(d,)`) with label `y` (0 or 1):
# predict $\hat y = \operatorname{step}(\mathbf{w}\cdot\mathbf{x} + b)$ (1 when the score is $\ge 0$), then return
# the new pair `(w, b)` given by the rule. Return new values; don't change `w` in place.

# %%
def perceptron_update(w: torch.Tensor, b: float, x: torch.Tensor, y: int, lr: float):
    raise NotImplementedError  # replace this line with your code


checks.check("perceptron_update", perceptron_update)

# %% [markdown]
# ### Exercise 3 — an MLP from a list of sizes
# Write `make_mlp(sizes)` that returns an `nn.Sequential` MLP: `sizes[0]` input features, `sizes[-1]` outputs, the
# sizes in between as hidden layers, with `nn.ReLU()` after every hidden layer and nothing after the output layer.
# For example `make_mlp([20, 64, 32, 4])` is the phone-price model above.

# %%
def make_mlp(sizes: list[int]) -> nn.Sequential:
    raise NotImplementedError  # replace this line with your code


checks.check("make_mlp", make_mlp)

# %% [markdown]
# ### Exercise 4 — XOR by hand
# Choose the weights of a 2-2-1 network of **step** neurons that computes XOR on the four corners:
# $h = \operatorname{step}(xW_1^\top + b_1)$, $\hat y = \operatorname{step}(hW_2^\top + b_2)$, with
# $\operatorname{step}(z) = 1$ for $z \ge 0$. Shapes as in `nn.Linear`: `W1` `(2, 2)`, `b1` `(2,)`, `W2`
# `(1, 2)`, `b2` `(1,)`. Return them from `xor_weights()`. (Think of two lines, then combine them.)

# %%
def xor_weights():
    raise NotImplementedError  # replace with: return W1, b1, W2, b2


checks.check("xor_weights", xor_weights)

# %% [markdown]
# Stuck? `checks.hint("xor_weights")` gives the idea; ask again for a more precise hint. After you have checked an
# answer of your own, `checks.solution("xor_weights")` shows a solution.

# %% [markdown]
# ## Summary
#
# - A neuron computes $y = f(\mathbf{w}\cdot\mathbf{x} + b)$; the worked example gives $\sigma(0.5) = 0.6225$.
#   A layer is many neurons side by side: `nn.Linear` computes $xW^\top + b$ with $W$ of shape `(out, in)`.
# - The perceptron is a neuron with a step; its learning rule $\mathbf{w} \leftarrow \mathbf{w} +
#   \eta(y - \hat y)\mathbf{x}$ finds a separating line whenever one exists (AND, OR) and cycles forever when
#   none does (XOR: provably, the best line gets 3 of 4).
# - A hidden layer with a non-linear activation lets an MLP combine several lines; a 2-8-1 MLP solves XOR.
# - PyTorch: layers in `__init__`, data flow in `forward`, or simply `nn.Sequential`; input size = number of
#   features, output size = number of classes (or 1).
#
# ## Key terms
#
# | English | 中文 |
# |---|---|
# | (artificial) neuron | （人工）神经元 |
# | weight / bias | 权重 / 偏置 |
# | weighted sum | 加权和 |
# | activation function | 激活函数 |
# | step function | 阶跃函数 |
# | perceptron | 感知机 |
# | perceptron learning rule | 感知机学习规则 |
# | epoch | 轮次（迭代周期） |
# | decision boundary | 决策边界 |
# | linearly separable | 线性可分 |
# | exclusive or (XOR) | 异或（XOR） |
# | multilayer perceptron (MLP) | 多层感知机（MLP） |
# | hidden layer | 隐藏层 |
# | fully connected layer | 全连接层 |
# | logistic regression | 逻辑回归 |
#
# **Next:** [02 · Activation functions](02_activations.ipynb)

# %% [markdown]
# ## Your progress
#
# Your checks, hints and solutions of this chapter, from the record on this machine (run the cell again after
# working on the exercises; `cu.progress.show()` shows every chapter):

# %%
cu.progress.show("01")
