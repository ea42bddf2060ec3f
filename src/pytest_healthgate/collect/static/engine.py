"""Run every static analyser over a scope, with the cache, across cores.

``analyse(request)`` returns the raw analysis as plain data (see ``measure.py``
for what becomes of it). ``healthgate check`` calls it in-process; under
``pytest --healthgate`` it runs as ``python -m pytest_healthgate.collect.static.engine
REQUEST RESULT`` beside the test session, so no analysis work happens in the
pytest process while tests run.

Order of work: find the files and hash them; look them up in the caches; start
ruff (and mypy) on what is missing; analyse the missing files with radon,
bandit and the marker scan in a process pool (one worker per core) while ruff
runs; collect ruff; save the caches.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.metadata
import json
import multiprocessing
import os
import sys
import threading
import time
import tomllib
import warnings
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from pytest_healthgate.collect.static import pyfile
from pytest_healthgate.collect.static.scope import discover
from pytest_healthgate.collect.static.tools import (
    MYPY_CONFIG_NAMES,
    RUFF_CONFIG_NAMES,
    MypyRun,
    RuffRun,
    ToolError,
    config_files,
    file_digests,
    ruff_binary,
    user_ruff_configs,
    version_of,
)
from pytest_healthgate.store.cache import AnalysisCache, cache_key, content_digest
from pytest_healthgate.store.files import write_atomic

ENGINE_VERSION = 1  # bump when per-file results change shape or meaning
SERIAL_FILES = 12  # fewer files than this are analysed in-process: a pool costs more
SERIAL_BYTES = 200_000
CHUNK = 4


@dataclass(frozen=True)
class Request:
    """What to analyse and how; plain data so it can cross a process boundary."""

    root: str
    entries: tuple[str, ...]
    exclude: tuple[str, ...] = ()
    include_tests: bool = False
    markers: tuple[str, ...] = ("TODO", "FIXME", "HACK", "XXX")
    mypy: bool = False
    jobs: int = 0  # 0: one worker per available core
    use_cache: bool = True  # False: neither read nor write .healthgate/cache/
    full_scope: bool = True  # the whole configured source: stale cache entries are dropped

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> Request:
        raw = json.loads(text)
        for name in ("entries", "exclude", "markers"):
            raw[name] = tuple(raw[name])
        return cls(**raw)


def available_cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def _package_version(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def _valid_file_result(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and isinstance(value.get("lines"), int)
        and isinstance(value.get("functions"), list)
        and isinstance(value.get("markers"), list)
        and isinstance(value.get("security"), list)
        and "tool_errors" not in value
        and all(isinstance(item, list) and len(item) == 4 for item in value["functions"])
    )


def _valid_lint(value: Any) -> bool:
    return isinstance(value, list) and all(
        isinstance(item, list) and len(item) == 3 for item in value
    )


def _valid_types(value: Any) -> bool:
    return isinstance(value, list) and all(
        isinstance(item, list) and len(item) == 4 for item in value
    )


def bandit_config_file(root: Path) -> str | None:
    """The project's pyproject.toml when it has a [tool.bandit] table (as `bandit -c`)."""
    pyproject = root / "pyproject.toml"
    try:
        document = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    tool = document.get("tool")
    return str(pyproject) if isinstance(tool, dict) and "bandit" in tool else None


def _digest_file(path: str | None) -> str | None:
    if path is None:
        return None
    try:
        return content_digest(Path(path).read_bytes())
    except OSError:
        return None


