"""Run every analyser over a scope, with the cache, across cores.

``analyse(request)`` returns an ``AnalysisResult`` (see ``figures.py`` for what
becomes of it). ``healthgate check`` and the hooks call it in-process; under
``pytest --healthgate`` it runs as ``python -m pytest_healthgate.collect.static.engine
REQUEST RESULT`` beside the test session, so no analysis work happens in the
pytest process while tests run.

The engine only orchestrates: find the files and hash them; for each analyser
look its units up in its cache and start it on what is missing (ruff and mypy
start subprocesses and return at once, then the per-file analysis keeps the
cores busy); collect; save the caches. What each tool reads, how it runs and how
its results are cached is its analyser's business (``analysers/``).
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pytest_healthgate.collect.static.analysers.mypy import PROGRAM, MypyAnalyser
from pytest_healthgate.collect.static.analysers.per_file import PerFileAnalyser, available_cores
from pytest_healthgate.collect.static.analysers.protocol import (
    Analyser,
    AnalyserRun,
    ScopeFiles,
    ToolError,
)
from pytest_healthgate.collect.static.analysers.ruff import RuffAnalyser
from pytest_healthgate.collect.static.request import AnalysisRequest
from pytest_healthgate.collect.static.results import (
    AnalysisResult,
    SkippedFile,
    analysis_to_json,
)
from pytest_healthgate.collect.static.scope import discover
from pytest_healthgate.store.cache import AnalysisCache, cache_key, content_digest
from pytest_healthgate.store.files import write_atomic

ENGINE_VERSION = 1  # bump when cached results change shape or meaning


@dataclass
class _Started:
    """One analyser in this run: its cache, its units and its run (None: all cached)."""

    analyser: Analyser[Any]
    cache: AnalysisCache[Any]
    units: dict[str, str]
    run: AnalyserRun[Any] | None


class EngineRun:
    """One run of the engine; ``run()`` returns the analysis."""

    def __init__(self, request: AnalysisRequest) -> None:
        self.request = request
        self.root = Path(request.root)
        self.jobs = request.jobs or available_cores()
        self.errors: dict[str, str] = {}
        self.tools: dict[str, str | None] = {}
        self.caches: dict[str, AnalysisCache[Any]] = {}

    def analysers(self) -> list[Analyser[Any]]:
        """Subprocess analysers first: they run while the per-file analysis works here."""
        analysers: list[Analyser[Any]] = [RuffAnalyser(self.request)]
        if self.request.mypy:
            analysers.append(MypyAnalyser(self.request))
        analysers.append(PerFileAnalyser(self.request, self.jobs))
        return analysers

    def run(self) -> AnalysisResult:
        started = time.perf_counter()
        request = self.request
        scope = discover(self.root, request.entries, request.exclude, request.include_tests)
        files, unreadable = _read_digests(self.root, scope.files)
        outputs = self._analyse(files)
        if scope.missing:
            self.errors["scope"] = "source not found: " + ", ".join(scope.missing)
        return AnalysisResult(
            root=str(self.root),
            entries=tuple(request.entries),
            files=outputs.get("files", {}),
            lint=outputs.get("ruff", {}),
            types=outputs.get("mypy", {}).get(PROGRAM, ()),
            errors=self.errors,
            skipped=tuple(SkippedFile(*item) for item in [*scope.skipped, *unreadable]),
            tools=self.tools,
            cache={name: cache.stats() for name, cache in self.caches.items()},
            jobs=self.jobs,
            seconds=round(time.perf_counter() - started, 3),
        )

    def _analyse(self, files: ScopeFiles) -> dict[str, dict[str, Any]]:
        """Each analyser's results by unit, by analyser name."""
        started: list[_Started] = []
        try:
            for analyser in self.analysers():
                step = self._start(analyser, files)
                if step is not None:
                    started.append(step)
            outputs = {step.analyser.name: self._collect(step) for step in started}
        except BaseException:
            for step in started:
                if step.run is not None:
                    step.run.kill()
            raise
        self._save_caches(started)
        return outputs

    def _start(self, analyser: Analyser[Any], files: ScopeFiles) -> _Started | None:
        try:
            self.tools.update(analyser.versions())
        except ToolError as exc:
            self.errors[analyser.name] = str(exc)
            return None
        key = cache_key(ENGINE_VERSION, *analyser.cache_key_inputs(files))
        cache = AnalysisCache(self.root, analyser.name, key, analyser.codec)
        if self.request.use_cache:
            cache.load()
        self.caches[analyser.name] = cache
        units = analyser.units(files)
        todo = [unit for unit, digest in units.items() if cache.get(unit, digest) is None]
        run = None
        if todo:
            try:
                run = analyser.start(files, todo)
            except ToolError as exc:
                self.errors[analyser.name] = str(exc)
        return _Started(analyser, cache, units, run)

    def _collect(self, step: _Started) -> dict[str, Any]:
        if step.run is None:
            if step.analyser.name in self.errors:
                return {}  # it could not start: what the cache holds is for other content
            return _by_unit(step, {})
        try:
            collected = step.run.collect()
        except ToolError as exc:
            self.errors[step.analyser.name] = str(exc)
            return {}
        for tool, message in collected.tool_errors:
            self._tool_error(tool, message)
        for unit, value in collected.values.items():
            if unit not in collected.uncached:
                step.cache.put(unit, step.units[unit], value)
        return _by_unit(step, collected.values)

    def _tool_error(self, tool: str, message: str) -> None:
        if tool not in self.errors:
            self.errors[tool] = message
        elif not self.errors[tool].endswith("more files)"):
            self.errors[tool] += " (and more files)"

    def _save_caches(self, started: list[_Started]) -> None:
        if not self.request.use_cache:
            return
        for step in started:
            if self.request.full_scope:
                step.cache.keep_only(step.units)
            # A partial run (check PATH) may see fewer config files: keep the others.
            step.cache.save(drop_stale=self.request.full_scope)


def _by_unit(step: _Started, fresh: dict[str, Any]) -> dict[str, Any]:
    """Every unit's result, fresh or from the cache, in the order of the units."""
    results: dict[str, Any] = {}
    for unit in step.units:
        value = fresh[unit] if unit in fresh else step.cache.value(unit)
        if value is not None:
            results[unit] = value
    return results


def _read_digests(root: Path, files: dict[str, Path]) -> tuple[ScopeFiles, list[tuple[str, str]]]:
    """Every readable file with its content digest, and the files that could not be read."""
    digests: dict[str, str] = {}
    unreadable: list[tuple[str, str]] = []
    for key, path in files.items():
        try:
            digests[key] = content_digest(path.read_bytes())
        except OSError as exc:
            unreadable.append((key, f"cannot be read: {exc.strerror or exc}"))
    paths = {key: files[key] for key in digests}
    return ScopeFiles(root, paths, digests), unreadable


def analyse(request: AnalysisRequest) -> AnalysisResult:
    """The analysis of the request's scope; tool failures are in ``errors``."""
    return EngineRun(request).run()


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m pytest_healthgate.collect.static.engine REQUEST RESULT``."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    if len(arguments) != 2:
        print(
            "usage: python -m pytest_healthgate.collect.static.engine REQUEST RESULT",
            file=sys.stderr,
        )
        return 2
    request = AnalysisRequest.from_json(Path(arguments[0]).read_text(encoding="utf-8"))
    result = analyse(request)
    write_atomic(Path(arguments[1]), json.dumps(analysis_to_json(result)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
