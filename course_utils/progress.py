"""Where you stand in the course: every check, hint and shown solution, recorded on this machine only.

Each ``checks.check``, ``checks.hint`` and ``checks.solution`` adds one line to a small file, ``progress.jsonl``,
in the folder named by the environment variable ``COURSE_PROGRESS_DIR``, else in your user data folder
(``~/.local/share/nn-course`` on Linux, ``~/Library/Application Support/nn-course`` on macOS,
``%LOCALAPPDATA%\\nn-course`` on Windows; :func:`folder` says which). Nothing leaves the machine.

    >>> from course_utils import progress
    >>> rows = progress.summary()          # one dict per exercise: exercise, chapter, status, attempts, hints
    >>> progress.show()                    # a table per chapter, in the course's language  # doctest: +SKIP
    >>> progress.export("progress.csv")    # for a teacher: CSV (or .json)                  # doctest: +SKIP
    >>> progress.reset()                   # start again                                    # doctest: +SKIP

The record is a file of JSON lines, one per event, appended whole: kernels that check at the same time (two
notebooks open) each add their own lines and lose none. A record that cannot be read or written (a corrupt line,
a full disk, a folder without permission, a lock held too long) costs one warning line; checking goes on.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .i18n import _, ngettext

__all__ = ["folder", "record", "events", "summary", "show", "reset", "export", "attempted", "hints_taken",
           "STATUSES"]

APP = "nn-course"
RECORD = "progress.jsonl"
STATUSES = ("passed", "tried", "untried")
LOCK_WAIT_S = 1.0  # how long to wait for another kernel's write before giving up on one line
_warned: set[str] = set()  # each kind of trouble is reported once per session
_session: list[dict[str, Any]] = []  # this session's events, kept in memory too: gating works without a file


def folder() -> Path:
    """The folder of the record: ``COURSE_PROGRESS_DIR``, else the user's data folder for the course."""
    chosen = os.environ.get("COURSE_PROGRESS_DIR")
    if chosen:
        return Path(chosen).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir(APP, appauthor=False))


def _path() -> Path:
    return folder() / RECORD


def _warn(kind: str, message: str) -> None:
    if kind not in _warned:
        _warned.add(kind)
        print("⚠ " + message, file=sys.stderr)


@contextlib.contextmanager
def _locked(handle: Any) -> Iterator[None]:
    """An exclusive lock on an open file where the system has one (POSIX), waiting at most LOCK_WAIT_S."""
    try:
        import fcntl
    except ImportError:  # Windows: one short line appended in one write is left to the file system
        yield
        return
    deadline = time.monotonic() + LOCK_WAIT_S
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if time.monotonic() > deadline:
                raise TimeoutError(_("another program holds the progress record's lock")) from None
            time.sleep(0.01)
    try:
        yield
    finally:
        fcntl.flock(handle, fcntl.LOCK_UN)


def record(event: str, exercise: str, **fields: Any) -> None:
    """Add one event (``"check"``, ``"hint"`` or ``"solution"``) about ``exercise`` to the record. Never raises."""
    entry = {"time": round(time.time(), 3), "event": event, "exercise": exercise, **fields}
    _session.append(entry)
    line = json.dumps(entry, ensure_ascii=False) + "\n"
    path = _path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a", encoding="utf-8") as handle, _locked(handle):
            handle.write(line)  # one write of one short line, in append mode
    except (OSError, TimeoutError) as exc:
        _warn("write", _("Your progress could not be saved ({error}); checking goes on, and this session still "
                         "remembers it.").format(error=f"{type(exc).__name__}: {exc}"))


def events() -> list[dict[str, Any]]:
    """Every event of the record, oldest first (and this session's, if the record could not be written)."""
    path = _path()
    found: list[dict[str, Any]] = []
    try:
        text = path.read_text(encoding="utf-8") if path.exists() else ""
    except OSError as exc:
        _warn("read", _("Your progress record could not be read ({error}); showing this session only.").format(
            error=f"{type(exc).__name__}: {exc}"))
        return list(_session)
    bad = 0
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except ValueError:
            bad += 1
            continue
        if isinstance(entry, dict) and isinstance(entry.get("exercise"), str):
            found.append(entry)
        else:
            bad += 1
    if bad:
        _warn("corrupt", ngettext("Your progress record {path} has {n} line that cannot be read; it was skipped.",
                                  "Your progress record {path} has {n} lines that cannot be read; they were skipped.",
                                  bad).format(n=bad, path=path))
    times = {(e.get("time"), e.get("event"), e.get("exercise")) for e in found}
    return found + [e for e in _session if (e.get("time"), e.get("event"), e.get("exercise")) not in times]


def _events_of(exercise: str) -> list[dict[str, Any]]:
    return [e for e in events() if e.get("exercise") == exercise]


def attempted(exercise: str) -> bool:
    """Whether an answer of the learner's own (right or wrong, not the stub) has been checked for ``exercise``."""
    return any(e.get("event") == "check" and e.get("status") in ("passed", "tried") for e in _events_of(exercise))


def hints_taken(exercise: str) -> int:
    """How many hints of ``exercise`` have been shown."""
    return sum(e.get("event") == "hint" for e in _events_of(exercise))


