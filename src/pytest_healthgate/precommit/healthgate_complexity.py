"""``healthgate-complexity``: fail when the change makes a function too complex.

A function fails when its radon rank is past the allowed rank
(``[tool.healthgate.debt] allowed_complexity``, default B) and the change made it
worse (a new function, or a worse rank than at HEAD), or when the change touched
its complexity and it is past the ``complexity`` gate's ``fail`` bound written in
``[tool.healthgate.gates]`` (the default playbook's is not applied). A function
whose complexity the change did not touch never fails.

Functions are matched with their version before the change by qualified name
(in a merge, the more complex of the two parents' versions). A function whose
name is new is matched with one whose name disappeared and that had the same
complexity, taken for a rename: renaming a function (or its class) with its
body unchanged is not a new function.
"""

from __future__ import annotations

from collections.abc import Sequence

from pytest_healthgate.catalogue import MetricSpec
from pytest_healthgate.collect.static.results import FileResult, FunctionComplexity
from pytest_healthgate.gates import beyond
from pytest_healthgate.precommit.changes import Change, run_hook
from pytest_healthgate.report.escape import escape
from pytest_healthgate.units import rank_letter, rank_number

GATE = "complexity"  # the gate whose fail bound applies to touched functions


def _by_name(result: FileResult | None) -> dict[str, FunctionComplexity]:
    """A file's functions by qualified name (the last of two with one name wins)."""
    return {function.name: function for function in result.functions} if result else {}


def _before(versions: list[FileResult]) -> dict[str, FunctionComplexity]:
    """Functions by name before the change; of two parents' versions the more complex."""
    found: dict[str, FunctionComplexity] = {}
    for result in versions:
        for name, function in _by_name(result).items():
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


def _problem(
    key: str,
    function: FunctionComplexity,
    previous: FunctionComplexity | None,
    allowed: float,
    fail: float | None,
    *,
    spec: MetricSpec,
) -> str | None:
    """What is wrong with one function after the change, or None."""
    rank = rank_number(function.rank)
    worse = previous is None or rank > rank_number(previous.rank)
    touched = previous is None or function.complexity != previous.complexity
    was = "new" if previous is None else f"was {previous.rank} ({previous.complexity})"
    found = escape(
        f"{key}:{function.line}: {function.name} has complexity {function.complexity}, "
        f"rank {function.rank} ({was})"
    )
    if beyond(spec, rank, allowed) and worse:
        return f"{found}; allowed up to {rank_letter(allowed)}"
    if fail is not None and beyond(spec, rank, fail) and touched:
        return f"{found}; the complexity gate fails past {rank_letter(fail)}"
    return None


def problems(change: Change) -> list[str]:
    allowed = float(change.settings.section("debt")["allowed_complexity"])
    bounds = change.settings.gates.get(GATE)
    # The default playbook's bound is advice until the project adopts it.
    fail = bounds.fail if bounds is not None and bounds.adopted else None
    spec = change.settings.catalogue.metrics[GATE]
    lines = []
    for key, result in sorted(change.after_files.items()):
        after = _by_name(result)
        previous = matched(after, _before(change.versions_before(key)))
        for name, function in sorted(after.items()):
            problem = _problem(key, function, previous[name], allowed, fail, spec=spec)
            if problem is not None:
                lines.append(problem)
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    return run_hook("healthgate-complexity", problems, argv)


if __name__ == "__main__":
    raise SystemExit(main())
