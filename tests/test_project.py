"""Project-level promises: dependency lists agree, CI runs the README's test command, the code is lint-clean."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONDA_NAMES = {"pytorch": "torch"}  # conda-forge package name -> PyPI name


def _requirement(line: str) -> tuple[str, str]:
    name, _, bound = re.match(r"([A-Za-z0-9_.\-]+)\s*(>=\s*([\w.]+))?", line.strip()).groups()
    return name.lower().replace("_", "-"), bound or ""


def _pip_requirements() -> dict[str, str]:
    lines = (ROOT / "requirements.txt").read_text().splitlines()
    return dict(_requirement(x) for x in lines if x.strip() and not x.startswith("#"))


def _conda_requirements() -> dict[str, str]:
    import yaml

    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    found = {}
    for dep in env["dependencies"]:
        items = dep["pip"] if isinstance(dep, dict) else [dep]
        for item in items:
            if item.startswith("-e") or item.split(">=")[0] in ("python", "pip"):
                continue
            name, bound = _requirement(item)
            found[CONDA_NAMES.get(name, name)] = bound
    return found


def test_requirements_are_lower_bounds_not_pins():
    text = (ROOT / "requirements.txt").read_text()
    assert "==" not in text and "<" not in text
    assert all(bound for bound in _pip_requirements().values())


def test_environment_yml_lists_the_same_packages_and_bounds_as_requirements():
    assert _conda_requirements() == _pip_requirements()


def test_ci_runs_exactly_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    quick_start = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"^(python3 course\.py \w+)$", quick_start, flags=re.M)
    assert commands == ["python3 course.py lab", "python3 course.py test"], commands
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^python3 course\.py test$", ci, flags=re.M), ".ci/run must call the README's test command"


def test_ruff_finds_nothing():
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "."], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_type_hints_check():
    """mypy over course_utils (settings in pyproject.toml): the hints a learner reads are true."""
    result = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_floor_constraints_pin_every_lower_bound():
    """CI's second run installs constraints-floor.txt: it must pin exactly requirements.txt's lower bounds."""
    pins = {}
    for line in (ROOT / "constraints-floor.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, version = line.split("==")
            pins[name.strip().lower().replace("_", "-")] = version.strip()
    assert pins == _pip_requirements()
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^python3 course\.py test --floor$", ci, flags=re.M), ".ci/run must also test the floor"
