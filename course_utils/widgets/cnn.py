"""Chapter 08's widgets: inside a CNN (filters, feature maps, predictions), and training models on the digits."""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any

import ipywidgets as W
import torch

from ..i18n import N_, _
from ..plot import new_figure
from ._core import LivePlot, Training, builder
from ._render import fixed_labels
from .record import state_file

MAX_STATE_BYTES = 8_000_000  # an explorer saved for the website holds its images: at most this many bytes


def _conv_outputs(model: Any, convs: dict[str, Any], x: torch.Tensor) -> dict[str, torch.Tensor]:
    """Every conv layer's output for the batch ``x`` (before its activation), via forward hooks, on the CPU."""
    maps: dict[str, torch.Tensor] = {}
    hooks = [conv.register_forward_hook(lambda _m, _i, out, name=name: maps.__setitem__(name, out.cpu()))
             for name, conv in convs.items()]
    training = model.training
    model.eval()
    try:
        with torch.no_grad():
            model(x.to(next(model.parameters()).device))
    finally:
        model.train(training)
        for h in hooks:
            h.remove()
    return maps


def _convs(model: Any) -> dict[str, Any]:
    from torch import nn

    return {name: m for name, m in model.named_modules() if isinstance(m, nn.Conv2d)}


def _save_explorer(folder: Path, model: Any, images: torch.Tensor, labels: torch.Tensor,
                   probs: torch.Tensor) -> dict[str, Any] | None:
    """Write what the explorer shows into ``folder`` (for the website): the model's class and every tensor of it
    that the feature maps depend on, the images, labels and predicted probabilities. The classifier's linear
    layers are left out (the probabilities are stored; fc1 alone is 12 MB): the file is checked to give the same
    feature maps. Returns the builder's arguments, ``{"model": {"state_file": name}}``; None for a model that is
    not one of ``course_utils.models``' (built without arguments), or images over ``MAX_STATE_BYTES``."""
    import hashlib

    from torch import nn

    from .. import models

    cls = type(model)
    if getattr(models, cls.__name__, None) is not cls or images.numel() * images.element_size() > MAX_STATE_BYTES:
        return None
    linear = {f"{name}.{p}" for name, m in model.named_modules() if isinstance(m, nn.Linear) for p in ("weight", "bias")}
    kept = {k: v.detach().cpu().clone() for k, v in model.state_dict().items() if k not in linear}
    saved = {"format": 1, "model": cls.__name__, "state": kept, "images": images.detach().cpu().contiguous(),
             "labels": labels.cpu().contiguous(), "probs": probs.contiguous()}
    rebuilt = _explorer_model(saved)
    sample = images[:2]
    if rebuilt is None or any(not torch.equal(a, b) for a, b in zip(
            _conv_outputs(model, _convs(model), sample).values(),
            _conv_outputs(rebuilt, _convs(rebuilt), sample).values(), strict=True)):
        return None
    digest = hashlib.sha256(cls.__name__.encode())
    for key, tensor in [*sorted(kept.items()), ("images", saved["images"]), ("labels", saved["labels"]),
                        ("probs", saved["probs"])]:
        digest.update(f"{key}{tuple(tensor.shape)}{tensor.dtype}".encode())
        digest.update(tensor.numpy().tobytes())
    name = f"cnn_explorer-{digest.hexdigest()[:16]}.pt"
    path = Path(folder) / name
    if not path.exists():  # named by its content: the same explorer, once
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".part")
        torch.save(saved, partial)
        partial.replace(path)
    return {"model": state_file(name)}


def _explorer_model(saved: dict[str, Any]) -> Any:
    """The model of a saved explorer: its class built afresh, with the saved tensors (not its linear layers)."""
    from .. import models

    cls = getattr(models, str(saved.get("model")), None)
    if cls is None:
        return None
    with torch.random.fork_rng():
        torch.manual_seed(0)
        model = cls()
    missing, unexpected = model.load_state_dict(saved["state"], strict=False)
    if unexpected or any(k in saved["state"] for k in missing):
        return None
    return model.eval()


