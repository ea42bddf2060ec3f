"""The catalogue of gateable metrics: unit, direction, and what each one means.

This table is the single source for gate names in config validation, for the
direction in which bounds apply, and for the gate reference in ``docs/``.
"""

from __future__ import annotations

from dataclasses import dataclass

from pytest_healthgate.model import Bounds, Direction
from pytest_healthgate.units import Unit


@dataclass(frozen=True)
class MetricSpec:
    name: str
    unit: Unit
    direction: Direction
    summary: str
    hint: str  # what to look at first when the gate is not PASS
    default: Bounds | None = None  # zero-config bounds; None: off unless configured
    has_paths: bool = False  # accepts per-path floors


METRICS: dict[str, MetricSpec] = {
    spec.name: spec
    for spec in (
        MetricSpec(
            "coverage",
            Unit.PERCENT,
            Direction.HIGHER,
            "Total coverage as `coverage report` prints it (lines, or lines and "
            "branches when coverage.py measures branches).",
            "run `coverage report -m` and cover the files with most missing lines",
            default=Bounds(warn=80),
            has_paths=True,
        ),
        MetricSpec(
            "pass_rate",
            Unit.PERCENT,
            Direction.HIGHER,
            "passed / (passed + failed + errored) over executed tests; skipped "
            "and xfailed tests are left out, xpassed count as passed.",
            "fix the failing tests listed above",
            default=Bounds(warn=98),
        ),
        MetricSpec(
            "collection_errors",
            Unit.PERCENT,
            Direction.LOWER,
            "Share of test modules that failed to import during collection.",
            "fix the import errors pytest lists under ERRORS",
            default=Bounds(fail=10),
        ),
        MetricSpec(
            "duration",
            Unit.DURATION,
            Direction.LOWER,
            "Wall time of the test session.",
            "speed up the slowest tests listed below",
            default=Bounds(warn=15 * 60),
        ),
        MetricSpec(
            "debt",
            Unit.DURATION,
            Direction.LOWER,
            "Remediation time of all findings (ruff, radon, debt markers, bandit, "
            "mypy when enabled), SQALE-style; see docs/debt.md.",
            "start with the files carrying most debt",
        ),
        MetricSpec(
            "debt_ratio",
            Unit.PERCENT,
            Direction.LOWER,
            "Debt / (lines of code x development cost per line).",
            "start with the files carrying most debt",
        ),
        MetricSpec(
            "rating",
            Unit.RANK,
            Direction.LOWER,
            "Maintainability rating A-E from the debt ratio (SonarQube's grid).",
            "start with the files carrying most debt",
        ),
        MetricSpec(
            "complexity",
            Unit.RANK,
            Direction.LOWER,
            "Worst cyclomatic-complexity rank of any function, A-F as radon ranks.",
            "split the most complex functions listed below",
        ),
        MetricSpec(
            "critical",
            Unit.COUNT,
            Direction.LOWER,
            "High-severity bandit findings and files that do not decode or parse.",
            "fix the critical findings listed below",
        ),
        MetricSpec(
            "import_time",
            Unit.DURATION,
            Direction.LOWER,
            "Import time of each package, best of N fresh interpreters.",
            "make heavy imports lazy; see the slowest modules below",
        ),
        MetricSpec(
            "import_memory",
            Unit.SIZE,
            Direction.LOWER,
            "Peak memory added by importing each package.",
            "make heavy imports lazy",
        ),
        MetricSpec(
            "memory",
            Unit.SIZE,
            Direction.LOWER,
            "Peak resident memory of the test session, all workers.",
            "look at the tests with the highest peak",
        ),
        MetricSpec(
            "test_memory",
            Unit.SIZE,
            Direction.LOWER,
            "Default per-test peak allocation limit.",
            "look at the tests with the highest peak",
        ),
    )
}
