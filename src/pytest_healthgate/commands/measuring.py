"""Take a snapshot of the whole project for a baseline: ``healthgate init`` and
``healthgate baseline --update`` share it.

With tests, it is ``pytest --healthgate --healthgate-snapshot=...`` in a
subprocess (the same run path as every gated run); without (``--no-tests``),
the static gates measured here, as ``healthgate check`` measures them. A run
that saw less than the whole suite is refused: a baseline must be the project's
whole figure.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pytest_healthgate import pipeline
from pytest_healthgate.config import HealthgateConfig
from pytest_healthgate.report import json_report
from pytest_healthgate.store import baseline, scratch


def add_measuring_arguments(parser: argparse.ArgumentParser, no_tests_help: str) -> None:
    """``--no-tests`` and the pytest arguments after ``--``: init and baseline share them."""
    parser.add_argument("--no-tests", action="store_true", help=no_tests_help)
    parser.add_argument(
        "pytest_args",
        nargs=argparse.REMAINDER,
        help="after --: passed on to pytest (for example -p no:randomly)",
    )


def pytest_args(arguments: argparse.Namespace) -> list[str]:
    """The arguments for pytest, without the ``--`` that separates them."""
    given = list(arguments.pytest_args)
    return given[1:] if given[:1] == ["--"] else given


class MeasuringError(Exception):
    """The project could not be measured whole; the message says why and what to do."""


@dataclass
class Taken:
    """A snapshot and the run's report, whose gates carry their baseline comparisons."""

    snapshot: baseline.Snapshot
    report: dict[str, Any]
    tests_failed: bool = False
    notes: list[str] = field(default_factory=list)

    def worse(self, ratcheted: Sequence[str]) -> list[str]:
        """The ratcheted gates this run made worse than the current baseline, with why."""
        found = []
        for metric in self.report.get("metrics", []):
            comparison = metric.get("baseline") or {}
            if metric.get("name") in ratcheted and comparison.get("worse"):
                found.append(f"{metric['name']}: {comparison.get('summary', '')}")
        return found


def take(settings: HealthgateConfig, *, tests: bool, pytest_args: Sequence[str] = ()) -> Taken:
    with scratch.folder("baseline") as folder:
        if tests:
            return _with_tests(settings, folder, pytest_args)
        return _without_tests(settings, folder)


def _without_tests(settings: HealthgateConfig, folder: Path) -> Taken:
    gates = [name for name in settings.catalogue.static_gates() if name in settings.gates]
    if not gates:
        raise MeasuringError("no static gate is configured, so there is nothing to measure")
    target = folder / "snapshot.toml"
    measurements = pipeline.measure(settings, gates)
    result = pipeline.judge_run(
        settings, measurements, surface="check", gates=gates, snapshot_to=target
    )
    return Taken(_read(target), json_report.to_document(result))


def _with_tests(settings: HealthgateConfig, folder: Path, pytest_args: Sequence[str]) -> Taken:
    target, report = folder / "snapshot.toml", folder / "report.json"
    command = [
        sys.executable,
        "-m",
        "pytest",
        "--healthgate",
        f"--healthgate-snapshot={target}",
        f"--healthgate-report=json:{report}",
        *pytest_args,
    ]
    completed = subprocess.run(command, cwd=settings.root, check=False)
    if not target.is_file() or not report.is_file():
        raise MeasuringError(
            f"the test run ended with exit status {completed.returncode} before healthgate "
            f"judged it (see pytest's output above); fix that, or add --no-tests to take "
            f"the static figures only"
        )
    taken = Taken(_read(target), json.loads(report.read_text(encoding="utf-8")))
    if taken.snapshot.partial:
        raise MeasuringError(
            f"the test run was partial ({'; '.join(taken.snapshot.partial)}): a baseline "
            f"holds the whole project's figures; run again without selecting tests"
        )
    run = taken.report.get("run", {})
    taken.tests_failed = bool(run.get("exit_status_of_tests"))
    return taken


def _read(path: Path) -> baseline.Snapshot:
    import tomllib

    with path.open("rb") as handle:
        return baseline.from_document(tomllib.load(handle))
