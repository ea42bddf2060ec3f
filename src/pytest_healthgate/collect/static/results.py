"""The shapes of the static analysis, declared once, and their JSON form.

Everything between the analysers and the figures uses these types, so mypy sees
every field. JSON appears only where data leaves a process: the engine's result
file (``python -m ...engine REQUEST RESULT``) and the cache documents under
``.healthgate/cache/``. There, records are arrays (``[name, line, complexity,
rank]``) and a file's result is an object; ``*_from_json`` reject anything of
another shape with ``ShapeError``, so a torn or foreign document can never turn
into a figure.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

if TYPE_CHECKING:
    # Only its type: the collector imports this module, and the cache needs hashlib.
    from pytest_healthgate.store.cache import CacheStats

RESULT_FORMAT = 1  # bump when the engine's result document changes shape


class ShapeError(ValueError):
    """A JSON document is not of the expected shape; the message says where."""


class SourceProblem(NamedTuple):
    """Why a file cannot be read as Python: it does not decode or does not parse."""

    line: int
    message: str


class FunctionComplexity(NamedTuple):
    """One function, method or closure with radon's cyclomatic complexity and rank."""

    name: str  # "Class.method", "outer.inner"
    line: int
    complexity: int
    rank: str  # A-F


class MarkerHit(NamedTuple):
    """One debt-marker comment (TODO, FIXME, ...)."""

    line: int
    word: str  # the configured marker, as configured
    text: str  # the comment, shortened


class SecurityIssue(NamedTuple):
    """One bandit finding."""

    test_id: str  # B602
    severity: str  # LOW, MEDIUM, HIGH
    confidence: str
    line: int
    text: str


class LintFinding(NamedTuple):
    """One ruff finding in a file."""

    code: str  # E501, or "invalid-syntax"
    line: int
    message: str


class TypingError(NamedTuple):
    """One mypy error (notes are context and left out)."""

    path: str  # the file's project-relative key
    line: int
    code: str
    message: str


class FileResult(NamedTuple):
    """Everything learned from one Python file on its own."""

    lines: int = 0  # radon's SLOC, for the debt ratio
    error: SourceProblem | None = None  # the file does not decode or parse
    functions: tuple[FunctionComplexity, ...] = ()
    mi: float | None = None  # radon's maintainability index (multi=True)
    mi_rank: str | None = None
    markers: tuple[MarkerHit, ...] = ()
    security: tuple[SecurityIssue, ...] = ()


def part_of(result: FileResult, tools: tuple[str, ...]) -> FileResult:
    """What ``tools`` (of radon, markers, bandit) learn of the file: the rest left empty."""
    if "radon" not in tools:
        result = result._replace(lines=0, functions=(), mi=None, mi_rank=None)
    if "markers" not in tools:
        result = result._replace(markers=())
    if "bandit" not in tools:
        result = result._replace(security=())
    return result


class SkippedFile(NamedTuple):
    path: str
    reason: str


@dataclass(frozen=True)
class AnalysisResult:
    """One run of the engine over a scope; tool failures are in ``errors``."""

    root: str = ""
    entries: tuple[str, ...] = ()
    files: dict[str, FileResult] = field(default_factory=dict)
    lint: dict[str, tuple[LintFinding, ...]] = field(default_factory=dict)
    types: tuple[TypingError, ...] = ()
    errors: dict[str, str] = field(default_factory=dict)  # tool -> why it failed
    skipped: tuple[SkippedFile, ...] = ()
    tools: dict[str, str | None] = field(default_factory=dict)  # tool -> version
    cache: dict[str, CacheStats] = field(default_factory=dict)
    jobs: int = 0
    seconds: float | None = None


# -- JSON -> shapes ----------------------------------------------------------------

Record = TypeVar("Record")
Check = Callable[[object], bool]


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_str(value: object) -> bool:
    return isinstance(value, str)


