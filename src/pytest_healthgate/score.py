"""The health score: one number from 0 to 100 made of the gates' margins.

Formula version 1 (``FORMULA``), documented with a worked example in
``docs/score.md``:

* Each gate with a value and a bound scores from how far its value is from the
  gate's *ideal* (100 % covered, zero debt, rank A, ...), measured in units of
  the distance from the ideal to its bound (the ``fail`` bound, else ``warn``):
  ``x = distance(value, ideal) / distance(bound, ideal)``. A gate at its ideal
  scores 100, at its bound 70, and past it falls to 0 at twice the distance:
  ``100 - 30x`` for ``x <= 1``, ``70 (2 - x)`` up to ``x = 2``, then 0. A bound
  at the ideal itself (``critical = { fail = 0 }``) scores 100 at the ideal and
  0 anywhere else. A gate that FAILs inside its bound (a per-path floor, the
  ratchet) scores at most 70, as if at its bound.
* The score is the weighted mean of the scored gates. A gate that was not
  measured (skipped, an error, no value) or has no bound is *left out*, and its
  weight is reported as left out: the weighting of the others is never silently
  changed without saying so.
* Any finding of a gate whose catalogue entry says ``caps_score`` (critical
  issues) caps the score at ``CRITICAL_CAP``, the top of the crisis band.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from pytest_healthgate.catalogue import MetricSpec
from pytest_healthgate.model import Direction, GateResult, Measurement, Verdict
from pytest_healthgate.units import Unit

if TYPE_CHECKING:
    from pytest_healthgate.collect.lifecycle import Collector, CollectorContext

FORMULA = 1
AT_BOUND = 70.0  # points of a gate exactly at its bound: the bottom of "fair"
CRITICAL_CAP = 49.0  # any critical finding: the score is in the crisis band at best
# The lowest score of each band, best first.
BANDS = (
    (90.0, "excellent"),
    (80.0, "good"),
    (70.0, "fair"),
    (60.0, "poor"),
    (50.0, "critical"),
    (0.0, "crisis"),
)
RANK_A = 1.0  # ranks are numbered A = 1 ... F = 6 (units.rank_number)


def band(score: float) -> str:
    """The band a score falls in."""
    return next(name for lowest, name in BANDS if score >= lowest)


def ideal(unit: Unit, direction: Direction, bound: float) -> float:
    """The best value a gate can have, from which distances are measured.

    A higher-is-better figure with no ceiling (a project's own ``number``, say
    requests per second) has none; twice its bound counts as ideal.
    """
    if unit is Unit.PERCENT:
        return 100.0 if direction is Direction.HIGHER else 0.0
    if unit is Unit.RANK:
        return RANK_A
    if direction is Direction.HIGHER:
        return 2.0 * bound
    return 0.0


def gate_points(value: float, bound: float, best: float) -> float:
    """0-100 for ``value``: 100 at ``best``, ``AT_BOUND`` at ``bound``, 0 at twice as far."""
    span = abs(bound - best)
    distance = abs(value - best)
    better_than_best = (value - best) * (bound - best) < 0  # beyond the ideal: as good
    if distance == 0 or better_than_best:
        return 100.0
    if span == 0:
        return 0.0
    x = distance / span
    if x <= 1:
        return 100.0 - (100.0 - AT_BOUND) * x
    return max(0.0, AT_BOUND * (2.0 - x))


@dataclass(frozen=True)
class GateScore:
    """One gate's share of the score: its points, weight, or why it was left out."""

    name: str
    weight: float
    points: float | None  # None: left out
    left_out: str = ""  # why, when points is None


@dataclass(frozen=True)
class Health:
    """A run's score, its band, and what it is made of."""

    score: float | None  # None when no gate could be scored
    gates: tuple[GateScore, ...]
    capped: str = ""  # why the score was capped, if it was
    formula: int = FORMULA
    moved: str = ""  # why it moved since the previous run in history, when there is one
    since_baseline: str = ""  # why it differs from the committed baseline's figures
    trend: str = ""  # the score over the last runs in history, from the third run on

    @property
    def band(self) -> str:
        return band(self.score) if self.score is not None else "unmeasured"

    @property
    def scored(self) -> tuple[GateScore, ...]:
        return tuple(gate for gate in self.gates if gate.points is not None)

    @property
    def left_out(self) -> tuple[GateScore, ...]:
        return tuple(gate for gate in self.gates if gate.points is None)

    def contributions(self) -> dict[str, float]:
        """Each scored gate's points towards the score (they add up to it, uncapped)."""
        total = sum(gate.weight for gate in self.scored)
        if total == 0:
            return {}
        return {gate.name: gate.weight * (gate.points or 0.0) / total for gate in self.scored}


