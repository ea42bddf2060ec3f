"""The remediation model: minutes per finding, debt ratio and the A-E rating.

Every finding carries the minutes it would take to fix. The default depends on
its kind (``DEFAULT_MINUTES``); ``[tool.healthgate.debt.minutes]`` overrides it
by rule code or code prefix (``E501``, ``E``, ``B6``, ``TODO``), by tool and
code (``bandit:B101``, ``ruff:B``, ``mypy:arg-type``), or by kind name
(``lint``, ``security-high`` ...). The longest matching code key wins, then the
kind key, then the default.

Debt is the sum of all minutes. The debt ratio is debt / (lines of code x
development cost per line) and the maintainability rating is read from it on
SonarQube's default grid.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

# Unit -> minutes for one finding (for "complexity": one point above the allowed rank).
DEFAULT_MINUTES: dict[str, float] = {
    "lint": 5.0,
    "complexity": 5.0,
    "maintainability": 60.0,
    "marker": 10.0,
    "security-high": 60.0,
    "security-medium": 30.0,
    "security-low": 10.0,
    "typing": 10.0,
    "syntax": 60.0,
}
KIND_DOCS: dict[str, str] = {
    "lint": "each ruff finding",
    "complexity": "each cyclomatic-complexity point above `allowed_complexity`",
    "maintainability": "each file radon ranks C on the maintainability index (MI <= 9)",
    "marker": "each debt-marker comment (TODO, FIXME, ...)",
    "security-high": "each bandit finding of high severity (also counted as critical)",
    "security-medium": "each bandit finding of medium severity",
    "security-low": "each bandit finding of low severity",
    "typing": "each mypy error (with `mypy = true`)",
    "syntax": "each file that does not decode or parse (also counted as critical)",
}
CATEGORIES: dict[str, str] = {
    "lint": "lint (ruff)",
    "complexity": "complexity (radon)",
    "maintainability": "maintainability index (radon)",
    "marker": "debt markers",
    "security-high": "security (bandit)",
    "security-medium": "security (bandit)",
    "security-low": "security (bandit)",
    "typing": "typing (mypy)",
    "syntax": "unparseable files",
}
# (upper bound of the ratio in percent, rating); above the last bound: E.
RATING_GRID: tuple[tuple[float, str], ...] = ((5.0, "A"), (10.0, "B"), (20.0, "C"), (50.0, "D"))
RATINGS = "ABCDE"


@dataclass(frozen=True)
class Finding:
    """One thing to fix, with what it costs."""

    tool: str
    code: str
    cost_class: str  # a key of DEFAULT_MINUTES: what kind of fix it needs
    path: str
    line: int
    message: str
    minutes: float
    critical: bool = False

    @property
    def category(self) -> str:
        return CATEGORIES[self.cost_class]

    def to_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "line": self.line,
            "tool": self.tool,
            "code": self.code,
            "kind": self.cost_class,  # the report's name for it; users read this key
            "message": self.message,
            "minutes": self.minutes,
            "critical": self.critical,
        }


class Minutes:
    """Looks up the remediation minutes of a finding; overrides come from config."""

    def __init__(self, overrides: Mapping[str, float]) -> None:
        self.by_cost_class = {**DEFAULT_MINUTES}
        self.codes: list[tuple[str, float]] = []
        for key, minutes in overrides.items():
            if key in DEFAULT_MINUTES:
                self.by_cost_class[key] = minutes
            else:
                self.codes.append((key, minutes))
        # Longest key first, so ``E501`` beats ``E`` and ``bandit:B101`` beats ``B1``.
        self.codes.sort(key=lambda item: len(item[0]), reverse=True)

    def __call__(self, tool: str, code: str, cost_class: str) -> float:
        qualified = f"{tool}:{code}"
        for key, minutes in self.codes:
            if (qualified if ":" in key else code).startswith(key):
                return minutes
        return self.by_cost_class[cost_class]


def debt_ratio(debt_minutes: float, lines: int, cost_per_line_minutes: float) -> float:
    """Debt as a percentage of the estimated cost of writing the code again."""
    development = lines * cost_per_line_minutes
    if development <= 0:
        return 0.0
    return 100.0 * debt_minutes / development


def rating(ratio_percent: float) -> str:
    """SonarQube's default grid: A <= 5 %, B <= 10 %, C <= 20 %, D <= 50 %, else E."""
    for bound, letter in RATING_GRID:
        if ratio_percent <= bound:
            return letter
    return "E"
