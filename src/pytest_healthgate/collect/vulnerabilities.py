"""The ``vulnerabilities`` gate: known-vulnerable installed dependencies, from pip-audit.

pip-audit runs as its own command in the project's environment (or on the
requirement files ``[tool.healthgate.vulnerabilities] requirements`` lists) and
reports each dependency with its known vulnerabilities. The figure is their
number; the details name each vulnerable package, its vulnerabilities and the
versions that fix them. pip-audit's JSON gives no severity, so every one is
counted as ``unknown`` severity (``extra.by_severity``).

pip-audit needs PyPI's vulnerability service. Without it, pip-audit still exits
0 and says "No known vulnerabilities found" while every dependency is skipped as
not found: here that is no audit at all. Then the last successful audit (kept in
``.healthgate/audit.json``) is reused if younger than ``max_age``, and the
details say so; otherwise the gate is ERROR saying why. Never a pass on an audit
that did not happen. The gate is not run by the commit hooks.

pip-audit is an optional dependency (``pip install pytest-healthgate[audit]``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib.util
import json
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pytest_healthgate.collect.lifecycle import Collector, CollectorContext, Role
from pytest_healthgate.model import Detail, Measurement
from pytest_healthgate.units import Unit

GATE = "vulnerabilities"
RECORD = "audit.json"
INSTALL = "pip install 'pytest-healthgate[audit]' (pip-audit)"


class AuditError(Exception):
    """No audit happened; the message says why."""


def _available() -> bool:
    try:
        return importlib.util.find_spec("pip_audit") is not None
    except ValueError:  # a module entry of None: imported as missing
        return False


def run_audit(root: Path, requirements: list[str], seconds: float) -> dict[str, Any]:
    """pip-audit's JSON report; AuditError when it failed or audited nothing."""
    from pytest_healthgate.launcher import ChildError, TimeLimit, child_environment, launch

    command = [sys.executable, "-m", "pip_audit", "--format", "json", "--progress-spinner", "off"]
    for name in requirements:
        command += ["--requirement", name]
    limit = TimeLimit(seconds, "[tool.healthgate.vulnerabilities] timeout")
    try:
        child = launch(
            command, label="pip-audit", limit=limit, cwd=root, env=child_environment(os.environ)
        )
        try:
            finished = child.wait()
        finally:
            child.close()
    except ChildError as exc:
        raise AuditError(str(exc)) from None
    return audited(finished.status, finished.stdout, finished.stderr)


def audited(status: int, stdout: str, stderr: str) -> dict[str, Any]:
    """The report, if pip-audit audited at least one dependency."""
    from pytest_healthgate.launcher import one_line

    try:
        report = json.loads(stdout)
    except ValueError:
        raise AuditError(f"pip-audit failed (status {status}): {one_line(stderr)}") from None
    dependencies = report.get("dependencies", []) if isinstance(report, dict) else []
    checked = [d for d in dependencies if "skip_reason" not in d]
    if dependencies and not checked:
        raise AuditError(
            f"pip-audit could audit none of {len(dependencies)} dependencies (PyPI's "
            f"vulnerability service did not answer: no network?)"
        )
    if not isinstance(report, dict):
        raise AuditError("pip-audit printed no report")
    return report


def _now() -> dt.datetime:
    from pytest_healthgate import clock

    return dt.datetime.fromtimestamp(clock.now(), dt.UTC)


def _save(root: Path, report: dict[str, Any]) -> None:
    from pytest_healthgate.store.files import state_dir, write_atomic

    record = {"time": _now().isoformat(), "report": report}
    # If it cannot be kept, the figure stands; only a later offline run loses its fallback.
    with contextlib.suppress(OSError):
        write_atomic(state_dir(root) / RECORD, json.dumps(record) + "\n")


def _reused(root: Path, max_age: float, why: str) -> tuple[dict[str, Any], str]:
    """The recorded audit if young enough, and the line that says it was reused."""
    path = root / ".healthgate" / RECORD
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        taken = dt.datetime.fromisoformat(str(record["time"]))
        report = dict(record["report"])
    except (OSError, ValueError, KeyError, TypeError):
        raise AuditError(f"{why}; no earlier audit to reuse") from None
    age = (_now() - taken).total_seconds()
    if age > max_age:
        raise AuditError(
            f"{why}; the last audit ({taken:%Y-%m-%d %H:%M} UTC) is older than max_age"
        )
    return report, f"reused the audit of {taken:%Y-%m-%d %H:%M} UTC: {why}"


def _package(dependency: Mapping[str, Any]) -> Detail:
    fixes = "; ".join(
        f"{v.get('id')} (fix: {', '.join(v.get('fix_versions') or []) or 'none'})"
        for v in dependency["vulns"]
    )
    name = f"{dependency['name']} {dependency.get('version', '')}".strip()
    return Detail(name, float(len(dependency["vulns"])), Unit.COUNT, fixes)


def _measurement(report: Mapping[str, Any], note: str) -> Measurement:
    dependencies = report.get("dependencies", [])
    vulnerable = sorted(
        (d for d in dependencies if d.get("vulns")), key=lambda d: (-len(d["vulns"]), d["name"])
    )
    count = sum(len(d["vulns"]) for d in vulnerable)
    details = [_package(d) for d in vulnerable]
    if note:
        details.insert(0, Detail(note, float(count), Unit.COUNT))
    skipped = [d["name"] for d in dependencies if "skip_reason" in d]
    return Measurement(
        GATE,
        value=float(count),
        precision=0,
        details=details,
        extra={
            "by_severity": {"unknown": count},  # pip-audit's JSON gives no severity
            "skipped": skipped,
            "reused": bool(note),
            "looked_at": {"dependencies audited": len(dependencies) - len(skipped)},
        },
    )


def measure_vulnerabilities(root: Path, options: Mapping[str, Any]) -> Measurement:
    if not _available():
        return Measurement(GATE, skip_reason=f"pip-audit is not installed; {INSTALL}")
    try:
        try:
            report = run_audit(root, list(options["requirements"]), float(options["timeout"]))
        except AuditError as exc:
            report, note = _reused(root, float(options["max_age"]), str(exc))
            return _measurement(report, note)
    except AuditError as exc:
        return Measurement(GATE, error=str(exc))
    _save(root, report)
    return _measurement(report, "")


class VulnerabilitiesCollector(Collector):
    def finish(self) -> list[Measurement]:
        if self.role is Role.WORKER:
            return []
        return [measure_vulnerabilities(self.settings.root, self.context.options)]


def create(context: CollectorContext) -> Collector:
    return VulnerabilitiesCollector(context)
