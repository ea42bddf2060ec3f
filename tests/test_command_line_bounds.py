"""One-off bounds on the command line: --healthgate-fail / --healthgate-warn GATE=BOUND.

Like pytest-cov's --cov-fail-under: read and checked like [tool.healthgate.gates],
overriding the table's bound for that gate for one run. And every --healthgate-*
option without --healthgate is a usage error, never silently ignored.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_healthgate.catalogue import standalone_catalogue
from pytest_healthgate.config import ConfigError, HealthgateConfig, command_line_bounds, load
from pytest_healthgate.model import Bounds
from tests.helpers import gate, run_with_report, write, write_project

HALF_COVERED = """
def add(left, right):
    return left + right


def sub(left, right):
    return left - right
"""
GATES = """
[tool.healthgate.gates]
coverage = { fail = 50 }
"""


def half_covered_project(pytester: pytest.Pytester) -> None:
    write_project(pytester, GATES)
    write(pytester, "src/calc/__init__.py", HALF_COVERED)
    write(
        pytester,
        "tests/test_add.py",
        "from calc import add\n\n\ndef test_add():\n    assert add(1, 2) == 3\n",
    )


def test_a_fail_bound_on_the_command_line_fails_a_run_that_passes_under_its_config(
    pytester: pytest.Pytester,
) -> None:
    half_covered_project(pytester)
    passing, document = run_with_report(pytester)
    assert passing.ret == 0, passing.stdout.str()
    assert gate(document, "coverage")["verdict"] == "PASS"

    failing, document = run_with_report(pytester, "--healthgate-fail", "coverage=100")
    assert failing.ret == 1
    coverage = gate(document, "coverage")
    assert (coverage["verdict"], coverage["fail"], coverage["adopted"]) == ("FAIL", 100, True)
    failing.stdout.fnmatch_lines(["healthgate: FAIL coverage = 75%: coverage 75% is below 100%"])


def test_a_warn_bound_on_the_command_line_warns_and_keeps_the_tables_fail_bound(
    pytester: pytest.Pytester,
) -> None:
    half_covered_project(pytester)
    result, document = run_with_report(pytester, "--healthgate-warn", "coverage=80")
    assert result.ret == 0, result.stdout.str()
    coverage = gate(document, "coverage")
    assert (coverage["verdict"], coverage["fail"], coverage["warn"]) == ("WARN", 50, 80)


def test_an_unknown_gate_on_the_command_line_is_a_usage_error_naming_close_matches(
    pytester: pytest.Pytester,
) -> None:
    write_project(pytester)
    pytester.makepyfile(test_x="def test_x():\n    pass\n")
    result = pytester.runpytest_subprocess("--healthgate", "--healthgate-fail", "nosuchgate=1")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["*--healthgate-fail nosuchgate=1: unknown gate 'nosuchgate'; known gates: coverage, *"]
    )
    result = pytester.runpytest_subprocess("--healthgate", "--healthgate-warn", "coverag=90")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["*--healthgate-warn coverag=90: unknown gate 'coverag'; did you mean coverage or *"]
    )
    result.stdout.no_fnmatch_line("*passed*")


def test_a_warn_bound_on_the_wrong_side_of_the_fail_bound_is_a_usage_error(
    pytester: pytest.Pytester,
) -> None:
    write_project(pytester)
    pytester.makepyfile(test_x="def test_x():\n    pass\n")
    result = pytester.runpytest_subprocess(
        "--healthgate", "--healthgate-warn", "debt=1s", "--healthgate-fail", "debt=0s"
    )
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            "*--healthgate-warn debt=1s is on the wrong side of --healthgate-fail debt=0s; "
            "lower is better for debt, so warn must be at or below fail."
        ]
    )


@pytest.mark.parametrize(
    "option",
    [
        "--healthgate-report=json:out.json",
        "--healthgate-fail=coverage=90",
        "--healthgate-warn=debt=2h",
        "--healthgate-snapshot=snap.toml",
    ],
)
def test_a_healthgate_option_without_healthgate_is_a_usage_error_saying_to_add_it(
    pytester: pytest.Pytester, option: str
) -> None:
    pytester.makepyfile(test_x="def test_x():\n    pass\n")
    result = pytester.runpytest_subprocess(option)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    flag = option.partition("=")[0]
    result.stderr.fnmatch_lines(
        [f"*healthgate: {flag} given without --healthgate, *; add --healthgate *"]
    )
    assert not (pytester.path / "out.json").exists()


@pytest.mark.parametrize(
    ("fail", "warn", "expected"),
    [
        (["coverage=83.5"], [], Bounds(fail=83.5, warn=None)),
        (["debt=300h"], ["debt=200h"], Bounds(fail=300 * 3600, warn=200 * 3600)),
        (["complexity=D"], [], Bounds(fail=4, warn=3)),
        (["complexity=d"], ["complexity=B"], Bounds(fail=4, warn=2)),
        ([], ["complexity=B"], Bounds(fail=5, warn=2)),
        (["complexity=B"], [], Bounds(fail=2, warn=None)),
        (["critical=0"], [], Bounds(fail=0)),
        (["debt=300"], [], Bounds(fail=300)),  # a bare number: seconds, as in the table
        (["coverage=10", "coverage=20"], [], Bounds(fail=20)),
    ],
)
def test_command_line_bounds_are_read_in_the_gates_unit_and_replace_the_tables(
    tmp_path: Path, fail: list[str], warn: list[str], expected: Bounds
) -> None:
    gate_name = (fail or warn)[0].partition("=")[0]
    assert command_line_bounds(loaded(tmp_path), fail, warn).gates[gate_name] == expected


def loaded(root: Path) -> HealthgateConfig:
    (root / "pyproject.toml").write_text(
        '[tool.healthgate.gates]\ncomplexity = { fail = "E", warn = "C" }\n'
    )
    return load(root, root / "pyproject.toml", standalone_catalogue())


def test_a_gate_the_config_turns_off_is_judged_with_a_command_line_bound(
    tmp_path: Path,
) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.healthgate.gates]\ndebt = false\n")
    settings = load(tmp_path, tmp_path / "pyproject.toml", standalone_catalogue())
    assert "debt" not in settings.gates
    gates = command_line_bounds(settings, ["debt=1h"]).gates
    assert gates["debt"] == Bounds(fail=3600)
    assert list(gates) == [name for name in settings.catalogue.metrics if name in gates]


@pytest.mark.parametrize(
    ("fail", "warn", "message"),
    [
        (["coverage"], [], "--fail coverage: expected GATE=BOUND, such as --fail coverage=80"),
        (["=80"], [], "--fail =80: expected GATE=BOUND"),
        (["coverage="], [], "--fail coverage=: expected GATE=BOUND"),
        (["coverage=101"], [], "--fail coverage=101: 101 is above 100%."),
        (["debt=lots"], [], "--fail debt=lots: 'lots' is not a duration such as"),
        (["complexity=G"], [], "--fail complexity=G: 'G' is not a rank letter"),
        (["critical=0.5"], [], "--fail critical=0.5: 0.5 is not a whole number"),
        ([], ["complexity=F"], "--warn complexity=F is on the wrong side of fail = E of"),
        (["debt=1h"], ["debt=2h"], "--warn debt=2h is on the wrong side of --fail debt=1h;"),
        (["debth=1h"], [], "--fail debth=1h: unknown gate 'debth'; did you mean debt"),
    ],
)
def test_bad_command_line_bounds_are_errors_naming_the_option_and_the_value(
    tmp_path: Path, fail: list[str], warn: list[str], message: str
) -> None:
    with pytest.raises(ConfigError) as raised:
        command_line_bounds(loaded(tmp_path), fail, warn, prefix="--")
    assert str(raised.value).startswith(message)
