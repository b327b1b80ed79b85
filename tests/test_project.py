"""Project-level promises: dependency lists agree, CI runs the README's test command, the code is lint-clean."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_lists_for_pip_and_conda_are_written_from_pyproject():
    """requirements.txt, constraints-floor.txt and environment.yml come from pyproject.toml (tools/deps.py)."""
    import yaml

    from tools import deps

    assert deps.stale() == [], "run python -m tools.deps"
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert env["name"] == "nn-course" and {"pip": ["-e ."]} in env["dependencies"]


def test_every_requirement_has_a_lower_bound_and_no_pin():
    from tools import deps

    for requirement in [*deps.runtime(), *(r for g in deps.groups().values() for r in g)]:
        assert "==" not in requirement
        deps.floor(requirement)  # raises when a requirement has no lower bound


def test_ci_runs_exactly_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    quick_start = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"^(python3 course\.py \w+)$", quick_start, flags=re.M)
    assert commands == ["python3 course.py lab", "python3 course.py test"], commands
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^python3 course\.py test$", ci, flags=re.M), ".ci/run must call the README's test command"


def test_ruff_finds_nothing():
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "."], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_type_hints_check():
    """mypy over course_utils (settings in pyproject.toml): the hints a learner reads are true."""
    result = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_floor_constraints_pin_every_lower_bound():
    """CI's second run installs constraints-floor.txt: every lower bound of every group, pinned."""
    from tools import deps

    pins = {}
    for line in (ROOT / "constraints-floor.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, version = line.split("==")
            pins[name.strip()] = version.strip()
    assert pins == dict(deps.floor(r) for r in [*deps.runtime(), *(r for g in deps.groups().values() for r in g)])
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^python3 course\.py test --floor$", ci, flags=re.M), ".ci/run must also test the floor"


def test_chapter_headers_and_readmes_show_the_benchmarks_run_times():
    """One set of run times: benchmarks/chapter_times.json (python3 course.py bench), shown rounded in every
    chapter's header (both editions) and in both READMEs' course maps (tools/runtimes.py apply)."""
    from tools import runtimes

    problems = runtimes.check()
    assert not problems, "run .venv/bin/python -m tools.runtimes apply, then rebuild the notebooks:\n" + \
        "\n".join(problems)


def _imported_tools(path: Path) -> set[str]:
    """The tools modules ``path`` imports anywhere in it (module level or inside a function)."""
    import ast

    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.module == "tools" or (node.level == 1 and node.module is None):
                names.update(alias.name for alias in node.names)
            elif node.module and (node.module.startswith("tools.") or node.level == 1):
                names.add(node.module.removeprefix("tools."))
        elif isinstance(node, ast.Import):
            names.update(a.name.removeprefix("tools.") for a in node.names if a.name.startswith("tools."))
    return names


def test_the_tools_import_each_other_in_one_order_without_a_cycle():
    """tools/ is one package whose modules import only those listed before them in its docstring (no cycle, at
    module or function level), and nothing imports a test file: tests and benchmarks share code through tools/."""
    import tools

    order = [line.split()[0] for line in tools.__doc__.splitlines() if line.startswith("    ") and line.split()]
    modules = sorted(p.stem for p in (ROOT / "tools").glob("*.py") if p.stem != "__init__")
    assert sorted(order) == modules, "tools/__init__.py lists every module of tools/, once"
    for name in modules:
        imported = _imported_tools(ROOT / "tools" / f"{name}.py")
        later = imported - set(order[:order.index(name)])
        assert not later, f"tools/{name}.py imports {sorted(later)}, listed after it (or itself): a cycle can grow"
    for path in [*ROOT.glob("tools/*.py"), *ROOT.glob("benchmarks/*.py"), *ROOT.glob("tests/*.py"), ROOT / "course.py"]:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"^\s*(from|import)\s+(tests\b|test_\w+|conftest\b)", text, re.M), \
            f"{path.name} imports a test file (a conftest shares through fixtures)"
        assert "spec_from_file" + "_location" not in text, \
            f"{path.name} loads a module by its path: import it (from tools import …)"


def _selected(*args: str, paths: tuple[str, ...] = ("tests/test_browser.py", "tests/test_outputs.py",
                                                    "notebooks/01_perceptron.ipynb",
                                                    "notebooks/zh/01_perceptron.ipynb")) -> set[str]:
    """The test ids pytest would run (``--collect-only``), by default for the browser test, the outputs test and
    chapter 01 in both editions."""
    out = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:xdist", *args, *paths],
                         cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return {line.strip() for line in out.splitlines() if "::" in line}


def test_each_run_executes_a_notebook_once_and_every_one_somewhere():
    """The newest run (`-m "not floor"`) runs the English notebooks in a kernel of their own (tests/test_outputs.py)
    and the Chinese ones in JupyterLab; the floor run (`-m "not once"`), the English ones in JupyterLab; nbval leaves
    out what they run (conftest.py). Where no browser can run outside CI, nbval runs what JupyterLab would."""
    from tools.browser import CHROMIUM, PLAYWRIGHT_MISSING

    browser_can_run = PLAYWRIGHT_MISSING is None and CHROMIUM.exists()
    en_lab, zh_lab = ("tests/test_browser.py::test_notebook_in_browser[01_perceptron.ipynb]",
                      "tests/test_browser.py::test_notebook_in_browser[zh/01_perceptron.ipynb]")
    en_kernel = "tests/test_outputs.py::test_committed_outputs_are_current[01_perceptron.ipynb]"

    def nbval(selected: set[str], folder: str) -> bool:
        return any(test.startswith(f"{folder}01_perceptron.ipynb::Cell") for test in selected)

    newest, floor = _selected("-m", "not floor"), _selected("-m", "not once")
    assert zh_lab in newest and en_kernel in newest and en_lab not in newest and not nbval(newest, "notebooks/")
    assert en_lab in floor and zh_lab not in floor and en_kernel not in floor and not nbval(floor, "notebooks/zh/")
    assert nbval(newest, "notebooks/zh/") is not browser_can_run
    assert nbval(floor, "notebooks/") is not browser_can_run
    alone = _selected(paths=("notebooks/01_perceptron.ipynb",))  # a notebook given alone: nbval runs it
    assert nbval(alone, "notebooks/")
