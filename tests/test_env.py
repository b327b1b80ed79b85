"""The environment checks: the one-line check every chapter runs first, and the set-up chapter's full report."""

import re
from importlib import metadata
from pathlib import Path

import pytest

from course_utils import env

ROOT = Path(__file__).resolve().parent.parent


def _fake_versions(monkeypatch, fake):
    """Make ``metadata.version`` answer ``fake`` ({name: version, or None for not installed}), else the truth."""
    real_version = metadata.version

    def version(name):
        if name in fake:
            if fake[name] is None:
                raise metadata.PackageNotFoundError(name)
            return fake[name]
        return real_version(name)

    monkeypatch.setattr(env.metadata, "version", version)


def _pyproject_floors() -> dict[str, str]:
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    floors = {}
    for line in [*project["dependencies"], *(r for g in project["optional-dependencies"].values() for r in g)]:
        match = re.match(r"\s*([A-Za-z0-9_.\-]+)\s*>=\s*([\w.]+)", line)
        floors[match[1].lower().replace("_", "-")] = match[2]
    return floors


def test_supported_floors_are_the_lower_bounds_declared_in_pyproject():
    """The floors live once, in pyproject.toml; env reads them from the installed package's metadata."""
    floors = _pyproject_floors()
    assert env.declared_floors() == floors
    assert env.SUPPORTED == {name: floors[name] for name in env.CHAPTER_PACKAGES}
    assert env.MINIMUM["jupyterlab"] == floors["jupyterlab"]


def test_floors_come_from_pyproject_without_an_installed_package(monkeypatch):
    def not_installed(name):
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(env.metadata, "requires", not_installed)
    assert env.declared_floors() == _pyproject_floors()


def test_check_prints_one_ok_line_here(capsys):
    assert env.check_environment() is True
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("environment OK: torch ") and "ipywidgets" in lines[0] and "Python" in lines[0]


@pytest.mark.parametrize("name", ["matplotlib", "scikit-learn", "numpy", "pillow"])
def test_check_names_an_old_package_its_floor_and_the_fix(monkeypatch, capsys, name):
    _fake_versions(monkeypatch, {name: "0.5.1"})
    assert env.check_environment() is False
    (line,) = capsys.readouterr().out.splitlines()
    floor = env.SUPPORTED[name]
    assert line.startswith(f"⚠ {name} 0.5.1 is older than this course supports (>= {floor})")
    assert "python3 course.py setup" in line and f'pip install "{name}>={floor}"' in line


def test_check_names_a_missing_package_and_the_fix(monkeypatch, capsys):
    _fake_versions(monkeypatch, {"torchvision": None})
    assert env.check_environment() is False
    (line,) = capsys.readouterr().out.splitlines()
    assert line.startswith("⚠ torchvision is not installed")
    assert "python3 course.py setup" in line and 'pip install "torchvision>=0.17.2"' in line


def test_check_flags_widgets_that_cannot_render(monkeypatch, capsys):
    _fake_versions(monkeypatch, {"jupyterlab_widgets": "1.1.0"})
    assert env.check_environment() is False
    (line,) = capsys.readouterr().out.splitlines()
    assert "jupyterlab_widgets 3.x (found 1.1.0)" in line and "pip install -U ipywidgets jupyterlab_widgets" in line
    _fake_versions(monkeypatch, {"jupyterlab_widgets": None})
    assert env.check_environment() is False
    assert "jupyterlab_widgets is not installed" in capsys.readouterr().out


def test_check_flags_an_old_python_and_lists_every_problem(monkeypatch, capsys):
    monkeypatch.setattr(env.sys, "version_info", (3, 9, 18))
    monkeypatch.setattr(env.platform, "python_version", lambda: "3.9.18")
    _fake_versions(monkeypatch, {"torch": "1.13.0", "tqdm": None, "numpy": "1.26.4"})
    assert env.check_environment() is False
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3 and all(line.startswith("⚠ ") for line in lines)
    assert "Python 3.9.18 is older than this course supports (>= 3.10)" in lines[0]
    assert "torch 1.13.0" in lines[1] and "tqdm is not installed" in lines[2]


def test_check_reads_versions_without_importing_the_packages():
    import subprocess
    import sys

    code = ("import sys; from course_utils import env; env.check_environment(); "
            "print(sorted(m for m in ('sklearn', 'torchvision', 'matplotlib', 'ipywidgets', 'PIL') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT).stdout
    assert out.splitlines()[-1] == "[]"


def test_report_here_has_no_problems(capsys):
    report = env.environment_report()
    assert report["problems"] == []
    assert set(report["versions"]) == set(env.PACKAGES)
    assert report["threads"] >= 1
    assert "Verdict: ✅" in capsys.readouterr().out


def test_report_flags_missing_old_and_mismatched_packages(monkeypatch, capsys):
    _fake_versions(monkeypatch, {"torch": "1.13.0", "jupyterlab_widgets": "1.1.0", "tqdm": None})
    problems = env.environment_report()["problems"]
    text = " ".join(problems)
    assert "torch 1.13.0 is older than this course supports (>= 2.2.2)" in text
    assert "tqdm is not installed" in text
    assert "jupyterlab_widgets 3.x" in text
    assert "fix these first" in capsys.readouterr().out


def test_check_flags_torch_2_2_with_numpy_2(monkeypatch, capsys):
    """torch 2.2's wheels were built for NumPy 1.x: with NumPy 2 every tensor <-> array conversion fails."""
    _fake_versions(monkeypatch, {"torch": "2.2.2", "numpy": "2.1.0"})
    assert env.check_environment() is False
    (line,) = capsys.readouterr().out.splitlines()
    assert line.startswith("⚠ torch 2.2.2 was built for NumPy 1.x and cannot use numpy 2.1.0")
    assert 'pip install "numpy<2"' in line
    _fake_versions(monkeypatch, {"torch": "2.3.0", "numpy": "2.1.0"})
    assert env.check_environment() is True
