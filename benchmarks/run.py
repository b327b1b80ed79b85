"""The course's performance table (not a test): `python3 course.py bench` prints it.

Measures, against the course's budgets:
- `import course_utils` time beyond `import torch`                      budget ≤ 0.3 s
- `fit` throughput against a bare PyTorch loop, same model and data      budget ≥ 0.95× the bare loop
- each widget's update: control change → new PNG, in the kernel's code   budget ≤ 100 ms
- the same in JupyterLab in Chromium: key press on a slider → new picture  budget ≤ 100 ms (benchmarks/browser.py)
- the progress record: one check's line appended                         budget ≤ 5 ms
- each chapter's execution time, top to bottom in a fresh kernel         budget ≤ 60 s on 2 cores
- the teacher's kit: nbgrader autograde, per submission of chapter 01     budget ≤ 15 s (benchmarks/classroom_bench.py)

    python benchmarks/run.py [--no-notebooks] [--no-browser] [--no-site] [--only-notebooks] [--only-classroom] [--repeat N]
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from benchmarks.common import print_table, row
from course_utils.editions import EDITIONS, SOURCE


def bench_import(repeat: int) -> None:
    code = ("import time; t0 = time.perf_counter(); import torch; t1 = time.perf_counter(); "
            "import course_utils; t2 = time.perf_counter(); print(t1 - t0, t2 - t1)")
    extra = []
    for _ in range(repeat):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
        extra.append(float(out.split()[1]))
    row("import course_utils beyond torch (median)", statistics.median(extra), "s", 0.3)


def _fit_workload():
    from course_utils.data import load_digits

    X, y = load_digits()
    X = X.flatten(1)
    loader = DataLoader(TensorDataset(X, y), batch_size=64, shuffle=False)
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10))
    return model, loader


def _bare_loop(model, loader, loss_fn, optimizer, epochs):
    for _ in range(epochs):
        model.train()
        for xb, yb in loader:
            loss = loss_fn(model(xb), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()


def bench_fit(repeat: int, epochs: int = 10) -> None:
    from course_utils import num_threads

    base, loader = _fit_workload()
    loss_fn = nn.CrossEntropyLoss()
    n = len(loader.dataset) * epochs
    times = {"bare": [], "fit": [], "fit+bar": []}
    # interleaved, so drifts in machine load hit all alike; one thread, because on 2 cores torch's two threads
    # stall on each other often enough to swamp the overhead being measured
    with num_threads(1):
        _time_fit_kinds(base, loader, loss_fn, epochs, repeat, times)
    bare = statistics.median(times["bare"])
    for kind in ("fit", "fit+bar"):
        t = statistics.median(times[kind])
        label = "fit, progress bar on" if kind == "fit+bar" else "fit, progress=False"
        row(f"{label}: throughput ÷ bare loop ({n / t:,.0f} samples/s, 1 thread)", bare / t, "×", 0.95,
            higher_is_better=True)


def _time_fit_kinds(base, loader, loss_fn, epochs: int, repeat: int, times: dict) -> None:
    from course_utils.train import fit

    for _ in range(repeat):
        for kind in times:
            model = copy.deepcopy(base)
            opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
            start = time.perf_counter()
            if kind == "bare":
                _bare_loop(model, loader, loss_fn, opt, epochs)
            else:
                fit(model, loader, loss_fn, opt, epochs, progress=(kind == "fit+bar"))
            times[kind].append(time.perf_counter() - start)


def bench_progress(repeat: int) -> None:
    """What the progress record costs a check: one appended line (and reading a long record back)."""
    import tempfile

    from course_utils import checks, progress

    with tempfile.TemporaryDirectory() as folder:
        previous = os.environ.get("COURSE_PROGRESS_DIR")
        os.environ["COURSE_PROGRESS_DIR"] = folder
        try:
            times = []
            for i in range(200 * repeat):
                start = time.perf_counter()
                progress.record("check", "accuracy", chapter="00", status="tried", n=i)
                times.append(time.perf_counter() - start)
            row(f"progress: recording one check (median of {len(times)}; max {max(times) * 1000:.1f} ms)",
                statistics.median(times) * 1000, "ms", 5)
            start = time.perf_counter()
            rows = progress.summary()
            row(f"progress: summary of a {len(times):,}-event record ({len(rows)} exercises)",
                (time.perf_counter() - start) * 1000, "ms", 100)
            right = checks._core._REGISTRY["count_parameters"].solution
            with contextlib.redirect_stdout(io.StringIO()):
                start = time.perf_counter()
                for _ in range(20):
                    checks.check("count_parameters", right)
            row("a whole check of count_parameters, record included (mean of 20)",
                (time.perf_counter() - start) / 20 * 1000, "ms", 100)
        finally:
            if previous is None:
                os.environ.pop("COURSE_PROGRESS_DIR", None)
            else:
                os.environ["COURSE_PROGRESS_DIR"] = previous


def bench_widgets(moves: int = 10, lang: str = SOURCE.code) -> None:
    import course_utils
    from course_utils import widgets

    course_utils.set_language(lang)
    edition = "" if lang == SOURCE.code else f" [{lang}]"
    for name, build in sorted(widgets.BUILDERS.items()):
        widget = build()
        durations = []
        full_before = widget.renderer.full_draws
        for label, control in widget.controls.items():
            if not hasattr(control, "min"):
                continue
            for i in range(moves):
                fraction = (i + 1) / (moves + 1)
                position = control.min + (control.max - control.min) * fraction
                renders = widget.renders
                # a FloatLogSlider's min and max are exponents of its base
                control.value = control.base ** position if hasattr(control, "base") else position
                if widget.last_error is not None:
                    raise RuntimeError(f"{name}.{label}: {widget.last_error!r}")
                if widget.renders > renders:  # a move that rounds to the slider's current value redraws nothing
                    durations.append(widget.last_update_s)
        if durations:
            # a full redraw: the whole figure, when a move changes an axis range; else only what moved
            full = widget.renderer.full_draws - full_before
            row(f"widget {name}{edition}: update (median of {len(durations)}, {full} full redraws; "
                f"max {max(durations) * 1000:.0f} ms)", statistics.median(durations) * 1000, "ms", 100)


def bench_notebooks() -> None:
    """Run every chapter of every edition in a fresh kernel; record the times (tools/runtimes.py shows them)."""
    import platform

    from nbclient import NotebookClient

    from tools import nbtools, runtimes

    seconds: dict[str, dict[str, float]] = {}
    for lang in nbtools.LANGUAGES:
        total = 0.0
        edition = "" if lang == SOURCE.code else f" [{lang}]"
        for src in nbtools.sources():
            nb = nbtools.edition(src, lang)
            start = time.perf_counter()
            NotebookClient(nb, timeout=600, kernel_name="python3",
                           resources={"metadata": {"path": str(nbtools.notebook_for(src, lang).parent)}}).execute()
            elapsed = time.perf_counter() - start
            seconds.setdefault(src.stem, {})[lang] = round(elapsed, 1)
            total += elapsed
            row(f"chapter {src.stem}{edition}: run top to bottom", elapsed, "s", 60)
        row(f"whole course{edition}", total, "s", 300)
    gpu = "a GPU" if torch.cuda.is_available() else "no GPU"
    runtimes.write_record(seconds, f"{os.cpu_count()} cores, {gpu}, {platform.machine()}, torch {torch.__version__}")
    print(f"chapter times recorded in {runtimes.RECORD.relative_to(runtimes.ROOT)}: "
          "python -m tools.runtimes apply shows them in the headers and READMEs")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-notebooks", action="store_true", help="skip executing the chapters")
    parser.add_argument("--no-browser", action="store_true", help="skip the widgets' round trip in Chromium")
    parser.add_argument("--no-site", action="store_true", help="skip building and timing the website")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--only-widgets", action="store_true", help="measure only the widgets' updates (kernel side)")
    parser.add_argument("--only-notebooks", action="store_true", help="time only the chapters (and record them)")
    parser.add_argument("--only-progress", action="store_true", help="time only the progress record")
    parser.add_argument("--only-classroom", action="store_true",
                        help="time only the teacher's kit: nbgrader autograde per submission")
    args = parser.parse_args()
    os.environ.setdefault("MPLBACKEND", "Agg")
    # the chapters' exercise cells record into a throw-away progress record, never the learner's own
    os.environ.setdefault("COURSE_PROGRESS_DIR", tempfile.mkdtemp(prefix="course-progress-"))
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, {os.cpu_count()} cores", flush=True)
    skipped = []
    if args.only_progress:
        bench_progress(args.repeat)
        print_table()
        return
    if args.only_classroom:
        from benchmarks import classroom_bench

        classroom_bench.bench_classroom(row)
        print_table()
        return
    if args.only_notebooks:
        bench_notebooks()
        print_table()
        return
    if args.only_widgets:
        for ed in EDITIONS:
            bench_widgets(lang=ed.code)
        print_table()
        return
    bench_import(args.repeat)
    bench_fit(args.repeat)
    import importlib.util

    if importlib.util.find_spec("nbgrader"):
        from benchmarks import classroom_bench

        classroom_bench.bench_classroom(row)
    else:
        skipped.append("the teacher's kit (nbgrader is not installed: pyproject.toml [classroom])")
    bench_progress(args.repeat)
    for ed in EDITIONS:
        bench_widgets(lang=ed.code)
    if not (args.no_browser and args.no_site):
        from benchmarks import browser

        reason = browser.unavailable()
        if reason:
            skipped.append(f"the widgets in the browser, notebooks and website ({reason})")
        else:
            if not args.no_browser:
                for ed in EDITIONS:
                    browser.bench_browser(row, lang=ed.code)
            if not args.no_site:
                from benchmarks import site_bench

                site_bench.bench_site(row)
    if not args.no_notebooks:
        bench_notebooks()
    print_table()
    for what in skipped:
        print(f"not measured: {what}")


if __name__ == "__main__":
    main()
