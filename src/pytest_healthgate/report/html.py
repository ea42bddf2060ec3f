"""The HTML dashboard: one self-contained file a reader opens from a CI artifact.

Written by ``--healthgate-report=html[:PATH]`` and ``healthgate report html``.
It holds the verdict and the health score with its band and reasons, the gate
table, trend charts drawn from ``.healthgate/history.sqlite`` (the score and
every gate with a figure, one point per run, as inline SVG), coverage by file
(worst first) and debt by file and by category. It needs nothing else: no
script, no font, no stylesheet or image from anywhere (a Content-Security-Policy
of ``default-src 'none'`` says so to the browser), so it opens the same from a
zip, a mail or an air-gapped machine. Every string from the project or a tool
goes through ``html.escape`` (quotes included), in HTML and SVG alike.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from pytest_healthgate.model import GateResult, RunResult, Verdict
from pytest_healthgate.report.badge import COLOURS
from pytest_healthgate.report.svg_chart import Point, chart
from pytest_healthgate.units import Unit, format_value

if TYPE_CHECKING:
    from pytest_healthgate.store.history import RunRow

HISTORY_SHOWN = 30  # runs in each trend chart
HEALTH_COLOUR = "#ad1457"  # the score's chart: a colour used nowhere else on the page
FILES_SHOWN = 200  # rows of the coverage and debt tables
VERDICT_COLOURS = {
    Verdict.PASS: "#2e7d32",
    Verdict.WARN: "#f9a825",
    Verdict.FAIL: "#c62828",
    Verdict.ERROR: "#6a1b9a",
    Verdict.SKIP: "#757575",
}
STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 70em; color: #222; }
h1 { font-size: 1.6em; } h2 { margin-top: 1.6em; border-bottom: 1px solid #ddd; }
.score { font-size: 3em; font-weight: bold; padding: .1em .4em; color: #fff; border-radius: .2em; }
table { border-collapse: collapse; } td, th { padding: .25em .6em; text-align: left; }
tr:nth-child(even) { background: #f6f6f6; } td.num { text-align: right; }
.verdict { font-weight: bold; } .bar { height: .8em; background: #1565c0; }
.charts { display: flex; flex-wrap: wrap; gap: 1em; } figure { margin: 0; }
figcaption { font-weight: bold; } .empty, .note { color: #666; }
"""
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def _text(value: object) -> str:
    return escape(str(value), quote=True)


def _figure(gate: GateResult, value: float | None) -> str:
    return "-" if value is None else format_value(value, gate.unit, gate.precision)


def _head(result: RunResult) -> list[str]:
    verdict = "FAIL" if result.failed else "PASS"
    health = result.health
    score = "" if health is None or health.score is None else f" - health {health.score:g}/100"
    return [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        f"<title>healthgate: {verdict}{_text(score)}</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<h1>healthgate: {verdict}</h1>",
    ]


def _score(result: RunResult) -> list[str]:
    from pytest_healthgate.score import describe

    health = result.health
    if health is None:
        return []
    colour = COLOURS[health.band]
    shown = "unmeasured" if health.score is None else f"{health.score:g}"
    lines = describe(health)
    parts = [
        '<section id="score"><h2>Health score</h2>',
        f'<p><span class="score" style="background:{colour}">{_text(shown)}</span> '
        f'<span class="band">{_text(health.band)}</span> (formula {health.formula})</p>',
        "<ul>",
        *(f"<li>{_text(line)}</li>" for line in lines[1:]),
        "</ul>",
        "<table><tr><th>gate</th><th>weight</th><th>points</th></tr>",
    ]
    for gate in health.gates:
        points = gate.left_out if gate.points is None else f"{gate.points:.1f}"
        parts.append(
            f"<tr><td>{_text(gate.name)}</td><td class=num>{gate.weight:g}</td>"
            f"<td class=num>{_text(points)}</td></tr>"
        )
    return [*parts, "</table></section>"]


