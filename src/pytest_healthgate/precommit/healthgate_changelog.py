"""``healthgate-changelog``: a commit that changes measured source must touch the changelog.

Playbooks say "CHANGELOG updated with every change"; reviewers forget to ask.
The hook runs at pre-commit's ``commit-msg`` stage, where git has the staged
files and the message both: it fails when a staged file is measured source (a
Python file under ``[tool.healthgate] source``, not a test file, not matching
``[tool.healthgate.changelog] exempt``) and no staged file is a changelog
(``paths``: files, globs, or folders of news fragments). A message matching
``skip`` (by default ``[skip changelog]``, anywhere in the message) exempts the
commit, and so does a merge: its changes were judged on their own branches.
Outside a repository, or when git cannot list the staged files, it is an
error line and status 2, never a silent pass.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from pytest_healthgate.config import HealthgateConfig
from pytest_healthgate.globs import matches
from pytest_healthgate.report.escape import escape

NAME = "healthgate-changelog"
DESCRIPTION = "Fail a commit that changes measured source without touching the changelog."
SHOWN = 3  # staged source files named in the message


def _git(root: Path, *arguments: str) -> bytes | None:
    from pytest_healthgate.precommit.changes import _git as run_git

    return run_git(root, *arguments)


def staged_files(top: Path) -> list[str] | None:
    """Paths staged for this commit, relative to the repository's top level (None: no git)."""
    out = _git(top, "diff", "--cached", "--name-only", "--no-renames", "-z")
    if out is None:
        return None
    return [os.fsdecode(name) for name in out.split(b"\0") if name]


def _source_roots(settings: HealthgateConfig) -> list[Path]:
    from pytest_healthgate.collect.static.scope import resolve_entry

    found = (resolve_entry(settings.root, entry) for entry in settings.source)
    return [path.resolve() for path in found if path is not None]


def measured_source(settings: HealthgateConfig, top: Path, staged: Sequence[str]) -> list[str]:
    """The staged files (project-relative) that are measured source and not exempt."""
    from pytest_healthgate.collect.static.scope import is_test_file

    roots = _source_roots(settings)
    exempt = settings.section("changelog")["exempt"]
    root = settings.root.resolve()
    found = []
    for name in staged:
        path = (top / name).resolve()
        if path.suffix != ".py" or not path.is_relative_to(root) or is_test_file(path.name):
            continue
        relative = path.relative_to(root).as_posix()
        measured = any(path == base or path.is_relative_to(base) for base in roots)
        if measured and not any(matches(relative, pattern) for pattern in exempt):
            found.append(relative)
    return found


def touches_changelog(settings: HealthgateConfig, top: Path, staged: Sequence[str]) -> bool:
    root = settings.root.resolve()
    patterns = settings.section("changelog")["paths"]
    for name in staged:
        path = (top / name).resolve()
        if path.is_relative_to(root):
            relative = path.relative_to(root).as_posix()
            if any(matches(relative, pattern) for pattern in patterns):
                return True
    return False


def _message(filenames: Sequence[str]) -> str:
    """The commit message pre-commit passes at ``commit-msg`` (none at other stages)."""
    if not filenames:
        return ""
    try:
        return Path(filenames[0]).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def problem(settings: HealthgateConfig, top: Path, filenames: Sequence[str]) -> str | None:
    """Why this commit fails, or None; ``LookupError`` when git cannot say what is staged."""
    if re.search(settings.section("changelog")["skip"], _message(filenames)):
        return None
    if _git(top, "rev-parse", "-q", "--verify", "MERGE_HEAD") is not None:
        return None
    staged = staged_files(top)
    if staged is None:
        raise LookupError("git could not list the staged files")
    source = measured_source(settings, top, staged)
    if not source or touches_changelog(settings, top, staged):
        return None
    named = ", ".join(escape(path) for path in source[:SHOWN])
    more = f" and {len(source) - SHOWN} more" if len(source) > SHOWN else ""
    wanted = ", ".join(settings.section("changelog")["paths"])
    return (
        f"{NAME}: this commit changes measured source ({named}{more}) but no changelog "
        f"({wanted}); add an entry, or write [skip changelog] in the commit message"
    )


def main(argv: Sequence[str] | None = None) -> int:
    from pytest_healthgate.precommit import entry
    from pytest_healthgate.precommit.changes import _top_level

    filenames, settings = entry.parse_hook_args(
        NAME, DESCRIPTION, "the commit message file (pre-commit passes it at commit-msg)", argv
    )
    if settings is None:
        return entry.USAGE_ERROR
    try:
        found = problem(settings, _top_level(), filenames)
    except LookupError as exc:
        print(
            f"{NAME}: ERROR: {exc}; run it inside a git repository (pre-commit does)",
            file=sys.stderr,
        )
        return entry.USAGE_ERROR
    if found is None:
        return 0
    print(found)
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
