"""Test health from pytest's own reports: pass rate, collection errors, duration.

Each test's outcome is decided once from its phase reports:
* error   - setup or teardown failed (pytest's "errors");
* failed  - the call failed, or a strict xfail passed;
* passed  - the call passed, including a non-strict xpass;
* skipped - skipped or xfailed; not executed in the sense of the pass rate.

pass_rate = passed / (passed + failed + errored).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from pytest_healthgate import clock
from pytest_healthgate.collect.lifecycle import Collector, CollectorContext, Role
from pytest_healthgate.model import Detail, Measurement
from pytest_healthgate.units import Unit

SLOWEST_SHOWN = 5


@dataclass
class OutcomeTally:
    """Outcomes and timings of one process's tests, as plain data xdist workers can ship."""

    outcomes: dict[str, str] = field(default_factory=dict)
    durations: dict[str, float] = field(default_factory=dict)
    test_files: set[str] = field(default_factory=set)
    broken_files: set[str] = field(default_factory=set)

    def record_test(self, nodeid: str, when: str, outcome: str, duration: float) -> None:
        self.durations[nodeid] = self.durations.get(nodeid, 0.0) + duration
        if self.outcomes.get(nodeid) in ("error", "failed"):
            return  # the first failure decides; a later teardown cannot undo it
        if outcome == "failed":
            self.outcomes[nodeid] = "failed" if when == "call" else "error"
        elif outcome == "skipped":
            self.outcomes[nodeid] = "skipped"
        elif when == "call":
            self.outcomes[nodeid] = "passed"

    def record_test_file(self, nodeid: str) -> None:
        self.test_files.add(nodeid)

    def record_collect_failure(self, nodeid: str) -> None:
        if nodeid and "::" not in nodeid:
            self.broken_files.add(nodeid)
            self.test_files.add(nodeid)

    def to_payload(self) -> dict[str, Any]:
        return {"test_files": sorted(self.test_files), "broken_files": sorted(self.broken_files)}

    def merge(self, payload: dict[str, Any]) -> None:
        self.test_files.update(payload.get("test_files", ()))
        self.broken_files.update(payload.get("broken_files", ()))

    def counts(self) -> dict[str, int]:
        result = {"passed": 0, "failed": 0, "error": 0, "skipped": 0}
        for outcome in self.outcomes.values():
            result[outcome] += 1
        return result

    def pass_rate(self) -> Measurement:
        counts = self.counts()
        executed = counts["passed"] + counts["failed"] + counts["error"]
        extra: dict[str, Any] = dict(counts)
        extra["looked_at"] = {"tests executed": executed}
        if executed == 0:
            return Measurement("pass_rate", skip_reason="no test was executed", extra=extra)
        return Measurement(
            "pass_rate", value=100.0 * counts["passed"] / executed, precision=2, extra=extra
        )

    def collection_errors(self) -> Measurement:
        total = len(self.test_files)
        broken = sorted(self.broken_files)
        extra = {
            "test_modules": total,
            "broken_modules": broken,
            "looked_at": {"test modules": total},
        }
        if total == 0:
            return Measurement(
                "collection_errors", skip_reason="no test module was collected", extra=extra
            )
        details = [
            Detail(label=name, value=1, unit=Unit.COUNT, note="failed to import") for name in broken
        ]
        return Measurement(
            "collection_errors",
            value=100.0 * len(broken) / total,
            precision=1,
            details=details,
            extra=extra,
        )

    def duration(self, wall_seconds: float) -> Measurement:
        slowest = sorted(self.durations.items(), key=lambda item: (-item[1], item[0]))
        details = [
            Detail(label=nodeid, value=seconds, unit=Unit.DURATION)
            for nodeid, seconds in slowest[:SLOWEST_SHOWN]
        ]
        looked_at = {"looked_at": {"tests timed": len(self.durations)}}
        return Measurement("duration", value=wall_seconds, details=details, extra=looked_at)


