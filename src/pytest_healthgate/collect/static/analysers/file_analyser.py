"""Everything learned from one Python file on its own: radon, debt markers, bandit.

Runs in the per-file analyser's pool workers (or in-process for a handful of
files) and returns a ``FileResult`` plus the tools that failed on the file.
radon and bandit are driven through their Python APIs; the one exception is
radon's raw line counts, counted in one tokenizer pass where that is proven to
give radon's figures (``raw_metrics``), because radon's own counting takes time
that grows with the square of a statement's length. Whatever a tool raises, ``sys.exit`` at import
included, is that tool's error on the file, never the end of the analysis.

bandit finds its plugins through stevedore, which caches the entry points it
scanned in the user's cache folder (``~/.cache/python-entrypoints``). The
analysis writes nothing outside the project: bandit is imported with that
cache moved to ``.healthgate/cache/bandit/``, or switched off
(``entry_point_cache``).

bandit parses every file it scans. Where bandit's version is one in
``TREE_PROVEN_BANDIT`` and the file has no ``# nosec`` comment, bandit's scan
is run on the tree this module parsed already (``scan_parsed``): the same
visitor and tests ``BanditManager.run_tests`` runs, without the second parse
(1.4 s of CPU on Django's 885 files). ``tests/test_bandit_tree.py`` proves the
issues equal, file by file, on the standard library and this project.
"""

from __future__ import annotations

import ast
import contextlib
import gc
import io
import logging
import os
import re
import sys
import tokenize
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

from pytest_healthgate.collect.static.analysers.protocol import failure_text
from pytest_healthgate.collect.static.raw_metrics import Comment
from pytest_healthgate.collect.static.request import PER_FILE_TOOLS
from pytest_healthgate.collect.static.results import (
    MI_RANKS,
    RANKS,
    FileResult,
    FunctionComplexity,
    MarkerHit,
    SecurityIssue,
    SourceProblem,
    part_of,
)
from pytest_healthgate.collect.static.source import ParsedSource, read_python

MARKER_TEXT_LIMIT = 200
# bandit versions whose per-file scan is proven to give the same issues on a tree
# parsed here (tests/test_bandit_tree.py); any other version parses for itself.
TREE_PROVEN_BANDIT = frozenset({"1.9.4"})
# Where stevedore puts its entry-point cache: XDG_CACHE_HOME (Linux and other
# Unixes), LOCALAPPDATA (Windows), the home folder (macOS, ~/Library/Caches).
USER_CACHE_VARIABLES = (
    "XDG_CACHE_HOME",
    "LOCALAPPDATA",
    *(("HOME",) if sys.platform == "darwin" else ()),
)
_ANALYSER: FileAnalyser | None = None


@contextlib.contextmanager
def entry_point_cache(folder: str = os.devnull) -> Iterator[None]:
    """Import bandit in this block: stevedore keeps its entry-point cache in ``folder``.

    stevedore picks its cache folder once, when it is imported, from the variables
    above; scanning every installed distribution's entry points costs bandit's
    import 20-40 ms, which the cache saves on the next run. ``folder`` is one in
    the project's ``.healthgate/cache/`` (``entry_points_folder``), or the null
    device: no folder can be made below it, so stevedore scans and writes
    nothing. macOS puts the cache below the home folder: there it is always
    the null device. The variables are restored when the block ends. A
    stevedore that something else imported earlier is left as it is.
    """
    if "stevedore" in sys.modules:
        yield
        return
    if sys.platform == "darwin":
        folder = os.devnull
    saved = {name: os.environ.get(name) for name in USER_CACHE_VARIABLES}
    os.environ.update(dict.fromkeys(USER_CACHE_VARIABLES, folder))
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


class FileOutcome(NamedTuple):
    """A file's result, and tool -> message for each tool that failed on it."""

    result: FileResult
    tool_errors: dict[str, str]


Security = tuple[tuple[SecurityIssue, ...], dict[str, str]]  # issues, tool -> error


class RadonFigures(NamedTuple):
    lines: int
    functions: tuple[FunctionComplexity, ...]
    mi: float
    mi_rank: str
    # The comments the raw counting's tokenizer pass read, for the marker scan
    # (None: radon counted by itself, so the scan tokenizes).
    comments: list[Comment] | None = None


