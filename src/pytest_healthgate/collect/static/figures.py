"""From the raw analysis to findings with minutes, and to the five measurements.

The same function serves ``pytest --healthgate`` and ``healthgate check``, so
both give the same figures for the same tree.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pytest_healthgate.collect.static.remediation import (
    CATEGORIES,
    RATINGS,
    Finding,
    Minutes,
    debt_ratio,
    rating,
)
from pytest_healthgate.model import Detail, Measurement
from pytest_healthgate.units import RANKS, Unit

STATIC_GATES = ("debt", "debt_ratio", "rating", "complexity", "critical")
# Which tools each gate needs: one failing turns the gate into ERROR.
NEEDS: dict[str, frozenset[str]] = {
    "debt": frozenset({"scope", "analysis", "ruff", "radon", "bandit", "mypy"}),
    "debt_ratio": frozenset({"scope", "analysis", "ruff", "radon", "bandit", "mypy"}),
    "rating": frozenset({"scope", "analysis", "ruff", "radon", "bandit", "mypy"}),
    "complexity": frozenset({"scope", "analysis", "radon"}),
    "critical": frozenset({"scope", "analysis", "bandit"}),
}
# Highest cyclomatic complexity of each radon rank; F has none.
RANK_CEILING = {"A": 5, "B": 10, "C": 20, "D": 30, "E": 40}
TOP = 10
FINDINGS_IN_REPORT = 200


@dataclass(frozen=True)
class DebtPricing:
    """The [tool.healthgate.debt] settings that turn findings into minutes."""

    minutes: dict[str, float] = field(default_factory=dict)
    cost_per_line_minutes: float = 30.0
    allowed_complexity: str = "B"


def _rank_number(letter: str) -> float:
    return float(RANKS.index(letter) + 1)


def findings(analysis: dict[str, Any], options: DebtPricing) -> list[Finding]:
    """Every finding of the analysis, each with its remediation minutes."""
    minutes = Minutes(options.minutes)
    ceiling = RANK_CEILING.get(options.allowed_complexity)
    found: list[Finding] = []
    lint: dict[str, list[list[Any]]] = analysis.get("lint", {})
    for key, result in analysis["files"].items():
        found.extend(_file_findings(key, result, lint.get(key, []), minutes, ceiling))
    for key, line, code, message in analysis.get("types", []):
        found.append(
            Finding("mypy", code, "typing", key, line, message, minutes("mypy", code, "typing"))
        )
    return found


def _file_findings(
    key: str,
    result: dict[str, Any],
    lint: list[list[Any]],
    minutes: Minutes,
    ceiling: int | None,
) -> Iterable[Finding]:
    error = result.get("error")
    if error:
        line, message = error
        cost = minutes("python", "syntax", "syntax")
        yield Finding("python", "syntax", "syntax", key, line, message, cost, critical=True)
    for code, line, message in lint:
        if error and code == "invalid-syntax":
            continue  # already the file's critical finding
        yield Finding("ruff", code, "lint", key, line, message, minutes("ruff", code, "lint"))
    for name, line, complexity, rank in result.get("functions", []):
        if ceiling is not None and complexity > ceiling:
            points = complexity - ceiling
            cost = points * minutes("radon", "CC", "complexity")
            message = f"{name} has cyclomatic complexity {complexity} (rank {rank})"
            yield Finding("radon", "CC", "complexity", key, line, message, cost)
    if result.get("mi_rank") == "C":
        message = f"maintainability index {result['mi']:.1f} (rank C)"
        cost = minutes("radon", "MI", "maintainability")
        yield Finding("radon", "MI", "maintainability", key, 1, message, cost)
    for line, word, text in result.get("markers", []):
        yield Finding(
            "markers", word, "marker", key, line, text, minutes("markers", word, "marker")
        )
    for test_id, severity, confidence, line, text in result.get("security", []):
        kind = f"security-{str(severity).lower()}"
        if kind not in CATEGORIES:
            kind = "security-low"
        message = f"{text} (severity {severity}, confidence {confidence})"
        cost = minutes("bandit", test_id, kind)
        yield Finding("bandit", test_id, kind, key, line, message, cost, severity == "HIGH")


def _errors_for(gate: str, errors: dict[str, str]) -> str | None:
    problems = [message for tool, message in errors.items() if tool in NEEDS[gate]]
    return "; ".join(problems) if problems else None


def measurements_from_analysis(
    analysis: dict[str, Any], options: DebtPricing, gates: Iterable[str] = STATIC_GATES
) -> list[Measurement]:
    """The measurements of the static gates in ``gates``."""
    wanted = [gate for gate in STATIC_GATES if gate in set(gates)]
    errors: dict[str, str] = analysis.get("errors", {})
    if not analysis["files"] and not errors:
        where = ", ".join(analysis.get("entries", [])) or "the project"
        reason = f"no Python files to analyse in {where}"
        return [Measurement(gate, skip_reason=reason) for gate in wanted]
    all_findings = findings(analysis, options)
    builders = {
        "debt": _debt,
        "debt_ratio": _debt_ratio,
        "rating": _rating,
        "complexity": _complexity,
        "critical": _critical,
    }
    categories_on = _categories_gate(wanted)
    context = _StaticFigures(analysis, all_findings, options, categories_on=categories_on)
    measurements = []
    for gate in wanted:
        problem = _errors_for(gate, errors)
        if problem is not None:
            measurements.append(Measurement(gate, error=problem, extra=context.common()))
        else:
            measurements.append(builders[gate](context))
    return measurements


def _categories_gate(wanted: list[str]) -> str:
    for gate in ("debt_ratio", "rating", "debt"):
        if gate in wanted:
            return gate
    return ""


class _StaticFigures:
    """Figures several measurements share, computed once."""

    def __init__(
        self,
        analysis: dict[str, Any],
        all_findings: list[Finding],
        options: DebtPricing,
        categories_on: str,
    ) -> None:
        self.analysis = analysis
        self.findings = all_findings
        self.options = options
        self.categories_on = categories_on
        self.debt_minutes = sum(finding.minutes for finding in all_findings)
        self.lines = sum(int(result.get("lines", 0)) for result in analysis["files"].values())
        ratio = debt_ratio(self.debt_minutes, self.lines, options.cost_per_line_minutes)
        # Judged at the precision shown, and the rating read from the figure shown.
        self.ratio = round(ratio, 1)
        self.rating = rating(self.ratio)

    def common(self) -> dict[str, Any]:
        analysis = self.analysis
        return {
            "files_analysed": len(analysis["files"]),
            "skipped": [{"path": path, "reason": reason} for path, reason in analysis["skipped"]],
            "tools": analysis.get("tools", {}),
            "cache": analysis.get("cache", {}),
            "seconds": analysis.get("seconds"),
        }

    def by_file(self) -> list[tuple[str, float, int]]:
        minutes: dict[str, float] = defaultdict(float)
        counts: dict[str, int] = defaultdict(int)
        for finding in self.findings:
            minutes[finding.path] += finding.minutes
            counts[finding.path] += 1
        ranked = sorted(minutes.items(), key=lambda item: (-item[1], item[0]))
        return [(path, total, counts[path]) for path, total in ranked]

    def by_category(self) -> list[tuple[str, float, int]]:
        minutes: dict[str, float] = defaultdict(float)
        counts: dict[str, int] = defaultdict(int)
        for finding in self.findings:
            minutes[finding.category] += finding.minutes
            counts[finding.category] += 1
        ranked = sorted(minutes.items(), key=lambda item: (-item[1], item[0]))
        return [(category, total, counts[category]) for category, total in ranked]

    def category_details(self) -> list[Detail]:
        return [
            Detail(category, total * 60, Unit.DURATION, _count(count, "finding"))
            for category, total, count in self.by_category()
        ]


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")


def _hours(minutes: float) -> str:
    return f"{minutes / 60:.1f}h"


def _debt(context: _StaticFigures) -> Measurement:
    files = context.by_file()
    details = [
        Detail(path, total * 60, Unit.DURATION, _count(count, "finding"))
        for path, total, count in files[:TOP]
    ]
    if context.categories_on == "debt":
        details += context.category_details()
    expensive = sorted(context.findings, key=lambda item: (-item.minutes, item.path, item.line))
    extra = {
        **context.common(),
        "debt_minutes": context.debt_minutes,
        "lines_of_code": context.lines,
        "findings": len(context.findings),
        "files": [
            {"path": path, "debt_minutes": total, "findings": count}
            for path, total, count in files[:50]
        ],
        "categories": [
            {"category": category, "debt_minutes": total, "findings": count}
            for category, total, count in context.by_category()
        ],
        "top_findings": [finding.to_dict() for finding in expensive[:FINDINGS_IN_REPORT]],
    }
    hint = ""
    if files:
        hint = f"start with {files[0][0]} ({_hours(files[0][1])} of debt)"
    return Measurement(
        "debt", value=context.debt_minutes * 60, details=details, hint=hint, extra=extra
    )


def _debt_ratio(context: _StaticFigures) -> Measurement:
    details = context.category_details() if context.categories_on == "debt_ratio" else []
    extra = {
        "debt_minutes": context.debt_minutes,
        "lines_of_code": context.lines,
        "cost_per_line_minutes": context.options.cost_per_line_minutes,
        "rating": context.rating,
    }
    return Measurement("debt_ratio", value=context.ratio, details=details, extra=extra)


def _rating(context: _StaticFigures) -> Measurement:
    details = context.category_details() if context.categories_on == "rating" else []
    extra = {"debt_ratio": context.ratio, "grid": "A <= 5%, B <= 10%, C <= 20%, D <= 50%, E"}
    value = float(RATINGS.index(context.rating) + 1)
    return Measurement("rating", value=value, details=details, extra=extra)


def _complexity(context: _StaticFigures) -> Measurement:
    functions = [
        (key, name, line, complexity, rank)
        for key, result in context.analysis["files"].items()
        for name, line, complexity, rank in result.get("functions", [])
    ]
    functions.sort(key=lambda item: (-item[3], item[0], item[2]))
    worst = functions[0][4] if functions else "A"
    ranks = dict.fromkeys(RANKS, 0)
    for *_rest, rank in functions:
        ranks[rank] += 1
    details = [
        Detail(f"{key}:{line} {name}", _rank_number(rank), Unit.RANK, f"complexity {complexity}")
        for key, name, line, complexity, rank in functions[:TOP]
        if rank != "A"
    ]
    extra = {
        "functions_analysed": len(functions),
        "ranks": ranks,
        "worst": [
            {"path": key, "line": line, "name": name, "complexity": complexity, "rank": rank}
            for key, name, line, complexity, rank in functions[:50]
        ],
    }
    hint = ""
    if functions and functions[0][4] > "A":
        key, name, line, complexity, _rank = functions[0]
        hint = f"split {name} ({key}:{line}, complexity {complexity}) first"
    return Measurement(
        "complexity", value=_rank_number(worst), details=details, hint=hint, extra=extra
    )


def _critical(context: _StaticFigures) -> Measurement:
    critical = sorted(
        (finding for finding in context.findings if finding.critical),
        key=lambda item: (item.path, item.line),
    )
    details = [
        Detail(
            f"{finding.path}:{finding.line}", 1, Unit.COUNT, f"{finding.code}: {finding.message}"
        )
        for finding in critical[:TOP]
    ]
    extra = {"findings": [finding.to_dict() for finding in critical[:FINDINGS_IN_REPORT]]}
    return Measurement("critical", value=float(len(critical)), details=details, extra=extra)
