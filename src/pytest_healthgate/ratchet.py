"""Judge a run against the committed baseline: the ratchet, and inherited vs introduced.

Three kinds of figure are compared, each by what a change can make worse:

* a figure made of items that add up (debt, critical): the items this run has
  that the baseline had not - matched by path, rule and normalised source line,
  then by rule and line anywhere (code moved to another file) - plus any rise
  in a matched item's cost;
* a figure that is the worst of its items (complexity): items past the gate's
  bound that are new or got worse;
* coverage: uncovered units (statements and branches) added, and only when the
  total also dropped by more than the tolerance - deleting well-tested code or
  splitting a file does not add uncovered lines, so it never locks a branch out;
* any other figure: its value against the baseline's, in the gate's direction.

Items that appeared in files whose content did not change since the baseline,
when the tool versions differ from the baseline's, are put down to the tool
upgrade: reported, never counted.
"""

from __future__ import annotations

import re
import subprocess
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pytest_healthgate.gates import beyond
from pytest_healthgate.model import Direction, GateResult, Item, Measurement, RunResult, Verdict
from pytest_healthgate.snapshot import SourceLines, fingerprint, tool_versions
from pytest_healthgate.store.baseline import BaselineError, GateFigure, Snapshot, StoredItem
from pytest_healthgate.units import Unit, format_value

if TYPE_CHECKING:
    from pytest_healthgate.catalogue import MetricSpec
    from pytest_healthgate.config import HealthgateConfig

UPDATE = "healthgate baseline --update"
SHOWN = 10  # new items named in a reason; the JSON report keeps up to LISTED
LISTED = 100


@dataclass
class Comparison:
    """How one gate's figure compares with its baseline figure."""

    baseline: GateFigure
    worse_by: float = 0.0  # in the gate's unit (coverage: percentage points)
    worse: bool = False  # beyond the tolerance
    better: bool = False
    added: list[Item] = field(default_factory=list)  # new or worse, on changed code
    upgraded: list[Item] = field(default_factory=list)  # new on unchanged code, tools changed
    fixed: int = 0
    files: list[str] = field(default_factory=list)  # coverage: where uncovered lines were added
    summary: str = ""

    def to_dict(self, tolerance: float | None) -> dict[str, Any]:
        return {
            "value": self.baseline.value,
            "display": self.baseline.display,
            "ratchet": tolerance is not None,
            "tolerance": tolerance,
            "worse": self.worse,
            "worse_by": self.worse_by,
            "better": self.better,
            "summary": self.summary,
            "added": [item.label for item in self.added[:LISTED]],
            # Where each added item is, for reports that point at lines (annotations).
            "added_at": [
                {"path": item.path, "line": item.line, "rule": item.rule}
                for item in self.added[:LISTED]
            ],
            "added_count": len(self.added),
            "tool_upgrade": [item.label for item in self.upgraded[:LISTED]],
            "fixed": self.fixed,
            "files": self.files[:LISTED],
        }


@dataclass
class Context:
    """What every comparison of one run needs."""

    settings: HealthgateConfig
    baseline: Snapshot
    sources: dict[str, str]
    tools_changed: list[str]
    lines: SourceLines
    subset: bool = False  # only some paths were analysed (``healthgate check PATH``)

    def tolerance(self, gate: str) -> float:
        """How much worse than the baseline still counts as not worse (0 unless ratcheted)."""
        return self.settings.ratchet.get(gate, 0.0)


# -- matching items -----------------------------------------------------------------


