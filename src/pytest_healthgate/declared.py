"""A project's own metrics: ``[tool.healthgate.metrics.NAME]``, recorded by its tests.

Each table declares how a value that tests record with the ``healthgate_record``
fixture is judged: which way is better, how the values of a run are combined,
the unit its bounds are written in, and the bounds. A declared metric becomes a
gate like the built-in ones.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pytest_healthgate.model import Bounds, Direction
from pytest_healthgate.schema import (
    ConfigError,
    bad_value,
    check_warn_side,
    parse_bound,
    show,
    unknown_key,
)
from pytest_healthgate.units import Unit

if TYPE_CHECKING:
    from pytest_healthgate.catalogue import Catalogue, MetricSpec

TABLE = "tool.healthgate.metrics"
AGGREGATES = ("min", "max", "mean", "last", "p95", "sum")
UNITS = {unit.value: unit for unit in Unit if unit is not Unit.RANK}
KEYS = ("better", "aggregate", "unit", "fail", "warn", "description")
DEFAULT_AGGREGATE = "mean"
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
Declared = tuple["MetricSpec", str, Bounds]  # spec, aggregate, bounds


def declare_metrics(where: str, raw: object, catalogue: Catalogue) -> list[Declared]:
    """Every declared metric, validated; errors name the table, key and fix."""
    if not isinstance(raw, dict):
        raise ConfigError(bad_value(where, "tool.healthgate", "metrics", raw, "a table of tables"))
    return [_declare(where, name, value, catalogue) for name, value in raw.items()]


def _declare(where: str, name: str, raw: object, catalogue: Catalogue) -> Declared:
    from pytest_healthgate.catalogue import MetricSpec

    table = f"{TABLE}.{name}"
    if not NAME.match(name):
        raise ConfigError(
            f"{where}: [{table}]: a metric name is letters, digits and underscores, "
            f"starting with a letter, such as fps or api_p95."
        )
    if name in catalogue.metrics:
        raise ConfigError(
            f"{where}: [{table}]: {name} is already a gate; configure it under "
            f"[tool.healthgate.gates] or give your metric another name."
        )
    if not isinstance(raw, dict):
        raise ConfigError(bad_value(where, TABLE, name, raw, "a table such as { better = ... }"))
    for key, value in raw.items():
        if key not in KEYS:
            raise ConfigError(unknown_key(where, table, key, value, list(KEYS)))
    direction = _choice(
        where, table, raw, key="better", allowed={d.value: d for d in Direction}, default=None
    )
    aggregates = dict.fromkeys(AGGREGATES, "")
    aggregate = _choice(
        where, table, raw, key="aggregate", allowed=aggregates, default=DEFAULT_AGGREGATE
    )
    unit = _choice(where, table, raw, key="unit", allowed=UNITS, default="number")
    description = raw.get("description", "")
    if not isinstance(description, str):
        raise ConfigError(bad_value(where, table, "description", description, "a string"))
    spec = MetricSpec(
        name,
        UNITS[unit],
        Direction(direction),
        description or f"Recorded by tests with healthgate_record({name!r}, value); {aggregate}.",
        f"look at the tests that recorded {name}, listed below",
        collector="recorded",
        detail_title=f"tests that recorded {name} (worst first)",
    )
    return spec, aggregate, _bounds(where, table, spec, raw)


def _choice(
    where: str,
    table: str,
    raw: Mapping[str, Any],
    *,
    key: str,
    allowed: Mapping[str, object],
    default: str | None,
) -> str:
    value = raw.get(key, default)
    if value is None:
        raise ConfigError(
            f"{where}: [{table}] needs {key} = {' or '.join(show(a) for a in allowed)}."
        )
    if not isinstance(value, str) or value not in allowed:
        expected = "one of " + ", ".join(show(a) for a in allowed)
        raise ConfigError(bad_value(where, table, key, value, expected))
    return str(value)


def _bounds(where: str, table: str, spec: MetricSpec, raw: Mapping[str, Any]) -> Bounds:
    fail = parse_bound(where, table, "fail", raw["fail"], spec.unit) if "fail" in raw else None
    warn = parse_bound(where, table, "warn", raw["warn"], spec.unit) if "warn" in raw else None
    if fail is not None and warn is not None:
        check_warn_side(where, table, spec, raw, fail=fail, warn=warn)
    return Bounds(fail=fail, warn=warn)
