#!/usr/bin/env python3
"""The course's task runner. Needs only Python >= 3.10; every command sets itself up first.

    python3 course.py lab          open JupyterLab on the course (creates .venv/ and installs on first use);
                                   JupyterLab's own options pass through: --no-browser --ip 0.0.0.0 --port 8888
    python3 course.py lab --lang zh  the same on the Chinese edition (notebooks/zh/; 中文版), menus in Chinese
    python3 course.py setup        only create/refresh the virtual environment (what the chapters need)
    python3 course.py test         run the whole test suite (unit tests, every notebook, lint, browser test)
    python3 course.py test --floor the same suite at the oldest supported versions (constraints-floor.txt,
                                   installed into .venv-floor/); CI runs both
    python3 course.py notebooks    re-execute notebooks from notebooks/src/ (all, or the names given), in both
                                   editions: notebooks/ (English) and notebooks/zh/ (from the catalogs in locale/);
                                   with --lang, that edition only
    python3 course.py bench        print the benchmark table
    python3 course.py site         build the website (both editions, widgets that answer without a kernel) into
                                   build/site/; open build/site/index.html
    python3 course.py classroom DIR  the teacher's kit: an nbgrader course folder at DIR, one graded assignment
                                   per chapter of the edition (--lang zh: the Chinese one); classroom/ has the rest

--lang zh (or the environment variable COURSE_LANG=zh) makes this runner speak Chinese; for `lab` it also opens
the Chinese edition. The editions are listed in course_utils/editions.json.

What each command installs: `lab` and `setup` what the chapters import (pyproject.toml's dependencies); `test`,
`notebooks` and `bench` add the optional group [test], `site` and `test` the group [site], `classroom` and `test`
the group [classroom] (nbgrader, JupyterHub). The virtual environment
lives in .venv/ (or $COURSE_VENV); it is reinstalled only when pyproject.toml changes or a command needs a group it
lacks, so the second run of any command starts at once. pip is run as usual, so a mirror set with
`pip config set global.index-url …` or PIP_INDEX_URL is used.
"""

from __future__ import annotations

import gettext
import hashlib
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("COURSE_VENV", ROOT / ".venv"))
FLOOR_VENV = ROOT / ".venv-floor"  # the oldest supported versions: every lower bound, pinned
FLOOR_CONSTRAINTS = ROOT / "constraints-floor.txt"
PYPROJECT = ROOT / "pyproject.toml"  # the one list of what the course needs, with its optional groups
EDITIONS = json.loads((ROOT / "course_utils" / "editions.json").read_text(encoding="utf-8"))["editions"]
CODES = [e["code"] for e in EDITIONS]
STAMP = ".course-installed"  # in the environment: what was installed, written only once pip has finished
LAB_STATE = ROOT / ".lab"  # per edition: JupyterLab's settings and workspaces for this course only
# The size of a first install, in GB: PyTorch's CUDA build (what pip picks on Linux x86_64) takes about 5.5 GB of
# the environment; elsewhere PyTorch's wheels are CPU builds of under 1 GB. Half a GB more must be free for pip.
CUDA_BUILD = sys.platform.startswith("linux") and platform.machine() in ("x86_64", "AMD64")
INSTALL_GB = 6 if CUDA_BUILD else 2
INSTALL_WITH_TORCH_GB = 1  # PyTorch already there (e.g. its CPU build installed first)


def N_(message: str) -> str:
    """Mark ``message`` for the catalog; it is translated where it is shown."""
    return message


USAGE = N_("""python3 course.py COMMAND [--lang en|zh] [options]

  lab         open JupyterLab on the course (the first time: create .venv/ and install, a few minutes);
              JupyterLab's own options pass through, e.g. --no-browser --ip 0.0.0.0 --port 8888
  setup       create or repair the environment: install what the chapters need, fix what does not match
  test        run the whole test suite (adds the authoring tools); --floor: at the oldest supported versions
  notebooks   re-execute the chapters (all, or the numbers given) in both editions (with --lang: in that one)
  bench       print the benchmark table
  site        build the website into build/site/
  classroom DIR  the teacher's kit: the chapters as graded nbgrader assignments in the folder DIR

--lang zh (or COURSE_LANG=zh): this runner speaks Chinese, and lab opens the Chinese edition with Chinese menus.
A mirror set with `pip config set global.index-url …` or PIP_INDEX_URL is used (course.py runs pip).""")


