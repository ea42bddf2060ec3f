"""``healthgate-debt``: fail when the change adds debt no other hook reports.

Each problem is reported by one hook: healthgate-markers reports markers,
healthgate-complexity complex functions, healthgate-security bandit findings and
files that do not parse. This hook reports the rest: lint (ruff), low
maintainability (radon MI) and type errors. ruff rules that find what another
hook reports (``OVERLAPPING_RULES``: markers, bandit's checks, mccabe
complexity) are left to that hook. Findings are compared by file, tool, code
and message with the version before (under its old name when the file is
renamed, and both parents in a merge); each one the change adds is printed
with its remediation time. mypy is not run for a change (it checks a whole
program), so type errors are not judged here.
"""

from __future__ import annotations

from collections.abc import Sequence

from pytest_healthgate.collect.static.remediation import Finding
from pytest_healthgate.precommit.changes import Change, finding_line, run_hook

# ruff rule prefixes whose findings another hook reports from its own tool.
OVERLAPPING_RULES = ("FIX", "TD", "S", "C90")
OTHER_HOOKS_TOOLS = {"markers", "bandit", "python"}  # python: a file that does not parse
TOOLS = ("ruff", "radon")  # what it reports comes from these two: bandit is not run


def reports(finding: Finding) -> bool:
    """True for the findings this hook, and no other, reports."""
    if finding.tool in OTHER_HOOKS_TOOLS or finding.critical:
        return False
    if finding.tool == "radon":
        return finding.code != "CC"  # complex functions: healthgate-complexity
    if finding.tool == "ruff":
        return not finding.code.startswith(OVERLAPPING_RULES)
    return True


def problems(change: Change) -> list[str]:
    added = change.added_findings(reports)
    lines = [finding_line(f) for f in added]
    if lines:
        total = sum(f.minutes for f in added)
        lines.append(
            f"healthgate-debt: this change adds {total:g} min of debt; fix the lines above"
        )
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    return run_hook("healthgate-debt", problems, argv, TOOLS)


if __name__ == "__main__":
    raise SystemExit(main())
