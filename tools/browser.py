"""JupyterLab and Chromium for the checks that need a real browser: the browser test and the benchmarks.

``jupyterlab(base)`` serves a temporary copy of the notebooks (nothing is saved into the committed files);
``chromium(pw)`` launches Debian's Chromium (``/usr/bin/chromium``, ``apt-get install chromium``) through
Playwright; the ``JS_*`` snippets and the functions below open a notebook, run it and wait for its widgets.
``tests/test_browser.py`` and ``benchmarks/browser.py`` both use them. For the built website, ``read_through``
reads a page top to bottom and says what it downloaded, and ``JS_MOVE`` moves a static widget's control and says
how long its new picture took (``benchmarks/site_bench.py`` and ``tests/test_site_weight.py``).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import nbformat

from .nbtools import KERNEL_THREADS

try:
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
except ImportError as exc:  # reported by the `browser` fixture (conftest.py): a skip here, a failure on CI
    PLAYWRIGHT_MISSING: str | None = f"Playwright is not importable: {exc}"
    PlaywrightTimeoutError = TimeoutError
else:
    PLAYWRIGHT_MISSING = None

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = REPO / "notebooks"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

SERVER_START_TIMEOUT_S = 60
KERNEL_READY_TIMEOUT_S = 90
RUN_TIMEOUT_S = 240          # a chapter takes up to a minute on a 2-core CPU; leave room for a slow machine
WIDGET_UPDATE_TIMEOUT_S = 10
WIDGET_RENDER_TIMEOUT_S = 30
WIDGET_ERRORS = ("Error displaying widget", "Failed to load model class")

# JupyterLab settings for the test server, isolated from the user's own: attach every cell to the DOM (so every
# widget and prompt can be found without scrolling) and ask nothing of the network.
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false",
                                                                         "checkForUpdates": False},
}


def chromium(playwright):
    """Debian's Chromium, headless, through Playwright (raises when it is missing)."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_server(url: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"JupyterLab exited with code {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/api/status", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.25)
    raise RuntimeError(f"JupyterLab did not answer within {SERVER_START_TIMEOUT_S} s:\n{log.read_text()[-3000:]}")


def progress_folder(served: Path) -> Path:
    """Where the kernels of the JupyterLab serving ``served`` (:func:`jupyterlab`) record exercises."""
    return served.parent / "progress"


@contextlib.contextmanager
def jupyterlab(base: Path, notebooks: Path = NOTEBOOK_DIR):
    """A JupyterLab server over a copy of ``notebooks`` in the folder ``base``. Yields (base URL, served folder).

    """
    root = base / "notebooks"
    shutil.copytree(notebooks, root, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    settings = base / "settings"
    for name, values in LAB_SETTINGS.items():
        path = settings / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))

    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    env.update(KERNEL_THREADS)  # the kernels compute as the build's did (tools.nbtools.KERNEL_THREADS)
    # the kernels' progress record, the server's own: a chapter shows a fresh learner's progress, as committed, when
    # the folder is emptied before it runs (progress_folder), whatever other kernels of the tests recorded
    env["COURSE_PROGRESS_DIR"] = str(progress_folder(root))
    env["JUPYTER_RUNTIME_DIR"] = str(base / "runtime")  # connection files and cookie secret stay in the tmp dir
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}",
           "--ServerApp.ip=127.0.0.1", "--IdentityProvider.token=", "--ServerApp.password=",
           "--ServerApp.disable_check_xsrf=True", "--ServerApp.allow_root=True", f"--ServerApp.root_dir={root}",
           f"--LabApp.workspaces_dir={base / 'workspaces'}", f"--LabApp.user_settings_dir={settings}",
           "--LabApp.expose_app_in_browser=True"]
    log = base / "jupyterlab.log"
    with open(log, "wb") as log_file:
        proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=log_file, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_server(url, proc, log)
        yield url, root
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)


