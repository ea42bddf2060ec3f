"""Plain data shared by every stage of the pipeline.

config -> collectors produce ``Measurement`` -> gates turn them into
``GateResult`` -> a ``RunResult`` goes to reporters and stores.
Nothing here imports a heavy module.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from pytest_healthgate.units import Unit

if TYPE_CHECKING:
    from pytest_healthgate.score import Health


class Verdict(StrEnum):
    PASS = "PASS"
    WARN = "WARN"
    FAIL = "FAIL"
    SKIP = "SKIP"
    ERROR = "ERROR"

    @property
    def fails_run(self) -> bool:
        """ERROR counts as a failure: a gate that could not measure never passes."""
        return self in (Verdict.FAIL, Verdict.ERROR)


class Direction(StrEnum):
    HIGHER = "higher"  # higher is better: fails *below* the bound
    LOWER = "lower"  # lower is better: fails *above* the bound


@dataclass(frozen=True)
class Bounds:
    """A gate's limits, in the metric's base unit.

    ``adopted`` is False for the default playbook's bounds (the catalogue's
    ``default``), which the project never wrote: past such a ``fail`` bound a gate
    only warns, unless it judges a run broken now (``MetricSpec.fails_by_default``).
    """

    fail: float | None = None
    warn: float | None = None
    adopted: bool = True


@dataclass(frozen=True)
class Detail:
    """One line of evidence behind a figure: a slow test, a file under its floor."""

    label: str
    value: float
    unit: Unit
    note: str = ""


@dataclass(frozen=True)
class Item:
    """One thing behind a figure - a finding, a complex function - that a baseline
    recognises again after the code around it moved (see ``ratchet``)."""

    rule: str  # what kind of thing: "ruff:E501", "bandit:B602", "complexity"
    path: str  # project-relative, as the report shows it
    line: int  # where it is now; not part of its identity
    cost: float  # its share of the figure, in the gate's unit
    label: str  # what to print when it is new


@dataclass
class Finding:
    """One finding behind the judged gates, as reports list it (``report.lines``).

    ``costs`` is its share of each gate that counts it, in that gate's base unit
    (seconds of debt, a function's complexity); the text is already escaped for
    one terminal line, and each report escapes it again for its own format.
    """

    path: str
    line: int
    column: int
    rule: str
    message: str
    gates: list[str] = field(default_factory=list)
    costs: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "rule": self.rule,
            "message": self.message,
            "gates": list(self.gates),
            "costs": dict(self.costs),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Finding:
        return cls(
            path=str(data["path"]),
            line=int(data["line"]),
            column=int(data.get("column", 1)),
            rule=str(data["rule"]),
            message=str(data.get("message", "")),
            gates=[str(gate) for gate in data.get("gates", [])],
            costs={str(k): float(v) for k, v in (data.get("costs") or {}).items()},
        )


@dataclass
class Measurement:
    """What a collector found for one metric, before any bound is applied.

    Exactly one of ``value``, ``error`` and ``skip_reason`` is meaningful:
    a value was measured, measuring failed, or the metric does not apply.
    """

    name: str
    value: float | None = None
    error: str | None = None
    skip_reason: str | None = None
    # Extra failures found while measuring (a file under its per-path floor).
    violations: list[str] = field(default_factory=list)
    details: list[Detail] = field(default_factory=list)
    hint: str = ""
    precision: int = 1
    extra: dict[str, Any] = field(default_factory=dict)
    # What the figure is made of, for the ratchet: the items that add up to it
    # (or, when ``items_add_up`` is false, whose worst is the figure), and
    # per-file figures such as {"units": 120, "missing": 14} for coverage.
    items: list[Item] | None = None
    items_add_up: bool = True
    parts: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Read back from a recorded report (healthgate-last-run): the comparison with
    # the baseline that the recorded run made, which its items no longer allow.
    compared: dict[str, Any] | None = None


@dataclass(frozen=True)
class GateResult:
    """One gate's verdict: its figure, bounds, verdict and what the report shows of it.

    (A docstring also spares ``dataclass`` computing one from the signature at import.)
    """

    name: str
    unit: Unit
    direction: Direction
    value: float | None
    bounds: Bounds
    verdict: Verdict
    reason: str
    hint: str
    precision: int
    details: tuple[Detail, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)
    detail_title: str = "top offenders"  # from the gate's catalogue entry
    details_shown: int = 5
    # Against the committed baseline: "inherited" (already past its bound there and
    # not worse now), "introduced" (past its bound because of this change), or "".
    origin: str = ""
    baseline: dict[str, Any] | None = None  # the comparison, for the JSON report


@dataclass
class RunResult:
    """The outcome of one gated run: every gate's verdict plus run metadata."""

    gates: list[GateResult]
    metadata: dict[str, Any] = field(default_factory=dict)
    health: Health | None = None  # the health score of the judged gates
    # Every finding behind the judged gates (debt, critical, complex functions).
    findings: list[Finding] = field(default_factory=list)

    def count(self, verdict: Verdict) -> int:
        return sum(1 for gate in self.gates if gate.verdict is verdict)

    @property
    def failed(self) -> list[GateResult]:
        return [gate for gate in self.gates if gate.verdict.fails_run]

    @property
    def ok(self) -> bool:
        return not self.failed
