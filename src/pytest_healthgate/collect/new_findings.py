"""``new_debt`` and ``new_complexity``: both sides of a branch's change, analysed and compared.

The changed files are analysed as they are now and as they were at the merge
base (files deleted since on the before side only), with the same analysis and
cache as the static gates (``precommit.changes.analyse_since``). A finding is
new when no finding of the same rule and text was there before, in the same
file or, for code moved between files, in any file; ``new_debt`` is their
minutes. A function counts for ``new_complexity`` when the change raised its
rank, or when it is new and ranked past the complexity gate's warn bound (C by
default).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from pytest_healthgate.collect.new_code import NEW_COMPLEXITY, NEW_DEBT, added_by_identity
from pytest_healthgate.config import HealthgateConfig
from pytest_healthgate.model import Detail, Item, Measurement
from pytest_healthgate.units import Unit, rank_number

if TYPE_CHECKING:
    from pytest_healthgate.collect.static.remediation import Finding
    from pytest_healthgate.precommit.changes import Change

SHOWN = 10
DURATION = Unit.DURATION
DEFAULT_WARN_RANK = 3.0  # C


def _deleted(root: Path, base: str) -> list[str]:
    from pytest_healthgate.collect.new_code import _git

    # --no-renames: a module moved elsewhere counts as deleted, so its code is on the
    # before side even when git would pair it with its new name.
    arguments = ("--name-only", "--relative", "--no-renames", "--diff-filter=D", base)
    done = _git(root, "diff", *arguments) or ""
    return [line for line in done.splitlines() if line]


def measure(
    settings: HealthgateConfig, wanted: Sequence[str], base: str, changed: dict[str, set[int]]
) -> list[Measurement]:
    from pytest_healthgate.collect.new_code import merge_base
    from pytest_healthgate.collect.static.figures import findings
    from pytest_healthgate.precommit.changes import analyse_since

    since = merge_base(settings.root, base)
    change = analyse_since(settings, since, sorted(changed), _deleted(settings.root, since))
    if change.errors:
        problem = "; ".join(f"{tool}: {text}" for tool, text in sorted(change.errors.items()))
        return [Measurement(gate, error=f"the analysis failed: {problem}") for gate in wanted]
    pricing = change.pricing
    before = [(f.path, (f.tool, f.code, f.message)) for f in findings(change.before, pricing)]
    after_findings = sorted(findings(change.after, pricing), key=lambda f: (f.path, f.line))
    after = [(f.path, (f.tool, f.code, f.message)) for f in after_findings]
    added = [after_findings[index] for index in added_by_identity(before, after)]
    measured = []
    if NEW_DEBT in wanted:
        measured.append(_debt(added, base, len(change.keys)))
    if NEW_COMPLEXITY in wanted:
        measured.append(_complexity(settings, change, base))
    return measured


def _debt(added: Sequence[Finding], base: str, files: int) -> Measurement:
    """The findings the change added, priced as the debt gate prices them."""
    return Measurement(
        NEW_DEBT,
        value=sum(finding.minutes for finding in added) * 60,
        details=[
            Detail(
                f"{f.path}:{f.line}: {f.tool} {f.code} {f.message}", f.minutes * 60, Unit.DURATION
            )
            for f in added[:SHOWN]
        ],
        items=[
            Item(
                f"{f.tool}:{f.code}",
                f.path,
                f.line,
                f.minutes * 60,
                f"{f.path}:{f.line}: {f.code} {f.message}",
            )
            for f in added
        ],
        extra={
            "base": base,
            "new_findings": len(added),
            "looked_at": {"changed files": max(files, 1)},
        },
    )


def _complexity(settings: HealthgateConfig, change: Change, base: str) -> Measurement:
    from pytest_healthgate.precommit.healthgate_complexity import before_change, by_name, matched

    bounds = settings.gates.get("complexity")
    warn = bounds.warn if bounds is not None and bounds.warn is not None else DEFAULT_WARN_RANK
    worse = []
    for key, result in sorted(change.after_files.items()):
        after = by_name(result)
        previous = matched(after, before_change(change.versions_before(key)))
        for name, function in sorted(after.items(), key=lambda item: item[1].line):
            old = previous[name]
            rank = rank_number(function.rank)
            if (old is None and rank > warn) or (old is not None and rank > rank_number(old.rank)):
                was = "new" if old is None else f"was rank {old.rank}"
                worse.append(
                    Detail(
                        f"{key}:{function.line}: {function.name} rank {function.rank} ({was})",
                        float(function.complexity),
                        Unit.NUMBER,
                    )
                )
    return Measurement(
        NEW_COMPLEXITY,
        value=float(len(worse)),
        precision=0,
        details=worse[:SHOWN],
        extra={"base": base, "looked_at": {"changed files": max(len(change.keys), 1)}},
    )
