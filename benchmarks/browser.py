"""Each widget's update as a learner sees it: key press on a slider in JupyterLab → new picture in the page.

The kernel-side time (benchmarks/run.py's "widget … update" rows) leaves out the round trip: the slider's new
value travelling to the kernel, the PNG travelling back, the page swapping the image. This measures all of it, in
Debian's Chromium driven by Playwright, with the browser test's JupyterLab server (tools/browser.py).

Every builder in ``course_utils.widgets.BUILDERS`` is shown in a scratch notebook, one per cell. For each, the
first slider's handle gets ``presses`` arrow-key presses, one at a time; the page records when each key went down
(``keydown`` listener) and when the widget's ``<img>`` got its new picture (a MutationObserver on ``src``). The
median of those differences is the row. Run by ``python3 course.py bench`` when Chromium and Playwright are here;
alone: ``python -m benchmarks.browser``.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from course_utils.editions import SOURCE

# Installed in the page for one widget: time stamps of key presses on its first slider handle and of picture swaps.
JS_INSTRUMENT = """([handle, img]) => {
    window.__courseLatency = [];
    handle.addEventListener('keydown', () => { window.__courseKeyAt = performance.now(); }, true);
    new MutationObserver(() => {
        if (window.__courseKeyAt !== undefined) {
            window.__courseLatency.push(performance.now() - window.__courseKeyAt);
            window.__courseKeyAt = undefined;
        }
    }).observe(img, {attributes: true, attributeFilter: ['src']});
}"""


def _scratch_notebook(folder: Path, names: list[str], lang: str = SOURCE.code) -> Path:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(f"import course_utils\ncourse_utils.set_language({lang!r})\n"
                                          "from course_utils import widgets")]
    nb.cells += [nbformat.v4.new_code_cell(f"widgets.BUILDERS[{name!r}]()") for name in names]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "widget_latency.ipynb"
    nbformat.write(nb, path)
    return path


def unavailable() -> str | None:
    """Why the browser benchmark cannot run here, or None."""
    from tools import browser as tb

    if tb.PLAYWRIGHT_MISSING:
        return tb.PLAYWRIGHT_MISSING
    if not tb.CHROMIUM.exists():
        return f"{tb.CHROMIUM} is absent"
    return None


def bench_browser(row: Callable[..., None], presses: int = 10, lang: str = SOURCE.code) -> None:
    """Add one row per widget to the benchmark table through ``row(what, value, unit, budget)``."""
    from playwright.sync_api import sync_playwright

    from course_utils import widgets
    from tools import browser as tb

    names = sorted(widgets.BUILDERS)
    with tempfile.TemporaryDirectory() as tmp:
        notebook = _scratch_notebook(Path(tmp) / "scratch", names, lang)
        with tb.jupyterlab(Path(tmp) / "lab", notebook.parent) as (url, _root), sync_playwright() as pw:
            browser = tb.chromium(pw)
            try:
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                tb.open_notebook(page, url, notebook.name)
                page.evaluate(tb.JS_RUN_ALL)
                page.wait_for_function(tb.JS_RUN_FINISHED, timeout=tb.RUN_TIMEOUT_S * 1000, polling=250)
                tb.wait_for_widget_views(page, notebook.name)
                views = page.locator(".course-widget")
                if views.count() != len(names):
                    raise RuntimeError(f"{views.count()} course widgets on the page, {len(names)} builders")
                for index, name in enumerate(names):
                    latencies = _press_and_time(page, tb, views.nth(index), presses)
                    if latencies:
                        edition = "" if lang == SOURCE.code else f" [{lang}]"
                        row(f"widget {name}{edition} in the browser: key press → new picture (median of "
                            f"{len(latencies)}; max {max(latencies):.0f} ms)", statistics.median(latencies), "ms", 100)
            finally:
                browser.close()


def _press_and_time(page, tb, view, presses: int) -> list[float]:
    handles = view.locator(".widget-slider .noUi-handle")
    if handles.count() == 0:
        return []
    handle, image = handles.first, view.locator("img").first
    view.scroll_into_view_if_needed()
    tb.settle(page)
    page.evaluate(JS_INSTRUMENT, [handle.element_handle(), image.element_handle()])
    handle.focus()
    for i in range(presses):
        # a press that lands on the slider's end moves nothing: turn round there
        handle.press("ArrowLeft" if tb.at_max(handle) else "ArrowRight")
        page.wait_for_function(f"() => window.__courseLatency.length > {i}", timeout=10_000)
        tb.settle(page)  # one update at a time: nothing queued behind the next press
        time.sleep(0.05)
    return page.evaluate("window.__courseLatency")


if __name__ == "__main__":
    from benchmarks.common import print_table, row

    reason = unavailable()
    if reason:
        sys.exit(f"browser benchmark unavailable: {reason}")
    bench_browser(row)
    print_table()