# --- JavaScript run in the page; `window.jupyterapp` is there thanks to --LabApp.expose_app_in_browser -------

# The notebook panel is open and its file loaded (its kernel may still be starting, or waiting for a dialog).
JS_PANEL = """() => {
    const app = window.jupyterapp;
    const panel = app && app.shell.currentWidget;
    return !!(panel && panel.content && panel.content.model && panel.context && panel.context.isReady
              && panel.sessionContext);
}"""

# Either a dialog (e.g. "Select Kernel") is up or the kernel is idle.
JS_DIALOG_OR_IDLE = """() => {
    if (document.querySelector('.jp-Dialog')) return 'dialog';
    const panel = window.jupyterapp && window.jupyterapp.shell.currentWidget;
    const kernel = panel && panel.sessionContext && panel.sessionContext.session
                   && panel.sessionContext.session.kernel;
    return kernel && kernel.status === 'idle' ? 'idle' : false;
}"""

# Start "Run All" without awaiting it; the returned promise settles once every cell has run (or one failed).
JS_RUN_ALL = """() => {
    window.__courseRunAll = 'running';
    window.jupyterapp.commands.execute('notebook:run-all-cells').then(
        () => { window.__courseRunAll = 'done'; },
        (err) => { window.__courseRunAll = 'failed: ' + err; });
}"""

# Run All settled, no cell running or queued (model state and the `[*]` prompt), kernel idle.
JS_RUN_FINISHED = """() => {
    if (window.__courseRunAll === 'running') return false;
    const panel = window.jupyterapp.shell.currentWidget;
    const busyCells = panel.content.widgets.filter(
        (cell) => cell.model.type === 'code' && cell.model.executionState === 'running');
    if (busyCells.length) return false;
    const prompts = [...document.querySelectorAll('.jp-InputPrompt')].map((el) => el.textContent);
    if (prompts.some((text) => text.includes('[*]'))) return false;
    const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
    return !!kernel && kernel.status === 'idle' && window.__courseRunAll;
}"""

# How many widget outputs the notebook model holds, and how many of the cells' outputs the browser has rendered as a
# widget (the view's element inside, or the output itself marked `jupyter-widgets` when it shows an error message).
JS_WIDGET_OUTPUTS = """() => {
    const mime = 'application/vnd.jupyter.widget-view+json';
    let expected = 0;
    for (const cell of window.jupyterapp.shell.currentWidget.content.widgets) {
        if (cell.model.type !== 'code') continue;
        const outputs = cell.model.outputs;
        for (let i = 0; i < outputs.length; i++) {
            if (outputs.get(i).data[mime]) expected++;
        }
    }
    const nodes = document.querySelectorAll('.jp-Cell-outputArea > .jp-OutputArea-child > .jp-OutputArea-output');
    const rendered = [...nodes].filter((el) => el.classList.contains('jupyter-widgets')
                                              || el.querySelector(':scope > .jupyter-widgets')).length;
    return {expected, rendered};
}"""


# Cell outputs showing an ipywidgets front-end error (cell source and markdown may mention these words harmlessly).
JS_WIDGET_ERRORS = """(messages) => {
    const found = [];
    window.jupyterapp.shell.currentWidget.content.widgets.forEach((cell, index) => {
        const area = cell.node.querySelector('.jp-Cell-outputArea');
        const text = area ? area.innerText : '';
        for (const message of messages) {
            if (text.includes(message)) found.push(`cell ${index}: ${message}`);
        }
    });
    return found;
}"""

# The kernel has been idle for the last half second: each slider step is a separate message, and the kernel goes
# idle between two of them, so a single idle reading doesn't mean the queued updates are done.
JS_KERNEL_QUIET = """() => {
    const session = window.jupyterapp.shell.currentWidget.sessionContext.session;
    const now = performance.now();
    if (!(session && session.kernel && session.kernel.status === 'idle')) {
        window.__courseBusyAt = now;
        return false;
    }
    return now - (window.__courseBusyAt || 0) > 500;
}"""


