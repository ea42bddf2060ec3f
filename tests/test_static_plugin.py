"""`pytest --healthgate` judges the static gates with the figures `healthgate check` gives."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import gate, last_run, write, write_project

STATIC = ("debt", "debt_ratio", "rating", "complexity", "critical")
GATES = """
[tool.healthgate]
default_gates = false
source = ["src/calc"]

[tool.healthgate.gates]
coverage = false
debt = { fail = "10h", warn = "1h" }
debt_ratio = { fail = 80 }
rating = { fail = "E" }
complexity = { fail = "E", warn = "B" }
critical = { fail = 3 }
"""

MODULE = """
import os, pickle, subprocess


def load(blob):
    return pickle.loads(blob)  # FIXME: untrusted input


def classify(value, strict):
    if value is None:
        return "none"
    if value > 100 and strict:
        return "big"
    if value > 50 or not strict:
        return "medium"
    for step in range(value):
        if step % 3 == 0 and strict:
            continue
        if step == 7:
            break
    return "small" if value else "zero"


def run(command):
    return subprocess.call(command, shell=True)
"""


def build(pytester: pytest.Pytester) -> Path:
    root = write_project(pytester, GATES)
    write(pytester, "src/calc/core.py", MODULE)
    write(pytester, "tests/test_core.py", "def test_it_runs():\n    assert True\n")
    return root


def check_figures(root: Path) -> dict[str, float]:
    script = Path(sys.executable).parent / "healthgate"
    completed = subprocess.run(
        [str(script), "check", "--format", "json"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return {metric["name"]: metric["value"] for metric in json.loads(completed.stdout)["metrics"]}


def test_pytest_and_check_give_the_same_debt_figures_for_the_same_tree(
    pytester: pytest.Pytester, xdist_args: list[str]
) -> None:
    root = build(pytester)
    result = pytester.runpytest_subprocess("--healthgate", *xdist_args)
    result.assert_outcomes(passed=1)
    assert result.ret == 0
    document = last_run(root)
    from_pytest = {name: gate(document, name)["value"] for name in STATIC}
    verdicts = {name: gate(document, name)["verdict"] for name in STATIC}
    assert verdicts == {
        "debt": "WARN",
        "debt_ratio": "PASS",
        "rating": "PASS",
        "complexity": "WARN",
        "critical": "PASS",
    }
    # bandit B403 low 10, B301 medium 30, B602 high 60; FIXME 10; ruff I001 and F401 10;
    # classify() has complexity 11, one point above rank B: 5 minutes.
    assert from_pytest["debt"] == 125 * 60
    assert from_pytest["critical"] == 1
    assert from_pytest["complexity"] == 3  # C
    assert check_figures(root) == from_pytest


def test_the_static_figures_are_shown_in_the_terminal_summary(pytester: pytest.Pytester) -> None:
    build(pytester)
    result = pytester.runpytest_subprocess("--healthgate")
    result.stdout.re_match_lines(
        [
            r"debt\s+2\.1h\s+1\.0h\s+10\.0h\s+WARN\s+"
            r"start with src/calc/core\.py \(2\.1h of debt\)",
            r"complexity\s+C\s+B\s+E\s+WARN\s+"
            r"split classify \(src/calc/core\.py:8, complexity 11\)",
            r"critical: .*",
            r"\s+1\s+src/calc/core\.py:24\s+\(B602: subprocess call with shell=True.*",
        ],
        consecutive=False,
    )


def test_a_failing_static_gate_fails_a_green_test_run(pytester: pytest.Pytester) -> None:
    build(pytester)
    pyproject = pytester.path / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace("critical = { fail = 3 }", "critical = { fail = 0 }")
    )
    result = pytester.runpytest_subprocess("--healthgate")
    result.assert_outcomes(passed=1)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["healthgate: FAIL critical = 1: critical 1 is above 0"])


def test_a_crashing_tool_is_an_error_verdict_under_pytest_too(pytester: pytest.Pytester) -> None:
    root = build(pytester)
    (root / "src" / "ruff.toml").write_text("line-lenght = 3\n")
    result = pytester.runpytest_subprocess("--healthgate")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    debt = gate(last_run(root), "debt")
    assert debt["verdict"] == "ERROR"
    assert "ruff exited with status 2" in debt["reason"]
    assert gate(last_run(root), "complexity")["verdict"] == "WARN"


def test_collect_only_starts_no_analysis_and_judges_nothing(pytester: pytest.Pytester) -> None:
    root = build(pytester)
    result = pytester.runpytest_subprocess("--healthgate", "--collect-only")
    assert result.ret == 0
    assert not (root / ".healthgate" / "cache").exists()


def test_loading_the_plugin_and_the_static_collector_imports_none_of_the_tools() -> None:
    code = (
        "import sys, pytest_healthgate.plugin, pytest_healthgate.collect.static, "
        "pytest_healthgate.commands.check\n"
        "print(sorted(m for m in ('radon', 'bandit', 'mypy', 'ruff') if m in sys.modules))"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert completed.stdout.strip() == "[]"