def _record(make: Callable[..., Record], fields: tuple[type, ...], value: object) -> Record:
    # Exact types: a JSON true is not a line number. Called for every cached
    # finding (15,000 on a warm check of Django), so it stays a plain loop.
    if isinstance(value, list | tuple) and len(value) == len(fields):
        for item, kind in zip(value, fields, strict=True):
            if type(item) is not kind:
                break
        else:
            return make(*value)
    name = getattr(make, "__name__", "record")
    raise ShapeError(f"not a {name} ({len(fields)} fields): {value!r:.120}")


def _records(decode: Callable[[object], Record], value: object) -> tuple[Record, ...]:
    if not isinstance(value, list | tuple):
        raise ShapeError(f"not a list: {value!r:.120}")
    return tuple(decode(item) for item in value)


def _object(value: object, what: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise ShapeError(f"{what} is not an object: {value!r:.120}")
    return value


def _strings(value: object, what: str) -> tuple[str, ...]:
    if not isinstance(value, list | tuple) or not all(isinstance(item, str) for item in value):
        raise ShapeError(f"{what} is not a list of strings: {value!r:.120}")
    return tuple(value)


def _checked(value: object, check: Check, what: str) -> Any:
    if not check(value):
        raise ShapeError(f"{what} is not of the expected type: {value!r:.120}")
    return value


def _optional(value: object, check: Check, what: str) -> Any:
    if value is not None and not check(value):
        raise ShapeError(f"{what} is neither null nor of the expected type: {value!r:.120}")
    return value


def _in_range(record: Record, valid: bool, value: object) -> Record:
    if not valid:
        name = type(record).__name__
        raise ShapeError(f"a {name} with a value out of its range: {value!r:.120}")
    return record


_FUNCTION = (str, int, int, str)
_MARKER = (int, str, str)
_SECURITY = (str, str, str, int, str)
_LINT = (str, int, str)
_TYPING = (str, int, str, str)
_PROBLEM = (int, str)
_FILE_FIELDS = frozenset(FileResult._fields)
RANKS = frozenset("ABCDEF")  # radon's cc_rank
MI_RANKS = frozenset("ABC")  # radon's mi_rank
LEVELS = frozenset({"UNDEFINED", "LOW", "MEDIUM", "HIGH"})  # bandit's severity and confidence


def function_from_json(value: object) -> FunctionComplexity:
    found = _record(FunctionComplexity, _FUNCTION, value)
    valid = found.line >= 0 and found.complexity >= 0 and found.rank in RANKS
    return _in_range(found, valid, value)


def marker_from_json(value: object) -> MarkerHit:
    found = _record(MarkerHit, _MARKER, value)
    return _in_range(found, found.line >= 0, value)


def security_from_json(value: object) -> SecurityIssue:
    found = _record(SecurityIssue, _SECURITY, value)
    valid = found.line >= 0 and found.severity in LEVELS and found.confidence in LEVELS
    return _in_range(found, valid, value)


def lint_finding_from_json(value: object) -> LintFinding:
    found = _record(LintFinding, _LINT, value)
    return _in_range(found, found.line >= 0 and bool(found.code), value)


def typing_error_from_json(value: object) -> TypingError:
    found = _record(TypingError, _TYPING, value)
    return _in_range(found, found.line >= 0, value)


def source_problem_from_json(value: object) -> SourceProblem:
    found = _record(SourceProblem, _PROBLEM, value)
    return _in_range(found, found.line >= 0, value)


def skipped_from_json(value: object) -> SkippedFile:
    return _record(SkippedFile, (str, str), value)


def _maintainability(mi: object, mi_rank: object) -> tuple[float | None, str | None]:
    """radon's MI and its rank: both or neither, a finite index, rank A-C."""
    if mi is None and mi_rank is None:
        return None, None
    if (
        isinstance(mi, int | float)
        and not isinstance(mi, bool)
        and math.isfinite(mi)
        and isinstance(mi_rank, str)
        and mi_rank in MI_RANKS
    ):
        return float(mi), mi_rank
    raise ShapeError(f"not a maintainability index and rank: {mi!r:.40}, {mi_rank!r:.40}")


def file_result_from_json(value: object) -> FileResult:
    """A file's result, every field checked: its type, and its range where it has one."""
    document = _object(value, "a file result")
    if document.keys() != _FILE_FIELDS or not _is_int(document["lines"]) or document["lines"] < 0:
        raise ShapeError(f"not a file result: {sorted(document)}")
    error = document["error"]
    mi, mi_rank = _maintainability(document["mi"], document["mi_rank"])
    return FileResult(
        lines=document["lines"],
        error=None if error is None else source_problem_from_json(error),
        functions=_records(function_from_json, document["functions"]),
        mi=mi,
        mi_rank=mi_rank,
        markers=_records(marker_from_json, document["markers"]),
        security=_records(security_from_json, document["security"]),
    )


def lint_from_json(value: object) -> tuple[LintFinding, ...]:
    return _records(lint_finding_from_json, value)


def typing_errors_from_json(value: object) -> tuple[TypingError, ...]:
    return _records(typing_error_from_json, value)


def _cache_stats(value: object) -> CacheStats:
    stats = _object(value, "cache statistics")
    if not (_is_int(stats.get("hits")) and _is_int(stats.get("misses"))):
        raise ShapeError(f"not cache statistics: {stats!r:.120}")
    result: CacheStats = {"hits": stats["hits"], "misses": stats["misses"]}
    if _is_int(stats.get("discarded")):
        result["discarded"] = stats["discarded"]
    if _is_str(stats.get("problem")):
        result["problem"] = stats["problem"]
    return result


def analysis_from_json(value: object) -> AnalysisResult:
    """The engine's result document as an AnalysisResult; ShapeError if it is not one."""
    document = _object(value, "the analysis result")
    if document.get("format") != RESULT_FORMAT:
        raise ShapeError(f"unknown analysis result format {document.get('format')!r}")
    try:
        seconds = _optional(document["seconds"], _is_number, "seconds")
        return AnalysisResult(
            root=_checked(document["root"], _is_str, "root"),
            entries=_strings(document["entries"], "entries"),
            files={
                str(key): file_result_from_json(result)
                for key, result in _object(document["files"], "files").items()
            },
            lint={
                str(key): lint_from_json(found)
                for key, found in _object(document["lint"], "lint").items()
            },
            types=typing_errors_from_json(document["types"]),
            errors={str(k): str(v) for k, v in _object(document["errors"], "errors").items()},
            skipped=_records(skipped_from_json, document["skipped"]),
            tools={
                str(tool): _optional(version, _is_str, "a tool version")
                for tool, version in _object(document["tools"], "tools").items()
            },
            cache={
                str(name): _cache_stats(stats)
                for name, stats in _object(document["cache"], "cache").items()
            },
            jobs=_checked(document["jobs"], _is_int, "jobs"),
            seconds=None if seconds is None else float(seconds),
        )
    except (KeyError, TypeError) as exc:
        raise ShapeError(f"not an analysis result: {type(exc).__name__}: {exc}") from None


# -- shapes -> JSON ----------------------------------------------------------------


def file_result_to_json(result: FileResult) -> dict[str, object]:
    return {
        "lines": result.lines,
        "error": None if result.error is None else list(result.error),
        "functions": [list(function) for function in result.functions],
        "mi": result.mi,
        "mi_rank": result.mi_rank,
        "markers": [list(marker) for marker in result.markers],
        "security": [list(issue) for issue in result.security],
    }


def records_to_json(records: tuple[tuple[object, ...], ...]) -> list[list[object]]:
    """Lint findings or typing errors as JSON arrays."""
    return [list(record) for record in records]


def analysis_to_json(result: AnalysisResult) -> dict[str, object]:
    return {
        "format": RESULT_FORMAT,
        "root": result.root,
        "entries": list(result.entries),
        "files": {key: file_result_to_json(found) for key, found in result.files.items()},
        "lint": {key: records_to_json(found) for key, found in result.lint.items()},
        "types": records_to_json(result.types),
        "errors": dict(result.errors),
        "skipped": records_to_json(result.skipped),
        "tools": dict(result.tools),
        "cache": {name: dict(stats) for name, stats in result.cache.items()},
        "jobs": result.jobs,
        "seconds": result.seconds,
    }
