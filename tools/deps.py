"""The lists of what the course needs that other installers read, written from pyproject.toml (the one list).

    python -m tools.deps          write requirements.txt, constraints-floor.txt and environment.yml
    python -m tools.deps --check  exit 1 naming every file that differs from what it would write

- ``requirements.txt``: what the chapters need (pyproject's ``dependencies``), for ``pip install -r``.
- ``constraints-floor.txt``: every lower bound of every group, pinned (``python3 course.py test --floor``).
- ``environment.yml``: the chapters' needs for conda users, from conda-forge (torch is called pytorch there).

``tests/test_project.py`` fails when a written file is not what this would write.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parent.parent
CONDA_NAMES = {"torch": "pytorch", "jupyterlab-language-pack-zh-CN": "jupyterlab-language-pack-zh-cn"}
REQUIREMENT = re.compile(r"^([A-Za-z0-9_.\-]+)\s*>=\s*([\w.]+)\s*(?:,\s*<\s*[\w.]+)?$")
GENERATED = "# Written by tools/deps.py from pyproject.toml, the one list of what the course needs: edit that.\n"


def project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def floor(requirement: str) -> tuple[str, str]:
    """``"torch>=2.2.2"`` -> ``("torch", "2.2.2")``; every requirement has a lower bound."""
    match = REQUIREMENT.match(requirement)
    if not match:
        raise ValueError(f"{requirement!r}: every requirement needs a lower bound (name>=version)")
    return match[1], match[2]


def runtime() -> list[str]:
    return list(project()["dependencies"])


def groups() -> dict[str, list[str]]:
    return dict(project()["optional-dependencies"])


def requirements_txt() -> str:
    return (GENERATED + "# What the chapters need to run, with lower bounds. `python3 course.py lab` installs it "
            "(with course_utils);\n# the optional groups [test] and [site] of pyproject.toml hold the authoring "
            "tools.\n" + "".join(f"{r}\n" for r in runtime()))


def constraints_floor_txt() -> str:
    pins = [floor(r) for r in runtime()] + [floor(r) for group in groups().values() for r in group]
    return (GENERATED + "# Every lower bound, pinned: `python3 course.py test --floor` installs the course and its "
            "groups\n# with these constraints into .venv-floor/ and runs the whole suite there.\n"
            + "".join(f"{name}=={version}\n" for name, version in pins))


def environment_yml() -> str:
    lines = [GENERATED.rstrip("\n"),
             "# For conda users: `conda env create -f environment.yml && conda activate nn-course`: what the "
             "chapters need,",
             "# from conda-forge, and course_utils itself.",
             "name: nn-course", "channels:", "  - conda-forge", "dependencies:",
             f"  - python{project()['requires-python']}", "  - pip"]
    for requirement in runtime():
        name, version = floor(requirement)
        lines.append(f"  - {CONDA_NAMES.get(name, name)}>={version}")
    lines += ["  - pip:", "      - -e ."]
    return "\n".join(lines) + "\n"


FILES = {"requirements.txt": requirements_txt, "constraints-floor.txt": constraints_floor_txt,
         "environment.yml": environment_yml}


def stale() -> list[str]:
    """The written files that differ from what pyproject.toml gives today."""
    return [name for name, make in FILES.items()
            if not (ROOT / name).exists() or (ROOT / name).read_text(encoding="utf-8") != make()]


def main(argv: list[str]) -> int:
    if argv == ["--check"]:
        for name in stale():
            print(f"{name} differs from pyproject.toml: run python -m tools.deps")
        return 1 if stale() else 0
    if argv:
        print(__doc__)
        return 2
    for name, make in FILES.items():
        (ROOT / name).write_text(make(), encoding="utf-8")
        print(f"{name}: written")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
