"""Units as people write them in configuration."""

from __future__ import annotations

import pytest

from pytest_healthgate.units import Unit, UnitError, format_value, parse


@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [
        ("350ms", Unit.DURATION, 0.35),
        ("2s", Unit.DURATION, 2.0),
        ("90s", Unit.DURATION, 90.0),
        ("15m", Unit.DURATION, 900.0),
        ("300h", Unit.DURATION, 1_080_000.0),
        ("2d", Unit.DURATION, 172_800.0),
        (1.5, Unit.DURATION, 1.5),
        ("500MB", Unit.SIZE, 500_000_000.0),
        ("1.5GiB", Unit.SIZE, 1.5 * 1024**3),
        ("50kb", Unit.SIZE, 50_000.0),
        (1024, Unit.SIZE, 1024.0),
        (80, Unit.PERCENT, 80.0),
        ("80%", Unit.PERCENT, 80.0),
        ("80.5%", Unit.PERCENT, 80.5),
        (0, Unit.COUNT, 0.0),
        ("C", Unit.RANK, 3.0),
        ("f", Unit.RANK, 6.0),
    ],
)
def test_written_values_become_base_units(text: object, kind: Unit, expected: float) -> None:
    assert parse(text, kind) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("text", "kind", "fragment"),
    [
        ("2", Unit.DURATION, "has no unit"),
        ("2 parsecs", Unit.DURATION, "is not a duration"),
        ("fast", Unit.DURATION, "is not a duration"),
        ("500 bananas", Unit.SIZE, "is not a size"),
        ("101%", Unit.PERCENT, "above 100%"),
        (-5, Unit.PERCENT, "is not a percentage"),
        ("80ms", Unit.PERCENT, "is not a percentage"),
        (True, Unit.COUNT, "is not a whole number"),
        (1.5, Unit.COUNT, "is not a whole number"),
        ("G", Unit.RANK, "rank letter"),
        ([1], Unit.SIZE, "is not a size"),
        (float("nan"), Unit.DURATION, "is not a duration"),
        (float("inf"), Unit.PERCENT, "is not a percentage"),
        (10**400, Unit.COUNT, "is too large for a whole number"),
        (10**400, Unit.NUMBER, "is too large for a number"),
        (-(10**400), Unit.NUMBER, "is too large for a number"),
        (float("nan"), Unit.NUMBER, "is not a number"),
        ("9" * 300 + "GB", Unit.SIZE, "is too large for a size"),
        ("9" * 400 + "s", Unit.DURATION, "is not a duration"),
    ],
)
def test_unreadable_values_say_what_was_expected(text: object, kind: Unit, fragment: str) -> None:
    with pytest.raises(UnitError, match=fragment):
        parse(text, kind)


@pytest.mark.parametrize(
    ("value", "kind", "shown"),
    [
        (0.35, Unit.DURATION, "350ms"),
        (0.0042, Unit.DURATION, "4.2ms"),
        (0.00031, Unit.DURATION, "0.31ms"),
        (2.5, Unit.DURATION, "2.50s"),
        (900.0, Unit.DURATION, "15.0m"),
        (1_080_000.0, Unit.DURATION, "300.0h"),
        (500_000_000.0, Unit.SIZE, "500.0MB"),
        (512.0, Unit.SIZE, "512B"),
        (3.0, Unit.RANK, "C"),
        (2.0, Unit.COUNT, "2"),
        (80.0, Unit.PERCENT, "80.0%"),
    ],
)
def test_values_are_shown_the_way_they_are_written(value: float, kind: Unit, shown: str) -> None:
    assert format_value(value, kind) == shown
