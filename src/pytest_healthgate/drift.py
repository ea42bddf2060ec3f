"""Steady worsening: a gate inside its bounds that got worse run after run.

A gate that passes is turned into a WARN when its figure was worse than the run
before in each of the last ``trend_runs`` runs (this run included, from the
history) and, over those runs, got worse by more than ``trend_share`` of its
first value. Only complete runs count (a partial run measures less), and a run
without a figure breaks the streak. The reason shows the figures, oldest first.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import replace

from pytest_healthgate.model import Direction, GateResult, Verdict
from pytest_healthgate.store.history import RunRow
from pytest_healthgate.units import format_value


def _worse(direction: Direction, before: float, after: float) -> bool:
    return after < before if direction is Direction.HIGHER else after > before


def _earlier(name: str, past: Sequence[RunRow], count: int) -> list[float] | None:
    """The gate's figures in the last ``count`` complete runs; None when one has none."""
    complete = [run for run in past if not run.partial][-count:]
    figures = [run.metrics[name].value for run in complete if name in run.metrics]
    known = [value for value in figures if value is not None]
    return known if len(known) == count else None


def streak(gate: GateResult, past: Sequence[RunRow], runs: int) -> list[float] | None:
    """The gate's figures over the last ``runs`` runs when each was worse than the one
    before, oldest first; None otherwise."""
    earlier = _earlier(gate.name, past, runs - 1)
    if gate.value is None or earlier is None:
        return None
    figures = [*earlier, gate.value]
    steps = itertools.pairwise(figures)
    if all(_worse(gate.direction, before, after) for before, after in steps):
        return figures
    return None


def drifted(gate: GateResult, past: Sequence[RunRow], runs: int, share: float) -> GateResult:
    """The gate, turned to WARN with its trend when it passes but worsened steadily."""
    if gate.verdict is not Verdict.PASS:
        return gate
    figures = streak(gate, past, runs)
    if figures is None:
        return gate
    first, last = figures[0], figures[-1]
    moved = abs(last - first)
    if first == 0 or moved / abs(first) <= share:
        return gate
    shown = " -> ".join(format_value(value, gate.unit, gate.precision) for value in figures)
    reason = (
        f"worse in each of the last {runs} runs ({shown}, {moved / abs(first):.0%} worse); "
        f"still inside its bounds"
    )
    return replace(gate, verdict=Verdict.WARN, reason=reason)
