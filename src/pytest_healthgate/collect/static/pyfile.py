"""Everything learned from one Python file on its own: parse, radon, markers, bandit.

Runs in worker processes (or in-process for a handful of files). The result is
plain JSON-able data so it can be cached and shipped between processes::

    {"lines": 120,                       # radon's SLOC, for the debt ratio
     "error": [3, "invalid syntax"],     # or None: the file does not decode or parse
     "functions": [["Class.method", 12, 7, "B"], ...],  # radon CC and rank, closures too
     "mi": 54.2, "mi_rank": "A",         # radon maintainability index (multi=True)
     "markers": [[40, "TODO", "# TODO: ..."], ...],  # comment tokens only
     "security": [["B602", "HIGH", "HIGH", 17, "subprocess call ..."], ...],
     "tool_errors": {"bandit": "..."}}   # only when a tool failed on this file

radon and bandit are driven through their Python APIs; nothing of their
analysis is re-implemented here.
"""

from __future__ import annotations

import ast
import contextlib
import gc
import io
import logging
import re
import tokenize
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

MARKER_TEXT_LIMIT = 200
_ANALYSER: Analyser | None = None


def marker_pattern(markers: tuple[str, ...]) -> re.Pattern[str] | None:
    """Whole-word, case-insensitive match of any configured marker."""
    if not markers:
        return None
    words = "|".join(re.escape(word) for word in sorted(markers, key=len, reverse=True))
    return re.compile(rf"(?<![\w])({words})(?![\w])", re.IGNORECASE)


def decode(data: bytes) -> tuple[str | None, tuple[int, str] | None]:
    """The source text as Python reads it (PEP 263), or where and why it cannot be read."""
    problem: str | None = None
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        # A bad byte in the first two lines, or an unknown coding cookie.
        encoding, problem = "utf-8", f"cannot be decoded: {exc}"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        bad = data[exc.start : exc.start + 1].hex()
        return None, (line, f"cannot be decoded as {encoding}: byte 0x{bad} is not valid")
    return (None, (1, problem)) if problem else (text, None)


def parse(text: str, name: str) -> tuple[ast.Module | None, tuple[int, str] | None]:
    try:
        return ast.parse(text, filename=name), None
    except SyntaxError as exc:
        return None, (exc.lineno or 1, f"does not parse: {exc.msg}")
    except ValueError as exc:  # null bytes on Python < 3.12
        return None, (1, f"does not parse: {exc}")
    except (RecursionError, MemoryError):
        return None, (1, "does not parse: nested too deeply for the Python parser")


def find_markers(
    text: str, pattern: re.Pattern[str] | None, markers: tuple[str, ...]
) -> list[list[Any]]:
    """Debt markers in comment tokens; a marker inside a string or docstring is not debt."""
    if pattern is None or pattern.search(text) is None:
        return []  # the common case: no marker word anywhere, no need to tokenize
    by_word = {word.upper(): word for word in markers}
    found: list[list[Any]] = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type != tokenize.COMMENT:
                continue
            match = pattern.search(token.string)
            if match is not None:
                word = by_word.get(match.group(1).upper(), match.group(1))
                found.append([token.start[0], word, token.string.strip()[:MARKER_TEXT_LIMIT]])
    except (tokenize.TokenError, SyntaxError):
        pass  # the AST parsed, so this is an edge of the tokenizer: keep what was found
    return found


