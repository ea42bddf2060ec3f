"""``healthgate-last-run``: re-check the last recorded test run without running tests.

Reads ``.healthgate/last-run.json``, refuses it when it is missing or when any
Python file of the project changed since that run (by content), and otherwise
judges its figures against the *current* ``[tool.healthgate]`` bounds — so a
hook can enforce coverage at commit time while the suite itself runs elsewhere.
Nothing is written.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pytest_healthgate.config import HealthgateConfig
from pytest_healthgate.gates import evaluate
from pytest_healthgate.model import Detail, Measurement, RunResult
from pytest_healthgate.pipeline import LAST_RUN
from pytest_healthgate.precommit import entry
from pytest_healthgate.report import terminal
from pytest_healthgate.report.json_report import SCHEMA_VERSION
from pytest_healthgate.store.files import STATE_DIR
from pytest_healthgate.units import Unit

RERUN = "run `pytest --healthgate` to record a fresh run"
CHANGED_SHOWN = 5
KIND_OF_UNIT = {"%": Unit.PERCENT, "s": Unit.DURATION, "B": Unit.SIZE, "count": Unit.COUNT}


def _measurement(metric: dict[str, Any], settings: HealthgateConfig) -> Measurement:
    name = str(metric["name"])
    precision = int(metric.get("precision", 1))
    measurement = Measurement(
        name,
        value=metric.get("value"),
        precision=precision,
        extra=dict(metric.get("extra") or {}),
        details=[
            Detail(
                str(detail["label"]),
                float(detail["value"]),
                KIND_OF_UNIT.get(str(metric.get("unit")), Unit.RANK),
                str(detail.get("note", "")),
            )
            for detail in metric.get("details", [])
        ],
    )
    if metric.get("verdict") == "ERROR":
        measurement.error = str(metric.get("reason") or "could not be measured")
    elif metric.get("verdict") == "SKIP":
        measurement.skip_reason = str(metric.get("reason") or "not applicable")
    elif name == "coverage" and settings.coverage_paths:
        from pytest_healthgate.collect.coverage import floor_violations

        percents = {str(k): float(v) for k, v in measurement.extra.get("files", {}).items()}
        measurement.violations = floor_violations(percents, settings.coverage_paths, precision)
    return measurement


def rejudge(document: dict[str, Any], settings: HealthgateConfig) -> RunResult:
    """The recorded figures judged against today's configuration."""
    recorded = {metric["name"]: metric for metric in document.get("metrics", [])}
    measurements = [
        _measurement(recorded[name], settings)
        if name in recorded
        else Measurement(name, error=f"not measured by the last run; {RERUN}")
        for name in settings.gates
    ]
    metadata = dict(document.get("run", {}))
    metadata["rechecked_by"] = "healthgate-last-run"
    return evaluate(settings.gates, measurements, metadata)


def _problem(path: Path, root: Path, text: str) -> int:
    shown = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
    print(f"{shown}: {text}")
    return 1


def check(root: Path, settings: HealthgateConfig) -> int:
    from pytest_healthgate.store.sources import SOURCES_FILE, changed_since

    record = root / STATE_DIR / LAST_RUN
    if not record.is_file():
        return _problem(record, root, f"no recorded run; {RERUN}")
    try:
        document = json.loads(record.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return _problem(record, root, f"cannot be read ({exc}); {RERUN}")
    if not isinstance(document, dict) or document.get("schema_version") != SCHEMA_VERSION:
        return _problem(record, root, f"written by another healthgate version; {RERUN}")
    changed = changed_since(settings, record.with_name(SOURCES_FILE))
    if changed is None:
        return _problem(record, root, f"does not say which sources it measured; {RERUN}")
    if changed:
        listed = ", ".join(changed[:CHANGED_SHOWN])
        more = f" and {len(changed) - CHANGED_SHOWN} more" if len(changed) > CHANGED_SHOWN else ""
        return _problem(
            record, root, f"older than the sources: {listed}{more} changed since; {RERUN}"
        )
    result = rejudge(document, settings)
    for text, _markup in terminal.render(result, quiet=True):
        print(text)
    return 0 if result.ok else 1


def main(argv: Sequence[str] | None = None) -> int:
    help_text = "ignored; the whole project is checked"
    _files, settings = entry.start("healthgate-last-run", __doc__, help_text, argv)
    return entry.USAGE_ERROR if settings is None else check(settings.root, settings)


if __name__ == "__main__":
    raise SystemExit(main())
