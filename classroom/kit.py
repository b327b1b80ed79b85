"""An nbgrader course folder from the course's chapters: ``python3 course.py classroom DIR [--lang zh]``.

It writes, in ``DIR``:

- ``nbgrader_config.py`` (only if absent: the teacher's own settings are kept): the course's name, the student
  copy's stub (the edition's own ``raise NotImplementedError`` line), how long a cell may run while grading;
- ``points.toml``: the points of every exercise, per assignment, the one place a teacher changes them (kept; an
  exercise it lacks gets :data:`DEFAULT_POINTS`);
- ``source/<chapter>/<chapter>.ipynb`` for every chapter with exercises, one nbgrader assignment each, named after
  its notebook (``01_perceptron`` …), from the edition's executed notebook without its outputs. Each exercise's
  cell becomes two: the answer cell, an nbgrader solution region holding the reference solution (the checker's
  own, from ``course_utils.checks``), and a locked, autograded test cell, ``assert checks.check(name, answer)``,
  worth the exercise's points. Every other cell is the chapter's own;
- ``source/<chapter>/course-classroom.txt``: released with the assignment, it tells ``checks.solution`` in the
  student's folder that this is a graded class (it answers "not in this class" instead of a solution).

The source notebooks are written again on every run (so points.toml's numbers reach them); nbgrader itself then
makes the student copy (``nbgrader generate_assignment``), grades (``nbgrader autograde``) and writes feedback.
Run inside the course's environment (``course.py`` does): it reads the checkers from ``course_utils``.
"""

from __future__ import annotations

import argparse
import ast
import copy
import inspect
import re
import sys
import textwrap
from pathlib import Path

import nbformat
import tomllib

import course  # the launcher (course.py): its catalog is the kit's
from course_utils import i18n
from course_utils.checks import _core
from course_utils.editions import edition

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_POINTS = 1
COURSE_ID = "nn-course"
CHECK_LINE = re.compile(r"""^checks\.check\((["'])(?P<name>\w+)\1,\s*(?P<answer>\w+)\)\s*$""", re.M)
STUB_RAISE = re.compile(r"^(?P<indent>\s+)raise NotImplementedError\b.*$", re.M)
NBGRADER_SCHEMA = 3


def N_(message: str) -> str:
    """Mark ``message`` for the launcher's catalog (locale/<code>/LC_MESSAGES/course.po); translated where shown."""
    return message


def _(message: str) -> str:
    """``message`` in the edition's language, from the launcher's catalog: the kit speaks as course.py does."""
    return course._(message)


def set_language(code: str) -> None:
    course.set_language(code)
    i18n.set_language(code)


# -------------------------------------------------------------------------------------------- one notebook
def _nbgrader(grade_id: str, *, solution: bool = False, points: float | None = None) -> dict:
    """nbgrader's cell metadata: an answer cell (``solution``) or a locked, autograded test cell (``points``)."""
    meta = {"grade": points is not None, "grade_id": grade_id, "locked": points is not None,
            "schema_version": NBGRADER_SCHEMA, "solution": solution, "task": False}
    if points is not None:
        meta["points"] = points
    return meta


def _function_def(code: str, name: str) -> ast.FunctionDef:
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.FunctionDef) and node.name == name:
            return node
    raise ValueError(f"no function {name!r} in:\n{code}")


def _params(fn: ast.FunctionDef) -> list[str]:
    args = fn.args
    return [a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]]


def solution_body(name: str, stub: str, function: str) -> str:
    """The body of exercise ``name``'s reference solution (the checker's), dedented, for the stub ``function``.

    The reference and the notebook's stub must take the same parameters; the body then runs in the stub's place.
    """
    reference = _core._get(name).solution
    source = textwrap.dedent(inspect.getsource(reference))
    ref_def = _function_def(source, reference.__name__)
    stub_def = _function_def(stub, function)
    if _params(ref_def) != _params(stub_def):
        raise ValueError(f"exercise {name!r}: the notebook's {function}{_params(stub_def)} and the reference "
                         f"{reference.__name__}{_params(ref_def)} take different parameters")
    body = ref_def.body
    if isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value,
                                                                                                str):
        body = body[1:]  # the docstring
    lines = source.splitlines()[body[0].lineno - 1: body[-1].end_lineno]
    return textwrap.dedent("\n".join(lines))


