"""The ``duplication`` gate: the share of duplicated lines in the source, with the clone pairs.

The detector is pylint's ``symilar``, run as its own command on the files the
debt analysis reads (``source``, tests left out, ``exclude`` applied): the
figure is its own ``percent`` (duplicated lines x 100 / lines), the details its
clone groups as ``path:first-last ~ path:first-last``. It was chosen by
measuring it against jscpd and pyscn on Django (``docs/performance.md``,
"Duplication"): the fastest, pure Python and part of a well-kept project.

``[tool.healthgate.duplication]`` sets the smallest clone (``min_lines``, 6) and
what symilar ignores: comments and docstrings by default; imports and
signatures on request (symilar then parses every file with astroid, about 13
times slower on Django). symilar comes with pylint, an optional
dependency (``pip install pytest-healthgate[duplication]``): without it the
gate is SKIP in the zero-config run and ERROR once the project writes it.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import sys
from dataclasses import dataclass

from pytest_healthgate import priority
from pytest_healthgate.collect.lifecycle import Collector, CollectorContext, Role
from pytest_healthgate.config import NO_SOURCE
from pytest_healthgate.launcher import (
    Child,
    ChildError,
    TimeLimit,
    child_environment,
    launch,
    one_line,
)
from pytest_healthgate.model import Detail, Measurement
from pytest_healthgate.store.cache import (
    AnalysisCache,
    CacheStore,
    Codec,
    cache_key,
    content_digest,
    file_digest,
)
from pytest_healthgate.units import Unit

GATE = "duplication"
CACHE_FORMAT = 1  # bump when what is cached changes meaning
INSTALL = "pip install 'pytest-healthgate[duplication]' (pylint's symilar)"
SHOWN = 10
TOTAL = re.compile(r"^TOTAL lines=(\d+) duplicates=(\d+) percent=([\d.]+)$", re.M)
GROUP = re.compile(r"^(\d+) similar lines in (\d+) files$")
PLACE = re.compile(r"^==(.+):\[(\d+):(\d+)\]$")
DEFAULT_IGNORED = ("ignore_comments", "ignore_docstrings")  # sections.py's defaults
FLAGS = {
    "ignore_comments": "--ignore-comments",
    "ignore_docstrings": "--ignore-docstrings",
    "ignore_imports": "--ignore-imports",
    "ignore_signatures": "--ignore-signatures",
}


@dataclass(frozen=True)
class Clone:
    lines: int
    places: tuple[tuple[str, int, int], ...]  # (path, first line, last line), 1-based

    def label(self) -> str:
        return " ~ ".join(f"{path}:{first}-{last}" for path, first, last in self.places)


def parse(report: str) -> tuple[int, int, float, list[Clone]]:
    """symilar's report: lines, duplicated lines, its percent, and the clone groups."""
    total = TOTAL.search(report)
    if total is None:
        raise ValueError(f"no TOTAL line in symilar's output: {report[-200:]!r}")
    clones: list[Clone] = []
    size = 0
    places: list[tuple[str, int, int]] = []
    for line in report.splitlines():
        if group := GROUP.match(line):
            if places:
                clones.append(Clone(size, tuple(places)))
            size, places = int(group.group(1)), []
        elif place := PLACE.match(line):
            # symilar prints 0-based slice bounds: [start:end] is lines start+1..end.
            places.append((place.group(1), int(place.group(2)) + 1, int(place.group(3))))
    if places:
        clones.append(Clone(size, tuple(places)))
    return int(total.group(1)), int(total.group(2)), float(total.group(3)), clones


def _files(context: CollectorContext) -> list[str]:
    from pytest_healthgate.collect.static.scope import discover

    settings = context.settings
    scope = discover(settings.root, settings.source, settings.exclude, include_tests=False)
    return sorted(scope.files)


def command(options: dict[str, object], files: list[str]) -> list[str]:
    flags = [flag for key, flag in FLAGS.items() if options.get(key, key in DEFAULT_IGNORED)]
    minimum = str(options.get("min_lines", 6))
    return [sys.executable, "-m", "pylint.checkers.symilar", "-d", minimum, *flags, *files]


def _available() -> bool:
    try:
        return importlib.util.find_spec("pylint") is not None
    except ValueError:  # a module entry of None: imported as missing
        return False


def _nothing_to_run(context: CollectorContext) -> str | None:
    """Why symilar cannot or need not run here, or None."""
    if not _available():
        return f"pylint is not installed; {INSTALL}"
    if not context.settings.source:
        return NO_SOURCE
    return None


def measure_duplication(context: CollectorContext) -> Measurement:
    """symilar on the source, run now and waited for (``healthgate check``)."""
    started = _start(context, priority.FOREGROUND)
    return started if isinstance(started, Measurement) else started.finished()


def _codec() -> Codec[str]:
    def decode(raw: object) -> str:
        if not isinstance(raw, str) or TOTAL.search(raw) is None:
            raise ValueError("not a symilar report")
        return raw

    return Codec(decode, lambda report: report)


