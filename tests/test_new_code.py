"""Gates on what a branch changes: new_coverage, new_debt, new_complexity (real git, real runs)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import coverage
import pytest

from pytest_healthgate.collect.new_code import ranges, statements_on

GIT = ["git", "-c", "user.name=healthgate", "-c", "user.email=hg@example.invalid"]

PYPROJECT = """\
[tool.pytest.ini_options]
pythonpath = ["src"]
testpaths = ["tests"]

[tool.healthgate]
source = ["src/calc"]
default_gates = false

[tool.healthgate.gates]
coverage = { fail = 50 }
debt = { fail = "1d" }

[tool.healthgate.new_code]
min_lines = 2
"""

CALC = """\
from calc.more import double


def a():
    return 1


def b(x):
    # TODO: make it faster
    return [
        x,
        double(x),
    ]
"""

MORE = """\
def double(x):
    return x * 2
"""

TESTS = "from calc import a, b\n\ndef test_a():\n    assert a() == 1\n    assert b(1) == [1, 2]\n"

UNTESTED = """

def untested(y):
    if y:
        return y * 2
    return 0
"""


def git(root: Path, *args: str) -> str:
    done = subprocess.run([*GIT, *args], cwd=root, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def gated(root: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], dict[str, dict]]:
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--healthgate", "-p", "no:cacheprovider", *args],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    document = json.loads((root / ".healthgate" / "last-run.json").read_text())
    return done, {metric["name"]: metric for metric in document["metrics"]}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "calc"
    (root / "src" / "calc").mkdir(parents=True)
    (root / "tests").mkdir()
    (root / "pyproject.toml").write_text(PYPROJECT)
    (root / "src" / "calc" / "__init__.py").write_text(CALC)
    (root / "src" / "calc" / "more.py").write_text(MORE)
    (root / "tests" / "test_calc.py").write_text(TESTS)
    (root / ".gitignore").write_text(".healthgate/\n.coverage*\n")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "calc")
    git(root, "checkout", "-q", "-b", "feature")
    return root


def commit(root: Path, message: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-qm", message)


def test_an_untested_function_fails_new_coverage_while_total_coverage_passes(
    project: Path,
) -> None:
    init = project / "src" / "calc" / "__init__.py"
    init.write_text(CALC + UNTESTED)
    commit(project, "untested")
    done, gates = gated(project, "--healthgate-diff=main")
    assert done.returncode == 1, done.stdout
    assert gates["coverage"]["verdict"] == "PASS"
    new = gates["new_coverage"]
    assert new["verdict"] == "FAIL"
    assert new["value"] == 25.0  # of def, if, two returns, only the def ran (at import)
    first = CALC.count("\n") + 4  # the `if y:` line
    assert new["extra"]["uncovered"] == {"src/calc/__init__.py": [first, first + 1, first + 2]}
    assert new["details"][0]["label"] == f"src/calc/__init__.py:{first}-{first + 2}"
    assert f"src/calc/__init__.py:{first}-{first + 2}" in done.stdout
    assert gates["new_debt"]["value"] == 0


def test_moving_a_function_between_files_adds_no_debt(project: Path) -> None:
    init = project / "src" / "calc" / "__init__.py"
    start = CALC.index("def b(x)")
    init.write_text(
        CALC[:start].replace("import double", "import b, double").rstrip()
        + "\n\n\n__all__ = ['a', 'b', 'double']\n"
    )
    (project / "src" / "calc" / "more.py").write_text(MORE + "\n\n" + CALC[start:])
    commit(project, "move b")
    done, gates = gated(project, "--healthgate-diff=main")
    assert gates["debt"]["value"] > 0  # the TODO moved along with b ...
    assert gates["new_debt"]["value"] == 0, gates["new_debt"]["details"]  # ... and is not new
    assert gates["new_debt"]["verdict"] == "PASS"
    assert done.returncode == 0, done.stdout


def test_a_branch_that_only_deletes_passes_and_says_why(project: Path) -> None:
    init = project / "src" / "calc" / "__init__.py"
    init.write_text(CALC.replace("# TODO: make it faster\n    ", ""))
    commit(project, "remove a comment")
    done, gates = gated(project, "--healthgate-diff=main")
    assert done.returncode == 0, done.stdout
    assert gates["new_coverage"]["verdict"] == "SKIP"
    assert gates["new_coverage"]["reason"] == "no new or changed statement since main"


def test_fewer_new_statements_than_min_lines_skip_new_coverage(project: Path) -> None:
    init = project / "src" / "calc" / "__init__.py"
    init.write_text(CALC + "\n\nLIMIT = 3\n")
    commit(project, "one statement")
    _done, gates = gated(project, "--healthgate-diff=main")
    assert (
        gates["new_coverage"]["reason"] == "1 new statements since main, fewer than min_lines = 2"
    )


def test_a_new_complex_function_counts_for_new_complexity(project: Path) -> None:
    branches = "\n".join(f"    if x == {n}:\n        return {n}" for n in range(25))
    (project / "src" / "calc" / "tangle.py").write_text(
        f"def tangle(x):\n{branches}\n    return -1\n"
    )
    commit(project, "tangle")
    done, gates = gated(project, "--healthgate-diff=main")
    assert gates["new_complexity"]["value"] == 1
    assert (
        "src/calc/tangle.py:1: tangle rank D (new)"
        in gates["new_complexity"]["details"][0]["label"]
    )
    assert done.returncode == 1


def test_a_base_from_the_table_and_a_missing_ref_is_an_error(project: Path) -> None:
    pyproject = project / "pyproject.toml"
    pyproject.write_text(PYPROJECT + 'base = "origin/main"\n')
    done, gates = gated(project)
    assert done.returncode == 1
    for name in ("new_coverage", "new_debt", "new_complexity"):
        assert gates[name]["verdict"] == "ERROR"
        assert "the diff base 'origin/main' does not exist" in gates[name]["reason"]
        assert "git fetch origin main" in gates[name]["reason"]
    assert "Traceback" not in done.stdout + done.stderr


def test_a_shallow_clone_without_the_merge_base_says_how_to_fetch_it(
    project: Path, tmp_path: Path
) -> None:
    (project / "src" / "calc" / "__init__.py").write_text(CALC + UNTESTED)
    commit(project, "one")
    (project / "src" / "calc" / "more.py").write_text(MORE + "\nTWO = 2\n")
    commit(project, "two")
    clone = tmp_path / "clone"
    subprocess.run(
        [
            "git",
            "clone",
            "-q",
            "--depth",
            "1",
            "--branch",
            "feature",
            "--no-single-branch",
            project.as_uri(),
            str(clone),
        ],
        check=True,
        capture_output=True,
    )
    done, gates = gated(clone, "--healthgate-diff=origin/main")
    reason = gates["new_coverage"]["reason"]
    assert gates["new_coverage"]["verdict"] == "ERROR"
    assert "shallow clone without the merge base" in reason
    assert "git fetch --deepen" in reason
    assert "fetch-depth: 0" in reason
    assert done.returncode == 1


SAMPLE = """\
import os

