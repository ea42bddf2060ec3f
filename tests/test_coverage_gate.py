"""The coverage gate against coverage.py's own `coverage report`, serially and under xdist."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import gate, last_run, write, write_project

# Five statements; the tests run four of them. Three are module-level lines that
# only count when measurement starts before conftest.py imports the package.
CALC = """
RATE = 2


def double(x):
    return x * RATE


def half(x):
    return x / 2
"""


def make_calc_project(pytester: pytest.Pytester, gates: str, coverage_toml: str = "") -> Path:
    root = write_project(pytester, gates, coverage_toml)
    write(pytester, "src/calc/__init__.py", CALC)
    write(pytester, "tests/conftest.py", "import calc  # imported before any test module\n")
    write(
        pytester,
        "tests/test_calc.py",
        """
        from calc import double

        def test_double_of_two_is_four():
            assert double(2) == 4

        def test_double_of_zero_is_zero():
            assert double(0) == 0
        """,
    )
    return root


def coverage_report_total(root: Path) -> str:
    completed = subprocess.run(
        [sys.executable, "-m", "coverage", "report", "--format=total"],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    return completed.stdout.strip()


GATES_80 = """
[tool.healthgate]
default_gates = false
source = ["src/calc"]

[tool.healthgate.gates]
coverage = { fail = 80 }
"""


def test_module_level_lines_count_and_total_matches_coverage_report(
    pytester: pytest.Pytester, xdist_args: list[str]
) -> None:
    root = make_calc_project(pytester, GATES_80)
    result = pytester.runpytest_subprocess("--healthgate", *xdist_args)
    assert result.ret == 0, result.stdout.str()
    coverage = gate(last_run(root), "coverage")
    assert coverage["value"] == 80.0
    assert coverage["verdict"] == "PASS"  # a bound exactly met passes
    assert coverage_report_total(root) == "80"  # precision 0 is coverage.py's default


def test_a_bound_one_unit_above_the_total_fails_with_a_summary_line(
    pytester: pytest.Pytester, xdist_args: list[str]
) -> None:
    root = make_calc_project(
        pytester,
        GATES_80.replace("fail = 80", "fail = 81"),
    )
    result = pytester.runpytest_subprocess("--healthgate", *xdist_args)
    assert result.ret == 1
    result.stdout.fnmatch_lines(["healthgate: FAIL coverage = 80%: coverage 80% is below 81%"])
    assert gate(last_run(root), "coverage")["verdict"] == "FAIL"


def test_the_project_precision_decides_rounding_and_matches_coverage_report(
    pytester: pytest.Pytester, xdist_args: list[str]
) -> None:
    root = make_calc_project(
        pytester,
        GATES_80.replace("fail = 80", "fail = 66.67"),
        """
        [tool.coverage.report]
        precision = 2
        """,
    )
    # Six statements, four run: 66.666...% shown as 66.67 at precision 2.
    write(pytester, "src/calc/extra.py", "def unused():\n    return 1\n")
    write(pytester, "tests/test_extra.py", "import calc.extra\n\ndef test_nothing():\n    pass\n")
    result = pytester.runpytest_subprocess("--healthgate", *xdist_args)
    coverage = gate(last_run(root), "coverage")
    assert coverage_report_total(root) == f"{coverage['value']:.2f}"
    assert coverage["display"] == "71.43%"  # 5 of 7 statements
    assert result.ret == 0


def test_branch_coverage_is_used_when_the_project_measures_branches(
    pytester: pytest.Pytester, xdist_args: list[str]
) -> None:
    root = write_project(
        pytester,
        GATES_80.replace("fail = 80", "fail = 1"),
        """
        [tool.coverage.run]
        branch = true
        [tool.coverage.report]
        precision = 1
        """,
    )
    write(
        pytester,
        "src/calc/__init__.py",
        """
        def sign(x):
            if x < 0:
                return -1
            return 1
        """,
    )
    write(
        pytester,
        "tests/test_sign.py",
        "from calc import sign\n\ndef test_it():\n    assert sign(2) == 1\n",
    )
    pytester.runpytest_subprocess("--healthgate", *xdist_args)
    coverage = gate(last_run(root), "coverage")
    # 4 statements (3 run) + 2 branches (1 taken) = 4/6 with branches, 3/4 without.
    assert coverage["value"] == 66.7
    assert coverage["extra"]["branch"] is True
    assert coverage_report_total(root) == "66.7"


def test_omitted_files_are_left_out_as_coverage_report_leaves_them_out(
    pytester: pytest.Pytester,
) -> None:
    root = make_calc_project(
        pytester,
        GATES_80,
        """
        [tool.coverage.run]
        omit = ["*/calc/generated.py"]
        """,
    )
    write(pytester, "src/calc/generated.py", "def never():\n    return 0\n")
    result = pytester.runpytest_subprocess("--healthgate")
    assert result.ret == 0
    assert gate(last_run(root), "coverage")["value"] == 80.0
    assert coverage_report_total(root) == "80"


def test_pytest_cov_keeps_one_tracer_and_the_same_total(
    pytester: pytest.Pytester, xdist_args: list[str]
) -> None:
    root = make_calc_project(pytester, GATES_80)
    result = pytester.runpytest_subprocess("--healthgate", "--cov=src/calc", *xdist_args)
    assert result.ret == 0, result.stdout.str()
    assert gate(last_run(root), "coverage")["value"] == 80.0
    result.stdout.fnmatch_lines(["TOTAL*5*1*80%"])  # pytest-cov's own table agrees
    assert coverage_report_total(root) == "80"


def test_collect_only_never_fails_a_gate(pytester: pytest.Pytester, xdist_args: list[str]) -> None:
    root = make_calc_project(pytester, GATES_80.replace("fail = 80", "fail = 100"))
    result = pytester.runpytest_subprocess("--healthgate", "--collect-only", *xdist_args)
    assert result.ret == 0
    result.stdout.fnmatch_lines(["healthgate: gates not judged under --collect-only"])
    assert not (root / ".healthgate" / "last-run.json").exists()


def test_per_path_floors_name_each_file_below_its_floor(
    pytester: pytest.Pytester, xdist_args: list[str]
) -> None:
    root = make_calc_project(
        pytester,
        """
        [tool.healthgate]
        default_gates = false
        source = ["src/calc"]

        [tool.healthgate.gates.coverage]
        fail = 10

        [tool.healthgate.gates.coverage.paths]
        "src/calc/legacy/**" = 60
        "src/calc/__init__.py" = 80
        """,
    )
    write(pytester, "src/calc/legacy/__init__.py", "")
    write(
        pytester, "src/calc/legacy/old.py", "def a():\n    return 1\n\n\ndef b():\n    return 2\n"
    )
    write(pytester, "src/calc/legacy/kept.py", "VALUE = 1\n")
    write(pytester, "tests/test_legacy.py", "import calc.legacy.kept\n\ndef test_x():\n    pass\n")
    result = pytester.runpytest_subprocess("--healthgate", *xdist_args)
    assert result.ret == 1
    coverage = gate(last_run(root), "coverage")
    assert coverage["verdict"] == "FAIL"
    # old.py is never imported: 0% < 60; kept.py 100%; __init__ 80% meets its floor of 80.
    assert (
        "src/calc/legacy/old.py 0% is below its floor 60% (src/calc/legacy/**)"
        in coverage["reason"]
    )
    assert "kept.py" not in coverage["reason"]
    assert "__init__" not in coverage["reason"]


def test_no_measured_code_is_an_error_not_a_pass(pytester: pytest.Pytester) -> None:
    root = write_project(
        pytester,
        """
        [tool.healthgate]
        default_gates = false
        source = ["src/calc"]
        [tool.healthgate.gates]
        coverage = { fail = 1 }
        """,
    )
    # The folder exists (a missing one is a usage error) but holds no Python file.
    (root / "src" / "calc" / "__init__.py").unlink()
    write(pytester, "tests/test_x.py", "def test_x():\n    pass\n")
    result = pytester.runpytest_subprocess("--healthgate")
    assert result.ret == 1
    coverage = gate(last_run(root), "coverage")
    assert coverage["verdict"] == "ERROR"
    assert "coverage.py" in coverage["reason"]


def test_under_coverage_run_the_existing_tracer_is_used(
    pytester: pytest.Pytester, xdist_args: list[str]
) -> None:
    root = make_calc_project(pytester, GATES_80)
    under_coverage = [sys.executable, "-m", "coverage", "run", "--source=src/calc", "-m"]
    completed = subprocess.run(
        [*under_coverage, "pytest", "--healthgate", "-p", "no:cacheprovider", *xdist_args],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    coverage = gate(last_run(root), "coverage")
    assert coverage["value"] == 80.0
    assert coverage_report_total(root) == "80"