def match_items(
    current: Sequence[Item], before: Sequence[StoredItem], lines: SourceLines
) -> tuple[list[tuple[Item, StoredItem | None]], int]:
    """Pair each current item with its baseline item (None: new); and how many were fixed."""
    by_place: dict[tuple[str, str, str], list[StoredItem]] = defaultdict(list)
    for old in before:
        by_place[(old.path, old.rule, old.text)].append(old)
    pairs: list[tuple[Item, StoredItem | None]] = []
    unplaced: list[tuple[Item, str]] = []
    for item in current:
        text = fingerprint(item.rule, lines.text(item.path, item.line))
        same_place = by_place.get((item.path, item.rule, text))
        if same_place:
            pairs.append((item, same_place.pop()))
        else:
            unplaced.append((item, text))
    # Code moved to another file: the same rule on the same line, elsewhere.
    by_line: dict[tuple[str, str], list[StoredItem]] = defaultdict(list)
    for (_path, rule, text), olds in by_place.items():
        by_line[(rule, text)].extend(olds)
    for item, text in unplaced:
        moved = by_line.get((item.rule, text))
        pairs.append((item, moved.pop() if moved else None))
    fixed = sum(len(olds) for olds in by_line.values())
    return pairs, fixed


# -- the three comparisons ----------------------------------------------------------


def compare(
    spec: MetricSpec,
    gate: GateResult,
    measurement: Measurement,
    figure: GateFigure,
    context: Context,
) -> Comparison:
    if measurement.compared is not None:
        return _recorded(measurement.compared, figure)
    if measurement.items is not None and figure.items is not None:
        return _compare_items(spec, gate, measurement.items, figure, context)
    if measurement.parts and figure.files and spec.name == "coverage":
        return _compare_coverage(measurement, figure, context)
    return _compare_value(spec, gate, figure, context.tolerance(gate.name))


def _recorded(compared: dict[str, Any], figure: GateFigure) -> Comparison:
    """The comparison a recorded run made (healthgate-last-run judges a record again)."""

    def labels(key: str) -> list[Item]:
        found = compared.get(key)
        texts = found if isinstance(found, list) else []
        return [Item("", "", 0, 0.0, str(text)) for text in texts]

    worse_by = compared.get("worse_by")
    fixed = compared.get("fixed")
    return Comparison(
        figure,
        worse_by=float(worse_by) if isinstance(worse_by, int | float) else 0.0,
        worse=compared.get("worse") is True,
        better=compared.get("better") is True,
        added=labels("added"),
        upgraded=labels("tool_upgrade"),
        fixed=fixed if isinstance(fixed, int) else 0,
        files=[str(entry) for entry in compared.get("files") or []],
        summary=str(compared.get("summary", "")),
    )


def _unchanged(path: str, context: Context) -> bool:
    now = context.sources.get(path)
    return now is not None and now == context.baseline.sources.get(path)


def _compare_items(
    spec: MetricSpec,
    gate: GateResult,
    items: Sequence[Item],
    figure: GateFigure,
    context: Context,
) -> Comparison:
    assert figure.items is not None
    tolerance = context.tolerance(gate.name)
    pairs, fixed = match_items(items, figure.items, context.lines)
    comparison = Comparison(figure, fixed=fixed)
    threshold = _item_threshold(gate, figure)
    worse_by = 0.0
    for item, old in pairs:
        rise = item.cost - (old.cost if old is not None else 0.0)
        if rise <= 0:
            continue
        if not figure.items_add_up and not beyond(spec, item.cost, threshold):
            continue  # a worst-of figure objects only to items past its bound
        if old is None and context.tools_changed and _unchanged(item.path, context):
            comparison.upgraded.append(item)
            continue
        comparison.added.append(item)
        worse_by += rise if figure.items_add_up else 1
    comparison.worse_by = worse_by
    comparison.worse = worse_by > tolerance if figure.items_add_up else bool(comparison.added)
    comparison.better = not comparison.added and _improved(spec, gate.value, figure.value)
    if comparison.added:
        comparison.summary = _added_summary(spec, gate, comparison, figure.items_add_up)
    return comparison


