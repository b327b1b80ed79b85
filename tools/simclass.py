"""A simulated class for the teacher's kit (``classroom/``): submissions of every kind, their expected scores, and
the class graded with nbgrader's own commands. ``tests/test_classroom.py`` checks the scores;
``python -m benchmarks.run --only-classroom`` times them.

Each student answers each exercise of a chapter in one of :data:`KINDS`: right (an answer of their own, not the
reference), wrong, blank (the student copy untouched), junk (a cell that is not Python), raising (the function
raises), endless (a loop that never ends: nbgrader stops the cell after its ``Execute.timeout``). Only a right
answer earns the exercise's points; nothing else a student writes costs more than that exercise's points.

    course = make_course(folder, "en", ["01"])       the kit's course folder, with the student copies
    expected = submit(course, "01_perceptron", class_of(15, exercises))
    autograde(course, timeout=15); scores(course)  {(student, assignment): score}
    gradebook(course, assignment)                  {student: {exercise: (points, out of)}}, from gradebook.db

The website's teacher's page shows a gradebook drawn here from a real one: four students of chapter 01
(:data:`PICTURE_CLASS`) graded by ``nbgrader autograde`` in each edition's course folder, drawn with the edition's
words (the website's catalog) as ``website/pages/gradebook.<code>.png``. Regenerate them, in the course's
environment with the group [classroom] installed (a few minutes):

    python -m tools.simclass [CODE ...]   every edition's gradebook picture (or only those editions')
"""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat

KINDS = ("right", "wrong", "blank", "junk", "raising", "endless")

# An answer of a student's own (right) and a plausible mistake (wrong) for each exercise of the simulated chapters:
# the body that replaces the stub line (for a value, the line that sets it).
ANSWERS = {
    "count_parameters": ("total = 0\nfor p in model.parameters():\n    if p.requires_grad:\n        total += p.numel()\n"
                         "return total",
                         "return sum(p.numel() for p in model.parameters())"),  # counts frozen parameters too
    "training_step_order": ("answer = ['zero_grad', 'forward', 'loss', 'backward', 'step']",
                            "answer = ['forward', 'loss', 'backward', 'zero_grad', 'step']"),
    "accuracy": ("predicted = logits.argmax(dim=1)\nreturn (predicted == labels).sum().item() / len(labels)",
                 "return (logits.argmax(dim=0) == labels).float().mean().item()"),
    "row_normalize": ("sums = x.sum(dim=1)\nreturn x / sums[:, None]", "return x / x.sum(dim=0)"),
    "center_columns": ("return x - x.mean(dim=0, keepdim=True)", "return x - x.mean()"),
    "neuron": ("z = X @ w + b\nreturn 1 / (1 + torch.exp(-z))", "return torch.sigmoid(X @ w)"),
    "perceptron_update": ("y_hat = 1.0 if float(x @ w + b) >= 0 else 0.0\nstep = lr * (y - y_hat)\n"
                          "return w + step * x, b + step",
                          "y_hat = 1.0 if float(x @ w + b) > 0 else 0.0\nstep = lr * (y - y_hat)\n"
                          "return w + step * x, b + step"),  # a score of exactly 0 predicts 0
    "make_mlp": ("layers = []\nfor i in range(len(sizes) - 1):\n    layers.append(nn.Linear(sizes[i], sizes[i + 1]))\n"
                 "    if i < len(sizes) - 2:\n        layers.append(nn.ReLU())\nreturn nn.Sequential(*layers)",
                 "layers = []\nfor i in range(len(sizes) - 1):\n    layers += [nn.Linear(sizes[i], sizes[i + 1]), "
                 "nn.ReLU()]\nreturn nn.Sequential(*layers)"),  # a ReLU after the output layer
    "xor_weights": ("W1 = torch.tensor([[2.0, 2.0], [-2.0, -2.0]])\nb1 = torch.tensor([-1.0, 3.0])\n"
                    "W2 = torch.tensor([[1.0, 1.0]])\nb2 = torch.tensor([-2.0])\nreturn W1, b1, W2, b2",
                    "W1 = torch.tensor([[1.0, 1.0], [1.0, 1.0]])\nb1 = torch.tensor([-0.5, -1.5])\n"
                    "W2 = torch.tensor([[1.0, 1.0]])\nb2 = torch.tensor([-1.5])\nreturn W1, b1, W2, b2"),
}
JUNK = "this is not Python )("
RAISING = {"function": "raise ValueError('I give up')", "value": "answer = 1 / 0"}
ENDLESS = "while True:\n    pass"


