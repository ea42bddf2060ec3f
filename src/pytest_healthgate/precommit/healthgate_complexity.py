"""``healthgate-complexity``: fail when the change makes a function too complex.

A function fails when its radon rank is past the allowed rank
(``[tool.healthgate.debt] allowed_complexity``, default B) and the change made it
worse (a new function, or a worse rank than at HEAD), or when the change touched
its complexity and it is past the ``complexity`` gate's ``fail`` bound. A
function whose complexity the change did not touch never fails.
"""

from __future__ import annotations

from collections.abc import Sequence

from pytest_healthgate.precommit.changes import Change, run_hook
from pytest_healthgate.units import RANKS


def _functions(result: dict[str, object]) -> dict[str, tuple[int, int, str]]:
    found: dict[str, tuple[int, int, str]] = {}
    for name, line, complexity, rank in result.get("functions", []):  # type: ignore[attr-defined]
        found[str(name)] = (int(line), int(complexity), str(rank))
    return found


def problems(change: Change) -> list[str]:
    allowed = int(change.settings.section("debt")["allowed_complexity"])
    bounds = change.settings.gates.get("complexity")
    absolute = int(bounds.fail) if bounds is not None and bounds.fail is not None else None
    before = change.files("before")
    lines = []
    for key, result in sorted(change.files("after").items()):
        old = _functions(before.get(key, {}))
        for name, (line, complexity, rank) in sorted(_functions(result).items()):
            level = RANKS.index(rank) + 1
            previous = old.get(name)
            worse = previous is None or level > RANKS.index(previous[2]) + 1
            touched = previous is None or complexity != previous[1]
            was = "new" if previous is None else f"was {previous[2]} ({previous[1]})"
            if level > allowed and worse:
                limit = RANKS[allowed - 1]
                lines.append(
                    f"{key}:{line}: {name} has complexity {complexity}, rank {rank} "
                    f"({was}); allowed up to {limit}"
                )
            elif absolute is not None and level > absolute and touched:
                lines.append(
                    f"{key}:{line}: {name} has complexity {complexity}, rank {rank} ({was}); "
                    f"the complexity gate fails past {RANKS[absolute - 1]}"
                )
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    return run_hook("healthgate-complexity", problems, argv)


if __name__ == "__main__":
    raise SystemExit(main())
