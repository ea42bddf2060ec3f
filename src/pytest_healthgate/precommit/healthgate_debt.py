"""``healthgate-debt``: fail when the staged files carry more debt than at HEAD.

Every finding that counts as debt (lint, complexity past the allowed rank, low
maintainability, markers, security, type errors, files that do not parse) is
compared by file, tool, code and message (against HEAD's version under its old
name when the file is renamed, and against both parents in a merge); each one
the change adds is printed with its remediation time. mypy is not run for a
change (it checks a whole program), so type errors are not judged here.
"""

from __future__ import annotations

from collections.abc import Sequence

from pytest_healthgate.precommit.changes import Change, location, run_hook
from pytest_healthgate.report.escape import escape


def problems(change: Change) -> list[str]:
    added = change.added_findings(lambda finding: True)
    lines = [
        f"{location(f)}: {f.tool} {escape(f.code)}: {f.message} (+{f.minutes:g} min of debt)"
        for f in added
    ]
    if lines:
        total = sum(f.minutes for f in added)
        lines.append(
            f"healthgate-debt: this change adds {total:g} min of debt; fix the lines above"
        )
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    return run_hook("healthgate-debt", problems, argv)


if __name__ == "__main__":
    raise SystemExit(main())