def class_of(size: int, exercises: list[str], endless_at: int = 0) -> dict[str, dict[str, str]]:
    """``size`` students' kinds of answer, {student: {exercise: kind}}: a perfect one, the untouched copy, all
    wrong, all junk, all raising, an endless loop in exercise ``endless_at`` among right answers, then a mix of
    every kind but endless (each endless loop costs a grading timeout)."""
    everyone = {"perfect": dict.fromkeys(exercises, "right"), "untouched": dict.fromkeys(exercises, "blank"),
                "all-wrong": dict.fromkeys(exercises, "wrong"), "all-junk": dict.fromkeys(exercises, "junk"),
                "all-raising": dict.fromkeys(exercises, "raising"),
                "endless": {e: "endless" if i == endless_at else "right" for i, e in enumerate(exercises)}}
    mixed = KINDS[:5]
    for i in range(size - len(everyone)):
        everyone[f"mixed-{i + 1:02d}"] = {e: mixed[(i * (j + 2) + j) % len(mixed)] for j, e in enumerate(exercises)}
    return everyone


def _answer_cell(stub: str, name: str, kind: str) -> str:
    """The student copy's answer cell ``stub`` answered with ``kind``."""
    line = re.search(r"^(?P<indent>[ \t]*)raise NotImplementedError\b.*$", stub, re.M)
    assert line is not None, stub
    indent = line["indent"]
    form = "function" if indent else "value"
    body = {"right": ANSWERS[name][0], "wrong": ANSWERS[name][1], "junk": JUNK, "raising": RAISING[form],
            "endless": ENDLESS}.get(kind)
    if body is None:  # blank
        return stub
    return stub[: line.start()] + "\n".join(indent + b for b in body.splitlines()) + stub[line.end():]


def submission(student_copy: nbformat.NotebookNode, answers: dict[str, str]) -> nbformat.NotebookNode:
    """``student_copy`` with each answer cell (nbgrader grade_id ``<exercise>_answer``) answered as ``answers``."""
    nb = nbformat.from_dict(student_copy)
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
        if grade_id.endswith("_answer"):
            name = grade_id.removesuffix("_answer")
            cell.source = _answer_cell(cell.source, name, answers[name])
    return nb


def nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess:
    """Run ``nbgrader ARGS`` in ``course`` with this Python's nbgrader (its kernel: this environment's)."""
    # nbgrader runs `alembic` (its database's migrations) from PATH: this environment's scripts first
    env = {**os.environ, "MPLBACKEND": "Agg", "COURSE_PROGRESS_DIR": str(course / ".progress"),  # the class's own
           "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])}
    result = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env, capture_output=True,
                            text=True)
    if result.returncode != 0:
        raise RuntimeError(f"nbgrader {' '.join(args)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result


def make_course(folder: Path, lang: str, chapters: list[str]) -> Path:
    """The kit's course folder for ``chapters`` in edition ``lang``, with nbgrader's student copies made."""
    from classroom import kit

    names = kit.make(folder, lang, chapters)
    for name in names:
        nbgrader(folder, "generate_assignment", name)
    return folder


def student_copy(course: Path, assignment: str) -> nbformat.NotebookNode:
    return nbformat.read(course / "release" / assignment / f"{assignment}.ipynb", as_version=4)


def points(course: Path, assignment: str) -> dict[str, float]:
    """Each exercise's points, from the source notebook's test cells (what nbgrader grades with)."""
    nb = nbformat.read(course / "source" / assignment / f"{assignment}.ipynb", as_version=4)
    return {c.metadata.nbgrader["grade_id"]: c.metadata.nbgrader["points"] for c in nb.cells
            if c.metadata.get("nbgrader", {}).get("grade")}


def submit(course: Path, assignment: str, students: dict[str, dict[str, str]]) -> dict[str, float]:
    """Put each student's submission where nbgrader collects it (submitted/<student>/<assignment>/); returns the
    score each should get: the points of the exercises answered right."""
    copy, worth = student_copy(course, assignment), points(course, assignment)
    expected = {}
    for student, answers in students.items():
        folder = course / "submitted" / student / assignment
        folder.mkdir(parents=True, exist_ok=True)
        nbformat.write(submission(copy, answers), folder / f"{assignment}.ipynb")
        expected[student] = sum(worth[e] for e, kind in answers.items() if kind == "right")
    return expected


def autograde(course: Path, timeout: int | None = None) -> None:
    """``nbgrader autograde`` of every submission of every assignment in ``course``, in one process (nbgrader
    adds each student to its gradebook as it finds them)."""
    extra = [f"--Execute.timeout={timeout}"] if timeout else []
    nbgrader(course, "autograde", "*", *extra)


def autograde_together(courses: list[Path], timeout: int | None = None) -> None:
    """:func:`autograde` of several course folders at the same time, one nbgrader process each (each runs its
    submissions one after another, so two folders keep two cores busy)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=len(courses) or 1) as pool:
        list(pool.map(lambda course: autograde(course, timeout), courses))  # re-raises a folder's failure


def scores(course: Path) -> dict[tuple[str, str], float]:
    """{(student, assignment): score} from ``nbgrader export`` (the gradebook as CSV)."""
    nbgrader(course, "export", "--to", "grades.csv")
    with open(course / "grades.csv", newline="", encoding="utf-8") as f:
        return {(row["student_id"], row["assignment"]): float(row["score"]) for row in csv.DictReader(f)}


# ------------------------------------------------------------------------------- the website's gradebook picture
def N_(message: str) -> str:
    """Mark a word of the gradebook picture for the website's catalog (``locale/<code>/LC_MESSAGES/website.po``:
    ``python -m tools.i18n update`` extracts it from this file too); drawn in each edition's language."""
    return message


PICTURE_WORDS = {
    "title": N_("Chapter {chapter}, graded by nbgrader autograde: points per exercise"),
    "student": N_("student"),
    "total": N_("total"),
}
# The teacher's page's class: four students of one chapter, each answer of one kind (in the exercises' order,
# repeated if the chapter has more)
PICTURE_CLASS = {"amira": ("right", "right", "right", "right"),
                 "bo": ("right", "wrong", "right", "raising"),
                 "chen": ("endless", "right", "junk", "right"),
                 "dario": ("blank", "blank", "blank", "blank")}
FONTS = ["DejaVu Sans", "Noto Sans CJK SC"]  # the picture's fonts, in order: one for every edition's script
PICTURES = Path(__file__).resolve().parent.parent / "website" / "pages"


def gradebook(course: Path, assignment: str) -> dict[str, dict[str, tuple[float, float]]]:
    """What nbgrader's gradebook (``gradebook.db``) holds of ``assignment``: {student: {exercise: (score, max)}},
    the exercises in the notebook's order."""
    from nbgrader.api import Gradebook

    order = list(points(course, assignment))
    book: dict[str, dict[str, tuple[float, float]]] = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for student in sorted(s.id for s in gb.students):
            notebook = gb.find_submission_notebook(assignment, assignment, student)
            grades = {g.name: (float(g.score), float(g.max_score)) for g in notebook.grades}
            book[student] = {name: grades[name] for name in order}
    return book