@builder
def cnn_explorer(model: Any = None, images: torch.Tensor | None = None, labels: torch.Tensor | None = None) -> LivePlot:
    """Look inside a CNN: pick an image (all, or only the misclassified ones), a conv layer and one of its
    channels; see the image titled "true label → prediction", that channel's filter (for a layer with several
    input channels, one row of weights per input channel), the feature map the filter makes from the image
    (before the activation; red positive, blue negative), and the predicted probabilities (green: the true
    class, red: a wrong prediction).

    ``model`` maps ``images`` (N, 1, H, W) to logits (N, classes); ``labels`` (N,). Without arguments: an
    untrained ``SimpleCNN`` on 64 of scikit-learn's digits (the chapter passes its trained model and test set).
    ``model`` may also be the path of a file the notebook build saved an explorer in, for the website (see
    ``LivePlot.rebuild_arguments``).
    """
    probs = None
    if isinstance(model, str | os.PathLike):
        if images is not None or labels is not None:
            raise ValueError(_("a saved explorer holds its images and labels: pass its file alone"))
        path, saved = model, torch.load(model, map_location="cpu", weights_only=True)
        model = _explorer_model(saved)
        if model is None:
            raise ValueError(_("{path!s}: not an explorer saved by this version of course_utils").format(path=path))
        images, labels, probs = saved["images"], saved["labels"], saved["probs"]
    elif model is None:
        from ..data import load_digits
        from ..models import SimpleCNN

        images, labels = load_digits(split="test", resize=28)
        images, labels = images[:64], labels[:64]
        images = (images - images.mean()) / images.std()
        with torch.random.fork_rng():
            torch.manual_seed(0)
            model = SimpleCNN()
    if images is None or labels is None:
        raise ValueError(_("pass `images` (N, 1, H, W) and `labels` (N,) together with `model`"))
    images, labels = images.detach().cpu(), torch.as_tensor(labels).cpu()
    convs = _convs(model)
    if not convs:
        raise ValueError(_("`model` has no nn.Conv2d layer to look into"))
    if probs is None:
        device = next(model.parameters()).device
        was_training = model.training
        model.eval()
        try:
            with torch.no_grad():
                probs = torch.cat([torch.softmax(model(images[i:i + 256].to(device)), dim=1).cpu()
                                   for i in range(0, len(images), 256)])
        finally:
            model.train(was_training)
    preds = probs.argmax(dim=1)
    wrong = (preds != labels).nonzero().flatten()
    cache: dict[int, dict[str, torch.Tensor]] = {}

    def feature_maps(index: int) -> dict[str, torch.Tensor]:
        """Every conv layer's output for one image (before its activation); cached."""
        if index not in cache:
            if len(cache) > 128:
                cache.clear()
            cache[index] = {name: out[0] for name, out in
                            _conv_outputs(model, convs, images[index:index + 1]).items()}
        return cache[index]

    fig, (ax_img, ax_filter, ax_map, ax_prob) = new_figure(ncols=4, width=2.4, height=2.5)
    # animated: redrawn at every update over a kept picture of the rest (see LivePlot)
    im_img = ax_img.imshow(images[0, 0].numpy(), cmap="gray", interpolation="nearest", animated=True)
    im_filter = ax_filter.imshow(torch.zeros(5, 5).numpy(), cmap="RdBu_r", aspect="auto", interpolation="nearest",
                                 animated=True)
    im_map = ax_map.imshow(torch.zeros(28, 28).numpy(), cmap="RdBu_r", interpolation="nearest", animated=True)
    for ax in (ax_img, ax_filter, ax_map, ax_prob):
        ax.set(xticks=[], yticks=[])
        ax.grid(False)
        ax.title.set_animated(True)
    n_classes = probs.shape[1]
    bars = ax_prob.bar(range(n_classes), torch.zeros(n_classes).numpy(), color="0.7", animated=True)
    ax_prob.set(ylim=(0, 1.05), xticks=range(n_classes), yticks=[0, 0.5, 1])  # few tick labels: a faster redraw
    ax_prob.tick_params(labelsize=8)
    fixed_labels(ax_prob, "class", "probability")

    def show(im: Any, ax: Any, data: torch.Tensor) -> None:
        h, w = data.shape
        lim = max(data.abs().max().item(), 1e-12)
        im.set_data(data.numpy())
        im.set_clim(-lim, lim)
        im.set_extent((-0.5, w - 0.5, h - 0.5, -0.5))
        ax.set(xlim=(-0.5, w - 0.5), ylim=(h - 0.5, -0.5))

    def draw(which: str, example: int, layer: str, channel: int) -> Any:
        pool = wrong if which == "misclassified" and len(wrong) else torch.arange(len(images))
        k = min(example, len(pool) - 1)
        index = int(pool[k])
        label, pred = int(labels[index]), int(preds[index])
        im_img.set_data(images[index, 0].numpy())
        im_img.set_clim(images[index].min().item(), images[index].max().item())
        what = ("misclassified" if which == "misclassified" and len(wrong) else
                "no mistakes: all" if which == "misclassified" else "image")
        ax_img.set_title(f"{what} {k + 1}/{len(pool)}: {label} → {pred}", fontsize=9,
                         color="black" if label == pred else "#c0392b")
        conv = convs[layer]
        c = min(channel, conv.out_channels - 1)
        weight = conv.weight[c].detach().cpu()                                # (in_channels, k_h, k_w)
        kh, kw = weight.shape[1:]
        if weight.shape[0] == 1:
            show(im_filter, ax_filter, weight[0])
            ax_filter.set_title(f"{layer} filter {c} ({kh}×{kw})", fontsize=9)
        else:
            show(im_filter, ax_filter, weight.reshape(weight.shape[0], kh * kw))
            ax_filter.set_title(f"{layer} filter {c}: {weight.shape[0]} rows × {kh}·{kw}", fontsize=9)
        fmap = feature_maps(index)[layer][c]
        show(im_map, ax_map, fmap)
        ax_map.set_title(f"feature map {c + 1}/{conv.out_channels} ({fmap.shape[0]}×{fmap.shape[1]})", fontsize=9)
        for j, bar in enumerate(bars):
            bar.set_height(probs[index, j].item())
            bar.set_color("#2ca02c" if j == label else "#c0392b" if j == pred else "0.7")
        ax_prob.set_title(f"P(predicted {pred}) = {probs[index, pred].item():.2f}", fontsize=9)
        return fig

    first = next(iter(convs.values()))
    controls = {
        # "which" sets the range of "example", "layer" that of "channel" (see on_change below)
        "which": W.Dropdown(options=[(_("all"), "all"), (_("misclassified"), "misclassified")], value="all",
                            description=_("images")),
        "example": W.IntSlider(value=0, min=0, max=len(images) - 1, description=_("example"),
                               layout=W.Layout(width="260px")),
        "layer": W.Dropdown(options=list(convs), value=next(iter(convs)), description=_("layer")),
        "channel": W.IntSlider(value=0, min=0, max=first.out_channels - 1, description=_("channel"),
                               layout=W.Layout(width="260px")),
    }

    widget = LivePlot(draw, controls, title=_("Inside the CNN: filters, feature maps, predictions"))

    def on_which(which: str) -> None:
        n = len(wrong) if which == "misclassified" and len(wrong) else len(images)
        controls["example"].max = n - 1

    def on_layer(layer: str) -> None:
        controls["channel"].max = convs[layer].out_channels - 1

    widget.on_change("which", on_which)  # run before the redraw, which shows the clamped example too
    widget.on_change("layer", on_layer)
    widget.state_arguments = lambda folder: (None if folder is None else
                                             _save_explorer(folder, model, images, labels, probs))
    return widget


