"""Chapter 05's widgets: the regression losses and their gradients, one outlier against three fits, and softmax
with cross-entropy."""

from __future__ import annotations

from typing import Any

import ipywidgets as W
import torch

from ..i18n import _
from ..losses import cross_entropy, fit_line, regression_loss_curves
from ..plot import new_figure
from ._core import LivePlot, builder, slider
from ._render import fixed_labels


@builder
def loss_curves() -> LivePlot:
    """MSE, MAE, Huber (δ) and Smooth L1 (β) against the residual, with their derivatives."""
    r = torch.linspace(-4, 4, 161)
    fig, (ax_loss, ax_grad) = new_figure(ncols=2, width=4.0, height=3.0)
    first = regression_loss_curves(r, 1.0, 1.0)
    # animated: redrawn at every update over a kept picture of the rest (see LivePlot)
    styles = ["-", "-", "-", "--"]
    loss_lines = [ax_loss.plot(r, v, lw=2, ls=ls, animated=True)[0] for (v, _g), ls in zip(first.values(), styles)]
    grad_lines = [ax_grad.plot(r, g, lw=2, ls=ls, animated=True)[0] for (_v, g), ls in zip(first.values(), styles)]
    marks = [ax.axvline(0, color="0.5", lw=0.8, ls=":", animated=True) for ax in (ax_loss, ax_loss, ax_grad, ax_grad)]
    fixed_labels(ax_loss, "residual r = prediction − target", "loss")
    fixed_labels(ax_grad, "residual r", "derivative dloss/dr")
    ax_loss.set(xlim=(-4, 4), ylim=(0, 6), xticks=[-4, -2, 0, 2, 4], yticks=[0, 2, 4, 6])  # few ticks: less text
    ax_grad.set(xlim=(-4, 4), ylim=(-3, 3), xticks=[-4, -2, 0, 2, 4], yticks=[-2, 0, 2])
    # a fixed legend (text is slow to draw); the values of δ and β are in the titles
    ax_loss.legend(loss_lines, ["MSE", "MAE (L1)", "Huber (δ)", "Smooth L1 (β)"], fontsize=8, loc="upper center")
    for ax in (ax_loss, ax_grad):
        ax.title.set_animated(True)

    def draw(delta: float, beta: float) -> Any:
        curves = regression_loss_curves(r, delta, beta)
        for i, (value, grad) in enumerate(curves.values()):
            loss_lines[i].set_ydata(value.numpy())  # NumPy: matplotlib unbinds tensors slowly
            grad_lines[i].set_ydata(grad.numpy())
        for mark, x in zip(marks, (-delta, delta, -beta, beta)):
            mark.set_xdata([x, x])
        ax_loss.set_title(f"quadratic inside ±δ = ±{delta:.2f} (Huber), ±β = ±{beta:.2f} (Smooth L1)", fontsize=9)
        ax_grad.set_title(f"capped at ±δ = ±{delta:.2f} (Huber), ±1 (Smooth L1)", fontsize=9)
        return fig

    controls = {"delta": slider(1.0, 0.1, 3.0, 0.05, _("Huber δ")),
                "beta": slider(1.0, 0.1, 3.0, 0.05, _("SmoothL1 β"))}
    return LivePlot(draw, controls, title=_("Regression losses and their gradients"))


