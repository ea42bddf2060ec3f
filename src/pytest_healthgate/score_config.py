"""``[tool.healthgate.score]``: the health score's weights and the trend warning.

Read and checked like every other table (unknown keys with a did-you-mean, bad
values naming what is expected); ``config.py`` calls ``score_settings`` once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pytest_healthgate.schema import (
    ConfigError,
    Option,
    bad_value,
    check_option,
    unknown_key,
    whole_number,
)

if TYPE_CHECKING:
    from pytest_healthgate.catalogue import Catalogue

TABLE = "tool.healthgate.score"
SCORE_EXPECTED = "a table with weights = { GATE = WEIGHT, ... }, such as { coverage = 2 }"
WEIGHT_EXPECTED = "a number of 0 or more (0 leaves the gate out of the health score)"


def _share(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < 1:
        raise ValueError("not a share between 0 and 1")
    return float(value)


OPTIONS: dict[str, Option] = {
    "trend_runs": Option(
        "a whole number of 2 or more",
        whole_number(2),
        5,
        "A gate worse than the run before in each of this many runs in a row (this run "
        "included) gets a WARN with its trend, even inside its bounds.",
    ),
    "trend_share": Option(
        "a share between 0 and 1, such as 0.05",
        _share,
        0.05,
        "How much worse, as a share of its first value, the gate must have got over "
        "those runs to warn (0.05: 5 %).",
    ),
}


def score_settings(
    where: str, raw: object, catalogue: Catalogue, plugins_pending: bool
) -> dict[str, Any]:
    """The HealthgateConfig fields of the table: score_weights, trend_runs, trend_share."""
    if not isinstance(raw, dict):
        raise ConfigError(bad_value(where, "tool.healthgate", "score", raw, SCORE_EXPECTED))
    for key, value in raw.items():
        if key not in OPTIONS and key != "weights":
            raise ConfigError(unknown_key(where, TABLE, key, value, ["weights", *OPTIONS]))
    weights = raw.get("weights", {})
    if not isinstance(weights, dict):
        raise ConfigError(bad_value(where, TABLE, "weights", weights, SCORE_EXPECTED))
    known = None if plugins_pending else list(catalogue.metrics)
    return {
        "score_weights": {
            name: _weight(where, name, value, known) for name, value in weights.items()
        },
        "trend_runs": _option(where, raw, "trend_runs"),
        "trend_share": _option(where, raw, "trend_share"),
    }


def _option(where: str, raw: dict[str, Any], key: str) -> Any:
    option = OPTIONS[key]
    return check_option(where, TABLE, key, raw[key], option) if key in raw else option.default


def _weight(where: str, name: str, value: object, known: list[str] | None) -> float:
    table = f"{TABLE}.weights"
    if known is not None and name not in known:
        raise ConfigError(unknown_key(where, table, name, value, known))
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ConfigError(bad_value(where, table, name, value, WEIGHT_EXPECTED))
    return float(value)