@builder(trains=True)
def cnn_trainer(train_size: int = 512, val_size: int = 256, last_run: dict[str, Any] | None = None) -> LivePlot:
    """Pick a model (MLP, SimpleCNN, ResNetSmall) and a budget of epochs, press Train: the loss and accuracy curves
    (train and validation) are redrawn after every epoch. Moving a control is free: it only updates the plan
    shown above the curves (the model's parameter count and the number of batches); the curves stay those of the
    last training until Train is pressed again.

    The data: ``train_size`` and ``val_size`` of scikit-learn's digits at 28×28 (no download), normalized,
    batches of 64, Adam (lr 1e-3), seeded, so that one epoch takes well under a second for each model.
    ``last_run``: the curves to show before any training, ``{"model": name, "history": History.as_dict()}``
    (a trainer gives its own as ``widget.rebuild_arguments()["last_run"]``; the website builds it again so).
    """
    from torch.utils.data import DataLoader, TensorDataset

    from .. import set_seed
    from ..data import load_digits
    from ..models import MLP, ResNetSmall, SimpleCNN
    from ..train import History, fit

    factories = {"MLP": MLP, "SimpleCNN": SimpleCNN, "ResNetSmall": ResNetSmall}
    images, labels = load_digits(split="all", resize=28)
    images = (images - images.mean()) / images.std()
    train_set = TensorDataset(images[:train_size], labels[:train_size])
    val_loader = DataLoader(TensorDataset(images[train_size:train_size + val_size],
                                          labels[train_size:train_size + val_size]), batch_size=256)
    batches = -(-train_size // 64)
    n_params: dict[str, int] = {}

    def count(name: str) -> int:
        if name not in n_params:
            with torch.random.fork_rng():
                n_params[name] = sum(p.numel() for p in factories[name]().parameters())
        return n_params[name]

    state: dict[str, Any] = {"history": None, "name": None}
    if last_run is not None:
        if set(last_run) != {"model", "history"} or last_run["model"] not in factories:
            raise ValueError(_("`last_run` must be {{'model': one of {models}, 'history': "
                               "History.as_dict()}}; got {last_run!r:.80}").format(
                models=list(factories), last_run=last_run))
        state["name"], state["history"] = last_run["model"], History(**last_run["history"])
    fig, (ax_loss, ax_acc) = new_figure(ncols=2, width=3.4, height=2.9)
    lines = {}
    for ax, key in ((ax_loss, "loss"), (ax_acc, "acc")):
        # animated: redrawn at every update over a kept picture of the rest (see LivePlot)
        lines[f"train_{key}"] = ax.plot([], [], "o-", ms=3, color="C0", label="train", animated=True)[0]
        lines[f"val_{key}"] = ax.plot([], [], "o-", ms=3, color="C1", label="validation", animated=True)[0]
    ax_loss.set(xlabel="epoch", ylabel="cross-entropy loss", xlim=(0.5, 6.5), ylim=(0, 2.5))
    ax_acc.set(xlabel="epoch", ylabel="accuracy", xlim=(0.5, 6.5), ylim=(0, 1.02))
    ax_acc.legend(fontsize=8, loc="lower right")
    plan = fig.suptitle("", fontsize=9, animated=True)
    result = ax_loss.set_title("not trained yet: press Train", fontsize=9)
    result.set_animated(True)

    def draw(model: str, epochs: int) -> Any:
        plan.set_text(f"next run: {model} ({count(model):,} parameters), {epochs} epoch{'s' * (epochs > 1)} × "
                      f"{batches} batches of 64 = {epochs * batches} steps")
        history = state["history"]
        if history is not None:
            x = list(range(1, history.epochs + 1))
            for key, line in lines.items():
                line.set_data(x, getattr(history, key))
            top = max(history.train_loss + history.val_loss)
            ax_loss.set_ylim(0, max(2.5, 1.05 * top))
            result.set_text(f"last run: {state['name']}, val. acc. {history.val_acc[-1]:.0%}")
        elif state["name"] is not None:  # a stage before any epoch (see stages below): empty curves
            for line in lines.values():
                line.set_data([], [])
            result.set_text(f"{state['name']}: not trained yet")
        return fig

    def train(widget: LivePlot) -> None:
        name, epochs = widget.controls["model"].value, widget.controls["epochs"].value
        set_seed(0)
        model = factories[name]()
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
        loader = DataLoader(train_set, batch_size=64, shuffle=True)
        state["name"], state["history"] = name, None
        for _epoch in range(epochs):  # one epoch at a time, redrawing in between: live curves
            one = fit(model, loader, torch.nn.CrossEntropyLoss(), optimizer, 1, val_loader=val_loader,
                      progress=False)
            if state["history"] is None:
                state["history"] = one
            else:
                for key in ("train_loss", "val_loss", "train_acc", "val_acc", "lr", "epoch_time"):
                    getattr(state["history"], key).extend(getattr(one, key))
            widget.update()

    controls = {
        "model": W.Dropdown(options=list(factories), value="MLP", description=_("model")),
        "epochs": W.IntSlider(value=3, min=1, max=6, description=_("epochs"), layout=W.Layout(width="260px")),
    }
    widget = LivePlot(draw, controls, title=_("Train a model on the digits: live curves"),
                      buttons={N_("Train"): train})

    def state_arguments(_folder: Any) -> dict[str, Any] | None:
        """The arguments it was made with and the curves it shows: the trainer as it is now (see LivePlot)."""
        if widget.origin["kwargs"] is None:
            return None
        run = ({"model": state["name"], "history": state["history"].as_dict()} if state["history"] is not None
               else None)
        return {**widget.origin["kwargs"], "last_run": run}

    widget.state_arguments = state_arguments
    # Train's stages, for the website: before training, then after each epoch. Every model's run is kept (its
    # model, optimizer and random state after each epoch) and continued, so that 1 to 6 epochs of one model cost
    # one 6-epoch run; the same as pressing Train, which starts from set_seed(0) too.
    runs: dict[str, dict[str, Any]] = {}

    def stages() -> Any:
        name, epochs = widget.controls["model"].value, widget.controls["epochs"].value
        state["name"], state["history"] = name, None
        yield 0
        if name not in runs:
            outside = torch.get_rng_state()
            set_seed(0)
            model = factories[name]()
            runs[name] = {"model": model, "optimizer": torch.optim.Adam(model.parameters(), lr=1e-3),
                          "loader": DataLoader(train_set, batch_size=64, shuffle=True), "epochs": [],
                          "rng": torch.get_rng_state()}
            torch.set_rng_state(outside)
        run = runs[name]
        while len(run["epochs"]) < epochs:
            outside = torch.get_rng_state()
            torch.set_rng_state(run["rng"])
            run["epochs"].append(fit(run["model"], run["loader"], torch.nn.CrossEntropyLoss(), run["optimizer"], 1,
                                     val_loader=val_loader, progress=False))
            run["rng"] = torch.get_rng_state()
            torch.set_rng_state(outside)
        for done in range(1, epochs + 1):
            history = copy.deepcopy(run["epochs"][0])
            for one in run["epochs"][1:done]:
                for key in ("train_loss", "val_loss", "train_acc", "val_acc", "lr", "epoch_time"):
                    getattr(history, key).extend(getattr(one, key))
            state["history"] = history
            yield done

    widget.training = Training("Train", stages,
                               lambda: state["history"].epochs if state["history"] is not None else None)
    return widget