class Analysis:
    """One run of the engine; ``run()`` returns the plain-data result."""

    def __init__(self, request: Request) -> None:
        self.request = request
        self.root = Path(request.root)
        self.errors: dict[str, str] = {}
        self.tools: dict[str, str | None] = {}
        self.caches: dict[str, AnalysisCache] = {}

    def _cache(self, name: str, print_: str, valid: Any) -> AnalysisCache:
        cache = AnalysisCache(self.root, name, print_, valid)
        if self.request.use_cache:
            cache.load()
        self.caches[name] = cache
        return cache

    def run(self) -> dict[str, Any]:
        started = time.perf_counter()
        request = self.request
        scope = discover(self.root, request.entries, request.exclude, request.include_tests)
        digests, skipped = _digests(scope.files)
        paths = {key: scope.files[key] for key in digests}

        ruff = self._start_ruff(paths, digests)
        mypy, mypy_key = self._start_mypy(paths, digests)
        try:
            files = self._analyse_files(paths, digests)
        except BaseException:
            for job in (ruff, mypy):
                if job is not None:
                    job.kill()
            raise
        lint = self._collect_ruff(ruff, digests)
        types = self._collect_mypy(mypy, mypy_key, paths, files)
        self._save_caches(set(digests))
        if scope.missing:
            self.errors["scope"] = "source not found: " + ", ".join(scope.missing)
        return {
            "format": ENGINE_VERSION,
            "root": str(self.root),
            "entries": list(request.entries),
            "files": files,
            "lint": lint,
            "types": types,
            "errors": self.errors,
            "skipped": [list(item) for item in [*scope.skipped, *skipped]],
            "tools": self.tools,
            "cache": {name: cache.stats() for name, cache in self.caches.items()},
            "jobs": self._jobs(),
            "seconds": round(time.perf_counter() - started, 3),
        }

    def _save_caches(self, analysed: set[str]) -> None:
        if not self.request.use_cache:
            return
        for cache in self.caches.values():
            if self.request.full_scope and cache.name != "mypy":
                cache.keep_only(analysed)
            # A partial run (check PATH) may see fewer config files: keep the others.
            cache.save(drop_stale=self.request.full_scope)

    def _jobs(self) -> int:
        return self.request.jobs or available_cores()

    # -- ruff ------------------------------------------------------------------------

    def _start_ruff(self, paths: dict[str, Path], digests: dict[str, str]) -> RuffRun | None:
        try:
            binary = ruff_binary()
            version = version_of([binary, "--version"])
        except ToolError as exc:
            self.errors["ruff"] = str(exc)
            return None
        self.tools["ruff"] = version
        directories = {path.parent for path in paths.values()} | {self.root}
        configs = [*config_files(directories, RUFF_CONFIG_NAMES), *user_ruff_configs()]
        cache = self._cache(
            "ruff", cache_key(ENGINE_VERSION, version, file_digests(configs)), _valid_lint
        )
        missing = {str(paths[key]): key for key in paths if cache.get(key, digests[key]) is None}
        if not missing:
            return None
        try:
            return RuffRun(self.root, binary, missing).start()
        except ToolError as exc:
            self.errors["ruff"] = str(exc)
            return None

    def _collect_ruff(
        self, run: RuffRun | None, digests: dict[str, str]
    ) -> dict[str, list[list[Any]]]:
        cache = self.caches.get("ruff")
        if cache is None:
            return {}
        if run is not None:
            try:
                for key, findings in run.collect().items():
                    cache.put(key, digests[key], findings)
            except ToolError as exc:
                self.errors["ruff"] = str(exc)
                return {}
        return {key: cache.entries[key]["value"] for key in digests if key in cache.entries}

    # -- mypy ------------------------------------------------------------------------

    def _start_mypy(
        self, paths: dict[str, Path], digests: dict[str, str]
    ) -> tuple[MypyRun | None, str]:
        if not self.request.mypy or not paths:
            return None, ""
        version = _package_version("mypy")
        self.tools["mypy"] = version
        configs = config_files([self.root], MYPY_CONFIG_NAMES)
        cache = self._cache(
            "mypy", cache_key(ENGINE_VERSION, version, file_digests(configs)), _valid_types
        )
        program = cache_key(sorted(digests.items()))
        if cache.get("program", program) is not None:
            return None, program
        try:
            return MypyRun(self.root, {str(paths[key]): key for key in paths}).start(), program
        except ToolError as exc:
            self.errors["mypy"] = str(exc)
            return None, program

    def _collect_mypy(
        self,
        run: MypyRun | None,
        program: str,
        paths: dict[str, Path],
        files: dict[str, dict[str, Any]],
    ) -> list[list[Any]]:
        cache = self.caches.get("mypy")
        if cache is None or "mypy" in self.errors:
            return []
        if run is not None:
            try:
                errors = self._mypy_errors(run, paths, files)
            except ToolError as exc:
                self.errors["mypy"] = str(exc)
                return []
            cache.put("program", program, errors)
            return errors
        value: list[list[Any]] = cache.entries["program"]["value"]
        return value

    def _mypy_errors(
        self, run: MypyRun, paths: dict[str, Path], files: dict[str, dict[str, Any]]
    ) -> list[list[Any]]:
        try:
            return run.collect()
        except ToolError:
            # A file that does not parse stops mypy; it is already a critical
            # finding, so check the rest without it.
            broken = {key for key, result in files.items() if result.get("error")}
            if not broken:
                raise
        rest = {str(paths[key]): key for key in paths if key not in broken}
        return MypyRun(self.root, rest).start().collect() if rest else []

    # -- per-file analysis -------------------------------------------------------------

    def _analyse_files(
        self, paths: dict[str, Path], digests: dict[str, str]
    ) -> dict[str, dict[str, Any]]:
        bandit_config = bandit_config_file(self.root)
        self.tools["radon"] = _package_version("radon")
        self.tools["bandit"] = _package_version("bandit")
        cache = self._cache(
            "files",
            cache_key(
                ENGINE_VERSION,
                sys.version_info[:3],
                self.tools["radon"],
                self.tools["bandit"],
                sorted(self.request.markers),
                _digest_file(bandit_config),
            ),
            _valid_file_result,
        )
        results: dict[str, dict[str, Any]] = {}
        tasks = []
        for key, path in paths.items():
            cached = cache.get(key, digests[key])
            if cached is not None:
                results[key] = cached
            else:
                tasks.append((key, str(path)))
        for key, result in self._run_tasks(tasks, bandit_config):
            problems = result.pop("tool_errors", None)
            if problems:
                for tool, message in problems.items():
                    self._tool_error(tool, message)
            else:
                cache.put(key, digests[key], result)
            results[key] = result
        return {key: results[key] for key in paths}

    def _tool_error(self, tool: str, message: str) -> None:
        if tool not in self.errors:
            self.errors[tool] = message
        elif not self.errors[tool].endswith("more files)"):
            self.errors[tool] += " (and more files)"

    def _run_tasks(
        self, tasks: list[tuple[str, str]], bandit_config: str | None
    ) -> list[tuple[str, dict[str, Any]]]:
        markers = self.request.markers
        jobs = self._jobs()
        sizes = {key: _size(path) for key, path in tasks}
        if jobs == 1 or len(tasks) < SERIAL_FILES or sum(sizes.values()) < SERIAL_BYTES:
            analyser = pyfile.Analyser(markers, bandit_config)
            with pyfile.fewer_collections():
                return [(key, analyser.analyse(key, Path(path))) for key, path in tasks]
        # Largest files first, so no worker is left with a giant at the end.
        tasks.sort(key=lambda task: sizes[task[0]], reverse=True)
        context = _pool_context()
        if context.get_start_method() == "fork":
            _preload()
        with ProcessPoolExecutor(
            max_workers=min(jobs, len(tasks)),
            mp_context=context,
            initializer=pyfile.init_worker,
            initargs=(markers, bandit_config),
        ) as pool:
            return list(pool.map(pyfile.analyse_in_worker, tasks, chunksize=CHUNK))


