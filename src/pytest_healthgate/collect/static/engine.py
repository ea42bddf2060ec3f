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

Nothing an analyser does stops the run: a tool that raises, or calls
``sys.exit`` (some do at import), is an error for the gates that need it,
naming the tool. A file that cannot be read is a critical finding ("cannot be
read"). A ``.healthgate`` or ``.healthgate/cache`` that is a symlink or not a
folder is refused before anything is analysed (``store.files``).
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pytest_healthgate.collect.static.analysers.per_file import PerFileAnalyser, available_cores
from pytest_healthgate.collect.static.analysers.protocol import (
    PROGRAM,
    Analyser,
    AnalyserRun,
    ScopeFiles,
    ToolError,
    failure_text,
)
from pytest_healthgate.collect.static.analysers.ruff import RuffAnalyser
from pytest_healthgate.collect.static.request import (
    FAILED,
    PER_FILE_TOOLS,
    STAGE,
    AnalysisRequest,
)
from pytest_healthgate.collect.static.results import (
    AnalysisResult,
    FileResult,
    SkippedFile,
    SourceProblem,
    analysis_to_json,
)
from pytest_healthgate.collect.static.scope import Scope, discover
from pytest_healthgate.store.cache import AnalysisCache, CacheStore, cache_key, content_digest
from pytest_healthgate.store.files import StateFolderError, check_state, write_atomic

ENGINE_VERSION = 1  # bump when cached results change shape or meaning
TOOLS = ("radon", "bandit", "mypy", "ruff")  # named in an error when their code raised
# What an analyser is called in a message, and the error key of its failure as a whole
# (the per-file analysis has no gate of its own: "analysis" makes every static gate ERROR).
STAGES = {
    "ruff": ("ruff", "ruff"),
    "mypy": ("mypy", "mypy"),
    "files": ("the per-file analysis (radon, bandit, markers)", "analysis"),
}
Progress = Callable[[str], None]


@dataclass
class _Started:
    """One analyser in this run: its cache, its units and its run (None: all cached)."""

    analyser: Analyser[Any]
    cache: AnalysisCache[Any]
    units: dict[str, str]
    run: AnalyserRun[Any] | None
    todo: list[str]  # the units the cache lacks


class EngineRun:
    """One run of the engine; ``run()`` returns the analysis."""

    def __init__(self, request: AnalysisRequest, progress: Progress | None = None) -> None:
        self.request = request
        self.root = Path(request.root)
        self.jobs = request.jobs or available_cores()
        self.errors: dict[str, str] = {}
        self.tools: dict[str, str | None] = {}
        self.caches: dict[str, AnalysisCache[Any]] = {}
        self.cache_root = Path(request.cache_root or request.root)
        self.store = CacheStore(self.cache_root) if request.use_cache else None
        self.progress = progress or (lambda stage: None)

    def analysers(self) -> list[Analyser[Any]]:
        """Subprocess analysers first: they run while the per-file analysis works here."""
        analysers: list[Analyser[Any]] = []
        if "ruff" in self.request.tools:
            analysers.append(RuffAnalyser(self.request, self.store))
        if self.request.mypy:
            from pytest_healthgate.collect.static.analysers.mypy import MypyAnalyser

            analysers.append(MypyAnalyser(self.request))
        if any(tool in self.request.tools for tool in PER_FILE_TOOLS):
            analysers.append(PerFileAnalyser(self.request, self.jobs))
        return analysers

    def run(self) -> AnalysisResult:
        try:
            return self._run()
        finally:
            if self.store is not None:
                self.store.close()

    def _run(self) -> AnalysisResult:
        started = time.perf_counter()
        request = self.request
        if request.use_cache:
            try:
                check_state(self.cache_root)
            except StateFolderError as exc:
                self.errors["analysis"] = str(exc)
                return self._result(Scope(), {}, [], started)
        self.progress("finding the files")
        scope = discover(self.root, request.entries, request.exclude, request.include_tests)
        self.progress("reading the files")
        files, unreadable = _read_digests(self.root, scope.files)
        outputs = self._analyse(files)
        if scope.missing:
            self.errors["scope"] = "source not found: " + ", ".join(scope.missing)
        return self._result(scope, outputs, unreadable, started)

    def _result(
        self,
        scope: Scope,
        outputs: dict[str, dict[str, Any]],
        unreadable: list[tuple[str, str]],
        started: float,
    ) -> AnalysisResult:
        return AnalysisResult(
            root=str(self.root),
            entries=tuple(self.request.entries),
            files=_with_unreadable(scope, outputs.get("files", {}), unreadable),
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
        analysers = self.analysers()
        started: list[_Started] = []
        try:
            looked_up = self._look_up_all(analysers, files)
            for analyser in analysers:
                step = looked_up.get(analyser.name)
                self.progress(f"starting {STAGES[analyser.name][0]}")
                if step is not None and self._guarded(analyser.name, self._start, step, files):
                    started.append(step)
            outputs = {}
            for step in started:
                self.progress(f"waiting for {STAGES[step.analyser.name][0]}")
                collected = self._guarded(step.analyser.name, self._collect, step)
                outputs[step.analyser.name] = collected or {}
        except BaseException:
            for step in started:
                if step.run is not None:
                    step.run.kill()
            raise
        finally:
            for analyser in analysers:
                analyser.close()
        self.progress("saving the cache")
        self._save_caches(started)
        return outputs

    def _guarded(self, name: str, work: Callable[..., Any], *arguments: Any) -> Any:
        """``work(*arguments)``, or None after recording how the analyser failed."""
        try:
            return work(*arguments)
        except (Exception, SystemExit) as exc:
            tool = failing_tool(exc)
            label, key = STAGES[name]
            self.errors[tool or key] = f"{tool or label} failed: {failure_text(exc)}"
            return None

    def _look_up_all(
        self, analysers: list[Analyser[Any]], files: ScopeFiles
    ) -> dict[str, _Started]:
        """Each analyser's cache looked up, by name; none for one that could not be."""
        looked_up = {}
        # In the reverse of the start order: the per-file analysis, last to start,
        # learns first what misses and may fork a worker for it at once.
        for analyser in reversed(analysers):
            step = self._guarded(analyser.name, self._look_up, analyser, files)
            if step is not None:
                looked_up[analyser.name] = step
        return looked_up

    def _look_up(self, analyser: Analyser[Any], files: ScopeFiles) -> _Started | None:
        """The analyser's cache, looked up; what misses is what it will analyse."""
        try:
            self.tools.update(analyser.versions())
        except ToolError as exc:
            self.errors[analyser.name] = str(exc)
            return None
        key = cache_key(ENGINE_VERSION, *analyser.cache_key_inputs(files))
        cache = AnalysisCache(self.store, analyser.name, key, analyser.codec)
        wider = analyser.wider(files)
        if wider is not None:
            cache.also_from(cache_key(ENGINE_VERSION, *wider.key_inputs), wider.narrow)
        self.caches[analyser.name] = cache
        units = analyser.units(files)
        todo = cache.lookup(units, on_misses=lambda missed: analyser.warm_up(files, missed))
        return _Started(analyser, cache, units, None, todo)

    def _start(self, step: _Started, files: ScopeFiles) -> bool:
        """Begin analysing what missed; True unless the analyser itself broke."""
        if step.todo:
            try:
                step.run = step.analyser.start(files, step.todo)
            except ToolError as exc:
                self.errors[step.analyser.name] = str(exc)
        return True

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
        # Entries of files no longer analysed stay: content-addressed, they are right
        # whenever that content comes back (the other side of a change, a revert), and
        # the least recently used go when the cache reaches its bound.
        for step in started:
            step.cache.save()


def _by_unit(step: _Started, fresh: dict[str, Any]) -> dict[str, Any]:
    """Every unit's result, fresh or from the cache, in the order of the units."""
    results: dict[str, Any] = {}
    for unit in step.units:
        value = fresh[unit] if unit in fresh else step.cache.value(unit)
        if value is not None:
            results[unit] = value
    return results


def _with_unreadable(
    scope: Scope, analysed: dict[str, FileResult], unreadable: list[tuple[str, str]]
) -> dict[str, FileResult]:
    """The analysed files, and each unreadable one as a critical finding, in scope order."""
    if not unreadable:
        return analysed
    problems = {key: FileResult(error=SourceProblem(1, reason)) for key, reason in unreadable}
    return {
        key: analysed[key] if key in analysed else problems[key]
        for key in scope.files
        if key in analysed or key in problems
    }


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


def analyse(request: AnalysisRequest, progress: Progress | None = None) -> AnalysisResult:
    """The analysis of the request's scope; tool failures are in ``errors``."""
    return EngineRun(request, progress).run()


def failing_tool(exc: BaseException) -> str | None:
    """The tool whose code raised ``exc`` (the innermost such frame), if any did."""
    import traceback  # here: only a failure needs it

    found = None
    for frame, _line in traceback.walk_tb(exc.__traceback__):
        module = str(frame.f_globals.get("__name__", ""))
        if module.partition(".")[0] in TOOLS:
            found = module.partition(".")[0]
    if found is None and exc.__cause__ is not None:
        # A pool worker's exception carries the worker's traceback as text.
        text = str(exc.__cause__)
        found = next((tool for tool in TOOLS if f"{os.sep}{tool}{os.sep}" in text), None)
    return found


def describe_failure(exc: BaseException) -> str:
    """One line on why the analysis as a whole failed, naming the tool when it can."""
    tool = failing_tool(exc)
    return f"{tool} failed: {failure_text(exc)}" if tool else failure_text(exc)


def _announce(stage: str) -> None:
    print(STAGE + stage, file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m pytest_healthgate.collect.static.engine REQUEST RESULT``.

    Status 1 with a ``FAILED`` line on stderr when the analysis broke.
    """
    arguments = list(sys.argv[1:] if argv is None else argv)
    if len(arguments) != 2:
        print(
            "usage: python -m pytest_healthgate.collect.static.engine REQUEST RESULT",
            file=sys.stderr,
        )
        return 2
    try:
        request = AnalysisRequest.from_json(Path(arguments[0]).read_text(encoding="utf-8"))
        result = analyse(request, _announce)
        write_atomic(Path(arguments[1]), json.dumps(analysis_to_json(result)))
    except (Exception, SystemExit) as exc:
        import traceback

        traceback.print_exc()
        print(FAILED + describe_failure(exc), file=sys.stderr, flush=True)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