class BanditSetup(NamedTuple):
    """What every bandit scan in a process shares."""

    config: Any
    profile: dict[str, set[str]]
    manager_type: Any
    takes_tree: bool = False  # its version is one of TREE_PROVEN_BANDIT


def scan_parsed(manager: Any, name: str, data: bytes, tree: ast.Module) -> None:
    """What ``manager.run_tests()`` does for one file, on ``tree``, bandit's parse of ``data``.

    For a manager made with ``ignore_nosec`` (no ``# nosec`` lines to read) whose
    ``discover_files`` listed ``name``: the same visitor, the AST tests and then the
    whole-file tests, the issues added to ``manager.results``. A test that raises
    skips the file, as ``run_tests`` does.
    """
    from bandit.core import node_visitor

    source = io.BytesIO(data)  # the file tests (trojansource) read it as bandit's open file
    try:
        manager.metrics.begin(name)
        manager.metrics.count_locs(data.splitlines())
        visitor = node_visitor.BanditNodeVisitor(
            name, source, manager.b_ma, manager.b_ts, manager.debug, {}, manager.metrics
        )
        visitor.generic_visit(tree)
        visitor.context = {
            "file_data": source,
            "filename": name,
            "lineno": 0,
            "linerange": [0, 1],
            "col_offset": 0,
        }
        visitor.update_scores(visitor.tester.run_tests(visitor.context, "File"))
    except Exception:  # run_tests skips such a file; so does this
        manager.skipped.append((name, "exception while scanning file"))
        return
    manager.scores.append(visitor.scores)
    manager.metrics.count_issues([visitor.scores])
    manager.results.extend(visitor.tester.results)


def marker_pattern(markers: tuple[str, ...]) -> re.Pattern[str] | None:
    """Whole-word, case-insensitive match of any configured marker."""
    if not markers:
        return None
    words = "|".join(re.escape(word) for word in sorted(markers, key=len, reverse=True))
    return re.compile(rf"(?<![\w])({words})(?![\w])", re.IGNORECASE)


def find_markers(
    text: str,
    pattern: re.Pattern[str] | None,
    markers: tuple[str, ...],
    comments: list[Comment] | None = None,
) -> tuple[MarkerHit, ...]:
    """Debt markers in comment tokens; a marker inside a string or docstring is not debt.

    ``comments``: the text's comment tokens when a tokenizer pass already read them.
    """
    if pattern is None or pattern.search(text) is None:
        return ()  # the common case: no marker word anywhere, no need to tokenize
    by_word = {word.upper(): word for word in markers}
    found: list[MarkerHit] = []
    for line, comment in _comments(text) if comments is None else comments:
        match = pattern.search(comment)
        if match is not None:
            word = by_word.get(match.group(1).upper(), match.group(1))
            found.append(MarkerHit(line, word, comment.strip()[:MARKER_TEXT_LIMIT]))
    return tuple(found)


def _comments(text: str) -> Iterator[Comment]:
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.COMMENT:
                yield token.start[0], token.string
    except (tokenize.TokenError, SyntaxError):
        pass  # the AST parsed, so this is an edge of the tokenizer: keep what was found


def radon_figures(text: str, tree: ast.Module) -> RadonFigures:
    """Complexity of every function and the maintainability index, from one shared AST.

    Raises ImportError when radon is missing; anything else is radon failing.
    """
    from radon.complexity import add_inner_blocks, cc_rank
    from radon.metrics import h_visit_ast, mi_compute, mi_rank
    from radon.visitors import ComplexityVisitor, Function

    from pytest_healthgate.collect.static.raw_metrics import raw_metrics_and_comments

    visitor = ComplexityVisitor.from_ast(tree)
    functions = tuple(
        FunctionComplexity(
            block.fullname, block.lineno, block.complexity, cc_rank(block.complexity)
        )
        for block in add_inner_blocks(visitor.blocks)
        if isinstance(block, Function)
    )
    raw, comment_tokens = raw_metrics_and_comments(text)  # radon.raw.analyze's, in one pass
    # The parameters of radon's mi_visit(code, multi=True).
    comments = (raw.comments + raw.multi) / float(raw.sloc) * 100 if raw.sloc else 0
    mi = mi_compute(h_visit_ast(tree).total.volume, visitor.total_complexity, raw.lloc, comments)
    figures = RadonFigures(raw.sloc, functions, mi, mi_rank(mi), comment_tokens)
    unknown = {f.rank for f in functions if f.rank not in RANKS} | ({figures.mi_rank} - MI_RANKS)
    if unknown:
        raise ValueError(f"radon gave a rank healthgate does not know: {sorted(unknown)}")
    return figures


