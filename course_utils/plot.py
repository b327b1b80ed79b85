"""Plotting helpers: training curves, a 2-D classifier's decision boundary, image grids, the network skeleton.

Every function returns a ``matplotlib.figure.Figure`` made without pyplot (no global state, nothing left open).
In a notebook the figure shows when it is the last expression of a cell; elsewhere call ``display(fig)`` or
``fig.savefig(...)``. Pass ``ax=`` to draw into an existing axes instead. Figures are small (80 dpi).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from typing import Any

import matplotlib
import matplotlib.patches
import torch
from matplotlib.figure import Figure

from .i18n import _

__all__ = [
    "new_figure", "fig_to_png", "plot_history", "plot_decision_boundary",
    "show_images", "plot_skeleton", "plot_broadcast", "DPI", "CLASS_COLORS",
]

DPI = 80
CLASS_COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                "#bcbd22", "#17becf"]

matplotlib.rcParams.update({"figure.dpi": DPI, "savefig.dpi": DPI, "axes.grid": True, "grid.alpha": 0.3})


def new_figure(ncols: int = 1, nrows: int = 1, width: float = 4.5, height: float = 3.5) -> tuple[Figure, Any]:
    """A Figure of ``nrows`` × ``ncols`` axes, each about ``width`` × ``height`` inches. Returns (fig, axes)."""
    fig = Figure(figsize=(width * ncols, height * nrows), dpi=DPI, layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=True)
    return fig, axes


def fig_to_png(fig: Figure) -> bytes:
    """Render a figure to PNG bytes (what a notebook displays). The widgets use a faster renderer:
    ``course_utils.widgets.FigureRenderer``."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=fig.dpi)
    return buf.getvalue()


def _figure_of(ax: Any, **kwargs: Any) -> tuple[Figure, Any]:
    if ax is None:
        return new_figure(**kwargs)
    return ax.figure, ax


def plot_history(history: Any, ax: Any = None) -> Figure:
    """Training (and validation) loss per epoch; accuracy on a second axes when the history has it.

    ``history`` is a ``course_utils.train.History`` (or anything with ``train_loss``, ``val_loss``,
    ``train_acc``, ``val_acc`` lists). With ``ax`` given, only the loss is drawn into it. The epoch axis has
    whole-number ticks only (no "epoch 1.5").
    """
    from matplotlib.ticker import MaxNLocator

    has_acc = bool(getattr(history, "train_acc", None) or getattr(history, "val_acc", None))
    if ax is None:
        fig, axes = new_figure(ncols=2 if has_acc else 1)
        loss_ax, acc_ax = (axes[0], axes[1]) if has_acc else (axes, None)
    else:
        fig, loss_ax, acc_ax = ax.figure, ax, None
    epochs = range(1, len(history.train_loss) + 1)
    loss_ax.plot(epochs, history.train_loss, "o-", ms=3, label="train")
    if history.val_loss:
        loss_ax.plot(epochs[: len(history.val_loss)], history.val_loss, "o-", ms=3, label="validation")
    loss_ax.set(xlabel="epoch", ylabel="loss", title="Loss")
    loss_ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    loss_ax.legend()
    if acc_ax is not None:
        acc_ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        if history.train_acc:
            acc_ax.plot(epochs[: len(history.train_acc)], history.train_acc, "o-", ms=3, label="train")
        if history.val_acc:
            acc_ax.plot(epochs[: len(history.val_acc)], history.val_acc, "o-", ms=3, label="validation")
        acc_ax.set(xlabel="epoch", ylabel="accuracy", title="Accuracy", ylim=(0, 1.02))
        acc_ax.legend()
    return fig


@torch.no_grad()
def _predict_grid(model: Callable, grid: torch.Tensor, threshold: float) -> torch.Tensor:
    was_training = getattr(model, "training", None)
    if isinstance(model, torch.nn.Module):
        model.eval()
        param = next(model.parameters(), None)
        if param is not None:
            grid = grid.to(device=param.device, dtype=param.dtype)
    try:
        out = model(grid)
    finally:
        if isinstance(model, torch.nn.Module) and was_training is not None:
            model.train(was_training)
    out = torch.as_tensor(out).detach().cpu()
    if out.ndim == 2 and out.shape[1] > 1:
        return out.argmax(dim=1)
    return (out.reshape(-1) > threshold).long()


def grid_2d(xlim: tuple[float, float], ylim: tuple[float, float], resolution: int, cell_centres: bool = False,
            dtype: torch.dtype = torch.float32) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """A ``resolution`` × ``resolution`` grid over a window, for shading what a model predicts everywhere.

    Returns ``gx``, ``gy`` (resolution, resolution) — row i has the i-th y, column j the j-th x, as
    ``imshow(origin="lower")`` and ``contour`` expect — and ``points`` (resolution², 2), the same grid as rows
    (x, y), rows of constant y, bottom row first: ``model(points).reshape(resolution, resolution)`` is an image.
    The coordinates run from edge to edge of the window, or through the centres of its cells.

    >>> gx, gy, points = grid_2d((0, 1), (0, 2), 3)
    >>> points[:4].tolist()
    [[0.0, 0.0], [0.5, 0.0], [1.0, 0.0], [0.0, 1.0]]
    """
    def axis(lo: float, hi: float) -> torch.Tensor:
        if cell_centres:
            return lo + (torch.arange(resolution, dtype=dtype) + 0.5) * (hi - lo) / resolution
        return torch.linspace(lo, hi, resolution, dtype=dtype)

    gx, gy = torch.meshgrid(axis(*xlim), axis(*ylim), indexing="xy")
    return gx, gy, torch.stack([gx.reshape(-1), gy.reshape(-1)], dim=1)


