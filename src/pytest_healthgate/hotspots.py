"""Hotspots: where debt costs most, because the code around it keeps changing.

A file's score is ``changes x debt hours``: the commits that touched it in the
window (``git log --since``, offline, renames followed by path as git reports
them) times the remediation time of its findings, in hours. Debt in a file
nobody touches costs little; debt in the file every change goes through costs
every change. Files are ranked by score, then by changes, then by path.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pytest_healthgate.model import Finding

DEFAULT_WINDOW_DAYS = 90
GIT_TIMEOUT = 60


class HotspotError(Exception):
    """git cannot tell the history here; the message says what to do."""


@dataclass(frozen=True)
class Hotspot:
    path: str
    score: float  # changes x debt hours
    changes: int
    debt_seconds: float

    def row(self) -> tuple[str, float, int, float]:
        return self.path, self.score, self.changes, self.debt_seconds


def changes(root: Path, days: int) -> Counter[str]:
    """Project-relative path -> commits that touched it in the last ``days`` days."""
    from pytest_healthgate.pipeline import git_text

    log = git_text(
        root,
        "log",
        f"--since={days}.days",
        "--format=",
        "--name-only",
        "--relative",
        "--",
        timeout=GIT_TIMEOUT,
    )
    if log is None:
        raise HotspotError(
            "git log failed here; run it inside the project's git repository, with at least "
            "one commit"
        )
    return Counter(line for line in log.splitlines() if line)


def debt_by_file(findings: Iterable[Finding]) -> dict[str, float]:
    """Seconds of debt per file, from the findings the debt gate counts."""
    totals: dict[str, float] = defaultdict(float)
    for finding in findings:
        cost = finding.costs.get("debt")
        if cost:
            totals[finding.path] += cost
    return dict(totals)


def rank(touched: Counter[str], debt: dict[str, float]) -> list[Hotspot]:
    spots = [
        Hotspot(path, touched[path] * seconds / 3600, touched[path], seconds)
        for path, seconds in debt.items()
        if touched[path] > 0
    ]
    return sorted(spots, key=lambda spot: (-spot.score, -spot.changes, spot.path))
