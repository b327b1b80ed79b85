"""Build the course's website: both editions' executed notebooks as pages, with widgets that answer without a kernel.

``python3 course.py site`` runs ``build()``: it never executes a notebook. For each edition of the table of editions
(``course_utils/editions.json``) it copies its committed notebooks into ``build/site-src/<code>/`` and replaces every
live widget's output with a static one: the widget is built again from what its output's metadata records (``course_widget``, a
``course_utils.widgets.record.WidgetRecord``: builder, arguments, control values), its pictures are precomputed for the values
a learner reaches by moving one control at a time from there (every combination when that grid is small), and the
page gets the same controls over those pictures (``website/_static/course-widgets.js`` swaps them). The record's
``rebuild`` holds the builder's arguments for the state shown: for a widget trained before it was shown, what
it says of that state (a playground's settings and epoch, a trainer's last run, or a file the notebook build
saved in ``website/widget-state/``: an explorer's trained convolutions). A widget without them keeps its picture
with its controls disabled; buttons are disabled (an action is not a control's value), and so is any control
whose pictures are all the same as the shown one: "run the notebook to use this". A widget that trains
(``LivePlot.training``: chapter 09's playgrounds, 08's trainer, 07's regularization widget) is the exception:
the build trains it for each setting the page reaches (seeded: what its button gives in the notebook), keeps a
few stages of each training (``LivePlot.stages``), and its button (Play, Train) plays them; a moved control shows
that setting trained to the epoch on display (see ``precompute``). A progress line a widget says what that cost. Whether a widget can be built
again is read from its record, not from its pixels, so a site built with other library versions than the
notebooks still rebuilds every widget it can. Then Sphinx with MyST-NB and the book theme (``website/conf.py``, told
the edition by the tag ``edition_<code>``) writes ``build/site/<site path>/``; MathJax and the pictures are stored
once, at the site's root, for every edition. Beside the chapters, each edition has the site's own pages, written
per edition in ``website/pages/<name>.<code>.md`` with their pictures (``<name>.<code>.png``), copied in as
``<name>.md``: the teacher's page (``teachers``, linked from the home page and the navigation; its gradebook
picture is drawn by ``python -m tools.simclass``) and the get-the-course page (``get``, the README's Quick start,
linked from every page's header by ``website/_templates/get-course.html``). The way in: the whole course as one
archive at the site's root (``course_archive``: the files git tracks, ``nn-course.zip``), each chapter's download
button serving the notebook as committed (copied over Sphinx's ``_sources/``), the home page's course map (the
README's table, each chapter with its picture: ``course_map``), and the entry page ``build/site/index.html``, which
opens the edition the reader chose last or the browser's language speaks (``entry_page``). The site's own words (the book's title, the widgets' notes, the
headings of the home page) are marked ``N_()`` here and translated from the catalog
``locale/<code>/LC_MESSAGES/website.po`` (``python -m tools.i18n update`` extracts them, and compiles the ``.mo``
read here with the standard library's gettext).

It uses only public names of ``course_utils`` (the record, ``BUILDERS``, and ``LivePlot``'s ``set_values``,
``redraw``, ``layout``, ``controls`` and ``title``): a test holds it to that. ``build()`` returns a ``SiteBuild``
that lists what became of every widget output (``WidgetResult``), which the site's tests read; it also writes
that list, one line a widget, to ``build/site/widgets.log`` for people.

    python -m tools.website            build the site into build/site/ (open build/site/index.html)
"""

from __future__ import annotations

import base64
import contextlib
import copy
import dataclasses
import functools
import hashlib
import html
import http.server
import io
import itertools
import json
import math
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat

from course_utils.editions import EDITIONS, SOURCE, edition

from .i18n import website_translations as translations  # the site's words in an edition's language

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "build" / "site"
SOURCES = ROOT / "build" / "site-src"
CONF = ROOT / "website"
STATE = CONF / "widget-state"  # what the notebook build saved of widgets a model trained in the notebook draws
PAGES = CONF / "pages"  # the site's own pages, one file per edition: <name>.<code>.md and what they show
TEACHERS = "teachers"  # the teacher's page (the kit, classroom/), linked from the home page
GET = "get"  # the get-the-course page (the README's Quick start), linked from every page's header and the home page
ARCHIVE = "nn-course.zip"  # the whole course as one archive, at the site's root (course_archive)
CHAPTER_PICTURES = "_chapters"  # each chapter's picture on the home page's course map, once, at the site's root
MAX_VALUES = 21      # values of one slider on the site: all its steps up to this many, else this many evenly spread
GRID_LIMIT = 120     # every combination of the controls when there are at most this many, else one at a time
TRAINED_VALUES = 4   # values of one slider of a widget that trains (each one's training is run at the build) ...
TRAINED_FEW = 3      # ... or this many when that would make more than TRAINED_SETTINGS settings to train
TRAINED_SETTINGS = 24
SAME_PICTURE = 24    # largest difference of a pixel's channel (0-255) in two of a widget's pictures that are the same
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def N_(message: str) -> str:
    """Mark a sentence of the site for its catalog (``python -m tools.i18n update`` extracts it); ``translations``
    gives it in an edition's language."""
    return message


TITLE = N_("Neural networks from scratch, hands-on, in PyTorch")  # the book's title: the home page and every tab
SHORT_TITLE = N_("Neural networks from scratch")  # the site's entry page, where every edition's stands side by side
WORDS = {
    "run": N_("Run the notebook to use this."),
    "single": N_("On this page, one control moves at a time: moving one puts the others back where they were "
                 "shown (the page holds the pictures of one change; run the notebook to combine changes)."),
    "frozen": N_("This widget shows a state the page cannot draw again: run the notebook to move its controls."),
    "map": N_("Course map"),
    "chapters": N_("Chapters"),
    "teachers": N_("For teachers"),
    # the home page's line to the teacher's page; {page}: the link, named by the page's title
    "teachers_line": N_("Teaching this course to a class? The course as graded assignments with nbgrader, on one "
                        "machine or a JupyterHub: {page}."),
    "get": N_("Get the course"),  # every page's header and the home page
    # the home page's line to the get-the-course page; {page}: the link, named by the page's title
    "get_line": N_("To run the chapters, move their sliders and check your answers on your own computer (Windows, "
                   "macOS or Linux), download the course: {page}."),
    # under the course map, for the star of its last column
    "run_time": N_("Run time: the chapter top to bottom in a fresh kernel, on a 2-core CPU without a GPU."),
    # every page's footer; {title}: the book's title, {licence}: the licence's name (pyproject.toml)
    "footer": N_("{title}: a course published under the {licence} licence."),
    # around the names of the controls that need the notebook, after "run": each language's punctuation
    "open": N_(" ("),
    "comma": N_(", "),
    "close": N_(")"),
}


