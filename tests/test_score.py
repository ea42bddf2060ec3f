"""The health score: each gate's points from its margin, the weighted mean, bands, caps."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pytest_healthgate.builtin import builtin_catalogue
from pytest_healthgate.catalogue import Catalogue
from pytest_healthgate.gates import evaluate
from pytest_healthgate.model import Bounds, Measurement, RunResult
from pytest_healthgate.score import (
    CRITICAL_CAP,
    Health,
    band,
    gate_points,
    health,
    why_it_moved,
)

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return builtin_catalogue()


def judged(
    catalogue: Catalogue, figures: dict[str, float | None], bounds: dict[str, Bounds]
) -> RunResult:
    measurements = [
        Measurement(name, value=value) if value is not None else Measurement(name, error="broke")
        for name, value in figures.items()
    ]
    return evaluate(bounds, catalogue.metrics, measurements, {})


@pytest.mark.parametrize(
    ("value", "bound", "best", "points"),
    [
        (100.0, 80.0, 100.0, 100.0),  # coverage at its ideal
        (80.0, 80.0, 100.0, 70.0),  # exactly at the bound
        (90.0, 80.0, 100.0, 85.0),  # half way
        (70.0, 80.0, 100.0, 35.0),  # past the bound: half way to zero
        (60.0, 80.0, 100.0, 0.0),  # twice as far as the bound
        (10.0, 80.0, 100.0, 0.0),  # never below zero
        (0.0, 200.0, 0.0, 100.0),  # no debt
        (100.0, 200.0, 0.0, 85.0),
        (3.0, 4.0, 1.0, 80.0),  # rank C against a fail at D
        (0.0, 0.0, 0.0, 100.0),  # no critical finding
        (1.0, 0.0, 0.0, 0.0),  # one critical finding
        (130.0, 50.0, 100.0, 100.0),  # a figure beyond its ideal is as good as ideal
    ],
)
def test_gate_points(value: float, bound: float, best: float, points: float) -> None:
    assert gate_points(value, bound, best) == pytest.approx(points)


@pytest.mark.parametrize(
    ("score", "name"),
    [
        (100, "excellent"),
        (90, "excellent"),
        (89.9, "good"),
        (80, "good"),
        (79.9, "fair"),
        (70, "fair"),
        (69.9, "poor"),
        (60, "poor"),
        (59.9, "critical"),
        (50, "critical"),
        (49.9, "crisis"),
        (0, "crisis"),
    ],
)
def test_bands(score: float, name: str) -> None:
    assert band(score) == name


def test_the_score_is_the_weighted_mean_and_names_what_it_left_out(catalogue: Catalogue) -> None:
    result = judged(
        catalogue,
        {"coverage": 90.0, "debt": 100 * 3600.0, "import_time": None},
        {
            "coverage": Bounds(fail=80),
            "debt": Bounds(fail=200 * 3600.0),
            "import_time": Bounds(fail=2.0),
        },
    )
    scored = health(result.gates, catalogue.metrics, {"coverage": 3.0})
    # (3 x 85 + 1 x 85) / 4
    assert scored.score == 85.0
    assert scored.band == "good"
    assert [(gate.name, gate.left_out) for gate in scored.left_out] == [
        ("import_time", "not measured (ERROR)")
    ]
    assert scored.left_out[0].weight == 1.0
    assert sum(scored.contributions().values()) == pytest.approx(85.0)


def test_a_critical_finding_caps_the_score(catalogue: Catalogue) -> None:
    result = judged(
        catalogue,
        {"coverage": 100.0, "critical": 1.0},
        {"coverage": Bounds(fail=80), "critical": Bounds(fail=0)},
    )
    scored = health(result.gates, catalogue.metrics, {"coverage": 9.0})
    assert scored.score == CRITICAL_CAP  # uncapped it would be 90
    assert scored.band == "crisis"
    assert "critical = 1: any critical finding caps the score at 49" in scored.capped


def test_no_measured_gate_is_no_score(catalogue: Catalogue) -> None:
    result = judged(catalogue, {"coverage": None}, {"coverage": Bounds(fail=80)})
    scored = health(result.gates, catalogue.metrics)
    assert scored.score is None
    assert scored.band == "unmeasured"


def test_why_it_moved_names_the_largest_moves_in_points(catalogue: Catalogue) -> None:
    bounds = {"coverage": Bounds(fail=80), "debt": Bounds(fail=200 * 3600.0)}
    before = health(
        judged(catalogue, {"coverage": 90.0, "debt": 0.0}, bounds).gates, catalogue.metrics
    )
    after = health(
        judged(catalogue, {"coverage": 86.0, "debt": 20 * 3600.0}, bounds).gates, catalogue.metrics
    )
    assert (before.score, after.score) == (92.5, 88.0)
    # coverage 85 -> 79 points, half the weight: -3.0; debt 100 -> 97: -1.5
    assert (
        why_it_moved(before, after) == "health 92.5 -> 88: coverage -3.0 points, debt -1.5 points"
    )
    assert why_it_moved(after, after) == "health 88 -> 88: no gate moved"
    assert why_it_moved(Health(None, ()), after) == ""


def test_the_worked_example_in_the_docs_is_what_the_formula_gives(catalogue: Catalogue) -> None:
    page = (ROOT / "docs" / "score.md").read_text()
    rows = re.findall(
        r"^\| `(\w+)` \| ([\d.]+) \| ([\d.]+) \| ([\d.]+) \| ([\d.]+) \| ([\d.]+) \|$", page, re.M
    )
    assert len(rows) >= 4, "docs/score.md lost its worked example table"
    total = weighted = 0.0
    for _name, value, bound, best, weight, points in rows:
        assert gate_points(float(value), float(bound), float(best)) == pytest.approx(
            float(points), abs=0.05
        )
        total += float(weight)
        weighted += float(weight) * float(points)
    stated = re.search(r"score = [^=]+= \*\*([\d.]+)\*\*", page)
    assert stated is not None
    assert round(weighted / total, 1) == float(stated.group(1))


def test_the_cap_is_named_as_the_reason_only_when_it_brings_the_score_down(
    catalogue: Catalogue,
) -> None:
    bounds = {"coverage": Bounds(fail=80), "critical": Bounds(fail=0)}
    heavy = {"coverage": 9.0}

    def scored(coverage: float, critical: float) -> Health:
        figures = {"coverage": coverage, "critical": critical}
        return health(judged(catalogue, figures, bounds).gates, catalogue.metrics, heavy)

    clean, one, two = scored(90.0, 0.0), scored(90.0, 1.0), scored(80.0, 1.0)
    assert (clean.score, one.score, two.score) == (86.5, 49.0, 49.0)
    assert why_it_moved(clean, one).startswith(
        "health 86.5 -> 49: critical = 1: any critical finding caps the score at 49"
    )
    assert why_it_moved(one, two) == "health 49 -> 49: coverage -13.5 points"


def test_a_gate_failing_inside_its_bound_scores_at_most_its_bound(catalogue: Catalogue) -> None:
    from dataclasses import replace

    from pytest_healthgate.model import Verdict

    (passing,) = judged(catalogue, {"coverage": 95.0}, {"coverage": Bounds(fail=80)}).gates
    failed = replace(passing, verdict=Verdict.FAIL)  # as a per-path floor fails it
    assert health([passing], catalogue.metrics).score == 92.5
    assert health([failed], catalogue.metrics).score == 70.0
