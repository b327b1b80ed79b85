"""The launcher, course.py, as a newcomer meets it: `python3 course.py lab` exactly as the README says (as root on
CI), JupyterLab's menus in the edition's language, a lean learner's environment, and an install that fails saying
what to do and finishes on the next run."""

from __future__ import annotations

import gettext
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import venv
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement

import course  # course.py, on the path through pytest's `pythonpath` setting

ROOT = Path(__file__).resolve().parent.parent
PYTHON3 = shutil.which("python3") or sys.executable  # what the README types
# The project's own tools: the optional groups [test] and [site], never in a learner's `lab` environment.
AUTHORING_TOOLS = {"ruff", "mypy", "playwright", "pytest-xdist", "jupytext", "sphinx", "myst-nb",
                   "sphinx-book-theme", "jieba", "sphinx-mathjax-offline"}
URL = re.compile(r"(https?://\S+/lab\S*)\s*$")
START_TIMEOUT_S = 90
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _words(lang: str):
    """The launcher's sentences in ``lang`` (its catalog, as course.py reads it), to compare its lines with."""
    return gettext.translation("course", str(ROOT / "locale"), languages=[lang], fallback=True).gettext


@pytest.fixture
def words(request):
    return _words(request.param)


class Lab:
    """`python3 course.py lab …` running in the background, its output collected line by line."""

    def __init__(self, args: list[str], env: dict):
        self.proc = subprocess.Popen([PYTHON3, "course.py", "lab", *args], cwd=ROOT, env=env, text=True,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, encoding="utf-8")
        self.lines: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    def output(self) -> str:
        return "\n".join(self.lines)

    def url(self) -> str:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            course_lines = [line for line in self.lines if line.startswith("[course]")]
            if course_lines and URL.search(course_lines[-1]):
                return URL.search(course_lines[-1])[1]
            if self.proc.poll() is not None:
                break
            time.sleep(0.2)
        self.stop()
        pytest.fail(f"course.py lab printed no URL within {START_TIMEOUT_S} s:\n{self.output()[-3000:]}")

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait(timeout=30)
        self.reader.join(timeout=10)
        return code


def _lab_env(home: Path) -> dict:
    """The test's own environment serves as the course's (it holds everything); HOME is a fresh folder, so
    nothing can be written into a JupyterLab set-up of the machine's without the test seeing it."""
    home.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k not in ("COURSE_LANG", "JUPYTER_RUNTIME_DIR")}
    env.update(COURSE_VENV=sys.prefix, HOME=str(home))
    return env


MENU_LABELS = "() => [...document.querySelectorAll('#jp-menu-panel .lm-MenuBar-itemLabel')].map(e => e.textContent)"


@pytest.mark.parametrize(("lang", "menu"), [("en", "File"), ("zh", "文件")])
def test_lab_starts_as_the_readme_says_with_menus_in_the_editions_language(lang, menu, tmp_path, browser):
    """`python3 course.py lab [--lang zh]` serves the edition, says why it allowed root, ends with the URL to
    open, shows JupyterLab's menus in the edition's language, and stops cleanly on SIGTERM."""
    home = tmp_path / "home"
    args = (["--lang", "zh"] if lang == "zh" else []) + ["--no-browser", f"--port={_free_port()}"]
    lab = Lab(args, _lab_env(home))
    tr = _words(lang)
    try:
        url = lab.url()
        assert "/lab?token=" in url or url.endswith("/lab"), url
        last = [line for line in lab.lines if line.startswith("[course]")][-1]
        assert last == "[course] " + tr("JupyterLab is running (Ctrl+C twice stops it). Open: {url}").format(url=url)
        if IS_ROOT:
            assert "[course] " + tr("You are root (usual on a rented server or in a container), so JupyterLab "
                                    "starts with --allow-root; without it, it refuses to run.") in lab.lines
        page = browser.new_page()
        try:
            page.goto(url)
            page.wait_for_function(f"() => ({MENU_LABELS})().length >= 5", timeout=60_000)
            labels = page.evaluate(MENU_LABELS)
        finally:
            page.close()
        assert menu in labels, labels
        if lang == "en":
            assert not any(re.search(r"[\u4e00-\u9fff]", label) for label in labels), labels
    finally:
        code = lab.stop()
    out = lab.output()
    assert code == 0, out[-3000:]
    # the launcher stops without a traceback of its own (JupyterLab's server may log one of a browser's websocket
    # closed while it shut down: that is the server's log, not the launcher's exit)
    assert not re.search(r'File "[^"]*course\.py"', out), out[-3000:]
    assert lab.lines[-1] == "[course] " + tr("JupyterLab stopped."), out[-1000:]
    # the edition's menu language lives in the course's own JupyterLab settings, not in the user's
    plugin = ROOT / ".lab" / lang / "user-settings" / "@jupyterlab" / "translation-extension"
    assert json.loads((plugin / "plugin.jupyterlab-settings").read_text())["locale"] == (
        "zh_CN" if lang == "zh" else "en")
    assert not (home / ".jupyter" / "lab" / "user-settings").exists()


