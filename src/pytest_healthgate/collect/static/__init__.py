"""Static gates: technical debt, debt ratio, rating, complexity and critical issues.

Findings come from ruff, radon, bandit, comment markers and (opt-in) mypy; see
``docs/debt.md``. Modules of this package:

* ``scope``       which files are analysed;
* ``pyfile``      one file: parse, radon, markers, bandit (in pool workers);
* ``tools``       ruff and mypy through their JSON output;
* ``engine``      all of it, cached and spread across cores;
* ``remediation`` minutes per finding, debt ratio, rating;
* ``measure``     raw analysis -> findings -> the five measurements.

Importing this package loads none of the tools: radon and bandit are imported by
the engine's workers, ruff and mypy run as subprocesses.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pytest_healthgate.collect.lifecycle import Collector, CollectorContext
from pytest_healthgate.collect.static.figures import (
    STATIC_GATES,
    DebtPricing,
    measurements_from_analysis,
)
from pytest_healthgate.model import Measurement
from pytest_healthgate.units import RANKS

if TYPE_CHECKING:
    import pytest

    from pytest_healthgate.collect.static.engine import Request
    from pytest_healthgate.config import HealthgateConfig

__all__ = [
    "STATIC_GATES",
    "StaticCollector",
    "analyse_and_measure",
    "analysis_request",
    "create",
    "debt_pricing",
]
ERROR_LINES = 5


def debt_pricing(settings: HealthgateConfig) -> DebtPricing:
    debt = settings.section("debt")
    return DebtPricing(
        minutes=dict(debt["minutes"]),
        cost_per_line_minutes=float(debt["cost_per_line"]) / 60.0,
        allowed_complexity=RANKS[int(debt["allowed_complexity"]) - 1],
    )


def analysis_request(
    settings: HealthgateConfig,
    entries: Sequence[str] | None = None,
    use_cache: bool = True,
) -> Request:
    """What to analyse: ``entries`` (PATHs given to ``check``) or the configured source."""
    from pytest_healthgate.collect.static.engine import Request

    debt = settings.section("debt")
    return Request(
        root=str(settings.root),
        entries=tuple(entries) if entries else tuple(settings.source),
        exclude=tuple(settings.exclude),
        include_tests=bool(debt["include_tests"]),
        markers=tuple(debt["markers"]),
        mypy=bool(debt["mypy"]),
        jobs=int(debt["jobs"]),
        use_cache=use_cache,
        full_scope=not entries,
    )


def configured_gates(settings: HealthgateConfig) -> list[str]:
    return [gate for gate in STATIC_GATES if gate in settings.gates]


def analyse_and_measure(
    settings: HealthgateConfig,
    entries: Sequence[str] | None = None,
    gates: Sequence[str] | None = None,
    use_cache: bool = True,
) -> list[Measurement]:
    """Analyse in this process (the ``healthgate check`` path) and measure ``gates``."""
    from pytest_healthgate.collect.static.engine import analyse

    wanted = list(gates) if gates is not None else configured_gates(settings)
    try:
        analysis = analyse(analysis_request(settings, entries, use_cache))
    except Exception as exc:  # the engine itself broke: every gate says so
        message = f"static analysis failed: {type(exc).__name__}: {exc}"
        return [Measurement(gate, error=message) for gate in wanted]
    return measurements_from_analysis(analysis, debt_pricing(settings), wanted)


class StaticCollector:
    """Runs the engine in a subprocess from session start; ``finish`` waits for it."""

    def __init__(
        self,
        settings: HealthgateConfig,
        pytest_config: pytest.Config | None,
        is_worker: bool,
    ) -> None:
        self.settings = settings
        self.pytest_config = pytest_config
        self.is_worker = is_worker
        self.gates = configured_gates(settings)
        self.process: subprocess.Popen[bytes] | None = None
        self.folder: Path | None = None
        self.failure: str | None = None

    def _collect_only(self) -> bool:
        return bool(self.pytest_config is not None and self.pytest_config.option.collectonly)

    def start(self) -> None:
        """Launch the analysis and return at once; workers and --collect-only skip it."""
        if self.is_worker or self.process is not None or self._collect_only():
            return
        self.folder = Path(tempfile.mkdtemp(prefix="healthgate-static-"))
        (self.folder / "request.json").write_text(
            analysis_request(self.settings).to_json(), encoding="utf-8"
        )
        try:
            with (
                (self.folder / "stdout").open("wb") as stdout,
                (self.folder / "stderr").open("wb") as stderr,
            ):
                self.process = subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "pytest_healthgate.collect.static.engine",
                        str(self.folder / "request.json"),
                        str(self.folder / "result.json"),
                    ],
                    cwd=self.settings.root,
                    stdin=subprocess.DEVNULL,
                    stdout=stdout,
                    stderr=stderr,
                )
        except OSError as exc:
            self.failure = f"static analysis could not start: {exc}"
            self._clean()

    def worker_payload(self) -> Any:
        return None  # analysis runs once, on the controller

    def merge(self, payload: Any) -> None:
        """Nothing to merge: workers do not analyse."""

    def finish(self) -> list[Measurement]:
        if self.process is None and self.failure is None:
            self.start()
        if self.failure is not None:
            return [Measurement(gate, error=self.failure) for gate in self.gates]
        if self.process is None or self.folder is None:
            return []
        try:
            code = self.process.wait()
            analysis = self._read_result(code)
        finally:
            self._clean()
        if isinstance(analysis, str):
            return [Measurement(gate, error=analysis) for gate in self.gates]
        return measurements_from_analysis(analysis, debt_pricing(self.settings), self.gates)

    def _read_result(self, code: int) -> dict[str, Any] | str:
        import json

        assert self.folder is not None
        try:
            result: dict[str, Any] = json.loads(
                (self.folder / "result.json").read_text(encoding="utf-8")
            )
        except (OSError, ValueError):
            stderr = (self.folder / "stderr").read_text(encoding="utf-8", errors="replace")
            last = [line.strip() for line in stderr.splitlines() if line.strip()][-ERROR_LINES:]
            return f"static analysis failed (exit status {code}): {' | '.join(last) or 'no output'}"
        return result

    def _clean(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
        self.process = None
        self.folder = None

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        """An interrupted session leaves no analysis running and no temporary files."""
        self._clean()


def create(context: CollectorContext) -> Collector:
    # TEMPORARY adapter until the static-refactor branch is merged.
    from pytest_healthgate.collect.lifecycle import Role

    class _Adapter(Collector):
        def __init__(self, context: CollectorContext) -> None:
            super().__init__(context)
            self.inner: StaticCollector | None = None

        def _get(self) -> StaticCollector:
            if self.inner is None:
                self.inner = StaticCollector(
                    self.settings, self.context.pytest_config, self.role is Role.WORKER
                )
            return self.inner

        def start(self) -> None:
            self._get().start()

        def worker_payload(self) -> object:
            return self._get().worker_payload()

        def merge(self, payload: object) -> None:
            self._get().merge(payload)

        def finish(self) -> list[Measurement]:
            return self._get().finish()

        def close(self) -> None:
            if self.inner is not None:
                self.inner.pytest_unconfigure(None)  # type: ignore[arg-type]

    return _Adapter(context)
