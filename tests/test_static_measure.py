"""From an analysis to the five measurements: sums, ratio, rating, ranks, offenders."""

from __future__ import annotations

from typing import Any

import pytest

from pytest_healthgate.builtin import METRICS
from pytest_healthgate.catalogue import MetricSpec
from pytest_healthgate.collect.static.figures import (
    DebtPricing,
    findings,
    measurements_from_analysis,
)
from pytest_healthgate.collect.static.results import (
    AnalysisResult,
    FileResult,
    FunctionComplexity,
    LintFinding,
    MarkerHit,
    SecurityIssue,
    SourceProblem,
)
from pytest_healthgate.model import Measurement
from pytest_healthgate.units import Unit


def static_specs(*names: str) -> dict[str, MetricSpec]:
    """The catalogue's static gates (all of them, or those named), in catalogue order."""
    return {
        spec.name: spec
        for spec in METRICS
        if spec.collector == "static" and (not names or spec.name in names)
    }


def file_result(**fields: Any) -> FileResult:
    return FileResult(lines=100, mi=60.0, mi_rank="A")._replace(**fields)


def analysis(files: dict[str, FileResult], **fields: Any) -> AnalysisResult:
    return AnalysisResult(entries=("pkg",), files=files, **fields)


def measured(
    document: AnalysisResult, options: DebtPricing | None = None
) -> dict[str, Measurement]:
    return {
        m.name: m
        for m in measurements_from_analysis(document, options or DebtPricing(), static_specs())
    }


SAMPLE = analysis(
    {
        "pkg/a.py": file_result(
            functions=(
                FunctionComplexity("big", 3, 13, "C"),
                FunctionComplexity("small", 30, 2, "A"),
            ),
            markers=(MarkerHit(5, "TODO", "# TODO: x"),),
            security=(
                SecurityIssue("B602", "HIGH", "HIGH", 9, "shell"),
                SecurityIssue("B101", "LOW", "HIGH", 12, "assert"),
            ),
        ),
        "pkg/b.py": file_result(lines=50, mi=5.0, mi_rank="C"),
    },
    lint={
        "pkg/a.py": (LintFinding("F401", 1, "unused"),),
        "pkg/b.py": (LintFinding("E501", 2, "long"),) * 2,
    },
)


def test_debt_is_the_sum_of_every_findings_minutes_in_seconds() -> None:
    # a.py: CC 13 is 3 points above B (3 x 5) + marker 10 + high 60 + low 10 + lint 5
    # b.py: low MI 60 + two lint findings 10.
    debt = measured(SAMPLE)["debt"]
    assert debt.value == (15 + 10 + 60 + 10 + 5 + 60 + 10) * 60
    assert debt.details[0].label == "pkg/a.py"
    assert debt.details[0].value == 100 * 60
    assert debt.details[0].note == "5 findings"
    assert debt.hint == "start with pkg/a.py (1.7h of debt)"


def test_minutes_overrides_and_allowed_complexity_change_the_debt() -> None:
    options = DebtPricing(minutes={"E501": 1, "security-high": 120}, allowed_complexity="C")
    # C allows complexity up to 20, so big() costs nothing.
    debt = measured(SAMPLE, options)["debt"]
    assert debt.value == (10 + 120 + 10 + 5 + 60 + 2) * 60


def test_debt_ratio_and_rating_come_from_lines_of_code_and_cost_per_line() -> None:
    result = measured(SAMPLE)
    # 170 minutes / (150 lines x 30 minutes) = 3.78 %, shown and judged as 3.8 %.
    assert result["debt_ratio"].value == 3.8
    assert result["rating"].value == 1  # A
    cheap = measured(SAMPLE, DebtPricing(cost_per_line_minutes=1))
    assert cheap["debt_ratio"].value == pytest.approx(113.3)
    assert cheap["rating"].value == 5  # E


def test_debt_by_category_is_listed_with_the_ratio() -> None:
    details = measured(SAMPLE)["debt_ratio"].details
    assert [(d.label, d.value / 60, d.note) for d in details] == [
        ("security (bandit)", 70, "2 findings"),
        ("maintainability index (radon)", 60, "1 finding"),
        ("complexity (radon)", 15, "1 finding"),
        ("lint (ruff)", 15, "3 findings"),
        ("debt markers", 10, "1 finding"),
    ]
    assert measured(SAMPLE)["rating"].details == []


def test_complexity_is_the_worst_rank_with_the_most_complex_functions_named() -> None:
    complexity = measured(SAMPLE)["complexity"]
    assert complexity.value == 3  # C
    assert [(d.label, d.unit, d.note) for d in complexity.details] == [
        ("pkg/a.py:3 big", Unit.RANK, "complexity 13")
    ]
    assert complexity.extra["ranks"]["C"] == 1
    assert complexity.hint == "split big (pkg/a.py:3, complexity 13) first"


def test_critical_counts_high_severity_findings_and_unparseable_files() -> None:
    document = analysis(
        {
            **SAMPLE.files,
            "pkg/bad.py": file_result(
                error=SourceProblem(4, "does not parse: invalid syntax"), lines=3
            ),
        },
        lint={"pkg/bad.py": (LintFinding("invalid-syntax", 4, "Expected an expression"),)},
    )
    result = measured(document)
    assert result["critical"].value == 2
    assert [d.label for d in result["critical"].details] == ["pkg/a.py:9", "pkg/bad.py:4"]
    codes = [f.code for f in findings(document, DebtPricing()) if f.path == "pkg/bad.py"]
    assert codes == ["syntax"]


def test_a_tool_error_is_an_error_only_for_the_gates_that_need_that_tool() -> None:
    document = analysis(SAMPLE.files, errors={"radon": "radon failed on pkg/a.py: boom"})
    result = measured(document)
    assert result["complexity"].error == "radon failed on pkg/a.py: boom"
    assert result["debt"].error == "radon failed on pkg/a.py: boom"
    assert result["critical"].error is None
    assert result["critical"].value == 1


def test_only_the_requested_gates_are_measured() -> None:
    measured = measurements_from_analysis(SAMPLE, DebtPricing(), static_specs("critical", "debt"))
    assert [m.name for m in measured] == ["debt", "critical"]


def test_categories_go_to_the_debt_gate_when_no_ratio_or_rating_gate_is_asked_for() -> None:
    (debt,) = measurements_from_analysis(SAMPLE, DebtPricing(), static_specs("debt"))
    labels = [d.label for d in debt.details]
    assert labels[:2] == ["pkg/a.py", "pkg/b.py"]
    assert "security (bandit)" in labels
