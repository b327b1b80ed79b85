"""The picture of chapter 09's network playground (its controls are in ``playground_widget``)."""

from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np
import torch

from ..plot import grid_2d
from ._render import PixelImage

MAX_UNIT_MAPS = 64  # hidden units drawn as heatmaps (input side first); any beyond are grey squares


def _rgb(r: int, g: int, b: int) -> tuple[float, float, float]:
    return r / 255, g / 255, b / 255


@functools.lru_cache(maxsize=1024)
def text_mask(text: str, size: float, bold: bool = False) -> Any:
    """``text`` rasterized by matplotlib's Agg renderer as an alpha mask, uint8 (height, width), rows bottom-up.

    Cached: a label drawn again costs nothing, where a matplotlib Text would be laid out and rasterized at every
    redraw (several milliseconds for a long line).
    """
    from matplotlib.backends.backend_agg import RendererAgg
    from matplotlib.font_manager import FontProperties

    from ..plot import DPI

    prop = FontProperties(size=size, weight="bold" if bold else "normal")
    width, height, descent = RendererAgg(1, 1, DPI).get_text_width_height_descent(text, prop, ismath=False)
    renderer = RendererAgg(math.ceil(width) + 2, math.ceil(height) + 2, DPI)
    gc = renderer.new_gc()
    gc.set_foreground("black")
    renderer.draw_text(gc, 1, 1 + height - descent, text, prop, 0.0)  # y: the baseline, from the top
    gc.restore()
    return np.asarray(renderer.buffer_rgba())[::-1, :, 3].copy()