SYSTEM_PARTS = [  # what pip cannot install, and the tests that need it (they skip without it; on CI they fail)
    (N_("Chromium"), "apt-get install chromium", N_("the browser tests (JupyterLab and the website)")),
    (N_("a Chinese font"), "apt-get install fonts-noto-cjk", N_("the check that Chinese renders as glyphs")),
]


# --------------------------------------------------------------------------------------- language of the runner
def _language(argv: list[str]) -> tuple[str, list[str]]:
    """The edition's code from ``--lang X`` or ``--lang=X`` (removed from argv), else COURSE_LANG, else the first
    edition's."""
    lang, rest, given = os.environ.get("COURSE_LANG", ""), [], None
    i = 0
    while i < len(argv):
        if argv[i] == "--lang":
            given = argv[i + 1] if i + 1 < len(argv) else ""
            i += 2
            continue
        if argv[i].startswith("--lang="):
            given = argv[i].split("=", 1)[1]
        else:
            rest.append(argv[i])
        i += 1
    global _LANG_GIVEN
    _LANG_GIVEN = given is not None
    if given is not None:
        if _normalize(given) is None:
            set_language(_normalize(lang) or CODES[0])
            _say(_("--lang takes one of: {choices} (got {lang!r}).").format(choices=", ".join(CODES), lang=given),
                 error=True)
            sys.exit(2)
        lang = given
    return _normalize(lang) or CODES[0], rest


_LANG_GIVEN = False  # whether --lang was on the command line (not only COURSE_LANG)


def _normalize(lang: str) -> str | None:
    """'zh_CN.UTF-8' -> 'zh' (as course_utils.editions.normalize); None for no edition of the course."""
    code = lang.strip().lower().replace("-", "_").split(".")[0].split("_")[0]
    return code if code in CODES else None


_translation: gettext.NullTranslations = gettext.NullTranslations()


def _(message: str) -> str:
    """``message`` in the runner's language: locale/<code>/LC_MESSAGES/course.mo (python -m tools.i18n compile)."""
    return _translation.gettext(message)


def set_language(code: str) -> None:
    global _translation
    _translation = gettext.translation("course", str(ROOT / "locale"), languages=[code], fallback=True)


def _say(message: str, error: bool = False) -> None:
    print(f"[course] {message}", file=sys.stderr if error else sys.stdout, flush=True)


class SetupFailed(Exception):
    """An install step failed; its message (one or two lines for the learner) is already translated."""


# ------------------------------------------------------------------------------------------ the environment
def venv_python(venv_dir: Path = VENV) -> Path:
    return venv_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def _fingerprint(floor: bool) -> str:
    h = hashlib.sha256(PYPROJECT.read_bytes())
    if floor:
        h.update(FLOOR_CONSTRAINTS.read_bytes())
    return h.hexdigest()


def _installed(venv_dir: Path) -> dict:
    """What the last finished install put into ``venv_dir`` ({} when none finished there)."""
    try:
        state = json.loads((venv_dir / STAMP).read_text())
    except (OSError, ValueError):
        return {}
    return state if isinstance(state, dict) else {}


def is_current(venv_dir: Path, extras: tuple[str, ...] = (), floor: bool = False) -> bool:
    """Whether ``venv_dir`` holds a finished install of today's pyproject.toml with ``extras``.

    An environment installed at the floor also serves a command that does not ask for it (its versions meet
    every bound), but not the other way round.
    """
    state = _installed(venv_dir)
    if not state or (floor and not state.get("floor")):
        return False
    return (state.get("fingerprint") == _fingerprint(bool(state.get("floor")))
            and set(extras) <= set(state.get("extras", [])))


def _has_torch(venv_dir: Path) -> bool:
    return any(venv_dir.glob("lib*/python*/site-packages/torch-*.dist-info")) or any(
        venv_dir.glob("Lib/site-packages/torch-*.dist-info"))


