"""Data for the course: seeded toy 2-D sets made instantly, scikit-learn's bundled digits, and MNIST.

Every ``make_*`` function returns ``(X, y)``: ``X`` is float32 of shape (n, d); for classification ``y`` is int64
class labels of shape (n,); for regression ``y`` is float32 of shape (n, 1), ready for ``nn.MSELoss`` against a
model's (n, 1) output. The same ``seed`` always gives the same data, whatever the global random state.

Each toy set is two functions: ``make_xor`` checks its arguments and calls ``_make_xor``, the generator itself,
written in plain torch (and math) with its own seeded ``torch.Generator``. ``course_utils.playground.export_code``
copies those generators' source into its standalone scripts, so a script draws the very same points.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal, overload

import torch

from . import validation
from .i18n import _

__all__ = [
    "make_xor", "make_moons", "make_circles", "make_spirals", "make_blobs", "make_regression",
    "load_digits", "load_mnist", "data_dir",
]

MNIST_MEAN, MNIST_STD = 0.1307, 0.3081  # the usual Normalize((0.1307,), (0.3081,)); chapter 8 recomputes them


def _check_n(n: int, name: str = "n") -> None:
    validation.integer(n, name, min=1)


def _check_noise(noise: float) -> None:
    validation.number(noise, "noise", min=0)


def _generator(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


# The generators below are copied into exported scripts (course_utils.playground.export_code): each uses only
# torch and math, and makes its own seeded generator, so it runs on its own.


def _make_xor(n: int, noise: float, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """XOR: four Gaussian clusters at (±1, ±1), label 1 where the signs differ. X (n, 2), y (n,), shuffled."""
    g = torch.Generator().manual_seed(seed)
    corners = torch.tensor([[-1.0, -1.0], [-1.0, 1.0], [1.0, -1.0], [1.0, 1.0]])
    idx = torch.arange(n) % 4
    X = corners[idx] + noise * torch.randn(n, 2, generator=g)
    y = (corners[idx, 0] * corners[idx, 1] < 0).long()
    perm = torch.randperm(n, generator=g)
    return X[perm], y[perm]


def make_xor(n: int = 200, noise: float = 0.1, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Four Gaussian clusters at (±1, ±1); the label is 1 where the signs differ (x₁·x₂ < 0).

    Returns X (n, 2) float32 and y (n,) int64. No straight line separates the classes.

    >>> X, y = make_xor(n=8)
    >>> X.shape, y.shape, y.dtype
    (torch.Size([8, 2]), torch.Size([8]), torch.int64)
    >>> bool((y == (X[:, 0] * X[:, 1] < 0).long()).all())
    True
    """
    _check_n(n)
    _check_noise(noise)
    return _make_xor(n, noise, seed)


