"""From the analysis to findings with minutes, and to the static gates' measurements.

The same function serves ``pytest --healthgate`` and ``healthgate check``, so
both give the same figures for the same tree. Findings come from one extractor
per source (syntax, ruff, radon complexity, radon MI, markers, bandit, mypy);
a new source of findings is one more extractor.

Text that comes from the project (file names, comments, tool messages) is
escaped where findings' messages and the report's labels are made
(``report.escape``), so a control character never reaches a terminal raw. When
the analysis discarded cache documents or entries it could not trust, the
first gate says so once, in a detail line per cache.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from pytest_healthgate.collect.static.remediation import (
    CATEGORIES,
    RATINGS,
    Finding,
    Minutes,
    debt_ratio,
    rating,
)
from pytest_healthgate.collect.static.results import (
    AnalysisResult,
    FileResult,
    FunctionComplexity,
    LintFinding,
)
from pytest_healthgate.model import Detail, Item, Measurement
from pytest_healthgate.report.escape import escape
from pytest_healthgate.units import RANKS, Unit, rank_letter, rank_number

if TYPE_CHECKING:
    from pytest_healthgate.catalogue import MetricSpec

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
    # A marker whose comment matches this pattern is tracked elsewhere: not a finding.
    marker_reference: str | None = None


def debt_pricing(debt: Mapping[str, Any]) -> DebtPricing:
    """The pricing of findings from the ``[tool.healthgate.debt]`` options."""
    return DebtPricing(
        minutes=dict(debt["minutes"]),
        cost_per_line_minutes=float(debt["cost_per_line"]) / 60.0,
        allowed_complexity=rank_letter(float(debt["allowed_complexity"])),
        marker_reference=str(debt["marker_reference"]) or None,
    )


# -- findings ----------------------------------------------------------------------


class _FileEvidence(NamedTuple):
    """What the extractors read for one file."""

    key: str
    result: FileResult
    lint: tuple[LintFinding, ...]
    minutes: Minutes
    ceiling: int | None  # highest complexity that costs nothing; None: none costs
    reference: re.Pattern[str] | None  # a marker comment matching it is not a finding


def _syntax_findings(evidence: _FileEvidence) -> Iterator[Finding]:
    error = evidence.result.error
    if error is not None:
        cost = evidence.minutes("python", "syntax", "syntax")
        message = escape(error.message)
        yield Finding("python", "syntax", "syntax", evidence.key, error.line, message, cost, True)


def _lint_findings(evidence: _FileEvidence) -> Iterator[Finding]:
    for found in evidence.lint:
        if evidence.result.error is not None and found.code == "invalid-syntax":
            continue  # already the file's critical finding
        cost = evidence.minutes("ruff", found.code, "lint")
        message = escape(found.message)
        yield Finding("ruff", found.code, "lint", evidence.key, found.line, message, cost)


def _complexity_findings(evidence: _FileEvidence) -> Iterator[Finding]:
    ceiling = evidence.ceiling
    if ceiling is None:
        return
    for function in evidence.result.functions:
        if function.complexity > ceiling:
            cost = (function.complexity - ceiling) * evidence.minutes("radon", "CC", "complexity")
            message = (
                f"{escape(function.name)} has cyclomatic complexity {function.complexity} "
                f"(rank {function.rank})"
            )
            yield Finding("radon", "CC", "complexity", evidence.key, function.line, message, cost)


def _maintainability_findings(evidence: _FileEvidence) -> Iterator[Finding]:
    result = evidence.result
    if result.mi_rank == "C" and result.mi is not None:
        message = f"maintainability index {result.mi:.1f} (rank C)"
        cost = evidence.minutes("radon", "MI", "maintainability")
        yield Finding("radon", "MI", "maintainability", evidence.key, 1, message, cost)


def _marker_findings(evidence: _FileEvidence) -> Iterator[Finding]:
    for hit in evidence.result.markers:
        if evidence.reference is not None and evidence.reference.search(hit.text):
            continue  # the comment names where the work is tracked (``TODO(#123)``)
        cost = evidence.minutes("markers", hit.word, "marker")
        message = escape(hit.text)
        yield Finding("markers", hit.word, "marker", evidence.key, hit.line, message, cost)


def _security_findings(evidence: _FileEvidence) -> Iterator[Finding]:
    for issue in evidence.result.security:
        cost_class = f"security-{issue.severity.lower()}"
        if cost_class not in CATEGORIES:
            cost_class = "security-low"
        message = escape(f"{issue.text} (severity {issue.severity}, confidence {issue.confidence})")
        cost = evidence.minutes("bandit", issue.test_id, cost_class)
        critical = issue.severity == "HIGH"
        yield Finding(
            "bandit", issue.test_id, cost_class, evidence.key, issue.line, message, cost, critical
        )


FILE_EXTRACTORS: tuple[Callable[[_FileEvidence], Iterator[Finding]], ...] = (
    _syntax_findings,
    _lint_findings,
    _complexity_findings,
    _maintainability_findings,
    _marker_findings,
    _security_findings,
)


def findings(analysis: AnalysisResult, pricing: DebtPricing) -> list[Finding]:
    """Every finding of the analysis, each with its remediation minutes."""
    minutes = Minutes(pricing.minutes)
    ceiling = RANK_CEILING.get(pricing.allowed_complexity)
    reference = re.compile(pricing.marker_reference) if pricing.marker_reference else None
    found: list[Finding] = []
    for key, result in analysis.files.items():
        lint = analysis.lint.get(key, ())
        evidence = _FileEvidence(key, result, lint, minutes, ceiling, reference)
        for extract in FILE_EXTRACTORS:
            found.extend(extract(evidence))
    for error in analysis.types:
        cost = minutes("mypy", error.code, "typing")
        message = escape(error.message)
        found.append(Finding("mypy", error.code, "typing", error.path, error.line, message, cost))
    return found


# -- measurements ------------------------------------------------------------------


def measurements_from_analysis(
    analysis: AnalysisResult, pricing: DebtPricing, specs: Mapping[str, MetricSpec]
) -> list[Measurement]:
    """The measurements of the gates in ``specs``; a tool in a gate's ``needs`` that
    failed makes that gate an error."""
    if not analysis.files and not analysis.errors:
        where = ", ".join(analysis.entries) or "the project"
        reason = f"no Python files to analyse in {where}"
        return [Measurement(gate, skip_reason=reason) for gate in specs]
    figures = _StaticFigures(
        analysis, findings(analysis, pricing), pricing, _categories_gate(specs)
    )
    measurements = []
    for gate, spec in specs.items():
        problem = _errors_for(spec, analysis.errors)
        build = BUILDERS.get(gate)
        if problem is not None:
            measurements.append(Measurement(gate, error=problem, extra=figures.common()))
        elif build is None:
            error = f"the static analysis has no figure for the gate {gate}"
            measurements.append(Measurement(gate, error=error))
        else:
            measurements.append(build(figures))
    functions = sum(len(result.functions) for result in analysis.files.values())
    for measurement in measurements:
        looked_at = {"files analysed": len(analysis.files)}
        if measurement.name == "complexity":
            looked_at["functions"] = functions
        measurement.extra["looked_at"] = looked_at
    if measurements:
        measurements[0].details[:0] = cache_notes(analysis)
    return measurements


def cache_notes(analysis: AnalysisResult) -> list[Detail]:
    """One detail line per cache that discarded what it could not trust."""
    notes = []
    for name, stats in analysis.cache.items():
        discarded = stats.get("discarded", 0)
        if not discarded:
            continue
        entries = "entry" if discarded == 1 else "entries"
        why = stats.get("problem") or f"{discarded} invalid {entries} discarded and recomputed"
        label = f".healthgate/cache ({name})"
        notes.append(Detail(label, float(discarded), Unit.COUNT, escape(why)))
    return notes


def _errors_for(spec: MetricSpec, errors: Mapping[str, str]) -> str | None:
    problems = [message for tool, message in errors.items() if tool in spec.needs]
    return "; ".join(problems) if problems else None


def _categories_gate(wanted: Mapping[str, object]) -> str:
    """The one gate whose details list the debt by category."""
    for gate in ("debt_ratio", "rating", "debt"):
        if gate in wanted:
            return gate
    return ""


class _Total(NamedTuple):
    name: str  # a path or a category
    minutes: float
    findings: int


class _StaticFigures:
    """Figures several measurements share, computed once."""

    def __init__(
        self,
        analysis: AnalysisResult,
        all_findings: list[Finding],
        pricing: DebtPricing,
        categories_on: str,
    ) -> None:
        self.analysis = analysis
        self.findings = all_findings
        self.pricing = pricing
        self.categories_on = categories_on
        self.debt_minutes = sum(finding.minutes for finding in all_findings)
        self.lines = sum(result.lines for result in analysis.files.values())
        ratio = debt_ratio(self.debt_minutes, self.lines, pricing.cost_per_line_minutes)
        # Judged at the precision shown, and the rating read from the figure shown.
        self.ratio = round(ratio, 1)
        self.rating = rating(self.ratio)

    def common(self) -> dict[str, Any]:
        analysis = self.analysis
        return {
            "files_analysed": len(analysis.files),
            "skipped": [{"path": item.path, "reason": item.reason} for item in analysis.skipped],
            "tools": dict(analysis.tools),
            "cache": {name: dict(stats) for name, stats in analysis.cache.items()},
            "seconds": analysis.seconds,
        }

    def _totals(self, group: Callable[[Finding], str]) -> list[_Total]:
        minutes: dict[str, float] = defaultdict(float)
        counts: dict[str, int] = defaultdict(int)
        for finding in self.findings:
            minutes[group(finding)] += finding.minutes
            counts[group(finding)] += 1
        ranked = sorted(minutes.items(), key=lambda item: (-item[1], item[0]))
        return [_Total(escape(name), total, counts[name]) for name, total in ranked]

    def by_file(self) -> list[_Total]:
        return self._totals(lambda finding: finding.path)

    def by_category(self) -> list[_Total]:
        return self._totals(lambda finding: finding.category)

    def category_details(self) -> list[Detail]:
        return [
            Detail(total.name, total.minutes * 60, Unit.DURATION, _count(total.findings, "finding"))
            for total in self.by_category()
        ]


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")


def _hours(minutes: float) -> str:
    return f"{minutes / 60:.1f}h"


def _debt(figures: _StaticFigures) -> Measurement:
    files = figures.by_file()
    details = [
        Detail(total.name, total.minutes * 60, Unit.DURATION, _count(total.findings, "finding"))
        for total in files[:TOP]
    ]
    if figures.categories_on == "debt":
        details += figures.category_details()
    expensive = sorted(figures.findings, key=lambda item: (-item.minutes, item.path, item.line))
    extra = {
        **figures.common(),
        "debt_minutes": figures.debt_minutes,
        "lines_of_code": figures.lines,
        "findings": len(figures.findings),
        "files": [
            {"path": total.name, "debt_minutes": total.minutes, "findings": total.findings}
            for total in files[:50]
        ],
        "categories": [
            {"category": total.name, "debt_minutes": total.minutes, "findings": total.findings}
            for total in figures.by_category()
        ],
        "top_findings": [finding.to_dict() for finding in expensive[:FINDINGS_IN_REPORT]],
    }
    hint = ""
    if files:
        hint = f"start with {files[0].name} ({_hours(files[0].minutes)} of debt)"
    return Measurement(
        "debt",
        value=figures.debt_minutes * 60,
        details=details,
        hint=hint,
        extra=extra,
        items=[_item(finding, finding.minutes * 60) for finding in figures.findings],
    )


def _item(finding: Finding, cost: float) -> Item:
    where = escape(f"{finding.path}:{finding.line}")
    label = f"{where}: {escape(finding.code)} {finding.message}"
    return Item(f"{finding.tool}:{finding.code}", finding.path, finding.line, cost, label)


def _debt_ratio(figures: _StaticFigures) -> Measurement:
    details = figures.category_details() if figures.categories_on == "debt_ratio" else []
    extra = {
        "debt_minutes": figures.debt_minutes,
        "lines_of_code": figures.lines,
        "cost_per_line_minutes": figures.pricing.cost_per_line_minutes,
        "rating": figures.rating,
    }
    return Measurement("debt_ratio", value=figures.ratio, details=details, extra=extra)


def _rating(figures: _StaticFigures) -> Measurement:
    details = figures.category_details() if figures.categories_on == "rating" else []
    extra = {
        "debt_ratio": figures.ratio,
        "grid": "A <= 5%, B <= 10%, C <= 20%, D <= 50%, E",
        # What the ratio is made of: derived again when other collectors add to the debt.
        "debt_minutes": figures.debt_minutes,
        "lines_of_code": figures.lines,
        "cost_per_line_minutes": figures.pricing.cost_per_line_minutes,
    }
    value = float(RATINGS.index(figures.rating) + 1)
    return Measurement("rating", value=value, details=details, extra=extra)


class _Located(NamedTuple):
    path: str
    function: FunctionComplexity


def _complexity(figures: _StaticFigures) -> Measurement:
    functions = [
        _Located(key, function)
        for key, result in figures.analysis.files.items()
        for function in result.functions
    ]
    functions.sort(key=lambda item: (-item.function.complexity, item.path, item.function.line))
    worst = functions[0].function.rank if functions else "A"
    ranks = dict.fromkeys(RANKS, 0)
    for item in functions:
        ranks[item.function.rank] += 1
    details = [
        Detail(
            escape(f"{item.path}:{item.function.line} {item.function.name}"),
            rank_number(item.function.rank),
            Unit.RANK,
            f"complexity {item.function.complexity}",
        )
        for item in functions[:TOP]
        if item.function.rank != "A"
    ]
    extra = {
        "functions_analysed": len(functions),
        "ranks": ranks,
        "worst": [
            {
                "path": item.path,
                "line": item.function.line,
                "name": item.function.name,
                "complexity": item.function.complexity,
                "rank": item.function.rank,
            }
            for item in functions[:50]
        ],
    }
    hint = ""
    if functions and worst > "A":
        top = functions[0]
        where = f"{top.path}:{top.function.line}, complexity {top.function.complexity}"
        hint = escape(f"split {top.function.name} ({where}) first")
    items = [
        Item(
            "complexity",
            item.path,
            item.function.line,
            rank_number(item.function.rank),
            escape(
                f"{item.path}:{item.function.line}: {item.function.name} has complexity "
                f"{item.function.complexity} (rank {item.function.rank})"
            ),
        )
        for item in functions
        if item.function.rank != "A"
    ]
    return Measurement(
        "complexity",
        value=rank_number(worst),
        details=details,
        hint=hint,
        extra=extra,
        items=items,
        items_add_up=False,
    )


def _critical(figures: _StaticFigures) -> Measurement:
    critical = sorted(
        (finding for finding in figures.findings if finding.critical),
        key=lambda item: (item.path, item.line),
    )
    details = [
        Detail(
            escape(f"{finding.path}:{finding.line}"),
            1,
            Unit.COUNT,
            f"{escape(finding.code)}: {finding.message}",
        )
        for finding in critical[:TOP]
    ]
    extra = {"findings": [finding.to_dict() for finding in critical[:FINDINGS_IN_REPORT]]}
    items = [_item(finding, 1.0) for finding in critical]
    return Measurement(
        "critical", value=float(len(critical)), details=details, extra=extra, items=items
    )


# The figure of each gate the static analysis measures, by gate name.
BUILDERS: dict[str, Callable[[_StaticFigures], Measurement]] = {
    "debt": _debt,
    "debt_ratio": _debt_ratio,
    "rating": _rating,
    "complexity": _complexity,
    "critical": _critical,
}
