"""``healthgate-last-run``: re-check the last recorded test run without running tests.

Reads ``.healthgate/last-run.json``, refuses it when it is missing or when any
Python file of the project changed since that run (by content), and otherwise
judges its figures against the *current* ``[tool.healthgate]`` bounds — so a
hook can enforce coverage without running the suite. With a baseline, the
ratchet is judged as the recorded run judged it. Nothing is written.

The file names pre-commit passes are the change's. A change that touches none of
the project's Python files and not its configuration (a README, the hook config)
cannot have made the record wrong: it passes with a one-line note, record or
not. Without file names the record is always checked.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pytest_healthgate import pipeline
from pytest_healthgate.config import HealthgateConfig
from pytest_healthgate.gates import floor_violations
from pytest_healthgate.model import Measurement, RunResult
from pytest_healthgate.precommit import entry
from pytest_healthgate.report.json_report import SCHEMA_VERSION, measurements_from_document
from pytest_healthgate.store.files import STATE_DIR, StateFolderError, check_state

RERUN = "run `pytest --healthgate` to record a fresh run"
CHANGED_SHOWN = 5


def rejudge(document: dict[str, Any], settings: HealthgateConfig) -> RunResult:
    """The recorded figures judged against today's configuration."""
    recorded = {m.name: m for m in measurements_from_document(document)}
    for name, floors in settings.floors.items():
        measurement = recorded.get(name)
        if measurement is not None and measurement.value is not None:
            files = measurement.extra.get("files", {})
            percents = {str(key): float(value) for key, value in files.items()}
            measurement.violations = floor_violations(percents, floors, measurement.precision)
    measurements = [
        recorded.get(name) or Measurement(name, error=f"not measured by the last run; {RERUN}")
        for name in settings.gates
    ]
    metadata = dict(document.get("run", {}))
    metadata["rechecked_by"] = "healthgate-last-run"
    return pipeline.judge_run(settings, measurements, surface="hook", metadata=metadata)


def _refuse(path: Path, root: Path, text: str) -> int:
    shown = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
    print(f"{shown}: {text}")
    return 1


def recheck_last_run(settings: HealthgateConfig) -> int:
    root = settings.root
    record = root / STATE_DIR / pipeline.LAST_RUN
    try:
        check_state(root)  # a symlinked .healthgate would hand us a record from elsewhere
    except StateFolderError as exc:
        return _refuse(record, root, str(exc))
    if not record.is_file():
        return _refuse(record, root, f"no recorded run; {RERUN}")
    try:
        document = json.loads(record.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return _refuse(record, root, f"cannot be read ({exc}); {RERUN}")
    problem = _unusable(document, settings, record)
    if problem is not None:
        return _refuse(record, root, problem)
    return pipeline.print_result(rejudge(document, settings), quiet=True)


def _unusable(document: object, settings: HealthgateConfig, record: Path) -> str | None:
    """Why the record cannot stand for the project as it is now, or None."""
    from pytest_healthgate.store.sources import SOURCES_FILE, changed_since

    if not isinstance(document, dict) or document.get("schema_version") != SCHEMA_VERSION:
        return f"written by another healthgate version; {RERUN}"
    partial = document.get("run", {}).get("partial")
    if partial:
        return (
            f"records a partial run ({'; '.join(map(str, partial))}); run "
            f"`pytest --healthgate` on the whole suite to record a fresh run"
        )
    run_id = str(document.get("run", {}).get("run_id", ""))
    changed = changed_since(settings, record.with_name(SOURCES_FILE), run_id)
    if changed is None:
        return f"does not say which sources it measured; {RERUN}"
    if changed:
        listed = ", ".join(changed[:CHANGED_SHOWN])
        more = f" and {len(changed) - CHANGED_SHOWN} more" if len(changed) > CHANGED_SHOWN else ""
        return f"older than the sources: {listed}{more} changed since; {RERUN}"
    return None


def touched(settings: HealthgateConfig, filenames: Sequence[str]) -> list[str]:
    """The changed files the record depends on: the project's Python files, its config."""
    from pytest_healthgate.collect.static.scope import discover

    root = settings.root.absolute()
    measured = discover(root, (".",), settings.exclude, include_tests=True).files.keys()
    config = settings.path.absolute() if settings.path is not None else None
    found = []
    for name in filenames:
        path = Path.cwd() / name  # pre-commit names them from the git root, the cwd
        if not path.is_relative_to(root):
            continue
        key = path.relative_to(root).as_posix()
        if key in measured or path == config:
            found.append(key)
    return found


def main(argv: Sequence[str] | None = None) -> int:
    help_text = (
        "the files the change touches (from pre-commit); when none is a Python file "
        "of the project or its configuration, the record is not checked"
    )
    files, settings = entry.parse_hook_args("healthgate-last-run", __doc__, help_text, argv)
    if settings is None:
        return entry.USAGE_ERROR
    if files and not touched(settings, files):
        print(
            "healthgate-last-run: the change touches none of the project's Python files "
            "nor its configuration; the last recorded run is not checked"
        )
        return 0
    return recheck_last_run(settings)


if __name__ == "__main__":
    raise SystemExit(main())
