"""The terminal summary: one table row per gate, then one counting line.

Lines come with pytest TerminalWriter markup names (green, yellow, red, bold) so
pytest's ``--color`` and ``NO_COLOR`` decide whether colour is shown; the
``healthgate`` command prints the same lines without markup.
"""

from __future__ import annotations

from pytest_healthgate.model import GateResult, RunResult, Verdict
from pytest_healthgate.units import format_value

Line = tuple[str, dict[str, bool]]
COLOURS = {
    Verdict.PASS: {"green": True},
    Verdict.WARN: {"yellow": True},
    Verdict.FAIL: {"red": True, "bold": True},
    Verdict.ERROR: {"red": True, "bold": True},
    Verdict.SKIP: {},
}
HEADER = ("gate", "value", "warn", "fail", "verdict", "look at")


def _cell(gate: GateResult, value: float | None) -> str:
    return "-" if value is None else format_value(value, gate.unit, gate.precision)


def _row(gate: GateResult) -> tuple[str, ...]:
    if gate.verdict is Verdict.PASS:
        note = gate.reason  # empty, unless the run was partial
    elif gate.verdict in (Verdict.SKIP, Verdict.ERROR):
        note = gate.reason
    else:
        note = gate.hint
    return (
        gate.name,
        _cell(gate, gate.value),
        _cell(gate, gate.bounds.warn),
        _cell(gate, gate.bounds.fail),
        f"{gate.verdict.value} ({gate.origin})" if gate.origin else gate.verdict.value,
        note,
    )


def summary_line(result: RunResult) -> str:
    parts = [
        f"{result.count(Verdict.PASS)} passed",
        f"{result.count(Verdict.WARN)} warned",
        f"{result.count(Verdict.FAIL)} failed",
    ]
    if result.count(Verdict.ERROR):
        parts.append(f"{result.count(Verdict.ERROR)} error")
    if result.count(Verdict.SKIP):
        parts.append(f"{result.count(Verdict.SKIP)} skipped")
    return "healthgate: " + ", ".join(parts)


def render(result: RunResult, *, quiet: bool = False) -> list[Line]:
    """The section's lines; ``quiet`` keeps only non-PASS rows and the final lines."""
    lines = _table(result, quiet)
    if not quiet:
        lines.extend(_details(result))
    lines.extend(_failure_lines(result))
    lines.extend(_adopt_lines(result))
    if not quiet:
        lines.extend(_footer(result))
    partial = result.metadata.get("partial")
    if partial:
        lines.append(
            (
                f"healthgate: partial run: {'; '.join(partial)}. The figures cover only what "
                f"ran, and healthgate-last-run will not accept this record.",
                {"yellow": True},
            )
        )
    lines.extend(_health_lines(result))
    lines.append(_final_line(result))
    lines.extend(_github_lines(result))
    return lines


def _github_lines(result: RunResult) -> list[Line]:
    """Workflow commands GitHub Actions turns into annotations; nothing elsewhere."""
    from pytest_healthgate.report import github

    if not github.on_github():
        return []
    return [(line, {}) for line in github.annotation_lines(result)]


def _health_lines(result: RunResult) -> list[Line]:
    from pytest_healthgate.score import describe

    if result.health is None:
        return []
    return [(f"healthgate: {line}", {}) for line in describe(result.health)]


def _table(result: RunResult, quiet: bool) -> list[Line]:
    shown = [g for g in result.gates if not (quiet and g.verdict is Verdict.PASS)]
    if not shown:
        return []  # no gate, or quiet with every gate passing: no empty table
    rows = [HEADER, *(_row(gate) for gate in shown)]
    widths = [max(len(row[column]) for row in rows) for column in range(len(HEADER) - 1)]
    lines: list[Line] = []
    for index, row in enumerate(rows):
        text = "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False))
        text = f"{text}  {row[-1]}".rstrip()
        markup = {"bold": True} if index == 0 else COLOURS[shown[index - 1].verdict]
        lines.append((text, markup))
    return lines


def _failure_lines(result: RunResult) -> list[Line]:
    return [
        (
            f"healthgate: {gate.verdict.value} {gate.name} = {_cell(gate, gate.value)}: "
            f"{gate.reason}",
            COLOURS[gate.verdict],
        )
        for gate in result.failed
    ]


def _adopt_lines(result: RunResult) -> list[Line]:
    """One line per warning with a reason: a default fail bound the project never
    adopted, an inherited failure, a steady worsening."""
    return [
        (
            f"healthgate: WARN {gate.name} = {_cell(gate, gate.value)}: {gate.reason}",
            {"yellow": True},
        )
        for gate in result.gates
        if gate.verdict is Verdict.WARN and gate.reason and gate.value is not None
    ]


def _footer(result: RunResult) -> list[Line]:
    """The gates this configuration leaves off, and those only `pytest --healthgate` measures."""
    lines: list[Line] = []
    off = [str(name) for name in result.metadata.get("gates_off") or ()]
    if off:
        how = (
            f"set [tool.healthgate.gates.{off[0]}] to turn it on"
            if len(off) == 1
            else "set [tool.healthgate.gates.NAME] to turn one on"
        )
        lines.append((f"healthgate: off: {', '.join(off)} ({how})", {}))
    elsewhere = [str(name) for name in result.metadata.get("measured_by_pytest") or ()]
    if elsewhere:
        lines.append(
            (f"healthgate: measured only by `pytest --healthgate`: {', '.join(elsewhere)}", {})
        )
    return lines


def _final_line(result: RunResult) -> Line:
    if result.failed:
        markup = {"red": True, "bold": True}
    elif result.count(Verdict.WARN):
        markup = {"yellow": True}
    else:
        markup = {"green": True}
    return summary_line(result), markup


def _details(result: RunResult) -> list[Line]:
    lines: list[Line] = []
    for gate in result.gates:
        if not gate.details:
            continue
        lines.append(("", {}))
        lines.append((f"{gate.name}: {gate.detail_title}", {"bold": True}))
        for detail in gate.details[: gate.details_shown]:
            figure = format_value(detail.value, detail.unit, gate.precision)
            note = f"  ({detail.note})" if detail.note else ""
            lines.append((f"  {figure:>9}  {detail.label}{note}", {}))
    if lines:
        lines.append(("", {}))
    return lines
