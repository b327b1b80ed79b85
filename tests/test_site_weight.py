"""Light pages and a quick first touch: the website's widgets fetch their pictures when the reader is about to use
them (``website/_static/course-widgets.js``), not all at once.

* Every chapter page of the source edition, read top to bottom in Chromium without touching a widget (a fresh
  context, so nothing cached: ``tools.browser.read_through``), downloads at most ``PAGE_BUDGET_MB``.
* On a widget page, a widget far down the page has fetched none of its other pictures while the reader is at the
  top; once it comes into view the pictures next to its shown state are fetched, but not all of them, so its first
  move shows a picture fetched before the move (``tools.browser.JS_MOVE``), and so does the move after that one
  (each move fetches the pictures next to the new state). Timings are the benchmark's (benchmarks/site_bench.py).

Skips when Playwright or /usr/bin/chromium is missing, except on CI (``CI=true``), where it fails.
"""

from __future__ import annotations

import json

from course_utils.editions import SOURCE
from tools import browser as tb
from tools import nbtools

PAGE_BUDGET_MB = 4
WIDGET_PAGE = "06_optimizers"  # two widgets of 149 and 165 pictures, the second far below the top

JS_FETCHED = """() => performance.getEntriesByType('resource').map(e => e.name)"""


def test_every_chapter_read_top_to_bottom_downloads_at_most_the_budget(built_site, browser):
    _site, base = built_site
    heavy = []
    for name in (src.stem for src in nbtools.sources()):
        # scrolled faster than the benchmark reads (a widget fetches the same whatever the speed, once it passes
        # near the screen: nothing it asked for is dropped), then the same wait for the network to go idle
        weight = tb.read_through(browser, f"{base}/{SOURCE.site_path}/{name}.html", step_px=900, step_ms=40,
                                 idle_ms=600)
        total = sum(k["bytes"] for k in weight.values())
        if total > PAGE_BUDGET_MB * 1e6:
            parts = ", ".join(f"{k} {v['bytes'] / 1e6:.2f} MB ({v['requests']})" for k, v in sorted(weight.items()))
            heavy.append(f"{SOURCE.site_path}/{name}: {total / 1e6:.2f} MB ({parts})")
    assert not heavy, f"read top to bottom without touching a widget, over {PAGE_BUDGET_MB} MB:\n" + "\n".join(heavy)


def test_a_widget_fetches_the_pictures_next_to_its_state_when_it_comes_into_view(built_site, browser):
    _site, base = built_site
    context = browser.new_context(viewport={"width": 1300, "height": 1000})
    context.add_init_script(tb.READ_INIT)
    page = context.new_page()
    pending = tb.requests_in_flight(page)
    try:
        page.goto(f"{base}/{SOURCE.site_path}/{WIDGET_PAGE}.html", wait_until="load")
        widget = page.locator(".course-widget-static.cw-live").last
        spec = json.loads(widget.get_attribute("data-widget"))
        shown = widget.locator("img.cw-image").evaluate("img => img.src")
        frames = {f"{base}/_widgets/{file}" for file in spec["frames"].values()}
        tb.wait_until_idle(page, pending, idle_ms=500)
        early = frames & set(page.evaluate(JS_FETCHED)) - {shown}
        assert not early, f"{WIDGET_PAGE}: {len(early)} pictures of its last widget fetched before it came near"

        widget.scroll_into_view_if_needed()
        tb.wait_until_idle(page, pending, idle_ms=500)
        near = frames & set(page.evaluate(JS_FETCHED)) - {shown}
        assert near, f"{WIDGET_PAGE}: the last widget came into view and fetched none of its pictures"
        assert len(near) < len(frames) / 2, \
            f"{WIDGET_PAGE}: the last widget fetched {len(near)} of its {len(frames)} pictures on coming into view"

        for move in ("first", "second"):
            moved = widget.evaluate(tb.JS_MOVE)
            assert moved is not None and moved["load"] is not None, f"{WIDGET_PAGE}: the {move} move showed no picture"
            assert moved["fetchedBefore"], \
                f"{WIDGET_PAGE}: the {move} move's picture {moved['src']} was not fetched before the move"
            tb.wait_until_idle(page, pending, idle_ms=500)
    finally:
        context.close()
