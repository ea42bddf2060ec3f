"""The versioned JSON report (``.healthgate/last-run.json`` and ``--healthgate-report=json:PATH``).

Its schema is ``docs/last-run.schema.json``; bump SCHEMA_VERSION on any change
that could break a reader.
"""

from __future__ import annotations

import json
from typing import Any

from pytest_healthgate.model import Detail, GateResult, Measurement, RunResult, Verdict
from pytest_healthgate.units import Unit, format_value

SCHEMA_VERSION = 1
BASE_UNITS = {
    Unit.PERCENT: "%",
    Unit.DURATION: "s",
    Unit.SIZE: "B",
    Unit.COUNT: "count",
    Unit.RANK: "rank",
    Unit.NUMBER: "number",
}
UNIT_OF_BASE = {base: unit for unit, base in BASE_UNITS.items()}


def _gate(gate: GateResult) -> dict[str, Any]:
    def shown(value: float | None) -> str | None:
        return None if value is None else format_value(value, gate.unit, gate.precision)

    return {
        "name": gate.name,
        "value": gate.value,
        "display": shown(gate.value),
        "unit": BASE_UNITS[gate.unit],
        "better": gate.direction.value,
        "fail": gate.bounds.fail,
        "warn": gate.bounds.warn,
        "adopted": gate.bounds.adopted,
        "precision": gate.precision,
        "verdict": gate.verdict.value,
        "reason": gate.reason,
        "hint": gate.hint,
        "details": [
            {
                "label": detail.label,
                "value": detail.value,
                "display": format_value(detail.value, detail.unit, gate.precision),
                "note": detail.note,
            }
            for detail in gate.details
        ],
        "extra": gate.extra,
        "origin": gate.origin or None,
        "baseline": gate.baseline,
    }


def to_document(result: RunResult, findings: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The report; ``findings`` (``healthgate check``) lists what the static gates found."""
    document = {
        "schema_version": SCHEMA_VERSION,
        "tool": "pytest-healthgate",
        "run": result.metadata,
        "summary": {
            "ok": result.ok,
            "passed": result.count(Verdict.PASS),
            "warned": result.count(Verdict.WARN),
            "failed": result.count(Verdict.FAIL),
            "errors": result.count(Verdict.ERROR),
            "skipped": result.count(Verdict.SKIP),
            "partial": bool(result.metadata.get("partial")),
        },
        "metrics": [_gate(gate) for gate in result.gates],
    }
    if result.health is not None:
        from pytest_healthgate.score import to_document as health_document

        document["health"] = health_document(result.health)
    if findings is not None:
        document["findings"] = findings
    return document


def render(result: RunResult, findings: list[dict[str, Any]] | None = None) -> str:
    return json.dumps(to_document(result, findings), indent=2, sort_keys=False) + "\n"


def measurements_from_document(document: dict[str, Any]) -> list[Measurement]:
    """The recorded figures of a report, as measurements to judge again (its inverse)."""
    return [_measurement(metric) for metric in document.get("metrics", [])]


def _measurement(metric: dict[str, Any]) -> Measurement:
    unit = UNIT_OF_BASE.get(str(metric.get("unit")), Unit.NUMBER)
    measurement = Measurement(
        str(metric["name"]),
        value=metric.get("value"),
        precision=int(metric.get("precision", 1)),
        extra=dict(metric.get("extra") or {}),
        details=[
            Detail(str(d["label"]), float(d["value"]), unit, str(d.get("note", "")))
            for d in metric.get("details", [])
        ],
    )
    compared = metric.get("baseline")
    measurement.compared = compared if isinstance(compared, dict) else None
    if metric.get("verdict") == "ERROR":
        measurement.error = str(metric.get("reason") or "could not be measured")
    elif metric.get("verdict") == "SKIP":
        measurement.skip_reason = str(metric.get("reason") or "not applicable")
    return measurement
