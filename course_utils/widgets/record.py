"""The record a shown widget leaves in its notebook output, so that it can be built again without the notebook.

This is the public contract between the widgets and whatever shows a notebook without a kernel (the course's
website, ``tools/website.py``). When a :class:`~course_utils.widgets.LivePlot` is displayed, its output's metadata
gets ``course_widget``: ``widget.record(...).to_json()``. A reader turns it back into a :class:`WidgetRecord` with
:meth:`WidgetRecord.from_json` (which checks it), builds the widget again with
``BUILDERS[record.builder](**in_state_folder(record.rebuild, folder)[0])``, sets the controls to ``record.values``
(``LivePlot.set_values``) and draws what it needs.

**The record, version 2** (``RECORD_VERSION``), a JSON object:

=========== =================== ===========================================================================
field       type                meaning
=========== =================== ===========================================================================
``version`` int                 the record's format: 2
``builder`` str or null         the builder's name in ``BUILDERS`` (null: a LivePlot made without a builder)
``kwargs``  object or null      the arguments the builder was called with (null: one was not plain data)
``values``  object              the controls' values when it was shown, by name (plain data only)
``presses`` int ≥ 0             buttons pressed before it was shown
``touched`` bool                ``update()`` redrew a state the controls alone do not set
``rebuild`` object or null      the builder's arguments that build the state shown again (``rebuild_arguments``);
                                null: it cannot be built again, a reader shows its picture as it is
=========== =================== ===========================================================================

Version 1, written by course_utils before the record had a version, has the same fields and no ``version``: it is
read as version 1. A record of a newer version than this module knows is refused with a clear error.

**The state folder.** A widget whose state is more than its arguments (an explorer of a model trained in the
notebook) writes what it needs into a folder when its record is made, and names the file in ``rebuild`` with
:func:`state_file`. ``LivePlot.record(folder)`` takes that folder as an argument. But in a notebook Jupyter makes
the record when it displays the widget, and passes no argument; the folder is then :func:`state_folder`: the one
set by :func:`save_state_to` in this process, else the environment variable ``COURSE_WIDGET_STATE``
(``STATE_FOLDER_VARIABLE``), else none, and nothing is written. That variable is the one switch from outside: the
notebook build (``tools.nbtools.build(..., state_folder=...)``) puts it into the environment of the kernels it
starts, not of its own process. It stays an environment variable because a kernel can learn nothing else from
the process that starts it without a cell added to the notebook, and the notebooks run as the learner reads them.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..i18n import _

__all__ = ["RECORD_VERSION", "STATE_FOLDER_VARIABLE", "WidgetRecord", "in_state_folder", "save_state_to",
           "state_file", "state_folder"]

RECORD_VERSION = 2
STATE_FOLDER_VARIABLE = "COURSE_WIDGET_STATE"

_FIELDS = ("version", "builder", "kwargs", "values", "presses", "touched", "rebuild")
_state_folder: list[Path] = []  # save_state_to()'s folders, innermost last


@dataclasses.dataclass(frozen=True)
class WidgetRecord:
    """How to build a shown widget again (see the module's table of fields). Made by ``LivePlot.record()``;
    written into a notebook with :meth:`to_json`, read back with :meth:`from_json`. Checked when made: a field of
    the wrong type raises ``ValueError`` naming it."""

    builder: str | None
    kwargs: dict[str, Any] | None
    values: dict[str, Any]
    presses: int
    touched: bool
    rebuild: dict[str, Any] | None
    version: int = RECORD_VERSION

    def __post_init__(self) -> None:
        def expect(field: str, ok: bool, expected: str) -> None:
            if not ok:
                raise ValueError(_("widget record: `{field}` must be {expected}; got {got!r}").format(
                    field=field, expected=expected, got=getattr(self, field)))

        expect("version", type(self.version) is int and 1 <= self.version, "int ≥ 1")
        if self.version > RECORD_VERSION:
            raise ValueError(_("widget record: version {version} is newer than this course_utils reads (up to "
                               "{newest}); update course_utils").format(version=self.version,
                                                                        newest=RECORD_VERSION))
        expect("builder", self.builder is None or isinstance(self.builder, str), "str | None")
        for field in ("kwargs", "rebuild"):
            value = getattr(self, field)
            expect(field, value is None or isinstance(value, dict) and _is_plain(value), "dict[str, JSON] | None")
        expect("values", isinstance(self.values, dict) and _is_plain(self.values), "dict[str, JSON]")
        expect("presses", type(self.presses) is int and self.presses >= 0, "int ≥ 0")
        expect("touched", type(self.touched) is bool, "bool")

    def to_json(self) -> dict[str, Any]:
        """The record as a JSON object (a dict of plain data): what ``course_widget`` holds in an output."""
        return {field: getattr(self, field) for field in _FIELDS}

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | str) -> WidgetRecord:
        """The record in ``data`` (a JSON object, or its text). A record without ``version`` is version 1. Raises
        ``ValueError`` naming the field for a field missing, unknown or of the wrong type, or a newer version."""
        if isinstance(data, str):
            data = json.loads(data)
        if not isinstance(data, Mapping):
            raise ValueError(_("widget record: must be a JSON object; got {type}").format(type=type(data).__name__))
        fields = {"version": 1, **data}
        for field in _FIELDS:
            if field not in fields:
                raise ValueError(_("widget record: `{field}` is missing").format(field=field))
        for field in fields:
            if field not in _FIELDS:
                raise ValueError(_("widget record: unknown field `{field}`").format(field=field))
        return cls(**fields)


def state_file(name: str) -> dict[str, str]:
    """How rebuild arguments name a file that a widget saved into the state folder (see ``rebuild_arguments``)."""
    return {"state_file": name}


def in_state_folder(arguments: Any, folder: Path) -> tuple[Any, list[str]]:
    """``arguments`` with every :func:`state_file` made the path of that file in ``folder``, and the files' names."""
    names: list[str] = []

    def resolve(value: Any) -> Any:
        if isinstance(value, dict):
            if set(value) == {"state_file"}:
                names.append(value["state_file"])
                return str(Path(folder) / value["state_file"])
            return {k: resolve(v) for k, v in value.items()}
        return value

    return resolve(arguments), names


@contextmanager
def save_state_to(folder: Path | str) -> Iterator[Path]:
    """Within this block, widgets displayed save what their record needs into ``folder`` (see the module's
    docstring); blocks may nest. Outside any, :func:`state_folder` falls back to ``COURSE_WIDGET_STATE``."""
    _state_folder.append(Path(folder))
    try:
        yield _state_folder[-1]
    finally:
        _state_folder.pop()


def state_folder() -> Path | None:
    """Where a widget being displayed saves its state: the innermost :func:`save_state_to` folder, else the folder
    named by the environment variable ``COURSE_WIDGET_STATE`` (set by the notebook build), else None (none)."""
    if _state_folder:
        return _state_folder[-1]
    folder = os.environ.get(STATE_FOLDER_VARIABLE)
    return Path(folder) if folder else None


def _is_plain(value: Any) -> bool:
    """Whether ``value`` is JSON data (what a notebook's metadata can keep)."""
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError):
        return False
    return True
