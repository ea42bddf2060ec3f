"""One gated pytest run, as a plugin object: pytest's hooks, handed to the pipeline.

Loaded only when ``--healthgate`` is given. Each hook is a line or two: the
collectors measure, ``pipeline`` judges, publishes and sets the exit status.
The process role (solo, xdist controller, xdist worker) is decided once, in
``pytest_configure``; workers only measure and ship their collectors' payloads
through ``config.workeroutput``, and gates are judged once, on the controller.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pytest_healthgate import pipeline
from pytest_healthgate.catalogue import collect_catalogue, register_plugins
from pytest_healthgate.collect.lifecycle import CollectorSet, Role, role_of
from pytest_healthgate.config import (
    ConfigError,
    HealthgateConfig,
    check_paths,
    command_line_bounds,
    find_pyproject,
    load,
    with_new_code,
)
from pytest_healthgate.model import RunResult

WORKER_KEY = "healthgate"


def load_settings(config: pytest.Config, *, plugins_pending: bool = False) -> HealthgateConfig:
    """[tool.healthgate] with every plugin's gates and the command line's bounds.

    A bad config, or a bad --healthgate-fail/--healthgate-warn, is a usage error (exit 4).
    """
    pyproject = find_pyproject(config.rootpath, config.inipath)
    root = pyproject.parent if pyproject is not None else config.rootpath
    try:
        register_plugins(config.pluginmanager)
        catalogue = collect_catalogue(config.hook)
        settings = load(root, pyproject, catalogue, plugins_pending=plugins_pending)
        options = config.known_args_namespace
        settings = with_new_code(settings, getattr(options, "healthgate_diff", None))
        return command_line_bounds(
            settings,
            getattr(options, "healthgate_fail", None) or [],
            getattr(options, "healthgate_warn", None) or [],
            plugins_pending=plugins_pending,
        )
    except ConfigError as exc:
        raise pytest.UsageError(f"healthgate: {exc}") from None


class GateSession:
    """Measures during the run and judges at its end."""

    def __init__(self, config: pytest.Config, settings: HealthgateConfig) -> None:
        self.config = config
        self.settings = settings
        self.report_targets = pipeline.report_targets(
            getattr(config.known_args_namespace, "healthgate_report", None) or [], settings.root
        )
        self.collectors = CollectorSet(settings, config)
        snapshot = getattr(config.known_args_namespace, "healthgate_snapshot", None)
        self.snapshot_to = Path(snapshot).resolve() if snapshot else None
        shard = getattr(config.known_args_namespace, "healthgate_shard", None)
        self.shard_to = Path(shard).resolve() if shard else None
        self.shard_note = ""
        self.result: RunResult | None = None

    @classmethod
    def start(cls, config: pytest.Config) -> GateSession:
        """Before conftest files load: read the config and start the early collectors."""
        settings = load_settings(config, plugins_pending=True)
        try:
            check_paths(settings)  # before any test runs: a typo is a usage error
            session = cls(config, settings)
        except ConfigError as exc:  # a path that is not there, a bad --healthgate-report
            raise pytest.UsageError(f"healthgate: {exc}") from None
        session.collectors.create(early=True)
        return session

    def record(self, nodeid: str, name: str, value: float) -> None:
        """A value from the ``healthgate_record`` fixture."""
        self.collectors.record(nodeid, name, value)

    def pytest_configure(self, config: pytest.Config) -> None:
        # conftest.py plugins are loaded now: the full catalogue and a strict check.
        self.settings = load_settings(config)
        self.collectors.configure(self.settings, role_of(config))
        self.collectors.create(early=False)
        for name, collector in self.collectors.collectors.items():
            config.pluginmanager.register(collector, f"healthgate-{name}")

    def pytest_sessionstart(self, session: pytest.Session) -> None:
        if not self.config.option.collectonly:
            self.collectors.start()

    @pytest.hookimpl(wrapper=True)
    def pytest_runtestloop(self, session: pytest.Session) -> Any:
        # Under xdist the controller's loop returns when every worker is done.
        try:
            return (yield)
        finally:
            self.collectors.tests_finished()

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if self.collectors.role is Role.WORKER:
            self.config.workeroutput[WORKER_KEY] = self.collectors.worker_payload()  # type: ignore[attr-defined]
            return
        if self.config.option.collectonly:
            return
        self.collectors.tests_finished()  # again: the test loop may not have run (-x in collection)
        if self.shard_to is not None:
            from pytest_healthgate.commands.combine import record_shard

            self.shard_note = record_shard(
                self.shard_to, self.config, self.settings, self.collectors, int(session.exitstatus)
            )
            return
        self.result = pipeline.judge_run(
            self.settings,
            self.collectors.finish(),
            surface="pytest",
            publish=True,
            partial=self.collectors.partial_reasons(),
            report_targets=self.report_targets,
            snapshot_to=self.snapshot_to,
            exit_status_of_tests=int(session.exitstatus),
            xdist_workers=self.collectors.workers,
            gates_off=pipeline.gates_off(self.settings),
        )
        session.exitstatus = pipeline.exit_status(self.result, int(session.exitstatus))

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        if error is not None:
            self.collectors.worker_lost(getattr(node.gateway, "id", "?"), error)
        output = getattr(node, "workeroutput", None)
        if isinstance(output, dict) and WORKER_KEY in output:
            self.collectors.merge(output[WORKER_KEY])

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        if self.collectors.role is Role.WORKER:
            return
        if self.shard_note:
            terminalreporter.write_sep("=", "healthgate")
            terminalreporter.write_line(self.shard_note)
            return
        if self.result is None:
            if self.config.option.collectonly:
                terminalreporter.write_line("healthgate: gates not judged under --collect-only")
            return
        terminalreporter.write_sep("=", "healthgate")
        quiet = self.config.get_verbosity() < 0
        for text, markup in pipeline.render_text(self.result, quiet=quiet):
            terminalreporter.write_line(text, **markup)

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        """An interrupted session leaves no child process, thread or temporary file behind."""
        self.collectors.close()