def _region(code: str, indent: str) -> str:
    inner = textwrap.indent(code, indent)
    return f"{indent}### BEGIN SOLUTION\n{inner}\n{indent}### END SOLUTION"


def answer_cell_source(name: str, answer: str, before: str) -> str:
    """The exercise's answer cell with the reference solution as an nbgrader solution region.

    A function stub keeps its ``def`` line; its ``raise NotImplementedError`` becomes the region (the student copy
    gets the edition's stub line back: nbgrader_config.py's ``code_stub``). A value (``answer = None``) keeps its
    line, and the region after it sets the value.
    """
    reference = _core._get(name).solution
    stub = STUB_RAISE.search(before)
    if stub is not None and re.search(rf"^def {re.escape(answer)}\(", before, re.M):
        region = _region(solution_body(name, before, answer), stub["indent"])
        return (before[: stub.start()] + region + before[stub.end():]).rstrip("\n")
    assignment = re.search(rf"^{re.escape(answer)}\s*=.*$", before, re.M)
    if assignment is None:
        raise ValueError(f"exercise {name!r}: no stub `def {answer}` nor `{answer} = …` line in:\n{before}")
    if callable(reference):  # the reference computes the value: define it, then set the value from it
        text = textwrap.dedent(inspect.getsource(reference)).strip("\n")
        text += f"\n\n\n{answer} = {reference.__name__}()"
    else:
        text = i18n._(reference).strip("\n")
    return (before[: assignment.end()] + "\n" + _region(text, "") + before[assignment.end():]).rstrip("\n")


def test_cell_source(name: str, answer: str) -> str:
    """The autograded test: the course's own checker prints its verdict; anything but ✅ fails the cell."""
    return f"assert checks.check({name!r}, {answer})"


def classroom_notebook(nb: nbformat.NotebookNode, points: dict[str, float]) -> tuple[nbformat.NotebookNode, list]:
    """The chapter ``nb`` as an nbgrader source notebook, and its exercises' names in order."""
    out = copy.deepcopy(nb)
    out.metadata = {key: out.metadata[key] for key in ("kernelspec", "language_info", "course_language")
                    if key in out.metadata}
    cells, names = [], []
    for cell in out.cells:
        cell.metadata.pop("nbgrader", None)
        if cell.cell_type != "code":
            cells.append(cell)
            continue
        cell.outputs, cell.execution_count = [], None
        match = CHECK_LINE.search(cell.source)
        if match is None:
            cells.append(cell)
            continue
        name, answer = match["name"], match["answer"]
        before, after = cell.source[: match.start()], cell.source[match.end():].strip("\n")
        answer_cell = nbformat.v4.new_code_cell(answer_cell_source(name, answer, before))
        answer_cell.id = f"{cell.id}-answer" if "id" in cell else None
        answer_cell.metadata["nbgrader"] = _nbgrader(f"{name}_answer", solution=True)
        test_cell = nbformat.v4.new_code_cell(test_cell_source(name, answer) + (f"\n{after}" if after else ""))
        test_cell.id = f"{cell.id}-test" if "id" in cell else None
        test_cell.metadata["nbgrader"] = _nbgrader(name, points=points.get(name, DEFAULT_POINTS))
        cells += [answer_cell, test_cell]
        names.append(name)
    for cell in cells:
        if cell.get("id") is None:
            cell.pop("id", None)
    out.cells = cells
    return out, names


# ----------------------------------------------------------------------------------------------- the folder
def chapters(lang: str) -> list[Path]:
    """The edition's executed chapters that ask exercises."""
    folder = ROOT / edition(lang).notebooks
    return [path for path in sorted(folder.glob("[0-9][0-9]_*.ipynb"))
            if any(CHECK_LINE.search(c.source) for c in nbformat.read(path, as_version=4).cells
                   if c.cell_type == "code")]


