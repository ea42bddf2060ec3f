"""Why a gate's points moved, named by file: "src/pkg/io.py lost 40 covered lines".

A score that moves with no reason is the complaint users make most of scoring
tools, and "coverage -2.1 points" only says which gate. Each run therefore keeps,
per gate, one figure per file (``FileFigures``): for coverage the covered units
of each file and how many it has (from the gate's ``extra["file_units"]``), for a
gate counted from findings (debt, critical, complexity) the cost of the file's
findings and how many there are (from ``RunResult.findings``). Comparing two
runs' figures names the file that moved the gate most in the direction its
points moved. The history keeps the figures (``store.history``), so the previous
run can be compared without re-measuring it; against the committed baseline the
ratchet's own comparison says where (``since_baseline``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from pytest_healthgate.model import GateResult, RunResult

# gate -> project-relative path -> (figure, count): covered units and coverable units
# for coverage; the findings' cost and how many findings for the other gates.
FileFigures = dict[str, dict[str, tuple[float, int]]]


def file_figures(result: RunResult) -> FileFigures:
    """This run's per-file figures of every gate that has them."""
    # Every measured gate has an entry, empty when no file has a figure (no findings),
    # so that the next run can tell "none" from "not kept".
    figures: FileFigures = {gate.name: {} for gate in result.gates if gate.value is not None}
    for gate in result.gates:
        units = gate.extra.get("file_units")
        if isinstance(units, dict):
            figures[gate.name] = _covered_units(units)
    for finding in result.findings:
        for name, cost in finding.costs.items():
            if name in figures:
                total, count = figures[name].get(finding.path, (0.0, 0))
                figures[name][finding.path] = (total + cost, count + 1)
    return figures


def _covered_units(units: dict[str, Any]) -> dict[str, tuple[float, int]]:
    return {
        str(path): (float(part["units"] - part["missing"]), int(part["units"]))
        for path, part in units.items()
        if isinstance(part, dict)
    }


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _covered(gate: GateResult, count: int) -> str:
    if gate.extra.get("branch"):  # units are lines and branches then
        return f"{count} covered {'line or branch' if count == 1 else 'lines and branches'}"
    return f"{count} covered {'line' if count == 1 else 'lines'}"


def _coverage_reason(
    gate: GateResult, before: Mapping[str, tuple[float, int]], now: Mapping[str, tuple[float, int]]
) -> str:
    fell = _fell(gate, before, now)
    deltas = {
        path: now.get(path, (0.0, 0))[0] - before.get(path, (0.0, 0))[0]
        for path in set(before) | set(now)
    }
    path, delta = _largest(deltas, fell)
    if path is None:
        return ""
    verb = "lost" if delta < 0 else "gained"
    return f"{path} {verb} {_covered(gate, round(abs(delta)))}"


def _fell(
    gate: GateResult, before: Mapping[str, tuple[float, int]], now: Mapping[str, tuple[float, int]]
) -> bool:
    """Whether the gate's figure got worse, from the per-file figures alone."""

    def ratio(files: Mapping[str, tuple[float, int]]) -> float:
        units = sum(count for _value, count in files.values())
        return sum(value for value, _count in files.values()) / units if units else 1.0

    return ratio(now) < ratio(before)


def _largest(deltas: Mapping[str, float], fell: bool) -> tuple[str | None, float]:
    """The file that moved most in the direction of the gate's move (ties: path order)."""
    wanted = [(path, d) for path, d in sorted(deltas.items()) if (d < 0 if fell else d > 0)]
    if not wanted:
        return None, 0.0
    return max(wanted, key=lambda entry: abs(entry[1]))


def _findings_reason(
    before: Mapping[str, tuple[float, int]], now: Mapping[str, tuple[float, int]]
) -> str:
    deltas = {
        path: float(now.get(path, (0.0, 0))[1] - before.get(path, (0.0, 0))[1])
        for path in set(before) | set(now)
    }
    more = sum(d for d in deltas.values())
    path, delta = _largest(deltas, fell=more < 0)
    if path is None:
        return ""
    count = int(abs(delta))
    if delta > 0:
        return f"{_plural(count, 'new finding')} in {path}"
    return f"{_plural(count, 'finding')} fixed in {path}"


def reasons(result: RunResult, before: FileFigures, now: FileFigures) -> dict[str, str]:
    """For each gate, the file that moved it most since the run ``before`` describes.

    A run kept with no per-file figures at all (written before the history kept
    them) names no file; otherwise a gate absent from one side had no findings there.
    """
    found: dict[str, str] = {}
    if not before:
        return found
    for gate in result.gates:
        then, current = before.get(gate.name, {}), now.get(gate.name, {})
        if "file_units" in gate.extra:
            text = _coverage_reason(gate, then, current)
        else:
            text = _findings_reason(then, current)
        if text:
            found[gate.name] = text
    return found


def baseline_reasons(result: RunResult) -> dict[str, str]:
    """Where each gate moved since the committed baseline, from the ratchet's comparison:
    the file with most new uncovered lines, or with most new findings."""
    found = {}
    for gate in result.gates:
        compared: dict[str, Any] = gate.baseline or {}
        files = [str(entry) for entry in compared.get("files") or []]
        places = Counter(
            str(place.get("path")) for place in compared.get("added_at") or [] if place
        )
        if files:
            found[gate.name] = files[0]
        elif places:
            (path, count), *_ = sorted(places.items(), key=lambda entry: (-entry[1], entry[0]))
            found[gate.name] = f"{_plural(count, 'new finding')} in {path}"
    return found