class OutcomesCollector(Collector):
    """``pass_rate``, ``collection_errors`` and ``duration`` from pytest's own reports.

    It also tells whether the run saw the whole suite: tests deselected (``-k``,
    ``-m``, ``--deselect``), selected by path or node id, a session stopped early
    (``-x``, ``--maxfail``) or interrupted make the run partial.
    """

    def __init__(self, context: CollectorContext) -> None:
        super().__init__(context)
        self.tally = OutcomeTally()
        self.started = clock.monotonic()
        self.deselected = 0
        self.stopped: list[str] = []
        self.walls: list[float] = []  # each shard's wall time, when combining

    def pytest_deselected(self, items: list[pytest.Item]) -> None:
        self.deselected += len(items)

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        if session.shouldfail:
            self.stopped.append(f"stopped early: {session.shouldfail}")
        elif session.shouldstop:
            self.stopped.append(f"stopped early: {session.shouldstop}")
        if exitstatus == pytest.ExitCode.INTERRUPTED:
            self.stopped.append("interrupted")
        elif exitstatus == pytest.ExitCode.INTERNAL_ERROR:
            self.stopped.append("pytest stopped with an internal error")

    def partial_reasons(self) -> list[str]:
        reasons = []
        if self.deselected:
            reasons.append(f"{self.deselected} {DESELECTED}")
        config = self.context.pytest_config
        chosen = selected_by_path(config) if config is not None else None
        if chosen:
            reasons.append(f"{SELECTED_BY_PATH}{chosen}")
        return reasons + self.stopped

    def start(self) -> None:
        self.started = clock.monotonic()

    def pytest_collectstart(self, collector: pytest.Collector) -> None:
        if isinstance(collector, pytest.File):
            self.tally.record_test_file(collector.nodeid)

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.tally.record_collect_failure(report.nodeid)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self.tally.record_test(report.nodeid, report.when, report.outcome, report.duration)

    def worker_payload(self) -> object:
        return {**self.tally.to_payload(), "deselected": self.deselected}

    def merge(self, payload: object) -> None:
        if isinstance(payload, dict):
            self.tally.merge(payload)
            # Every worker collects and deselects the whole suite: the same count each.
            self.deselected = max(self.deselected, int(payload.get("deselected", 0)))
            # A shard's own tests (an xdist worker's reach the controller as reports).
            self.tally.outcomes.update(payload.get("outcomes", {}))
            self.tally.durations.update(payload.get("durations", {}))
            if "wall" in payload:
                self.walls.append(float(payload["wall"]))

    def shard_state(self) -> object:
        return {
            **self.tally.to_payload(),
            "outcomes": dict(self.tally.outcomes),
            "durations": dict(self.tally.durations),
            "wall": clock.monotonic() - self.started,
        }

    def finish(self) -> list[Measurement]:
        if self.role is Role.COMBINER:
            # Shards run side by side: the suite took as long as the slowest one.
            duration = self.tally.duration(max(self.walls, default=0.0))
            duration.extra["shards"] = {
                "wall": max(self.walls, default=0.0),
                "total": sum(self.walls),
            }
        else:
            duration = self.tally.duration(clock.monotonic() - self.started)
        return [self.tally.pass_rate(), self.tally.collection_errors(), duration]


DESELECTED = "tests deselected (-k, -m or --deselect)"
SELECTED_BY_PATH = "tests selected by path: "


def is_selection(reason: str) -> bool:
    """A partial reason that only says which tests were chosen: a shard's very purpose."""
    return reason.endswith(DESELECTED) or reason.startswith(SELECTED_BY_PATH)


def selected_by_path(config: pytest.Config) -> str:
    """The paths or node ids given on the command line when they are not the whole suite."""
    if config.args_source is not pytest.Config.ArgsSource.ARGS:
        return ""
    if any("::" in arg for arg in config.args):
        return ", ".join(config.args)
    here = config.invocation_params.dir
    given = [(here / arg).resolve() for arg in config.args]
    whole = [config.rootpath / entry for entry in config.getini("testpaths")] or [config.rootpath]
    covered = all(
        any(path.resolve() == chosen or path.resolve().is_relative_to(chosen) for chosen in given)
        for path in whole
    )
    return "" if covered else ", ".join(config.args)


def create(context: CollectorContext) -> OutcomesCollector:
    return OutcomesCollector(context)