def read_points(path: Path) -> dict[str, dict[str, float]]:
    if not path.exists():
        return {}
    return {chapter: dict(table) for chapter, table in tomllib.loads(path.read_text(encoding="utf-8")).items()}


def write_points(path: Path, points: dict[str, dict[str, float]]) -> None:
    lines = ["# " + line for line in _(
        "The points of each exercise, per assignment (a chapter). Change a number here, then run the same "
        "command again (python3 course.py classroom DIR): it writes the points into the source notebooks' "
        "test cells, where nbgrader reads them. An assignment already released needs `nbgrader "
        "generate_assignment NAME --force` and `nbgrader release_assignment NAME --force` after that."
    ).split("\n")]
    for chapter, table in points.items():
        lines += ["", f"[{chapter}]"] + [f"{name} = {value:g}" for name, value in table.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def stub_line(lang: str) -> str:
    """The edition's own stub line, as its chapters write it (``raise NotImplementedError  # …``)."""
    first = chapters(lang)[0]
    for cell in nbformat.read(first, as_version=4).cells:
        stub = STUB_RAISE.search(cell.source) if cell.cell_type == "code" else None
        if stub:
            return stub.group(0).strip()
    return "raise NotImplementedError"


def config_text(lang: str) -> str:
    comment = "\n".join("# " + line for line in _(
        "nbgrader's settings for this course, written once by python3 course.py classroom (it never overwrites "
        "this file: change what you like). nbgrader's own documentation lists every setting: "
        "https://nbgrader.readthedocs.io/en/stable/configuration/config_options.html").split("\n"))
    timeout = "# " + _("A cell that runs longer while grading is stopped, and its exercise gets no points; the "
                       "course's checkers stop a student's function after 30 s themselves.")
    exchange = "# " + _("Where released and submitted assignments wait on a shared machine or a JupyterHub "
                        "(nbgrader's exchange, writable by everyone); this is nbgrader's default, and "
                        "classroom/jupyterhub_config.py sets it for every user of a hub.")
    feedback = ("# " + _("The feedback pages in the edition's language: nbgrader's template, translated by the "
                         "kit (templates/feedback/ beside this file).") + "\n"
                "import os  # noqa: E402\n\n"
                "c.HTMLExporter.template_name = 'feedback'\n"
                "c.HTMLExporter.extra_template_basedirs = [os.path.join(os.path.dirname(__file__), 'templates')]\n")
    return (f"{comment}\n\nc = get_config()  # noqa: F821 - nbgrader defines it\n\n"
            f"c.CourseDirectory.course_id = {COURSE_ID!r}\n"
            f"c.ClearSolutions.code_stub = {{'python': {stub_line(lang)!r}}}\n"
            f"{timeout}\nc.Execute.timeout = 60\n"
            f"{exchange}\n# c.Exchange.root = '/srv/nbgrader/exchange'\n" + (feedback if lang != "en" else ""))


MARKER = _core.CLASSROOM_FILE

# nbgrader's feedback page (its template `feedback`) in the edition's language: each English fragment of the
# template, as a pattern, and its sentence in the launcher's catalog ({score}: what the template computes there).
# A fragment the installed nbgrader no longer has stops the kit (FeedbackTemplateChanged), never a half-English page.
FEEDBACK_WORDS = [  # (pattern, sentence, how the translation replaces the whole match)
    (r"\(Score: (-?\{\{[^}]*\}\}(?: / \{\{[^}]*\}\})?)\)", N_("(Score: {score})"), "{}"),
    (r"Score: (\{\{[^}]*\}\} / \{\{[^}]*\}\})", N_("Score: {score}"), "{}"),
    (r"\(Top\)", N_("(Top)"), "{}"),
    (r">Test cell<", N_("Test cell"), ">{}<"),
    (r">Coding free-response<", N_("Coding free-response"), ">{}<"),
    (r">Written response<", N_("Written response"), ">{}<"),
    (r">Task<", N_("Task"), ">{}<"),
    (r">Comment<", N_("Comment"), ">{}<"),
    (r"Late submission penalty", N_("Late submission penalty"), "{}"),
    (r">Student's answer<", N_("Student's answer"), ">{}<"),
    (r">Student's task<", N_("Student's task"), ">{}<"),
    (r"Grade cell: ", N_("Grade cell: "), "{}"),
    (r"Task: <code>", N_("Task: "), "{}<code>"),
    (r"<b>Comments:</b>", N_("Comments:"), "<b>{}</b>"),
]


class FeedbackTemplateChanged(Exception):
    """The installed nbgrader's feedback template lacks a fragment the kit translates."""


def _nbgrader_feedback_folder() -> Path:
    import nbgrader

    return Path(nbgrader.__file__).parent / "server_extensions" / "formgrader" / "templates" / "feedback"


def feedback_template(lang: str) -> str:
    """nbgrader's feedback template with its words in ``lang`` (the launcher's catalog)."""
    text = (_nbgrader_feedback_folder() / "index.html.j2").read_text(encoding="utf-8")
    for pattern, message, frame in FEEDBACK_WORDS:
        def words(match: re.Match, message: str = message, frame: str = frame) -> str:
            score = match.group(1) if match.groups() else ""
            return frame.format(_(message).replace("{score}", score))
        text, count = re.subn(pattern, words, text)
        if not count:
            raise FeedbackTemplateChanged(f"nbgrader's feedback template has no {pattern!r} any more")
    return text


def write_feedback_template(folder: Path, lang: str) -> None:
    """The translated template in ``folder``/templates/feedback/, which nbgrader_config.py names."""
    target = folder / "templates" / "feedback"
    target.mkdir(parents=True, exist_ok=True)
    original = _nbgrader_feedback_folder()
    (target / "conf.json").write_text((original / "conf.json").read_text(encoding="utf-8"), encoding="utf-8")
    (target / "index.html.j2").write_text(feedback_template(lang), encoding="utf-8")


def make(folder: Path, lang: str, only: list[str] | None = None) -> list[str]:
    """Write the course folder; returns the assignments written."""
    set_language(lang)
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "nbgrader_config.py"
    if not config.exists():
        config.write_text(config_text(lang), encoding="utf-8")
    if lang != "en":
        write_feedback_template(folder, lang)
    points_file = folder / "points.toml"
    points = read_points(points_file)
    written = []
    for path in chapters(lang):
        name = path.stem
        if only and not any(name.startswith(o) for o in only):
            continue
        nb = nbformat.read(path, as_version=4)
        source, names = classroom_notebook(nb, points.get(name, {}))
        points[name] = {n: points.get(name, {}).get(n, DEFAULT_POINTS) for n in names}
        target = folder / "source" / name
        target.mkdir(parents=True, exist_ok=True)
        nbformat.write(source, target / f"{name}.ipynb")
        (target / MARKER).write_text(_("This folder is an assignment of a graded class: here checks.solution "
                                       "shows no solution (hints still do: checks.hint).") + "\n", encoding="utf-8")
        written.append(name)
    write_points(points_file, dict(sorted(points.items())))
    return written


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python3 course.py classroom")
    parser.add_argument("folder", type=Path)
    parser.add_argument("--lang", default="en")
    parser.add_argument("--chapters", nargs="*", default=None)
    args = parser.parse_args(argv)
    written = make(args.folder, args.lang, args.chapters)
    print("[course] " + _("The nbgrader course is written in {folder}; its assignments: {names}; their points: "
                        "{points}.").format(folder=args.folder, names=", ".join(written),
                                            points=args.folder / "points.toml"))
    print("[course] " + _("Next, in that folder: nbgrader generate_assignment {name} (the student copy, in "
                        "release/), then nbgrader's own commands: release_assignment, collect, autograde, "
                        "generate_feedback.").format(name=written[0] if written else "NAME"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