def score_gate(gate: GateResult, spec: MetricSpec | None, weight: float) -> GateScore:
    """One gate's points, or why it is left out."""
    if gate.verdict in (Verdict.SKIP, Verdict.ERROR) or gate.value is None:
        return GateScore(gate.name, weight, None, f"not measured ({gate.verdict.value})")
    bound = gate.bounds.fail if gate.bounds.fail is not None else gate.bounds.warn
    if bound is None:
        return GateScore(gate.name, weight, None, "no bound to score against")
    unit = spec.unit if spec is not None else gate.unit
    points = gate_points(gate.value, bound, ideal(unit, gate.direction, bound))
    if gate.verdict is Verdict.FAIL:  # failed by a floor or the ratchet: at best at its bound
        points = min(points, AT_BOUND)
    return GateScore(gate.name, weight, points)


def _weight(name: str, spec: MetricSpec | None, weights: Mapping[str, float]) -> float:
    return weights.get(name, spec.score_weight if spec is not None else 1.0)


def _cap(gate: GateResult, spec: MetricSpec | None) -> str:
    """Why this gate caps the score, or nothing."""
    if spec is None or not spec.caps_score or not gate.value:
        return ""
    return f"{gate.name} = {gate.value:g}: any critical finding caps the score at {CRITICAL_CAP:g}"


def _scores(
    gates: Iterable[GateResult], catalogue: Mapping[str, MetricSpec], weights: Mapping[str, float]
) -> tuple[list[GateScore], str]:
    """Each gate's score (gates weighted 0 dropped), and the first cap any of them sets."""
    scores = []
    capped = ""
    for gate in gates:
        spec = catalogue.get(gate.name)
        if spec is not None and spec.derived:
            continue  # the score's own gate is not part of the score
        weight = _weight(gate.name, spec, weights)
        if weight > 0:
            scores.append(score_gate(gate, spec, weight))
            capped = capped or _cap(gate, spec)
    return scores, capped


def _not_judged(
    names: Iterable[str], catalogue: Mapping[str, MetricSpec], weights: Mapping[str, float]
) -> list[GateScore]:
    weighed = [(name, _weight(name, catalogue.get(name), weights)) for name in names]
    return [GateScore(name, w, None, "not judged by this command") for name, w in weighed if w > 0]


def health(
    gates: Iterable[GateResult],
    catalogue: Mapping[str, MetricSpec],
    weights: Mapping[str, float] | None = None,
    *,
    absent: Iterable[str] = (),
) -> Health:
    """The score of a run's judged gates; ``weights`` override the catalogue's.

    ``absent``: gates the project configured that this run did not judge (``healthgate
    check`` judges the static gates only); they are listed as left out with their weight.
    """
    weights = weights or {}
    scores, capped = _scores(gates, catalogue, weights)
    scores += _not_judged(absent, catalogue, weights)
    scored = [gate for gate in scores if gate.points is not None]
    total = sum(gate.weight for gate in scored)
    if total == 0:
        return Health(None, tuple(scores), capped)
    value = sum(gate.weight * (gate.points or 0.0) for gate in scored) / total
    if capped:
        value = min(value, CRITICAL_CAP)
    return Health(round(value, 1), tuple(scores), capped)


def describe(health: Health) -> list[str]:
    """The score, its band and what it left out, as the terminal and Markdown show it."""
    if health.score is None:
        return ["health: unmeasured (no judged gate has a value and a bound)"]
    lines = [f"health: {health.score:g}/100 ({health.band}; formula {health.formula})"]
    if health.capped:
        lines.append(f"health: capped: {health.capped}")
    if health.left_out:
        left = ", ".join(
            f"{gate.name} (weight {gate.weight:g}: {gate.left_out})" for gate in health.left_out
        )
        lines.append(f"health: left out: {left}")
    if health.moved:
        lines.append(health.moved)
    if health.since_baseline:
        lines.append(health.since_baseline)
    if health.trend:
        lines.append(health.trend)
    return lines


def to_document(health: Health) -> dict[str, object]:
    """The JSON report's ``health`` object."""
    return {
        "score": health.score,
        "band": health.band,
        "formula": health.formula,
        "capped": health.capped or None,
        "moved": health.moved or None,
        "since_baseline": health.since_baseline or None,
        "trend": health.trend or None,
        "gates": [
            {
                "name": gate.name,
                "weight": gate.weight,
                "points": None if gate.points is None else round(gate.points, 2),
                "left_out": gate.left_out or None,
            }
            for gate in health.gates
        ],
    }


def from_history(
    score: float | None, formula: int | None, gates: Mapping[str, tuple[float | None, float | None]]
) -> Health:
    """A past run's health from its history row: gate -> (points, weight)."""
    return Health(
        score,
        tuple(
            GateScore(name, weight or 0.0, points, "" if points is not None else "left out")
            for name, (points, weight) in gates.items()
            if weight is not None
        ),
        formula=formula if formula is not None else 0,
    )


SMALLEST_MOVE = 0.005  # points; below it a gate did not move (rounding noise)


def _mean(scores: Mapping[str, tuple[float, float]]) -> float:
    """The weighted mean of (weight, points) pairs; 0 when they weigh nothing."""
    total = sum(weight for weight, _points in scores.values())
    return sum(w * p for w, p in scores.values()) / total if total else 0.0


def _shares(health: Health) -> dict[str, tuple[float, float]]:
    return {gate.name: (gate.weight, gate.points or 0.0) for gate in health.scored}