def plot_decision_boundary(
    model: Callable,
    X: torch.Tensor,
    y: torch.Tensor | None = None,
    ax: Any = None,
    resolution: int = 150,
    threshold: float = 0.0,
    title: str | None = None,
) -> Figure:
    """Colour the plane by the class ``model`` predicts and scatter the points ``X`` (n, 2) coloured by ``y``.

    ``model`` maps a (m, 2) float tensor to class scores (m, C) — the class is the argmax — or to one score per
    point (m,) / (m, 1), compared with ``threshold`` (0.0 for logits; use 0.5 for probabilities).
    """
    X = torch.as_tensor(X, dtype=torch.float32)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(_("`X` must have shape (n, 2); got {shape}").format(shape=tuple(X.shape)))
    fig, ax = _figure_of(ax)
    pad = 0.5
    lo, hi = X.min(dim=0).values - pad, X.max(dim=0).values + pad
    gx, gy, grid = grid_2d((lo[0].item(), hi[0].item()), (lo[1].item(), hi[1].item()), resolution)
    xs, ys = gx[0], gy[:, 0]
    pred = _predict_grid(model, grid, threshold).reshape(resolution, resolution)
    n_classes = int(max(pred.max().item(), y.max().item() if y is not None else 0)) + 1
    cmap = matplotlib.colors.ListedColormap(CLASS_COLORS[:n_classes])
    ax.imshow(pred.numpy(), origin="lower", extent=(xs[0].item(), xs[-1].item(), ys[0].item(), ys[-1].item()), cmap=cmap,
              vmin=-0.5, vmax=n_classes - 0.5, alpha=0.25, aspect="auto", interpolation="nearest")
    ax.contour(gx.numpy(), gy.numpy(), pred.numpy(), levels=[k + 0.5 for k in range(n_classes - 1)],
               colors="k", linewidths=1)
    colors = [CLASS_COLORS[int(c) % len(CLASS_COLORS)] for c in y] if y is not None else "k"
    ax.scatter(X[:, 0], X[:, 1], c=colors, s=14, edgecolors="white", linewidths=0.4)
    ax.set(xlabel="$x_1$", ylabel="$x_2$", title=title or "Decision boundary")
    ax.grid(False)
    return fig


def show_images(
    images: torch.Tensor,
    labels: Sequence[int] | torch.Tensor | None = None,
    predictions: Sequence[int] | torch.Tensor | None = None,
    ncols: int = 8,
    cmap: str = "gray",
    max_images: int = 64,
) -> Figure:
    """An image grid. ``images``: (n, 1, H, W), (n, 3, H, W) or (n, H, W); each is min-max scaled for display.

    With ``labels`` each image is titled by its label; with ``predictions`` too, by "prediction/label" in red
    where they differ.
    """
    images = torch.as_tensor(images).detach().cpu()
    if images.ndim == 4 and images.shape[1] in (1, 3):
        images = images.permute(0, 2, 3, 1)
    elif images.ndim != 3:
        raise ValueError(_("`images` must be (n, H, W) or (n, C, H, W) with C in (1, 3); got {shape}").format(
            shape=tuple(images.shape)))
    n = min(len(images), max_images)
    if n == 0:
        raise ValueError(_("`images` is empty"))
    ncols = max(1, min(ncols, n))
    nrows = (n + ncols - 1) // ncols
    fig = Figure(figsize=(1.1 * ncols, 1.25 * nrows), dpi=DPI, layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False).reshape(-1)
    for i, ax in enumerate(axes):
        ax.axis("off")
        if i >= n:
            continue
        img = images[i].float()
        img = (img - img.min()) / (img.max() - img.min() + 1e-12)
        ax.imshow(img.squeeze(-1).numpy() if img.shape[-1] == 1 else img.numpy(), cmap=cmap)
        if labels is not None:
            label = int(labels[i])
            if predictions is not None:
                pred = int(predictions[i])
                ax.set_title(f"{pred}/{label}", fontsize=9, color="black" if pred == label else "red")
            else:
                ax.set_title(str(label), fontsize=9)
    return fig