class FileAnalyser:
    """Per-process state: the marker pattern, a bandit configuration, the tools to run."""

    def __init__(
        self,
        markers: tuple[str, ...],
        bandit_config: str | None,
        tools: tuple[str, ...] = PER_FILE_TOOLS,
        entry_points: str = os.devnull,
    ) -> None:
        self.tools = tools
        self.entry_points = entry_points  # stevedore's cache folder (entry_point_cache)
        self.markers = markers
        self.pattern = marker_pattern(markers)
        self.bandit_config = bandit_config
        self._bandit: BanditSetup | None = None
        self._bandit_problem: str | None = None

    def analyse(self, key: str, path: Path, *, security: bool = True) -> FileOutcome:
        """The file's result; ``security=False`` leaves bandit's part to ``security_of``."""
        try:
            data = path.read_bytes()
        except OSError as exc:
            problem = SourceProblem(1, f"cannot be read: {exc.strerror or exc}")
            return FileOutcome(FileResult(error=problem), {})
        parsed = read_python(data, key)
        if isinstance(parsed, SourceProblem):
            lines = sum(1 for line in data.splitlines() if line.strip())
            return FileOutcome(part_of(FileResult(lines=lines, error=parsed), self.tools), {})
        errors: dict[str, str] = {}
        with warnings.catch_warnings():
            # Tools may warn about AST nodes deprecated in newer Pythons; not ours to show.
            warnings.simplefilter("ignore")
            result = self._run_tools(key, path, parsed, errors, security=security, data=data)
        return FileOutcome(result, errors)

    def _run_tools(
        self,
        key: str,
        path: Path,
        parsed: ParsedSource,
        errors: dict[str, str],
        *,
        security: bool,
        data: bytes,
    ) -> FileResult:
        """The tools of ``self.tools`` on a file that parses."""
        result = FileResult()
        comments = None
        if "radon" in self.tools:
            radon = self._radon(parsed.text, parsed.tree, errors, key)
            if radon is not None:
                comments = radon.comments
                result = result._replace(
                    lines=radon.lines,
                    functions=radon.functions,
                    mi=radon.mi,
                    mi_rank=radon.mi_rank,
                )
        if "markers" in self.tools:
            found = find_markers(parsed.text, self.pattern, self.markers, comments)
            result = result._replace(markers=found)
        if security and "bandit" in self.tools:
            # Last: bandit marks the tree's nodes with links to their parents.
            issues = self._security(path, "nosec" in parsed.text, errors, key, (data, parsed.tree))
            result = result._replace(security=issues)
        return result

    def security_of(self, key: str, path: Path, may_have_nosec: bool) -> Security:
        """bandit's part of ``analyse``, for a file that parses: its issues and errors."""
        errors: dict[str, str] = {}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return self._security(path, may_have_nosec, errors, key), errors

    @staticmethod
    def _radon(
        text: str, tree: ast.Module, errors: dict[str, str], key: str
    ) -> RadonFigures | None:
        try:
            return radon_figures(text, tree)
        except ImportError as exc:
            errors["radon"] = f"radon is not installed ({exc}); pip install radon"
        except (Exception, SystemExit) as exc:  # a crash in radon: reported, never hidden
            errors["radon"] = f"radon failed on {key}: {failure_text(exc)}"
        return None

    def _security(
        self,
        path: Path,
        may_have_nosec: bool,
        errors: dict[str, str],
        key: str,
        parsed: tuple[bytes, ast.Module] | None = None,
    ) -> tuple[SecurityIssue, ...]:
        """bandit's issues in the file; ``parsed``: its content and tree, when read already."""
        bandit = self.bandit_setup()
        if bandit is None:
            errors["bandit"] = self._bandit_problem or "bandit is not available"
            return ()
        try:
            # bandit tokenizes every file to find `# nosec` comments; a file without
            # the word cannot have one, so skipping that scan changes nothing but time.
            manager = bandit.manager_type(
                bandit.config,
                "file",
                profile=bandit.profile,
                quiet=True,
                ignore_nosec=not may_have_nosec,
            )
            manager.discover_files([str(path)], False)
            if parsed is not None and bandit.takes_tree and not may_have_nosec:
                for name in manager.files_list:  # the file, unless bandit's config excludes it
                    scan_parsed(manager, name, *parsed)
            else:
                manager.run_tests()
        except (Exception, SystemExit) as exc:
            errors["bandit"] = f"bandit failed on {key}: {failure_text(exc)}"
            return ()
        for _name, reason in manager.get_skipped():
            errors["bandit"] = f"bandit could not scan {key}: {reason}"
        return tuple(
            SecurityIssue(issue.test_id, issue.severity, issue.confidence, issue.lineno, issue.text)
            for issue in manager.get_issue_list()
        )

    def bandit_setup(self) -> BanditSetup | None:
        if self._bandit is None and self._bandit_problem is None:
            try:
                # bandit's own deprecation warnings (its plugin loader's) are not this
                # project's to show, nor to fail on under warnings-as-errors.
                with entry_point_cache(self.entry_points), warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    from bandit.core import config as bandit_config
                    from bandit.core import manager as bandit_manager
            except ImportError as exc:
                self._bandit_problem = f"bandit is not installed ({exc}); pip install bandit"
                return None
            except (Exception, SystemExit) as exc:
                self._bandit_problem = f"bandit cannot be imported: {failure_text(exc)}"
                return None
            logging.getLogger("bandit").setLevel(logging.CRITICAL)
            try:
                config = bandit_config.BanditConfig(config_file=self.bandit_config)
            except (Exception, SystemExit) as exc:
                where = self.bandit_config
                self._bandit_problem = f"bandit cannot read {where}: {failure_text(exc)}"
                return None
            # As `bandit -c pyproject.toml` does: the config's tests and skips form the profile.
            profile = {
                "include": set(config.get_option("tests") or []),
                "exclude": set(config.get_option("skips") or []),
            }
            version = str(getattr(sys.modules.get("bandit"), "__version__", ""))
            self._bandit = BanditSetup(
                config, profile, bandit_manager.BanditManager, version in TREE_PROVEN_BANDIT
            )
        return self._bandit


