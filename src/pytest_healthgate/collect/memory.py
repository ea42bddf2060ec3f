"""Session memory (peak RSS of every process) and per-test allocation limits.

``memory``: each process of the session - the only one serially, the controller
and every worker under pytest-xdist - reads its own peak resident set size when
the session ends; workers ship theirs to the controller. The gate judges the
largest process, which is what one test process needs whatever ``-n`` is; the
sum (what the machine needed, at most) is reported beside it.

``test_memory`` and the ``healthgate_memory`` marker: a test under a limit runs
its call phase with ``tracemalloc`` on, and fails when the peak of Python
allocations made during the call exceeds the limit. The marker's limit wins over
the suite-wide default (``[tool.healthgate.gates.test_memory] fail``). Tests under
no limit are not traced, so a run without limits pays nothing.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Generator
from typing import Any

import pytest

from pytest_healthgate.collect.lifecycle import Collector, CollectorContext, Role
from pytest_healthgate.model import Detail, Measurement
from pytest_healthgate.units import Unit, UnitError, format_value, parse

MARKER = "healthgate_memory"
TOP_TESTS_SHOWN = 5
DEFAULT_SOURCE = "[tool.healthgate.gates.test_memory] fail"
MARKER_SOURCE = f"@pytest.mark.{MARKER}"


def peak_rss() -> tuple[int | None, str]:
    """This process's peak resident set size in bytes, or None and the reason."""
    if sys.platform.startswith("linux"):
        # VmHWM belongs to this process's address space; ru_maxrss would carry the
        # parent's figure over an exec (a worker would inherit the controller's peak).
        try:
            with open("/proc/self/status", encoding="ascii") as handle:  # noqa: PTH123
                for line in handle:
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1]) * 1024, ""
        except (OSError, ValueError, IndexError):
            pass
    if sys.platform == "win32":
        try:
            import psutil
        except ImportError:
            return None, "psutil is not installed and Windows has no resource module"
        return int(psutil.Process().memory_info().peak_wset), ""
    try:
        import resource
    except ImportError:
        return None, f"no way to read peak memory on {sys.platform}"
    peak = int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    return (peak if sys.platform == "darwin" else peak * 1024), ""  # macOS: bytes; else KiB


def marker_limit(mark: pytest.Mark) -> float:
    """The limit in bytes written in a ``healthgate_memory`` marker; ValueError if malformed."""
    if len(mark.args) == 1 and not mark.kwargs:
        value = mark.args[0]
    elif not mark.args and set(mark.kwargs) == {"limit"}:
        value = mark.kwargs["limit"]
    else:
        raise ValueError("expected exactly one limit")
    try:
        return parse(value, Unit.SIZE)
    except UnitError as exc:
        raise ValueError(str(exc)) from None


def _marker_text(mark: pytest.Mark) -> str:
    arguments = [repr(arg) for arg in mark.args]
    arguments += [f"{key}={value!r}" for key, value in mark.kwargs.items()]
    return f"{MARKER_SOURCE}({', '.join(arguments)})"


def marker_problem(item: pytest.Item) -> str | None:
    """The usage error for ``item``'s marker, naming the test; None when it is fine."""
    mark = item.get_closest_marker(MARKER)
    if mark is None:
        return None
    try:
        marker_limit(mark)
    except ValueError as exc:
        return (
            f"healthgate: {item.nodeid}: {_marker_text(mark)}: {exc}; write one size, "
            f'such as @pytest.mark.{MARKER}("50MB")'
        )
    return None


