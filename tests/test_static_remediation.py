"""The remediation model: minutes per finding, overrides, debt ratio and rating grid."""

from __future__ import annotations

import pytest

from pytest_healthgate.collect.static.remediation import (
    DEFAULT_MINUTES,
    Minutes,
    debt_ratio,
    rating,
)


def test_each_kind_has_a_documented_default() -> None:
    minutes = Minutes({})
    assert minutes("ruff", "E501", "lint") == DEFAULT_MINUTES["lint"] == 5
    assert minutes("bandit", "B602", "security-high") == 60
    assert minutes("bandit", "B101", "security-low") == 10
    assert minutes("markers", "TODO", "marker") == 10


def test_the_longest_matching_code_or_prefix_wins() -> None:
    minutes = Minutes({"E": 2, "E501": 1, "E5": 3})
    assert minutes("ruff", "E501", "lint") == 1
    assert minutes("ruff", "E502", "lint") == 3
    assert minutes("ruff", "E711", "lint") == 2
    assert minutes("ruff", "F401", "lint") == 5


def test_a_tool_qualified_key_tells_bandit_codes_from_bugbear_codes() -> None:
    minutes = Minutes({"bandit:B": 45, "ruff:B0": 4})
    assert minutes("bandit", "B101", "security-low") == 45
    assert minutes("ruff", "B006", "lint") == 4
    assert minutes("ruff", "B905", "lint") == 5


def test_a_kind_name_overrides_the_default_of_its_kind_only() -> None:
    minutes = Minutes({"lint": 1, "security-high": 120})
    assert minutes("ruff", "E501", "lint") == 1
    assert minutes("bandit", "B602", "security-high") == 120
    assert minutes("bandit", "B603", "security-low") == 10


def test_a_code_key_beats_the_kind_key() -> None:
    minutes = Minutes({"lint": 1, "F401": 7})
    assert minutes("ruff", "F401", "lint") == 7


def test_debt_ratio_is_debt_over_lines_times_cost_per_line() -> None:
    # 300 minutes of debt on 200 lines at 30 min/line: 300 / 6000 = 5 %.
    assert debt_ratio(300, 200, 30) == pytest.approx(5.0)
    assert debt_ratio(10, 0, 30) == 0.0


@pytest.mark.parametrize(
    ("ratio", "letter"),
    [
        (0.0, "A"),
        (5.0, "A"),
        (5.01, "B"),
        (10.0, "B"),
        (10.01, "C"),
        (20.0, "C"),
        (20.01, "D"),
        (50.0, "D"),
        (50.01, "E"),
        (400.0, "E"),
    ],
)
def test_the_rating_follows_sonarqubes_default_grid_with_bounds_inclusive(
    ratio: float, letter: str
) -> None:
    assert rating(ratio) == letter
