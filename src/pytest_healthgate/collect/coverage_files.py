"""Per-file coverage figures and the total from one analysis of the data.

coverage.py analyses a file (parses its source, finds its statements, exclusions
and branches, and sets the measured lines against them) once per report. The
gate needs the total, each file's figures and its missing lines; all of them are
in the JSON report (``Coverage.json_report``), so that is the one report made,
and the total is summed from its per-file counts as ``Coverage.report`` sums
them (see ``total_percent``).

An unchanged file is not analysed again: each file's figures are cached in
``.healthgate/cache/`` keyed by

* the digest of the file's content,
* the digest of what the data says ran in it (its lines, and arcs under branch
  coverage), read through ``CoverageData.lines``/``arcs``,
* coverage.py's version, Python's, and every setting that changes an analysis
  (exclusions, partial branches, branch coverage, report include/omit...).

The figures are a function of exactly these inputs, so a cached figure is the
one coverage.py would compute; only files with a cache miss go to the JSON
report (its ``morfs``). coverage.py offers no documented way to cache the parse
alone (statements, branches) and apply fresh data to it without re-implementing
its analysis, hence the data in the key: a file re-runs when the lines run in it
change.

Where coverage.py remaps file names before it reports (``[paths]``), several
measured files may merge into one reported file, by rules only its private API
applies. The cache then holds to what is known without them: each entry's key
also takes what the whole data says ran (every measured file's name and lines)
and the ``[paths]`` setting itself, so an entry is used only for the very data
that produced it; a file is cached only where the report named it after its own
location; and one miss makes the report cover every file (never a ``morfs``
subset, which a merged file would escape). A warm rerun with the same lines run
reads every figure from the cache; any change in what ran analyses everything.
The cache is left out when coverage.py runs plugins or reports only some
contexts: the data read here would then not be what the report reads.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import coverage
from coverage.exceptions import NoDataError

from pytest_healthgate.store import scratch
from pytest_healthgate.store.cache import (
    AnalysisCache,
    CacheStats,
    CacheStore,
    Codec,
    cache_key,
    content_digest,
    file_digest,
)
from pytest_healthgate.store.files import StateFolderError, check_state

SCRATCH = "coverage"
CACHE_NAME = "coverage"
FORMAT = 1  # of a cached entry; part of the cache key
# The JSON report's per-file counts the gate reads (the branch ones only under branch coverage).
COUNTS = (
    "covered_lines",
    "num_statements",
    "missing_lines",
    "excluded_lines",
    "num_branches",
    "num_partial_branches",
    "covered_branches",
    "missing_branches",
)
LINE_LISTS = ("executed_lines", "missing_lines")
# Settings that change what an analysis finds in a file, or which files are reported.
KEY_OPTIONS = (
    "run:branch",
    "run:relative_files",
    "report:exclude_lines",
    "report:exclude_also",
    "report:partial_branches",
    "report:partial_branches_always",
    "report:partial_also",
    "report:ignore_errors",
    "report:include",
    "report:omit",
)
# Settings under which the data read here is not what the report reads: no cache.
UNCACHED_OPTIONS = ("run:plugins", "report:contexts")

Files = dict[str, dict[str, Any]]  # the JSON report's "files", with the fields read here
Entry = tuple[str, dict[str, Any]]  # a cached file: its name in the report, its figures
REQUIRED = ("covered_lines", "num_statements", "missing_lines", "excluded_lines", "percent_covered")


@dataclass
class CoverageFiles:
    """Every reported file's figures (by the JSON report's name) and the total."""

    files: Files
    total: float
    cache: CacheStats | None = None  # None: no cache was used


def total_percent(files: Files) -> float:
    """The total `coverage report` prints, from the files' counts.

    ``Coverage.report`` adds up every file's statements, missing lines, branches
    and missing branches and returns executed over coverable, in percent, or 100
    when nothing is coverable; the same sums, in the same order, give the same float.
    """
    statements = missing = branches = missing_branches = 0
    for info in files.values():
        summary = info["summary"]
        statements += summary["num_statements"]
        missing += summary["missing_lines"]
        branches += summary.get("num_branches", 0)
        missing_branches += summary.get("missing_branches", 0)
    executed = (statements - missing) + (branches - missing_branches)
    coverable = statements + branches
    return (100.0 * executed) / coverable if coverable > 0 else 100.0


def analyse(cov: coverage.Coverage, root: Path, use_cache: bool = True) -> CoverageFiles:
    """The figures of every file ``cov``'s data measured, analysing only what changed.

    Raises what coverage.py raises (NoDataError when no file is reported).
    """
    cache = _open_cache(cov, root) if use_cache else None
    if cache is None:
        files = _trimmed(_json_files(cov, None))
        return _result(files, None)
    try:
        found = _analysed_with(cache, cov)
        cache.save()
    finally:
        if cache.store is not None:
            cache.store.close()
    return _result(found, cache.stats())


def _analysed_with(cache: AnalysisCache[Entry], cov: coverage.Coverage) -> Files:
    """Every measured file's figures: from the cache, else from one JSON report."""
    remaps = bool(cov.get_option("paths"))
    found, todo = _cached(cache, cov.get_data(), remaps)
    if todo:
        # Under [paths] a subset report could miss what merges into its files: all or none.
        subset = bool(found) and not remaps
        fresh = _trimmed(_json_files(cov, list(todo) if subset else None))
        for name, filename in _data_names(fresh, todo):
            digest = todo[filename]
            if digest is not None:
                cache.put(filename, digest, (name, fresh[name]))
        found = {**found, **fresh} if subset else fresh
    return found


