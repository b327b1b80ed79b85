"""The website's budgets: build time (≤ 10 min), size (≤ 150 MB), page weight (≤ 4 MB) and a moved control's new
picture (≤ 50 ms, the first move after a widget comes into view as every later one).

``bench_site(row)`` builds the site with tools/website.py (``--no-build``: use build/site/ as it is), serves
build/site/ locally and, in Chromium:

* reads every chapter of every edition top to bottom without touching a widget (``tools.browser.read_through``: a
  fresh context, so an empty cache; the wheel scrolls with the pointer over the text column; then wait for the
  network to go idle) and adds up the bytes transferred (the Performance API's ``transferSize``), by kind of file;
* on every chapter with live widgets, opens the page afresh and, for each live widget in turn, scrolls it into
  view, waits 300 ms (a reader looks before reaching for the slider), puts the pointer on its first control and
  moves it (``tools.browser.JS_MOVE``): the time from the input event to the new picture decoded is that widget's
  first move; a few more moves after it are the later moves. Once more with no wait at all (the reader jumps to a
  widget and moves at once): the hardest case for a page that fetches pictures as they come into view.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable

from benchmarks.common import ROOT
from course_utils.editions import EDITIONS

FIRST_MOVE_WAITS_MS = (300, 0)  # from the widget coming into view to the reader's first move
LATER_MOVES = 4


def bench_site(row: Callable[..., None], build: bool = True) -> None:
    from playwright.sync_api import sync_playwright

    from tools import browser as tb
    from tools import website
    if build:
        start = time.perf_counter()
        website.build()  # raises website.SiteBuildError if Sphinx fails
        row("site: build, both editions (widgets precomputed, pages written)", time.perf_counter() - start, "s", 600)
    size = sum(p.stat().st_size for p in website.SITE.rglob("*") if p.is_file())
    row("site: size on disk", size / 1e6, "MB", 150)

    pages = [f"{e.site_path}/{html.name}" for e in EDITIONS
             for html in sorted((website.SITE / e.site_path).glob("[0-9][0-9]_*.html"))]
    with website.serve(website.SITE) as base, sync_playwright() as pw:
        browser = tb.chromium(pw)
        try:
            for path in pages:
                weight = tb.read_through(browser, f"{base}/{path}")
                total = sum(k["bytes"] for k in weight.values())
                parts = ", ".join(f"{k} {v['bytes'] / 1e6:.2f}" for k, v in sorted(weight.items()))
                row(f"site: read {path.removesuffix('.html')} top to bottom, no widget touched "
                    f"({sum(k['requests'] for k in weight.values())} requests; MB: {parts})", total / 1e6, "MB", 4)
            for wait_ms in FIRST_MOVE_WAITS_MS:
                _bench_moves(row, browser, base, pages, wait_ms, later_moves=LATER_MOVES if wait_ms else 0)
        finally:
            browser.close()


def _bench_moves(row: Callable[..., None], browser, base: str, pages: list[str], wait_ms: int,
                 later_moves: int) -> None:
    from tools import browser as tb

    first: list[tuple[float, str]] = []
    later: list[float] = []
    fetched_before = 0
    for path in pages:
        context = browser.new_context(viewport={"width": 1300, "height": 1000})
        context.add_init_script(tb.READ_INIT)
        page = context.new_page()
        try:
            page.goto(f"{base}/{path}", wait_until="load")
            widgets = page.locator(".course-widget-static.cw-live")
            for i in range(widgets.count()):
                widget = widgets.nth(i)
                widget.scroll_into_view_if_needed()
                page.wait_for_timeout(wait_ms)
                control = widget.locator("input:not([disabled]), select:not([disabled])").first
                box = control.bounding_box()
                if box:  # the pointer comes to the control before it moves it
                    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
                moved = widget.evaluate(tb.JS_MOVE)
                if moved is None or moved["decoded"] is None:
                    continue
                first.append((moved["decoded"], f"{path.removesuffix('.html')} #{i}"))
                fetched_before += moved["fetchedBefore"]
                for _ in range(later_moves):
                    page.wait_for_timeout(100)
                    moved = widget.evaluate(tb.JS_MOVE)
                    if moved and moved["decoded"] is not None:
                        later.append(moved["decoded"])
        finally:
            context.close()
    if first:
        worst = max(first)
        row(f"site: first move {wait_ms} ms after a widget comes into view → new picture decoded "
            f"(median of {len(first)} widgets; max {worst[0]:.0f} ms, {worst[1]}; {fetched_before} fetched "
            f"before the move)", statistics.median(ms for ms, _ in first), "ms", 50)
    if later:
        row(f"site: later moves → new picture decoded (median of {len(later)}; max {max(later):.0f} ms)",
            statistics.median(later), "ms", 50)


if __name__ == "__main__":
    from benchmarks.common import print_table, row

    bench_site(row, build="--no-build" not in sys.argv[1:])
    print_table()
    print(f"(site in {ROOT / 'build' / 'site'})")
