"""The progress record: every check, hint and shown solution, kept locally, read back after a restart, safe when
kernels check at the same time, and never in the way when the file cannot be read or written."""

from __future__ import annotations

import csv
import json
import os
import random
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
import torch

from course_utils import checks, progress, set_language

ROOT = Path(__file__).resolve().parent.parent


def _row(name: str) -> dict:
    return next(r for r in progress.summary() if r["exercise"] == name)


def _wrong_accuracy(logits, labels):
    return 0.5


def _right_accuracy(logits, labels):
    return (logits.argmax(dim=1) == labels).float().mean().item()


def test_the_record_lives_in_course_progress_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_PROGRESS_DIR", str(tmp_path / "here"))
    assert progress.folder() == tmp_path / "here"
    checks.check("accuracy", _wrong_accuracy)
    lines = (tmp_path / "here" / "progress.jsonl").read_text().splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["exercise"] == "accuracy"


def test_without_the_variable_the_record_is_in_the_users_data_folder(monkeypatch):
    import platformdirs

    monkeypatch.delenv("COURSE_PROGRESS_DIR")
    assert progress.folder() == Path(platformdirs.user_data_dir("nn-course", appauthor=False))


def test_a_row_per_exercise_with_status_attempts_and_hints(capsys):
    rows = progress.summary()
    assert {r["exercise"] for r in rows} == {n for n in checks.exercises() if checks._core._REGISTRY[n].listed}
    assert all(set(r) == {"exercise", "chapter", "status", "attempts", "hints"} for r in rows)
    assert all(r["status"] == "untried" and r["attempts"] == 0 and r["hints"] == 0 for r in rows)
    checks.check("accuracy", None)  # the stub: no attempt
    assert _row("accuracy")["status"] == "untried"
    checks.check("accuracy", _wrong_accuracy)
    checks.hint("accuracy")
    assert _row("accuracy") == {"exercise": "accuracy", "chapter": "00", "status": "tried", "attempts": 1, "hints": 1}
    checks.check("accuracy", _right_accuracy)
    checks.check("accuracy", _wrong_accuracy)  # passed once stays passed
    assert _row("accuracy")["status"] == "passed" and _row("accuracy")["attempts"] == 3
    assert [r["exercise"] for r in progress.summary("00")] == ["accuracy", "center_columns", "count_parameters",
                                                              "row_normalize", "training_step_order"]


def test_everything_is_still_there_after_a_restart(tmp_path):
    """A learner tries, takes a hint, tries again, sees the solution; a new kernel (process) finds it all."""
    env = {**os.environ, "COURSE_PROGRESS_DIR": str(tmp_path / "record"), "COURSE_LANG": "en"}
    first = ("from course_utils import checks\n"
             "checks.check('accuracy', lambda l, y: 0.5)\n"
             "checks.hint('accuracy')\n"
             "checks.check('accuracy', lambda l, y: (l.argmax(1) == y).float().mean().item())\n"
             "checks.solution('accuracy')\n")
    subprocess.run([sys.executable, "-c", first], env=env, check=True, capture_output=True, cwd=ROOT)
    second = ("import json; from course_utils import progress, checks\n"
              "print(json.dumps([r for r in progress.summary() if r['exercise'] == 'accuracy']))\n"
              "checks.hint('accuracy')\n")
    out = subprocess.run([sys.executable, "-c", second], env=env, check=True, capture_output=True, text=True,
                         cwd=ROOT).stdout.splitlines()
    assert json.loads(out[0]) == [{"exercise": "accuracy", "chapter": "00", "status": "passed", "attempts": 2,
                                   "hints": 1}]
    assert out[1].startswith("Hint 2 of "), "the hints go on at the level where the learner stopped"
    events = [json.loads(line)["event"] for line in (tmp_path / "record" / "progress.jsonl").read_text().splitlines()]
    assert events == ["check", "hint", "check", "solution", "hint"]


