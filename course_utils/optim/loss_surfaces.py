"""2-D loss surfaces to watch optimizers move on (re-exported by :mod:`course_utils.optim`).

:data:`surfaces` holds four classic landscapes as :class:`Surface` objects (each with its gradient worked out by
hand); :func:`walk` yields the points an optimizer visits on one, :func:`trajectory` collects them.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import torch
from torch.optim import Optimizer

from .. import validation
from ..i18n import N_, _

__all__ = ["Surface", "surfaces", "walk", "trajectory"]


@dataclass
class Surface:
    """A loss surface f(x, y) to watch optimizers on. ``f`` takes tensors x, y (any equal shapes) and returns
    f elementwise; ``start`` is a suggested start point, ``minima`` the known minimizers, ``f_min`` the lowest
    value, ``xlim``/``ylim`` the window to draw."""

    name: str
    f: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
    start: tuple[float, float]
    minima: list[tuple[float, float]]
    f_min: float = 0.0
    xlim: tuple[float, float] = (-2.0, 2.0)
    ylim: tuple[float, float] = (-2.0, 2.0)
    description: str = ""
    levels: list[float] = field(default_factory=list)  # contour levels that show the surface's shape
    grad: Callable[[float, float], tuple[float, float]] | None = None  # ∂f/∂x, ∂f/∂y by hand (faster)

    @property
    def caption(self) -> str:
        """``description`` in the course's language (see :func:`course_utils.set_language`)."""
        return _(self.description)

    def __call__(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return self.f(x, y)

    def grid(self, n: int = 120) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """``(X, Y, Z)`` on an n × n grid over the window, for contour plots."""
        xs = torch.linspace(*self.xlim, n, dtype=torch.float64)
        ys = torch.linspace(*self.ylim, n, dtype=torch.float64)
        X, Y = torch.meshgrid(xs, ys, indexing="xy")
        return X, Y, self.f(X, Y)


# Each surface f(x, y) with its gradient worked out by hand (the tests check it against autograd): on a
# 2-element point, plain-float gradients make a 200-step trajectory several times faster than autograd.


def _quadratic(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return 0.05 * x**2 + y**2


def _quadratic_grad(x: float, y: float) -> tuple[float, float]:
    return 0.1 * x, 2 * y


def _rosenbrock(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return 0.01 * (1 - x) ** 2 + (y - x**2) ** 2


def _rosenbrock_grad(x: float, y: float) -> tuple[float, float]:
    r = y - x * x
    return -0.02 * (1 - x) - 4 * x * r, 2 * r


def _saddle(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return 0.5 * x**2 - 0.5 * y**2 + 0.25 * y**4


def _saddle_grad(x: float, y: float) -> tuple[float, float]:
    return x, -y + y * y * y


def _himmelblau(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    u, v = 2.5 * x, 2.5 * y
    return ((u**2 + v - 11) ** 2 + (u + v**2 - 7) ** 2) / 100


def _himmelblau_grad(x: float, y: float) -> tuple[float, float]:
    u, v = 2.5 * x, 2.5 * y
    a, b = u * u + v - 11, u + v * v - 7
    return 2.5 * (4 * u * a + 2 * b) / 100, 2.5 * (2 * a + 4 * v * b) / 100


# Himmelblau's four minima, in the rescaled coordinates (u, v) = (2.5 x, 2.5 y).
_HIMMELBLAU_MINIMA = [(3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186), (3.584428, -1.848126)]

surfaces: dict[str, Surface] = {
    "quadratic": Surface(
        "quadratic", _quadratic, start=(-1.8, 1.2), minima=[(0.0, 0.0)],
        description=N_("an ill-conditioned bowl 0.05·x² + y²: 20× steeper across (y) than along (x)"),
        levels=[0.01, 0.03, 0.1, 0.2, 0.4, 0.8, 1.6, 3.2], grad=_quadratic_grad),
    "rosenbrock": Surface(
        "rosenbrock", _rosenbrock, start=(-1.5, 1.5), minima=[(1.0, 1.0)],
        description=N_("Rosenbrock's banana valley (1 − x)² + 100·(y − x²)², divided by 100: a curved, flat-bottomed "
                       "valley with its minimum at (1, 1)"),
        levels=[0.002, 0.01, 0.04, 0.15, 0.5, 1.5, 4.0, 10.0], grad=_rosenbrock_grad),
    "saddle": Surface(
        "saddle", _saddle, start=(-1.8, 0.05), minima=[(0.0, 1.0), (0.0, -1.0)], f_min=-0.25,
        description=N_("a saddle at (0, 0) between two valleys: x²/2 − y²/2 + y⁴/4, minima at (0, ±1)"),
        levels=[-0.2, -0.1, 0.0, 0.1, 0.3, 0.6, 1.0, 1.6], grad=_saddle_grad),
    "himmelblau": Surface(
        "himmelblau", _himmelblau, start=(0.3, -0.3), minima=[(u / 2.5, v / 2.5) for u, v in _HIMMELBLAU_MINIMA],
        description=N_("Himmelblau's function (x² + y − 11)² + (x + y² − 7)² on a 2.5× smaller scale, ÷100: four "
                       "minima of equal depth — where you end depends on where you start and how you move"),
        levels=[0.02, 0.1, 0.3, 0.6, 1.0, 1.6, 2.5, 4.0], grad=_himmelblau_grad),
}


def _as_surface(surface: Surface | str) -> Surface:
    if isinstance(surface, Surface):
        return surface
    if isinstance(surface, str) and surface in surfaces:
        return surfaces[surface]
    raise ValueError(_("`surface` must be a Surface or one of {names}; got {surface!r}").format(
        names=sorted(surfaces), surface=surface))


def walk(
    optimizer_cls: type[Optimizer], surface: Surface | str, start: Sequence[float] | None = None,
    **hyperparameters: Any,
) -> Iterator[tuple[float, float]]:
    """Yield the points ``optimizer_cls`` visits on ``surface``, the start first, one step at a time, for as long
    as you ask (or until it blows up: a coordinate beyond 1e6 in size, or not finite). :func:`trajectory` collects
    them; the optimizer race widget pulls more when you ask for more steps."""
    surface = _as_surface(surface)
    start = surface.start if start is None else start
    if len(start) != 2:
        raise ValueError(_("`start` must be a point (x, y); got {start!r}").format(start=start))
    x, y = float(start[0]), float(start[1])
    point = torch.tensor([x, y], dtype=torch.float64, requires_grad=True)
    optimizer = optimizer_cls([point], **hyperparameters)
    # NumPy views of the point and of its gradient: reading and writing two numbers through them costs far less
    # than making a new tensor at every step
    grad = torch.zeros(2, dtype=torch.float64)
    grad_np, point_np = grad.numpy(), point.detach().numpy()
    yield x, y
    while True:
        if surface.grad is not None:
            grad_np[0], grad_np[1] = surface.grad(x, y)
            point.grad = grad
        else:
            optimizer.zero_grad()
            surface.f(point[0], point[1]).backward()
        optimizer.step()
        x, y = float(point_np[0]), float(point_np[1])
        if not (math.isfinite(x) and math.isfinite(y)) or max(abs(x), abs(y)) > 1e6:
            return  # blown up
        yield x, y


def trajectory(
    optimizer_cls: type[Optimizer],
    surface: Surface | str,
    start: Sequence[float] | None = None,
    steps: int = 100,
    **hyperparameters: Any,
) -> torch.Tensor:
    """Run ``optimizer_cls([point], **hyperparameters)`` for ``steps`` steps on a 2-D ``surface`` from ``start``.

    ``surface`` is a :class:`Surface` (or a key of :data:`surfaces`); ``start`` defaults to its suggested start.
    Works with any optimizer class (``course_utils.optim.Adam``, ``torch.optim.Adam`` …). The gradient is the
    surface's hand-written ``grad`` when it has one, else autograd's. Returns the visited points, float64 of
    shape (steps + 1, 2), the start first. If the optimizer blows up (a coordinate becomes larger than 1e6 in size,
    infinite or NaN), the path stops there and is shorter.
    """
    validation.integer(steps, "steps", min=0)
    points = itertools.islice(walk(optimizer_cls, surface, start, **hyperparameters), steps + 1)
    return torch.tensor(list(points), dtype=torch.float64).reshape(-1, 2)