class Analyser:
    """Per-process state: the marker pattern and a bandit configuration."""

    def __init__(self, markers: tuple[str, ...], bandit_config: str | None) -> None:
        self.markers = markers
        self.pattern = marker_pattern(markers)
        self.bandit_config = bandit_config
        self._bandit: Any = None
        self._bandit_problem: str | None = None

    def analyse(self, key: str, path: Path) -> dict[str, Any]:
        result: dict[str, Any] = {
            "lines": 0,
            "error": None,
            "functions": [],
            "mi": None,
            "mi_rank": None,
            "markers": [],
            "security": [],
        }
        try:
            data = path.read_bytes()
        except OSError as exc:
            result["error"] = [1, f"cannot be read: {exc.strerror or exc}"]
            return result
        text, problem = decode(data)
        tree = None
        if text is not None:
            tree, problem = parse(text, key)
        if problem is not None or text is None or tree is None:
            result["error"] = list(problem) if problem else [1, "does not parse"]
            result["lines"] = sum(1 for line in data.splitlines() if line.strip())
            return result
        errors: dict[str, str] = {}
        with warnings.catch_warnings():
            # Tools may warn about AST nodes deprecated in newer Pythons; not ours to show.
            warnings.simplefilter("ignore")
            self._radon(text, tree, result, errors, key)
            result["markers"] = find_markers(text, self.pattern, self.markers)
            self._security(path, "nosec" in text, result, errors, key)
        if errors:
            result["tool_errors"] = errors
        return result

    @staticmethod
    def _radon(
        text: str, tree: ast.Module, result: dict[str, Any], errors: dict[str, str], key: str
    ) -> None:
        try:
            from radon.complexity import add_inner_blocks, cc_rank
            from radon.metrics import h_visit_ast, mi_compute, mi_rank
            from radon.raw import analyze
            from radon.visitors import ComplexityVisitor, Function
        except ImportError as exc:
            errors["radon"] = f"radon is not installed ({exc}); pip install radon"
            return
        try:
            visitor = ComplexityVisitor.from_ast(tree)
            result["functions"] = [
                [block.fullname, block.lineno, block.complexity, cc_rank(block.complexity)]
                for block in add_inner_blocks(visitor.blocks)
                if isinstance(block, Function)
            ]
            raw = analyze(text)
            result["lines"] = raw.sloc
            # The parameters of radon's mi_visit(code, multi=True), from one shared AST.
            comments = (raw.comments + raw.multi) / float(raw.sloc) * 100 if raw.sloc else 0
            result["mi"] = mi_compute(
                h_visit_ast(tree).total.volume, visitor.total_complexity, raw.lloc, comments
            )
            result["mi_rank"] = mi_rank(result["mi"])
        except Exception as exc:  # a crash in radon: reported, never hidden
            errors["radon"] = f"radon failed on {key}: {type(exc).__name__}: {exc}"

    def _security(
        self,
        path: Path,
        may_have_nosec: bool,
        result: dict[str, Any],
        errors: dict[str, str],
        key: str,
    ) -> None:
        manager_class = self._bandit_manager()
        if manager_class is None:
            errors["bandit"] = self._bandit_problem or "bandit is not available"
            return
        config, profile, manager_type = manager_class
        try:
            # bandit tokenizes every file to find `# nosec` comments; a file without
            # the word cannot have one, so skipping that scan changes nothing but time.
            manager = manager_type(
                config, "file", profile=profile, quiet=True, ignore_nosec=not may_have_nosec
            )
            manager.discover_files([str(path)], False)
            manager.run_tests()
        except Exception as exc:
            errors["bandit"] = f"bandit failed on {key}: {type(exc).__name__}: {exc}"
            return
        for _name, reason in manager.get_skipped():
            errors["bandit"] = f"bandit could not scan {key}: {reason}"
        result["security"] = [
            [issue.test_id, issue.severity, issue.confidence, issue.lineno, issue.text]
            for issue in manager.get_issue_list()
        ]

    def _bandit_manager(self) -> tuple[Any, dict[str, set[str]], Any] | None:
        if self._bandit is None and self._bandit_problem is None:
            try:
                from bandit.core import config as bandit_config
                from bandit.core import manager as bandit_manager
            except ImportError as exc:
                self._bandit_problem = f"bandit is not installed ({exc}); pip install bandit"
                return None
            logging.getLogger("bandit").setLevel(logging.CRITICAL)
            try:
                config = bandit_config.BanditConfig(config_file=self.bandit_config)
            except Exception as exc:
                self._bandit_problem = f"bandit cannot read {self.bandit_config}: {exc}"
                return None
            # As `bandit -c pyproject.toml` does: the config's tests and skips form the profile.
            profile = {
                "include": set(config.get_option("tests") or []),
                "exclude": set(config.get_option("skips") or []),
            }
            self._bandit = (config, profile, bandit_manager.BanditManager)
        result: tuple[Any, dict[str, set[str]], Any] | None = self._bandit
        return result


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


def init_worker(markers: tuple[str, ...], bandit_config: str | None) -> None:
    """Process-pool initializer: one Analyser per worker process."""
    global _ANALYSER  # noqa: PLW0603 - per-process state of a pool worker
    _ANALYSER = Analyser(markers, bandit_config)
    gc.set_threshold(*ANALYSIS_GC_THRESHOLD)  # a worker only ever analyses


def analyse_in_worker(task: tuple[str, str]) -> tuple[str, dict[str, Any]]:
    key, path = task
    assert _ANALYSER is not None, "init_worker was not run"
    return key, _ANALYSER.analyse(key, Path(path))
