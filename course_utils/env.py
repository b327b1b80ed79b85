"""The environment report of the set-up chapter: versions, device, threads, and a verdict a learner can act on."""

from __future__ import annotations

import platform
import sys
from importlib import metadata

import torch

__all__ = ["environment_report", "PACKAGES"]

PACKAGES = ["torch", "torchvision", "ipywidgets", "jupyterlab_widgets", "jupyterlab", "matplotlib",
            "scikit-learn", "tqdm"]
MINIMUM = {"torch": (2, 2), "torchvision": (0, 17), "ipywidgets": (8, 1), "jupyterlab": (4, 0),
           "matplotlib": (3, 7)}


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def _major_minor(version: str) -> tuple[int, int]:
    parts = [int("".join(ch for ch in p if ch.isdigit()) or 0) for p in version.split(".")[:2]]
    return (parts + [0, 0])[0], (parts + [0, 0])[1]


def environment_report(verbose: bool = True) -> dict:
    """Collect versions, device and thread count; list problems. Prints a table and a verdict when ``verbose``.

    Returns ``{"python", "platform", "versions": {pkg: version or None}, "device", "threads", "problems": [...]}``;
    an empty ``problems`` list means the course will run here.
    """
    from . import get_device

    versions = {name: _version(name) for name in PACKAGES}
    problems = []
    if sys.version_info < (3, 10):  # noqa: UP036 - the point is to catch an old interpreter
        problems.append(f"Python {platform.python_version()} is too old: the course needs 3.10 or newer.")
    for name, version in versions.items():
        if version is None:
            problems.append(f"{name} is not installed: run `python3 course.py setup` from the course folder.")
        elif name in MINIMUM and _major_minor(version) < MINIMUM[name]:
            need = ".".join(map(str, MINIMUM[name]))
            problems.append(f"{name} {version} is older than {need}: upgrade it (`pip install -U {name}`).")
    ipyw, labw = versions["ipywidgets"], versions["jupyterlab_widgets"]
    if ipyw and labw and _major_minor(ipyw)[0] - _major_minor(labw)[0] != 5:
        problems.append(f"ipywidgets {ipyw} needs jupyterlab_widgets 3.x (found {labw}): sliders will not render. "
                        "Install both from the same release: `pip install -U ipywidgets jupyterlab_widgets`.")
    report = {
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
        "versions": versions,
        "device": str(get_device()),
        "threads": torch.get_num_threads(),
        "problems": problems,
    }
    if verbose:
        rows = [("Python", report["python"]), ("platform", report["platform"])]
        rows += [(name, version or "MISSING") for name, version in versions.items()]
        rows += [("device", report["device"]), ("CPU threads for torch", str(report["threads"]))]
        width = max(len(k) for k, _ in rows)
        for key, value in rows:
            print(f"{key:<{width}}  {value}")
        if problems:
            print("\nVerdict: fix these first:\n  - " + "\n  - ".join(problems))
        else:
            print("\nVerdict: ✅ everything the course needs is here.")
    return report
