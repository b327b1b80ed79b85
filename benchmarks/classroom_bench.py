"""The teacher's kit's budget: grading one submission with `nbgrader autograde` (≤ 15 s on 2 cores).

``bench_classroom(row)`` makes the kit's course folder for chapter 01, submits a simulated class of right, wrong,
blank, junk and raising answers (tools/simclass.py; no endless loop, whose time is the grading timeout) and times
one `nbgrader autograde` of all of them: its time divided by the number of submissions. Each submission runs the
whole chapter in a fresh kernel, as nbgrader does, so the chapter's run time is most of it.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path

SUBMISSIONS = 10


def bench_classroom(row: Callable, lang: str = "en", chapter: str = "01") -> None:
    from tools import simclass

    with tempfile.TemporaryDirectory(prefix="course-classroom-") as tmp:
        course = simclass.make_course(Path(tmp), lang, [chapter])
        assignment = next(p.name for p in (course / "source").iterdir())
        students = simclass.class_of(SUBMISSIONS + 1, list(simclass.points(course, assignment)))
        students.pop("endless")
        expected = simclass.submit(course, assignment, students)
        start = time.perf_counter()
        simclass.autograde(course)
        elapsed = time.perf_counter() - start
        scores = simclass.scores(course)
        wrong = [s for s, e in expected.items() if scores.get((s, assignment)) != e]
        assert not wrong, f"unexpected scores for {wrong}"
    row(f"classroom: nbgrader autograde, one submission of {assignment} (mean of {len(students)})",
        elapsed / len(students), "s", 15)
