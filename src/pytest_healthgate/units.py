"""Parse and format the units people write in configuration.

Every quantity is stored in one base unit per kind so that gates compare plain
floats: seconds for durations, bytes for sizes, percent (0-100) for ratios,
a rank number (A=1 ... F=6) for letter grades.
"""

from __future__ import annotations

import math
import re
from enum import StrEnum


class UnitError(ValueError):
    """A value could not be read as the expected unit; the message says why."""


class Unit(StrEnum):
    """What a number measures; decides how it is parsed and shown."""

    PERCENT = "percent"
    DURATION = "duration"
    SIZE = "size"
    COUNT = "count"
    RANK = "rank"
    NUMBER = "number"  # a plain figure with no unit (a project's own metric: fps, req/s)


_DURATION_SECONDS = {
    "ms": 0.001,
    "s": 1.0,
    "sec": 1.0,
    "m": 60.0,
    "min": 60.0,
    "h": 3600.0,
    "d": 86400.0,
}
_SIZE_BYTES = {
    "b": 1,
    "kb": 1000,
    "mb": 1000**2,
    "gb": 1000**3,
    "kib": 1024,
    "mib": 1024**2,
    "gib": 1024**3,
}
RANKS = "ABCDEF"

_NUMBER_WITH_UNIT = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?|\.[0-9]+)\s*([a-zA-Z%]*)\s*$")

EXPECTED = {
    Unit.PERCENT: 'a percentage such as 80, 80.5 or "80%"',
    Unit.DURATION: 'a duration such as "350ms", "2s", "15m", "300h" or "2d"',
    Unit.SIZE: 'a size such as "500MB", "1.5GiB" or a number of bytes',
    Unit.COUNT: "a whole number such as 0 or 3",
    Unit.RANK: 'a rank letter from "A" to "F"',
    Unit.NUMBER: "a number such as 12 or 0.5",
}


def _split(text: str, kind: Unit) -> tuple[float, str]:
    match = _NUMBER_WITH_UNIT.match(text)
    if match is None:
        raise UnitError(f"{_shown(text)} is not {EXPECTED[kind]}")
    return float(match.group(1)), match.group(2).lower()


def parse(value: object, kind: Unit) -> float:
    """Read ``value`` (a TOML scalar) as ``kind``; raise UnitError if it is not one."""
    if kind is Unit.RANK:
        return _parse_rank(value)
    if kind is Unit.NUMBER:
        return _parse_number(value)
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise UnitError(f"{_shown(value)} is not {EXPECTED[kind]}")
    number, unit = (real(value, kind), "") if not isinstance(value, str) else _split(value, kind)
    if not math.isfinite(number) or number < 0:
        raise UnitError(f"{_shown(value)} is not {EXPECTED[kind]}")
    result = _READERS[kind](value, number, unit)
    if not math.isfinite(result):
        raise UnitError(f"{_shown(value)} is too large for {EXPECTED[kind]}")
    return result


def real(value: int | float, kind: Unit = Unit.NUMBER) -> float:
    """``value`` as a float; an integer beyond float range is a UnitError, not OverflowError."""
    try:
        return float(value)
    except OverflowError:
        raise UnitError(f"{_shown(value)} is too large for {EXPECTED[kind]}") from None


def _shown(value: object) -> str:
    """``value`` for a message; a number of hundreds of digits is abbreviated."""
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:20]}...({len(text)} characters)"


def _percent(value: object, number: float, unit: str) -> float:
    if unit not in ("", "%"):
        raise UnitError(f"{_shown(value)} is not {EXPECTED[Unit.PERCENT]}")
    if number > 100:
        raise UnitError(f"{_shown(value)} is above 100%")
    return number


def _duration(value: object, number: float, unit: str) -> float:
    if unit == "" and isinstance(value, str):
        raise UnitError(f"{_shown(value)} has no unit; expected {EXPECTED[Unit.DURATION]}")
    if unit and unit not in _DURATION_SECONDS:
        raise UnitError(f"{_shown(value)} is not {EXPECTED[Unit.DURATION]}")
    return number * _DURATION_SECONDS[unit] if unit else number