def _added_summary(spec: MetricSpec, gate: GateResult, comparison: Comparison, add_up: bool) -> str:
    """``2 new findings (+20.0m): a; b`` or ``1 item past the bound: a``."""
    added = comparison.added
    count = len(added)
    if add_up:
        noun = "new finding" if count == 1 else "new findings"
        if spec.unit is not Unit.PERCENT:  # a share (docstrings) is not the sum of its items
            noun += f" (+{format_value(comparison.worse_by, spec.unit, gate.precision)})"
    else:
        noun = "item past the bound" if count == 1 else "items past the bound"
    named = "; ".join(item.label for item in added[:SHOWN])
    more = f"; and {count - SHOWN} more" if count > SHOWN else ""
    return f"{count} {noun}: {named}{more}"


def _item_threshold(gate: GateResult, figure: GateFigure) -> float:
    for bound in (gate.bounds.warn, gate.bounds.fail):
        if bound is not None:
            return bound
    return figure.value


def _improved(spec: MetricSpec, value: float | None, before: float) -> bool:
    if value is None:
        return False
    return value > before if spec.direction is Direction.HIGHER else value < before


def _compare_value(
    spec: MetricSpec, gate: GateResult, figure: GateFigure, tolerance: float
) -> Comparison:
    comparison = Comparison(figure)
    if gate.value is None:
        return comparison
    change = gate.value - figure.value
    worse_by = -change if spec.direction is Direction.HIGHER else change
    comparison.worse_by = max(worse_by, 0.0)
    comparison.worse = worse_by > tolerance
    comparison.better = worse_by < 0
    if comparison.worse:
        shown = format_value(gate.value, spec.unit, gate.precision)
        comparison.summary = f"{spec.name} {shown} against {figure.display} in the baseline"
    return comparison


def _covered(parts: Iterable[dict[str, Any]]) -> tuple[float, float]:
    """Missed units and the percent covered, over every file's parts."""
    units = missed = 0.0
    for entry in parts:
        units += float(entry.get("units", 0))
        missed += float(entry.get("missing", 0))
    return missed, (100.0 * (units - missed) / units if units else 100.0)


def _compare_coverage(measurement: Measurement, figure: GateFigure, context: Context) -> Comparison:
    comparison = Comparison(figure)
    tolerance = context.tolerance("coverage")
    missing_before, percent_before = _covered(figure.files.values())
    missing_now, percent_now = _covered(measurement.parts.values())
    added = missing_now - missing_before
    dropped = percent_before - percent_now
    comparison.worse_by = max(dropped, 0.0)
    comparison.worse = added > 0 and dropped > tolerance
    comparison.better = percent_now > percent_before and added <= 0
    if comparison.worse:
        comparison.files = _files_with_new_misses(measurement, figure, context)
        where = "; ".join(comparison.files[:SHOWN])
        comparison.summary = (
            f"{added:g} more uncovered lines and branches than the baseline "
            f"({percent_now:.2f}% against {percent_before:.2f}%): {where}"
        )
    return comparison


def _files_with_new_misses(
    measurement: Measurement, figure: GateFigure, context: Context
) -> list[str]:
    found = []
    for path, parts in sorted(measurement.parts.items()):
        before = figure.files.get(path, {}).get("missing", 0.0)
        now = float(parts.get("missing", 0))
        if now <= before:
            continue
        missing = [int(line) for line in parts.get("missing_lines", [])]
        changed = changed_lines(context.settings.root, context.baseline.commit, path)
        if changed is not None:
            missing = [line for line in missing if line in changed] or missing
        found.append(f"{path} +{now - before:g} uncovered (lines {_ranges(missing)})")
    return found


HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@", re.MULTILINE)


