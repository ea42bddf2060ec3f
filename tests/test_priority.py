"""The measuring children yield the CPU to the tests while they run, and only then."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from pytest_healthgate import priority
from pytest_healthgate.launcher import TimeLimit, launch
from tests.helpers import run_with_report as run
from tests.test_imports import make_project

LIMIT = TimeLimit(60, "[tool.example] timeout")
OWN_NICE = os.getpriority(os.PRIO_PROCESS, 0)
LOWERED = min(19, OWN_NICE + priority.BACKGROUND)


def test_a_child_started_with_an_increment_runs_at_that_much_lower_priority() -> None:
    child = launch(
        [sys.executable, "-c", "import os; print(os.nice(0))"],
        label="a child",
        limit=LIMIT,
        nice=priority.BACKGROUND,
    )
    try:
        finished = child.wait()
    finally:
        child.close()
    assert int(finished.stdout) == LOWERED != OWN_NICE


def test_a_child_started_without_an_increment_keeps_the_parents_priority() -> None:
    child = launch(
        [sys.executable, "-c", "import os; print(os.nice(0))"], label="a child", limit=LIMIT
    )
    try:
        finished = child.wait()
    finally:
        child.close()
    assert int(finished.stdout) == OWN_NICE


def test_a_process_that_does_not_exist_is_reported_not_lowered() -> None:
    beyond_any_pid = int(Path("/proc/sys/kernel/pid_max").read_text()) + 1
    assert priority.lower(beyond_any_pid, 5) is False
    assert priority.nice_of(beyond_any_pid) is None


def test_no_increment_leaves_a_process_alone() -> None:
    assert priority.lower(os.getpid(), 0) is False
    assert priority.nice_of(os.getpid()) == OWN_NICE


# The package of the probe test: each import writes its nice value; the third
# (the second sample) then waits until the session has reached its end, so the
# four children after it certainly start once the tests are over.
PROBED = """\
import os, pathlib, time

witness, over = pathlib.Path({witness!r}), pathlib.Path({over!r})
with witness.open("a") as handle:
    handle.write(f"{{os.nice(0)}}\\n")
if len(witness.read_text().split()) == 3:
    deadline = time.monotonic() + 30
    while not over.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
"""


@pytest.mark.parametrize("xdist", [[], ["-n", "2"]], ids=["serial", "xdist"])
def test_import_probes_yield_during_the_tests_and_run_at_full_priority_after(
    pytester: pytest.Pytester, tmp_path: Path, xdist: list[str]
) -> None:
    # The test holds the session open until two children have imported, so those
    # ran while tests ran. The session's end (controller or only process) is
    # marked by a conftest hook, which runs after pytest's test loop returned.
    witness, over = tmp_path / "nice", tmp_path / "over"
    make_project(
        pytester,
        packages={"probed": PROBED.format(witness=str(witness), over=str(over))},
        gates='import_time = { fail = "60s" }',
        imports="samples = 5",
        tests=f"""
            import pathlib, time

            def imported():
                witness = pathlib.Path({str(witness)!r})
                return len(witness.read_text().split()) if witness.exists() else 0

            def test_holds_the_session_until_two_probes_imported():
                deadline = time.monotonic() + 60
                while imported() < 2:
                    assert time.monotonic() < deadline, "no import probe ran during the test"
                    time.sleep(0.02)
            """,
    )
    pytester.makeconftest(
        f"""
        import pathlib

        def pytest_sessionfinish(session):
            if not hasattr(session.config, "workerinput"):  # not an xdist worker
                pathlib.Path({str(over)!r}).write_text("over")
        """
    )
    result, document = run(pytester, *xdist)
    assert result.ret == 0, result.stdout.str()
    seen = [int(value) for value in witness.read_text().split()]
    assert len(seen) == 7  # warm-up, five samples, -X importtime
    assert seen[:2] == [LOWERED, LOWERED]
    assert seen[3:] == [OWN_NICE] * 4
    assert document["metrics"][0]["verdict"] == "PASS"


def test_the_static_analysis_runs_at_a_lower_priority_than_the_tests(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    witness = tmp_path / "nice"
    (pytester.path / "src" / "app").mkdir(parents=True)
    (pytester.path / "src" / "app" / "__init__.py").write_text("VALUE = 1\n")
    pytester.makepyprojecttoml(
        """
        [tool.healthgate]
        default_gates = false
        source = ["src"]

        [tool.healthgate.gates]
        debt = { fail = "100h" }
        """
    )
    # The collector is a registered plugin; its child is the engine process, running
    # or exited but not yet reaped (the session reaps it at its end), so readable.
    pytester.makepyfile(
        test_engine=f"""
        import os, pathlib

        def test_reads_the_engines_nice_value(request):
            static = request.config.pluginmanager.get_plugin("healthgate-static")
            own = os.getpriority(os.PRIO_PROCESS, 0)
            engine = os.getpriority(os.PRIO_PROCESS, static.child.pid)
            pathlib.Path({str(witness)!r}).write_text(f"{{own}} {{engine}}")
        """
    )
    result, document = run(pytester)
    assert result.ret == 0, result.stdout.str()
    own, engine = (int(value) for value in witness.read_text().split())
    assert own == OWN_NICE
    assert engine == LOWERED
    assert document["metrics"][0]["verdict"] == "PASS"