def _size(value: object, number: float, unit: str) -> float:
    if unit and unit not in _SIZE_BYTES:
        raise UnitError(f"{_shown(value)} is not {EXPECTED[Unit.SIZE]}")
    return number * _SIZE_BYTES[unit] if unit else number


def _count(value: object, number: float, unit: str) -> float:
    if unit != "" or number != int(number):
        raise UnitError(f"{_shown(value)} is not {EXPECTED[Unit.COUNT]}")
    return number


_READERS = {Unit.PERCENT: _percent, Unit.DURATION: _duration, Unit.SIZE: _size, Unit.COUNT: _count}


def _parse_number(value: object) -> float:
    # A plain figure may be negative (a change, a temperature); it must be a real number.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise UnitError(f"{_shown(value)} is not {EXPECTED[Unit.NUMBER]}")
    number = real(value)
    if not math.isfinite(number):
        raise UnitError(f"{_shown(value)} is not {EXPECTED[Unit.NUMBER]}")
    return number


def _parse_rank(value: object) -> float:
    if isinstance(value, bool):
        raise UnitError(f"{_shown(value)} is not {EXPECTED[Unit.RANK]}")
    if isinstance(value, str) and len(value.strip()) == 1 and value.strip().upper() in RANKS:
        return float(RANKS.index(value.strip().upper()) + 1)
    raise UnitError(f"{_shown(value)} is not {EXPECTED[Unit.RANK]}")


def rank_number(letter: str) -> float:
    """A rank letter as the number gates compare: A=1.0 ... F=6.0."""
    return float(RANKS.index(letter) + 1)


def rank_letter(number: float) -> str:
    """The rank letter of a rank number (clamped to A-F)."""
    return RANKS[max(0, min(len(RANKS) - 1, round(number) - 1))]


def format_value(value: float, kind: Unit, precision: int = 1) -> str:
    """Show ``value`` the way a person would write it back in the config."""
    if kind is Unit.PERCENT:
        return f"{value:.{precision}f}%"
    if kind is Unit.COUNT:
        return f"{int(value)}" if value == int(value) else f"{value:.{precision}f}"
    if kind is Unit.NUMBER:
        return f"{value:.{precision}f}"
    if kind is Unit.RANK:
        return RANKS[max(0, min(len(RANKS) - 1, round(value) - 1))]
    if kind is Unit.DURATION:
        return _format_duration(value)
    return _format_size(value)


def _format_duration(seconds: float) -> str:
    milliseconds = seconds * 1000
    if milliseconds < 10:
        return f"{milliseconds:.1f}ms" if milliseconds >= 1 else f"{milliseconds:.2f}ms"
    if seconds < 1:
        return f"{milliseconds:.0f}ms"
    if seconds < 60:
        return f"{seconds:.2f}s"
    if seconds < 3600:
        return f"{seconds / 60:.1f}m"
    return f"{seconds / 3600:.1f}h"


def _format_size(size: float) -> str:
    for unit, factor in (("GB", 1000**3), ("MB", 1000**2), ("kB", 1000)):
        if size >= factor:
            return f"{size / factor:.1f}{unit}"
    return f"{size:.0f}B"


def config_text(value: float, kind: Unit) -> float | int | str:
    """``value`` as one would write it in pyproject.toml (what ``healthgate init`` writes)."""
    if kind is Unit.RANK:
        return rank_letter(value)
    if kind is Unit.DURATION:
        for unit, factor in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
            if value >= factor and value % factor == 0:
                return f"{value / factor:g}{unit}"
        return f"{value * 1000:g}ms"
    if kind is Unit.SIZE:
        for unit, factor in (("GB", 1000**3), ("MB", 1000**2), ("kB", 1000)):
            if value >= factor and value % factor == 0:
                return f"{value / factor:g}{unit}"
        return int(value)
    return int(value) if value == int(value) else value