class MemoryCollector(Collector):
    """Peak RSS per process, per-test peaks and limits; a pytest plugin as well."""

    def __init__(self, context: CollectorContext) -> None:
        super().__init__(context)
        default = context.settings.gates.get("test_memory")
        self.trace_default = default is not None
        self.default_limit = default.fail if default is not None else None
        self.processes: dict[str, int] = {}
        self.unavailable = ""
        self.peaks: dict[str, int] = {}
        self.limits: dict[str, tuple[float, str]] = {}  # nodeid -> (limit, source)
        self.over: list[tuple[str, bool]] = []  # (message, set by a marker)
        self.usage_error: str | None = None

    @property
    def is_worker(self) -> bool:
        return self.role is Role.WORKER

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        if self.is_worker:
            return  # a worker cannot raise a usage error; see pytest_make_collect_report
        for item in items:
            problem = marker_problem(item)
            if problem is not None:
                raise pytest.UsageError(problem)

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        # The controller's side of the xdist case below: a worker's collection error
        # that carries a marker problem is a usage error of the whole run.
        if not self.is_worker and report.failed:
            text = report.longreprtext
            if text.startswith("healthgate: ") and f"@pytest.mark.{MARKER}" in text:
                self.usage_error = text

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if self.usage_error is not None:
            session.exitstatus = pytest.ExitCode.USAGE_ERROR

    @pytest.hookimpl(wrapper=True)
    def pytest_make_collect_report(
        self, collector: pytest.Collector
    ) -> Generator[None, pytest.CollectReport, pytest.CollectReport]:
        report = yield
        if not self.is_worker or not report.passed:
            return report
        # Under pytest-xdist an exception in a worker's collection hooks crashes the
        # run; a collection error carrying the same message stops it cleanly instead.
        for node in report.result:
            problem = marker_problem(node) if isinstance(node, pytest.Item) else None
            if problem is not None:
                report.outcome = "failed"
                report.longrepr = problem
                report.result = []
                break
        return report

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Generator[None, object, object]:
        limit, source = self._limit(item)
        if limit is None and not self.trace_default:
            return (yield)
        import tracemalloc

        started_here = not tracemalloc.is_tracing()
        if started_here:
            tracemalloc.start()
        baseline = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        passed = False
        try:
            result = yield
            passed = True
        finally:
            peak = max(0, tracemalloc.get_traced_memory()[1] - baseline)
            if started_here:
                tracemalloc.stop()
            message = self._record(item.nodeid, peak, limit, source)
        if passed and message is not None:
            pytest.fail(message, pytrace=False)
        return result

    def _limit(self, item: pytest.Item) -> tuple[float | None, str]:
        mark = item.get_closest_marker(MARKER)
        if mark is None:
            return self.default_limit, DEFAULT_SOURCE
        try:
            return marker_limit(mark), _marker_text(mark)
        except ValueError:
            # A marker added after collection was not validated there.
            raise pytest.UsageError(marker_problem(item) or MARKER) from None

    def _record(self, nodeid: str, peak: int, limit: float | None, source: str) -> str | None:
        self.peaks[nodeid] = peak
        if limit is not None:
            self.limits[nodeid] = (limit, source)
        if limit is None or peak <= limit:
            return None
        message = (
            f"healthgate: {nodeid} allocated a peak of {format_value(peak, Unit.SIZE)} "
            f"({peak:,} bytes) during the call, above its limit of "
            f"{format_value(limit, Unit.SIZE)} ({int(limit):,} bytes) set by {source}"
        )
        self.over.append((message, source != DEFAULT_SOURCE))
        return message

    def worker_payload(self) -> Any:
        peak, unavailable = peak_rss()
        return {
            "process": os.environ.get("PYTEST_XDIST_WORKER", ""),
            "peak_rss": peak,
            "unavailable": unavailable,
            "peaks": dict(self.peaks),
            "limits": {nodeid: [limit, source] for nodeid, (limit, source) in self.limits.items()},
            "over": [[message, by_marker] for message, by_marker in self.over],
        }

    def merge(self, payload: object) -> None:
        if not isinstance(payload, dict):
            return
        if payload.get("peak_rss") is not None:
            self.processes[str(payload.get("process") or "worker")] = int(payload["peak_rss"])
        elif payload.get("unavailable"):
            self.unavailable = str(payload["unavailable"])
        self.peaks.update(payload.get("peaks", {}))
        for nodeid, (limit, source) in payload.get("limits", {}).items():
            self.limits[nodeid] = (float(limit), str(source))
        self.over.extend(
            (str(message), bool(marker)) for message, marker in payload.get("over", [])
        )

    def finish(self) -> list[Measurement]:
        if self.role is not Role.COMBINER:  # `healthgate combine` ran no test itself
            peak, unavailable = peak_rss()
            if peak is None:
                self.unavailable = unavailable
            else:
                # Serially this process ran the tests; under xdist it only steered them.
                self.processes["controller" if self.processes else "pytest"] = peak
        return [self._session_memory(), self._test_memory()]

    def shard_state(self) -> object:
        """The shard as one process: its largest (memory is judged by the largest)."""
        largest = max(self.processes.values(), default=None)
        return {
            "process": "shard",  # `healthgate combine` names it by the shard's id
            "peak_rss": largest,
            "unavailable": self.unavailable,
            "peaks": dict(self.peaks),
            "limits": {nodeid: [limit, source] for nodeid, (limit, source) in self.limits.items()},
            "over": [[message, by_marker] for message, by_marker in self.over],
        }

    def _session_memory(self) -> Measurement:
        if self.unavailable:
            return Measurement(
                "memory", skip_reason=f"peak memory cannot be read here: {self.unavailable}"
            )
        largest = max(self.processes, key=lambda name: (self.processes[name], name))
        total = sum(self.processes.values())
        details = [Detail(f"largest process ({largest})", self.processes[largest], Unit.SIZE)]
        if len(self.processes) > 1:
            details.append(Detail(f"sum of {len(self.processes)} processes", total, Unit.SIZE))
            details += [
                Detail(name, peak, Unit.SIZE)
                for name, peak in sorted(
                    self.processes.items(), key=lambda item: (-item[1], item[0])
                )
            ]
        return Measurement(
            "memory",
            value=float(self.processes[largest]),
            details=details,
            extra={
                "processes": dict(self.processes),
                "largest": largest,
                "sum": total,
                "looked_at": {"processes sampled": len(self.processes)},
            },
        )

    def _test_memory(self) -> Measurement:
        ranked = sorted(self.peaks.items(), key=lambda item: (-item[1], item[0]))
        details = []
        for nodeid, peak in ranked[:TOP_TESTS_SHOWN]:
            limit = self.limits.get(nodeid)
            note = "no limit" if limit is None else f"limit {format_value(limit[0], Unit.SIZE)}"
            if limit is not None and limit[1] != DEFAULT_SOURCE:
                note += " by marker"
            details.append(Detail(nodeid, peak, Unit.SIZE, note))
        under_default = [
            peak
            for nodeid, peak in self.peaks.items()
            if self.limits.get(nodeid, (0.0, DEFAULT_SOURCE))[1] == DEFAULT_SOURCE
        ]
        marker_violations = [message for message, by_marker in self.over if by_marker]
        extra = {
            "tests": dict(ranked),
            "over_limit": [message for message, _ in self.over],
            "looked_at": {"tests traced": len(self.peaks)},
        }
        if not under_default and not marker_violations:
            return Measurement(
                "test_memory",
                skip_reason="no test ran under the default limit",
                details=details,
                extra=extra,
            )
        return Measurement(
            "test_memory",
            value=float(max(under_default, default=0)),
            violations=marker_violations,
            details=details,
            extra=extra,
        )


def create(context: CollectorContext) -> MemoryCollector:
    return MemoryCollector(context)
