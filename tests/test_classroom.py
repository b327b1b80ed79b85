"""The teacher's kit (classroom/kit.py): the chapters as nbgrader assignments, graded by nbgrader's own commands.

A simulated class (tools/simclass.py) of 30 submissions, chapter 01 in the English edition and chapter 00 in the
Chinese one, every kind of answer (right, wrong, blank, junk, raising, an endless loop, mixed), is autograded by
one `nbgrader autograde` per course folder (the two at the same time); every score must be the expected one.
nbgrader 0.9 needs JupyterLab 4.2 and Python 3.11, above the course's floor, so the floor run leaves this file to
the newest (conftest.py, ONCE).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest

from course_utils import checks, set_language
from course_utils.checks import _core

ROOT = Path(__file__).resolve().parent.parent
CLASS_SIZE = 15  # students per chapter: 30 submissions
TIMEOUT = 20  # seconds a cell may run while grading (the endless loops): well above any cell of chapters 00 and 01


def _need_nbgrader() -> None:
    if importlib.util.find_spec("nbgrader") is None:
        message = "nbgrader is not installed: python3 course.py test installs it (pyproject.toml [classroom])"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> dict:
    """Both course folders made, the class submitted and autograded: expected and actual scores."""
    _need_nbgrader()
    from tools import simclass

    result: dict = {"expected": {}, "courses": {}}
    for lang, chapter, endless_at in (("en", "01", 0), ("zh", "00", 1)):
        course = simclass.make_course(tmp_path_factory.mktemp(f"course-{lang}"), lang, [chapter])
        assignment = next(p.name for p in (course / "source").iterdir())
        exercises = list(simclass.points(course, assignment))
        students = simclass.class_of(CLASS_SIZE, exercises, endless_at=endless_at)
        for student, score in simclass.submit(course, assignment, students).items():
            result["expected"][(student, assignment)] = score
        result["courses"][lang] = (course, assignment)
    simclass.autograde_together([course for course, _a in result["courses"].values()], timeout=TIMEOUT)
    result["scores"] = {key: score for course, _a in result["courses"].values()
                        for key, score in simclass.scores(course).items()}
    return result


def test_every_submission_gets_the_expected_score(graded):
    expected, scores = graded["expected"], graded["scores"]
    assert len(expected) >= 30
    table = "\n".join(f"{a} {s:12} expected {e:g}, got {scores.get((s, a))}" for (s, a), e in sorted(expected.items()))
    assert {key: scores.get(key) for key in expected} == expected, table


def test_a_perfect_submission_gets_full_marks_and_the_untouched_copy_none(graded):
    from tools import simclass

    for course, assignment in graded["courses"].values():
        full = sum(simclass.points(course, assignment).values())
        assert full > 0
        assert graded["scores"][("perfect", assignment)] == full
        assert graded["scores"][("untouched", assignment)] == 0


def test_the_student_copy_holds_no_solution_code(graded):
    from classroom import kit

    for course, assignment in graded["courses"].values():
        released = (course / "release" / assignment / f"{assignment}.ipynb").read_text(encoding="utf-8")
        source = nbformat.read(course / "source" / assignment / f"{assignment}.ipynb", as_version=4)
        assert "BEGIN SOLUTION" not in released and "END SOLUTION" not in released
        regions = [re.search(r"### BEGIN SOLUTION\n(.*?)\n\s*### END SOLUTION", c.source, re.S)
                   for c in source.cells if c.metadata.get("nbgrader", {}).get("solution")]
        assert regions and all(regions)
        lines = {line.strip() for region in regions for line in region.group(1).splitlines() if len(line.strip()) > 12}
        assert lines
        shown = [line for line in lines if json.dumps(line)[1:-1] in released]
        assert not shown, f"{assignment}: the student copy shows solution lines {shown}"
        # the reference solutions are the checkers' own, so the source's regions hold exactly them
        for cell in source.cells:
            meta = cell.metadata.get("nbgrader", {})
            if meta.get("solution") and callable(_core._get(meta["grade_id"].removesuffix("_answer")).solution):
                name = meta["grade_id"].removesuffix("_answer")
                fn = re.match(r"def (\w+)", cell.source)
                if fn is None:  # a value set by the reference function (chapter 09's adam_breaks_at)
                    continue
                assert textwrap.indent(kit.solution_body(name, cell.source, fn[1]), "    ") in cell.source
        assert (course / "release" / assignment / kit.MARKER).exists()


def test_feedback_is_in_the_edition_language(graded):
    from tools import simclass

    course, assignment = graded["courses"]["zh"]
    simclass.nbgrader(course, "generate_feedback", assignment, "--student", "all-wrong")
    page = (course / "feedback" / "all-wrong" / assignment / f"{assignment}.html").read_text(encoding="utf-8")
    assert "得分" in page and "学生的答案" in page
    assert "Student's answer" not in page and "Score:" not in page
    assert "❌" in page and "还不对" in page  # the course's own verdict, in Chinese


def test_points_are_changed_in_one_place(tmp_path):
    from classroom import kit

    kit.make(tmp_path, "en", ["01"])
    points = tmp_path / "points.toml"
    text = points.read_text(encoding="utf-8")
    assert re.search(r"^neuron = 1$", text, re.M)
    points.write_text(text.replace("neuron = 1", "neuron = 2.5"), encoding="utf-8")
    kit.make(tmp_path, "en", ["01"])
    nb = nbformat.read(tmp_path / "source" / "01_perceptron" / "01_perceptron.ipynb", as_version=4)
    worth = {c.metadata.nbgrader["grade_id"]: c.metadata.nbgrader["points"] for c in nb.cells
             if c.metadata.get("nbgrader", {}).get("grade")}
    assert worth == {"neuron": 2.5, "perceptron_update": 1, "make_mlp": 1, "xor_weights": 1}
    assert "neuron = 2.5" in points.read_text(encoding="utf-8")
    config = (tmp_path / "nbgrader_config.py").read_text(encoding="utf-8")
    (tmp_path / "nbgrader_config.py").write_text(config + "# the teacher's line\n", encoding="utf-8")
    kit.make(tmp_path, "en", ["01"])
    assert (tmp_path / "nbgrader_config.py").read_text(encoding="utf-8").endswith("# the teacher's line\n")


@pytest.mark.parametrize("lang, words", [("en", "solutions are not shown"), ("zh", "不显示参考解答")])
def test_in_a_class_solution_answers_not_in_this_class(lang, words, tmp_path, monkeypatch, capsys):
    """In the student's folder (the kit's marker file) or on a hub (COURSE_CLASSROOM), checks.solution shows no
    solution, forced or not, in the edition's language; outside, it behaves as the course's notebooks know it."""
    monkeypatch.delenv(_core.CLASSROOM_VARIABLE, raising=False)
    monkeypatch.chdir(tmp_path)
    set_language(lang)
    try:
        assert checks.solution("neuron", force=True) is not None
        assert words not in capsys.readouterr().out
        (tmp_path / _core.CLASSROOM_FILE).write_text("graded\n")
        for force in (False, True):
            assert checks.solution("neuron", force=force) is None
            out = capsys.readouterr().out
            assert words in out and "sigmoid" not in out and "checks.hint('neuron')" in out
        (tmp_path / _core.CLASSROOM_FILE).unlink()
        monkeypatch.setenv(_core.CLASSROOM_VARIABLE, "1")
        assert checks.solution("neuron", force=True) is None
        assert words in capsys.readouterr().out
    finally:
        set_language("en")


def test_the_classroom_command_writes_a_course(tmp_path):
    """`python3 course.py classroom DIR --lang zh` in the course's environment: the kit's lines in Chinese."""
    if importlib.util.find_spec("nbgrader") is None:
        _need_nbgrader()
    env = {**os.environ, "COURSE_VENV": str(Path(sys.prefix))}
    import course  # course.py, on the path through pytest's `pythonpath` setting

    if not course.is_current(Path(sys.prefix), ("classroom",)):  # the command would install: not in a test
        pytest.skip("this Python is not a current environment of course.py with the group [classroom]")
    result = subprocess.run([sys.executable, str(ROOT / "course.py"), "classroom", str(tmp_path / "c"), "--lang", "zh",
                             "--chapters", "01"], capture_output=True, text=True, env=env, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "c" / "source" / "01_perceptron" / "01_perceptron.ipynb").exists()
    assert "nbgrader generate_assignment 01_perceptron" in result.stdout
    assert "写好" in result.stdout or "已写入" in result.stdout
    shutil.rmtree(tmp_path / "c")