def settle(page, timeout_s: float = 10) -> None:
    """Give the kernel a moment to finish queued widget updates (not an error if it stays busy)."""
    page.evaluate("window.__courseBusyAt = performance.now()")
    try:
        page.wait_for_function(JS_KERNEL_QUIET, timeout=timeout_s * 1000, polling=50)
    except PlaywrightTimeoutError:
        pass


def shutdown_kernels(url: str) -> None:
    """Stop every kernel session, so that finished notebooks don't hold memory while the next one runs."""
    with urllib.request.urlopen(f"{url}/api/sessions", timeout=10) as response:
        sessions = json.load(response)
    for session in sessions:
        request = urllib.request.Request(f"{url}/api/sessions/{session['id']}", method="DELETE")
        urllib.request.urlopen(request, timeout=30).close()


def error_outputs(path: Path) -> list[str]:
    """One line per error output in a saved notebook: cell number, exception, and the cell's first source lines."""
    nb = nbformat.read(path, as_version=4)
    problems = []
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                head = "\n      ".join(cell.source.splitlines()[:3])
                problems.append(f"cell {index}: {output.get('ename')}: {output.get('evalue')}\n      {head}")
    return problems


def open_notebook(page, url: str, name: str) -> None:
    """Open a notebook in a fresh workspace, accept a kernel dialog if one comes, wait for an idle kernel."""
    page.goto(f"{url}/lab/workspaces/test-{uuid.uuid4().hex[:12]}/tree/{urllib.parse.quote(name)}?reset")
    page.wait_for_function(JS_PANEL, timeout=KERNEL_READY_TIMEOUT_S * 1000)
    _wait_for_kernel(page, name)


def open_lab(page, url: str) -> None:
    """Load JupyterLab, in a fresh workspace, into ``page``, to open one notebook after another in it
    (:func:`open_in_lab`): the page loads JupyterLab's code once, not once per notebook."""
    page.goto(f"{url}/lab/workspaces/test-{uuid.uuid4().hex[:12]}?reset")
    page.wait_for_function("() => !!window.jupyterapp", timeout=KERNEL_READY_TIMEOUT_S * 1000)
    page.evaluate("() => window.jupyterapp.restored.then(() => true)")


# Every document of the main area closed at once, without the "save changes?" question of a closed dirty one.
JS_CLOSE_ALL = """() => {
    for (const dialog of document.querySelectorAll('.jp-Dialog')) dialog.remove();
    for (const widget of Array.from(window.jupyterapp.shell.widgets('main'))) widget.dispose();
}"""

# The notebook `path` is the current panel, its file loaded and its session there.
JS_PANEL_OF = """(path) => {
    const panel = window.jupyterapp.shell.currentWidget;
    return !!(panel && panel.context && panel.context.path === path && panel.content && panel.content.model
              && panel.context.isReady && panel.sessionContext);
}"""


def open_in_lab(page, name: str) -> None:
    """Close what the JupyterLab in ``page`` shows, open notebook ``name`` (relative to the served folder),
    accept a kernel dialog if one comes, wait for an idle kernel."""
    page.evaluate(JS_CLOSE_ALL)
    page.evaluate("(path) => { window.jupyterapp.commands.execute('docmanager:open', {path}); }", name)
    page.wait_for_function(JS_PANEL_OF, arg=name, timeout=KERNEL_READY_TIMEOUT_S * 1000)
    _wait_for_kernel(page, name)