def _cache(context: CollectorContext, files: list[str]) -> tuple[AnalysisCache[str], str] | None:
    """The cache of symilar's report for this tree, and the tree's digest (None: no cache).

    symilar compares every file with every other: its report is cached for the
    whole tree, by the digest of every file's path and content, pylint's version
    and the options, so a run with nothing changed does not start it again.
    """
    from pytest_healthgate.collect.static.analysers.tool_info import package_version

    if not context.use_cache:
        return None
    root = context.settings.root
    digests = [(name, file_digest(root / name) or "unreadable") for name in files]
    tree = content_digest(json.dumps(digests).encode())
    options = sorted((str(k), str(v)) for k, v in context.options.items())
    key = cache_key(GATE, CACHE_FORMAT, package_version("pylint"), options)
    return AnalysisCache(CacheStore(root), GATE, key, _codec()), tree


@dataclass
class _Started:
    """symilar running on ``files`` source files, or its report found in the cache."""

    child: Child | None
    files: int
    cache: tuple[AnalysisCache[str], str] | None
    report: str | None = None

    def finished(self) -> Measurement:
        """symilar's figure, once it exits (or from the cache)."""
        try:
            measured = self._measured()
        finally:
            self.close()
        if self.cache is not None and measured.value is not None:
            measured.extra["cache"] = dict(self.cache[0].stats())
        return measured

    def _measured(self) -> Measurement:
        if self.report is not None or self.child is None:  # found in the cache
            return _from_report(self.report or "", self.files)
        try:
            finished = self.child.wait()
        except ChildError as exc:
            return Measurement(GATE, error=f"symilar failed: {one_line(str(exc))}")
        measured = _from_report(finished.stdout, self.files, finished.status, finished.stderr)
        if measured.value is not None and self.cache is not None:
            cache, tree = self.cache
            cache.put("tree", tree, finished.stdout)
            cache.save()
        return measured

    def close(self) -> None:
        if self.child is not None:
            self.child.close()
        if self.cache is not None and self.cache[0].store is not None:
            self.cache[0].store.close()


def _from_report(report: str, files: int, status: int = 0, stderr: str = "") -> Measurement:
    """The gate's figure from symilar's report, or why there is none."""
    try:
        lines, duplicated, percent, clones = parse(report)
    except ValueError:
        if "ZeroDivisionError" in stderr:  # symilar divides by the lines it kept
            return Measurement(GATE, skip_reason="no line of code to compare in the source")
        said = one_line(stderr or report)
        return Measurement(GATE, error=f"symilar failed (status {status}): {said}")
    return _measurement(lines, duplicated, percent, clones, files)


def _start(context: CollectorContext, nice: int) -> Measurement | _Started:
    """symilar launched on the source files (or its cached report), or why it is not."""
    reason = _nothing_to_run(context)
    if reason is not None:
        return Measurement(GATE, skip_reason=reason)
    files = _files(context)
    if not files:
        return Measurement(GATE, skip_reason="no Python file in the source")
    cache = _cache(context, files)
    if cache is not None:
        cache[0].lookup({"tree": cache[1]})
        report = cache[0].value("tree")
        if report is not None:
            return _Started(None, len(files), cache, report)
    # The static analysis's own limit: symilar is one more analyser of the same files.
    seconds = float(context.settings.section("debt")["timeout"])
    try:
        child = launch(
            command(dict(context.options), files),
            label="symilar",
            limit=TimeLimit(seconds, "[tool.healthgate.debt] timeout"),
            cwd=context.settings.root,
            env=child_environment(os.environ),  # healthgate's own child: not measured
            nice=nice,
        )
    except ChildError as exc:
        return Measurement(GATE, error=f"symilar failed: {one_line(str(exc))}")
    return _Started(child, len(files), cache)


def _measurement(
    lines: int, duplicated: int, percent: float, clones: list[Clone], files: int
) -> Measurement:
    ranked = sorted(clones, key=lambda clone: (-clone.lines, clone.label()))
    return Measurement(
        GATE,
        value=percent,
        precision=2,
        details=[
            Detail(clone.label(), float(clone.lines), Unit.COUNT, "duplicated lines")
            for clone in ranked[:SHOWN]
        ],
        extra={
            "lines": lines,
            "duplicated_lines": duplicated,
            "clones": [clone.label() for clone in ranked],
            "looked_at": {"files": files},
        },
    )


class DuplicationCollector(Collector):
    """symilar starts with the run: under pytest beside the tests (at a lower
    priority, as the static analysis does), in ``healthgate check`` beside the
    static analysis; ``finish`` waits for it. A tree already measured is not
    measured again."""

    def __init__(self, context: CollectorContext) -> None:
        super().__init__(context)
        self.started: Measurement | _Started | None = None

    def start(self) -> None:
        if self.role is Role.WORKER or self.started is not None:
            return
        # Beside the tests at a lower priority; in `healthgate check`, beside the static
        # analysis at the same one.
        nice = priority.BACKGROUND if self.context.in_pytest else priority.FOREGROUND
        self.started = _start(self.context, nice)

    def finish(self) -> list[Measurement]:
        if self.role is Role.WORKER:
            return []
        started, self.started = self.started, None
        if started is None:
            return [measure_duplication(self.context)]
        return [started if isinstance(started, Measurement) else started.finished()]

    def close(self) -> None:
        """An interrupted run leaves no symilar running."""
        if isinstance(self.started, _Started):
            self.started.close()
        self.started = None


def create(context: CollectorContext) -> Collector:
    return DuplicationCollector(context)
