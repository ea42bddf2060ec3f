"""Units as people write them in configuration."""

from __future__ import annotations

import pytest

from pytest_healthgate.units import Kind, UnitError, format_value, parse


@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [
        ("350ms", Kind.DURATION, 0.35),
        ("2s", Kind.DURATION, 2.0),
        ("90s", Kind.DURATION, 90.0),
        ("15m", Kind.DURATION, 900.0),
        ("300h", Kind.DURATION, 1_080_000.0),
        ("2d", Kind.DURATION, 172_800.0),
        (1.5, Kind.DURATION, 1.5),
        ("500MB", Kind.SIZE, 500_000_000.0),
        ("1.5GiB", Kind.SIZE, 1.5 * 1024**3),
        ("50kb", Kind.SIZE, 50_000.0),
        (1024, Kind.SIZE, 1024.0),
        (80, Kind.PERCENT, 80.0),
        ("80%", Kind.PERCENT, 80.0),
        ("80.5%", Kind.PERCENT, 80.5),
        (0, Kind.COUNT, 0.0),
        ("C", Kind.RANK, 3.0),
        ("f", Kind.RANK, 6.0),
    ],
)
def test_written_values_become_base_units(text: object, kind: Kind, expected: float) -> None:
    assert parse(text, kind) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("text", "kind", "fragment"),
    [
        ("2", Kind.DURATION, "has no unit"),
        ("2 parsecs", Kind.DURATION, "is not a duration"),
        ("fast", Kind.DURATION, "is not a duration"),
        ("500 bananas", Kind.SIZE, "is not a size"),
        ("101%", Kind.PERCENT, "above 100%"),
        (-5, Kind.PERCENT, "is not a percentage"),
        ("80ms", Kind.PERCENT, "is not a percentage"),
        (True, Kind.COUNT, "is not a whole number"),
        (1.5, Kind.COUNT, "is not a whole number"),
        ("G", Kind.RANK, "rank letter"),
        ([1], Kind.SIZE, "is not a size"),
    ],
)
def test_unreadable_values_say_what_was_expected(text: object, kind: Kind, fragment: str) -> None:
    with pytest.raises(UnitError, match=fragment):
        parse(text, kind)


@pytest.mark.parametrize(
    ("value", "kind", "shown"),
    [
        (0.35, Kind.DURATION, "350ms"),
        (0.0042, Kind.DURATION, "4.2ms"),
        (0.00031, Kind.DURATION, "0.31ms"),
        (2.5, Kind.DURATION, "2.50s"),
        (900.0, Kind.DURATION, "15.0m"),
        (1_080_000.0, Kind.DURATION, "300.0h"),
        (500_000_000.0, Kind.SIZE, "500.0MB"),
        (512.0, Kind.SIZE, "512B"),
        (3.0, Kind.RANK, "C"),
        (2.0, Kind.COUNT, "2"),
        (80.0, Kind.PERCENT, "80.0%"),
    ],
)
def test_values_are_shown_the_way_they_are_written(value: float, kind: Kind, shown: str) -> None:
    assert format_value(value, kind) == shown