def check_free_space(venv_dir: Path) -> None:
    """Stop before a download that cannot fit: PyTorch alone takes several GB."""
    need = (INSTALL_WITH_TORCH_GB if _has_torch(venv_dir) else INSTALL_GB) + 0.5
    where = venv_dir if venv_dir.exists() else venv_dir.parent
    free = shutil.disk_usage(where).free / 1e9
    if free < need:
        raise SetupFailed(
            _("Not enough disk space: the install needs about {need:.1f} GB free and {where} has {free:.1f} GB.")
            .format(need=need, where=_shown(where), free=free) + "\n"
            + _("Free some space and run the same command again, or install the smaller CPU-only PyTorch first "
                "(README: \"A faster or smaller install\")."))


def setup(extras: tuple[str, ...] = (), floor: bool = False, repair: bool = False) -> Path:
    """Create .venv/ (or .venv-floor/) and install the course (editable) with ``extras``, unless current.

    With ``floor``, every package is pinned to its lower bound (constraints-floor.txt). With ``repair`` (the
    command ``setup``), pip runs even when the environment looks current, and puts back what does not match the
    requirements (a package a learner downgraded by hand). Raises SetupFailed with a message for the learner
    when something fails; the environment is marked finished only after pip has.
    """
    if sys.version_info < (3, 10):  # noqa: UP036 - the point is to catch an old interpreter
        raise SetupFailed(_("The course needs Python 3.10 or newer; this is {version}.")
                          .format(version=sys.version.split()[0]))
    venv_dir = FLOOR_VENV if floor else VENV
    py = venv_python(venv_dir)
    if is_current(venv_dir, extras, floor) and not repair:
        return py
    wanted = sorted(set(extras) | set(_installed(venv_dir).get("extras", [])))
    check_free_space(venv_dir)
    if not py.exists():
        _say(_("creating the virtual environment {venv} ...").format(venv=_shown(venv_dir)))
        try:  # a half-made environment from a failed start is made anew; any other folder is left as it is
            venv.EnvBuilder(with_pip=True, clear=(venv_dir / "pyvenv.cfg").exists()).create(venv_dir)
        except (OSError, subprocess.CalledProcessError) as exc:
            raise SetupFailed(_("Could not create the virtual environment {venv}: {error}")
                              .format(venv=_shown(venv_dir), error=exc)) from None
    (venv_dir / STAMP).unlink(missing_ok=True)  # from now on the environment is half-made until pip finishes
    target = f"{ROOT}[{','.join(wanted)}]" if wanted else str(ROOT)
    groups = ", ".join(wanted)
    if floor:
        what = _("the oldest supported versions")
    elif groups:
        what = _("what the course needs, with the tools for: {groups}").format(groups=groups)
    else:
        what = _("what the chapters need")
    _say(_("installing {what} (the first time takes a few minutes and about {gb} GB) ...")
         .format(what=what, gb=INSTALL_GB))
    log = venv_dir / "course-install.log"
    with open(log, "a", encoding="utf-8") as log_file:
        log_file.write(f"\n===== {time.strftime('%Y-%m-%d %H:%M:%S')} python3 course.py {' '.join(sys.argv[1:])}\n")
    _pip(py, ["install", "--upgrade", "pip"], log)
    pins = ["-c", str(FLOOR_CONSTRAINTS)] if floor else []
    _pip(py, ["install", *pins, "-e", target], log)
    state = {"fingerprint": _fingerprint(floor), "extras": wanted, "floor": floor}
    (venv_dir / STAMP).write_text(json.dumps(state))
    _say(_("installed."))
    return py


def _shown(path: Path) -> str:
    """A path as the learner typed it: relative to the course folder when inside it."""
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


NETWORK_ERRORS = ("Could not find a version", "No matching distribution", "ConnectionError", "Max retries exceeded",
                  "Failed to establish a new connection", "Read timed out", "ReadTimeoutError", "Connection refused",
                  "Temporary failure in name resolution", "IncompleteRead", "HTTP error", "SSLError",
                  "THESE PACKAGES DO NOT MATCH THE HASHES", "Network is unreachable", "ProtocolError")


