"""``healthgate-security``: fail on bandit findings the staged files add."""

from __future__ import annotations

from collections.abc import Sequence

from pytest_healthgate.precommit.changes import Change, location, run_hook
from pytest_healthgate.report.escape import escape


def problems(change: Change) -> list[str]:
    added = change.added_findings(lambda finding: finding.tool == "bandit" or finding.critical)
    return [f"{location(f)}: {escape(f.code)}: {f.message}" for f in added]


def main(argv: Sequence[str] | None = None) -> int:
    return run_hook("healthgate-security", problems, argv)


if __name__ == "__main__":
    raise SystemExit(main())
