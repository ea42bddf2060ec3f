"""``healthgate-complexity``: judge the functions a change makes more complex.

A function the change makes more complex (a new function, or a higher
complexity than before) is judged as ``pytest --healthgate`` judges the
``complexity`` gate (the worst function's radon rank): past the gate's ``fail``
rank the hook fails; past its ``warn`` rank, or past a ``fail`` rank of the
default playbook the project never wrote, it prints a warning and passes. A
function past ``[tool.healthgate.debt] allowed_complexity`` (default B) carries
debt: it is printed with its minutes, and fails only past the gate's ``fail``.
A function whose complexity the change did not raise is never reported.

Functions are matched with their version before the change by qualified name
(in a merge, the more complex of the two parents' versions). A function whose
name is new is matched with one whose name disappeared and that had the same
complexity, taken for a rename: renaming a function (or its class) with its
body unchanged is not a new function. In a repository's first commit, a
function the baseline holds (``.healthgate/baseline.toml``) is not new either.
"""

from __future__ import annotations

from collections.abc import Sequence

from pytest_healthgate.catalogue import MetricSpec
from pytest_healthgate.collect.static.figures import RANK_CEILING
from pytest_healthgate.collect.static.remediation import Minutes
from pytest_healthgate.collect.static.results import FileResult, FunctionComplexity
from pytest_healthgate.gates import beyond
from pytest_healthgate.model import Bounds
from pytest_healthgate.precommit.changes import Advice, Change, run_hook
from pytest_healthgate.report.escape import escape
from pytest_healthgate.units import rank_letter, rank_number

GATE = "complexity"  # the gate the functions are judged by, as in pytest --healthgate
TOOLS = ("radon",)  # the analysis it needs: radon alone


def by_name(result: FileResult | None) -> dict[str, FunctionComplexity]:
    """A file's functions by qualified name (the last of two with one name wins)."""
    return {function.name: function for function in result.functions} if result else {}


def before_change(versions: list[FileResult]) -> dict[str, FunctionComplexity]:
    """Functions by name before the change; of two parents' versions the more complex."""
    found: dict[str, FunctionComplexity] = {}
    for result in versions:
        for name, function in by_name(result).items():
            if name not in found or function.complexity > found[name].complexity:
                found[name] = function
    return found


def matched(
    after: dict[str, FunctionComplexity], before: dict[str, FunctionComplexity]
) -> dict[str, FunctionComplexity | None]:
    """Each function after the change with its version before, None for a new one.

    By name; else a function whose name disappeared, with the same complexity (a rename).
    """
    gone = sorted(
        (function for name, function in before.items() if name not in after),
        key=lambda function: function.line,
    )
    pairs: dict[str, FunctionComplexity | None] = {}
    for name, function in sorted(after.items(), key=lambda item: item[1].line):
        if name in before:
            pairs[name] = before[name]
            continue
        twin = next((old for old in gone if old.complexity == function.complexity), None)
        if twin is not None:
            gone.remove(twin)
        pairs[name] = twin
    return pairs


class _Judge:
    """The project's bounds and prices for one function's complexity."""

    def __init__(self, change: Change) -> None:
        pricing = change.pricing
        self.spec: MetricSpec = change.settings.catalogue.metrics[GATE]
        self.bounds = change.settings.gates.get(GATE) or Bounds(adopted=False)
        self.ceiling = RANK_CEILING.get(pricing.allowed_complexity)
        self.minutes = Minutes(pricing.minutes)("radon", "CC", "complexity")

    def debt(self, function: FunctionComplexity) -> float:
        """The function's minutes of debt, as ``pytest --healthgate`` prices it."""
        if self.ceiling is None or function.complexity <= self.ceiling:
            return 0.0
        return (function.complexity - self.ceiling) * self.minutes

    def verdict(self, rank: float) -> tuple[str, bool] | None:
        """What the gate says of this rank (text, whether it fails); None within bounds."""
        fail, warn = self.bounds.fail, self.bounds.warn
        if fail is not None and beyond(self.spec, rank, fail):
            if self.bounds.adopted:
                return f"FAIL: the complexity gate fails past {rank_letter(fail)}", True
            # The default playbook's bound only warns, as in pytest --healthgate.
            return f"WARN: the default complexity gate fails past {rank_letter(fail)}", False
        if warn is not None and beyond(self.spec, rank, warn):
            return f"WARN: the complexity gate warns past {rank_letter(warn)}", False
        return None

    def problem(
        self, key: str, function: FunctionComplexity, previous: FunctionComplexity | None
    ) -> str | None:
        """One function's line, if the change made it more complex and it is past a bound."""
        if previous is not None and function.complexity <= previous.complexity:
            return None
        minutes = self.debt(function)
        verdict = self.verdict(rank_number(function.rank))
        if verdict is None and minutes == 0:
            return None
        was = "new" if previous is None else f"was {previous.complexity}, rank {previous.rank}"
        line = escape(
            f"{key}:{function.line}: radon CC: {function.name} has cyclomatic complexity "
            f"{function.complexity} (rank {function.rank}; {was}) (+{minutes:g} min of debt)"
        )
        if verdict is None:
            return Advice(line)
        text, fails = verdict
        return f"{line}; {text}" if fails else Advice(f"{line}; {text}")


def problems(change: Change) -> list[str]:
    judge = _Judge(change)
    lines = []
    for key, result in sorted(change.after_files.items()):
        after = by_name(result)
        previous = matched(after, before_change(change.versions_before(key)))
        for name, function in sorted(after.items(), key=lambda item: item[1].line):
            if previous[name] is None and change.adopted(GATE, key, function.line):
                continue  # a first commit's function the baseline holds
            problem = judge.problem(key, function, previous[name])
            if problem is not None:
                lines.append(problem)
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    return run_hook("healthgate-complexity", problems, argv, TOOLS)


if __name__ == "__main__":
    raise SystemExit(main())
