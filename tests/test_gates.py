"""Verdicts at and around each bound, in both directions."""

from __future__ import annotations

import pytest

from pytest_healthgate.builtin import builtin_catalogue
from pytest_healthgate.gates import evaluate, judge_gate
from pytest_healthgate.model import Bounds, Measurement, Verdict


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (65.0, Verdict.WARN),  # fail bound exactly met: not a failure
        (64.9, Verdict.FAIL),  # one unit (0.1 at precision 1) below
        (65.1, Verdict.WARN),
        (80.0, Verdict.PASS),  # warn bound exactly met
        (79.9, Verdict.WARN),
        (80.1, Verdict.PASS),
    ],
)
def test_higher_is_better_bounds(value: float, expected: Verdict) -> None:
    result = judge_gate(METRICS["coverage"], Measurement("coverage", value=value), Bounds(65, 80))
    assert result.verdict is expected


@pytest.mark.parametrize(
    ("hours", "expected"),
    [
        (300.0, Verdict.WARN),
        (300.0 + 1 / 60, Verdict.FAIL),  # one minute over
        (200.0, Verdict.PASS),
        (200.0 + 1 / 60, Verdict.WARN),
        (199.0, Verdict.PASS),
    ],
)
def test_lower_is_better_bounds(hours: float, expected: Verdict) -> None:
    measurement = Measurement("debt", value=hours * 3600)
    result = judge_gate(METRICS["debt"], measurement, Bounds(300 * 3600, 200 * 3600))
    assert result.verdict is expected


METRICS = builtin_catalogue().metrics


def test_a_failed_gate_names_value_and_bound() -> None:
    result = judge_gate(
        METRICS["coverage"], Measurement("coverage", value=61.25, precision=2), Bounds(65)
    )
    assert result.reason == "coverage 61.25% is below 65.00%"


def test_violations_fail_a_gate_whose_value_is_within_bounds() -> None:
    measurement = Measurement(
        "coverage", value=90.0, violations=["a.py 10% is below its floor 50%"]
    )
    result = judge_gate(METRICS["coverage"], measurement, Bounds(50))
    assert result.verdict is Verdict.FAIL
    assert result.reason == "a.py 10% is below its floor 50%"


def test_an_error_is_never_a_pass_and_fails_the_run() -> None:
    result = judge_gate(METRICS["coverage"], Measurement("coverage", error="no data"), Bounds(1))
    assert result.verdict is Verdict.ERROR
    assert result.verdict.fails_run


def test_skip_of_a_default_gate_says_why_and_does_not_fail_the_run() -> None:
    result = judge_gate(
        METRICS["pass_rate"],
        Measurement("pass_rate", skip_reason="no test ran"),
        Bounds(98, adopted=False),
    )
    assert result.verdict is Verdict.SKIP
    assert result.reason == "no test ran"
    assert not result.verdict.fails_run


def test_a_configured_gate_that_looked_at_nothing_is_an_error_saying_why() -> None:
    result = judge_gate(
        METRICS["pass_rate"], Measurement("pass_rate", skip_reason="no test ran"), Bounds(98)
    )
    assert result.verdict is Verdict.ERROR
    assert result.reason.startswith("pass_rate looked at nothing: no test ran")
    assert "pass_rate = false" in result.reason
    assert result.verdict.fails_run


def test_warn_never_fails_the_run() -> None:
    run = evaluate({"duration": Bounds(warn=1)}, METRICS, [Measurement("duration", value=5)], {})
    assert run.gates[0].verdict is Verdict.WARN
    assert run.ok


def test_a_configured_gate_nobody_measured_is_an_error() -> None:
    run = evaluate({"debt": Bounds(fail=1)}, METRICS, [], {})
    assert run.gates[0].verdict is Verdict.ERROR
    assert "measures debt" in run.gates[0].reason
    assert not run.ok


@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_a_value_that_is_not_a_finite_number_is_an_error_never_a_pass(value: float) -> None:
    result = judge_gate(METRICS["debt"], Measurement("debt", value=value), Bounds(fail=60))
    assert result.verdict is Verdict.ERROR
    assert "not a finite number" in result.reason


DEFAULT = Bounds(fail=65, warn=80, adopted=False)  # the default playbook's, never written


def test_past_a_default_fail_bound_a_gate_warns_and_says_how_to_adopt_it() -> None:
    result = judge_gate(METRICS["coverage"], Measurement("coverage", value=40.0), DEFAULT)
    assert result.verdict is Verdict.WARN
    assert result.reason == (
        "coverage 40.0% is below 65.0% (default playbook); run `healthgate init` to adopt"
    )


def test_the_same_bound_written_by_the_project_fails() -> None:
    written = Bounds(fail=65, warn=80)
    result = judge_gate(METRICS["coverage"], Measurement("coverage", value=40.0), written)
    assert (result.verdict, result.reason) == (Verdict.FAIL, "coverage 40.0% is below 65.0%")


def test_past_a_default_warn_bound_a_gate_warns_without_the_adopt_hint() -> None:
    result = judge_gate(METRICS["coverage"], Measurement("coverage", value=70.0), DEFAULT)
    assert (result.verdict, result.reason) == (Verdict.WARN, "coverage 70.0% is below 80.0%")


@pytest.mark.parametrize(("name", "value"), [("pass_rate", 97.9), ("collection_errors", 10.1)])
def test_a_run_broken_now_fails_past_the_default_bound(name: str, value: float) -> None:
    spec = METRICS[name]
    assert spec.fails_by_default
    assert spec.default is not None
    bounds = Bounds(fail=spec.default.fail, adopted=False)
    result = judge_gate(spec, Measurement(name, value=value), bounds)
    assert result.verdict is Verdict.FAIL


def test_a_per_path_floor_fails_even_under_default_bounds_and_the_advice_is_kept() -> None:
    measurement = Measurement(
        "coverage", value=40.0, violations=["a.py 10% is below its floor 50%"]
    )
    result = judge_gate(METRICS["coverage"], measurement, DEFAULT)
    assert result.verdict is Verdict.FAIL
    assert result.reason == (
        "a.py 10% is below its floor 50%; "
        "coverage 40.0% is below 65.0% (default playbook); run `healthgate init` to adopt"
    )


def test_only_pass_rate_and_collection_errors_fail_by_default() -> None:
    assert sorted(name for name, spec in METRICS.items() if spec.fails_by_default) == [
        "collection_errors",
        "pass_rate",
    ]
