"""Gates on what a branch changes: ``new_coverage``, ``new_debt`` and ``new_complexity``.

"Clean as you code": a project with years of debt is judged on the code a branch
adds, against the merge base of HEAD and a base ref (``--healthgate-diff=REF``
or ``[tool.healthgate.new_code] base``). The changed lines are the work tree's
against that merge base (``git diff -U0``, so uncommitted work counts too) plus
every line of a new, untracked file.

* ``new_coverage``: of the statements on changed lines, the share the test run
  executed. A changed line counts as the statement it belongs to, as coverage.py
  counts statements (a multi-line call changed on its third line is that call).
  Fewer new statements than ``min_lines`` skip the gate with the reason; a
  change that adds no statement (it only deletes) skips it too, and passes.
* ``new_debt``: the minutes of the findings the change adds, matched as the
  ratchet matches them: by rule and text in the same file first, then in any
  file, so code moved from one file to another is not new.
* ``new_complexity``: functions the change made more complex to a worse rank,
  and new functions past the complexity gate's warn rank (C by default).

A base that does not exist, or a shallow clone that lacks the merge base, makes
the gates ERROR with the command that fixes it: never a pass on a guess.
"""

from __future__ import annotations

import ast
import os
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pytest_healthgate.collect.lifecycle import Collector, CollectorContext, Role
from pytest_healthgate.model import Detail, Measurement
from pytest_healthgate.units import Unit

NEW_COVERAGE, NEW_DEBT, NEW_COMPLEXITY = "new_coverage", "new_debt", "new_complexity"
HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")
GIT_TIMEOUT = 60
SHOWN = 10


class DiffError(Exception):
    """The base cannot be compared with here; the message says how to fix it."""


def _git(root: Path, *arguments: str) -> str | None:
    """What git prints, or None when it fails (one runner for every git call)."""
    from pytest_healthgate.pipeline import git_text

    return git_text(root, *arguments, timeout=GIT_TIMEOUT)


def merge_base(root: Path, ref: str) -> str:
    """The merge base of HEAD and ``ref``; DiffError saying how to get it when there is none."""
    if _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}") is None:
        raise DiffError(
            f"the diff base {ref!r} does not exist in this repository; fetch it "
            f"(git fetch origin {ref.removeprefix('origin/')}) or fix --healthgate-diff / "
            f"[tool.healthgate.new_code] base"
        )
    found = _git(root, "merge-base", ref, "HEAD")
    if found:
        return found
    if _git(root, "rev-parse", "--is-shallow-repository") == "true":
        raise DiffError(
            f"this is a shallow clone without the merge base of HEAD and {ref}; fetch more "
            f"history (git fetch --deepen=200, or fetch-depth: 0 in actions/checkout)"
        )
    raise DiffError(f"HEAD and {ref} share no history; choose a base this branch grew from")


def changed_lines(root: Path, base: str) -> dict[str, set[int]]:
    """Project-relative path -> the lines added or changed since ``base`` (work tree)."""
    diff = _git(root, "diff", "--no-color", "--no-ext-diff", "--relative", "-U0", base, "--")
    if diff is None:
        raise DiffError(f"git diff against {base[:12]} failed here; run it in the repository")
    changed: dict[str, set[int]] = {}
    path = None
    for line in diff.splitlines():
        if line.startswith("+++ "):
            name = line[4:]
            path = name[2:] if name.startswith("b/") else None  # /dev/null: deleted
        elif path is not None and (hunk := HUNK.match(line)):
            first, count = int(hunk.group(1)), int(hunk.group(2) or 1)
            changed.setdefault(path, set()).update(range(first, first + count))
    changed.update(_untracked(root))
    return changed


def _untracked(root: Path) -> dict[str, set[int]]:
    """New files git does not track yet: every line is new."""
    found = {}
    for name in filter(
        None, (_git(root, "ls-files", "--others", "--exclude-standard", "-z") or "").split("\0")
    ):
        try:
            count = len((root / name).read_bytes().splitlines())
        except OSError:
            continue
        found[name] = set(range(1, count + 1))
    return found


# -- statements, as coverage.py counts them ------------------------------------------


def _spans(tree: ast.AST) -> Iterable[tuple[int, int]]:
    """Each statement's own lines: a compound statement's header, a simple one whole."""
    for node in ast.walk(tree):
        if not isinstance(node, ast.stmt):
            continue
        for decorator in getattr(node, "decorator_list", []):  # each a statement of its own
            yield decorator.lineno, decorator.end_lineno or decorator.lineno
        first = node.lineno
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.stmt):
            last = max(node.lineno, body[0].lineno - 1)
        else:
            last = node.end_lineno or node.lineno
        yield first, last