def _closure(requirements: list[str]) -> set[str]:
    """Every installed distribution that ``requirements`` pull in (markers evaluated here, no extras)."""
    seen: set[str] = set()
    todo = [Requirement(r) for r in requirements]
    while todo:
        req = todo.pop()
        if req.marker is not None and not req.marker.evaluate({"extra": ""}):
            continue
        name = req.name.lower().replace("_", "-")
        if name in seen:
            continue
        seen.add(name)
        try:
            todo += [Requirement(r) for r in metadata.requires(req.name) or []]
        except metadata.PackageNotFoundError:
            pass  # a requirement of some platform-specific wheel that this machine does not have
    return seen


def test_the_learners_environment_holds_no_authoring_tool():
    """`lab` and `pip install .` install the course's runtime needs and what those pull in: no test, lint,
    type-check, browser or website tool (those are the optional groups [test] and [site])."""
    runtime = [r for r in metadata.requires("course-utils") or [] if "extra ==" not in r]
    pulled = _closure(runtime)
    assert {"torch", "jupyterlab", "ipywidgets", "nbval", "jupyterlab-language-pack-zh-cn"} <= pulled
    assert not pulled & AUTHORING_TOOLS, sorted(pulled & AUTHORING_TOOLS)
    groups = {Requirement(r).name.lower() for r in metadata.requires("course-utils") or [] if "extra ==" in r}
    assert AUTHORING_TOOLS <= groups


def _dead_index() -> str:
    return f"http://127.0.0.1:{_free_port()}/simple"  # a port nobody listens on: every request is refused


@pytest.mark.parametrize("words", ["en", "zh"], indirect=True)
def test_a_failed_install_says_what_to_do_and_the_next_run_finishes_it(words, tmp_path, request):
    """pip pointed at a package index that does not answer: two clear lines, no traceback, no environment
    marked finished; the same command with a working index then finishes the install."""
    lang = request.node.callspec.params["words"]
    target = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(target)
    # The test's own packages are visible inside, so the run that finishes has nothing big to download.
    site = next(target.glob("lib/python*/site-packages"))
    (site / "test-environment.pth").write_text("\n".join(p for p in sys.path if p.endswith("site-packages")))
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_") or k == "PIP_CERT"}
    env.update(COURSE_VENV=str(target), COURSE_LANG=lang, PIP_INDEX_URL=_dead_index(), PIP_RETRIES="0",
               PIP_TIMEOUT="5", PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_CONFIG_FILE=os.devnull)
    failed = subprocess.run([PYTHON3, "course.py", "setup"], cwd=ROOT, env=env, capture_output=True, text=True,
                            encoding="utf-8")
    out = failed.stdout + failed.stderr
    assert failed.returncode == 1, out[-3000:]
    assert "Traceback" not in out, out[-3000:]
    last = failed.stderr.strip().splitlines()[-2:]
    log = target / "course-install.log"
    assert last == ["[course] " + words("The install stopped: pip could not download from the package index "
                                       "({index}); its whole output is in {log}.").format(
                        index=env["PIP_INDEX_URL"], log=log),
                    "[course] " + words("Run the same command again: it keeps what is already installed and "
                                        "continues. If it fails again, use a mirror (README: \"A faster or smaller "
                                        "install\").")], last
    assert not course.is_current(target), "a half-made environment was marked finished"
    if lang != "en":
        return  # one finishing run is enough
    env = {k: v for k, v in os.environ.items() if k != "COURSE_LANG"}
    finished = subprocess.run([PYTHON3, "course.py", "setup"], cwd=ROOT, env={**env, "COURSE_VENV": str(target)},
                              capture_output=True, text=True, encoding="utf-8")
    assert finished.returncode == 0, (finished.stdout + finished.stderr)[-3000:]
    assert course.is_current(target)
    assert finished.stdout.strip().splitlines()[-2:] == [
        "[course] installed.", f"[course] The environment {target} has what the chapters need."]


