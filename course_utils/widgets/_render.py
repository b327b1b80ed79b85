"""The fast renderer behind every widget: redraw only what changed, paste the rest.

:class:`FigureRenderer` turns a figure into PNG bytes again and again by matplotlib's *blitting*; :func:`freeze`
marks an artist that never changes so its pixels are pasted, not drawn; :class:`PixelImage` pastes a ready
RGBA array without resampling; :func:`fixed_labels` puts axis labels where a redraw need not measure tick labels.
"""

from __future__ import annotations

import io
import weakref
from typing import Any

from matplotlib.artist import Artist
from matplotlib.figure import Figure
from matplotlib.image import AxesImage

__all__ = ["FigureRenderer", "freeze", "PixelImage", "fixed_labels", "fixed_title", "encode_png"]


def encode_png(rgba: Any, width: int, height: int) -> bytes:
    """An RGBA buffer as PNG bytes; zlib level 1 compresses ~5× faster than the default, for ~10% more bytes."""
    from PIL import Image

    buf = io.BytesIO()
    Image.frombuffer("RGBA", (width, height), rgba, "raw", "RGBA", 0, 1).save(buf, format="png", compress_level=1)
    return buf.getvalue()


_FROZEN: weakref.WeakSet = weakref.WeakSet()


def freeze(artist: Any) -> Any:
    """Mark ``artist`` as never changing, with nothing but the figure's background beneath it (a legend beside
    the axes): a :class:`FigureRenderer` then draws it once and, at every later full redraw, pastes its pixels
    instead of drawing it again. Returns the artist."""
    _FROZEN.add(artist)
    return artist


class FigureRenderer:
    """Renders one figure to PNG again and again, fast, by matplotlib's *blitting*.

    Most of a redraw's time goes into what does not change: tick labels, axis labels, legends, frames. So the
    figure is drawn once without its *animated* artists (those made with ``animated=True`` or marked with
    ``artist.set_animated(True)``), that picture is kept, and each ``render()`` pastes it back and draws only the
    animated artists on top (each axes' in z-order, then the figure's own). The kept picture is redrawn when
    ``key`` differs from the last call's, when any axes' position, limits or scales changed, or after
    ``invalidate()``. A figure without animated artists is drawn whole every time.

    Whatever a redraw changes must therefore be animated (lines, images, titles that show numbers …) or change
    the ``key``; ``tests/test_widgets.py`` checks, for every widget and control, that a render equals a fresh one.
    """

    def __init__(self, fig: Figure):
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        self.fig = fig
        self.canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
        self._background: Any = None
        self._frozen: dict[Any, Any] = {}  # frozen artist → its pixels, once drawn (see freeze())
        self._key: Any = None
        self.key: Any = None  # the last render's key
        self.full_draws = 0  # how often the static layer was drawn (the benchmark and tests read it)

    def invalidate(self) -> None:
        """Forget the kept static layer and frozen pixels: the next render draws the whole figure."""
        self._background = None
        self._frozen = {}

    def _state(self, key: Any) -> tuple:
        fig = self.fig
        axes = tuple((ax.get_visible(), tuple(ax.get_position().bounds), ax.get_xlim(), ax.get_ylim(),
                      ax.get_xscale(), ax.get_yscale()) for ax in fig.axes)
        return key, axes, tuple(fig.get_size_inches()), fig.dpi

    def animated_artists(self) -> list[Any]:
        """The artists drawn at every render, in drawing order."""
        found = []
        for ax in self.fig.axes:
            if ax.get_visible():
                found += sorted((a for a in ax.get_children() if a.get_animated()), key=lambda a: a.get_zorder())
        found += sorted((a for a in self.fig.get_children() if a.get_animated()), key=lambda a: a.get_zorder())
        return found

    def _draw_static(self) -> None:
        """Draw everything not animated (and run the layout engine, if any); paste frozen artists' pixels."""
        children = [a for ax in self.fig.axes for a in ax.get_children()] + self.fig.get_children()
        pasted = [a for a in children if a in _FROZEN and self._frozen.get(a) is not None and a.get_visible()]
        # matplotlib before 3.11 draws an animated AxesImage with the rest (its issue #18985): hide it, so that it
        # stays out of the kept picture
        hidden = pasted + [a for a in children if isinstance(a, AxesImage) and a.get_animated() and a.get_visible()]
        for artist in hidden:
            artist.set_visible(False)
        try:
            self.canvas.draw()
        finally:
            for artist in hidden:
                artist.set_visible(True)
        for artist in pasted:
            self.canvas.restore_region(self._frozen[artist])
        if self.fig.get_layout_engine() is not None:
            return  # a layout engine may still move things at the next draw: keep drawing them until it is off
        renderer = self.canvas.get_renderer()
        for artist in children:
            if artist in _FROZEN and artist not in self._frozen and artist.get_visible():
                self._frozen[artist] = self.canvas.copy_from_bbox(artist.get_window_extent(renderer).padded(4))

    def render(self, key: Any = None) -> bytes:
        """The figure as PNG bytes, redrawing only its animated artists when the rest is unchanged."""
        animated = self.animated_artists()
        self.key = key
        state = self._state(key)
        if self._background is None or state != self._key or not animated:
            self._draw_static()
            self._background = self.canvas.copy_from_bbox(self.fig.bbox)
            self._key = self._state(key)  # again: a layout engine may have moved the axes
            self.full_draws += 1
        else:
            self.canvas.restore_region(self._background)
        renderer = self.canvas.get_renderer()
        for artist in animated:
            artist.draw(renderer)
        width, height = self.canvas.get_width_height()
        return encode_png(self.canvas.buffer_rgba(), width, height)


class PixelImage(Artist):
    """An artist that pastes an RGBA uint8 array ``pixels`` (rows bottom-up) at pixel (x, y) of its figure, as is.

    ``Figure.figimage`` resamples the array even at its own size (about 50 ms for a whole 880×336 figure); this
    hands it straight to the renderer (about 1 ms). Replace the picture by assigning ``artist.pixels``.
    """

    def __init__(self, pixels: Any, x: int, y: int, zorder: float = 0.0):
        super().__init__()
        self.pixels, self.x, self.y = pixels, x, y
        self.set_zorder(zorder)

    def draw(self, renderer: Any) -> None:
        if self.get_visible():
            gc = renderer.new_gc()
            renderer.draw_image(gc, self.x, self.y, self.pixels)
            gc.restore()


def fixed_labels(ax: Any, xlabel: str, ylabel: str) -> None:
    """Axis labels at fixed places and the title at a fixed height (:func:`fixed_title`), so a redraw does not
    measure every tick label to place them."""
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.xaxis.set_label_coords(0.5, -0.13)
    ax.yaxis.set_label_coords(-0.16, 0.5)
    fixed_title(ax)


def fixed_title(ax: Any) -> None:
    """Keep ``ax``'s title just above the axes, where no redraw needs to measure the tick labels to place it.

    By default matplotlib lifts a title above any top tick labels, measuring them at every draw; giving
    ``set_title`` a ``y`` turns that off for good (later ``set_title`` calls keep it off).
    """
    ax.set_title(ax.get_title(), y=1.0)