def statements_on(source: str, lines: Iterable[int], statements: Iterable[int]) -> set[int]:
    """The statements (coverage.py's line numbers) that ``lines`` belong to."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return set(lines) & set(statements)
    known = sorted(set(statements))
    owner: dict[int, int] = {}
    for first, last in sorted(_spans(tree), key=lambda span: span[1] - span[0], reverse=True):
        inside = [number for number in known if first <= number <= last]
        if inside:  # the innermost span wins: sorted widest first, later ones overwrite
            for line in range(first, last + 1):
                owner[line] = inside[0]
    return {owner[line] for line in lines if line in owner}


def ranges(lines: Iterable[int]) -> str:
    ordered = sorted(set(lines))
    spans: list[str] = []
    start = previous = None
    for line in ordered:
        if previous is not None and line == previous + 1:
            previous = line
            continue
        if start is not None:
            spans.append(f"{start}" if start == previous else f"{start}-{previous}")
        start = previous = line
    if start is not None:
        spans.append(f"{start}" if start == previous else f"{start}-{previous}")
    return ", ".join(spans)


@dataclass
class NewStatements:
    """Per file, the new statements and those of them the run did not execute."""

    new: dict[str, set[int]] = field(default_factory=dict)
    missed: dict[str, set[int]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(len(lines) for lines in self.new.values())

    @property
    def covered(self) -> int:
        return self.total - sum(len(lines) for lines in self.missed.values())


def new_statements(changed: dict[str, set[int]], root: Path) -> NewStatements:
    """The changed lines' statements in the measured files, from the run's coverage data."""
    import coverage

    from pytest_healthgate.collect.coverage import coverage_config_file

    cov = coverage.Coverage(config_file=coverage_config_file(root))
    cov.load()
    measured = {os.path.realpath(name) for name in cov.get_data().measured_files()}
    found = NewStatements()
    for path, lines in sorted(changed.items()):
        absolute = os.path.realpath(root / path)
        if not path.endswith(".py") or absolute not in measured:
            continue
        _name, statements, _excluded, missing, _text = cov.analysis2(absolute)
        source = Path(absolute).read_text(encoding="utf-8", errors="replace")
        new = statements_on(source, lines, statements)
        if new:
            found.new[path] = new
            found.missed[path] = new & set(missing)
    return found


# -- the gates ------------------------------------------------------------------------


def diff_base(context: CollectorContext) -> str | None:
    config = context.pytest_config
    given = config.getoption("healthgate_diff", None) if config is not None else None
    base = given or context.options.get("base")
    return str(base) if base else None


NO_BASE = (
    "no diff base: give --healthgate-diff=REF or set [tool.healthgate.new_code] "
    'base = "origin/main"'
)


class NewCoverage(Collector):
    """``new_coverage``, from the run's coverage data, after the coverage gate saved it."""

    def finish(self) -> list[Measurement]:
        if self.role is Role.WORKER:
            return []
        base = diff_base(self.context)
        if base is None:  # written without a base: nothing to judge against is no pass
            return [Measurement(NEW_COVERAGE, error=NO_BASE)]
        root = self.settings.root
        try:
            found = new_statements(changed_lines(root, merge_base(root, base)), root)
        except DiffError as exc:
            return [Measurement(NEW_COVERAGE, error=str(exc))]
        except Exception as exc:
            return [Measurement(NEW_COVERAGE, error=f"coverage.py: {exc}")]
        return [coverage_measurement(found, int(self.context.options.get("min_lines", 1)), base)]


def coverage_measurement(found: NewStatements, minimum: int, base: str) -> Measurement:
    total = found.total
    if total == 0:
        return Measurement(NEW_COVERAGE, skip_reason=f"no new or changed statement since {base}")
    if total < minimum:
        return Measurement(
            NEW_COVERAGE,
            skip_reason=f"{total} new statements since {base}, fewer than min_lines = {minimum}",
        )
    details = [
        Detail(f"{path}:{ranges(lines)}", float(len(lines)), Unit.COUNT, "new lines not run")
        for path, lines in sorted(found.missed.items())
        if lines
    ]
    return Measurement(
        NEW_COVERAGE,
        value=100.0 * found.covered / total,
        details=details,
        extra={
            "base": base,
            "new_statements": total,
            "uncovered": {path: sorted(lines) for path, lines in found.missed.items() if lines},
            "looked_at": {"new statements": total},
        },
    )


def create_new_coverage(context: CollectorContext) -> Collector:
    return NewCoverage(context)


class NewStatic(Collector):
    """``new_debt`` and ``new_complexity``: the static analysis of both sides of the change."""

    def finish(self) -> list[Measurement]:
        if self.role is Role.WORKER:
            return []
        base = diff_base(self.context)
        wanted = [gate for gate in (NEW_DEBT, NEW_COMPLEXITY) if gate in self.context.gates]
        if base is None:
            return [Measurement(gate, error=NO_BASE) for gate in wanted]
        try:
            root = self.settings.root
            changed = changed_lines(root, merge_base(root, base))
        except DiffError as exc:
            return [Measurement(gate, error=str(exc)) for gate in wanted]
        from pytest_healthgate.collect import new_findings

        return new_findings.measure(self.settings, wanted, base, changed)


def create_new_static(context: CollectorContext) -> Collector:
    return NewStatic(context)


def added_by_identity(
    before: Sequence[tuple[str, tuple[str, str, str]]],
    after: Sequence[tuple[str, tuple[str, str, str]]],
) -> list[int]:
    """Indexes of ``after`` items not in ``before``: (path, key) matched in the same file
    first, then in any file (a moved function is not new)."""
    same_file = Counter(before)
    anywhere = Counter(key for _path, key in before)
    unplaced = []
    for index, item in enumerate(after):
        if same_file[item] > 0:
            same_file[item] -= 1
            anywhere[item[1]] -= 1
        else:
            unplaced.append(index)
    added = []
    for index in unplaced:
        key = after[index][1]
        if anywhere[key] > 0:
            anywhere[key] -= 1
        else:
            added.append(index)
    return added
