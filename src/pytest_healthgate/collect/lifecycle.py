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

from collections.abc import Mapping
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

    def worker_payload(self) -> object:
        """Plain, picklable data a worker ships to the controller."""
        return None

    def merge(self, payload: object) -> None:
        """Fold one worker's payload into this (controller) collector."""

    def finish(self) -> list[Measurement]:
        """The measurements of this run (controller or solo); waits for pending work."""
        return []

    def close(self) -> None:
        """Release processes, threads and files; also called on an interrupted run."""


class CollectorSet:
    """The collectors of one run, by name; the payload protocol lives here only."""

    def __init__(self) -> None:
        self.collectors: dict[str, Collector] = {}

    def add(self, name: str, collector: Collector) -> None:
        self.collectors[name] = collector

    def start(self) -> None:
        for collector in self.collectors.values():
            collector.start()

    def worker_payload(self) -> dict[str, object]:
        return {name: collector.worker_payload() for name, collector in self.collectors.items()}

    def merge(self, payload: object) -> None:
        if not isinstance(payload, dict):
            return
        for name, collector in self.collectors.items():
            if name in payload:
                collector.merge(payload[name])

    def finish(self) -> list[Measurement]:
        measurements: list[Measurement] = []
        for collector in self.collectors.values():
            measurements.extend(collector.finish())
        return measurements

    def close(self) -> None:
        for collector in self.collectors.values():
            collector.close()
