"""Building blocks of the configuration schema: an Option and its value checks.

Each check returns the converted value or raises ValueError/UnitError with a
short reason; config.py turns that into a message naming file, table and key.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pytest_healthgate.units import Unit, parse


@dataclass(frozen=True)
class Option:
    """One configuration key: what it accepts, its default and its documentation."""

    expected: str
    check: Callable[[object], Any]
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