def _make_moons(n: int, noise: float, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Two interleaving half circles, labels 0 (upper) and 1 (lower). X (n, 2), y (n,), shuffled."""
    g = torch.Generator().manual_seed(seed)
    n0 = n // 2
    n1 = n - n0
    t0 = torch.linspace(0, math.pi, n0)
    t1 = torch.linspace(0, math.pi, n1)
    upper = torch.stack([torch.cos(t0), torch.sin(t0)], dim=1)
    lower = torch.stack([1 - torch.cos(t1), 0.5 - torch.sin(t1)], dim=1)
    X = torch.cat([upper, lower]) + noise * torch.randn(n, 2, generator=g)
    y = torch.cat([torch.zeros(n0), torch.ones(n1)]).long()
    perm = torch.randperm(n, generator=g)
    return X[perm], y[perm]


def make_moons(n: int = 200, noise: float = 0.1, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Two interleaving half circles (as scikit-learn's ``make_moons``). Returns X (n, 2), y (n,) int64."""
    _check_n(n)
    _check_noise(noise)
    return _make_moons(n, noise, seed)


def _make_circles(n: int, noise: float, factor: float, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """A small circle (label 1, radius ``factor``) inside a large one (label 0, radius 1). X (n, 2), y (n,),
    shuffled."""
    g = torch.Generator().manual_seed(seed)
    n0 = n // 2
    n1 = n - n0
    t0 = torch.linspace(0, 2 * math.pi, n0 + 1)[:-1]
    t1 = torch.linspace(0, 2 * math.pi, n1 + 1)[:-1]
    outer = torch.stack([torch.cos(t0), torch.sin(t0)], dim=1)
    inner = factor * torch.stack([torch.cos(t1), torch.sin(t1)], dim=1)
    X = torch.cat([outer, inner]) + noise * torch.randn(n, 2, generator=g)
    y = torch.cat([torch.zeros(n0), torch.ones(n1)]).long()
    perm = torch.randperm(n, generator=g)
    return X[perm], y[perm]


def make_circles(
    n: int = 200, noise: float = 0.05, factor: float = 0.5, seed: int = 0
) -> tuple[torch.Tensor, torch.Tensor]:
    """A small circle (label 1, radius ``factor``) inside a large one (label 0, radius 1)."""
    _check_n(n)
    _check_noise(noise)
    if not 0 < factor < 1:
        raise ValueError(_("`factor` must be in (0, 1); got {factor!r}").format(factor=factor))
    return _make_circles(n, noise, factor, seed)


def _make_spirals(
    n: int, noise: float, classes: int, turns: float, seed: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """``classes`` interleaved spiral arms of ``turns`` turns around the origin (radius up to 1), one per class.
    X (n, 2), y (n,), shuffled."""
    g = torch.Generator().manual_seed(seed)
    labels = torch.arange(n) % classes
    r = torch.rand(n, generator=g).sqrt()  # uniform over the disc's area, not bunched at the centre
    theta = 2 * math.pi * (turns * r + labels / classes)
    X = torch.stack([r * torch.cos(theta), r * torch.sin(theta)], dim=1)
    X = X + noise * r.unsqueeze(1) * torch.randn(n, 2, generator=g)
    perm = torch.randperm(n, generator=g)
    return X[perm], labels[perm].long()


def make_spirals(
    n: int = 300, noise: float = 0.1, classes: int = 2, turns: float = 1.0, seed: int = 0
) -> tuple[torch.Tensor, torch.Tensor]:
    """``classes`` interleaved spiral arms around the origin (radius up to 1). Returns X (n, 2), y (n,) int64."""
    _check_n(n)
    _check_noise(noise)
    _check_n(classes, "classes")
    return _make_spirals(n, noise, classes, turns, seed)


def _make_blobs(n: int, centers: int, noise: float, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """``centers`` Gaussian blobs with std ``noise`` around points on a circle of radius 2, one per class.
    X (n, 2), y (n,), shuffled."""
    g = torch.Generator().manual_seed(seed)
    labels = torch.arange(n) % centers
    angle = 2 * math.pi * labels / centers + math.pi / 4
    means = 2 * torch.stack([torch.cos(angle), torch.sin(angle)], dim=1)
    X = means + noise * torch.randn(n, 2, generator=g)
    perm = torch.randperm(n, generator=g)
    return X[perm], labels[perm].long()


def make_blobs(
    n: int = 200, centers: int = 2, noise: float = 0.5, seed: int = 0
) -> tuple[torch.Tensor, torch.Tensor]:
    """``centers`` Gaussian blobs with std ``noise`` around points on a circle of radius 2."""
    _check_n(n)
    _check_noise(noise)
    _check_n(centers, "centers")
    return _make_blobs(n, centers, noise, seed)


def _make_regression(
    n: int, n_features: int, noise: float, outliers: float, seed: int
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, float]:
    """A linear target y = X·w + b + noise with X uniform in [−1, 1]^n_features, w all 2s and b = 0.5; a fraction
    ``outliers`` of the targets shifted by ±(5 to 10). Returns X (n, n_features), y (n, 1), and the true w, b."""
    g = torch.Generator().manual_seed(seed)
    w = torch.full((n_features,), 2.0)
    b = 0.5
    X = torch.rand(n, n_features, generator=g) * 2 - 1
    y = X @ w + b + noise * torch.randn(n, generator=g)
    n_out = int(round(outliers * n))
    if n_out:
        idx = torch.randperm(n, generator=g)[:n_out]
        sign = torch.where(torch.rand(n_out, generator=g) < 0.5, -1.0, 1.0)
        y[idx] += sign * (5 + 5 * torch.rand(n_out, generator=g))
    return X, y.unsqueeze(1), w, b


@overload
def make_regression(
    n: int = ..., n_features: int = ..., noise: float = ..., outliers: float = ..., seed: int = ...,
    return_coef: Literal[False] = ...,
) -> tuple[torch.Tensor, torch.Tensor]: ...
@overload
def make_regression(
    n: int = ..., n_features: int = ..., noise: float = ..., outliers: float = ..., seed: int = ..., *,
    return_coef: Literal[True],
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, float]: ...
@overload
def make_regression(
    n: int = ..., n_features: int = ..., noise: float = ..., outliers: float = ..., seed: int = ...,
    return_coef: bool = ...,
) -> tuple[torch.Tensor, torch.Tensor] | tuple[torch.Tensor, torch.Tensor, torch.Tensor, float]: ...
def make_regression(
    n: int = 100,
    n_features: int = 1,
    noise: float = 0.1,
    outliers: float = 0.0,
    seed: int = 0,
    return_coef: bool = False,
) -> tuple[torch.Tensor, torch.Tensor] | tuple[torch.Tensor, torch.Tensor, torch.Tensor, float]:
    """A linear target y = X·w + b + noise, X ~ U(−1, 1). Returns X (n, d) float32 and y (n, 1) float32.

    ``outliers`` is the fraction of points (0 ≤ outliers < 1) whose target is shifted by ±(5 to 10): the data
    that separates MSE from MAE and Huber in the losses chapter. With ``return_coef=True`` also returns the
    true (w (d,), b) — w is all ones times 2, b = 0.5, so a learner can see what a fit should find.
    """
    _check_n(n)
    _check_n(n_features, "n_features")
    _check_noise(noise)
    if not 0 <= outliers < 1:
        raise ValueError(_("`outliers` must be a fraction in [0, 1); got {outliers!r}").format(outliers=outliers))
    X, y, w, b = _make_regression(n, n_features, noise, outliers, seed)
    return (X, y, w, b) if return_coef else (X, y)


_SPLITS = ("train", "test", "all")


def load_digits(
    split: str = "all", resize: int | None = None, test_fraction: float = 0.2, seed: int = 0
) -> tuple[torch.Tensor, torch.Tensor]:
    """scikit-learn's bundled 8×8 handwritten digits (1,797 images, no download) as tensors.

    Returns images (n, 1, 8, 8) float32 in [0, 1] — or (n, 1, resize, resize) when ``resize`` is given
    (bilinear) — and labels (n,) int64. ``split`` is "train", "test" or "all"; the split is a seeded shuffle
    with ``test_fraction`` of the images held out.
    """
    if split not in _SPLITS:
        raise ValueError(_("`split` must be one of {choices}; got {split!r}").format(choices=_SPLITS, split=split))
    if not 0 < test_fraction < 1:
        raise ValueError(_("`test_fraction` must be in (0, 1); got {test_fraction!r}").format(
            test_fraction=test_fraction))
    if resize is not None:
        _check_n(resize, "resize")
    from sklearn.datasets import load_digits as _sk_load_digits

    bunch = _sk_load_digits()
    X = torch.tensor(bunch.images, dtype=torch.float32).unsqueeze(1) / 16.0
    y = torch.tensor(bunch.target, dtype=torch.int64)
    if resize is not None and resize != 8:
        X = torch.nn.functional.interpolate(X, size=(resize, resize), mode="bilinear", align_corners=False)
        X = X.clamp(0.0, 1.0)
    if split == "all":
        return X, y
    perm = torch.randperm(len(y), generator=_generator(seed))
    n_test = int(round(test_fraction * len(y)))
    idx = perm[n_test:] if split == "train" else perm[:n_test]
    return X[idx], y[idx]


def data_dir(root: str | os.PathLike | None = None) -> Path:
    """Where datasets live: ``root`` if given, else $COURSE_DATA_DIR, else ``data/`` at the repository root."""
    if root is not None:
        return Path(root)
    env = os.environ.get("COURSE_DATA_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent / "data"


def _shown(folder: Path) -> str:
    """A folder as a message names it: relative to the course folder when inside it (``data/``), so that what a
    notebook prints is the same on every machine; else as given."""
    course = Path(__file__).resolve().parent.parent
    try:
        return Path(folder).resolve().relative_to(course).as_posix() + "/"
    except ValueError:
        return str(folder)


class DigitsAsMNIST(torch.utils.data.Dataset):
    """The stand-in for MNIST when it cannot be had: the bundled digits at 28×28, served like torchvision's MNIST.

    Items are ``(PIL image in mode "L", int label)`` passed through ``transform``, exactly as
    ``torchvision.datasets.MNIST`` returns them, so the same transforms and loops work on both.
    """

    def __init__(self, train: bool = True, transform: Callable | None = None):
        images, labels = load_digits(split="train" if train else "test", resize=28)
        self.data = (images.squeeze(1) * 255).round().to(torch.uint8)  # (n, 28, 28), like MNIST.data
        self.targets = labels
        self.transform = transform
        self.train = train
        self.classes = [str(i) for i in range(10)]

    def __len__(self) -> int:
        return len(self.targets)

    def __getitem__(self, index: int) -> tuple[Any, int]:
        from PIL import Image

        img = Image.fromarray(self.data[index].numpy())  # uint8 (28, 28) -> mode "L"
        if self.transform is not None:
            img = self.transform(img)
        return img, int(self.targets[index])

    def __repr__(self) -> str:
        split = "train" if self.train else "test"
        return f"DigitsAsMNIST(split={split}, n={len(self)}; scikit-learn 8×8 digits resized to 28×28)"


def load_mnist(
    root: str | os.PathLike | None = None,
    train: bool = True,
    download: bool = True,
    transform: Callable | None = None,
) -> torch.utils.data.Dataset:
    """torchvision's MNIST under ``root`` (default: $COURSE_DATA_DIR, else ``data/``), downloaded if missing.

    When the files are absent and cannot be downloaded (offline, behind a firewall, or ``download=False``), falls
    back to :class:`DigitsAsMNIST` — scikit-learn's bundled digits resized to 28×28 — and prints one line saying
    so. Items are ``(image, label)`` with ``transform`` applied to a PIL image, as in torchvision.
    """
    if not isinstance(train, bool):
        raise ValueError(_("`train` must be True (training split) or False (test split); got {train!r}").format(
            train=train))
    from torchvision import datasets

    folder = data_dir(root)
    try:
        return datasets.MNIST(str(folder), train=train, download=False, transform=transform)
    except RuntimeError:
        pass  # not there yet
    reason = "download=False"
    if download:
        try:
            return _download_mnist(folder, train, transform)
        except Exception as exc:  # offline, firewall, mirror down: any failure means "use the fallback"
            reason = _("download failed: {error}").format(error=type(exc).__name__)
    fallback = DigitsAsMNIST(train=train, transform=transform)
    message = (_("MNIST not found in {folder} ({reason}); using scikit-learn's 8×8 digits resized to 28×28 instead "
                 "({n} training images). To get MNIST, run load_mnist() once with internet access, or copy the "
                 "MNIST/raw files into {folder}.") if train else
               _("MNIST not found in {folder} ({reason}); using scikit-learn's 8×8 digits resized to 28×28 instead "
                 "({n} test images). To get MNIST, run load_mnist() once with internet access, or copy the "
                 "MNIST/raw files into {folder}."))
    print(message.format(folder=_shown(folder), reason=reason, n=len(fallback)))
    return fallback


def _download_mnist(folder: Path, train: bool, transform: Callable | None) -> torch.utils.data.Dataset:
    import socket

    from torchvision import datasets

    old_timeout = socket.getdefaulttimeout()
    socket.setdefaulttimeout(15)  # a firewall that drops packets should not hang the notebook for minutes
    try:
        return datasets.MNIST(str(folder), train=train, download=True, transform=transform)
    finally:
        socket.setdefaulttimeout(old_timeout)
