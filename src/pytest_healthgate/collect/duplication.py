"""The ``duplication`` gate: the share of duplicated lines in the source, with the clone pairs.

The detector is pylint's ``symilar``, run as its own command on the files the
debt analysis reads (``source``, tests left out, ``exclude`` applied): the
figure is its own ``percent`` (duplicated lines x 100 / lines), the details its
clone groups as ``path:first-last ~ path:first-last``. It was chosen by
measuring it against jscpd and pyscn on Django (``docs/performance.md``,
"Duplication"): the fastest, pure Python and part of a well-kept project.

``[tool.healthgate.duplication]`` sets the smallest clone (``min_lines``, 6) and
what symilar ignores (comments, docstrings, imports and signatures, by default
all four: the figure counts code). symilar comes with pylint, an optional
dependency (``pip install pytest-healthgate[duplication]``): without it the
gate is SKIP in the zero-config run and ERROR once the project writes it.
"""

from __future__ import annotations

import importlib.util
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
from pytest_healthgate.units import Unit

GATE = "duplication"
INSTALL = "pip install 'pytest-healthgate[duplication]' (pylint's symilar)"
SHOWN = 10
TOTAL = re.compile(r"^TOTAL lines=(\d+) duplicates=(\d+) percent=([\d.]+)$", re.M)
GROUP = re.compile(r"^(\d+) similar lines in (\d+) files$")
PLACE = re.compile(r"^==(.+):\[(\d+):(\d+)\]$")
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
    flags = [flag for key, flag in FLAGS.items() if options.get(key, True)]
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
    if isinstance(started, Measurement):
        return started
    return _finished(*started)


def _start(context: CollectorContext, nice: int) -> Measurement | tuple[Child, int]:
    """symilar launched on the source files (and their number), or why it is not."""
    reason = _nothing_to_run(context)
    if reason is not None:
        return Measurement(GATE, skip_reason=reason)
    files = _files(context)
    if not files:
        return Measurement(GATE, skip_reason="no Python file in the source")
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
    return child, len(files)


def _finished(child: Child, files: int) -> Measurement:
    """symilar's figure, once it exits."""
    try:
        try:
            finished = child.wait()
        finally:
            child.close()
        lines, duplicated, percent, clones = parse(finished.stdout)
    except ChildError as exc:
        return Measurement(GATE, error=f"symilar failed: {one_line(str(exc))}")
    except ValueError:
        if "ZeroDivisionError" in finished.stderr:  # symilar divides by the lines it kept
            return Measurement(GATE, skip_reason="no line of code to compare in the source")
        said = one_line(finished.stderr or finished.stdout)
        return Measurement(GATE, error=f"symilar failed (status {finished.status}): {said}")
    return _measurement(lines, duplicated, percent, clones, files)


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
    """Under pytest symilar starts with the session, beside the tests (at a lower
    priority, as the static analysis does), and ``finish`` waits for it; outside
    pytest ``finish`` runs it."""

    def __init__(self, context: CollectorContext) -> None:
        super().__init__(context)
        self.started: Measurement | tuple[Child, int] | None = None

    def start(self) -> None:
        if self.role is Role.WORKER or not self.context.in_pytest or self.started is not None:
            return
        self.started = _start(self.context, priority.BACKGROUND)

    def finish(self) -> list[Measurement]:
        if self.role is Role.WORKER:
            return []
        started, self.started = self.started, None
        if started is None:
            return [measure_duplication(self.context)]
        if isinstance(started, Measurement):
            return [started]
        return [_finished(*started)]

    def close(self) -> None:
        """An interrupted run leaves no symilar running."""
        if isinstance(self.started, tuple):
            self.started[0].close()
        self.started = None


def create(context: CollectorContext) -> Collector:
    return DuplicationCollector(context)
