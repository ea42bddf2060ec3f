"""Turn measurements and configured bounds into verdicts.

A bound exactly met passes: coverage 80.0 against ``fail = 80`` is PASS,
debt 300 h against ``fail = "300h"`` is PASS. Collectors hand over values at
the precision they are shown (coverage at coverage.py's ``precision``), so the
figure the user reads is the figure that was judged.
"""

from __future__ import annotations

from collections.abc import Iterable

from pytest_healthgate.metrics import METRICS, MetricSpec
from pytest_healthgate.model import Bounds, Direction, GateResult, Measurement, RunResult, Verdict
from pytest_healthgate.units import format_value


def beyond(spec: MetricSpec, value: float, bound: float | None) -> bool:
    """True when ``value`` is on the bad side of ``bound`` (never when no bound)."""
    if bound is None:
        return False
    if spec.direction is Direction.HIGHER:
        return value < bound
    return value > bound


def judge_gate(spec: MetricSpec, measurement: Measurement, bounds: Bounds) -> GateResult:
    value = measurement.value
    if measurement.error is not None:
        verdict, reason = Verdict.ERROR, measurement.error
    elif measurement.skip_reason is not None:
        verdict, reason = Verdict.SKIP, measurement.skip_reason
    elif value is None:
        verdict, reason = Verdict.ERROR, f"{spec.name} was not measured"
    else:
        problems = list(measurement.violations)
        if beyond(spec, value, bounds.fail):
            problems.insert(0, _crossed(spec, value, bounds.fail, measurement.precision))
        if problems:
            verdict, reason = Verdict.FAIL, "; ".join(problems)
        elif beyond(spec, value, bounds.warn):
            verdict = Verdict.WARN
            reason = _crossed(spec, value, bounds.warn, measurement.precision)
        else:
            verdict, reason = Verdict.PASS, ""
    return GateResult(
        name=spec.name,
        unit=spec.unit,
        direction=spec.direction,
        value=value,
        bounds=bounds,
        verdict=verdict,
        reason=reason,
        hint=measurement.hint or spec.hint,
        precision=measurement.precision,
        details=tuple(measurement.details),
        extra=dict(measurement.extra),
    )


def _crossed(spec: MetricSpec, value: float, bound: float | None, precision: int) -> str:
    assert bound is not None  # only called after beyond() found a bound
    side = "below" if spec.direction is Direction.HIGHER else "above"
    shown = format_value(value, spec.unit, precision)
    return f"{spec.name} {shown} is {side} {format_value(bound, spec.unit, precision)}"


def evaluate(
    gates: dict[str, Bounds], measurements: Iterable[Measurement], metadata: dict[str, object]
) -> RunResult:
    """Judge every configured gate; a gate nobody measured is an ERROR, never a pass."""
    by_name = {measurement.name: measurement for measurement in measurements}
    results = []
    for name, bounds in gates.items():
        spec = METRICS[name]
        measurement = by_name.get(name)
        if measurement is None:
            measurement = Measurement(
                name, error=f"no collector in this version of healthgate measures {name}"
            )
        results.append(judge_gate(spec, measurement, bounds))
    return RunResult(gates=results, metadata=dict(metadata))
