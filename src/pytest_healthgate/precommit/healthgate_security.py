"""``healthgate-security``: fail on bandit findings the change adds, and unparseable files."""

from __future__ import annotations

from collections.abc import Sequence

from pytest_healthgate.collect.static.remediation import Finding
from pytest_healthgate.precommit.changes import Change, finding_line, run_hook

TOOLS = ("bandit",)  # bandit; a file that does not parse is found by any tool


def reports(finding: Finding) -> bool:
    """bandit's findings and files that do not parse (critical), and nothing else."""
    return finding.tool == "bandit" or finding.critical


def problems(change: Change) -> list[str]:
    return [finding_line(f) for f in change.added_findings(reports)]


def main(argv: Sequence[str] | None = None) -> int:
    return run_hook("healthgate-security", problems, argv, TOOLS)


if __name__ == "__main__":
    raise SystemExit(main())