def _wait_for_kernel(page, name: str) -> None:
    deadline = time.monotonic() + KERNEL_READY_TIMEOUT_S
    while True:
        remaining_ms = max(1000, (deadline - time.monotonic()) * 1000)
        state = page.wait_for_function(JS_DIALOG_OR_IDLE, timeout=remaining_ms).json_value()
        if state == "idle":
            return
        # "Select Kernel" (a notebook without kernelspec) or similar: the default choice is the Python kernel.
        dialog = page.locator(".jp-Dialog").first
        title = dialog.locator(".jp-Dialog-header").inner_text().strip()
        print(f"\n{name}: accepting dialog {title!r}")
        dialog.locator(".jp-mod-accept").first.click()
        page.wait_for_selector(".jp-Dialog", state="detached", timeout=10_000)
        if time.monotonic() > deadline:
            raise TimeoutError(f"kernel of {name} not idle after {KERNEL_READY_TIMEOUT_S} s")


def wait_for_widget_views(page, name: str) -> None:
    """Wait until every widget output is on screen (rendered or showing its error); fail naming the shortfall."""
    try:
        page.wait_for_function(f"() => {{ const c = ({JS_WIDGET_OUTPUTS})(); return c.rendered >= c.expected; }}",
                               timeout=WIDGET_RENDER_TIMEOUT_S * 1000)
    except PlaywrightTimeoutError:
        counts = page.evaluate(JS_WIDGET_OUTPUTS)
        raise AssertionError(f"{name}: only {counts['rendered']} of {counts['expected']} widget outputs were displayed "
                    f"after {WIDGET_RENDER_TIMEOUT_S} s (a widget whose model the page never got shows nothing)") from None


def at_max(handle) -> bool:
    """Whether a noUiSlider handle sits at its maximum (then the test moves it left instead)."""
    try:
        return float(handle.get_attribute("aria-valuenow")) >= float(handle.get_attribute("aria-valuemax"))
    except (TypeError, ValueError):
        return False


# Whether the page's sans-serif font has a glyph for 中: drawn on a canvas, it must differ from a code point no
# font has (U+10FFFD, private use), which every browser draws as the same empty box.
JS_HAS_CJK_GLYPHS = """() => {
  const canvas = document.createElement('canvas'); canvas.width = 48; canvas.height = 48;
  const g = canvas.getContext('2d');
  const draw = (text) => { g.clearRect(0, 0, 48, 48); g.font = '32px sans-serif'; g.fillText(text, 4, 36);
                           return canvas.toDataURL(); };
  return draw('中') !== draw('\\u{10FFFD}');
}"""




# ------------------------------------------------------------------------------------------ the website, as read
# What a page downloaded, from the Performance API (a local server reports every transferSize): bytes and requests
# by kind of file. The page's resource buffer holds 250 entries unless told more: READ_INIT enlarges it before load.
READ_INIT = "performance.setResourceTimingBufferSize(100000);"
JS_TRANSFERRED = r"""() => {
  const kind = (url) => {
    const path = new URL(url, location.href).pathname;
    for (const [k, part] of [['widget pictures', '/_widgets/'], ['MathJax', '/_mathjax/'],
                             ['theme (_static)', '/_static/'], ['output images', '/_images/']])
      if (path.includes(part)) return k;
    return 'page and other';
  };
  const sum = {};
  const add = (url, bytes) => { const k = kind(url); sum[k] = sum[k] || {bytes: 0, requests: 0};
                                sum[k].bytes += bytes; sum[k].requests += 1; };
  const nav = performance.getEntriesByType('navigation')[0];
  add(location.href, nav ? nav.transferSize : 0);
  for (const e of performance.getEntriesByType('resource')) add(e.name, e.transferSize);
  return sum;
}"""


def requests_in_flight(page) -> set:
    """The page's requests not yet finished, kept up to date as Playwright reports them (read it between waits)."""
    pending: set = set()
    page.on("request", lambda r: pending.add(r))
    page.on("requestfinished", lambda r: pending.discard(r))
    page.on("requestfailed", lambda r: pending.discard(r))
    return pending