# Analysing a file builds and drops hundreds of thousands of AST nodes; with the
# default thresholds the cyclic collector runs thousands of times per file for
# little garbage (measured: about 13 % of the analysis time on Django's files).
ANALYSIS_GC_THRESHOLD = (50_000, 20, 100)


@contextlib.contextmanager
def fewer_collections() -> Iterator[None]:
    """Run the block with the analysis GC thresholds, then restore the caller's."""
    previous = gc.get_threshold()
    gc.set_threshold(*ANALYSIS_GC_THRESHOLD)
    try:
        yield
    finally:
        gc.set_threshold(*previous)


def init_worker(
    markers: tuple[str, ...],
    bandit_config: str | None,
    tools: tuple[str, ...] = PER_FILE_TOOLS,
    entry_points: str = os.devnull,
) -> None:
    """Process-pool initializer: one FileAnalyser per worker process."""
    global _ANALYSER  # noqa: PLW0603 - per-process state of a pool worker
    _ANALYSER = FileAnalyser(markers, bandit_config, tools, entry_points)
    gc.set_threshold(*ANALYSIS_GC_THRESHOLD)  # a worker only ever analyses


def analyse_in_worker(task: tuple[str, str]) -> tuple[str, FileOutcome]:
    key, path = task
    assert _ANALYSER is not None, "init_worker was not run"
    return key, _ANALYSER.analyse(key, Path(path))


def prepare_security() -> None:
    """Import bandit in a worker before its files arrive (a problem is kept for them)."""
    if _ANALYSER is None:
        raise RuntimeError("init_worker was not run")
    _ANALYSER.bandit_setup()


def security_in_worker(tasks: list[tuple[str, str, bool]]) -> list[tuple[str, Security]]:
    """bandit on each (key, path, may have ``# nosec``) of ``tasks``, in a pool worker."""
    if _ANALYSER is None:
        raise RuntimeError("init_worker was not run")
    return [(key, _ANALYSER.security_of(key, Path(path), nosec)) for key, path, nosec in tasks]