value = compute(
    1,
    2,
)


@decorator
def function(
    a,
    b,
):
    if a:
        return [
            a,
            b,
        ]
    return None


class Thing:
    x = 1

    def method(self):
        return {
            "k": 1,
        }
"""


def test_statements_match_coverage_and_a_changed_line_counts_as_its_statement(
    tmp_path: Path,
) -> None:
    path = tmp_path / "sample.py"
    path.write_text(SAMPLE)
    cov = coverage.Coverage(data_file=None)
    _name, statements, _excluded, _missing, _text = cov.analysis2(str(path))
    lines = SAMPLE.splitlines()
    every_line = range(1, len(lines) + 1)
    # Every statement coverage.py counts is the statement of its own first line.
    assert statements_on(SAMPLE, statements, statements) == set(statements)
    # A change inside a multi-line statement counts as that statement, once.
    assert statements_on(SAMPLE, [4, 5], statements) == {3}  # the call's arguments
    assert statements_on(SAMPLE, [17], statements) == {15}  # inside `return [...]`
    assert statements_on(SAMPLE, [12], statements) == {
        statements_on(SAMPLE, [10], statements).pop()
    }
    assert statements_on(SAMPLE, [2, 8], statements) == set()  # blank lines
    assert statements_on(SAMPLE, every_line, statements) == set(statements)
    assert ranges([3, 4, 5, 9, 11, 12]) == "3-5, 9, 11-12"


def test_the_documented_pull_request_workflow_runs_as_written(
    project: Path, tmp_path: Path
) -> None:
    import re

    import yaml

    page = (Path(__file__).parent.parent / "docs" / "ci.md").read_text()
    block = re.search(r"```yaml\n(# \.github/workflows/pull-request\.yml\n.*?)```", page, re.S)
    assert block is not None, "docs/ci.md lost its pull-request workflow"
    steps = yaml.safe_load(block.group(1))["jobs"]["gate"]["steps"]
    assert steps[0]["with"]["fetch-depth"] == 0
    step = next(step["run"] for step in steps if str(step.get("run", "")).startswith("pytest"))
    (project / "src" / "calc" / "__init__.py").write_text(CALC + UNTESTED)
    commit(project, "untested")
    clone = tmp_path / "checkout"  # as actions/checkout leaves it: origin/main is there
    subprocess.run(
        ["git", "clone", "-q", "--branch", "feature", project.as_uri(), str(clone)], check=True
    )
    command = step.replace("${{ github.base_ref }}", "main")
    done = subprocess.run(
        ["bash", "-c", command],
        cwd=clone,
        env={"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "FAIL new_coverage = 25.0%" in done.stdout
    assert (clone / ".healthgate" / "report.md").is_file()
    document = json.loads((clone / ".healthgate" / "last-run.json").read_text())
    verdicts = {m["name"]: m["verdict"] for m in document["metrics"]}
    assert verdicts["coverage"] == "PASS"


def test_a_module_deleted_with_its_code_moved_elsewhere_adds_no_debt(project: Path) -> None:
    more = project / "src" / "calc" / "more.py"
    body = MORE + "\n\ndef noted():\n    # TODO: keep this note\n    return 1\n"
    more.write_text(body)
    commit(project, "a noted function")
    git(project, "checkout", "-q", "main")
    git(project, "merge", "-q", "--ff-only", "feature")
    git(project, "checkout", "-q", "-b", "reshape")
    more.unlink()  # the whole module goes, its code to a new one
    (project / "src" / "calc" / "helpers.py").write_text(body)
    (project / "src" / "calc" / "__init__.py").write_text(CALC.replace("calc.more", "calc.helpers"))
    commit(project, "rename by hand")
    _done, gates = gated(project, "--healthgate-diff=main")
    assert gates["new_debt"]["value"] == 0, gates["new_debt"]["details"]