TEXT = {e.code: {key: translations(e.code).gettext(msgid) for key, msgid in WORDS.items()} for e in EDITIONS}


# --------------------------------------------------------------------------------------------- widget pictures
def _options(control: Any) -> list[tuple[str, Any]]:
    """A selection control's (label, value) pairs, whatever form its options were given in."""
    options = control.options
    if isinstance(options, dict):
        return [(str(k), v) for k, v in options.items()]
    return [(str(o[0]), o[1]) if isinstance(o, tuple) else (str(o), o) for o in options]


def _spread(n: int, keep: int, limit: int = MAX_VALUES) -> list[int]:
    """At most ``limit`` indices of range(n) (one more for ``keep``), evenly spread, first and last and ``keep``
    included."""
    if n <= limit:
        return list(range(n))
    picked = {round(i * (n - 1) / (limit - 1)) for i in range(limit)} | {keep}
    return sorted(picked)


def control_values(control: Any, limit: int = MAX_VALUES) -> tuple[list[Any], list[str], int] | None:
    """The values the site offers for ``control`` (snapped to its steps), their labels, and the current one's index.

    None for a control that cannot be precomputed (free text). ``limit``: at most so many values of a slider (and
    of a selection slider, when lower than MAX_VALUES: a widget that trains), evenly spread, the current one kept.
    """
    import ipywidgets as W

    if isinstance(control, W.Checkbox):
        return [False, True], ["off", "on"], int(bool(control.value))
    if isinstance(control, W.Dropdown | W.SelectionSlider | W.RadioButtons | W.ToggleButtons):
        pairs = _options(control)
        values = [v for _label, v in pairs]
        start = values.index(control.value) if control.value in values else 0
        if isinstance(control, W.SelectionSlider) and limit < MAX_VALUES:
            keep = _spread(len(pairs), start, limit)
            return [values[i] for i in keep], [pairs[i][0] for i in keep], keep.index(start)
        return values, [label for label, _v in pairs], start
    if isinstance(control, W.FloatLogSlider):
        steps = int(round((control.max - control.min) / control.step))
        exponents = [control.min + i * control.step for i in range(steps + 1)]
        here = min(range(len(exponents)), key=lambda i: abs(exponents[i] - math.log(control.value, control.base)))
        keep = _spread(len(exponents), here, limit)
        values = [control.base ** exponents[i] for i in keep]
        return values, [f"{v:.3g}" for v in values], keep.index(here)
    if isinstance(control, W.FloatSlider | W.IntSlider):
        steps = int(round((control.max - control.min) / control.step))
        grid = [control.min + i * control.step for i in range(steps + 1)]
        here = min(range(len(grid)), key=lambda i: abs(grid[i] - control.value))
        keep = _spread(len(grid), here, limit)
        values = [grid[i] if i != here else control.value for i in keep]
        if isinstance(control, W.IntSlider):
            values = [int(round(v)) for v in values]
            return values, [str(v) for v in values], keep.index(here)
        fmt = getattr(control, "readout_format", ".2f") or ".2f"
        return values, [format(v, fmt) for v in values], keep.index(here)
    return None


def _save_frame(png: bytes, frames: Path) -> str:
    """Store a picture once in ``frames`` (named by its content), compressed for the web; return its file name.

    A widget draws its PNGs with the fastest compression; the site stores them as 256-colour PNGs (a plot has
    few colours), a third of the size, the same picture to the eye. The palette comes from Pillow's fast octree
    (6 ms a picture where the median cut took 34, smaller files, closer colours: tests/test_site.py holds it).
    """
    from PIL import Image

    name = hashlib.sha1(png).hexdigest()[:20] + ".png"
    path = frames / name
    if not path.exists():
        image = Image.open(io.BytesIO(png)).convert("RGB")
        # Pillow < 9.1 names the constants on Image itself
        method, dither = (Image.Quantize.FASTOCTREE, Image.Dither.NONE) if hasattr(Image, "Quantize") else (2, 0)
        image.quantize(colors=256, method=method, dither=dither).save(path, format="png", compress_level=6)
    return name


def _pixels(png: bytes) -> Any:
    import numpy as np
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=np.int16)


def same_picture(a: bytes, b: bytes) -> bool:
    """Whether two PNGs show the same picture: no pixel differs by more than anti-aliasing does (SAME_PICTURE)."""
    pa, pb = _pixels(a), _pixels(b)
    return pa.shape == pb.shape and int(abs(pa - pb).max()) <= SAME_PICTURE


def offered_controls(widget: Any) -> list[dict[str, Any]]:
    """The controls the site offers for ``widget``, with their values (``control_values``): [{name, values, labels,
    start}]; a widget that trains offers fewer values a slider (TRAINED_VALUES, or TRAINED_FEW when that would make
    more than TRAINED_SETTINGS settings to train)."""
    limit = MAX_VALUES
    if getattr(widget, "training", None) is not None:
        offered = [control_values(c, TRAINED_VALUES) for c in widget.controls.values()]
        reach = sum(len(o[0]) - 1 for o in offered if o is not None)
        limit = TRAINED_VALUES if reach <= TRAINED_SETTINGS else TRAINED_FEW
    controls = []
    for name, control in widget.controls.items():
        offered = control_values(control, limit)
        if offered is not None:
            values, labels, here = offered
            controls.append({"name": name, "values": values, "labels": labels, "start": here})
    return controls


def reachable_settings(controls: list[dict[str, Any]], start: dict[str, Any]) -> list[dict[str, Any]]:
    """The control values the page reaches from ``start``: ``start`` first, then every combination of the controls'
    values when there are at most GRID_LIMIT, else each control moved alone."""
    sizes = [len(c["values"]) for c in controls]
    if math.prod(sizes) <= GRID_LIMIT:
        return [dict(start)] + [{**start, **{c["name"]: c["values"][i] for c, i in zip(controls, combo)}}
                                for combo in itertools.product(*(range(n) for n in sizes))]
    return [dict(start)] + [{**start, c["name"]: v} for c in controls for i, v in enumerate(c["values"])
                            if i != c["start"]]