def _pip(py: Path, args: list[str], log: Path) -> None:
    """Run pip; its output goes to the terminal and to ``log``. A failure raises SetupFailed saying what to do."""
    lines: list[str] = []
    with open(log, "a", encoding="utf-8") as log_file:
        try:
            proc = subprocess.Popen([str(py), "-m", "pip", *args], cwd=ROOT, stdout=subprocess.PIPE,
                                    stderr=subprocess.STDOUT, text=True, encoding="utf-8", errors="replace")
        except OSError as exc:
            raise SetupFailed(_("Could not run pip ({error}).").format(error=exc)) from None
        assert proc.stdout is not None
        progress = _Progress() if sys.stdout.isatty() else None
        for line in proc.stdout:
            log_file.write(line)
            lines.append(line)
            if progress:
                progress.show(line)
            else:
                sys.stdout.write(line)
                sys.stdout.flush()
        code = proc.wait()
        if progress:
            progress.end(show_errors=code != 0, lines=lines)
    if code == 0:
        return
    output = "".join(lines[-200:])
    again = _("Run the same command again: it keeps what is already installed and continues.")
    if "No space left on device" in output or "Errno 28" in output:
        raise SetupFailed(_("The install stopped: the disk is full.") + "\n"
                          + _("Free at least {gb} GB, then run the same command again; it keeps what is installed.")
                          .format(gb=INSTALL_GB))
    if any(marker in output for marker in NETWORK_ERRORS):
        raise SetupFailed(_("The install stopped: pip could not download from the package index ({index}); its "
                            "whole output is in {log}.").format(index=_index(output), log=_shown(log)) + "\n"
                          + _("Run the same command again: it keeps what is already installed and continues. If it "
                              "fails again, use a mirror (README: \"A faster or smaller install\")."))
    raise SetupFailed(_("The install stopped: pip failed (its error is above; the whole log is in {log}).")
                      .format(log=_shown(log)) + "\n" + again)


class _Progress:
    """pip's progress on a terminal in one line that rewrites itself (its whole output is in the log file)."""

    STEPS = ("Collecting ", "Downloading ", "Installing collected packages", "Building ", "Successfully installed")

    def __init__(self) -> None:
        self.width = max(20, shutil.get_terminal_size().columns - 1)
        self.packages = 0

    def show(self, line: str) -> None:
        text = line.strip()
        if text.startswith("Collecting "):
            self.packages += 1
        if text.startswith(self.STEPS):
            status = f"[course] pip ({self.packages}): {text}"
            sys.stdout.write("\r\033[K" + status[: self.width])
            sys.stdout.flush()

    def end(self, show_errors: bool, lines: list[str]) -> None:
        sys.stdout.write("\r\033[K")
        if show_errors:  # pip's own reason, as it wrote it
            errors = [line for line in lines if line.startswith("ERROR") or "Error" in line.split(":")[0]]
            sys.stdout.write("".join(errors[-8:] or lines[-8:]))
        sys.stdout.flush()


def _index(output: str) -> str:
    """The package index pip used, from its own words ("Looking in indexes: …"), else its default."""
    for line in output.splitlines():
        if line.startswith("Looking in indexes:"):
            return line.split(":", 1)[1].strip().split(",")[0].strip()
    return os.environ.get("PIP_INDEX_URL") or "https://pypi.org/simple"


def missing_system_parts(chromium: Path = Path("/usr/bin/chromium")) -> list[tuple[str, str, str]]:
    """The parts pip cannot install that this machine lacks: (what, the command that installs it, who needs it)."""
    missing = []
    if not chromium.exists():
        missing.append(SYSTEM_PARTS[0])
    if not _has_chinese_font():
        missing.append(SYSTEM_PARTS[1])
    return missing


def _has_chinese_font() -> bool:
    if not shutil.which("fc-list"):  # fontconfig: what Chromium on Linux draws text with
        return False
    result = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True)
    return bool(result.stdout.strip())


# ------------------------------------------------------------------------------------------------- commands
def _run(args: list, env: dict | None = None) -> int:
    return subprocess.run([str(a) for a in args], cwd=ROOT, env=env).returncode


def _edition(code: str) -> dict:
    return next(e for e in EDITIONS if e["code"] == code)


