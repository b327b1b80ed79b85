#!/usr/bin/env python3
"""The course's task runner. Needs only Python >= 3.10; every command sets itself up first.

    python3 course.py lab          open JupyterLab on the course (creates .venv/ and installs on first use)
    python3 course.py lab --lang zh  the same on the Chinese edition (notebooks/zh/; 中文版)
    python3 course.py test         run the whole test suite (unit tests, every notebook, lint, browser test)
    python3 course.py test --floor the same suite at the oldest supported versions (constraints-floor.txt,
                                   installed into .venv-floor/); CI runs both
    python3 course.py notebooks    re-execute notebooks from notebooks/src/ (all, or the names given), in both
                                   editions: notebooks/ (English) and notebooks/zh/ (from the catalogs in locale/)
    python3 course.py bench        print the benchmark table
    python3 course.py site         build the website (both editions, widgets that answer without a kernel) into
                                   build/site/; open build/site/index.html (installs requirements-site.txt)
    python3 course.py setup        only create/refresh the virtual environment

The virtual environment lives in .venv/ (or $COURSE_VENV). It is reinstalled only when requirements.txt or
pyproject.toml change, so the second run of any command starts at once.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("COURSE_VENV", ROOT / ".venv"))
FLOOR_VENV = ROOT / ".venv-floor"  # the oldest supported versions: requirements.txt's lower bounds, pinned
FLOOR_CONSTRAINTS = ROOT / "constraints-floor.txt"
SITE_REQUIREMENTS = ROOT / "requirements-site.txt"  # the website's tools: installed by `site` and `test` only


def venv_python(venv_dir: Path = VENV) -> Path:
    return venv_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def _install_fingerprint(constraints: Path | None) -> str:
    h = hashlib.sha256()
    for path in (ROOT / "requirements.txt", ROOT / "pyproject.toml", constraints):
        if path is not None:
            h.update(path.read_bytes())
    return h.hexdigest()


def setup(floor: bool = False) -> Path:
    """Create .venv/ (or .venv-floor/) and install requirements.txt plus course_utils (editable), unless current.

    With ``floor``, every package is pinned to its lower bound (constraints-floor.txt).
    """
    if sys.version_info < (3, 10):  # noqa: UP036 - the point is to catch an old interpreter
        sys.exit(f"The course needs Python >= 3.10; this is {sys.version.split()[0]}.")
    venv_dir, constraints = (FLOOR_VENV, FLOOR_CONSTRAINTS) if floor else (VENV, None)
    py, stamp = venv_python(venv_dir), venv_dir / ".course-installed"
    if not py.exists():
        print(f"[course] creating the virtual environment {venv_dir} ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(venv_dir)
    fingerprint = _install_fingerprint(constraints)
    if stamp.exists() and stamp.read_text() == fingerprint:
        return py
    what = "the oldest supported versions" if floor else "requirements.txt"
    print(f"[course] installing {what} and course_utils (the first time takes a few minutes) ...", flush=True)
    subprocess.run([py, "-m", "pip", "install", "--upgrade", "pip"], check=True)
    pins = ["-c", constraints] if constraints else []
    subprocess.run([py, "-m", "pip", "install", "-r", ROOT / "requirements.txt", *pins, "-e", ROOT], check=True)
    stamp.write_text(fingerprint)
    return py


def setup_site(py: Path, floor: bool = False) -> None:
    """Install the website's tools (requirements-site.txt) into the environment of ``py``, unless current."""
    stamp = py.parent.parent / ".course-site-installed"
    fingerprint = hashlib.sha256(SITE_REQUIREMENTS.read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == fingerprint:
        return
    print("[course] installing the website's tools (requirements-site.txt) ...", flush=True)
    pins = ["-c", FLOOR_CONSTRAINTS] if floor else []
    subprocess.run([py, "-m", "pip", "install", "-r", SITE_REQUIREMENTS, *pins], check=True)
    stamp.write_text(fingerprint)


def _run(args: list, env: dict | None = None) -> int:
    return subprocess.run([str(a) for a in args], cwd=ROOT, env=env).returncode


LANGUAGES = {"en": ROOT / "notebooks", "zh": ROOT / "notebooks" / "zh"}


def lab(extra: list[str]) -> int:
    lang = "en"
    if "--lang" in extra:
        i = extra.index("--lang")
        lang = extra[i + 1] if i + 1 < len(extra) else ""
        extra = extra[:i] + extra[i + 2:]
        if lang not in LANGUAGES:
            print(f"--lang takes one of: {', '.join(LANGUAGES)} (got {lang!r})", file=sys.stderr)
            return 2
    py = setup()
    # COURSE_LANG: the kernels speak the edition's language even before a chapter's first cell sets it
    env = {**os.environ, "COURSE_LANG": lang}
    return _run([py, "-m", "jupyterlab", "--notebook-dir", LANGUAGES[lang], *extra], env=env)


def test(extra: list[str]) -> int:
    floor = "--floor" in extra
    extra = [a for a in extra if a != "--floor"]
    py = setup(floor=floor)
    setup_site(py, floor=floor)  # the suite builds the website and tests it in the browser
    cores = os.cpu_count() or 1
    workers = max(1, min(cores, 4))
    env = dict(os.environ)
    # Threads per worker = cores / workers, so parallel notebooks don't fight over the CPU.
    threads = str(max(1, cores // workers))
    env.update(OMP_NUM_THREADS=threads, MKL_NUM_THREADS=threads, MPLBACKEND="Agg", PYTHONHASHSEED="0")
    # --dist loadscope keeps every notebook's cells on one worker (plain -n would split a notebook).
    xdist = ["-n", str(workers), "--dist", "loadscope"] if workers > 1 else []
    return _run([py, "-m", "pytest", *xdist, *extra], env=env)


def notebooks(extra: list[str]) -> int:
    py = setup()
    return _run([py, ROOT / "tools" / "nbtools.py", "build", *extra])


def bench(extra: list[str]) -> int:
    py = setup()
    setup_site(py)  # the benchmark builds the website too
    return _run([py, ROOT / "benchmarks" / "run.py", *extra])


def site(extra: list[str]) -> int:
    py = setup()
    setup_site(py)
    return _run([py, ROOT / "tools" / "website.py", *extra], env={**os.environ, "MPLBACKEND": "Agg"})


COMMANDS = {"lab": lab, "test": test, "notebooks": notebooks, "bench": bench, "site": site}


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(__doc__)
        return 0
    command, extra = argv[0], argv[1:]
    if command == "setup":
        setup()
        return 0
    if command not in COMMANDS:
        print(f"Unknown command {command!r}; expected one of: setup, {', '.join(COMMANDS)}.", file=sys.stderr)
        return 2
    return COMMANDS[command](extra)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
