"""The versioned JSON report (``.healthgate/last-run.json`` and ``--healthgate-report=json:PATH``).

Its schema is ``docs/last-run.schema.json``; bump SCHEMA_VERSION on any change
that could break a reader.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from pytest_healthgate.model import (
    Bounds,
    Detail,
    Direction,
    Finding,
    GateResult,
    Measurement,
    RunResult,
    Verdict,
)
from pytest_healthgate.units import Unit, format_value

if TYPE_CHECKING:
    from pytest_healthgate.catalogue import MetricSpec
    from pytest_healthgate.score import Health

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


def to_document(result: RunResult) -> dict[str, Any]:
    """The report, with every finding behind the judged gates."""
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
    document["findings"] = [finding.to_dict() for finding in result.findings]
    return document


def render(result: RunResult) -> str:
    """The report indented by two spaces, with one line per finding.

    A finding on one line keeps a large report fast to write and easy to diff or
    grep: json's C encoder serves only unindented output, so indenting Django's
    4,000 findings took 60 ms of a 0.4 s ``healthgate check``.
    """
    document = to_document(result)
    findings = document.pop("findings")
    head = json.dumps(document, indent=2)
    if not findings:
        return head[:-2] + ',\n  "findings": []\n}\n'
    lines = ",\n".join("    " + json.dumps(finding) for finding in findings)
    return head[:-2] + ',\n  "findings": [\n' + lines + "\n  ]\n}\n"


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


def result_from_document(
    document: dict[str, Any], specs: Mapping[str, MetricSpec] | None = None
) -> RunResult:
    """The run a report records, as it was judged (``healthgate report`` re-renders it).

    ``specs`` give the gates' detail titles, which the report does not keep.
    KeyError, TypeError or ValueError when the document is not such a report.
    """
    gates = [_gate_result(metric) for metric in document["metrics"]]
    for index, gate in enumerate(gates):
        spec = (specs or {}).get(gate.name)
        if spec is not None:
            gates[index] = replace(
                gate, detail_title=spec.detail_title, details_shown=spec.details_shown
            )
    health = document.get("health")
    return RunResult(
        gates=gates,
        metadata=dict(document.get("run") or {}),
        health=_health(health) if isinstance(health, dict) else None,
        findings=[Finding.from_dict(found) for found in document.get("findings") or []],
    )


def _gate_result(metric: dict[str, Any]) -> GateResult:
    unit = UNIT_OF_BASE.get(str(metric.get("unit")), Unit.NUMBER)
    fail, warn = metric.get("fail"), metric.get("warn")
    return GateResult(
        name=str(metric["name"]),
        unit=unit,
        direction=Direction(metric["better"]),
        value=None if metric.get("value") is None else float(metric["value"]),
        bounds=Bounds(
            fail=None if fail is None else float(fail),
            warn=None if warn is None else float(warn),
            adopted=bool(metric.get("adopted", True)),
        ),
        verdict=Verdict(metric["verdict"]),
        reason=str(metric.get("reason") or ""),
        hint=str(metric.get("hint") or ""),
        precision=int(metric.get("precision", 1)),
        details=tuple(
            Detail(str(d["label"]), float(d["value"]), unit, str(d.get("note", "")))
            for d in metric.get("details", [])
        ),
        extra=dict(metric.get("extra") or {}),
        origin=str(metric.get("origin") or ""),
        baseline=metric.get("baseline"),
    )


def _health(document: dict[str, Any]) -> Health:
    from pytest_healthgate.score import GateScore, Health

    return Health(
        score=None if document.get("score") is None else float(document["score"]),
        gates=tuple(
            GateScore(
                str(gate["name"]),
                float(gate["weight"]),
                None if gate.get("points") is None else float(gate["points"]),
                str(gate.get("left_out") or ""),
            )
            for gate in document.get("gates", [])
        ),
        capped=str(document.get("capped") or ""),
        formula=int(document.get("formula", 1)),
        moved=str(document.get("moved") or ""),
        since_baseline=str(document.get("since_baseline") or ""),
        trend=str(document.get("trend") or ""),
    )