def point_moves(before: Health, after: Health) -> dict[str, float]:
    """Each gate's share of the (uncapped) score's move, in points; they add up to it.

    Gates scored in both runs move it by ``weight x (points now - points then)``
    over their total weight; a gate scored now only by how far its points lie from
    what the others scored (``weight x (points - mean of the others)`` over today's
    total weight), and a gate left out now likewise on the earlier run's side. So
    a gate entering the score is not read as every other gate losing points.
    """
    then, now = _shares(before), _shares(after)
    common = set(then) & set(now)
    then_common = _mean({name: then[name] for name in common})
    now_common = _mean({name: now[name] for name in common})
    common_weight = sum(now[name][0] for name in common)
    moves = {
        name: now[name][0] * (now[name][1] - then[name][1]) / common_weight
        for name in common
        if common_weight
    }
    now_weight = sum(weight for weight, _points in now.values())
    for name in set(now) - common:
        weight, points = now[name]
        moves[name] = weight * (points - now_common) / now_weight
    then_weight = sum(weight for weight, _points in then.values())
    for name in set(then) - common:
        weight, points = then[name]
        moves[name] = weight * (then_common - points) / then_weight
    return moves


def _moves(before: Health, after: Health, where: Mapping[str, str]) -> list[tuple[float, str]]:
    """Each gate's move in points (largest first), with the file that moved it when known;
    a gate scored in only one run is named as such."""
    scored_then = {gate.name for gate in before.scored}
    scored_now = {gate.name for gate in after.scored}
    moves = []
    for name, delta in sorted(point_moves(before, after).items()):
        # A move too small for one decimal still explains a score shown to one.
        shown = f"{delta:+.1f}" if abs(delta) >= 0.05 else f"{delta:+.2f}"
        if name not in scored_then or name not in scored_now:
            state = "scored" if name in scored_now else "left out"
            moves.append((float("inf"), f"{name} {state} now ({shown} points)"))
        elif abs(delta) >= SMALLEST_MOVE:
            because = f" ({where[name]})" if where.get(name) else ""
            moves.append((abs(delta), f"{name} {shown} points{because}"))
    return sorted(moves, key=lambda move: -move[0])


def why_it_moved(
    before: Health,
    after: Health,
    *,
    shown: int = 3,
    where: Mapping[str, str] | None = None,
    since: str = "",
) -> str:
    """``health 81 -> 77: coverage -2.1 points (src/pkg/io.py lost 40 covered lines)``.

    The largest moves, each with the file that moved its gate most when ``where``
    names one (``moves``). A gate scored in one run and left out of the other is
    named as such. Scores of two formula versions are not compared. ``since`` names
    what is compared with ("since the baseline"); the default is the previous run.
    """
    if before.score is None or after.score is None or before.formula != after.formula:
        return ""
    moves = _moves(before, after, where or {})
    reasons = [text for _size, text in moves[:shown]]
    if after.capped and before.score > CRITICAL_CAP:  # the cap explains the fall
        reasons.insert(0, after.capped)
    head = f"health {before.score:g} -> {after.score:g}{f' {since}' if since else ''}"
    return f"{head}: {', '.join(reasons)}" if reasons else f"{head}: no gate moved"


TREND_FROM = 3  # runs with a score before a trend line is shown


def trend_line(scores: Sequence[float | None]) -> str:
    """``health trend over the last 3 runs: ▁▅█ 90 -> 95 -> 97.5`` (oldest first)."""
    from pytest_healthgate.report.sparkline import sparkline

    known = [score for score in scores if score is not None]
    if len(known) < TREND_FROM:
        return ""
    shown = " -> ".join(f"{score:g}" for score in known)
    return f"health trend over the last {len(known)} runs: {sparkline(known)} {shown}"


def baseline_health(
    gates: Iterable[GateResult],
    catalogue: Mapping[str, MetricSpec],
    weights: Mapping[str, float],
) -> Health | None:
    """The score the committed baseline's figures would have under today's bounds and
    weights, or None when no gate has a baseline figure. A gate without one keeps
    today's figure, so it does not move."""
    then = []
    compared = False
    for gate in gates:
        recorded = (gate.baseline or {}).get("value")
        measured = gate.verdict not in (Verdict.SKIP, Verdict.ERROR)
        if isinstance(recorded, int | float) and measured:
            compared = True
            then.append(replace(gate, value=float(recorded), verdict=Verdict.PASS))
        else:
            then.append(gate)
    return health(then, catalogue, weights) if compared else None


GATE = "health"  # the gate that judges the score (derived: measured by ``measurement``)


def measurement(health: Health) -> Measurement:
    """The score as the ``health`` gate's figure; an error when no gate could be scored."""
    if health.score is None:
        return Measurement(GATE, error="no judged gate has a value and a bound to score")
    return Measurement(GATE, value=health.score, precision=1)


def create(context: CollectorContext) -> Collector:
    """The score's collector measures nothing itself: the pipeline scores the judged gates."""
    from pytest_healthgate.collect.lifecycle import Collector

    return Collector(context)