def plot_skeleton(ax: Any = None) -> Figure:
    """The skeleton every network shares: data flows forward to a loss; gradients flow back to the weights.

    The optimizer box names two optimizers and the update shown is plain SGD's, the simplest rule; every arrow
    stops at the edge of the box it points to.
    """
    fig, ax = _figure_of(ax, width=10, height=3.4)
    boxes = [("input\n(features)", "#dbe9f6"), ("hidden layer\nnn.Linear", "#fde9d9"),
             ("activation\nnn.ReLU", "#e2f0d9"), ("· · ·", None), ("output layer\n(logits)", "#fde9d9"),
             ("loss\nnn.CrossEntropyLoss", "#f8d7da")]
    xs = [i * 1.6 for i in range(len(boxes))]
    top, bottom = 1.2, 0.25
    layers = []
    for x, (text, color) in zip(xs, boxes):  # an invisible box around "· · ·" keeps the arrows off it too
        style = dict(boxstyle="round,pad=0.45", fc=color or "none", ec="0.3" if color else "none")
        layers.append(ax.text(x, top, text, ha="center", va="center", fontsize=9, bbox=style))

    def arrow(start: Any, end: Any, **style: Any) -> None:
        """An arrow from box ``start`` to box ``end``, clipped at both boxes' edges (drawn after the boxes)."""
        ax.annotate("", xy=end.get_position(), xytext=start.get_position(),
                    arrowprops=dict(arrowstyle="->", patchA=start.get_bbox_patch(), patchB=end.get_bbox_patch(),
                                    shrinkA=2, shrinkB=2, **style))

    for a, b in zip(layers[:-1], layers[1:]):
        arrow(a, b, color="0.2")
    ax.text((xs[0] + xs[-1]) / 2, top + 0.38, "forward pass:  prediction = model(x),  loss = loss_fn(prediction, y)",
            ha="center", fontsize=9, color="0.2")
    opt_x = (xs[1] + xs[-1]) / 2
    optimizer = ax.text(opt_x, bottom, "optimizer\ntorch.optim.SGD, Adam …", ha="center", va="center", fontsize=9,
                        bbox=dict(boxstyle="round,pad=0.45", fc="#e4dff0", ec="0.3"))
    red = "#c0392b"
    arrow(layers[-1], optimizer, color=red, ls="--", connectionstyle="arc3,rad=-0.2")
    ax.text(xs[-1] - 0.15, (top + bottom) / 2 - 0.05, "loss.backward():\n∂loss/∂w for every weight",
            ha="left", va="center", fontsize=8, color=red)
    for target in (layers[1], layers[4]):
        arrow(optimizer, target, color=red, connectionstyle="arc3,rad=-0.15")
    ax.text(xs[1] - 0.35, (top + bottom) / 2 - 0.05, "optimizer.step():\nupdates every w;\n"
            "plain SGD: w ← w − η·∂loss/∂w", ha="right", va="center", fontsize=8, color=red)
    ax.set(xlim=(-0.8, xs[-1] + 1.0), ylim=(-0.1, top + 0.55))
    ax.axis("off")
    return fig


def plot_broadcast(a: torch.Tensor, b: torch.Tensor, op: str = "+") -> Figure:
    """Broadcasting as a picture: ``a``, ``b`` and ``a op b`` (``op``: "+", "-", "*" or "/") as grids of numbers.

    Each operand is drawn at the result's shape: its own entries dark, the copies broadcasting makes of them
    pale, so you see which axis was stretched. Both must be at most 2-D and broadcastable.
    """
    ops: dict[str, Callable[..., torch.Tensor]] = {"+": torch.add, "-": torch.sub, "*": torch.mul, "/": torch.div}
    if op not in ops:
        raise ValueError(_("`op` must be one of {choices}; got {op!r}").format(choices=", ".join(ops), op=op))
    a, b = torch.as_tensor(a), torch.as_tensor(b)
    if a.ndim > 2 or b.ndim > 2:
        raise ValueError(_("`a` and `b` must have at most 2 dimensions; got shapes {a} and {b}").format(
            a=tuple(a.shape), b=tuple(b.shape)))
    result = ops[op](a, b)  # raises PyTorch's own error when the shapes do not broadcast
    rows, cols = (1,) * (2 - result.ndim) + tuple(result.shape)
    fig, axes = new_figure(ncols=3, width=2.4, height=0.6 + 0.45 * rows)

    def grid(ax: Any, t: torch.Tensor, title: str) -> None:
        t2 = t.reshape((1,) * (2 - t.ndim) + tuple(t.shape)) if t.ndim < 2 else t
        shown = t2.expand(rows, cols)
        for i in range(rows):
            for j in range(cols):
                own = (t2.shape[0] == rows or i == 0) and (t2.shape[1] == cols or j == 0)
                ax.add_patch(matplotlib.patches.Rectangle((j, rows - 1 - i), 1, 1, facecolor="#1f77b4",
                                                          alpha=0.55 if own else 0.12, edgecolor="white"))
                ax.text(j + 0.5, rows - 0.5 - i, f"{shown[i, j].item():g}", ha="center", va="center",
                        fontsize=9, color="black" if own else "#777777")
        ax.set(xlim=(0, cols), ylim=(0, rows), title=f"{title}  {tuple(t.shape)}", aspect="equal")
        ax.set_axis_off()

    grid(axes[0], a, "a")
    grid(axes[1], b, "b")
    grid(axes[2], result, f"a {op} b")
    return fig