def _digests(files: dict[str, Path]) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """Content digest of every readable file, and the files that could not be read."""
    digests: dict[str, str] = {}
    unreadable: list[tuple[str, str]] = []
    for key, path in files.items():
        try:
            digests[key] = content_digest(path.read_bytes())
        except OSError as exc:
            unreadable.append((key, f"cannot be read: {exc.strerror or exc}"))
    return digests, unreadable


def _size(path: str) -> int:
    try:
        return Path(path).stat().st_size
    except OSError:
        return 0


def _pool_context() -> multiprocessing.context.BaseContext:
    # fork is cheapest, but only safe on Linux from a process without threads.
    if sys.platform == "linux" and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def _preload() -> None:
    """Import the analysers once before forking, so workers do not each import them."""
    for module in ("radon.visitors", "radon.raw", "radon.metrics", "bandit.core.manager"):
        # Each worker reports a missing tool; the tools' own deprecation warnings
        # (bandit's plugin loader, for one) are not this project's to show.
        with contextlib.suppress(ImportError), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            importlib.import_module(module)


def analyse(request: Request) -> dict[str, Any]:
    """The raw analysis of the request's scope; tool failures are in ``["errors"]``."""
    return Analysis(request).run()


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m pytest_healthgate.collect.static.engine REQUEST RESULT``."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    if len(arguments) != 2:
        print(
            "usage: python -m pytest_healthgate.collect.static.engine REQUEST RESULT",
            file=sys.stderr,
        )
        return 2
    request = Request.from_json(Path(arguments[0]).read_text(encoding="utf-8"))
    result = analyse(request)
    write_atomic(Path(arguments[1]), json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
