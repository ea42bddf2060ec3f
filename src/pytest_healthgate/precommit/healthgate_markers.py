"""``healthgate-markers``: fail on debt markers (TODO, FIXME, ...) the change adds.

A marker whose comment matches ``[tool.healthgate.debt] marker_reference``
(default: an issue number such as ``TODO(#123)``) is tracked elsewhere: the
analysis makes no finding of it, here as in ``pytest --healthgate`` and the
other hooks. The pattern is the project's own, and it is matched only against
the marker comment as the analysis keeps it (at most ``MARKER_TEXT_LIMIT``
characters), so a slow pattern costs at most that much text per marker.
"""

from __future__ import annotations

from collections.abc import Sequence

from pytest_healthgate.collect.static.remediation import Finding
from pytest_healthgate.precommit.changes import Change, finding_line, run_hook

TOOLS = ("markers",)  # the analysis it needs: the marker scan alone


def reports(finding: Finding) -> bool:
    return finding.tool == "markers"


def problems(change: Change) -> list[str]:
    return [finding_line(f) for f in change.added_findings(reports)]


def main(argv: Sequence[str] | None = None) -> int:
    return run_hook("healthgate-markers", problems, argv, TOOLS)


if __name__ == "__main__":
    raise SystemExit(main())