def test_kernels_checking_at_the_same_time_lose_no_record(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_PROGRESS_DIR", str(tmp_path))
    env = {**os.environ, "COURSE_PROGRESS_DIR": str(tmp_path)}
    code = ("from course_utils import progress\n"
            "for i in range(300): progress.record('check', 'accuracy', chapter='00', status='tried', n=i)\n")
    procs = [subprocess.Popen([sys.executable, "-c", code], env=env, cwd=ROOT) for _ in range(3)]
    threads = [threading.Thread(target=lambda: [progress.record("hint", "neuron") for _ in range(300)])]
    for t in threads:
        t.start()
    assert all(p.wait(timeout=120) == 0 for p in procs)
    for t in threads:
        t.join()
    lines = (tmp_path / "progress.jsonl").read_text().splitlines()
    assert len(lines) == 1200
    assert all(json.loads(line)["exercise"] in ("accuracy", "neuron") for line in lines)


def test_a_corrupt_record_costs_one_warning_line(tmp_path, capsys):
    path = tmp_path / "progress" / "progress.jsonl"
    path.parent.mkdir(parents=True)
    good = json.dumps({"time": 1, "event": "check", "exercise": "accuracy", "status": "passed"})
    path.write_text(f"{good}\n{{not json\n[1, 2]\n")
    progress._warned.clear()
    assert _row("accuracy")["status"] == "passed"
    assert _row("neuron")["status"] == "untried"
    err = capsys.readouterr().err
    assert err.count("⚠") == 1 and "has 2 lines that cannot be read; they were skipped" in err, err
    assert checks.check("accuracy", _right_accuracy)


def test_an_unwritable_record_costs_one_warning_line(tmp_path, monkeypatch, capsys):
    """A record folder that cannot be made (here: its parent is a file, which stops root too)."""
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("COURSE_PROGRESS_DIR", str(blocker / "progress"))
    progress._warned.clear()
    checks.check("accuracy", _wrong_accuracy)
    checks.check("accuracy", _wrong_accuracy)
    err = capsys.readouterr().err
    assert err.count("⚠") == 1 and "could not be saved" in err, err
    assert _row("accuracy")["status"] == "tried"  # this session remembers


def test_a_failed_write_costs_one_warning_line_and_the_session_still_remembers(monkeypatch, capsys):
    """A full disk (or a folder the learner may not write): checking goes on, solutions still open after a try."""
    real_open = open

    def full_disk(path, mode="r", *args, **kwargs):
        if "a" in mode and str(path).endswith("progress.jsonl"):
            raise OSError(28, "No space left on device")
        return real_open(path, mode, *args, **kwargs)

    monkeypatch.setattr("builtins.open", full_disk)
    progress._warned.clear()
    assert not checks.check("accuracy", _wrong_accuracy)
    assert checks.check("accuracy", _right_accuracy)
    captured = capsys.readouterr()
    assert captured.err.count("⚠") == 1 and "No space left" in captured.err
    assert "✅" in captured.out
    assert _row("accuracy")["status"] == "passed"
    assert "accuracy" in str(checks.solution("accuracy"))


def test_a_lock_held_too_long_costs_one_warning_line(monkeypatch, capsys):
    fcntl = pytest.importorskip("fcntl")
    path = progress.folder() / "progress.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    monkeypatch.setattr(progress, "LOCK_WAIT_S", 0.05)
    progress._warned.clear()
    with open(path, "a") as holder:
        fcntl.flock(holder, fcntl.LOCK_EX)
        assert checks.check("accuracy", _right_accuracy)
        fcntl.flock(holder, fcntl.LOCK_UN)
    assert capsys.readouterr().err.count("⚠") == 1
    assert _row("accuracy")["status"] == "passed"  # this session remembers


def test_reset_starts_again_and_keeps_the_old_record_aside():
    checks.check("accuracy", _right_accuracy)
    progress.reset()
    assert _row("accuracy")["status"] == "untried"
    assert (progress.folder() / "progress.jsonl.bak").exists()


def test_a_teacher_exports_csv_and_json(tmp_path):
    checks.check("neuron", lambda X, w, b: torch.sigmoid(X @ w + b))
    rows = progress.summary()
    with open(progress.export(tmp_path / "class.csv"), newline="") as f:
        table = list(csv.DictReader(f))
    assert len(table) == len(rows) and {"exercise": "neuron", "chapter": "01", "status": "passed", "attempts": "1",
                                        "hints": "0"} in table
    assert json.loads(progress.export(tmp_path / "class.json").read_text()) == rows
    with pytest.raises(ValueError, match="`format` must be 'csv' or 'json'"):
        progress.export(tmp_path / "class.xlsx")


def test_show_draws_each_chapter_in_the_courses_language(capsys):
    checks.check("accuracy", _right_accuracy)
    capsys.readouterr()
    progress.show("00")
    assert capsys.readouterr().out.startswith(
        "Chapter 00: 1 of 5 exercises passed, 0 tried, 4 not tried yet.  ✅ accuracy · center_columns")
    set_language("zh")
    progress.show()
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 10 and out[0].startswith("第 00 章：5 道练习中通过 1 道")


def test_the_html_table_has_a_line_per_chapter():
    html = progress._html({"00": progress.summary("00"), "05": progress.summary("05")})
    assert html.count("<tr>") == 3 and "<code>huber_from_scratch</code>" in html


def test_checking_leaves_the_learners_random_state_alone():
    """Checkers seed their own data; the learner's next random numbers must be the ones they would have got."""
    random.seed(1), np.random.seed(1), torch.manual_seed(1)
    want = (random.random(), np.random.rand(), torch.rand(1).item())
    random.seed(1), np.random.seed(1), torch.manual_seed(1)
    for name in ("init_weights_with_apply", "batch_norm_train", "merge_linear_layers", "dead_fractions"):
        solution = checks._core._REGISTRY[name].solution
        checks.check(name, solution)
    assert (random.random(), np.random.rand(), torch.rand(1).item()) == want
