"""What a commit adds: each staged file analysed as staged and as it is at HEAD.

The file-scoped hooks (healthgate-debt, -complexity, -markers, -security) share
this module. pre-commit hands them the staged file names with unstaged edits
stashed away, so the working tree holds exactly what will be committed. The
version at HEAD is read with ``git show`` into a temporary folder beside copies
of the project's tool configuration, and both versions go through the same
analysis engine as ``pytest --healthgate`` (the staged side reuses and refreshes
the shared ``.healthgate/cache/``). A hook then reports only what got worse, as
``path:line: problem`` lines; deleting code can only remove findings.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from pytest_healthgate.collect.static import analysis_request, debt_pricing
from pytest_healthgate.collect.static.engine import analyse
from pytest_healthgate.collect.static.figures import DebtPricing, findings
from pytest_healthgate.collect.static.remediation import Finding
from pytest_healthgate.collect.static.request import AnalysisRequest
from pytest_healthgate.collect.static.results import AnalysisResult, FileResult
from pytest_healthgate.collect.static.scope import discover
from pytest_healthgate.config import HealthgateConfig
from pytest_healthgate.store.cache import CACHE_DIR
from pytest_healthgate.store.files import STATE_DIR

# Files whose settings change what the tools report; copied beside the HEAD versions.
TOOL_CONFIG_FILES = ("pyproject.toml", "ruff.toml", ".ruff.toml", ".bandit", "setup.cfg")


@dataclass
class Change:
    """The staged files in scope, analysed before (HEAD) and after (staged)."""

    settings: HealthgateConfig
    keys: list[str]
    before: AnalysisResult
    after: AnalysisResult

    @property
    def pricing(self) -> DebtPricing:
        return debt_pricing(self.settings.section("debt"))

    @property
    def before_files(self) -> Mapping[str, FileResult]:
        """Each staged file's analysis at HEAD (a new file has none)."""
        return self.before.files

    @property
    def after_files(self) -> Mapping[str, FileResult]:
        """Each staged file's analysis as staged."""
        return self.after.files

    def added_findings(self, keep: Callable[[Finding], bool]) -> list[Finding]:
        """Findings the staged version has more of than HEAD, matched without line numbers."""

        def identity(finding: Finding) -> tuple[str, str, str, str]:
            return (finding.path, finding.tool, finding.code, finding.message)

        pricing = self.pricing
        before = Counter(identity(f) for f in findings(self.before, pricing) if keep(f))
        added = []
        for finding in sorted(findings(self.after, pricing), key=lambda f: (f.path, f.line)):
            if not keep(finding):
                continue
            if before[identity(finding)] > 0:
                before[identity(finding)] -= 1
            else:
                added.append(finding)
        return added


def _in_scope(settings: HealthgateConfig, filenames: Sequence[str]) -> list[str]:
    debt = settings.section("debt")
    scope = discover(settings.root, settings.source, settings.exclude, bool(debt["include_tests"]))
    wanted = set()
    for name in filenames:
        path = Path(name).resolve()
        if path.is_relative_to(settings.root):
            wanted.add(path.relative_to(settings.root).as_posix())
    return sorted(key for key in scope.files if key in wanted)


def _at_head(root: Path, key: str) -> bytes | None:
    completed = subprocess.run(
        ["git", "show", f"HEAD:./{key}"], cwd=root, capture_output=True, check=False
    )
    return completed.stdout if completed.returncode == 0 else None


def _request(settings: HealthgateConfig, keys: list[str], root: Path) -> AnalysisRequest:
    base = analysis_request(settings, settings.section("debt"), keys)
    # mypy checks a program, not a handful of files: it is not run for a change.
    return replace(base, root=str(root), mypy=False)


def _analyse_head(settings: HealthgateConfig, keys: list[str]) -> AnalysisResult:
    with tempfile.TemporaryDirectory(prefix="healthgate-head-") as folder:
        shadow = Path(folder)
        for name in TOOL_CONFIG_FILES:
            if (settings.root / name).is_file():
                shutil.copyfile(settings.root / name, shadow / name)
        # Read-only use of the project's cache: the HEAD version of a file is often
        # what the last test run analysed. Entries are keyed by content digest, and
        # whatever this analysis adds stays in the temporary copy.
        cache = settings.root / STATE_DIR / CACHE_DIR
        if cache.is_dir():
            shutil.copytree(cache, shadow / STATE_DIR / CACHE_DIR)
        present = []
        for key in keys:
            content = _at_head(settings.root, key)
            if content is None:
                continue  # a new file: nothing before
            target = shadow / key
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
            present.append(key)
        if not present:
            return AnalysisResult()
        return analyse(_request(settings, present, shadow))


def analyse_staged_change(settings: HealthgateConfig, filenames: Sequence[str]) -> Change:
    """The staged files in scope, analysed at HEAD and as staged."""
    keys = _in_scope(settings, filenames)
    if not keys:
        return Change(settings, [], AnalysisResult(), AnalysisResult())
    # HEAD first: the staged analysis replaces these files' cache entries.
    before = _analyse_head(settings, keys)
    after = analyse(_request(settings, keys, settings.root))
    return Change(settings, keys, before, after)


FindProblems = Callable[[Change], list[str]]


def run_hook(name: str, find_problems: FindProblems, argv: Sequence[str] | None) -> int:
    """Parse the file names, analyse both sides, print problems; 1 when there are any."""
    from pytest_healthgate import pipeline
    from pytest_healthgate.precommit import entry

    filenames, settings = entry.parse_hook_args(
        name, None, "staged files (pre-commit passes them)", argv
    )
    if settings is None:
        return entry.USAGE_ERROR
    change = analyse_staged_change(settings, filenames)
    errors = {**change.after.errors, **change.before.errors}
    errors.pop("scope", None)
    for tool, message in sorted(errors.items()):
        print(f"{name}: {tool} could not run: {message}", file=sys.stderr)
    problems = [] if errors else find_problems(change)
    for line in problems:
        print(line)
    return pipeline.change_status(problems, could_not_run=bool(errors))


def location(finding: Finding) -> str:
    return f"{finding.path}:{finding.line}"
