"""The website's budgets: build time (≤ 10 min), size (≤ 150 MB), and a moved control's new picture (≤ 50 ms).

``bench_site(row)`` builds the site with tools/website.py, serves build/site/ locally and, in Chromium, moves each
live widget's first control a few times, timing from the input event to the new picture's ``load`` event (after
scrolling the widget into view, which is when the page fetches its pictures).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from benchmarks.common import ROOT
from course_utils.editions import SOURCE

JS_TIME_MOVE = """(root) => new Promise((resolve) => {
  const img = root.querySelector('img.cw-image');
  const el = root.querySelector('input:not([disabled]), select:not([disabled])');
  const before = img.getAttribute('src');
  const t0 = performance.now();
  img.addEventListener('load', () => resolve(performance.now() - t0), {once: true});
  setTimeout(() => resolve(null), 2000);
  if (el.type === 'range') {
    const v = parseInt(el.value, 10), max = parseInt(el.max, 10);
    el.value = String(v < max ? v + 1 : 0);
    el.dispatchEvent(new Event('input', {bubbles: true}));
  } else if (el.type === 'checkbox') { el.click(); }
  else { el.selectedIndex = (el.selectedIndex + 1) % el.options.length;
         el.dispatchEvent(new Event('change', {bubbles: true})); }
  if (img.getAttribute('src') === before) resolve(null);  // this move shows the same picture: nothing to time
})"""


def bench_site(row: Callable[..., None], moves: int = 8) -> None:
    from playwright.sync_api import sync_playwright

    from tools import website
    start = time.perf_counter()
    website.build()  # raises website.SiteBuildError if Sphinx fails
    row("site: build, both editions (widgets precomputed, pages written)", time.perf_counter() - start, "s", 600)
    size = sum(p.stat().st_size for p in website.SITE.rglob("*") if p.is_file())
    row("site: size on disk", size / 1e6, "MB", 150)

    from tools import browser as tb
    latencies: list[float] = []
    worst = ("", 0.0)
    with website.serve(website.SITE) as base, sync_playwright() as pw:
        browser = tb.chromium(pw)
        page = browser.new_page(viewport={"width": 1300, "height": 1000})
        for html in sorted((website.SITE / SOURCE.site_path).glob("[0-9][0-9]_*.html")):
            page.goto(f"{base}/{SOURCE.site_path}/{html.name}")
            widgets = page.locator(".course-widget-static.cw-live")
            for i in range(widgets.count()):
                widgets.nth(i).scroll_into_view_if_needed()  # as a learner would: the page preloads its pictures
                page.wait_for_timeout(500)
                for _move in range(moves):
                    ms = widgets.nth(i).evaluate(JS_TIME_MOVE)
                    if ms is not None:
                        latencies.append(ms)
                        if ms > worst[1]:
                            worst = (f"{html.stem} widget #{i}", ms)
        browser.close()
    if latencies:
        row(f"site: moved control → new picture (median of {len(latencies)}; max {worst[1]:.0f} ms, {worst[0]})",
            statistics.median(latencies), "ms", 50)


if __name__ == "__main__":
    from benchmarks.common import print_table, row

    bench_site(row)
    print_table()
    print(f"(site in {ROOT / 'build' / 'site'})")