def draw_gradebook(book: dict[str, dict[str, tuple[float, float]]], chapter: str, lang: str, out: Path) -> Path:
    """The gradebook as a table, students × exercises and their total, its words in edition ``lang``: a PNG."""
    import warnings

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    from tools.i18n import website_translations as translations

    words = {key: translations(lang).gettext(message) for key, message in PICTURE_WORDS.items()}
    exercises = list(next(iter(book.values())))
    columns = [words["student"], *exercises, words["total"]]
    widths = [1.3, *[max(1.2, 0.105 * len(e)) for e in exercises], 1.0]
    left = [sum(widths[:i]) for i in range(len(widths))]
    rows = len(book) + 1
    with plt.rc_context({"font.family": FONTS, "font.size": 11}), warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*missing from font")  # no empty boxes in any edition
        fig, ax = plt.subplots(figsize=(sum(widths) + 0.2, 0.5 * rows + 0.75), dpi=110)
        ax.set_xlim(0, sum(widths))
        ax.set_ylim(rows, 0)
        ax.axis("off")
        for x, w, text in zip(left, widths, columns, strict=True):
            ax.add_patch(Rectangle((x, 0), w, 1, facecolor="#e8e8e8", edgecolor="white", linewidth=2))
            ax.text(x + w / 2, 0.5, text, ha="center", va="center", weight="bold",
                    family="DejaVu Sans Mono" if text in exercises else FONTS)  # a name of code
        for r, (student, grades) in enumerate(book.items(), start=1):
            score, most = sum(s for s, _m in grades.values()), sum(m for _s, m in grades.values())
            cells = [(student, None), *grades.values(), (score, most)]
            for x, w, cell in zip(left, widths, cells, strict=True):
                if cell[1] is None:
                    colour, text = "#f7f7f7", str(cell[0])
                else:
                    got, of = cell
                    colour = "#cdebd0" if got == of else "#f6d3d3" if got == 0 else "#fbeec2"
                    text = f"{got:g} / {of:g}"
                ax.add_patch(Rectangle((x, r), w, 1, facecolor=colour, edgecolor="white", linewidth=2))
                ax.text(x + w / 2, r + 0.5, text, ha="center", va="center")
        fig.suptitle(words["title"].format(chapter=chapter), fontsize=12, x=0.02, ha="left")
        fig.tight_layout(pad=0.4)
        out.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(out)
        plt.close(fig)
    return out


def gradebook_pictures(codes: list[str] | None = None, chapter: str = "01", folder: Path = PICTURES,
                       timeout: int = 15) -> list[Path]:
    """For every edition (or those of ``codes``): the kit's course folder of ``chapter``, :data:`PICTURE_CLASS`
    submitted and graded by ``nbgrader autograde``, and its gradebook drawn as ``folder/gradebook.<code>.png`` (the
    teacher's page's picture). Raises if a score is not the expected one."""
    import tempfile

    from course_utils.editions import EDITIONS

    written = []
    for ed in [e for e in EDITIONS if not codes or e.code in codes]:
        with tempfile.TemporaryDirectory(prefix=f"course-gradebook-{ed.code}-") as tmp:
            course = make_course(Path(tmp), ed.code, [chapter])
            assignment = next(p.name for p in (course / "source").iterdir())
            exercises = list(points(course, assignment))
            students = {s: {e: kinds[i % len(kinds)] for i, e in enumerate(exercises)}
                        for s, kinds in PICTURE_CLASS.items()}
            expected = submit(course, assignment, students)
            autograde(course, timeout=timeout)
            book = gradebook(course, assignment)
            got = {s: sum(score for score, _most in grades.values()) for s, grades in book.items()}
            if got != expected:
                raise RuntimeError(f"{ed.code}: the gradebook holds {got}, expected {expected}")
            written.append(draw_gradebook(book, chapter, ed.code, folder / f"gradebook.{ed.code}.png"))
            print(f"{written[-1]}: {got}", flush=True)
    return written


if __name__ == "__main__":
    gradebook_pictures(sys.argv[1:])
