"""A JupyterHub for a class on one machine: every user gets JupyterLab from the course's environment, with
nbgrader's exchange; the teachers grade in the same hub. (A large class: Zero to JupyterHub on Kubernetes, with
the same settings in its Helm values; README, "For teachers".)

Run it as root (it starts each user's server as that user, who must be a system user: nbgrader knows students by
their system name), in the course's environment, from the course folder:

    sudo .venv/bin/jupyterhub -f classroom/jupyterhub_config.py

It needs configurable-http-proxy on PATH (`npm install -g configurable-http-proxy`). Settings, all optional, as
environment variables:

    COURSE_TEACHERS   the teachers' user names, comma-separated (default: teacher); they are the hub's admins,
                      their server opens in their course folder (~/nn-course: python3 course.py classroom
                      ~/nn-course) with nbgrader's formgrader
    COURSE_EXCHANGE   nbgrader's exchange folder (default: /srv/nbgrader/exchange), made writable by everyone
    COURSE_HUB_STATE  where the hub keeps its database, cookie secret and the students' shared nbgrader settings
                      (default: /srv/jupyterhub)
    COURSE_HUB_PORT   the hub's port (default: 8000)
    COURSE_HUB_DUMMY  1: a dummy authenticator that takes any password (classroom/hub_check.py; never in a class)
    COURSE_HUB_TOKEN  an API token for the service course-check, allowed to manage users and use their servers
                      (classroom/hub_check.py)

Students' servers get COURSE_CLASSROOM=1, so checks.solution shows no solution in any notebook there (hints still
work); the teachers' do not.
"""

import os
import sys
from pathlib import Path

c = get_config()  # noqa: F821 - JupyterHub defines it

TEACHERS = [name.strip() for name in os.environ.get("COURSE_TEACHERS", "teacher").split(",") if name.strip()]
COURSE_ID = "nn-course"  # as classroom/kit.py writes it into the course folder's nbgrader_config.py
EXCHANGE = Path(os.environ.get("COURSE_EXCHANGE", "/srv/nbgrader/exchange"))
STATE = Path(os.environ.get("COURSE_HUB_STATE", "/srv/jupyterhub"))
BIN = Path(sys.executable).parent  # the course's environment, which runs the hub and every user's server

# nbgrader's exchange: one folder every user can write to (sticky, as /tmp), and the settings every user's nbgrader
# reads (JUPYTER_CONFIG_PATH): which course, and where its exchange is.
EXCHANGE.mkdir(parents=True, exist_ok=True)
EXCHANGE.chmod(0o1777)
SHARED = STATE / "jupyter-config"
SHARED.mkdir(parents=True, exist_ok=True)
(SHARED / "nbgrader_config.py").write_text(
    "c = get_config()  # noqa: F821\n"
    f"c.CourseDirectory.course_id = {COURSE_ID!r}\n"
    f"c.Exchange.root = {str(EXCHANGE)!r}\n", encoding="utf-8")
STATE.chmod(0o755)
SHARED.chmod(0o755)

c.JupyterHub.port = int(os.environ.get("COURSE_HUB_PORT", "8000"))
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.ConfigurableHTTPProxy.pid_file = str(STATE / "jupyterhub-proxy.pid")

# every user: a system user (LocalProcessSpawner, JupyterHub's default), JupyterLab from the course's environment
c.JupyterHub.spawner_class = "jupyterhub.spawner.LocalProcessSpawner"
c.Spawner.cmd = [str(BIN / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.http_timeout = 120  # a first start imports JupyterLab and nbgrader: slow on a busy machine
c.Spawner.start_timeout = 120


def _classroom(spawner) -> str:
    return "0" if spawner.user.name in TEACHERS else "1"


c.Spawner.environment = {
    "JUPYTER_CONFIG_PATH": str(SHARED),
    "PATH": os.pathsep.join([str(BIN), "/usr/local/bin", "/usr/bin", "/bin"]),  # nbgrader runs alembic from PATH
    "COURSE_CLASSROOM": _classroom,
}


def _teacher_in_course_folder(spawner) -> None:
    """A teacher's server opens in their course folder, which nbgrader's formgrader grades (its nbgrader_config.py)."""
    if spawner.user.name in TEACHERS:
        import pwd

        course = Path(pwd.getpwnam(spawner.user.name).pw_dir) / COURSE_ID
        spawner.notebook_dir = str(course)
        spawner.args = [*spawner.args, f"--CourseDirectory.root={course}"]


c.Spawner.pre_spawn_hook = _teacher_in_course_folder

c.Authenticator.admin_users = set(TEACHERS)
if os.environ.get("COURSE_HUB_DUMMY") == "1":
    c.JupyterHub.authenticator_class = "dummy"
    c.Authenticator.allow_all = True
else:
    c.JupyterHub.authenticator_class = "pam"  # the machine's own accounts
    c.Authenticator.allow_existing_users = True

if os.environ.get("COURSE_HUB_TOKEN"):
    c.JupyterHub.services = [{"name": "course-check", "api_token": os.environ["COURSE_HUB_TOKEN"]}]
    c.JupyterHub.load_roles = [{"name": "course-check", "services": ["course-check"],
                                "scopes": ["admin:users", "admin:servers", "access:servers"]}]
