"""Collectors that take part in a pytest run beside coverage and test health.

Each entry names the gates it measures and where its factory lives, so its module
is imported only when one of those gates is configured (importing the plugin
stays cheap). A factory returns an object following ``RunCollector``; if that
object also defines pytest hooks, the session registers it as a plugin.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import pytest

    from pytest_healthgate.collect.lifecycle import CollectorContext
    from pytest_healthgate.config import HealthgateConfig
    from pytest_healthgate.model import Measurement


class RunCollector(Protocol):
    """The life of a collector inside ``pytest --healthgate``.

    Workers under pytest-xdist call ``start`` and ``worker_payload``; the
    controller (or the only process, serially) calls ``start``, ``merge`` for each
    worker's payload, then ``finish``. ``start`` must not block the test session:
    long work belongs in a thread or subprocess that ``finish`` waits for.
    """

    def start(self) -> None: ...

    def worker_payload(self) -> Any: ...

    def merge(self, payload: Any) -> None: ...

    def finish(self) -> list[Measurement]: ...


@dataclass(frozen=True)
class Entry:
    name: str
    gates: frozenset[str]
    factory: str  # "module:function(settings, pytest_config, is_worker) -> RunCollector"
    # Created under --healthgate even when none of its gates is configured (the
    # memory collector enforces healthgate_memory markers on their own).
    always: bool = False
    # Bridge until the catalogue drives collectors: this factory takes a CollectorContext.
    table: str | None = None


ENTRIES: tuple[Entry, ...] = (
    Entry(
        "static",
        frozenset({"debt", "debt_ratio", "rating", "complexity", "critical"}),
        "pytest_healthgate.collect.static:create",
        table="debt",
    ),
    Entry(
        "imports",
        frozenset({"import_time", "import_memory"}),
        "pytest_healthgate.collect.imports:create",
        table="imports",
    ),
    Entry(
        "memory",
        frozenset({"memory", "test_memory"}),
        "pytest_healthgate.collect.memory:create",
        always=True,
    ),
)


def create_collectors(
    settings: HealthgateConfig, pytest_config: pytest.Config | None, is_worker: bool
) -> dict[str, RunCollector]:
    """The collectors the configured gates need, by entry name."""
    created: dict[str, RunCollector] = {}
    for entry in ENTRIES:
        if not entry.always and not entry.gates & settings.gates.keys():
            continue
        module_name, _, function = entry.factory.partition(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue  # not built yet: its gates report ERROR "no collector measures ..."
        factory = getattr(module, function)
        if entry.table is None:
            created[entry.name] = factory(settings, pytest_config, is_worker)
        else:
            created[entry.name] = factory(
                collector_context(settings, entry.name, entry.table, pytest_config, is_worker)
            )
    return created


def collector_context(
    settings: HealthgateConfig,
    collector: str,
    table: str,
    pytest_config: pytest.Config | None = None,
    is_worker: bool = False,
) -> CollectorContext:
    """The context of a catalogue-style collector, with its configured gates' specs."""
    from pytest_healthgate.builtin import METRICS
    from pytest_healthgate.collect.lifecycle import CollectorContext, Role

    specs = {
        spec.name: spec
        for spec in METRICS
        if spec.collector == collector and spec.name in settings.gates
    }
    return CollectorContext(
        settings,
        specs=specs,
        options=settings.section(table),
        pytest_config=pytest_config,
        role=Role.WORKER if is_worker else Role.SOLO,
    )
