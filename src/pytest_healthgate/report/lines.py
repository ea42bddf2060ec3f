"""``path:line:col: rule message``, one line per finding: what editors and CI problem matchers read.

The findings are the items the static gates' measurements carry
(``Measurement.items``): every debt and critical finding, and each function past
the complexity gate's bound (its warn bound when it has one, else its fail
bound). A finding that two gates count (a high-severity bandit finding is debt
and critical) is listed once. The tools give no column, so it is 1; a finding
about a whole file (line 0) is put on line 1.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from pytest_healthgate.gates import beyond
from pytest_healthgate.model import Bounds, Finding, Item, Measurement
from pytest_healthgate.report.escape import escape

if TYPE_CHECKING:
    from pytest_healthgate.catalogue import MetricSpec

UNKNOWN_COLUMN = 1
__all__ = ["Finding", "findings", "render", "render_one"]


def findings(
    measurements: Iterable[Measurement],
    bounds: Mapping[str, Bounds],
    metrics: Mapping[str, MetricSpec],
) -> list[Finding]:
    """The findings behind the judged gates, in path and line order."""
    found: dict[tuple[str, int, str, str], Finding] = {}
    for measurement in measurements:
        spec, bound = metrics.get(measurement.name), bounds.get(measurement.name)
        if spec is None or bound is None or not measurement.items:
            continue
        threshold = bound.warn if bound.warn is not None else bound.fail
        for item in measurement.items:
            if not measurement.items_add_up and not beyond(spec, item.cost, threshold):
                continue  # a worst-of figure: only what is past its bound
            finding = _finding(item)
            key = (finding.path, finding.line, finding.rule, finding.message)
            finding = found.setdefault(key, finding)
            finding.gates.append(measurement.name)
            finding.costs[measurement.name] = item.cost
    return [found[key] for key in sorted(found)]  # keyed by (path, line, rule, message)


def _finding(item: Item) -> Finding:
    """An item's label is ``path:line: what``; the code a rule ends with is not repeated."""
    message = item.label.removeprefix(escape(f"{item.path}:{item.line}") + ": ")
    code = item.rule.rpartition(":")[2]
    if code != item.rule:
        message = message.removeprefix(escape(code) + " ")
    return Finding(item.path, max(item.line, 1), UNKNOWN_COLUMN, escape(item.rule), message)


def render_one(finding: Finding) -> str:
    where = f"{escape(finding.path)}:{finding.line}:{finding.column}"
    return f"{where}: {finding.rule} {finding.message}"


def render(found: Iterable[Finding]) -> str:
    return "".join(render_one(finding) + "\n" for finding in found)