def lab_settings(code: str) -> tuple[Path, Path]:
    """This edition's JupyterLab settings and workspaces folders (in .lab/<code>/, never the learner's own).

    The settings name the edition's menu language, so `lab --lang zh` has Chinese menus and `lab` English ones,
    and neither touches the settings of any other JupyterLab on the machine.
    """
    settings, workspaces = LAB_STATE / code / "user-settings", LAB_STATE / code / "workspaces"
    plugin = settings / "@jupyterlab" / "translation-extension" / "plugin.jupyterlab-settings"
    plugin.parent.mkdir(parents=True, exist_ok=True)
    workspaces.mkdir(parents=True, exist_ok=True)
    plugin.write_text(json.dumps({"locale": _edition(code)["jupyterlab_locale"]}, indent=4) + "\n")
    news = settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    if not news.exists():  # no "get notified about Jupyter news?" pop-up on a machine that may be offline
        news.parent.mkdir(parents=True, exist_ok=True)
        news.write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}, indent=4) + "\n")
    return settings, workspaces


def _runtime_dir(py: Path) -> Path:
    code = "from jupyter_core.paths import jupyter_runtime_dir; print(jupyter_runtime_dir())"
    return Path(subprocess.run([str(py), "-c", code], capture_output=True, text=True, check=True).stdout.strip())


def _server_info(runtime: Path, pid: int) -> dict | None:
    try:
        return json.loads((runtime / f"jpserver-{pid}.json").read_text())
    except (OSError, ValueError):
        return None