def _cached(
    cache: AnalysisCache[Entry], data: coverage.CoverageData, remaps: bool = False
) -> tuple[Files, dict[str, str | None]]:
    """The figures the cache holds, by report name; the data's files it lacks, each
    with its unit digest (None: not cacheable)."""
    measured = sorted(data.measured_files())
    ran = {filename: _ran(data, filename) for filename in measured}
    # Under [paths], what every file ran is part of each key (see the module's text).
    whole = content_digest(json.dumps(sorted(ran.items())).encode()) if remaps else ""
    digests = {name: _unit_digest(data, name, ran[name], whole) for name in measured}
    missing = set(cache.lookup({f: d for f, d in digests.items() if d is not None}))
    found: Files = {}
    todo: dict[str, str | None] = {}
    for filename in measured:
        cached = None if filename in missing else cache.value(filename)
        if cached is None:
            todo[filename] = digests[filename]
        else:
            name, figures = cached
            found[name] = figures
    return found, todo


def _result(files: Files, stats: CacheStats | None) -> CoverageFiles:
    if not files:
        # As Coverage.report: no file to report (every one failed, left out, or none measured).
        raise NoDataError("No data to report.")
    ordered = {name: files[name] for name in sorted(files)}
    return CoverageFiles(ordered, total_percent(ordered), stats)


def _json_files(cov: coverage.Coverage, morfs: list[str] | None) -> Files:
    """The JSON report's files: of ``morfs``, or of all the data measured (None)."""
    with scratch.folder(SCRATCH) as folder:
        outfile = folder / "coverage.json"
        try:
            cov.json_report(morfs=morfs, outfile=str(outfile))
        except NoDataError:
            if morfs is None:
                raise
            return {}  # all of ``morfs`` are left out of the report (report include/omit)
        report = json.loads(outfile.read_text(encoding="utf-8"))
    files: Files = report.get("files", {})
    return files


def _trimmed(files: Files) -> Files:
    """Only the fields the gate reads: what is cached is what is computed."""
    trimmed = {}
    for name, info in files.items():
        summary = info["summary"]
        kept = {key: summary[key] for key in COUNTS if key in summary}
        kept["percent_covered"] = summary["percent_covered"]
        trimmed[name] = {"summary": kept, **{key: info[key] for key in LINE_LISTS}}
    return trimmed


def _open_cache(cov: coverage.Coverage, root: Path) -> AnalysisCache[Entry] | None:
    """The project's coverage cache for these settings; None where none may be used."""
    if any(cov.get_option(option) for option in UNCACHED_OPTIONS):
        return None
    try:
        check_state(root)  # `.healthgate` a symlink or a file: figures, but no cache
    except StateFolderError:
        return None
    settings: list[object] = [cov.get_option(option) for option in KEY_OPTIONS]
    paths = cov.get_option("paths")
    if paths:  # in its own order: the first matching pattern wins
        settings.append(list(paths.items()) if isinstance(paths, dict) else paths)
    key = cache_key(
        FORMAT,
        coverage.__version__,
        sys.implementation.name,
        list(sys.version_info),
        str(Path.cwd()),  # the report names files relative to it
        cov.get_data().has_arcs(),
        settings,
    )
    return AnalysisCache(CacheStore(root), CACHE_NAME, key, CODEC)


def _ran(data: coverage.CoverageData, filename: str) -> str:
    """The digest of what the data says ran in a file: its lines, and arcs if measured."""
    lines = sorted(data.lines(filename) or [])
    arcs = sorted(data.arcs(filename) or []) if data.has_arcs() else []
    return content_digest(json.dumps([lines, arcs]).encode("ascii"))


def _unit_digest(
    data: coverage.CoverageData, filename: str, ran: str, whole: str = ""
) -> str | None:
    """The digest of a file's content and of what ran (in it, or in all under [paths]).

    None: do not cache it.
    """
    if not filename.endswith(".py") or data.file_tracer(filename):
        return None  # a plugin's file, or a source coverage.py finds elsewhere
    content = file_digest(Path(filename))
    if content is None:
        return None
    return f"{content}.{ran}.{whole}" if whole else f"{content}.{ran}"


def _data_names(fresh: Files, todo: dict[str, str | None]) -> Iterator[tuple[str, str]]:
    """Each reported name with the data file name it was analysed for.

    The report names a file relative to the current folder when it is under it.
    """
    here = Path.cwd()
    by_location = {_real(here / name): name for name in todo}
    for name in fresh:
        filename = by_location.get(_real(here / name))
        if filename is not None:
            yield name, filename


def _real(path: Path) -> str:
    return os.path.realpath(path)  # never raises, a symlink loop included


def _decode(value: object) -> Entry:
    """A cached entry, every field checked (ValueError otherwise)."""
    if not isinstance(value, list) or len(value) != 2 or not isinstance(value[0], str):
        raise ValueError("not a [name, figures] pair")
    name, figures = value
    if not isinstance(figures, dict) or set(figures) != {"summary", *LINE_LISTS}:
        raise ValueError("unexpected fields")
    lines = {key: _lines(figures[key]) for key in LINE_LISTS}
    return name, {"summary": _summary(figures["summary"]), **lines}


def _lines(lines: object) -> list[int]:
    if not isinstance(lines, list) or not all(_count(line) for line in lines):
        raise ValueError("not a list of line numbers")
    return lines


def _summary(summary: object) -> dict[str, Any]:
    if not isinstance(summary, dict) or any(key not in summary for key in REQUIRED):
        raise ValueError("summary incomplete")
    for key, count in summary.items():
        if key == "percent_covered":
            if not isinstance(count, int | float) or isinstance(count, bool):
                raise ValueError(key)
        elif key not in COUNTS or not _count(count):
            raise ValueError(key)
    return dict(summary)


def _count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


CODEC: Codec[Entry] = Codec(decode=_decode, encode=lambda value: [value[0], value[1]])
