"""The teacher's kit on a real JupyterHub, one teacher and two students: ``python -m classroom.hub_check``.

A local hub (classroom/jupyterhub_config.py: its own configurable-http-proxy, a dummy authenticator, the local
process spawner, system users course-teacher, course-student1, course-student2) in a temporary folder. Through the
hub, as each user would from their browser: the teacher generates and releases chapter 01 (formgrader's API), each
student fetches it, answers it in their own server (the contents API) and submits it (nbgrader's assignment
list), the teacher collects and autogrades; the scores must be 4 of 4 (right answers) and 2 of 4 (two right, two
wrong). It prints a transcript and exits 0 only then. CI runs it after the test suite (.ci/run).

Needs root (each server runs as its user), Node.js and npm (configurable-http-proxy, installed into
build/hub-proxy/ the first time), and the course's environment with the group [classroom] (course.py test has it).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
TEACHER, STUDENTS = "course-teacher", ("course-student1", "course-student2")
ASSIGNMENT = "01_perceptron"
PROXY_DIR = ROOT / "build" / "hub-proxy"
START = time.monotonic()


def say(line: str) -> None:
    print(f"[hub {time.monotonic() - START:6.1f} s] {line}", flush=True)


def proxy() -> Path:
    found = shutil.which("configurable-http-proxy")
    if found:
        return Path(found).parent
    binary = PROXY_DIR / "node_modules" / ".bin" / "configurable-http-proxy"
    if not binary.exists():
        say("npm install configurable-http-proxy (once, into build/hub-proxy/)")
        subprocess.run(["npm", "install", "--silent", "--prefix", str(PROXY_DIR), "configurable-http-proxy"],
                       check=True)
    return binary.parent


def system_user(name: str) -> Path:
    """The system user ``name`` (made with a home folder when missing); its home."""
    import pwd

    try:
        return Path(pwd.getpwnam(name).pw_dir)
    except KeyError:
        subprocess.run(["useradd", "--create-home", "--shell", "/bin/bash", name], check=True)
        return Path(pwd.getpwnam(name).pw_dir)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Hub:
    def __init__(self, url: str, token: str) -> None:
        self.url, self.token = url, token

    def call(self, method: str, path: str, body: dict | None = None, form: dict | None = None,
             timeout: float = 300) -> object:
        data, headers = None, {"Authorization": f"token {self.token}"}
        if body is not None:
            data, headers["Content-Type"] = json.dumps(body).encode(), "application/json"
        if form is not None:
            data = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        request = urllib.request.Request(self.url + path, data=data, headers=headers, method=method)
        with urllib.request.urlopen(request, timeout=timeout) as response:
            text = response.read().decode()
        return json.loads(text) if text.strip() else None

    def wait(self, seconds: float = 60) -> None:
        end = time.monotonic() + seconds
        while True:
            try:
                self.call("GET", "/hub/api/")
                return
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > end:
                    raise
                time.sleep(0.5)

    def start(self, user: str) -> None:
        self.call("POST", f"/hub/api/users/{user}/server")
        end = time.monotonic() + 180
        while not (self.call("GET", f"/hub/api/users/{user}") or {}).get("servers", {}).get("", {}).get("ready"):
            if time.monotonic() > end:
                raise TimeoutError(f"the server of {user} did not start")
            time.sleep(1)


def answered(nb: dict, kinds: dict[str, str]) -> dict:
    """The student copy ``nb`` (the contents API's JSON) answered as ``kinds`` (tools/simclass.py's answers)."""
    from tools import simclass

    return json.loads(nbformat.writes(simclass.submission(nbformat.from_dict(nb), kinds)))


def main() -> int:
    if os.geteuid() != 0:
        print("classroom/hub_check.py needs root: JupyterHub's local process spawner starts each user's server "
              "as that user (sudo .venv/bin/python -m classroom.hub_check)")
        return 2
    state = Path(tempfile.mkdtemp(prefix="course-hub-"))
    state.chmod(0o755)
    port, token = free_port(), secrets.token_hex(16)
    env = {**os.environ, "COURSE_TEACHERS": TEACHER, "COURSE_EXCHANGE": str(state / "exchange"),
           "COURSE_HUB_STATE": str(state), "COURSE_HUB_PORT": str(port), "COURSE_HUB_DUMMY": "1",
           "COURSE_HUB_TOKEN": token,
           "PATH": os.pathsep.join([str(Path(sys.executable).parent), str(proxy()), os.environ.get("PATH", "")])}
    homes = {user: system_user(user) for user in (TEACHER, *STUDENTS)}
    course = homes[TEACHER] / "nn-course"
    shutil.rmtree(course, ignore_errors=True)
    for student in STUDENTS:
        shutil.rmtree(homes[student] / ASSIGNMENT, ignore_errors=True)
    from classroom import kit

    kit.make(course, "en", ["01"])
    subprocess.run(["chown", "-R", f"{TEACHER}:{TEACHER}", str(course)], check=True)
    say(f"users {TEACHER}, {', '.join(STUDENTS)}; the teacher's course folder {course} (the kit, chapter 01)")
    log = open(state / "jupyterhub.log", "w")
    hub_process = subprocess.Popen([sys.executable, "-m", "jupyterhub", "-f",
                                    str(ROOT / "classroom" / "jupyterhub_config.py")],
                                   cwd=state, env=env, stdout=log, stderr=subprocess.STDOUT)
    ok = False
    try:
        hub = Hub(f"http://127.0.0.1:{port}", token)
        hub.wait()
        say(f"JupyterHub {hub.call('GET', '/hub/api/')['version']} at {hub.url} (configurable-http-proxy, "
            "DummyAuthenticator, LocalProcessSpawner)")
        hub.call("POST", "/hub/api/users", {"usernames": [TEACHER, *STUDENTS]})
        for user in (TEACHER, *STUDENTS):
            hub.start(user)
            say(f"{user}: server started")
        teacher = f"/user/{TEACHER}/formgrader/api/assignment/{ASSIGNMENT}"
        hub.call("POST", f"{teacher}/assign")
        say(f"{TEACHER}: generate_assignment {ASSIGNMENT}")
        released = hub.call("POST", f"{teacher}/release")
        say(f"{TEACHER}: release_assignment {ASSIGNMENT}: {released}")
        kinds = {STUDENTS[0]: {"neuron": "right", "perceptron_update": "right", "make_mlp": "right",
                               "xor_weights": "right"},
                 STUDENTS[1]: {"neuron": "right", "perceptron_update": "wrong", "make_mlp": "right",
                               "xor_weights": "wrong"}}
        for student in STUDENTS:
            base = f"/user/{student}"
            form = {"assignment_id": ASSIGNMENT, "course_id": kit.COURSE_ID}
            fetched = hub.call("POST", f"{base}/assignments/fetch", form=form)
            say(f"{student}: fetch {ASSIGNMENT}: {str(fetched)[:60]}")
            path = f"{base}/api/contents/{ASSIGNMENT}/{ASSIGNMENT}.ipynb"
            nb = hub.call("GET", path)["content"]
            hub.call("PUT", path, {"type": "notebook", "format": "json", "content": answered(nb, kinds[student])})
            say(f"{student}: answered ({', '.join(f'{e} {k}' for e, k in kinds[student].items())})")
            submitted = hub.call("POST", f"{base}/assignments/submit", form=form)
            say(f"{student}: submit: {str(submitted)[:60]}")
        collected = hub.call("POST", f"{teacher}/collect")
        say(f"{TEACHER}: collect: {str(collected)[:80]}")
        for student in STUDENTS:
            graded = hub.call("POST", f"/user/{TEACHER}/formgrader/api/submission/{ASSIGNMENT}/{student}/autograde")
            say(f"{TEACHER}: autograde {student}: success {graded.get('success')}")
        rows = hub.call("GET", f"/user/{TEACHER}/formgrader/api/submissions/{ASSIGNMENT}")
        scores = {row["student"]: (row["score"], row["max_score"]) for row in rows}
        say(f"{TEACHER}: gradebook {scores}")
        ok = scores == {STUDENTS[0]: (4.0, 4.0), STUDENTS[1]: (2.0, 4.0)}
        say("the scores are the expected ones (4 of 4, 2 of 4)" if ok else "UNEXPECTED SCORES")
    except Exception as exc:
        say(f"FAILED: {type(exc).__name__}: {exc}")
        say("the hub's log: " + str(state / "jupyterhub.log"))
        log.flush()
        print("".join((state / "jupyterhub.log").read_text(errors="replace").splitlines(True)[-40:]))
    finally:
        hub_process.terminate()
        try:
            hub_process.wait(30)
        except subprocess.TimeoutExpired:
            hub_process.kill()
        log.close()
    if ok:
        shutil.rmtree(state, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