def _gates(result: RunResult) -> list[str]:
    parts = [
        '<section id="gates"><h2>Gates</h2><table>',
        "<tr><th>gate</th><th>value</th><th>warn</th><th>fail</th><th>verdict</th>"
        "<th>reason</th></tr>",
    ]
    for gate in result.gates:
        colour = VERDICT_COLOURS[gate.verdict]
        verdict = gate.verdict.value + (f" ({gate.origin})" if gate.origin else "")
        parts.append(
            f"<tr><td>{_text(gate.name)}</td><td class=num>{_text(_figure(gate, gate.value))}</td>"
            f"<td class=num>{_text(_figure(gate, gate.bounds.warn))}</td>"
            f"<td class=num>{_text(_figure(gate, gate.bounds.fail))}</td>"
            f'<td class="verdict" style="color:{colour}">{_text(verdict)}</td>'
            f"<td>{_text(gate.reason or gate.hint if gate.verdict is not Verdict.PASS else '')}"
            f"</td></tr>"
        )
    return [*parts, "</table></section>"]


def _history(result: RunResult) -> list[RunRow]:
    from pytest_healthgate.store import history

    root = result.metadata.get("root")
    if not isinstance(root, str) or not Path(root).is_dir():
        return []
    import sqlite3

    try:
        runs, _notes = history.read(Path(root), last=HISTORY_SHOWN)
    except (history.HistoryError, OSError, sqlite3.Error):
        return []  # a history that cannot be read never costs the report
    return runs


def _run_label(run: RunRow) -> str:
    commit = (run.commit or "")[:8]
    return f"{run.time} {commit}".strip()


def _trends(result: RunResult) -> list[str]:
    runs = _history(result)
    parts = ['<section id="trends"><h2>Trends</h2>']
    if not runs:
        parts.append('<p class="empty">No run in the history yet.</p></section>')
        return parts
    parts.append(f'<p class="note">The last {len(runs)} runs, oldest first.</p>')
    score = [
        Point(_run_label(run), run.score, "-" if run.score is None else f"{run.score:g}")
        for run in runs
    ]
    parts.append('<div class="charts">')
    parts.append(
        '<figure id="trend-health"><figcaption>health</figcaption>'
        f"{chart('health score', score, HEALTH_COLOUR)}</figure>"
    )
    for gate in result.gates:
        points = [_gate_point(run, gate) for run in runs]
        if any(point.value is not None for point in points):
            name = _text(gate.name)
            parts.append(
                f'<figure id="trend-{name}"><figcaption>{name}</figcaption>'
                f"{chart(gate.name, points)}</figure>"
            )
    return [*parts, "</div></section>"]


def _gate_point(run: RunRow, gate: GateResult) -> Point:
    metric = run.metrics.get(gate.name)
    value = None if metric is None else metric.value
    return Point(_run_label(run), value, _figure(gate, value))


def _bar(share: float) -> str:
    width = max(0.0, min(share, 1.0)) * 12
    return f'<div class="bar" style="width:{width:.2f}em"></div>'


def _coverage(result: RunResult) -> list[str]:
    gate = next((g for g in result.gates if g.name == "coverage"), None)
    if gate is None or not isinstance(gate.extra.get("files"), dict):
        return []
    percents: dict[str, float] = {str(k): float(v) for k, v in gate.extra["files"].items()}
    units = gate.extra.get("file_units") or {}
    ranked = sorted(percents.items(), key=lambda item: (item[1], item[0]))
    parts = [
        '<section id="coverage"><h2>Coverage by file</h2><table>',
        "<tr><th>file</th><th>covered</th><th></th><th>missed</th></tr>",
    ]
    for path, percent in ranked[:FILES_SHOWN]:
        missed = (units.get(path) or {}).get("missing", "")
        parts.append(
            f"<tr><td>{_text(path)}</td><td class=num>{percent:.1f}%</td>"
            f"<td>{_bar(percent / 100)}</td><td class=num>{_text(missed)}</td></tr>"
        )
    parts.append("</table>")
    parts += _more(len(ranked))
    return [*parts, "</section>"]