def summary(chapter: str | None = None) -> list[dict[str, Any]]:
    """One row per exercise of the course (or of ``chapter``, e.g. ``"05"``), in the chapters' order.

    Each row: ``exercise``, ``chapter``, ``status`` (``"passed"``: checked correct at least once; ``"tried"``:
    checked, never correct; ``"untried"``), ``attempts`` (answers checked, the stub not counted), ``hints``.
    """
    from .checks import _core

    all_events = events()
    rows = []
    for name in _core.exercises():
        where, listed = _core._REGISTRY[name].chapter, _core._REGISTRY[name].listed
        mine = [e for e in all_events if e.get("exercise") == name]
        if (chapter is not None and where != chapter) or name.startswith("_") or (not listed and not mine):
            continue
        statuses = [e.get("status") for e in mine if e.get("event") == "check"]
        status = "passed" if "passed" in statuses else "tried" if "tried" in statuses else "untried"
        rows.append({"exercise": name, "chapter": where, "status": status,
                     "attempts": sum(s in ("passed", "tried") for s in statuses),
                     "hints": sum(e.get("event") == "hint" for e in mine)})
    return rows


SYMBOLS = {"passed": "✅", "tried": "❌", "untried": "·"}
# in the table: marks every font has (an emoji font is not everywhere), and a colour for each
MARKS = {"passed": ("✓", "#2ca02c"), "tried": ("✗", "#d62728"), "untried": ("·", "#999999")}


def _chapter_line(chapter: str, rows: list[dict[str, Any]]) -> str:
    counts = {status: sum(r["status"] == status for r in rows) for status in STATUSES}
    return ngettext("Chapter {chapter}: {passed} of {total} exercise passed, {tried} tried, {untried} not tried yet.",
                    "Chapter {chapter}: {passed} of {total} exercises passed, {tried} tried, {untried} not tried yet.",
                    len(rows)).format(chapter=chapter, total=len(rows), **counts)


def show(chapter: str | None = None) -> None:
    """Show the progress per chapter (or of one ``chapter``), in the course's language.

    In a notebook: a table with a line per chapter and one mark per exercise (✓ passed, ✗ tried, · not yet),
    attempts and hints on hovering. Elsewhere: the same as text. Returns nothing, so that a cell ending
    with it shows the table only (:func:`summary` gives the rows).
    """
    rows = summary(chapter)
    chapters = sorted({r["chapter"] for r in rows})
    by_chapter = {c: [r for r in rows if r["chapter"] == c] for c in chapters}
    text = "\n".join(_after(_chapter_line(c, by_chapter[c]), " ".join(
        f"{SYMBOLS[r['status']]} {r['exercise']}" for r in by_chapter[c])) for c in chapters)
    from . import _in_notebook

    if _in_notebook():
        from IPython.display import display

        display({"text/html": _html(by_chapter), "text/plain": text}, raw=True)
    else:
        print(text)


def _after(sentence: str, more: str) -> str:
    """``more`` after ``sentence`` on one line: two spaces apart, none after full-width punctuation (Chinese)."""
    return sentence + ("" if sentence.endswith(tuple("：，。；？！）")) else "  ") + more


def _html(by_chapter: dict[str, list[dict[str, Any]]]) -> str:
    import html

    columns = [_("chapter"), _("passed"), _("exercises (✓ passed, ✗ tried, · not yet)")]
    head = "<tr>" + "".join(f"<th>{html.escape(c)}</th>" for c in columns) + "</tr>"
    body = []
    for chapter, rows in by_chapter.items():
        passed = sum(r["status"] == "passed" for r in rows)
        marks = []
        for r in rows:
            title = _("{exercise}: attempts {attempts}, hints {hints}").format(**r)
            mark, colour = MARKS[r["status"]]
            marks.append(f'<span title="{html.escape(title)}" style="margin-right:0.8em;white-space:nowrap">'
                         f'<b style="color:{colour}">{mark}</b>&nbsp;<code>{html.escape(r["exercise"])}</code></span>')
        body.append(f"<tr><td>{chapter}</td><td>{passed} / {len(rows)}</td><td>{' '.join(marks)}</td></tr>")
    return f'<table class="course-progress">{head}{"".join(body)}</table>'


def reset() -> None:
    """Start again: the record is emptied (the old one is kept beside it as ``progress.jsonl.bak``)."""
    _session.clear()
    path = _path()
    if path.exists():
        path.replace(path.with_name(RECORD + ".bak"))


def export(path: str | Path, format: str | None = None) -> Path:
    """Write :func:`summary` to ``path`` as CSV or JSON (from its suffix, or ``format``); returns the path."""
    out = Path(path)
    kind = (format or out.suffix.lstrip(".")).lower()
    rows = summary()
    if kind == "json":
        out.write_text(json.dumps(rows, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    elif kind == "csv":
        with open(out, "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=["exercise", "chapter", "status", "attempts", "hints"])
            writer.writeheader()
            writer.writerows(rows)
    else:
        raise ValueError(_("`format` must be 'csv' or 'json' (or a path ending in .csv or .json); got {kind!r}")
                         .format(kind=kind))
    return out
