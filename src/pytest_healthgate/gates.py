"""Turn measurements and configured bounds into verdicts.

Bounds of the default playbook that the project never wrote (``Bounds.adopted``
False) only warn: a first run fails nothing the project already had. Only the
gates that judge a run broken now (``MetricSpec.fails_by_default``: failing
tests, test modules that do not import) fail past them, and per-path floors,
which the project always writes, fail as usual.

A bound exactly met passes: coverage 80.0 against ``fail = 80`` is PASS,
debt 300 h against ``fail = "300h"`` is PASS. Collectors hand over values at
the precision they are shown (coverage at coverage.py's ``precision``), so the
figure the user reads is the figure that was judged.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from pytest_healthgate.globs import matches
from pytest_healthgate.model import Bounds, Direction, GateResult, Measurement, RunResult, Verdict
from pytest_healthgate.units import Unit, format_value

if TYPE_CHECKING:
    from pytest_healthgate.catalogue import MetricSpec

# Past a default bound the project never adopted, a gate warns and says how to adopt it.
ADOPT = "run `healthgate init` to adopt"


def beyond(spec: MetricSpec, value: float, bound: float | None) -> bool:
    """True when ``value`` is on the bad side of ``bound`` (never when no bound)."""
    return past(spec.direction, value, bound)


def past(direction: Direction, value: float, bound: float | None) -> bool:
    """True when ``value`` is on the bad side of ``bound`` in ``direction``."""
    if bound is None:
        return False
    if direction is Direction.HIGHER:
        return value < bound
    return value > bound


def judge_gate(spec: MetricSpec, measurement: Measurement, bounds: Bounds) -> GateResult:
    """One gate's verdict: ERROR and SKIP as measured, else FAIL, WARN or PASS by the bounds."""
    value = measurement.value
    if measurement.error is not None:
        verdict, reason = Verdict.ERROR, measurement.error
    elif measurement.skip_reason is not None and bounds.adopted and not spec.may_skip:
        # A gate the project wrote that looked at nothing never passes quietly.
        verdict = Verdict.ERROR
        reason = (
            f"{spec.name} looked at nothing: {measurement.skip_reason}; fix that, or "
            f"turn the gate off ({spec.name} = false in [tool.healthgate.gates])"
        )
    elif measurement.skip_reason is not None:
        verdict, reason = Verdict.SKIP, measurement.skip_reason
    elif value is None:
        verdict, reason = Verdict.ERROR, f"{spec.name} was not measured"
    elif not math.isfinite(value):  # NaN passes every comparison: never judge it
        verdict, reason = Verdict.ERROR, f"{spec.name} is not a finite number ({value})"
    else:
        verdict, reason = _by_bounds(spec, measurement, value, bounds)
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
        detail_title=spec.detail_title,
        details_shown=spec.details_shown,
    )


def _by_bounds(
    spec: MetricSpec, measurement: Measurement, value: float, bounds: Bounds
) -> tuple[Verdict, str]:
    problems = list(measurement.violations)  # per-path floors: always written, so FAIL
    advice = []
    if beyond(spec, value, bounds.fail):
        crossed = _crossed(spec, value, bounds.fail, measurement.precision)
        if bounds.adopted or spec.fails_by_default:
            problems.insert(0, crossed)
        else:  # a default bound the project was already past: advice, not a failure
            advice.append(f"{crossed} (default playbook); {ADOPT}")
    if problems:
        return Verdict.FAIL, "; ".join(problems + advice)
    if advice:
        return Verdict.WARN, advice[0]
    if beyond(spec, value, bounds.warn):
        return Verdict.WARN, _crossed(spec, value, bounds.warn, measurement.precision)
    return Verdict.PASS, ""


def _crossed(spec: MetricSpec, value: float, bound: float | None, precision: int) -> str:
    assert bound is not None  # only called after beyond() found a bound
    side = "below" if spec.direction is Direction.HIGHER else "above"
    shown = format_value(value, spec.unit, precision)
    return f"{spec.name} {shown} is {side} {format_value(bound, spec.unit, precision)}"


def evaluate(
    gates: Mapping[str, Bounds],
    specs: Mapping[str, MetricSpec],
    measurements: Iterable[Measurement],
    metadata: Mapping[str, object],
) -> RunResult:
    """Judge every gate of ``gates``; a gate nobody measured is an ERROR, never a pass.

    Measurements of names that are not gates (values tests recorded but nobody
    declared) are kept as SKIP rows, so they are reported but never judged.
    """
    by_name = {measurement.name: measurement for measurement in measurements}
    results = []
    for name, bounds in gates.items():
        measurement = by_name.pop(name, None)
        if measurement is None:
            measurement = Measurement(
                name, error=f"no collector in this version of healthgate measures {name}"
            )
        results.append(judge_gate(specs[name], measurement, bounds))
    for measurement in by_name.values():
        if measurement.name not in specs and measurement.skip_reason is not None:
            shown_only = Bounds(adopted=False)  # reported, never judged
            results.append(judge_gate(_undeclared(measurement.name), measurement, shown_only))
    return RunResult(gates=results, metadata=dict(metadata))


def _undeclared(name: str) -> MetricSpec:
    """A figure no gate declares (a value tests recorded): shown as a plain number."""
    from pytest_healthgate.catalogue import MetricSpec

    return MetricSpec(name, Unit.NUMBER, Direction.HIGHER, "", "", collector="")


def floor_violations(
    percents: dict[str, float], floors: dict[str, float], precision: int
) -> list[str]:
    """One line per file below the floor of a glob that matches it."""
    problems = []
    for pattern, floor in floors.items():
        for relative, shown in percents.items():
            if matches(relative, pattern) and shown < floor:
                problems.append(
                    f"{relative} {shown:.{precision}f}% is below its floor {floor:g}% ({pattern})"
                )
    return problems
