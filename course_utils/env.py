"""Is this machine ready for the course? A one-line check for every chapter, and the full report of chapter 00.

``check_environment()`` reads installed versions from package metadata only (no heavy import), so it costs a few
milliseconds. Every sentence a learner reads is in ``MESSAGES``, in one place, translated through the
course_utils catalog (:mod:`course_utils.i18n`) when it is shown.
"""

from __future__ import annotations

import platform
import sys
from importlib import metadata

import torch

from .i18n import N_, _

__all__ = ["check_environment", "environment_report", "PACKAGES", "SUPPORTED", "MESSAGES"]

# The oldest version of each package the chapters are tested with: requirements.txt's lower bounds
# (tests/test_env.py fails if the two disagree). Keys are the names pip knows.
SUPPORTED = {"torch": "2.2.2", "torchvision": "0.17.2", "matplotlib": "3.7.0", "ipywidgets": "8.1.0",
             "numpy": "1.26.4", "scikit-learn": "1.3.0", "pillow": "9.0.1", "tqdm": "4.66.0",
             "polib": "1.2.0"}
PYTHON_FLOOR = (3, 10)
# Chapter 00's full report also lists what runs the front end (JupyterLab and its widget renderer).
PACKAGES = [*SUPPORTED, "jupyterlab_widgets", "jupyterlab"]
MINIMUM = {**SUPPORTED, "jupyterlab": "4.0.13"}
SETUP = "python3 course.py setup"

MESSAGES = {
    "ok": N_("environment OK: torch {torch} · ipywidgets {ipywidgets} · Python {python}"),
    "old": N_('{name} {version} is older than this course supports (>= {floor}): run  {setup}  '
           '(or: pip install "{name}>={floor}")'),
    "missing": N_('{name} is not installed: run  {setup}  (or: pip install "{name}>={floor}")'),
    "missing_any": N_("{name} is not installed: run  {setup}  (or: pip install {name})"),
    "python": N_("Python {version} is older than this course supports (>= {floor}): install Python {floor} or newer "
              "(or: conda create -n nn-course python=3.12), then run  {setup}"),
    "widgets": N_("ipywidgets {ipywidgets} needs jupyterlab_widgets 3.x (found {labwidgets}): sliders will not render. "
               "Run  {setup}  (or: pip install -U ipywidgets jupyterlab_widgets)"),
    "numpy2": N_('torch {torch} was built for NumPy 1.x and cannot use numpy {numpy}: run  pip install "numpy<2"  '
              "(or a newer torch: pip install -U torch torchvision)"),
    "problem": N_("⚠ {problem}"),
    "verdict_ok": N_("Verdict: ✅ everything the course needs is here."),
    "verdict_fix": N_("Verdict: fix these first:"),
}


def _message(key: str) -> str:
    """``MESSAGES[key]`` in the course's language."""
    return _(MESSAGES[key])


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def _major_minor(version: str) -> tuple[int, int]:
    parts = [int("".join(ch for ch in p if ch.isdigit()) or 0) for p in version.split(".")[:2]]
    return (parts + [0, 0])[0], (parts + [0, 0])[1]


def _problems(versions: dict[str, str | None]) -> list[str]:
    """One sentence per problem in ``versions`` ({package: installed version or None}) and in Python itself.

    Each sentence says what is wrong and the command that fixes it; an empty list means all is well.
    """
    problems = []
    if sys.version_info < PYTHON_FLOOR:
        python_floor = ".".join(map(str, PYTHON_FLOOR))
        problems.append(_message("python").format(version=platform.python_version(), floor=python_floor,
                                                     setup=SETUP))
    for name, version in versions.items():
        floor = MINIMUM.get(name)
        if version is None:
            key = "missing" if floor else "missing_any"
            problems.append(_message(key).format(name=name, floor=floor, setup=SETUP))
        elif floor and _major_minor(version) < _major_minor(floor):
            problems.append(_message("old").format(name=name, version=version, floor=floor, setup=SETUP))
    torch, numpy = versions.get("torch"), versions.get("numpy")
    # torch 2.2 wheels were compiled against NumPy 1.x: with NumPy 2 they warn "Failed to initialize NumPy" and
    # every tensor <-> array conversion fails.
    if torch and numpy and _major_minor(torch) < (2, 3) and _major_minor(numpy)[0] >= 2:
        problems.append(_message("numpy2").format(torch=torch, numpy=numpy))
    ipywidgets, labwidgets = versions.get("ipywidgets"), versions.get("jupyterlab_widgets")
    # JupyterLab draws ipywidgets N with jupyterlab_widgets N - 5 (8 with 3); another pair shows no sliders.
    if ipywidgets and labwidgets and _major_minor(ipywidgets)[0] - _major_minor(labwidgets)[0] != 5:
        problems.append(_message("widgets").format(ipywidgets=ipywidgets, labwidgets=labwidgets, setup=SETUP))
    return problems


def check_environment() -> bool:
    """Check, in a few milliseconds, that this machine can run the chapters; print one line per finding.

    Compares the installed versions of ``SUPPORTED`` (read from package metadata, nothing is imported) with the
    course's floor, checks Python >= 3.10 and that ipywidgets and JupyterLab's widget renderer
    (``jupyterlab_widgets``) are a pair that can draw sliders. Prints ``environment OK: …`` when all is well,
    else one line per problem with the command that fixes it. Returns ``True`` when all is well.
    """
    versions = {name: _version(name) for name in [*SUPPORTED, "jupyterlab_widgets"]}
    problems = _problems(versions)
    for problem in problems:
        print(_message("problem").format(problem=problem))
    if not problems:
        print(_message("ok").format(torch=versions["torch"], ipywidgets=versions["ipywidgets"],
                                    python=platform.python_version()))
    return not problems


def _display_width(text: str) -> int:
    """Columns ``text`` takes in a monospaced font: a Chinese character takes two."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def environment_report(verbose: bool = True) -> dict:
    """Collect versions, device and thread count; list problems. Prints a table and a verdict when ``verbose``.

    Returns ``{"python", "platform", "versions": {pkg: version or None}, "device", "threads", "problems": [...]}``;
    an empty ``problems`` list means the course will run here.
    """
    from . import get_device

    versions = {name: _version(name) for name in PACKAGES}
    problems = _problems(versions)
    report = {
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
        "versions": versions,
        "device": str(get_device()),
        "threads": torch.get_num_threads(),
        "problems": problems,
    }
    if verbose:
        rows = [("Python", report["python"]), (_("platform"), report["platform"])]
        rows += [(name, version or _("MISSING")) for name, version in versions.items()]
        rows += [(_("device"), report["device"]), (_("CPU threads for torch"), str(report["threads"]))]
        width = max(_display_width(key) for key, _value in rows)
        for key, value in rows:
            print(key + " " * (width - _display_width(key)) + "  " + str(value))
        if problems:
            print("\n" + _message("verdict_fix") + "\n  - " + "\n  - ".join(problems))
        else:
            print("\n" + _message("verdict_ok"))
    return report
