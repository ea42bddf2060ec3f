"""The life of a collector in a run, and the process roles it is run in.

Every source of measurements - coverage, test outcomes, the static analysis,
import sampling, memory, values recorded by tests, a third-party plugin's - is a
``Collector``. The run creates one per collector the configured gates need,
calls ``start`` when the session starts (never under ``--collect-only``), and at
the end either ships ``worker_payload()`` to the controller (an xdist worker) or
``merge``s every worker's payload and calls ``finish`` (the controller, or the
only process). Outside pytest (``healthgate check``, the hooks) the role is
always SOLO and there is no pytest config.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pytest

    from pytest_healthgate.catalogue import MetricSpec
    from pytest_healthgate.config import HealthgateConfig
    from pytest_healthgate.model import Measurement


class Role(StrEnum):
    """What this process does in the run; decided once per run."""

    SOLO = "solo"  # the only process: pytest without xdist, or the healthgate command
    CONTROLLER = "controller"  # the xdist controller: merges the workers' payloads
    WORKER = "worker"  # an xdist worker: runs tests, ships a payload, judges nothing
    COMBINER = "combiner"  # `healthgate combine`: merges shards' states, runs no test

    @property
    def judges(self) -> bool:
        """True where measurements are finished and gates judged."""
        return self is not Role.WORKER


def role_of(config: pytest.Config) -> Role:
    """The role of this pytest process (``workerinput`` is xdist's own test for a worker)."""
    if hasattr(config, "workerinput"):
        return Role.WORKER
    if getattr(config.option, "dist", "no") != "no":
        return Role.CONTROLLER
    return Role.SOLO


@dataclass
class CollectorContext:
    """Everything a collector is created with."""

    settings: HealthgateConfig
    # The configured gates this collector measures, with their catalogue entries.
    specs: Mapping[str, MetricSpec]
    options: Mapping[str, Any] = field(default_factory=dict)  # its own config table
    pytest_config: pytest.Config | None = None  # None outside pytest
    # Set once per run, before any collector starts (see GateSession.pytest_configure).
    role: Role = Role.SOLO
    paths: tuple[str, ...] = ()  # `healthgate check PATH...`: measure only these
    use_cache: bool = True  # `healthgate check --no-cache` turns analysis caches off

    @property
    def gates(self) -> tuple[str, ...]:
        return tuple(self.specs)

    @property
    def in_pytest(self) -> bool:
        return self.pytest_config is not None


class Collector:
    """A source of measurements. Every method has a do-nothing default."""

    def __init__(self, context: CollectorContext) -> None:
        self.context = context

    @property
    def settings(self) -> HealthgateConfig:
        return self.context.settings

    @property
    def role(self) -> Role:
        return self.context.role

    def start(self) -> None:
        """Begin measuring. Must not block the test session: long work belongs in a
        thread or subprocess that ``finish`` waits for."""

    def tests_finished(self) -> None:
        """The tests are over (the session's test loop returned); ``finish`` comes next.

        Work still pending may from now on run at full priority (``priority.py``).
        """

    def worker_payload(self) -> object:
        """Plain, picklable data a worker ships to the controller."""
        return None

    def merge(self, payload: object) -> None:
        """Fold one worker's payload (or one shard's state) into this collector."""

    def shard_state(self) -> object:
        """What this run observed, after ``finish``, for ``healthgate combine`` to merge like
        a worker's payload; by default the worker payload (a controller's holds its merge)."""
        return self.worker_payload()

    def finish(self) -> list[Measurement]:
        """The measurements of this run (controller or solo); waits for pending work."""
        return []

    def close(self) -> None:
        """Release processes, threads and files; also called on an interrupted run."""

    def partial_reasons(self) -> list[str]:
        """Why this run saw less than the whole suite, as this collector can tell."""
        return []


class CollectorSet:
    """The collectors of one run, created from the catalogue for the configured gates.

    The payload protocol between xdist workers and the controller lives here
    only: one entry per collector, under its catalogue name.
    """

    def __init__(
        self,
        settings: HealthgateConfig,
        pytest_config: pytest.Config | None = None,
        *,
        only: Iterable[str] | None = None,
        paths: tuple[str, ...] = (),
        use_cache: bool = True,
    ) -> None:
        self.settings = settings
        self.pytest_config = pytest_config
        self.only = None if only is None else set(only)
        self.paths = paths
        self.use_cache = use_cache
        self.role = Role.SOLO
        self.collectors: dict[str, Collector] = {}
        self.workers = 0  # payloads merged
        self.lost_workers: list[str] = []  # xdist workers that went down with an error

    def gates_for(self, collector: str) -> list[str]:
        """The configured gates (of those asked for) that ``collector`` measures."""
        return [
            gate
            for gate in self.settings.catalogue.gates_of(collector)
            if gate in self.settings.gates and (self.only is None or gate in self.only)
        ]

    def _contributing(self, targets: tuple[str, ...]) -> bool:
        """Whether a gate this collector measures a part of is on (and asked for)."""
        return any(
            gate in self.settings.gates and (self.only is None or gate in self.only)
            for gate in targets
        )

    def create(self, *, early: bool | None = None) -> None:
        """Create every collector a configured gate needs (``early``: only those, or the rest)."""
        for spec in self.settings.catalogue.collectors.values():
            if spec.name in self.collectors or (early is not None and spec.early != early):
                continue
            gates = self.gates_for(spec.name)
            wanted = gates or self._contributing(spec.contributes_to)
            if not wanted and not (spec.always and self.pytest_config is not None):
                continue
            context = CollectorContext(
                self.settings,
                specs={gate: self.settings.catalogue.metrics[gate] for gate in gates},
                options=self.settings.section(spec.config_table),
                pytest_config=self.pytest_config,
                role=self.role,
                paths=self.paths,
                use_cache=self.use_cache,
            )
            self.collectors[spec.name] = spec.create(context)

    def configure(self, settings: HealthgateConfig, role: Role) -> None:
        """The run's final settings and this process's role, once pytest knows them."""
        self.settings = settings
        self.role = role
        for collector in self.collectors.values():
            collector.context.settings = settings
            collector.context.role = role
            collector.context.specs = {
                gate: settings.catalogue.metrics[gate]
                for gate in collector.context.specs
                if gate in settings.catalogue.metrics
            }

    def record(self, nodeid: str, name: str, value: float) -> None:
        from pytest_healthgate.collect.recorded import RecordedCollector

        recorder = self.collectors.get("recorded")
        if isinstance(recorder, RecordedCollector):
            recorder.record(nodeid, name, value)

    def start(self) -> None:
        for collector in self.collectors.values():
            collector.start()

    def tests_finished(self) -> None:
        for collector in self.collectors.values():
            collector.tests_finished()

    def worker_payload(self) -> dict[str, object]:
        return {name: collector.worker_payload() for name, collector in self.collectors.items()}

    def merge(self, payload: object) -> None:
        if not isinstance(payload, dict):
            return
        self.workers += 1
        for name, collector in self.collectors.items():
            if name in payload:
                collector.merge(payload[name])

    def worker_lost(self, worker: str, error: object) -> None:
        """An xdist worker crashed: whatever it measured never arrives."""
        self.lost_workers.append(f"xdist worker {worker} crashed ({str(error).strip()[:80]})")

    def partial_reasons(self) -> list[str]:
        reasons = list(self.lost_workers)
        for collector in self.collectors.values():
            reasons.extend(collector.partial_reasons())
        return reasons

    def finish(self) -> list[Measurement]:
        measurements: list[Measurement] = []
        for collector in self.collectors.values():
            measurements.extend(collector.finish())
        return measurements

    def close(self) -> None:
        # Last created, first closed: coverage, created first, outlives the children
        # the others wait for, whose measured data lands in coverage's scratch folder.
        for collector in reversed(list(self.collectors.values())):
            collector.close()