def precompute(widget: Any, start: dict[str, Any], frames: Path, cache: dict[str, list] | None = None,
               cache_key: str = "", trainer: Any = None) -> dict[str, Any]:
    """Pictures of ``widget`` around the control values ``start``, stored in ``frames``: {mode, controls, frames,
    live controls, captions, training}; ``captions`` holds the widget's text line (``LivePlot.caption``) for each
    picture's key, or is empty for a widget without one.

    A control is live when moving it changes the picture at all (a caption counts: the notebook shows it too).

    A widget that trains (``LivePlot.training``) is trained at the build for every setting the page reaches (fewer
    values a slider: TRAINED_VALUES, or TRAINED_FEW), and ``training`` holds the stages of each setting's training
    (``LivePlot.stages``): {button: the training button's index among the buttons, start: the stage shown,
    stages: {key: [[epoch, picture], ...]}, captions: {key: [text, ...]}}; each key's picture in ``frames`` is
    then its stage at the epoch on display (the last stage when the widget shows a finished training): a moved
    control shows the network trained with that setting. ``cache`` keeps the stages of a setting for another
    edition's page of the same widget (its pictures are the same), under ``cache_key``, the shown picture (the
    widget's state, whatever words its record holds beside it: a translated note, a run's timings) and the values.
    ``trainer``, when given, computes the stages of a list of settings elsewhere (``StageTrainer``: the build
    trains on every core), each as ``widget.stages`` would.
    """
    training = getattr(widget, "training", None)
    cache = {} if cache is None else cache
    controls = offered_controls(widget)
    base = widget.set_values(start)
    if base is not None:  # drawn afresh, like every later picture: the first draw, laying the figure out, may
        widget.redraw(fresh=True)  # place a title a pixel apart from where the later ones put it
        base = widget.set_values({})
    sizes = [len(c["values"]) for c in controls]
    grid = 1
    for size in sizes:
        grid *= size
    mode = "grid" if grid <= GRID_LIMIT else "single"
    saved: dict[str, str] = {}
    captions: dict[str, str] = {}
    pictures: dict[tuple[int, ...], bytes] = {}
    starts = tuple(c["start"] for c in controls)
    staged: dict[str, list[list]] = {}  # a widget that trains: each key's stages, [[epoch, picture], ...]
    stage_captions: dict[str, list[str]] = {}
    at: dict[str, int] = {}

    shown_state = hashlib.sha1(base).hexdigest() if base is not None else ""

    def cached(values: dict[str, Any]) -> str:
        return cache_key + shown_state + json.dumps(values, sort_keys=True, default=str)

    def stages_of(values: dict[str, Any]) -> list:
        if cached(values) not in cache:
            cache[cached(values)] = [(s.epoch, s.png, s.caption) for s in widget.stages(values)]
        return cache[cached(values)]

    if training is not None and base is not None and trainer is not None:  # every setting's training at once
        settings = reachable_settings(controls, start)
        missing = list({cached(v): v for v in settings if cached(v) not in cache}.values())
        for values, found in zip(missing, trainer(start, missing)):
            if found is not None:  # None: a setting that does not draw
                cache[cached(values)] = found

    if training is not None and base is not None:
        shown = training.shown()
        epochs = [epoch for epoch, _png, _caption in stages_of(dict(start))]
        at["start"] = epochs.index(shown) if shown in epochs else len(epochs) - 1
        at["end"] = int(at["start"] == len(epochs) - 1)

    def picture(key: str, combo: tuple[int, ...], values: dict[str, Any]) -> bytes | None:
        """The picture of ``values`` (a trained widget: its stage on display), stored under ``key``."""
        if training is None:
            png = widget.set_values(values)
            if png is not None:
                captions[key] = widget.caption_text
        else:
            try:
                found = stages_of(values)
            except RuntimeError:  # a setting that does not draw: the page keeps the control where it is
                return None
            if found is None:
                return None
            staged[key] = [[epoch, _save_frame(png, frames)] for epoch, png, _caption in found]
            stage_captions[key] = [caption for _epoch, _png, caption in found]
            here = len(found) - 1 if at["end"] else min(at["start"], len(found) - 1)
            png = found[here][1]
            captions[key] = found[here][2]
        if png is not None:
            saved[key] = _save_frame(png, frames)
            pictures[combo] = png
        return png

    if mode == "grid":
        for combo in itertools.product(*(range(n) for n in sizes)):
            picture(",".join(map(str, combo)), combo,
                    {**start, **{c["name"]: c["values"][i] for c, i in zip(controls, combo)}})
    else:
        if base is not None:
            if training is not None:  # the shown picture: the stage on display of the shown values
                picture("", starts, dict(start))
            saved[""] = _save_frame(base, frames)
            captions[""] = widget.caption_text if training is None else captions[""]
            pictures[starts] = base
        for k, c in enumerate(controls):
            for i, value in enumerate(c["values"]):
                if i != c["start"]:
                    picture(f"{c['name']}={i}", starts[:k] + (i,) + starts[k + 1:], {**start, c["name"]: value})
        widget.set_values(start)
    reference = pictures.get(starts, base)
    live = [c["name"] for k, c in enumerate(controls) if base is not None and any(
        not same_picture(pictures[key], reference) for key in pictures
        if key[k] != c["start"] and key[:k] + key[k + 1:] == starts[:k] + starts[k + 1:])]
    if getattr(widget, "caption", None) is None:
        captions = {}
        stage_captions = {}
    trained = None
    if training is not None and staged:
        trained = {"button": list(widget.buttons).index(training.button), "start": at["start"], "stages": staged}
        if stage_captions:
            trained["captions"] = stage_captions
    # a widget that trains: a control whose every setting trains the very network shown (the units of a network
    # without hidden layers) is no dead control: it answers with the same picture, and stays where it is moved
    same = [c["name"] for k, c in enumerate(controls) if training is not None and c["name"] not in live and all(
        f"{c['name']}={i}" in staged for i in range(len(c["values"])) if i != c["start"])] if mode == "single" else []
    return {"mode": mode, "controls": controls, "frames": saved, "live": live, "same": same, "captions": captions,
            "training": trained}