def _more(count: int) -> list[str]:
    if count <= FILES_SHOWN:
        return []
    return [f'<p class="note">{count - FILES_SHOWN} more files not shown.</p>']


def _debt_rows(title: str, totals: dict[str, tuple[float, int]]) -> list[str]:
    ranked = sorted(totals.items(), key=lambda item: (-item[1][0], item[0]))
    most = ranked[0][1][0] if ranked else 0.0
    parts = [
        f"<h3>{_text(title)}</h3><table>",
        "<tr><th></th><th>debt</th><th></th><th>findings</th></tr>",
    ]
    for name, (seconds, count) in ranked[:FILES_SHOWN]:
        share = seconds / most if most else 0.0
        parts.append(
            f"<tr><td>{_text(name)}</td><td class=num>"
            f"{_text(format_value(seconds, Unit.DURATION, 1))}</td><td>{_bar(share)}</td>"
            f"<td class=num>{count}</td></tr>"
        )
    return [*parts, "</table>", *_more(len(ranked))]


def _debt(result: RunResult) -> list[str]:
    by_file: dict[str, tuple[float, int]] = defaultdict(lambda: (0.0, 0))
    by_category: dict[str, tuple[float, int]] = defaultdict(lambda: (0.0, 0))
    for finding in result.findings:
        cost = finding.costs.get("debt")
        if cost is None:
            continue
        category = finding.rule.partition(":")[0]
        for table, key in ((by_file, finding.path), (by_category, category)):
            seconds, count = table[key]
            table[key] = (seconds + cost, count + 1)
    if not by_file:
        return []
    return [
        '<section id="debt"><h2>Debt</h2>',
        *_debt_rows("by file", dict(by_file)),
        *_debt_rows("by category", dict(by_category)),
        "</section>",
    ]


def hotspots_section(rows: Iterable[tuple[str, float, int, float]]) -> list[str]:
    """Files ranked by change frequency times debt: (path, score, changes, debt seconds).

    Nothing when there are no rows (``healthgate hotspots`` computes them).
    """
    ranked = list(rows)
    if not ranked:
        return []
    parts = [
        '<section id="hotspots"><h2>Hotspots</h2>',
        '<p class="note">Changes in the last 90 days times debt hours: where debt costs '
        "most.</p><table>",
        "<tr><th>file</th><th>score</th><th>changes</th><th>debt</th></tr>",
    ]
    for path, score, changes, seconds in ranked[:FILES_SHOWN]:
        parts.append(
            f"<tr><td>{_text(path)}</td><td class=num>{score:.1f}</td>"
            f"<td class=num>{changes}</td>"
            f"<td class=num>{_text(format_value(seconds, Unit.DURATION, 1))}</td></tr>"
        )
    return [*parts, "</table></section>"]


def _hotspots(result: RunResult) -> list[tuple[str, float, int, float]]:
    """The run's debt by file times how often each file changed (``healthgate hotspots``)."""
    from pytest_healthgate.hotspots import (
        DEFAULT_WINDOW_DAYS,
        HotspotError,
        changes,
        debt_by_file,
        rank,
    )

    root = result.metadata.get("root")
    debt = debt_by_file(result.findings)
    if not isinstance(root, str) or not debt or not Path(root).is_dir():
        return []
    try:
        touched = changes(Path(root), DEFAULT_WINDOW_DAYS)
    except HotspotError:
        return []  # no history here: the report simply has no hotspots
    return [spot.row() for spot in rank(touched, debt)]


def render(
    result: RunResult, hotspots: Sequence[tuple[str, float, int, float]] | None = None
) -> str:
    if hotspots is None:
        hotspots = _hotspots(result)
    parts = [
        *_head(result),
        *_score(result),
        *_gates(result),
        *_trends(result),
        *_coverage(result),
        *_debt(result),
        *hotspots_section(hotspots),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"