def lab(extra: list[str], code: str) -> int:
    py = setup()
    settings, workspaces = lab_settings(code)
    notebooks = ROOT / _edition(code)["notebooks"]
    # COURSE_LANG: the kernels speak the edition's language even before a chapter's first cell sets it
    env = {**os.environ, "COURSE_LANG": code}
    # the edition's chapters, not the other editions' folders nor the sources the chapters are built from
    others = [Path(e["notebooks"]).name for e in EDITIONS if e["code"] != code and e["notebooks"] != "notebooks"]
    hidden = ["__pycache__", "*.pyc", "*.pyo", ".DS_Store", "*~", "*.so", "*.dylib", "src", *others]
    options = [f"--ServerApp.root_dir={notebooks}", f"--LabApp.user_settings_dir={settings}",
               f"--ContentsManager.hide_globs={json.dumps(hidden)}",
               f"--LabApp.workspaces_dir={workspaces}", "--ServerApp.log_level=WARN", "--LabApp.log_level=WARN"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        options.append("--allow-root")
        _say(_("You are root (usual on a rented server or in a container), so JupyterLab starts with --allow-root; "
               "without it, it refuses to run."))
    runtime = _runtime_dir(py)
    # the learner's options come last, so theirs win (--port 9999, --ip 0.0.0.0, --no-browser, --log-level INFO)
    proc = subprocess.Popen([str(py), "-m", "jupyterlab", *options, *extra], cwd=ROOT, env=env)
    previous_int = signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C reaches JupyterLab, which asks to stop
    previous_term = signal.signal(signal.SIGTERM, lambda *_signal: proc.terminate())
    try:
        info = None
        while proc.poll() is None and info is None:
            info = _server_info(runtime, proc.pid)
            time.sleep(0.2)
        if info is not None:
            url = f"{info['url'].rstrip('/')}/lab" + (f"?token={info['token']}" if info.get("token") else "")
            # a server: JupyterLab opens no browser there, or listens for other machines, or there is no screen
            remote = ("--no-browser" in extra or any(a.startswith(("--ip", "--ServerApp.ip")) for a in extra)
                      or (sys.platform.startswith("linux") and not os.environ.get("DISPLAY")
                          and not os.environ.get("WAYLAND_DISPLAY")))
            if remote:
                port = info.get("port", 8888)
                _say(_("On a remote server? Run this on your own computer, then open the address below there: "
                       "ssh -N -L {port}:localhost:{port} USER@SERVER").format(port=port))
            _say(_("JupyterLab is running (Ctrl+C twice stops it). Open: {url}").format(url=url))
        code_ = proc.wait()
    finally:
        signal.signal(signal.SIGINT, previous_int)
        signal.signal(signal.SIGTERM, previous_term)
    if info is None:
        _say(_("JupyterLab did not start (its message is above)."), error=True)
        return code_ or 1
    _say(_("JupyterLab stopped."))
    return 0 if code_ in (0, -signal.SIGTERM, -signal.SIGINT) else code_


def test(extra: list[str], code: str) -> int:
    floor = "--floor" in extra
    extra = [a for a in extra if a != "--floor"]
    for what, command, needed_by in missing_system_parts():
        on_ci = os.environ.get("CI", "").lower() == "true"
        _say((_("missing: {what} ({command}); {tests} will fail (CI=true).") if on_ci else
              _("missing: {what} ({command}); {tests} will be skipped."))
             .format(what=_(what), command=command, tests=_(needed_by)))
    # The suite builds the website and tests it in the browser. The floor run leaves the checks that give the same
    # answer at any library version (lint, types, files, the website) to the newest run (conftest.py, ONCE); the
    # newest run leaves the English notebooks in JupyterLab to the floor run (conftest.py, FLOOR).
    py = setup(("test",) if floor else ("test", "site", "classroom"), floor=floor)
    # At the floor, the notebooks' outputs may differ from the committed ones (made at the newest versions) except
    # the key numbers, marked NBVAL_CHECK_OUTPUT.
    once = ["-m", "not once", "--checked-outputs-only"] if floor else ["-m", "not floor"]
    if floor:
        _say(_("At the oldest supported versions: the checks that do not depend on library versions are left to the "
               "run at the newest versions (conftest.py, ONCE)."))
    cores = os.cpu_count() or 1
    workers = max(1, min(cores, 4))
    env = dict(os.environ)
    # Threads per worker = cores / workers, so parallel notebooks don't fight over the CPU.
    threads = str(max(1, cores // workers))
    env.update(OMP_NUM_THREADS=threads, MKL_NUM_THREADS=threads, MPLBACKEND="Agg", PYTHONHASHSEED="0")
    # --dist loadscope hands each worker whole units (conftest.py: a notebook's cells stay on one worker, where
    # plain -n would split them; each browser notebook is a unit of its own), in conftest's order: longest first.
    xdist = ["-n", str(workers), "--dist", "loadscope", "--no-loadscope-reorder"] if workers > 1 else []
    return _run([py, "-m", "pytest", *xdist, *once, *extra], env=env)


def notebooks(extra: list[str], code: str) -> int:
    py = setup(("test",))
    one = ["--lang", code] if _LANG_GIVEN else []  # `notebooks 03 --lang zh`: that edition only
    return _run([py, "-m", "tools.nbtools", "build", *extra, *one])


def bench(extra: list[str], code: str) -> int:
    py = setup(("test", "site"))  # the benchmark builds the website too
    return _run([py, "-m", "benchmarks.run", *extra])


def site(extra: list[str], code: str) -> int:
    py = setup(("site",))
    return _run([py, "-m", "tools.website", *extra], env={**os.environ, "MPLBACKEND": "Agg"})


def classroom(extra: list[str], code: str) -> int:
    """The teacher's kit: an nbgrader course folder from the chapters of this edition (classroom/kit.py)."""
    if not extra or extra[0].startswith("-"):
        _say(_("Name the course folder to write: python3 course.py classroom DIR [--lang zh] "
               "[--chapters 01 02 ...]"), error=True)
        return 2
    if sys.version_info < (3, 11):
        raise SetupFailed(_("The teacher's kit needs Python 3.11 or newer (nbgrader 0.9 does); this is {version}.")
                          .format(version=sys.version.split()[0]))
    py = setup(("classroom",))
    return _run([py, "-m", "classroom.kit", *extra, "--lang", code])


def _setup(extra: list[str], code: str) -> int:
    """The learner's repair command: installs what is missing and puts back what does not match."""
    setup(repair=True)
    _say(_("The environment {venv} has what the chapters need.").format(venv=_shown(VENV)))
    return 0


COMMANDS = {"lab": lab, "setup": _setup, "test": test, "notebooks": notebooks, "bench": bench, "site": site,
            "classroom": classroom}


def main(argv: list[str]) -> int:
    code, argv = _language(argv)
    set_language(code)
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(_(USAGE))
        return 0
    command, extra = argv[0], argv[1:]
    if command not in COMMANDS:
        _say(_("Unknown command {command!r}; expected one of: {commands}.")
             .format(command=command, commands=", ".join(COMMANDS)), error=True)
        return 2
    try:
        return COMMANDS[command](extra, code)
    except SetupFailed as failure:
        for line in str(failure).splitlines():
            _say(line, error=True)
        return 1
    except KeyboardInterrupt:
        _say(_("Stopped. Run the same command again to go on; what is installed is kept."), error=True)
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
