"""The static gates' collector: technical debt, debt ratio, rating, complexity, critical.

Findings come from ruff, radon, bandit, comment markers and (opt-in) mypy; see
``docs/debt.md``. Under pytest the engine runs in a subprocess beside the tests
(``start`` launches it, ``finish`` waits for it); outside pytest (``healthgate
check``) ``finish`` analyses in this process.

Importing this package loads none of the tools: radon and bandit are imported by
the engine's workers, ruff and mypy run as subprocesses.

The engine process runs as ``python -P`` from its temporary folder, so no module
of the project root (a ``queue.py``, a ``mypy/`` folder) is imported in place
of the standard library or a tool.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from pytest_healthgate import priority
from pytest_healthgate.collect.lifecycle import Collector, CollectorContext, Role
from pytest_healthgate.collect.static.figures import debt_pricing, measurements_from_analysis
from pytest_healthgate.collect.static.request import (
    AnalysisRequest,
    analysis_request,
    engine_failure,
)
from pytest_healthgate.collect.static.results import AnalysisResult, analysis_from_json
from pytest_healthgate.config import NO_SOURCE
from pytest_healthgate.launcher import (
    Child,
    ChildError,
    ChildStartError,
    child_environment,
    launch,
)
from pytest_healthgate.model import Measurement
from pytest_healthgate.store import scratch

__all__ = ["StaticCollector", "create"]
ENGINE_MODULE = "pytest_healthgate.collect.static.engine"
ERROR_LINES = 5  # lines of a dead engine's stderr shown in the error


class StaticCollector(Collector):
    """The static gates: the engine beside the test session, or in this process."""

    def __init__(self, context: CollectorContext) -> None:
        super().__init__(context)
        self.child: Child | None = None
        self.folder: Path | None = None
        self.failure: str | None = None
        self.nice = priority.BACKGROUND  # FOREGROUND when started after the tests

    @property
    def request(self) -> AnalysisRequest:
        context = self.context
        return analysis_request(self.settings, context.options, context.paths, context.use_cache)

    def engine_command(self, folder: Path) -> list[str]:
        request, result = folder / "request.json", folder / "result.json"
        # -P: neither the working folder nor a script's folder goes first on sys.path.
        return [sys.executable, "-P", "-m", ENGINE_MODULE, str(request), str(result)]

    def start(self) -> None:
        """Launch the analysis beside the tests and return at once.

        A worker analyses nothing; outside pytest ``finish`` analyses in-process.
        """
        if self.role is Role.WORKER or not self.context.in_pytest:
            return
        if self.child is not None or self.failure is not None:
            return
        request = self.request
        if not request.entries:
            return  # no source found: nothing to analyse, `finish` says so
        if not self.settings.root.is_dir():
            self.failure = f"static analysis could not start: {self.settings.root} is not a folder"
            return
        self.folder = scratch.make("static")
        (self.folder / "request.json").write_text(request.to_json(), encoding="utf-8")
        try:
            self.child = launch(
                self.engine_command(self.folder),
                label="the static analysis",
                limit=request.time_limit,
                cwd=self.folder,  # the request names the root; nothing is read from here
                # Not measured by the project's coverage (`patch = ["subprocess"]`): an
                # interrupted run would otherwise get its data after the run cleaned up.
                env=child_environment(os.environ),
                killed="its process",
                nice=self.nice,
            )
        except ChildStartError as exc:
            self.failure = f"static analysis could not start: {exc.reason}"
            self.close()

    def tests_finished(self) -> None:
        self.nice = priority.FOREGROUND  # a start from now on has nothing to yield to

    def finish(self) -> list[Measurement]:
        if self.role is Role.WORKER:
            return []
        if not self.request.entries:
            return [Measurement(gate, skip_reason=NO_SOURCE) for gate in self.context.specs]
        if not self.context.in_pytest:
            analysis = self._analyse_here()
        else:
            self.start()  # a no-op when the session started it
            try:
                analysis = self._wait_for_engine()
            finally:
                self.close()
        if isinstance(analysis, str):
            return [Measurement(gate, error=analysis) for gate in self.context.specs]
        pricing = debt_pricing(self.context.options)
        return measurements_from_analysis(analysis, pricing, self.context.specs)

    def _analyse_here(self) -> AnalysisResult | str:
        from pytest_healthgate.collect.static.engine import analyse, describe_failure

        try:
            return analyse(self.request)
        except (Exception, SystemExit) as exc:  # the engine itself broke: every gate says so
            return f"static analysis failed: {describe_failure(exc)}"

    def _wait_for_engine(self) -> AnalysisResult | str:
        """The engine's analysis, or why there is none."""
        if self.failure is not None:
            return self.failure
        assert self.child is not None  # set by start(), with the folder
        assert self.folder is not None
        try:
            finished = self.child.wait()
        except ChildError as exc:
            return str(exc)
        import json

        try:
            text = (self.folder / "result.json").read_text(encoding="utf-8")
            return analysis_from_json(json.loads(text))
        except (OSError, ValueError):
            return engine_failure(finished.stderr, finished.status, ERROR_LINES)

    def close(self) -> None:
        """Leave no analysis running and no temporary files (an interrupted run too)."""
        if self.child is not None:
            self.child.close()
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
        self.child = None
        self.folder = None


def create(context: CollectorContext) -> StaticCollector:
    return StaticCollector(context)