def wait_until_idle(page, pending: set, idle_ms: int = 1000, timeout_ms: int = 60_000) -> None:
    """Wait until no request of ``pending`` (``requests_in_flight``) has been in flight for ``idle_ms``."""
    quiet = waited = 0
    while quiet < idle_ms and waited < timeout_ms:
        page.wait_for_timeout(100)
        waited += 100
        quiet = 0 if pending else quiet + 100


def read_through(browser, url: str, step_px: int = 600, step_ms: int = 120, idle_ms: int = 1000,
                 viewport: dict | None = None) -> dict[str, dict[str, int]]:
    """Open ``url`` in a fresh context (an empty cache) and read it top to bottom as a learner who touches no
    widget: the pointer rests over the text column while the wheel scrolls ``step_px`` at a time; at the bottom,
    wait until no request is in flight for ``idle_ms``. Returns what was transferred by kind (``JS_TRANSFERRED``):
    ``{kind: {"bytes": …, "requests": …}}``."""
    context = browser.new_context(viewport=viewport or {"width": 1300, "height": 1000})
    context.add_init_script(READ_INIT)
    page = context.new_page()
    pending = requests_in_flight(page)
    try:
        page.goto(url, wait_until="load")
        size = page.viewport_size
        page.mouse.move(size["width"] // 2, size["height"] // 2)  # over the text column, where the widgets pass
        stuck = 0
        while stuck < 5 and page.evaluate("() => innerHeight + scrollY < document.documentElement.scrollHeight - 2"):
            y = page.evaluate("scrollY")
            page.mouse.wheel(0, step_px)
            page.wait_for_timeout(step_ms)
            stuck = stuck + 1 if page.evaluate("scrollY") == y else 0
        wait_until_idle(page, pending, idle_ms)
        return page.evaluate(JS_TRANSFERRED)
    finally:
        context.close()


# Move a static widget's first live control one step (a slider up, or down at its end; a checkbox clicked; a
# dropdown's next option) and report what the reader waited for: ms from the input to the new picture's load event
# and to its being decoded (ready to paint), whether that picture had been fetched before the move (its resource
# entry complete), and that fetch's own timing. null when the move shows the same picture.
JS_MOVE = """(root) => new Promise((resolve) => {
  const img = root.querySelector('img.cw-image');
  const el = root.querySelector('input:not([disabled]), select:not([disabled])');
  const before = img.src;
  const fetched = new Set(performance.getEntriesByType('resource').map(e => e.name));
  const t0 = performance.now();
  const report = (load, decoded) => {
    const e = performance.getEntriesByName(img.src).slice(-1)[0];
    resolve({src: img.src, load, decoded, fetchedBefore: fetched.has(img.src),
             fetch: e ? {start: e.startTime - t0, queued: e.requestStart - e.startTime,
                         end: e.responseEnd - t0} : null});
  };
  const timer = setTimeout(() => report(null, null), 5000);
  img.addEventListener('load', () => {
    const load = performance.now() - t0;
    img.decode().catch(() => {}).then(() => { clearTimeout(timer); report(load, performance.now() - t0); });
  }, {once: true});
  if (el.type === 'range') {
    const v = parseInt(el.value, 10), max = parseInt(el.max, 10);
    el.value = String(v < max ? v + 1 : v - 1);
    el.dispatchEvent(new Event('input', {bubbles: true}));
  } else if (el.type === 'checkbox') { el.click(); }
  else { el.selectedIndex = (el.selectedIndex + 1) % el.options.length;
         el.dispatchEvent(new Event('change', {bubbles: true})); }
  if (img.src === before) { clearTimeout(timer); resolve(null); }
})"""


def keep_offline(page, base: str, problems: list[str]) -> None:
    """Let ``page`` fetch only from ``base`` (the site's local server) and data: URLs; every other request is refused
    and noted in ``problems`` (the website must work with no network)."""
    def route(r):
        if r.request.url.startswith(base) or r.request.url.startswith("data:"):
            r.continue_()
        else:
            problems.append(f"request outside the site: {r.request.url}")
            r.abort()

    page.route("**/*", route)