class PlaygroundView:
    """The playground's picture: the network (a heatmap per input feature and per unit, weights as lines), the
    output over the plane with the train and test points, and the loss curves, under a header line (the epoch
    and the losses) and a line of the settings.

    Made for speed (a redraw must stay well under 100 ms): the figure is laid out in whole pixels, and every
    heatmap is composed in NumPy into two images that matplotlib pastes without resampling (:class:`PixelImage`):
    an underlay (the output heatmap, beneath the points) and an overlay (the network's squares, above the weight
    lines). The labels and the settings line, which change only with the layout, are rasterized once per string
    (:func:`text_mask`) and written into the overlay; the header is an ordinary matplotlib Text. ``pg`` is the
    ``course_utils.playground.Playground`` drawn; call :meth:`rebuild` after its layers or data change, then
    :meth:`render`.
    """

    FIG_W, FIG_H = 880, 336  # pixels (11 × 4.2 inches at 80 dpi)
    NET = (0, 0, 456, 282)  # x, y, width, height in pixels, from the bottom left
    OUT = (470, 22, 228, 228)
    LOSS = (732, 36, 132, 214)  # room around it for the tick labels
    CELL = 3  # the output heatmap: 76 × 76 cells of 3 × 3 pixels

    def __init__(self, pg: Any):
        from matplotlib.collections import LineCollection
        from matplotlib.colors import LinearSegmentedColormap
        from matplotlib.figure import Figure
        from matplotlib.ticker import MaxNLocator

        from ..plot import CLASS_COLORS, DPI

        self.pg = pg
        self.cmap = LinearSegmentedColormap.from_list("playground", [CLASS_COLORS[0], "#ffffff", CLASS_COLORS[1]])
        self.lut = (self.cmap(np.linspace(0, 1, 256)) * 255).astype(np.uint8)  # (256, 4) RGBA
        self.light_lut = self.lut.copy()
        self.light_lut[:, 3] = 150  # the output heatmap, light enough for the points on it to show
        self.colors01 = np.array([self.cmap(0.0), self.cmap(1.0)])  # class 0 blue, class 1 orange
        fw, fh = self.FIG_W, self.FIG_H
        self.fig = fig = Figure(figsize=(fw / DPI, fh / DPI), dpi=DPI)

        def axes(box: tuple[int, int, int, int]) -> Any:
            x, y, w, h = box
            return fig.add_axes((x / fw, y / fh, w / fw, h / fh))

        self.W, self.H = self.NET[2], self.NET[3]
        self.ax_net = axes(self.NET)
        self.ax_net.set_axis_off()
        self.ax_net.set(xlim=(0, self.W), ylim=(0, self.H))  # data units = pixels
        self.edges = LineCollection([], capstyle="butt")
        self.ax_net.add_collection(self.edges)

        self.ax_out = ax = axes(self.OUT)
        ax.patch.set_visible(False)  # the heatmap underlay shows through
        ax.set(xticks=[], yticks=[])  # no numbers: text is the costliest part of a redraw
        ax.grid(False)
        self.train_pts = ax.scatter([], [], s=16, edgecolors="white", linewidths=0.6, zorder=3)
        self.test_pts = ax.scatter([], [], s=16, edgecolors="black", linewidths=0.8, zorder=3)
        n = self.OUT[2] // self.CELL
        self.underlay = PixelImage(np.zeros((n * self.CELL, n * self.CELL, 4), np.uint8), self.OUT[0], self.OUT[1],
                                   zorder=-1)
        fig.add_artist(self.underlay)

        self.ax_loss = axl = axes(self.LOSS)
        axl.tick_params(labelsize=8, length=2, pad=2)
        axl.xaxis.set_major_locator(MaxNLocator(3, integer=True))  # epochs
        axl.yaxis.set_major_locator(MaxNLocator(3))
        (self.train_line,) = axl.plot([], [], color="0.25", lw=1.4)
        (self.test_line,) = axl.plot([], [], color="#d62728", lw=1.4)

        self.overlay_pixels = np.zeros((fh, fw, 4), np.uint8)
        self.static = self.overlay_pixels.copy()  # the overlay's unchanging part: the loss legend
        self.labels = self.static.copy()  # the static part and the network's labels (redone at every rebuild)
        self.overlay = fig.add_artist(PixelImage(self.overlay_pixels, 0, 0, zorder=5))
        x, y = self.LOSS[0], self.LOSS[1] + self.LOSS[3] + 8
        for label, rgb in (("train loss", (64, 64, 64)), ("test loss", (214, 39, 40))):
            self.static[y - 1:y + 1, x:x + 14, :3] = rgb
            self.static[y - 1:y + 1, x:x + 14, 3] = 255
            x = self._blit(self.static, label, x + 18, y, 8, (40, 40, 40)) + 14
        # the one text that changes at every redraw: an ordinary matplotlib Text, above the overlay
        self.header_text = fig.text(8 / fw, (fh - 16) / fh, "", fontsize=12, color=_rgb(20, 20, 20),
                                    va="center", weight="bold", zorder=6)
        self.header = self.subheader = ""
        self.data_key: Any = None
        self.rebuild()

    def _blit(self, target: Any, text: str, x: float, y: float, size: float, rgb: tuple, ha: str = "left",
              bold: bool = False) -> int:
        """Write ``text`` into the RGBA pixels ``target`` (rows bottom-up), vertically centred on y. Returns
        the x just right of the text."""
        alpha = text_mask(text, size, bold)
        h, w = alpha.shape
        x0 = int(round(x - {"left": 0, "center": w / 2, "right": w}[ha]))
        y0 = int(round(y - h / 2))
        x1, y1 = min(x0 + w, target.shape[1]), min(y0 + h, target.shape[0])
        if x0 < 0 or y0 < 0 or x1 <= x0 or y1 <= y0:
            return x0 + w
        region = target[y0:y1, x0:x1]
        a = alpha[: y1 - y0, : x1 - x0]
        region[..., :3][a > 0] = rgb
        region[..., 3] = np.maximum(region[..., 3], a)
        return x0 + w

    # -- layout of the network panel
    def rebuild(self) -> None:
        """Place the nodes and weight lines for the current features and hidden layers; new grids for the data."""
        from ..playground import FEATURE_LABELS

        pg, s = self.pg, self.pg.settings
        widths = [len(s.features), *s.hidden, 1]
        n_cols, rows = len(widths), max(widths)
        left, right, bottom, top = 58, 26, 8, self.H - 22  # room for the column labels on top
        col_gap = (self.W - left - right) / (n_cols - 1)
        row_gap = min((top - bottom) / rows, 46.0)
        side = int(max(6, min(36, 0.8 * row_gap, 0.42 * col_gap)))
        self.side = side
        centers = []  # per column: (x, [y of each node]) in pixels, nodes top to bottom
        middle = (top + bottom) / 2
        for i, n in enumerate(widths):
            x = left + i * col_gap
            centers.append((x, [middle + ((n - 1) / 2 - j) * row_gap for j in range(n)]))
        self.corners = [[(int(round(x - side / 2)), int(round(y - side / 2))) for y in ys] for x, ys in centers]
        segments = []
        for (xa, ya), (xb, yb) in zip(centers, centers[1:]):
            for y_out in yb:  # the order of weight.reshape(-1): (out, in) row-major
                for y_in in ya:
                    segments.append(((xa + side / 2, y_in), (xb - side / 2, y_out)))
        self.edges.set_segments(segments)
        self.labels = labels = self.static.copy()
        x0, ys = centers[0]
        nx, ny = self.NET[0], self.NET[1]
        for name, y in zip(s.features, ys):
            self._blit(labels, FEATURE_LABELS[name], nx + x0 - side / 2 - 5, ny + y, 9, (40, 40, 40), ha="right")
        unit = " units" if col_gap > 62 else ""
        names = ["inputs", *[f"{h}{unit if h > 1 else unit[:5]}" for h in s.hidden], "output"]
        for (x, _), label in zip(centers, names):
            self._blit(labels, label, nx + x, ny + self.H - 10, 8.5, (70, 70, 70), ha="center")
        self.subheader = self._subheader()
        self._blit(labels, self.subheader, 8, self.FIG_H - 40, 9, (50, 50, 50))
        # grids over the data's window: one point per pixel of a node, and one per cell of the output heatmap
        window = pg.window()
        self.node_grid = self._grid(window, side)
        self.n_out = self.OUT[2] // self.CELL
        self.out_grid = self._grid(window, self.n_out)
        self.ax_out.set(xlim=window[:2], ylim=window[2:])
        key = (s.dataset, s.noise, s.n, s.train_fraction, s.data_seed)
        if key != self.data_key:
            self.data_key = key
            self._place_points()

    @staticmethod
    def _grid(window: tuple[float, float, float, float], res: int) -> torch.Tensor:
        """The centres of res × res cells tiling ``window``, (res·res, 2), rows of constant y, bottom row first."""
        return grid_2d(window[:2], window[2:], res, cell_centres=True)[2]

    def _place_points(self) -> None:
        pg = self.pg
        n_train = pg.settings.n_train
        X = pg.X_raw.numpy()
        y = pg.y_raw[:, 0].numpy()
        if pg.settings.task == "classification":
            colors = self.colors01[y.astype(int)]
            self.y_mid, self.y_half = 0.5, 0.5
        else:
            lo, hi = float(y.min()), float(y.max())
            self.y_mid, self.y_half = (lo + hi) / 2, max((hi - lo) / 2, 1e-6)
            colors = self.cmap((y - lo) / (hi - lo + 1e-12))
        self.train_pts.set_offsets(X[:n_train])
        self.train_pts.set_facecolors(colors[:n_train])
        self.test_pts.set_offsets(X[n_train:])
        self.test_pts.set_facecolors(colors[n_train:])

    # -- drawing
    @staticmethod
    def _index(values: Any, center: float, scale: float | None) -> Any:
        """Map values to 0..255 LUT indices: center → 127.5, center ± scale → 0 / 255 (scale: max |v − center|)."""
        v = values - center
        if scale is None:
            finite = np.abs(v[np.isfinite(v)])
            scale = float(finite.max()) if finite.size else 0.0
        v = v / scale if scale > 1e-12 else np.zeros_like(v)
        return np.clip(np.nan_to_num((v + 1) * 127.5, nan=127.5), 0, 255).astype(np.uint8)

    def _paint(self, values: Any, col: int, row: int, center: float = 0.0, scale: float | None = None) -> None:
        """Colour one node's square of the overlay with ``values`` (side·side,)."""
        side = self.side
        x0, y0 = self.corners[col][row]
        x0, y0 = x0 + self.NET[0], y0 + self.NET[1]
        self.overlay_pixels[y0:y0 + side, x0:x0 + side] = self.lut[self._index(values, center, scale)].reshape(
            side, side, 4)
        frame = self.overlay_pixels[y0 - 1:y0 + side + 1, x0 - 1:x0 + side + 1]  # a grey 1-pixel border
        frame[[0, -1], :] = (150, 150, 150, 255)
        frame[:, [0, -1]] = (150, 150, 150, 255)

    def render(self, status: str = "") -> Any:
        """Update every part of the picture from the playground's current state; ``status`` ends the header.
        Returns the Figure."""
        pg, s = self.pg, self.pg.settings
        self.overlay_pixels[:] = self.labels
        outs = [o.numpy() for o in pg.layer_outputs(self.node_grid)]
        for j in range(outs[0].shape[1]):  # input features, each scaled by its own largest |value|
            self._paint(outs[0][:, j], 0, j)
        center = 0.5 if s.activation == "sigmoid" else 0.0
        shown = 0
        for layer, h in enumerate(outs[1:-1], start=1):
            for j in range(h.shape[1]):
                if shown < MAX_UNIT_MAPS:
                    self._paint(h[:, j], layer, j, center=center)
                else:
                    self._paint(np.zeros(h.shape[0]), layer, j)
                shown += 1
        logits = outs[-1][:, 0]
        if s.task == "classification":
            self._paint(1 / (1 + np.exp(-np.clip(logits, -60, 60))), len(outs) - 1, 0, center=0.5, scale=0.5)
        else:
            self._paint(logits, len(outs) - 1, 0, center=self.y_mid, scale=self.y_half)
        w = np.concatenate([weight.detach().reshape(-1).numpy() for weight in pg.weights])
        self.edges.set_linewidth(0.3 + np.minimum(3.2, 1.6 * np.abs(np.nan_to_num(w))))
        self.edges.set_color(self.colors01[(w > 0).astype(int)] * [1, 1, 1, 0.8])

        out = pg.predict(self.out_grid).numpy()
        cells = self.light_lut[self._index(out, self.y_mid, self.y_half)].reshape(self.n_out, self.n_out, 4)
        self.underlay.pixels = cells.repeat(self.CELL, axis=0).repeat(self.CELL, axis=1)

        h = pg.history
        self.train_line.set_data(range(len(h["train_loss"])), h["train_loss"])
        self.test_line.set_data(range(len(h["test_loss"])), h["test_loss"])
        finite = [v for v in h["train_loss"] + h["test_loss"] if math.isfinite(v)]
        self.ax_loss.set_xlim(0, max(10, pg.epoch))
        self.ax_loss.set_ylim(0, 1.08 * max(finite) if finite else 1.0)

        acc = f"   test accuracy {pg.test_accuracy:.2f}" if pg.test_accuracy is not None else ""
        diverged = "   (diverged: the loss is not finite)" if not math.isfinite(pg.train_loss) else ""
        self.header = (f"epoch {pg.epoch}   train loss {pg.train_loss:.3f}   test loss {pg.test_loss:.3f}"
                       f"{acc}{diverged}{status}")
        self.header_text.set_text(self.header)
        return self.fig

    def _subheader(self) -> str:
        """The second line: the training settings (they change only with a rebuild)."""
        from .. import playground as P

        s = self.pg.settings
        sched = {"none": "constant lr", "step": f"StepLR (×{s.gamma:g} every {s.step_size} epochs)",
                 "cosine": f"cosine lr over {s.t_max} epochs"}[s.schedule]
        reg = "no regularization" if s.regularization == "none" else s.regularization.upper()
        return (f"{P.OPTIMIZER_LABELS[s.optimizer]}, lr {s.lr:g}, batch {s.batch_size}, {sched} · "
                f"{reg} (rate {s.reg_rate:g}) · dropout {s.dropout:.2f}")