def changed_lines(root: Path, commit: str | None, path: str) -> set[int] | None:
    """Lines of ``path`` added or changed since ``commit``; None when git cannot tell."""
    if not commit:
        return None
    try:
        completed = subprocess.run(
            ["git", "diff", "--no-color", "--no-ext-diff", "-U0", commit, "--", path],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if completed.returncode != 0:
        return None
    lines: set[int] = set()
    for start, count in HUNK.findall(completed.stdout):
        first, length = int(start), int(count) if count else 1
        lines.update(range(first, first + length))
    return lines


def _ranges(lines: Iterable[int]) -> str:
    ordered = sorted(set(lines))
    spans: list[str] = []
    index = 0
    while index < len(ordered):
        end = index
        while end + 1 < len(ordered) and ordered[end + 1] == ordered[end] + 1:
            end += 1
        first, last = ordered[index], ordered[end]
        spans.append(str(first) if first == last else f"{first}-{last}")
        index = end + 1
    return ", ".join(spans[:20]) + (", ..." if len(spans) > 20 else "")


# -- applying the comparisons to a run's verdicts ------------------------------------


def apply(
    result: RunResult,
    measurements: Iterable[Measurement],
    settings: HealthgateConfig,
    *,
    partial: Sequence[str] = (),
    taking_baseline: bool = False,
    subset: bool = False,
) -> RunResult:
    """The run's verdicts with the baseline taken into account (unchanged without one).

    ``taking_baseline``: this run writes the first baseline (``healthgate init``),
    so a missing one is expected, not an error. ``subset``: only some paths were
    analysed, so only items can be compared (a new finding is new in any subset),
    never a total.
    """
    from pytest_healthgate.store import baseline as store

    try:
        before = store.load(settings.root)
    except BaselineError as exc:
        return _unusable(result, settings, str(exc))
    measurements = list(measurements)
    if before is None and taking_baseline:
        # The run that writes the first baseline is judged as the baseline will judge
        # the next one: what the project has now is inherited, not a failure.
        from pytest_healthgate.snapshot import snapshot

        before = snapshot(settings, measurements)
    if before is None:
        if not settings.ratchet:
            return result
        missing = (
            f"no baseline at {store.baseline_path(settings.root)} to judge against; run "
            f"`{UPDATE}` (or `healthgate init`) and commit the file"
        )
        return _unusable(result, settings, missing)
    from pytest_healthgate.store.sources import source_digests

    now = tool_versions()
    changed = sorted(
        f"{name} {before.tools.get(name, 'none')} -> {now.get(name, 'none')}"
        for name in before.tools.keys() | now.keys()
        if before.tools.get(name) != now.get(name)
    )
    digests = source_digests(settings)
    context = Context(settings, before, digests, changed, SourceLines(settings.root), subset)
    by_name = {measurement.name: measurement for measurement in measurements}
    gates = [_judged(gate, by_name.get(gate.name), context, partial) for gate in result.gates]
    metadata = dict(result.metadata)
    metadata["baseline"] = {
        "written": before.written,
        "commit": before.commit,
        "tool_changes": changed,
    }
    return RunResult(gates=gates, metadata=metadata)


def _unusable(result: RunResult, settings: HealthgateConfig, problem: str) -> RunResult:
    """No usable baseline: ratcheted gates cannot be judged, so they are ERROR."""
    gates = [
        replace(gate, verdict=Verdict.ERROR, reason=problem)
        if gate.name in settings.ratchet and gate.verdict not in (Verdict.SKIP, Verdict.ERROR)
        else gate
        for gate in result.gates
    ]
    return RunResult(gates=gates, metadata={**result.metadata, "baseline_error": problem})


def _observes_tests(settings: HealthgateConfig, name: str) -> bool:
    spec = settings.catalogue.metrics.get(name)
    collector = settings.catalogue.collectors.get(spec.collector) if spec else None
    return collector is not None and collector.observes_tests


def _judged(
    gate: GateResult,
    measurement: Measurement | None,
    context: Context,
    partial: Sequence[str],
) -> GateResult:
    settings = context.settings
    spec = settings.catalogue.metrics.get(gate.name)
    figure = context.baseline.gates.get(gate.name)
    if spec is None or measurement is None or gate.verdict in (Verdict.ERROR, Verdict.SKIP):
        return gate
    if figure is None:
        if gate.name not in settings.ratchet:
            return gate
        note = f"not compared: the baseline has no figure for {gate.name}; run `{UPDATE}`"
        verdict = Verdict.WARN if gate.verdict is Verdict.PASS else gate.verdict
        return replace(gate, verdict=verdict, reason=_joined(gate.reason, note))
    if partial and _observes_tests(settings, gate.name):
        note = "not compared with the baseline: the run was partial"
        return replace(gate, reason=_joined(gate.reason, note))
    if context.subset and measurement.items is None:
        note = "not compared with the baseline: only some paths were analysed"
        return replace(gate, reason=_joined(gate.reason, note))
    comparison = compare(spec, gate, measurement, figure, context)
    if context.subset:
        comparison.better = False  # fewer items in a subset is not progress
    judged = _with_origin(gate, spec, comparison, settings.legacy)
    return _with_ratchet(judged, spec, comparison, context)


def _with_origin(
    gate: GateResult, spec: MetricSpec, comparison: Comparison, legacy: str
) -> GateResult:
    """Label a gate past its bound inherited or introduced; inherited FAIL is WARN by default."""
    if gate.verdict not in (Verdict.FAIL, Verdict.WARN):
        return gate
    bound = gate.bounds.fail if gate.verdict is Verdict.FAIL else gate.bounds.warn
    was_past = bound is not None and beyond(spec, comparison.baseline.value, bound)
    if not was_past or comparison.worse:
        reason = gate.reason
        if comparison.worse:
            reason = _joined(reason, f"worse than the baseline: {comparison.summary}")
        return replace(gate, origin="introduced", reason=reason)
    if gate.verdict is Verdict.FAIL and legacy == "warn":
        note = f"inherited: the baseline was already past it ({comparison.baseline.display})"
        return replace(
            gate, origin="inherited", verdict=Verdict.WARN, reason=_joined(gate.reason, note)
        )
    return replace(gate, origin="inherited")


def _with_ratchet(
    gate: GateResult, spec: MetricSpec, comparison: Comparison, context: Context
) -> GateResult:
    """A ratcheted gate fails when worse than the baseline, and proposes locking in gains."""
    ratcheted = gate.name in context.settings.ratchet
    verdict, reason = gate.verdict, gate.reason
    if ratcheted and comparison.worse:
        verdict = Verdict.FAIL
        if "worse than the baseline" not in reason:
            reason = _joined(f"worse than the baseline: {comparison.summary}", reason)
    if comparison.upgraded:
        reason = _joined(reason, _upgrade_note(len(comparison.upgraded), context))
    hint = _ratchet_hint(gate, spec, comparison) if ratcheted else gate.hint
    tolerance = context.settings.ratchet.get(gate.name) if ratcheted else None
    return replace(
        gate, verdict=verdict, reason=reason, hint=hint, baseline=comparison.to_dict(tolerance)
    )


def _upgrade_note(count: int, context: Context) -> str:
    return (
        f"{count} new finding{'s' if count != 1 else ''} in unchanged files after a tool "
        f"upgrade ({', '.join(context.tools_changed)}) not counted; review them and run "
        f'`{UPDATE} --allow-worse --reason "tool upgrade"`'
    )


def _ratchet_hint(gate: GateResult, spec: MetricSpec, comparison: Comparison) -> str:
    """Where to look: what the change added when worse; the update when better."""
    if comparison.worse and comparison.added:  # not the old debt the hint names
        return f"fix what this change added first: {comparison.added[0].label}"
    if comparison.worse and comparison.files:
        return f"cover the lines this change added first: {comparison.files[0]}"
    if comparison.better and not comparison.worse:
        shown = format_value(gate.value or 0.0, spec.unit, gate.precision)
        verb = "rose" if spec.direction is Direction.HIGHER else "fell"
        return (
            f"{gate.name} {verb} to {shown} (baseline {comparison.baseline.display}); "
            f"run `{UPDATE}` to lock it in"
        )
    return gate.hint


def _joined(first: str, second: str) -> str:
    return f"{first}; {second}" if first and second else first or second
