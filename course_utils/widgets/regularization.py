"""Chapter 07's widget: dropout, weight decay, noise, width and data size against overfitting."""

from __future__ import annotations

import copy
from typing import Any

import ipywidgets as W
import torch

from ..i18n import N_, _
from ..plot import grid_2d, new_figure
from ..regularization import train_regularized_mlp
from ._core import LivePlot, Training, builder, slider
from ._render import fixed_labels, fixed_title

EPOCHS = 300  # what Train trains (train_regularized_mlp's default)
STAGES = (25, 75, 150, EPOCHS)  # the epochs at which the website shows Train's run (see LivePlot.stages)


@builder(trains=True)
def regularization_playground() -> LivePlot:
    """Dropout, weight decay, noise, width and training-set size → press Train → the decision boundary and the
    train / validation loss curves. Sliders only change the settings (and the data shown); Train trains.

    Its ``training`` (see ``LivePlot.stages``) is Train's: the untrained picture, then the run at epochs ``STAGES``.
    """
    import matplotlib as mpl

    from ..data import make_moons
    from ..plot import CLASS_COLORS

    window = (-1.8, 2.8, -1.4, 1.9)
    n_grid = 90
    _x, _y, grid = grid_2d(window[:2], window[2:], n_grid)
    last: dict[str, Any] = {}  # the last training: its "run" (train_regularized_mlp's result) and "settings"

    fig, (ax, ax_loss) = new_figure(ncols=2, width=4.0, height=3.4)
    cmap = mpl.colors.ListedColormap(CLASS_COLORS[:2])
    image = ax.imshow(torch.zeros(n_grid, n_grid).numpy(), origin="lower", extent=window, cmap=cmap, vmin=-0.5,
                      vmax=1.5, alpha=0.25, aspect="auto", interpolation="nearest", visible=False)
    # animated: redrawn at every update over a kept picture of the rest (see LivePlot); the decision boundary
    # and the curves change only when Train is pressed, which redraws everything
    points = ax.scatter([], [], s=16, edgecolors="white", linewidths=0.4, animated=True)
    ax.set(xlim=window[:2], ylim=window[2:], xticks=[], yticks=[])  # few texts to draw: a faster update
    ax.grid(False)
    fixed_title(ax)
    (train_line,) = ax_loss.plot([], [], lw=1.5, label="train")
    (val_line,) = ax_loss.plot([], [], lw=1.5, label="validation")
    # beside the axes: inside, it would cover the curves' ends, where overfitting shows
    ax_loss.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax_loss.set(xlim=(0, 300), ylim=(0, 1.0))
    for a in (ax, ax_loss):
        a.title.set_animated(True)
    fixed_labels(ax_loss, "epoch", "cross-entropy loss")
    ax_loss.xaxis.set_major_locator(mpl.ticker.MaxNLocator(3, integer=True))
    ax_loss.yaxis.set_major_locator(mpl.ticker.MaxNLocator(4))

    def settings(p: float, weight_decay: float, noise: float, width: int, n_train: int) -> tuple:
        return (round(p, 4), round(weight_decay, 4), round(noise, 4), width, n_train)

    def draw(p: float, weight_decay: float, noise: float, width: int, n_train: int) -> Any:
        X, y = make_moons(n=n_train, noise=noise, seed=0)
        points.set_offsets(X.numpy())
        points.set_facecolors([CLASS_COLORS[int(c)] for c in y])
        now = settings(p, weight_decay, noise, width, n_train)
        if last:
            run = last["run"]
            stale = "" if last["settings"] == now else "  (settings changed: press Train)"
            done = len(run["train_loss"])
            at = "" if done == last["epochs"] else f" at epoch {done}"
            ax.set_title(f"val. accuracy {run['val_acc']:.2f}{at}{stale}", fontsize=10)
            best = min(run["val_loss"])
            ax_loss.set_title(f"train {run['train_loss'][-1]:.2f}, validation {run['val_loss'][-1]:.2f} "
                              f"(best {best:.2f})", fontsize=10)
        else:
            ax.set_title(f"{n_train} training points, noise {noise:.2f}: press Train", fontsize=10)
            ax_loss.set_title(f"dropout {p:.2f}, weight decay {weight_decay:.2f}, width {width}", fontsize=10)
        return fig

    def show(run: dict[str, Any], values: dict[str, Any]) -> None:
        """Show a training's ``run`` (train_regularized_mlp's result, or its first epochs) for ``values``."""
        with torch.no_grad():
            pred = run["model"](grid).argmax(1).reshape(n_grid, n_grid)
        image.set_data(pred.numpy())
        image.set_visible(True)
        epochs = range(1, len(run["train_loss"]) + 1)
        train_line.set_data(epochs, run["train_loss"])
        val_line.set_data(epochs, run["val_loss"])
        ax_loss.set_ylim(0, min(3.0, 1.1 * max(max(run["val_loss"]), max(run["train_loss"][5:]))))
        last.update(run=run, settings=settings(**values), epochs=EPOCHS)

    def train(widget: LivePlot) -> None:
        values = widget.values()
        show(train_regularized_mlp(**values), values)

    def stages() -> Any:
        """Train's stages (see LivePlot.stages): the untrained picture, then the run at STAGES epochs."""
        values = widget.values()
        last.clear()
        image.set_visible(False)
        train_line.set_data([], [])
        val_line.set_data([], [])
        ax_loss.set_ylim(0, 1.0)
        yield 0
        run = train_regularized_mlp(**values, checkpoints=STAGES)
        model = copy.deepcopy(run["model"])
        for epoch in STAGES:
            model.load_state_dict(run["checkpoints"][epoch]["state"])
            show({**run, "model": model, "train_loss": run["train_loss"][:epoch],
                  "val_loss": run["val_loss"][:epoch], "val_acc": run["checkpoints"][epoch]["val_acc"]}, values)
            yield epoch

    controls = {
        "p": slider(0.0, 0.0, 0.8, 0.05, _("dropout p")),
        "weight_decay": slider(0.0, 0.0, 1.0, 0.05, _("weight decay")),
        "noise": slider(0.3, 0.05, 0.5, 0.05, _("noise")),
        "width": W.IntSlider(value=128, min=8, max=256, step=8, description=_("width"),
                             layout=W.Layout(width="260px")),
        "n_train": W.IntSlider(value=40, min=20, max=200, step=10, description=_("train size"),
                               layout=W.Layout(width="260px")),
    }
    widget = LivePlot(draw, controls, title=_("Regularization playground (AdamW, 300 full-batch epochs)"),
                      buttons={N_("Train"): train})
    widget.training = Training("Train", stages, lambda: len(last["run"]["train_loss"]) if last else 0)
    return widget
