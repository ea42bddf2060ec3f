"""pass_rate, collection_errors and duration, serially and under xdist, and exit statuses."""

from __future__ import annotations

import pytest

from pytest_healthgate.collect.outcomes import OutcomeTally
from tests.helpers import gate, last_run, write, write_project

# Only the gate under test: no coverage, no static analysis, no import timing.
ONLY = """
[tool.healthgate]
default_gates = false

[tool.healthgate.gates]
{gates}
"""


def health_project(pytester: pytest.Pytester, gates: str) -> None:
    write_project(pytester, ONLY.format(gates=gates))


MIXED_OUTCOMES = """
import pytest

@pytest.fixture
def broken():
    raise RuntimeError("setup broke")

def test_passes_1(): pass
def test_passes_2(): pass
def test_passes_3(): pass
def test_passes_4(): pass
def test_passes_5(): pass
def test_passes_6(): pass
def test_fails(): assert False
def test_errors_in_setup(broken): pass
def test_is_skipped(): pytest.skip("not here")

@pytest.mark.xfail(reason="known")
def test_xfails(): assert False

@pytest.mark.xfail(reason="fixed already", strict=False)
def test_xpasses(): pass
"""


def test_pass_rate_leaves_skips_and_xfails_out(
    pytester: pytest.Pytester, xdist_args: list[str]
) -> None:
    health_project(pytester, "pass_rate = { fail = 70, warn = 98 }")
    write(pytester, "tests/test_mixed.py", MIXED_OUTCOMES)
    result = pytester.runpytest_subprocess("--healthgate", *xdist_args)
    pass_rate = gate(last_run(pytester.path), "pass_rate")
    # 6 passed + 1 xpassed = 7 of 9 executed (1 failed, 1 error) = 77.78%.
    assert pass_rate["value"] == pytest.approx(700 / 9)
    assert pass_rate["extra"] == {
        "passed": 7,
        "failed": 1,
        "error": 1,
        "skipped": 2,
        "looked_at": {"tests executed": 9},
    }
    assert pass_rate["verdict"] == "WARN"
    assert result.ret == pytest.ExitCode.TESTS_FAILED  # pytest's own status for the failures


@pytest.mark.parametrize(("bound", "verdict"), [(75, "PASS"), (80, "FAIL")])
def test_pass_rate_bound_either_side(pytester: pytest.Pytester, bound: int, verdict: str) -> None:
    health_project(pytester, f"pass_rate = {{ fail = {bound} }}")
    write(pytester, "tests/test_mixed.py", MIXED_OUTCOMES)
    pytester.runpytest_subprocess("--healthgate")
    assert gate(last_run(pytester.path), "pass_rate")["verdict"] == verdict


def test_exactly_met_pass_rate_passes(pytester: pytest.Pytester) -> None:
    health_project(pytester, "pass_rate = { fail = 75 }")
    write(
        pytester,
        "tests/test_q.py",
        "def test_a(): pass\ndef test_b(): pass\ndef test_c(): pass\ndef test_d(): assert 0\n",
    )
    pytester.runpytest_subprocess("--healthgate")
    pass_rate = gate(last_run(pytester.path), "pass_rate")
    assert (pass_rate["value"], pass_rate["verdict"]) == (75.0, "PASS")


def test_collection_errors_are_counted_per_test_module_even_when_pytest_stops(
    pytester: pytest.Pytester, xdist_args: list[str]
) -> None:
    health_project(pytester, 'collection_errors = { fail = "20%" }')
    for index in range(4):
        write(pytester, f"tests/test_ok_{index}.py", "def test_ok(): pass\n")
    write(pytester, "tests/test_broken.py", "import no_such_module_here\n")
    result = pytester.runpytest_subprocess("--healthgate", *xdist_args)
    # pytest's own status is kept: serially it stops (2), xdist runs the rest (1).
    assert result.ret == pytester.runpytest_subprocess(*xdist_args).ret != 0
    collection = gate(last_run(pytester.path), "collection_errors")
    assert collection["value"] == 20.0  # 1 of 5 modules; the bound exactly met passes
    assert collection["verdict"] == "PASS"
    assert collection["extra"]["broken_modules"] == ["tests/test_broken.py"]
    result.stdout.fnmatch_lines(["collection_errors*20.0%*PASS*"])


def test_collection_errors_one_module_over_the_bound_fail(pytester: pytest.Pytester) -> None:
    health_project(pytester, 'collection_errors = { fail = "10%" }')
    for index in range(4):
        write(pytester, f"tests/test_ok_{index}.py", "def test_ok(): pass\n")
    write(pytester, "tests/test_broken.py", "raise ImportError('boom')\n")
    result = pytester.runpytest_subprocess("--healthgate", "--continue-on-collection-errors")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["healthgate: FAIL collection_errors = 20.0%*above 10.0%"])


def test_duration_warns_and_lists_the_slowest_tests(
    pytester: pytest.Pytester, xdist_args: list[str]
) -> None:
    health_project(pytester, 'duration = { warn = "100ms" }')
    write(
        pytester,
        "tests/test_slow.py",
        """
        import time
        def test_slow(): time.sleep(0.3)
        def test_fast(): pass
        """,
    )
    result = pytester.runpytest_subprocess("--healthgate", *xdist_args)
    assert result.ret == 0  # WARN never fails the run
    duration = gate(last_run(pytester.path), "duration")
    assert duration["verdict"] == "WARN"
    assert duration["value"] >= 0.3
    assert duration["details"][0]["label"] == "tests/test_slow.py::test_slow"
    result.stdout.fnmatch_lines(["duration: slowest tests", "*tests/test_slow.py::test_slow"])


def test_a_failed_gate_turns_a_green_run_into_exit_status_1(pytester: pytest.Pytester) -> None:
    health_project(pytester, 'duration = { fail = "1ms" }')
    write(pytester, "tests/test_slow.py", "import time\ndef test_slow(): time.sleep(0.05)\n")
    result = pytester.runpytest_subprocess("--healthgate")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["healthgate: FAIL duration = *: duration * is above 1.0ms"])


def test_no_tests_keeps_pytests_own_status_and_a_configured_test_gate_is_an_error(
    pytester: pytest.Pytester,
) -> None:
    health_project(pytester, "pass_rate = { fail = 98 }")
    (pytester.path / "tests").mkdir()
    result = pytester.runpytest_subprocess("--healthgate")
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED
    pass_rate = gate(last_run(pytester.path), "pass_rate")
    assert pass_rate["verdict"] == "ERROR"
    assert "looked at nothing: no test was executed" in pass_rate["reason"]


def test_outcomes_are_decided_once_per_test() -> None:
    health = OutcomeTally()
    health.record_test("t::a", "setup", "passed", 0.1)
    health.record_test("t::a", "call", "failed", 0.2)
    health.record_test("t::a", "teardown", "failed", 0.1)  # still one failed test
    health.record_test("t::b", "setup", "failed", 0.1)
    health.record_test("t::b", "teardown", "passed", 0.0)
    health.record_test("t::c", "setup", "passed", 0.0)
    health.record_test("t::c", "call", "passed", 0.0)
    health.record_test("t::c", "teardown", "failed", 0.0)  # a teardown error on a passed test
    assert health.counts() == {"passed": 0, "failed": 1, "error": 2, "skipped": 0}
    assert health.durations["t::a"] == pytest.approx(0.4)
