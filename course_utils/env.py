"""Is this machine ready for the course? A one-line check for every chapter, and the full report of chapter 00.

``check_environment()`` reads installed versions from package metadata only (no heavy import), so it costs a few
milliseconds. Every sentence a learner reads is in ``MESSAGES``, in one place, translated through the
course_utils catalog (:mod:`course_utils.i18n`) when it is shown.
"""

from __future__ import annotations

import platform
import re
import sys
from importlib import metadata
from pathlib import Path

import torch

from .i18n import N_, _

__all__ = ["check_environment", "environment_report", "declared_floors", "PACKAGES", "SUPPORTED", "MESSAGES"]

# The packages the chapters import, whose oldest tested versions are the course's floor. The floors themselves are
# the lower bounds declared once, in pyproject.toml, read here from the installed package's metadata.
CHAPTER_PACKAGES = ("torch", "torchvision", "matplotlib", "ipywidgets", "numpy", "scikit-learn", "pillow", "tqdm")


def declared_floors() -> dict[str, str]:
    """{package: lower bound} of every requirement of the course (extras included), from its metadata.

    From ``importlib.metadata`` when course_utils is installed (``python3 course.py setup`` installs it); from the
    checkout's pyproject.toml otherwise. Names as pip knows them, in lower case.
    """
    try:
        requirements = metadata.requires("course-utils") or []
    except metadata.PackageNotFoundError:  # imported from a checkout without installing it
        requirements = _pyproject_requirements()
    floors = {}
    for requirement in requirements:  # "sphinx<9,>=8.2.3; extra == 'site'": a name, then its >= bound
        name, bound = re.match(r"\s*([A-Za-z0-9_.\-]+)", requirement), re.search(r">=\s*([\w.]+)", requirement)
        if name and bound:
            floors[name[1].lower().replace("_", "-")] = bound[1]
    return floors


def _pyproject_requirements() -> list[str]:
    pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
    try:
        import tomllib
    except ImportError:  # Python 3.10: only an installed course_utils knows its floors
        return []
    if not pyproject.exists():
        return []
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    return [*project["dependencies"], *(r for group in project.get("optional-dependencies", {}).values()
                                         for r in group)]


_FLOORS = declared_floors()
SUPPORTED = {name: _FLOORS[name] for name in CHAPTER_PACKAGES if name in _FLOORS}
PYTHON_FLOOR = (3, 10)
# Chapter 00's full report also lists what runs the front end (JupyterLab and its widget renderer).
PACKAGES = [*SUPPORTED, "jupyterlab_widgets", "jupyterlab"]
MINIMUM = {**SUPPORTED, **{name: _FLOORS[name] for name in ("jupyterlab",) if name in _FLOORS}}
SETUP = "python3 course.py setup"

MESSAGES = {
    "ok": N_("environment OK: torch {torch} · ipywidgets {ipywidgets} · Python {python}"),
    "old": N_('{name} {version} is older than this course supports (>= {floor}): run  {setup}  '
           '(or, in a notebook cell: %pip install "{name}>={floor}")'),
    "missing": N_('{name} is not installed: run  {setup}  (or, in a notebook cell: %pip install "{name}>={floor}")'),
    "missing_any": N_("{name} is not installed: run  {setup}  (or, in a notebook cell: %pip install {name})"),
    "python": N_("Python {version} is older than this course supports (>= {floor}): install Python {floor} or newer "
              "(or: conda create -n nn-course python=3.11), then run  {setup}"),
    "widgets": N_("ipywidgets {ipywidgets} needs jupyterlab_widgets 3.x (found {labwidgets}): sliders will not render. "
               "Run  {setup}  (or, in a notebook cell: %pip install -U ipywidgets jupyterlab_widgets)"),
    "numpy2": N_('torch {torch} was built for NumPy 1.x and cannot use numpy {numpy}: in a notebook cell, run  '
              '%pip install "numpy<2"  (or a newer torch: %pip install -U torch torchvision)'),
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
