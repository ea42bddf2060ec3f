"""Building blocks of the configuration schema: an Option and its value checks.

Each check returns the converted value or raises ValueError/UnitError with a
short reason; config.py turns that into a message naming file, table and key.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pytest_healthgate.model import Direction
from pytest_healthgate.units import Unit, UnitError, parse

if TYPE_CHECKING:
    from collections.abc import Mapping

    from pytest_healthgate.catalogue import MetricSpec


class ConfigError(Exception):
    """The configuration cannot be used; the message tells the user how to fix it."""


@dataclass(frozen=True)
class Option:
    """One configuration key: what it accepts, its default and its documentation."""

    expected: str
    parse: Callable[[object], Any]  # the value as used, or ValueError/UnitError
    default: Any
    doc: str


def strings(value: object) -> tuple[str, ...]:
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return tuple(value)
    raise ValueError("not a list of strings")


def boolean(value: object) -> bool:
    if isinstance(value, bool):
        return value
    raise ValueError("not true or false")


def whole_number(minimum: int = 0) -> Callable[[object], int]:
    def check(value: object) -> int:
        if isinstance(value, int) and not isinstance(value, bool) and value >= minimum:
            return value
        raise ValueError(f"not a whole number >= {minimum}")

    return check


def regex(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError("not a string")
    try:
        re.compile(value)
    except re.error as exc:
        raise ValueError(f"not a valid regular expression: {exc}") from None
    return value


def text(value: object) -> str:
    if isinstance(value, str):
        return value
    raise ValueError("not a string")


def unit(kind: Unit) -> Callable[[object], float]:
    def check(value: object) -> float:
        return parse(value, kind)

    return check


def minutes_table(value: object) -> dict[str, float]:
    """A table of rule code or prefix -> remediation minutes (a number >= 0)."""
    if not isinstance(value, dict):
        raise ValueError("not a table")
    result = {}
    for key, minutes in value.items():
        if isinstance(minutes, bool) or not isinstance(minutes, int | float) or minutes < 0:
            raise ValueError(f"{key} = {minutes!r} is not a number of minutes >= 0")
        result[str(key)] = float(minutes)
    return result


def show(value: object) -> str:
    """A TOML value as the user wrote it."""
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)


def bad_value(where: str, table: str, key: str, value: object, expected: str) -> str:
    return f"{where}: [{table}] {key} = {show(value)}: expected {expected}."


def unknown_key(where: str, table: str, key: str, value: object, known: list[str]) -> str:
    message = (
        f"{where}: [{table}] {key} = {show(value)}: unknown key; valid keys are {', '.join(known)}."
    )
    close = difflib.get_close_matches(key, known, n=1)
    if close:
        message += f" Did you mean '{close[0]}'?"
    return message


def parse_bound(where: str, table: str, key: str, value: object, unit: Unit) -> float:
    """A bound written in ``unit``; the error names the table, key and value."""
    try:
        return parse(value, unit)
    except UnitError as exc:
        raise ConfigError(f"{where}: [{table}] {key} = {show(value)}: {exc}.") from None


def check_warn_side(
    where: str, table: str, spec: MetricSpec, raw: Mapping[str, Any], *, fail: float, warn: float
) -> None:
    """``warn`` must be reached before ``fail``: on the better side of it."""
    wrong_side = warn < fail if spec.direction is Direction.HIGHER else warn > fail
    if wrong_side:
        side = "at or above" if spec.direction is Direction.HIGHER else "at or below"
        better = "higher" if spec.direction is Direction.HIGHER else "lower"
        raise ConfigError(
            f"{where}: [{table}] warn = {raw['warn']!r} is on the wrong side of "
            f"fail = {raw['fail']!r}; {better} is better for {spec.name}, so warn "
            f"must be {side} fail."
        )
