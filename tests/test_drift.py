"""Steady worsening inside the bounds warns, with the trend; anything else leaves the gate."""

from __future__ import annotations

import pytest

from pytest_healthgate.drift import drifted
from pytest_healthgate.model import Bounds, Direction, GateResult, Verdict
from pytest_healthgate.store.history import MetricRow, RunRow
from pytest_healthgate.units import Unit


def gate(
    value: float, verdict: Verdict = Verdict.PASS, direction: Direction = Direction.HIGHER
) -> GateResult:
    return GateResult(
        "coverage", Unit.PERCENT, direction, value, Bounds(fail=50), verdict, "", "", 1
    )


def runs(*values: float | None, partial: int | None = None) -> list[RunRow]:
    return [
        RunRow(
            run_id=str(number),
            time="",
            verdict="PASS",
            partial=number == partial,
            metrics={"coverage": MetricRow("coverage", value, "PASS")},
        )
        for number, value in enumerate(values)
    ]


def test_worse_in_each_run_by_more_than_the_share_warns_with_the_figures() -> None:
    judged = drifted(gate(80.0), runs(95.0, 90.0, 85.0), runs=4, share=0.05)
    assert judged.verdict is Verdict.WARN
    assert judged.reason == (
        "worse in each of the last 4 runs (95.0% -> 90.0% -> 85.0% -> 80.0%, 16% worse); "
        "still inside its bounds"
    )


@pytest.mark.parametrize(
    ("past", "now"),
    [
        ((95.0, 90.0, 91.0), 85.0),  # one run got better: no streak
        ((95.0, 90.0, 85.0), 85.0),  # the same as the run before is not worse
        ((90.0, 85.0), 80.0),  # fewer runs than trend_runs
        ((95.0, None, 85.0), 80.0),  # a run without a figure breaks the streak
        ((90.0, 89.9, 89.8), 89.7),  # steady, but by less than the share
    ],
)
def test_no_streak_or_a_small_one_leaves_the_gate_as_it_was(
    past: tuple[float | None, ...], now: float
) -> None:
    assert drifted(gate(now), runs(*past), runs=4, share=0.05).verdict is Verdict.PASS


def test_partial_runs_do_not_count() -> None:
    past = runs(95.0, 20.0, 90.0, 85.0, partial=1)  # the partial run is skipped
    assert drifted(gate(80.0), past, runs=4, share=0.05).verdict is Verdict.WARN
    past = runs(95.0, 90.0, 85.0, 99.0, partial=3)
    assert drifted(gate(80.0), past, runs=4, share=0.05).verdict is Verdict.WARN


def test_lower_is_better_gates_worsen_upwards() -> None:
    rising = drifted(
        gate(40.0, direction=Direction.LOWER), runs(10.0, 20.0, 30.0), runs=4, share=0.05
    )
    assert rising.verdict is Verdict.WARN


def test_a_gate_that_fails_or_warns_already_is_left_alone() -> None:
    failed = drifted(gate(80.0, Verdict.FAIL), runs(95.0, 90.0, 85.0), runs=4, share=0.05)
    assert (failed.verdict, failed.reason) == (Verdict.FAIL, "")
