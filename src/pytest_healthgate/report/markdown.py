"""The Markdown report: a compact gate table, the reasons, the score, the details.

Written by ``--healthgate-report=md:PATH`` and ``healthgate report md``, and
appended to ``$GITHUB_STEP_SUMMARY`` by a gated run on GitHub Actions. GitHub
keeps at most ``STEP_SUMMARY_LIMIT`` bytes of a step's summary, so ``fitted``
cuts deterministically: the detail sections go first (last first), then the
reasons past the first few, and a closing line says what was cut. Every string
from the project or a tool goes through ``cell``/``text``, so a file named
``<img src=x onerror=alert(1)>.py`` stays text.
"""

from __future__ import annotations

import html

from pytest_healthgate.model import GateResult, RunResult, Verdict
from pytest_healthgate.units import format_value

STEP_SUMMARY_LIMIT = 1024 * 1024  # GitHub's limit per step summary, in bytes
ICONS = {
    Verdict.PASS: "PASS",
    Verdict.WARN: "WARN",
    Verdict.FAIL: "**FAIL**",
    Verdict.ERROR: "**ERROR**",
    Verdict.SKIP: "SKIP",
}
MARKDOWN_SPECIALS = "\\`*_{}[]()#+-.!|~"


def text(value: str) -> str:
    """Project text as literal Markdown: HTML escaped, Markdown's specials backslashed,
    line breaks removed (one finding, one line)."""
    escaped = html.escape(" ".join(value.split()), quote=True)
    return "".join(f"\\{char}" if char in MARKDOWN_SPECIALS else char for char in escaped)


def cell(value: str) -> str:
    return text(value) or " "


def _bound(gate: GateResult, bound: float | None) -> str:
    return "-" if bound is None else format_value(bound, gate.unit, gate.precision)


def _title(result: RunResult) -> str:
    verdict = "FAIL" if result.failed else "PASS"
    title = f"## healthgate: {verdict}"
    health = result.health
    if health is not None and health.score is not None:
        title += f" - health {health.score:g}/100 ({health.band})"
    return title


def table(result: RunResult) -> list[str]:
    lines = ["| gate | value | warn | fail | verdict |", "|---|---:|---:|---:|---|"]
    for gate in result.gates:
        value = "-" if gate.value is None else format_value(gate.value, gate.unit, gate.precision)
        verdict = ICONS[gate.verdict] + (f" ({gate.origin})" if gate.origin else "")
        lines.append(
            f"| {cell(gate.name)} | {cell(value)} | {cell(_bound(gate, gate.bounds.warn))} | "
            f"{cell(_bound(gate, gate.bounds.fail))} | {verdict} |"
        )
    return lines


def reasons(result: RunResult) -> list[str]:
    """One bullet per gate that is not PASS, and the score's own lines."""
    from pytest_healthgate.score import describe

    bullets = [
        f"- {gate.verdict.value} {text(gate.name)}: {text(gate.reason)}"
        for gate in result.gates
        if gate.verdict is not Verdict.PASS and gate.reason
    ]
    if result.health is not None:
        bullets += [f"- {text(line)}" for line in describe(result.health)[1:]]
    return bullets


def details(result: RunResult) -> list[list[str]]:
    """One collapsed section per gate with details."""
    sections = []
    for gate in result.gates:
        if not gate.details:
            continue
        lines = [f"<details><summary>{text(gate.name)}: {text(gate.detail_title)}</summary>", ""]
        for detail in gate.details[: gate.details_shown]:
            figure = format_value(detail.value, detail.unit, gate.precision)
            note = f" ({text(detail.note)})" if detail.note else ""
            lines.append(f"- {text(figure)} {text(detail.label)}{note}")
        lines += ["", "</details>"]
        sections.append(lines)
    return sections


def render(result: RunResult) -> str:
    return fitted(result, limit=None)


def fitted(result: RunResult, limit: int | None = STEP_SUMMARY_LIMIT) -> str:
    """The report, cut to ``limit`` bytes (None: whole) with a line saying what was cut."""
    head = [_title(result), "", *table(result)]
    bullets = reasons(result)
    sections = details(result)
    cut_sections = cut_bullets = 0
    while True:
        document = _joined(head, bullets, sections, cut_sections, cut_bullets)
        if limit is None or len(document.encode()) <= limit:
            return document
        if sections:
            sections.pop()
            cut_sections += 1
        elif len(bullets) > 3:
            bullets.pop()
            cut_bullets += 1
        else:
            return _joined(head[:3], [], [], cut_sections, cut_bullets)


def _joined(
    head: list[str],
    bullets: list[str],
    sections: list[list[str]],
    cut_sections: int,
    cut_bullets: int,
) -> str:
    lines = list(head)
    if bullets:
        lines += ["", *bullets]
    for section in sections:
        lines += ["", *section]
    if cut_sections or cut_bullets:
        lines += [
            "",
            f"_Cut to stay under GitHub's step summary limit: {cut_sections} detail "
            f"section(s) and {cut_bullets} reason(s); the full report is in "
            f"`.healthgate/last-run.json`._",
        ]
    return "\n".join(lines) + "\n"
