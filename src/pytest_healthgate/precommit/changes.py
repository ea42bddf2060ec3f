"""What a change adds: each file analysed as changed and as it was before.

The file-scoped hooks (healthgate-debt, -complexity, -markers, -security) share
this module. Each file is judged by the project it belongs to: the nearest
folder above it whose pyproject.toml has a ``[tool.healthgate]`` table (several
projects may share a repository); in a repository with no table anywhere, the
nearest folder with a pyproject.toml (judged with the default playbook). A file
under none is skipped, with a note on stderr.

Two kinds of change are judged:

* **Staged** (``git commit``): pre-commit hands the hooks the staged file names
  with unstaged edits stashed away, so the working tree holds exactly what will
  be committed. It is compared with HEAD, which is the first parent of a merge
  or cherry-pick being committed.
* **A range** (``pre-commit run --from-ref X --to-ref Y``, which sets
  ``PRE_COMMIT_FROM_REF`` and ``PRE_COMMIT_TO_REF``): each file as it is at the
  TO ref (``git show``) is compared with its version at the merge base of the
  two refs, which is the FROM ref for a branch made from it: a CI job judges a
  whole branch.

The version before is read with ``git show`` into a temporary folder beside
copies of the project's tool configuration, and both versions go through the
same analysis engine as ``pytest --healthgate``, with the project's
``.healthgate/cache/`` (entries addressed by content: both sides stay cached).
A hook then reports only what got worse, as ``path:line: problem`` lines (text
from the project escaped, ``report.escape``); deleting code can only remove
findings.

"Before" is found under the file's old name when git's rename detection
(``git diff -M``) sees it renamed or moved, so a pure rename reports nothing.
While a merge is committed (``MERGE_HEAD`` exists) the version of the other
parent counts as well: a finding either parent has is not new, so what the
other branch brings is not reported as added.

The first commit of a repository has no version before. It is judged against
the project's baseline (``.healthgate/baseline.toml``, matched by the same
fingerprints as the ratchet: path, rule and source line), so adopting a project
with debt and committing it passes while anything the baseline lacks fails.
With no baseline either, nothing tells old debt from new: the problems are
printed as warnings with a note on how to adopt, and the commit passes.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from pytest_healthgate.collect.static.engine import analyse
from pytest_healthgate.collect.static.figures import DebtPricing, debt_pricing, findings
from pytest_healthgate.collect.static.remediation import Finding
from pytest_healthgate.collect.static.request import ALL_TOOLS, AnalysisRequest, analysis_request
from pytest_healthgate.collect.static.results import AnalysisResult, FileResult
from pytest_healthgate.collect.static.scope import discover
from pytest_healthgate.config import ConfigError, HealthgateConfig
from pytest_healthgate.report.escape import escape
from pytest_healthgate.store import scratch

if TYPE_CHECKING:  # the first commit's judge loads them only when it is needed
    from pytest_healthgate.snapshot import SourceLines
    from pytest_healthgate.store.baseline import Snapshot

# Files whose settings change what the tools report; copied beside the HEAD versions.
TOOL_CONFIG_FILES = ("pyproject.toml", "ruff.toml", ".ruff.toml", ".bandit", "setup.cfg")
GIT_TIMEOUT = 120.0  # seconds; git reads local objects only
GIT_PLACES = ("GIT_DIR", "GIT_WORK_TREE")  # variables that move the repository
FROM_REF = "PRE_COMMIT_FROM_REF"  # set by ``pre-commit run --from-ref X --to-ref Y``
TO_REF = "PRE_COMMIT_TO_REF"
OUTSIDE = "skipped: no pyproject.toml with a [tool.healthgate] table above it"
FIRST_COMMIT = (
    "the first commit has nothing before it and the project has no baseline, so the "
    "problems above are warnings; run `healthgate init` (or `healthgate baseline`) and "
    "commit .healthgate/baseline.toml to judge against it"
)
Skipped = tuple[tuple[str, str], ...]
Tools = tuple[str, ...]  # of request.ALL_TOOLS: what a hook's analysis runs
Identity = tuple[str, str, str]  # rule, path, fingerprint of the normalised source line


class Advice(str):
    """A problem line printed as a warning: it does not fail the hook."""

    __slots__ = ()


@dataclass(frozen=True)
class Refs:
    """The two versions a hook compares."""

    before: str = "HEAD"
    after: str | None = None  # None: the working tree, which holds what is staged

    @property
    def staged(self) -> bool:
        return self.after is None


def refs_to_compare(root: Path, environ: Mapping[str, str] | None = None) -> Refs:
    """HEAD and the staged files, or the range pre-commit was given (its merge base, TO)."""
    environ = os.environ if environ is None else environ
    from_ref, to_ref = environ.get(FROM_REF), environ.get(TO_REF)
    if not from_ref or not to_ref:
        return Refs()
    base = _git(root, "merge-base", from_ref, to_ref)
    return Refs(os.fsdecode(base).strip() if base else from_ref, to_ref)


@dataclass(frozen=True)
class Adopted:
    """What a baseline holds, to judge a first commit (which has no version before).

    ``identities`` is None when the project has no baseline.
    """

    identities: frozenset[Identity] | None
    lines: SourceLines

    @classmethod
    def of(cls, root: Path, baseline: Snapshot | None) -> Adopted:
        from pytest_healthgate.snapshot import SourceLines

        identities = None
        if baseline is not None:
            identities = frozenset(
                (item.rule, item.path, item.text)
                for figure in baseline.gates.values()
                for item in figure.items or ()
            )
        return cls(identities, SourceLines(root))

    def holds(self, rule: str, path: str, line: int) -> bool:
        """True when the baseline has this item (matched by its line's text, not number)."""
        if not self.identities:
            return False
        from pytest_healthgate.snapshot import fingerprint

        text = fingerprint(rule, self.lines.text(path, line))
        return (rule, path, text) in self.identities


@dataclass
class Change:
    """The staged files in scope, analysed before (HEAD) and after (staged)."""

    settings: HealthgateConfig
    keys: list[str]
    before: AnalysisResult
    after: AnalysisResult
    merged: tuple[AnalysisResult, ...] = ()  # the other parent's versions, in a merge
    skipped: Skipped = ()  # staged files in scope that could not be analysed, and why
    first: Adopted | None = None  # set for a repository's first commit

    @property
    def errors(self) -> dict[str, str]:
        """Tools that could not run on either side, by name (the scope's notes left out)."""
        errors = {**self.after.errors}
        for side in self.sides_before:
            errors.update(side.errors)
        errors.pop("scope", None)
        return errors

    @property
    def unjudged(self) -> bool:
        """A first commit with no baseline: nothing tells what the commit adds."""
        return self.first is not None and self.first.identities is None

    def adopted(self, rule: str, path: str, line: int) -> bool:
        """True when a first commit's baseline holds this item: it is not new."""
        return self.first is not None and self.first.holds(rule, path, line)

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

    @property
    def sides_before(self) -> tuple[AnalysisResult, ...]:
        """HEAD, and in a merge the other parent."""
        return (self.before, *self.merged)

    def versions_before(self, key: str) -> list[FileResult]:
        """The file's analysis in each version before the change (none for a new file)."""
        return [side.files[key] for side in self.sides_before if key in side.files]

    def added_findings(self, keep: Callable[[Finding], bool]) -> list[Finding]:
        """Findings the staged version has more of than before, matched without line numbers."""

        def identity(finding: Finding) -> tuple[str, str, str, str]:
            return (finding.path, finding.tool, finding.code, finding.message)

        pricing = self.pricing
        before: Counter[tuple[str, str, str, str]] = Counter()
        for side in self.sides_before:  # a finding of either parent is not new
            before |= Counter(identity(f) for f in findings(side, pricing) if keep(f))
        added = []
        for finding in sorted(findings(self.after, pricing), key=lambda f: (f.path, f.line)):
            if not keep(finding):
                continue
            if self.adopted(f"{finding.tool}:{finding.code}", finding.path, finding.line):
                continue
            if before[identity(finding)] > 0:
                before[identity(finding)] -= 1
            else:
                added.append(finding)
        return added


def _keys_of(root: Path, name: str) -> set[str]:
    """The project-relative keys a staged file name may have: as given, and resolved."""
    keys = set()
    as_given = os.path.normpath(Path(name).absolute())
    for path in {as_given, os.path.realpath(name)}:  # realpath: never raises, even on a loop
        for base in {str(root), os.path.realpath(root)}:
            if Path(path).is_relative_to(base):
                keys.add(Path(path).relative_to(base).as_posix())
    return keys


def _in_scope(settings: HealthgateConfig, filenames: Sequence[str]) -> tuple[list[str], Skipped]:
    """The staged files the analysis takes, and those in scope it cannot take (and why)."""
    debt = settings.section("debt")
    scope = discover(settings.root, settings.source, settings.exclude, bool(debt["include_tests"]))
    wanted: set[str] = set()
    for name in filenames:
        wanted |= _keys_of(settings.root, name)
    skipped = tuple(item for item in scope.skipped if item[0] in wanted)
    return sorted(key for key in scope.files if key in wanted), skipped


def _git(root: Path, *arguments: str, given: bytes | None = None) -> bytes | None:
    """What git prints (``given`` on its standard input), or None when it fails.

    Past GIT_TIMEOUT seconds subprocess.TimeoutExpired ends the hook with an ERROR line.
    """
    try:
        completed = subprocess.run(
            ["git", *arguments],
            cwd=root,
            input=given,
            capture_output=True,
            check=False,
            timeout=GIT_TIMEOUT,
        )
    except OSError:
        return None
    return completed.stdout if completed.returncode == 0 else None


GitObject = tuple[bytes, bytes]  # its type (b"blob", b"commit", ...) and its content


def _parse_batch(names: Sequence[str], out: bytes) -> dict[str, GitObject | None]:
    """``git cat-file --batch`` output: per name a header, then the content and a break."""
    found: dict[str, GitObject | None] = {}
    position = 0
    for name in names:
        end = out.index(b"\n", position)
        header = out[position:end].split()
        position = end + 1
        if len(header) != 3:  # "NAME missing" (or ambiguous): nothing at that ref
            found[name] = None
            continue
        size = int(header[2])
        found[name] = (header[1], out[position : position + size])
        position += size + 1  # the content and the line break after it
    return found


def _at(root: Path, ref: str, key: str) -> bytes | None:
    return _git(root, "show", f"{ref}:./{key}")


def _objects(root: Path, names: Sequence[str]) -> dict[str, GitObject | None]:
    """Each named object (``REF:./PATH``, ``HEAD^{commit}``), None where there is none.

    One ``git cat-file --batch`` for all of them (a hook reads every staged file's
    version before the change, and whether there is a commit before and a merge
    under way: one process, not one per question). A path with a line break cannot
    go through the batch's line-based input: it is read on its own.
    """
    batched = [name for name in names if "\n" not in name and "\r" not in name]
    found: dict[str, GitObject | None] = dict.fromkeys(names)
    out = _git(root, "cat-file", "--batch", given=b"".join(os.fsencode(n) + b"\n" for n in batched))
    if out is not None:
        found.update(_parse_batch(batched, out))
    for name in names:
        if name not in batched:
            ref, _, path = name.partition(":./")
            content = _at(root, ref, path)
            found[name] = None if content is None else (b"blob", content)
    return found


def _blob(found: GitObject | None) -> bytes | None:
    return found[1] if found is not None and found[0] == b"blob" else None


def renamed_from(root: Path, ref: str, to: str | None = None) -> dict[str, str]:
    """New key -> old key of each file renamed or moved since ``ref``: in the index, or at ``to``.

    Keys are relative to ``root`` (``--relative``), the project's folder.
    """
    compared = ("--cached", ref) if to is None else (ref, to)
    out = _git(root, "diff", "-M", "--name-status", "-z", "--relative", *compared, "--")
    fields = [os.fsdecode(field) for field in (out or b"").split(b"\0")]
    renames = {}
    index = 0
    while index + 1 < len(fields) and fields[index]:
        if fields[index].startswith(("R", "C")) and index + 2 < len(fields):
            renames[fields[index + 2]] = fields[index + 1]
            index += 3
        else:
            index += 2
    return renames


def first_commit_judge(root: Path) -> Adopted:
    """The baseline a first commit is judged against; BaselineError when it is unusable."""
    from pytest_healthgate.store import baseline

    return Adopted.of(root, baseline.load(root))


def _request(
    settings: HealthgateConfig, keys: list[str], root: Path, tools: Tools = ALL_TOOLS
) -> AnalysisRequest:
    base = analysis_request(settings, settings.section("debt"), keys)
    # mypy checks a program, not a handful of files: it is not run for a change.
    # Every side uses the project's cache, addressed by content: the version before
    # is often what the last test run analysed, and each side keeps its entries.
    # A hook runs only the tools whose findings it judges.
    return replace(base, root=str(root), mypy=False, cache_root=str(settings.root), tools=tools)


def _names_at(ref: str, keys: Sequence[str], renamed: Mapping[str, str]) -> dict[str, str]:
    """Each key's object name at ``ref``: under its old name if renamed since."""
    return {key: f"{ref}:./{renamed.get(key, key)}" for key in keys}


@contextmanager
def _checked_out(
    settings: HealthgateConfig,
    ref: str,
    keys: Sequence[str],
    renamed: Mapping[str, str],
    read: Mapping[str, GitObject | None] | None = None,
) -> Iterator[tuple[Path, list[str]]]:
    """A temporary folder with the files as they are at ``ref``, and the keys it holds.

    A file is read under its old name if renamed since; one ``ref`` lacks is left out.
    ``read``: the objects when the caller has read them already.
    """
    with scratch.folder("head") as folder:
        shadow = Path(folder)
        for name in TOOL_CONFIG_FILES:
            if (settings.root / name).is_file():
                shutil.copyfile(settings.root / name, shadow / name)
        present = []
        names = _names_at(ref, keys, renamed)
        objects = _objects(settings.root, list(names.values())) if read is None else read
        for key in keys:
            content = _blob(objects.get(names[key]))
            if content is None:
                continue  # a new file: nothing before
            target = shadow / key
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
            present.append(key)
        yield shadow, present


def _analyse_at(
    settings: HealthgateConfig,
    ref: str,
    keys: list[str],
    renamed: Mapping[str, str],
    tools: Tools = ALL_TOOLS,
    *,
    read: Mapping[str, GitObject | None] | None = None,
) -> AnalysisResult:
    """The files as they are at ``ref`` (under their old names if renamed since)."""
    with _checked_out(settings, ref, keys, renamed, read) as (shadow, present):
        if not present:
            return AnalysisResult()
        return analyse(_request(settings, present, shadow, tools))


def analyse_staged_change(
    settings: HealthgateConfig,
    filenames: Sequence[str],
    refs: Refs | None = None,
    tools: Tools = ALL_TOOLS,
) -> Change:
    """The files in scope, analysed before (HEAD, a merge's other parent) and after.

    After is the working tree (what is staged), or the ``refs.after`` commit.
    """
    refs = Refs() if refs is None else refs
    if refs.after is not None:
        return _analyse_range(settings, filenames, refs.before, refs.after, tools)
    keys, skipped = _in_scope(settings, filenames)
    if not keys:
        return Change(settings, [], AnalysisResult(), AnalysisResult(), skipped=skipped)
    renamed = renamed_from(settings.root, refs.before)
    # One git call for the versions before and two questions: is there a commit
    # before, is a merge under way?
    commit, merge = f"{refs.before}^{{commit}}", "MERGE_HEAD"
    read = _objects(settings.root, [commit, merge, *_names_at(refs.before, keys, renamed).values()])
    before = _analyse_at(settings, refs.before, keys, renamed, tools, read=read)
    merged = tuple(
        _analyse_at(settings, ref, keys, renamed_from(settings.root, ref), tools)
        for ref in ([merge] if read[merge] is not None else [])
    )
    after = analyse(_request(settings, keys, settings.root, tools))
    first = None if read[commit] is not None else first_commit_judge(settings.root)
    return Change(settings, keys, before, after, merged, skipped, first)


def _analyse_range(
    settings: HealthgateConfig,
    filenames: Sequence[str],
    before_ref: str,
    after_ref: str,
    tools: Tools,
) -> Change:
    """The files as they are at ``after_ref``, against ``before_ref`` (old names on renames)."""
    wanted: set[str] = set()
    for name in filenames:
        wanted |= _keys_of(settings.root, name)
    with _checked_out(settings, after_ref, sorted(wanted), {}) as (shadow, present):
        debt = settings.section("debt")
        include_tests = bool(debt["include_tests"])
        scope = discover(shadow, settings.source, settings.exclude, include_tests)
        keys = sorted(key for key in scope.files if key in present)
        if not keys:
            return Change(settings, [], AnalysisResult(), AnalysisResult())
        after = analyse(_request(settings, keys, shadow, tools))
    renamed = renamed_from(settings.root, before_ref, after_ref)
    before = _analyse_at(settings, before_ref, keys, renamed, tools)
    return Change(settings, keys, before, after)


@dataclass
class Project:
    """A folder whose pyproject.toml has a ``[tool.healthgate]`` table, and its files."""

    root: Path
    filenames: list[str] = field(default_factory=list)


def _has_table(pyproject: Path) -> bool:
    """True when the file has ``[tool.healthgate]``, or does not parse (loading says why).

    A file that is missing or cannot be opened (a folder without permission) has none.
    """
    try:
        with pyproject.open("rb") as stream:
            document = tomllib.load(stream)
    except OSError:
        return False
    except (tomllib.TOMLDecodeError, UnicodeDecodeError):
        return True
    tool = document.get("tool")
    return isinstance(tool, dict) and "healthgate" in tool


def projects_of(filenames: Sequence[str], top: Path) -> tuple[list[Project], list[str]]:
    """The projects the files belong to (nearest first), and the files under none.

    A file belongs to the nearest folder above it, up to ``top`` (the repository's
    top level), whose pyproject.toml has a ``[tool.healthgate]`` table; in a
    repository with no such table anywhere, to the nearest folder with a
    pyproject.toml (judged with the default playbook).
    """
    found: dict[Path, Project] = {}
    nearest: dict[Path, Path | None] = {}
    outside = []
    top = Path(os.path.normpath(top.absolute()))
    # With no [tool.healthgate] table anywhere, the project judges with the default
    # playbook; once a table exists somewhere, files under none are not judged. Asked
    # of git only for a file with no table above it: most hooks never ask.
    untabled = cache(lambda: not _any_table(top))
    for name in filenames:
        folder = Path(os.path.normpath(Path(name).absolute())).parent
        root = _nearest_project(folder, top, nearest, untabled=untabled)
        if root is None:
            outside.append(name)
        else:
            found.setdefault(root, Project(root)).filenames.append(name)
    return sorted(found.values(), key=lambda project: str(project.root)), outside


def _any_table(top: Path) -> bool:
    """True when a pyproject.toml of the repository (tracked or staged) has the table."""
    listed = _git(top, "ls-files", "--cached", "-z", "--", "pyproject.toml", "*/pyproject.toml")
    names = [os.fsdecode(name) for name in (listed or b"").split(b"\0") if name]
    return any(_has_table(top / name) for name in names)


def _nearest_project(
    folder: Path, top: Path, seen: dict[Path, Path | None], *, untabled: Callable[[], bool]
) -> Path | None:
    """The nearest folder with a [tool.healthgate] table; when the repository has none
    (``untabled``), the nearest with a pyproject.toml - a project that judges with the
    default playbook, as ``pytest --healthgate`` does with no table."""
    walked = []
    root: Path | None = None
    for candidate in (folder, *folder.parents):
        if candidate in seen:
            root = seen[candidate]
            break
        walked.append(candidate)
        if _has_table(candidate / "pyproject.toml"):
            root = candidate
            break
        if candidate == top or not candidate.is_relative_to(top):
            break
    for candidate in walked:
        seen[candidate] = root
    if root is None and untabled():
        return _nearest_pyproject(folder, top)
    return root


def _nearest_pyproject(folder: Path, top: Path) -> Path | None:
    """The nearest folder at or above ``folder``, up to ``top``, holding a pyproject.toml."""
    for candidate in (folder, *folder.parents):
        if _is_file(candidate / "pyproject.toml"):
            return candidate
        if candidate == top or not candidate.is_relative_to(top):
            return None
    return None


def _is_file(path: Path) -> bool:
    try:  # Python 3.11's is_file raises in a folder without permission
        return path.is_file()
    except OSError:
        return False


def _top_level() -> Path:
    """The repository's top level (pre-commit runs hooks there), else the current folder.

    A current folder holding ``.git`` is the top level, as git finds it, unless the
    environment points git elsewhere: then, and outside the top level, git is asked.
    """
    here = Path.cwd()
    if (here / ".git").exists() and not any(name in os.environ for name in GIT_PLACES):
        return here
    out = _git(here, "rev-parse", "--show-toplevel")
    return Path(os.fsdecode(out).strip()) if out else Path.cwd()


FindProblems = Callable[[Change], list[str]]


def run_hook(
    name: str, find_problems: FindProblems, argv: Sequence[str] | None, tools: Tools
) -> int:
    """Parse the file names, analyse each project's files, print problems; 1 when any.

    A change that cannot be analysed (a tool fails, or the analysis itself breaks)
    is an ERROR line naming the tool, on stderr, and status 1: never a traceback.
    A project whose configuration is wrong is a usage error (2), the others are
    still judged.
    """
    from pytest_healthgate.precommit import entry

    files_help = "staged files (pre-commit passes them)"
    hook = entry.read_hook_args(name, None, files_help, argv, per_file=True)
    if hook.config is not None:  # one project for every file: the one --config names
        if not hook.config.is_file():
            message = f"--config {hook.config}: no such file; give the path of a pyproject.toml."
            print(f"{name}: {message}", file=sys.stderr)
            return entry.USAGE_ERROR
        projects = [Project(hook.config.resolve().parent, list(hook.filenames))]
        outside: list[str] = []
    else:
        projects, outside = projects_of(hook.filenames, _top_level())
    for filename in outside:
        print(f"{name}: {escape(filename)}: {OUTSIDE}", file=sys.stderr)
    status = 0
    for project in projects:
        try:
            settings = hook.settings_for(project.root)
        except ConfigError as exc:
            print(f"{name}: {exc}", file=sys.stderr)
            status = max(status, entry.USAGE_ERROR)
            continue
        judged = _judge(name, find_problems, settings, project.filenames, tools)
        status = max(status, judged)
    return status


def _judge(
    name: str,
    find_problems: FindProblems,
    settings: HealthgateConfig,
    filenames: list[str],
    tools: Tools,
) -> int:
    """One project's files: analysed, judged and printed; the hook's status for them."""
    from pytest_healthgate import pipeline
    from pytest_healthgate.collect.static.engine import describe_failure

    try:
        refs = refs_to_compare(settings.root)
        change = analyse_staged_change(settings, filenames, refs, tools)
        errors = change.errors
        problems = [] if errors else _problems(name, find_problems, change)
    except (Exception, SystemExit) as exc:
        message = escape(describe_failure(exc))
        print(f"{name}: ERROR: the analysis failed: {message}", file=sys.stderr)
        return 1
    for key, reason in change.skipped:
        print(f"{name}: {escape(key)}: not analysed: {reason}", file=sys.stderr)
    for tool, message in sorted(errors.items()):
        print(f"{name}: {tool} could not run: {escape(message)}", file=sys.stderr)
    for line in problems:
        print(line)
    failing = [line for line in problems if not isinstance(line, Advice)]
    return pipeline.change_status(failing, could_not_run=bool(errors))


def _problems(name: str, find_problems: FindProblems, change: Change) -> list[str]:
    """The hook's lines; warnings only for a first commit that nothing can judge."""
    problems = find_problems(change)
    if change.unjudged and problems:
        return [*(Advice(line) for line in problems), Advice(f"{name}: {FIRST_COMMIT}")]
    return problems


def location(finding: Finding) -> str:
    """``path:line`` of a finding, escaped for the terminal."""
    return escape(f"{finding.path}:{finding.line}")


def finding_line(finding: Finding) -> str:
    """``path:line: tool rule: message (+N min of debt)``: one finding, one line."""
    rule = escape(f"{finding.tool} {finding.code}")
    return f"{location(finding)}: {rule}: {finding.message} (+{finding.minutes:g} min of debt)"


def analyse_since(
    settings: HealthgateConfig, base: str, changed: Sequence[str], deleted: Sequence[str]
) -> Change:
    """The ``changed`` files (project-relative) in scope as they are now, against ``base``;
    ``deleted`` files in scope count on the before side only (what moved out of them)."""
    root = settings.root
    keys, skipped = _in_scope(settings, [str(root / name) for name in changed])
    gone = [name for name in deleted if name.endswith(".py") and _in_source(settings, name)]
    before_keys = sorted({*keys, *gone})
    renamed = renamed_from(root, base)
    before = _analyse_at(settings, base, before_keys, renamed) if before_keys else AnalysisResult()
    after = analyse(_request(settings, keys, root)) if keys else AnalysisResult()
    return Change(settings, keys, before, after, skipped=skipped)


def _in_source(settings: HealthgateConfig, key: str) -> bool:
    """Whether a project-relative path lies under one of the ``source`` entries."""
    from pytest_healthgate.collect.static.scope import resolve_entry

    for entry in settings.source:
        found = resolve_entry(settings.root, entry)
        prefix = (found or settings.root / entry).relative_to(settings.root).as_posix()
        if key == prefix or key.startswith(prefix.rstrip("/") + "/"):
            return True
    return False
