"""Building blocks of the configuration schema: an Option and its value checks.

Each check returns the converted value or raises ValueError/UnitError with a
short reason; config.py turns that into a message naming file, table and key.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from pytest_healthgate.model import Direction
from pytest_healthgate.units import Unit, UnitError, format_value, parse

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


def whole_number(minimum: int = 0, maximum: int | None = None) -> Callable[[object], int]:
    """A whole number >= ``minimum`` (and <= ``maximum`` when given)."""

    def check(value: object) -> int:
        if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
            raise ValueError(f"not a whole number >= {minimum}")
        if maximum is not None and value > maximum:
            raise ValueError(f"above the maximum of {maximum}")
        return value

    return check


def regex(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError("not a string")
    try:
        re.compile(value)
    except re.error as exc:
        raise ValueError(f"not a valid regular expression: {exc}") from None
    return value


def project_paths(value: object) -> tuple[str, ...]:
    """Paths or globs relative to the project root; never one that leaves it."""
    entries = strings(value)
    for entry in entries:
        path = PurePosixPath(entry.replace("\\", "/"))
        if not entry.strip() or path.is_absolute() or ".." in path.parts:
            raise ValueError(
                f"{entry!r} is not a path inside the project; write it relative to the "
                f"project root, such as 'LICENSE' or 'docs/'"
            )
    return entries


def text(value: object) -> str:
    if isinstance(value, str):
        return value
    raise ValueError("not a string")


def unit(kind: Unit) -> Callable[[object], float]:
    def check(value: object) -> float:
        return parse(value, kind)

    return check


def duration(maximum: float, *, zero: bool = False) -> Callable[[object], float]:
    """A duration above zero (or zero, with ``zero``) and at most ``maximum`` seconds.

    Zero would turn what it sets off without saying so (every import killed at
    once, every line of code free); beyond the maximum a timer cannot even be set.
    ``zero``: where zero says plainly what it does ("keep nothing").
    """

    def check(value: object) -> float:
        seconds = parse(value, Unit.DURATION)
        if seconds < 0 or (seconds == 0 and not zero):
            raise ValueError("a duration of zero; write a duration above 0")
        if seconds > maximum:
            raise ValueError(f"above the maximum of {format_value(maximum, Unit.DURATION)}")
        return seconds

    return check


MAX_MINUTES = 1_000_000.0  # per finding: about two years, far beyond any real fix


def minutes_table(value: object) -> dict[str, float]:
    """A table of rule code or prefix -> remediation minutes (a finite number >= 0)."""
    if not isinstance(value, dict):
        raise ValueError("not a table")
    result = {}
    for key, minutes in value.items():
        number = _minutes(minutes)
        if number is None:
            raise ValueError(
                f"{key} = {show(minutes)} is not a number of minutes from 0 to {MAX_MINUTES:g}"
            )
        result[str(key)] = number
    return result


def minutes_value(value: object) -> float:
    """A number of remediation minutes (a finite number >= 0)."""
    number = _minutes(value)
    if number is None:
        raise ValueError(f"not a number of minutes from 0 to {MAX_MINUTES:g}")
    return number


SARIF_LEVELS = ("error", "warning", "note", "none")


def level_minutes(value: object) -> dict[str, float]:
    """Minutes per SARIF level; a level not written keeps its default."""
    given = minutes_table(value)
    unknown = sorted(set(given) - set(SARIF_LEVELS))
    if unknown:
        raise ValueError(f"{', '.join(unknown)}: not a SARIF level ({', '.join(SARIF_LEVELS)})")
    return {**DEFAULT_LEVEL_MINUTES, **given}


DEFAULT_LEVEL_MINUTES = {"error": 60.0, "warning": 15.0, "note": 5.0, "none": 0.0}


def _minutes(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if 0 <= number <= MAX_MINUTES else None  # NaN compares False


SHOWN_MAX = 60  # longer values are abbreviated in messages


def show(value: object) -> str:
    """A TOML value as the user wrote it (abbreviated when it is very long)."""
    if isinstance(value, str):
        text = f'"{value}"'
    elif isinstance(value, bool):
        text = "true" if value else "false"
    else:
        text = repr(value)
    if len(text) > SHOWN_MAX:
        return f"{text[: SHOWN_MAX - 20]}... ({len(text)} characters)"
    return text


def bad_value(where: str, table: str, key: str, value: object, expected: str) -> str:
    return f"{where}: [{table}] {key} = {show(value)}: expected {expected}."


def unknown_key(where: str, table: str, key: str, value: object, known: list[str]) -> str:
    message = (
        f"{where}: [{table}] {key} = {show(value)}: unknown key; valid keys are {', '.join(known)}."
    )
    import difflib  # here: only a misspelt name needs it

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
    rule = warn_side_rule(spec, fail=fail, warn=warn)
    if rule is not None:
        raise ConfigError(
            f"{where}: [{table}] warn = {raw['warn']!r} is on the wrong side of "
            f"fail = {raw['fail']!r}; {rule}."
        )


def warn_side_rule(spec: MetricSpec, *, fail: float, warn: float) -> str | None:
    """None when ``warn`` is on the better side of ``fail``, else the rule it breaks."""
    wrong_side = warn < fail if spec.direction is Direction.HIGHER else warn > fail
    if not wrong_side:
        return None
    side = "at or above" if spec.direction is Direction.HIGHER else "at or below"
    better = "higher" if spec.direction is Direction.HIGHER else "lower"
    return f"{better} is better for {spec.name}, so warn must be {side} fail"


def check_option(where: str, table: str, key: str, value: object, option: Option) -> Any:
    """The option's value as used; ConfigError naming the table, key and what it expects."""
    try:
        return option.parse(value)
    except (ValueError, UnitError) as exc:
        raise ConfigError(
            bad_value(where, table, key, value, option.expected) + f" ({exc})"
        ) from None
