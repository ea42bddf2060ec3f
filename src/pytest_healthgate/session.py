"""The state of one gated pytest run, registered as a plugin object.

Loaded only when ``--healthgate`` is given. Hook methods stay short: they pass
pytest's reports to collectors and, at the end, hand measurements to the
pipeline. Under pytest-xdist, workers only measure and ship plain data through
``config.workeroutput``; gates are judged once, on the controller.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from pytest_healthgate import pipeline
from pytest_healthgate.collect.outcomes import OutcomeTally
from pytest_healthgate.config import ConfigError, HealthgateConfig, find_pyproject, load
from pytest_healthgate.model import Measurement, RunResult
from pytest_healthgate.report import terminal

WORKER_KEY = "healthgate"


def load_config(config: pytest.Config) -> HealthgateConfig:
    """Read [tool.healthgate]; a bad config is a usage error (exit 4) before tests run."""
    root_pyproject = find_pyproject(config.rootpath, config.inipath)
    root = root_pyproject.parent if root_pyproject is not None else config.rootpath
    try:
        return load(root, root_pyproject)
    except ConfigError as exc:
        raise pytest.UsageError(f"healthgate: {exc}") from None


def _pytest_cov_active(config: pytest.Config) -> bool:
    namespace = config.known_args_namespace
    return bool(getattr(namespace, "cov_source", None)) and not getattr(namespace, "no_cov", False)


class GateSession:
    """Measures during the run and judges at its end."""

    def __init__(self, config: pytest.Config, settings: HealthgateConfig) -> None:
        self.config = config
        self.settings = settings
        # Known for sure only at pytest_configure (xdist sets config.workerinput then).
        self.is_worker = False
        self.health = OutcomeTally()
        self.worker_payloads: list[dict[str, Any]] = []
        self.started = time.perf_counter()
        self.result: RunResult | None = None
        self.report_targets = self._report_targets(config, settings)
        self.tracer: Any = None
        self.cov_by_pytest_cov = _pytest_cov_active(config)
        if "coverage" in settings.gates and not self.cov_by_pytest_cov:
            from pytest_healthgate.collect.coverage import CoverageTracer

            self.tracer = CoverageTracer(settings)
            self.tracer.start()
        self.collectors: dict[str, Any] = {}

    def pytest_configure(self, config: pytest.Config) -> None:
        self.is_worker = hasattr(config, "workerinput")
        if self.tracer is not None and not self.is_worker:
            self.tracer.clear_data_file()
        from pytest_healthgate.collect.registry import create_collectors

        self.collectors = dict(create_collectors(self.settings, config, self.is_worker))
        for name, collector in self.collectors.items():
            config.pluginmanager.register(collector, f"healthgate-{name}")

    @staticmethod
    def _report_targets(
        config: pytest.Config, settings: HealthgateConfig
    ) -> list[tuple[str, Path]]:
        requested = getattr(config.known_args_namespace, "healthgate_report", None) or []
        try:
            return [pipeline.parse_report_target(text, settings.root) for text in requested]
        except ConfigError as exc:
            raise pytest.UsageError(f"healthgate: {exc}") from None

    # -- collection and test outcomes -------------------------------------------------

    def pytest_sessionstart(self, session: pytest.Session) -> None:
        self.started = time.perf_counter()
        if self.config.option.collectonly:
            return  # nothing is judged, so nothing is started
        for collector in self.collectors.values():
            collector.start()

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        """An interrupted session leaves no child process and no temporary files."""
        for collector in self.collectors.values():
            close = getattr(collector, "close", None)
            if close is not None:
                close()

    def pytest_collectstart(self, collector: pytest.Collector) -> None:
        if isinstance(collector, pytest.File):
            self.health.record_test_file(collector.nodeid)

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.health.record_collect_failure(report.nodeid)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self.health.record_test(report.nodeid, report.when, report.outcome, report.duration)

    # -- the end of the run ---------------------------------------------------------

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if self.is_worker:
            self._send_to_controller()
            return
        if self.config.option.collectonly:
            if self.tracer is not None:
                self.tracer.stop()
            return
        measurements = self._measure()
        metadata = pipeline.run_metadata(
            self.settings,
            "pytest",
            exit_status_of_tests=int(session.exitstatus),
            xdist_workers=len(self.worker_payloads),
        )
        self.result = pipeline.judge(self.settings, measurements, metadata)
        from pytest_healthgate.store.sources import source_digests

        sources = source_digests(self.settings)
        pipeline.publish(self.result, self.settings, self.report_targets, sources)
        if not self.result.ok and session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def _send_to_controller(self) -> None:
        payload: dict[str, Any] = {"tests": self.health.to_payload()}
        for name, collector in self.collectors.items():
            payload[f"collector:{name}"] = collector.worker_payload()
        if self.tracer is not None:
            payload["coverage"] = self.tracer.dumps()
        self.config.workeroutput[WORKER_KEY] = payload  # type: ignore[attr-defined]

    def receive_worker_output(self, output: dict[str, Any]) -> None:
        payload = output.get(WORKER_KEY)
        if isinstance(payload, dict):
            self.worker_payloads.append(payload)

    def _measure(self) -> list[Measurement]:
        for payload in self.worker_payloads:
            self.health.merge(payload.get("tests", {}))
        measurements = [
            self.health.pass_rate(),
            self.health.collection_errors(),
            self.health.duration(time.perf_counter() - self.started),
        ]
        if "coverage" in self.settings.gates:
            measurements.append(self._measure_coverage())
        for name, collector in self.collectors.items():
            for payload in self.worker_payloads:
                if f"collector:{name}" in payload:
                    collector.merge(payload[f"collector:{name}"])
            measurements.extend(collector.finish())
        return measurements

    def _measure_coverage(self) -> Measurement:
        if self.tracer is not None:
            payloads = [p["coverage"] for p in self.worker_payloads if "coverage" in p]
            measured: Measurement = self.tracer.save_and_measure(payloads)
            return measured
        from pytest_healthgate.collect.coverage import measure_saved_data

        cov_config = getattr(self.config.known_args_namespace, "cov_config", None)
        if cov_config and not Path(cov_config).is_file():
            cov_config = None
        return measure_saved_data(self.settings, cov_config)

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        if self.result is None:
            if self.config.option.collectonly and not self.is_worker:
                terminalreporter.write_line("healthgate: gates not judged under --collect-only")
            return
        terminalreporter.write_sep("=", "healthgate")
        quiet = self.config.get_verbosity() < 0
        for text, markup in terminal.render(self.result, quiet=quiet):
            terminalreporter.write_line(text, **markup)


class XdistHooks:
    """Registered only when pytest-xdist is installed: collects workers' data."""

    def __init__(self, session: GateSession) -> None:
        self.session = session

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        output = getattr(node, "workeroutput", None)
        if isinstance(output, dict):
            self.session.receive_worker_output(output)