@builder
def outlier_fit() -> LivePlot:
    """Drag one point away: the lines fitted under MSE, MAE and Huber follow it — or don't."""
    from ..data import make_regression

    x, y = make_regression(n=20, noise=0.2, seed=0)
    x, y = x[:, 0], y[:, 0]
    x_out = 0.9
    grid = torch.tensor([-1.1, 1.1])
    fig, ax = new_figure(width=5.0, height=3.4)
    ax.scatter(x, y, s=18, color="0.3", label="data")
    # animated: redrawn at every update over a kept picture of the rest (see LivePlot)
    (outlier,) = ax.plot([x_out], [0.0], "o", ms=8, color="C3", label="the outlier", animated=True)
    ax.plot(grid, 2 * grid + 0.5, color="0.6", lw=1, ls="--", label="true line y = 2x + 0.5")
    names = {"mse": "MSE", "mae": "MAE", "huber": "Huber"}
    lines = {k: ax.plot(grid, grid, lw=2, label=v, animated=True)[0] for k, v in names.items()}
    ax.set(xlim=(-1.1, 1.1), ylim=(-13, 16))
    fixed_labels(ax, "x", "y")
    ax.legend(fontsize=8, loc="upper left", ncol=2)  # fixed: the slopes are in the title (text is slow to draw)
    ax.title.set_animated(True)

    def draw(outlier_shift: float, delta: float) -> Any:
        y_out = 2 * x_out + 0.5 + outlier_shift
        xs, ys = torch.cat([x, torch.tensor([x_out])]), torch.cat([y, torch.tensor([y_out])])
        outlier.set_ydata([y_out])
        slopes = []
        for key, line in lines.items():
            slope, intercept = fit_line(xs, ys, key, delta)
            line.set_ydata((slope * grid + intercept).numpy())
            slopes.append(f"{names[key]} {slope.item():.2f}")
        ax.set_title(f"the outlier is {outlier_shift:+.1f} off the line; Huber δ = {delta:.2f}\n"
                     f"slopes (true: 2): {', '.join(slopes)}", fontsize=9)
        return fig

    controls = {"outlier_shift": slider(10.0, -12.0, 12.0, 0.5, _("outlier")),
                "delta": slider(1.0, 0.1, 5.0, 0.1, _("Huber δ"))}
    return LivePlot(draw, controls, title=_("One outlier against MSE, MAE and Huber"))


@builder
def cross_entropy_explorer() -> LivePlot:
    """Three logits → softmax probabilities, the cross-entropy of the true class and its gradient p − y."""
    fig, (ax_p, ax_g) = new_figure(ncols=2, width=3.6, height=3.0)
    classes = torch.arange(3)
    # animated: redrawn at every update over a kept picture of the rest (see LivePlot)
    p_bars = ax_p.bar(classes, [1 / 3] * 3, color="0.7", animated=True)
    g_bars = ax_g.bar(classes, [0.0] * 3, color="0.7", animated=True)
    p_text = [ax_p.text(c, 0, "", ha="center", va="bottom", fontsize=8, animated=True) for c in range(3)]
    for ax in (ax_p, ax_g):
        ax.title.set_animated(True)
    ax_p.set(ylim=(0, 1.12), xticks=[0, 1, 2])
    ax_g.set(ylim=(-1.05, 1.05), xticks=[0, 1, 2])
    ax_g.axhline(0, color="0.3", lw=0.8)
    fixed_labels(ax_p, "class", "softmax probability")
    fixed_labels(ax_g, "class", "dL/dz = p − y")

    def draw(z0: float, z1: float, z2: float, true_class: int) -> Any:
        z = torch.tensor([[z0, z1, z2]], requires_grad=True)
        loss = cross_entropy(z, torch.tensor([true_class]))
        (grad,) = torch.autograd.grad(loss, z)
        p = torch.softmax(z.detach(), dim=1)[0]
        for c in range(3):
            color = "C2" if c == true_class else "0.7"
            p_bars[c].set_height(p[c].item())
            p_bars[c].set_color(color)
            p_text[c].set_position((c, p[c].item() + 0.01))
            p_text[c].set_text(f"{p[c].item():.2f}")
            g_bars[c].set_height(grad[0, c].item())
            g_bars[c].set_color(color)
        ax_p.set_title(f"CE = −log p[{true_class}] = {loss.item():.3f}", fontsize=9)
        ax_g.set_title("gradient on the logits (green: true class)", fontsize=9)
        return fig

    controls = {"z0": slider(2.0, -5.0, 5.0, 0.1, _("logit z0")), "z1": slider(1.0, -5.0, 5.0, 0.1, _("logit z1")),
                "z2": slider(0.1, -5.0, 5.0, 0.1, _("logit z2")),
                "true_class": W.Dropdown(options=[0, 1, 2], value=0, description=_("true class"))}
    return LivePlot(draw, controls, title=_("Softmax and cross-entropy for three classes"))