class StageTrainer:
    """Trains the widgets that train on every core: worker processes (started when first needed, one a core) that
    build a widget again from its record and return ``LivePlot.stages`` of the settings they are given, as
    (epoch, PNG, caption) tuples, None for a setting that does not draw. ``close()`` stops them."""

    def __init__(self) -> None:
        self.pool: Any = None
        self.pending: dict[str, tuple[Any, int]] = {}  # a setting's training under way: its chunk's future, place

    def start(self, builder: str, arguments: dict[str, Any], lang: str, start: dict[str, Any],
              settings: list[dict[str, Any]]) -> None:
        """Start training ``settings`` in the background (``prefetch_training``: while the build does the rest)."""
        import concurrent.futures
        import multiprocessing

        settings = [v for v in settings if self.key(builder, arguments, lang, start, v) not in self.pending]
        if not settings:
            return
        workers = max(1, min(os.cpu_count() or 1, 4))
        if self.pool is None:  # spawned, not forked: a fork of a process whose torch has started threads may hang
            self.pool = concurrent.futures.ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
        size = max(1, min(4, -(-len(settings) // workers)))
        for i in range(0, len(settings), size):
            future = self.pool.submit(stages_in_worker, builder, arguments, lang, start, settings[i:i + size])
            for place, values in enumerate(settings[i:i + size]):
                self.pending[self.key(builder, arguments, lang, start, values)] = (future, place)

    def __call__(self, builder: str, arguments: dict[str, Any], lang: str, start: dict[str, Any],
                 settings: list[dict[str, Any]]) -> list[list | None]:
        self.start(builder, arguments, lang, start, settings)
        out = []
        for values in settings:
            future, place = self.pending.pop(self.key(builder, arguments, lang, start, values))
            out.append(future.result()[place])
        return out

    @staticmethod
    def key(*parts: Any) -> str:
        """The name of a setting's training: its builder, arguments, edition, shown values and values."""
        return json.dumps(parts, sort_keys=True, default=str)

    def close(self) -> None:
        """Stop the workers once the settings they are training are done; those queued and not yet started are
        dropped (after a finished build there are none: every one was asked for)."""
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)
            self.pool = None
            self.pending.clear()


_WORKER_WIDGETS: dict[str, Any] = {}  # a worker's widgets, by builder, arguments and edition


def stages_in_worker(builder: str, arguments: dict[str, Any], lang: str, start: dict[str, Any],
                     settings: list[dict[str, Any]]) -> list[list | None]:
    """In a worker of ``StageTrainer``: the stages of each of ``settings`` for the widget ``builder(**arguments)``
    at control values ``start`` in edition ``lang``."""
    import torch

    import course_utils
    from course_utils.widgets import BUILDERS

    torch.set_num_threads(1)  # one process a core (the notebooks too are built with one thread)
    os.environ.setdefault("MPLBACKEND", "Agg")
    course_utils.set_language(lang)
    key = json.dumps([builder, arguments, lang], sort_keys=True, default=str)
    if key not in _WORKER_WIDGETS:
        _WORKER_WIDGETS[key] = BUILDERS[builder](**arguments)
        _WORKER_WIDGETS[key].set_values(start)
    widget = _WORKER_WIDGETS[key]
    out: list[list | None] = []
    for values in settings:
        try:
            out.append([(s.epoch, s.png, s.caption) for s in widget.stages(values)])
        except RuntimeError:
            out.append(None)
    return out


# ------------------------------------------------------------------------------------------------ widget HTML
def _control_html(name: str, control: Any, spec: dict | None, live: bool) -> str:
    label = html.escape(control.description or name)
    off = "" if live else " disabled"
    if spec is None:
        return f'<label>{label} <input type="text" data-control="{name}" disabled></label>'
    values, labels, start = spec["values"], spec["labels"], spec["start"]
    if values == [False, True]:
        checked = " checked" if start == 1 else ""
        return f'<label><input type="checkbox" data-control="{name}"{checked}{off}> {label}</label>'
    if type(control).__name__ == "Dropdown":
        options = "".join(f'<option value="{i}"{" selected" if i == start else ""}>{html.escape(text)}</option>'
                          for i, text in enumerate(labels))
        return f'<label>{label} <select data-control="{name}"{off}>{options}</select></label>'
    return (f'<label>{label} <input type="range" min="0" max="{len(values) - 1}" step="1" value="{start}" '
            f'data-control="{name}"{off}><span class="cw-readout" data-readout="{name}">'
            f'{html.escape(labels[start])}</span></label>')


def widget_html(widget: Any, pictures: dict | None, shown_png: bytes, lang: str, frames: Path) -> str:
    """The static widget: the notebook's layout of controls over the precomputed pictures (or the shown one, stored
    in ``frames``)."""
    text = TEXT[lang]
    specs = {c["name"]: c for c in pictures["controls"]} if pictures else {}
    live = set(pictures["live"]) | set(pictures.get("same", ())) if pictures else set()
    rows, buttons = widget.layout()
    parts = [f'<div class="cw-title"><b>{html.escape(widget.title)}</b></div>']
    for row in rows:
        cells = [_control_html(n, widget.controls[n], specs.get(n), n in live) for n in row]
        parts.append(f'<div class="cw-row">{"".join(cells)}</div>')
    trains = pictures.get("training") if pictures else None  # the button that plays the training's stages
    if buttons:
        parts.append('<div class="cw-row">' + "".join(
            f'<button data-train>{html.escape(b)}</button>' if trains and i == trains["button"] else
            f"<button disabled>{html.escape(b)}</button>" for i, b in enumerate(buttons)) + "</div>")
    first = pictures["frames"].get("" if pictures["mode"] == "single" else
                                   ",".join(str(c["start"]) for c in pictures["controls"])) if pictures else None
    src = first or _save_frame(shown_png, frames)
    parts.append(f'<img class="cw-image" data-base="../_widgets/" src="../_widgets/{src}" alt="{html.escape(widget.title)}">')
    captions = pictures.get("captions", {}) if pictures else {}
    if getattr(widget, "caption", None) is not None:  # the text line under the picture, as the notebook shows it
        start_key = "" if pictures is None or pictures["mode"] == "single" else ",".join(
            str(c["start"]) for c in pictures["controls"])
        parts.append(f'<div class="cw-caption">{html.escape(captions.get(start_key, widget.caption_text))}</div>')
    notes = []
    if pictures is None:
        notes.append(text["frozen"])
    else:
        idle = [widget.controls[n].description or n for n in widget.controls if n not in live] + [
            b for i, b in enumerate(buttons) if not (trains and i == trains["button"])]
        if idle:
            notes.append(text["run"] + text["open"] + text["comma"].join(idle) + text["close"])
        if pictures["mode"] == "single" and len(live) > 1:
            notes.append(text["single"])
    parts += [f'<div class="cw-note">{html.escape(n)}</div>' for n in notes]
    data = {"mode": pictures["mode"], "frames": pictures["frames"], "captions": captions,
            "controls": [{"name": c["name"], "values": c["labels"], "start": c["start"]}
                         for c in pictures["controls"] if c["name"] in live]} if pictures else {"mode": "none",
                                                                                                "frames": {},
                                                                                                "controls": []}
    if trains:
        data["training"] = trains
    if pictures and pictures.get("same"):
        data["same"] = pictures["same"]
    attribute = html.escape(json.dumps(data, ensure_ascii=False), quote=True)
    live_class = " cw-live" if pictures and live else ""
    return f'<div class="course-widget-static{live_class}" data-widget="{attribute}">{"".join(parts)}</div>'


@dataclasses.dataclass(frozen=True)
class WidgetResult:
    """What the site made of one widget output: where it is (edition, page, the cell's index in the notebook), its
    builder, and ``mode``: ``grid`` (a picture for every combination of the controls' values) or ``single`` (one
    control moved at a time), with ``pictures`` precomputed and the ``live`` controls (those that change the
    picture); or ``frozen``: the shown picture only, controls disabled, and ``reason`` says why."""

    lang: str
    page: str
    cell: int
    builder: str | None
    mode: str
    pictures: int = 0
    live: tuple[str, ...] = ()
    reason: str = ""
    stages: int = 0  # a widget that trains: its stage pictures (per setting, a few epochs of its training)

    def line(self) -> str:
        """One line of ``widgets.log``."""
        how = f"frozen: {self.reason}" if self.mode == "frozen" else f"{self.pictures} pictures ({self.mode})"
        if self.stages:
            how += f", {self.stages} training stages"
        return f"{self.lang}/{self.page} cell {self.cell} {self.builder}: {how}"


@dataclasses.dataclass
class SiteWidgets:
    """The widget part of one site build: where the pictures go (``frames``), where the notebook build saved the
    state of widgets a trained model draws (``state``), and a result per widget output made static so far."""

    frames: Path
    state: Path
    results: list[WidgetResult] = dataclasses.field(default_factory=list)
    stages: dict[str, list] = dataclasses.field(default_factory=dict)  # training stages, shared by the editions
    trainer: StageTrainer | None = None  # trains them on every core (else in this process)


def static_widget(raw: Any, shown_png: bytes, lang: str, widgets: SiteWidgets, page: str = "",
                  cell: int = -1) -> tuple[str, WidgetResult]:
    """(HTML, what became of it) for a widget output whose metadata ``course_widget`` is ``raw`` and whose picture
    is ``shown_png`` (PNG bytes), on ``page`` of edition ``lang``, cell ``cell``."""
    import course_utils
    from course_utils.widgets import BUILDERS
    from course_utils.widgets.record import WidgetRecord, in_state_folder

    course_utils.set_language(lang)

    def frozen(widget: Any, name: str | None, reason: str) -> tuple[str, WidgetResult]:
        markup = widget_html(widget, None, shown_png, lang, widgets.frames) if widget else _picture_only(
            shown_png, widgets.frames)
        return markup, WidgetResult(lang, page, cell, name, "frozen", reason=reason)

    try:
        record = WidgetRecord.from_json(raw)
    except ValueError as exc:
        return frozen(None, None, f"its record is not valid: {exc}")
    builder = BUILDERS.get(record.builder or "")
    if builder is None:
        return frozen(None, record.builder, "no widget builder of that name")
    if record.rebuild is None:
        return frozen(builder(), record.builder, "not rebuildable")
    try:
        widget = builder(**in_state_folder(record.rebuild, widgets.state)[0])
    except Exception as exc:  # e.g. a saved state missing: rebuild the notebook (python3 course.py notebooks NN)
        return frozen(builder(), record.builder, f"could not build it again: {exc!r}")
    values = {name: value for name, value in record.values.items() if name in widget.controls}
    if widget.set_values(values) is None:
        return frozen(widget, record.builder, f"the shown values do not draw: {widget.last_error!r}")
    t = time.perf_counter()
    # the same widget in another edition draws the same pictures (a widget's words in its figure stay English),
    # unless it has a text line, which is in the edition's language (precompute adds the shown picture to the key)
    cache_key = json.dumps([record.builder, lang if widget.caption is not None else ""])
    arguments = in_state_folder(record.rebuild, widgets.state)[0]
    trainer = None if widgets.trainer is None else functools.partial(widgets.trainer, record.builder, arguments,
                                                                     lang)
    pictures = precompute(widget, values, widgets.frames, widgets.stages, cache_key, trainer)
    trained = pictures["training"]
    stages = sum(len(v) for v in trained["stages"].values()) if trained else 0
    if trained:  # a long precomputation: say what it did
        print(f"{lang}/{page} cell {cell} {record.builder}: {len(trained['stages'])} settings trained, {stages} "
              f"stages, {time.perf_counter() - t:.0f} s", flush=True)
    return widget_html(widget, pictures, shown_png, lang, widgets.frames), WidgetResult(
        lang, page, cell, record.builder, pictures["mode"], len(pictures["frames"]), tuple(pictures["live"]),
        stages=stages)


def _picture_only(png: bytes, frames: Path) -> str:
    return f'<div class="course-widget-static"><img class="cw-image" src="../_widgets/{_save_frame(png, frames)}"></div>'


# ---------------------------------------------------------------------------------------------------- the pages
# a chapter's link to the README of its edition (any edition's): on the site, that is the edition's home page
README_LINK = re.compile(r"\]\((?:\.\./)+(?:" + "|".join(re.escape(e.readme) for e in EDITIONS) + r")\)")


# nbval's markers (``# NBVAL_CHECK_OUTPUT`` …): for the tests, not for a reader. A comment line that is only a marker
# goes whole; a marker after code on its line goes with its ``#``.
TEST_MARKER_LINE = re.compile(r"^[ \t]*#[ \t]*NBVAL_[A-Z_]+[ \t]*(?:\n|$)", re.MULTILINE)
TEST_MARKER_END = re.compile(r"[ \t]*#[ \t]*NBVAL_[A-Z_]+[ \t]*$", re.MULTILINE)


def strip_test_markers(source: str) -> str:
    """A code cell's source without nbval's markers, as the site shows it.

    >>> strip_test_markers("# NBVAL_CHECK_OUTPUT\\nprint(1)  # NBVAL_IGNORE_OUTPUT\\n# a comment")
    'print(1)\\n# a comment'
    """
    return TEST_MARKER_END.sub("", TEST_MARKER_LINE.sub("", source))


def prepare_notebook(path: Path, lang: str, widgets: SiteWidgets) -> nbformat.NotebookNode:
    """A copy of a committed notebook for the site: widgets made static (each one's result added to
    ``widgets.results``), links kept inside the site, nbval's markers taken out of the code."""
    nb = copy.deepcopy(nbformat.read(path, as_version=4))
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            cell.source = join_cjk_lines(README_LINK.sub("](index.md)", cell.source))
            continue
        if cell.cell_type != "code":
            continue
        cell.source = strip_test_markers(cell.source)
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if WIDGET_VIEW not in data:
                continue
            record = output.get("metadata", {}).get("course_widget")
            if record is not None and "image/png" in data:
                markup, result = static_widget(record, base64.b64decode(data["image/png"]), lang, widgets,
                                               path.stem, index)
                widgets.results.append(result)
                output["data"] = {"text/html": markup, "text/plain": data.get("text/plain", "")}
            else:  # a progress bar and other widgets without a picture: their saved text
                if record is not None:  # a course widget shown without its picture: the page keeps its text
                    builder = record.get("builder") if isinstance(record, dict) else None
                    widgets.results.append(WidgetResult(lang, path.stem, index, builder, "frozen",
                                                        reason="its output holds no picture"))
                output["data"] = {"text/plain": data.get("text/plain", "")}
            output["metadata"] = {}
    nb.metadata.pop("widgets", None)
    return nb


def _intro(lang: str) -> str:
    """The edition's README's opening paragraph (after the title and the line of editions, which names them)."""
    paragraphs = [p for p in (ROOT / edition(lang).readme).read_text(encoding="utf-8").split("\n\n") if p.strip()]
    names = tuple(prefix + e.name for e in EDITIONS for prefix in ("", "["))
    return next(p for p in paragraphs[1:] if not p.startswith((*names, "!", "#")))


def page_files(lang: str) -> dict[str, Path]:
    """The site's own pages' files in edition ``lang`` ({name in the site: file}): ``website/pages/<name>.<code>.<ext>``
    (a page's markdown and the pictures it shows), one set per edition; raises if the edition lacks a file the source
    edition has."""
    def files(code: str) -> dict[str, Path]:
        return {p.name.replace(f".{code}.", ".", 1): p for p in sorted(PAGES.glob(f"*.{code}.*"))}

    mine, source = files(lang), files(SOURCE.code)
    missing = sorted(set(source) - set(mine))
    if missing:
        raise SiteBuildError(f"website/pages/ has no {', '.join(missing)} for the {lang} edition: "
                             f"translate {', '.join(source[m].name for m in missing)}")
    return mine


def _page_title(path: Path) -> str:
    return next(line[2:].strip() for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("# "))


# a row of a README's course map: | [NN · title](notebooks/…/NN_name.ipynb) | what you learn | widgets | run time |
MAP_ROW = re.compile(r"^\| \[([^\]]+)\]\((?:[\w.-]+/)*(\d\d_\w+)\.ipynb\) \|(.*)$")
PICTURE_WIDTH = 360  # pixels: the course map shows each chapter's picture at most half this wide (sharp on HiDPI)


def chapter_picture(notebook: Path, out: Path) -> tuple[str, int, int] | None:
    """The chapter's picture for the home page: its last PNG output as committed (the README's, docs/img/), at most
    PICTURE_WIDTH wide, as a 256-colour PNG stored once in ``out`` (named by its content); (file name, width,
    height), or None for a chapter without a figure."""
    from PIL import Image

    nb = nbformat.read(notebook, as_version=4)
    pngs = [o["data"]["image/png"] for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
            if "image/png" in o.get("data", {})]
    if not pngs:
        return None
    png = base64.b64decode(pngs[-1])
    image = Image.open(io.BytesIO(png)).convert("RGB")
    if image.width > PICTURE_WIDTH:
        image = image.resize((PICTURE_WIDTH, round(image.height * PICTURE_WIDTH / image.width)), Image.LANCZOS)
    name = hashlib.sha1(png).hexdigest()[:20] + ".png"
    out.mkdir(parents=True, exist_ok=True)
    if not (out / name).exists():
        method = Image.Quantize.FASTOCTREE if hasattr(Image, "Quantize") else 2
        image.quantize(colors=256, method=method).save(out / name, format="png", compress_level=9)
    return name, image.width, image.height


def course_map(lang: str, pictures: Path) -> str:
    """The home page's course map: the edition's README's table (chapter, what you learn, widgets, run time), each
    chapter linked to its page and shown by its picture (``chapter_picture``, lazy-loaded from the site's root)."""
    lines = (ROOT / edition(lang).readme).read_text(encoding="utf-8").splitlines()
    rows = [i for i, line in enumerate(lines) if MAP_ROW.match(line)]
    if not rows:
        raise SiteBuildError(f"{edition(lang).readme} has no course map (a table of the chapters)")
    header, rule = lines[rows[0] - 2], lines[rows[0] - 1]
    table = ["| |" + header[1:], "|---" + rule]  # a first column for the pictures
    folder = ROOT / edition(lang).notebooks
    for i in rows:
        title, stem, rest = MAP_ROW.match(lines[i]).groups()  # type: ignore[union-attr]
        shown = chapter_picture(folder / f"{stem}.ipynb", pictures)
        picture = (f'<img class="course-map-picture" src="../{CHAPTER_PICTURES}/{shown[0]}" width="{shown[1]}" '
                   f'height="{shown[2]}" loading="lazy" alt="{html.escape(title)}">') if shown else ""
        table.append(f"| {picture} | [{title}]({stem}.ipynb) |{rest}")
    table = "\n".join(table)
    return f"```{{container}} course-map\n{table}\n```\n\n\\* {TEXT[lang]['run_time']}\n"  # its CSS: course-way-in.css


# Chinese, Japanese and Korean characters and their punctuation: a line break between two of them is no space
_CJK = re.compile("[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")


def join_cjk_lines(markdown: str) -> str:
    """``markdown`` with the line breaks inside its Chinese sentences removed (code blocks and headings kept).

    A source wraps a long paragraph across lines; HTML shows each such break as a space, which an English sentence
    needs and a Chinese one must not have ("检查你自己写的 代码"): browsers do not drop it between CJK characters.
    """
    out: list[str] = []
    fence = ""
    for line in markdown.split("\n"):
        stripped = line.strip()
        if fence:
            fence = "" if stripped.startswith(fence) else fence
        elif stripped.startswith(("```", "~~~")):
            fence = stripped[:3]
        elif (out and stripped and _CJK.match(stripped[0]) and out[-1].rstrip()
              and _CJK.match(out[-1].rstrip()[-1]) and not out[-1].lstrip().startswith("#")):
            out[-1] = out[-1].rstrip() + stripped
            continue
        out.append(line)
    return "\n".join(out)


def write_sources(lang: str, widgets: SiteWidgets) -> Path:
    out = SOURCES / lang
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    folder = ROOT / edition(lang).notebooks
    chapters = sorted(folder.glob("[0-9][0-9]_*.ipynb"))
    for path in chapters:
        nbformat.write(prepare_notebook(path, lang, widgets), out / path.name)
    for name, path in page_files(lang).items():
        if path.suffix == ".md":
            (out / name).write_text(join_cjk_lines(path.read_text(encoding="utf-8")), encoding="utf-8")
        else:
            shutil.copy(path, out / name)
    text = TEXT[lang]
    chapters_text = (folder / "README.md").read_text(encoding="utf-8").split("\n", 1)[1]
    chapters_text = re.sub(r"English edition: \[[^\]]*\]\([^)]*\)。?", "", chapters_text)  # the site has its own switch
    chapters_text = re.sub(r"^\d+\. \[.*\n?", "", chapters_text, flags=re.M).strip()  # the table below lists them
    (out / "GLOSSARY.md").write_text(join_cjk_lines((folder / "GLOSSARY.md").read_text(encoding="utf-8")),
                                     encoding="utf-8")
    title = translations(lang).gettext(TITLE)
    toctree = "\n".join(p.stem for p in chapters)
    teachers = f"[{_page_title(out / f'{TEACHERS}.md')}]({TEACHERS}.md)"
    get = f"[{_page_title(out / f'{GET}.md')}]({GET}.md)"
    (out / "index.md").write_text(join_cjk_lines(
        f"# {title}\n\n{_intro(lang)}\n\n{text['get_line'].format(page=get)}\n\n"
        f"## {text['map']}\n\n{chapters_text}\n\n{course_map(lang, widgets.frames.parent / CHAPTER_PICTURES)}\n"
        f"## {text['teachers']}\n\n{text['teachers_line'].format(page=teachers)}\n\n"
        f"```{{toctree}}\n:hidden:\n\n{GET}\n```\n\n"
        f"```{{toctree}}\n:hidden:\n:caption: {text['chapters']}\n\n{toctree}\nGLOSSARY\n```\n\n"
        f"```{{toctree}}\n:hidden:\n:caption: {text['teachers']}\n\n{TEACHERS}\n```\n"), encoding="utf-8")
    return out


def _mathjax() -> None:
    """One copy of MathJax's TeX → HTML component and its fonts, shared by both editions."""
    import importlib.util

    spec = importlib.util.find_spec("sphinx-mathjax-offline")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("sphinx-mathjax-offline is not installed: run  python3 course.py site  (it installs it)")
    mathjax = Path(list(spec.submodule_search_locations)[0]) / "static" / "mathjax"
    out = SITE / "_mathjax"
    out.mkdir(parents=True, exist_ok=True)
    shutil.copy(mathjax / "tex-chtml.js", out / "tex-chtml.js")
    for part in ("output/chtml/fonts", "input/tex/extensions", "ui", "a11y", "sre"):
        if (mathjax / part).exists():
            shutil.copytree(mathjax / part, out / part, dirs_exist_ok=True)


def licence() -> str:
    """The course's licence as pyproject.toml names it (its SPDX expression, e.g. "MIT")."""
    found = re.search(r'^license\s*=\s*"([^"]+)"', (ROOT / "pyproject.toml").read_text(encoding="utf-8"), re.M)
    return found.group(1) if found else ""


# ------------------------------------------------------------------------------------------ the course's archive
# never in the archive: what a run, a build or a download leaves in the course folder (also what .gitignore names)
ARCHIVE_SKIP = {".git", "build", "data", ".lab", "__pycache__", ".ipynb_checkpoints", ".pytest_cache", ".ruff_cache",
                ".mypy_cache"}


def _skipped(relative: str) -> bool:
    parts = relative.split("/")
    return any(part in ARCHIVE_SKIP or part.startswith(".venv") or part.endswith(".egg-info") for part in parts) or \
        relative.endswith((".pyc", ".lock"))


def course_files(root: Path = ROOT) -> list[str]:
    """The course's files, relative to ``root`` with "/": those git tracks (as they are on disk), or, without git
    (a course unpacked from the archive), every file but what ``ARCHIVE_SKIP`` names, a virtual environment, the
    data a chapter downloads and the build's output."""
    try:
        top = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=root, capture_output=True, check=True)
        if Path(top.stdout.decode("utf-8").strip()).resolve() != root.resolve():  # a folder inside another project
            raise FileNotFoundError(root)
        listed = subprocess.run(["git", "ls-files", "-z"], cwd=root, capture_output=True, check=True).stdout
        files = [name for name in listed.decode("utf-8").split("\0") if name]
    except (OSError, subprocess.CalledProcessError):
        files = [path.relative_to(root).as_posix() for path in root.rglob("*") if path.is_file()]
    return sorted(name for name in files if not _skipped(name) and (root / name).is_file())


def course_archive(out: Path, root: Path = ROOT) -> tuple[Path, int]:
    """The whole course as one zip file ``out`` (its files in one folder, named as the archive without .zip), ready
    for the README's commands; returns (``out``, how many files)."""
    import zipfile

    files = course_files(root)
    folder = out.name.removesuffix(".zip")
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for name in files:
            archive.write(root / name, f"{folder}/{name}")
    return out, len(files)


# -------------------------------------------------------------------------------------------------- the entry page
# Which edition `/` opens: the reader's choice, remembered (course-way-in.js stores the site path of the edition
# chosen in the language switch or on this page), else the first of the browser's languages that an edition
# speaks (its code or its HTML language: zh-TW reads the zh edition), else the source edition.
ENTRY_SCRIPT = """(function () {
  var editions = %s, key = "course-edition", chosen = null;
  try { chosen = localStorage.getItem(key); } catch (e) {}
  var pick = editions.filter(function (e) { return e.path === chosen; })[0];
  var wanted = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language || ""];
  for (var i = 0; !pick && i < wanted.length; i++) {
    var lang = String(wanted[i]).toLowerCase();
    pick = editions.filter(function (e) { return lang === e.lang || lang.split("-")[0] === e.code; })[0];
  }
  pick = pick || editions[0];
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-edition]");
    if (link) { try { localStorage.setItem(key, link.getAttribute("data-edition")); } catch (e) {} }
  });
  if (!/[?&]choose\b/.test(location.search)) { location.replace(pick.path + "/index.html"); }
})();"""


def entry_page() -> str:
    """The site's root page: on to the edition of the reader's choice or of the browser's language (``ENTRY_SCRIPT``;
    without JavaScript, the source edition at once), and a link to every edition, by its own name
    (``?choose`` keeps the page open on them)."""
    title = " · ".join(dict.fromkeys(translations(e.code).gettext(SHORT_TITLE) for e in EDITIONS))
    links = " · ".join(f'<a href="{e.site_path}/index.html" lang="{e.html_lang}" data-edition="{e.site_path}">'
                       f"{html.escape(e.name)}</a>" for e in EDITIONS)
    table = json.dumps([{"code": e.code.lower(), "lang": e.html_lang.lower(), "path": e.site_path} for e in EDITIONS])
    return ('<!DOCTYPE html><html><head><meta charset="utf-8">'
            f'<noscript><meta http-equiv="refresh" content="0; url={SOURCE.site_path}/index.html"></noscript>'
            f"<title>{html.escape(title)}</title><script>{ENTRY_SCRIPT % table}</script></head><body>"
            f"<p>{links}</p></body></html>\n")


class SiteBuildError(RuntimeError):
    """Sphinx failed to write an edition's pages (its messages are printed above)."""


@dataclasses.dataclass(frozen=True)
class SiteBuild:
    """What ``build()`` made: the ``site`` folder, a result per widget output of every page of both editions
    (``widgets``, in page order), how many distinct widget ``pictures`` it stored, its size and its time."""

    site: Path
    widgets: tuple[WidgetResult, ...]
    pictures: int
    size_bytes: int
    seconds: float

    def frozen(self) -> list[WidgetResult]:
        """The widget outputs the site shows as a still picture: no control answers without a kernel."""
        return [w for w in self.widgets if w.mode == "frozen"]


def prefetch_training(widgets: SiteWidgets, lang: str = SOURCE.code) -> None:
    """Start training, in ``widgets.trainer``'s workers, every setting of every widget that trains in edition
    ``lang``'s notebooks, so that it runs while the build makes the other pages (the other editions' pages of the
    same widgets find it in ``widgets.stages``)."""
    import course_utils
    from course_utils.widgets import BUILDERS
    from course_utils.widgets.record import WidgetRecord, in_state_folder

    if widgets.trainer is None:
        return
    course_utils.set_language(lang)
    for path in sorted((ROOT / edition(lang).notebooks).glob("[0-9][0-9]_*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
                try:
                    record = WidgetRecord.from_json(output.get("metadata", {}).get("course_widget"))
                    if record.rebuild is None or not getattr(BUILDERS.get(record.builder or ""), "trains", False):
                        continue
                    arguments = in_state_folder(record.rebuild, widgets.state)[0]
                    widget = BUILDERS[record.builder](**arguments)
                except Exception:  # not a widget that trains, or one that cannot be built: static_widget says why
                    continue
                if getattr(widget, "training", None) is None:
                    continue
                start = {name: value for name, value in record.values.items() if name in widget.controls}
                if widget.set_values(start) is not None:
                    widgets.trainer.start(record.builder, arguments, lang, start,
                                          reachable_settings(offered_controls(widget), start))


def build(state: Path = STATE) -> SiteBuild:
    """Build every edition into ``SITE``; widgets a trained model draws are built again from the files the notebook
    build saved in ``state``. Raises ``SiteBuildError`` when Sphinx fails or an edition lacks one of the site's own
    pages."""
    start = time.perf_counter()
    if SITE.exists():
        shutil.rmtree(SITE)
    widgets = SiteWidgets(frames=SITE / "_widgets", state=state, trainer=StageTrainer())
    widgets.frames.mkdir(parents=True)
    os.environ.setdefault("MPLBACKEND", "Agg")
    try:
        prefetch_training(widgets)
        t = time.perf_counter()
        archive, files = course_archive(SITE / ARCHIVE)
        print(f"archive: {archive.name}, {files} files, {archive.stat().st_size / 1e6:.0f} MB, "
              f"in {time.perf_counter() - t:.0f} s", flush=True)
        for ed in EDITIONS:
            lang = ed.code
            t = time.perf_counter()
            source = write_sources(lang, widgets)
            from . import site_search
            site_search.prepare(lang)  # the search's dictionary and words for website/conf.py
            print(f"{lang}: widgets precomputed in {time.perf_counter() - t:.0f} s", flush=True)
            t = time.perf_counter()
            # website/conf.py reads the edition from its tag (Sphinx's tags are what conf.py sees of the command line)
            result = subprocess.run([sys.executable, "-m", "sphinx", "-b", "html", "-q", "-c", str(CONF),
                                     "-t", f"edition_{lang}", str(source), str(SITE / ed.site_path)])
            if result.returncode:
                raise SiteBuildError(f"Sphinx failed on the {lang} edition (exit status {result.returncode})")
            # the download button's .ipynb is the notebook as committed (its own outputs, not the site's static widgets)
            for notebook in sorted((ROOT / ed.notebooks).glob("[0-9][0-9]_*.ipynb")):
                shutil.copyfile(notebook, SITE / ed.site_path / "_sources" / notebook.name)
            print(f"{lang}: pages written in {time.perf_counter() - t:.0f} s", flush=True)
    finally:  # a failed build leaves no training running: what is queued is dropped, not trained for nothing
        widgets.trainer.close()
    _mathjax()
    shutil.rmtree(SITE / "jupyter_execute", ignore_errors=True)  # MyST-NB's working copies; the pages have theirs
    (SITE / "index.html").write_text(entry_page(), encoding="utf-8")
    (SITE / "widgets.log").write_text("".join(r.line() + "\n" for r in widgets.results), encoding="utf-8")
    done = SiteBuild(site=SITE, widgets=tuple(widgets.results), pictures=len(list(widgets.frames.iterdir())),
                     size_bytes=sum(p.stat().st_size for p in SITE.rglob("*") if p.is_file()),
                     seconds=time.perf_counter() - start)
    frozen = f", {len(done.frozen())} frozen (see widgets.log)" if done.frozen() else ""
    print(f"site: {SITE.relative_to(ROOT)}/index.html, {done.size_bytes / 1e6:.0f} MB, {len(done.widgets)} widgets"
          f"{frozen}, {done.pictures} widget pictures, built in {done.seconds:.0f} s")
    return done


def quiet_libraries() -> None:
    """Silence what the libraries of a Sphinx build say when nothing is wrong (``website/conf.py`` calls this, so the
    build prints its own progress lines only): jieba, which splits the Chinese pages' words for the search index,
    announces its dictionary on its logger (set to warnings and above here), and its import of setuptools'
    pkg_resources warns that the module is deprecated. Errors and Sphinx's own warnings still show."""
    import logging
    import warnings

    warnings.filterwarnings("ignore", message="pkg_resources is deprecated", category=UserWarning)
    warnings.filterwarnings("ignore", category=DeprecationWarning, module="jieba")
    try:
        import jieba
    except ImportError:  # Sphinx indexes Chinese pages without it (and says so)
        return
    jieba.setLogLevel(logging.WARNING)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:  # no line per request
        pass


@contextlib.contextmanager
def serve(folder: Path = SITE) -> Iterator[str]:
    """Serve ``folder`` over HTTP on a free local port (the site's test and benchmark); yields its base URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder)))
    server.handle_error = lambda *args: None  # type: ignore[method-assign]  # a page closed mid-download
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


if __name__ == "__main__":
    try:
        build()
    except SiteBuildError as exc:
        print(f"site: {exc}", file=sys.stderr)
        sys.exit(1)