@pytest.mark.parametrize("words", ["en", "zh"], indirect=True)
def test_too_little_disk_space_stops_before_the_download(words, monkeypatch, tmp_path, request):
    monkeypatch.setattr(course.shutil, "disk_usage", lambda _path: shutil._ntuple_diskusage(100e9, 99e9, 1.2e9))
    course.set_language(request.node.callspec.params["words"])
    try:
        with pytest.raises(course.SetupFailed) as failure:
            course.check_free_space(tmp_path / "venv")
    finally:
        course.set_language("en")
    first, second = str(failure.value).splitlines()
    need = course.INSTALL_GB + 0.5
    assert first == words("Not enough disk space: the install needs about {need:.1f} GB free and {where} has "
                          "{free:.1f} GB.").format(need=need, where=tmp_path, free=1.2)
    assert "PyTorch" in second and "README" in second


def test_the_test_command_names_the_missing_system_parts(monkeypatch, capsys, tmp_path):
    """Outside CI a test that needs Chromium or a Chinese font skips; `course.py test` says so at its start."""
    monkeypatch.setattr(course, "_has_chinese_font", lambda: False)
    missing = course.missing_system_parts(chromium=tmp_path / "no-chromium")
    assert [command for _what, command, _tests in missing] == ["apt-get install chromium",
                                                               "apt-get install fonts-noto-cjk"]
    monkeypatch.setattr(course, "missing_system_parts", lambda: missing)
    monkeypatch.setattr(course, "setup", lambda *a, **k: Path(sys.executable))
    monkeypatch.setattr(course, "_run", lambda *a, **k: 0)
    for ci, ending in (("", "will be skipped."), ("true", "will fail (CI=true).")):
        monkeypatch.setenv("CI", ci)
        course.set_language("en")
        assert course.test([], "en") == 0
        lines = capsys.readouterr().out.splitlines()
        assert lines[0] == f"[course] missing: Chromium (apt-get install chromium); the browser tests (JupyterLab " \
                           f"and the website) {ending}"
        assert lines[1].startswith("[course] missing: a Chinese font (apt-get install fonts-noto-cjk)")


def test_every_runner_message_is_translated():
    """course.py speaks the edition's language from its first line: every `_()` of it has a translation."""
    for lang in course.CODES[1:]:
        course.set_language(lang)
        try:
            for message, where in _launcher_messages():
                assert course._(message) != message, f"{where}: {message!r} has no {lang} translation"
        finally:
            course.set_language("en")


def _launcher_messages() -> list[tuple[str, str]]:
    from babel.messages.extract import extract_from_file

    return [(message, f"course.py:{line}") for line, message, _c, _x in
            extract_from_file("python", str(ROOT / "course.py"), keywords={"_": None, "N_": None})]


def test_lang_is_read_in_both_spellings_and_removed():
    assert course._language(["lab", "--lang", "zh", "--port", "8888"]) == ("zh", ["lab", "--port", "8888"])
    assert course._language(["--lang=zh", "bogus"]) == ("zh", ["bogus"])
    assert course._language(["lab", "--lang=zh_CN.UTF-8"]) == ("zh", ["lab"])


def test_setup_repairs_a_current_environment_and_says_so(monkeypatch, capsys, tmp_path):
    """`python3 course.py setup` is the learner's repair command: it runs pip even when the record says the
    environment is current (a package downgraded by hand is put back), then says the environment is ready."""
    runs = []
    monkeypatch.setattr(course, "VENV", tmp_path)
    monkeypatch.setattr(course, "venv_python", lambda venv_dir=tmp_path: Path(sys.executable))
    monkeypatch.setattr(course, "is_current", lambda *a, **k: True)
    monkeypatch.setattr(course, "check_free_space", lambda venv_dir: None)
    monkeypatch.setattr(course, "_pip", lambda py, args, log: runs.append(args))
    course.set_language("en")
    assert course._setup([], "en") == 0
    assert runs and runs[-1][:1] == ["install"] and "-e" in runs[-1]
    assert capsys.readouterr().out.strip().splitlines()[-1] == f"[course] The environment {tmp_path} has what the " \
                                                                "chapters need."
    runs.clear()
    course.setup()  # any other command: a current environment is left alone
    assert runs == []
