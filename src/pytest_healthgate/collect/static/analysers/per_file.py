"""The per-file analysis: radon, debt markers and bandit on every file, across cores.

A request may ask for some of the three only (each hook judges one tool's
findings): the others are neither imported nor run, and the results keep their
own cache entries beside those of the whole analysis, which they also read.

Each file's result depends only on its content, the Python version, radon's and
bandit's versions, the marker words and the project's bandit configuration; those
make the cache key. Files missing from the cache are analysed in a process pool
(one worker per core), largest first, or in this process when there are only a
few small ones.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
import threading
import tomllib
import warnings
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from pytest_healthgate.collect.static.analysers.protocol import (
    Collected,
    Completed,
    ScopeFiles,
    Wider,
)
from pytest_healthgate.collect.static.analysers.security_worker import SecurityWorker
from pytest_healthgate.collect.static.analysers.tool_info import package_version, tool_cache_dir
from pytest_healthgate.collect.static.request import PER_FILE_TOOLS, AnalysisRequest
from pytest_healthgate.collect.static.results import (
    FileResult,
    SourceProblem,
    file_result_from_json,
    file_result_to_json,
    part_of,
)
from pytest_healthgate.store.cache import Codec, file_digest

if TYPE_CHECKING:
    import multiprocessing.context

    from pytest_healthgate.collect.static.analysers.file_analyser import FileOutcome

FILE_ANALYSER = "pytest_healthgate.collect.static.analysers.file_analyser"
SERIAL_FILES = 12  # fewer files than this are analysed in-process: a pool costs more
SERIAL_BYTES = 200_000
# From this much source, a handful of files is split by tool across two cores:
# bandit in one forked worker while radon and the markers run here.
SPLIT_BYTES = 20_000
CHUNK = 4
# Imported once before forking, so pool workers do not each import them: by tool.
PRELOADED_MODULES = {
    "radon": (
        "radon.visitors",
        "radon.raw",
        "radon.metrics",
        "pytest_healthgate.collect.static.raw_metrics",
    ),
    "bandit": ("bandit.core.manager",),
}
ENTRY_POINTS = "bandit"  # .healthgate/cache/bandit/: stevedore's cache, for bandit's import
KEPT_ENTRY_POINT_FILES = 8  # one per sys.path seen: the check's, the engine's, the hooks'...
VERSIONED_TOOLS = ("radon", "bandit")  # the markers are this package's own


def available_cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def bandit_config_file(root: Path) -> str | None:
    """The project's pyproject.toml when it has a [tool.bandit] table (as `bandit -c`)."""
    pyproject = root / "pyproject.toml"
    try:
        if not pyproject.is_file():  # a FIFO would block, /dev/zero would never end
            return None
        document = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    tool = document.get("tool")
    return str(pyproject) if isinstance(tool, dict) and "bandit" in tool else None


class PerFileAnalyser:
    """A FileResult per file."""

    name = "files"
    codec: Codec[FileResult] = Codec(file_result_from_json, file_result_to_json)

    def __init__(self, request: AnalysisRequest, jobs: int) -> None:
        self.markers = request.markers
        self.tools = tuple(tool for tool in PER_FILE_TOOLS if tool in request.tools)
        self.jobs = jobs
        self.bandit_config = bandit_config_file(Path(request.root))
        self.tool_versions: dict[str, str | None] = {}
        self._early: SecurityWorker | None = None  # bandit's worker, forked by warm_up
        self.cache_root = Path(request.cache_root or request.root)
        self.use_cache = request.use_cache
        self._entry_points: str | None = None

    def versions(self) -> dict[str, str | None]:
        self.tool_versions = {
            tool: package_version(tool) for tool in VERSIONED_TOOLS if tool in self.tools
        }
        return self.tool_versions

    def cache_key_inputs(self, files: ScopeFiles) -> tuple[object, ...]:
        return self._key_inputs(self.tool_versions, self.tools)

    def wider(self, files: ScopeFiles) -> Wider[FileResult] | None:
        if self.tools == PER_FILE_TOOLS:
            return None
        versions = {tool: package_version(tool) for tool in VERSIONED_TOOLS}
        tools = self.tools
        return Wider(self._key_inputs(versions, PER_FILE_TOOLS), lambda v: part_of(v, tools))

    def _key_inputs(
        self, versions: dict[str, str | None], tools: tuple[str, ...]
    ) -> tuple[object, ...]:
        config = None
        if self.bandit_config is not None and "bandit" in tools:
            config = file_digest(Path(self.bandit_config))
        inputs = (
            sys.version_info[:3],
            versions.get("radon"),
            versions.get("bandit"),
            sorted(self.markers),
            config,
        )
        # Part of the tools: its own entries, beside (not instead of) the whole's.
        return inputs if tools == PER_FILE_TOOLS else (*inputs, tools)

    def units(self, files: ScopeFiles) -> dict[str, str]:
        return dict(files.digests)

    def start(self, files: ScopeFiles, todo: list[str]) -> Completed[FileResult]:
        """Analyse the files now: this process has nothing else to do meanwhile."""
        tasks = _tasks(files, todo)
        collected: Collected[FileResult] = Collected({})
        failed = set()
        for key, outcome in self._run(tasks):
            collected.values[key] = outcome.result
            collected.tool_errors.extend(outcome.tool_errors.items())
            if outcome.tool_errors:
                failed.add(key)
        collected.uncached = frozenset(failed)
        return Completed(collected)

    def warm_up(self, files: ScopeFiles, todo: list[str]) -> None:
        """Fork bandit's worker now when the files will be split by tool.

        The other analysers then look up their caches and start while it
        imports bandit (0.07-0.13 s); ``start`` hands it the files.
        """
        if self._plan(_tasks(files, todo)) == "split":
            self._early = self._security_worker()

    def close(self) -> None:
        if self._early is not None:
            self._early.close()
            self._early = None

    def _plan(self, tasks: list[tuple[str, str]]) -> str:
        """How to analyse ``tasks``: "here", "split" (bandit in a worker) or "pool"."""
        size = sum(_size(path) for _key, path in tasks)
        if self.jobs > 1 and len(tasks) >= SERIAL_FILES and size >= SERIAL_BYTES:
            return "pool"
        return "split" if self._splits() and size >= SPLIT_BYTES else "here"

    def _run(self, tasks: list[tuple[str, str]]) -> list[tuple[str, FileOutcome]]:
        # Imported only when a file misses: a run that finds every file cached
        # (a hook, a warm check) loads neither the tools' wrapper nor a process pool.
        file_analyser = _module(FILE_ANALYSER)
        plan = self._plan(tasks)
        if plan == "split":
            worker, self._early = self._early, None
            if worker is None:
                worker = self._security_worker()
            if worker is not None:
                return self._split_by_tool(tasks, worker)
        self.close()  # forked for other files: not wanted here
        if plan != "pool":
            analyser = file_analyser.FileAnalyser(
                self.markers, self.bandit_config, self.tools, self.entry_points
            )
            with file_analyser.fewer_collections():
                return [(key, analyser.analyse(key, Path(path))) for key, path in tasks]
        # Largest files first, so no worker is left with a giant at the end.
        sizes = {key: _size(path) for key, path in tasks}
        tasks.sort(key=lambda task: sizes[task[0]], reverse=True)
        context = _pool_context()
        if context.get_start_method() == "fork":
            _preload(self.tools, self.entry_points)
        with _module("concurrent.futures.process").ProcessPoolExecutor(
            max_workers=min(self.jobs, len(tasks)),
            mp_context=context,
            initializer=file_analyser.init_worker,
            initargs=(self.markers, self.bandit_config, self.tools, self.entry_points),
        ) as pool:
            return list(pool.map(file_analyser.analyse_in_worker, tasks, chunksize=CHUNK))

    def _security_worker(self) -> SecurityWorker | None:
        """bandit's worker, or None where it cannot be forked: bandit then runs here."""
        if not _can_fork():
            return None
        try:
            return SecurityWorker(self.markers, self.bandit_config, self.tools, self.entry_points)
        except OSError:  # no process to spare (EAGAIN, ENOMEM): slower, not wrong
            return None

    @property
    def entry_points(self) -> str:
        """stevedore's cache folder for bandit's import (``file_analyser.entry_point_cache``)."""
        if self._entry_points is None:
            self._entry_points = entry_points_folder(self.cache_root, self.use_cache)
        return self._entry_points

    def _splits(self) -> bool:
        """Two cores, bandit and something else to run: bandit may go to a core of its own."""
        return self.jobs > 1 and "bandit" in self.tools and len(self.tools) > 1

    def _split_by_tool(
        self, tasks: list[tuple[str, str]], worker: SecurityWorker
    ) -> list[tuple[str, FileOutcome]]:
        """A few files on two cores: bandit in its forked worker, radon and markers here.

        The one file changed in a large project, or a hook's handful: bandit takes
        about as long as the rest, so this halves the wall time. The results are
        those of ``FileAnalyser.analyse``, merged.
        """
        file_analyser = _module(FILE_ANALYSER)
        try:
            worker.submit(_parsing(tasks))
            analyser = file_analyser.FileAnalyser(
                self.markers, self.bandit_config, self.tools, self.entry_points
            )
            with file_analyser.fewer_collections():
                outcomes = [
                    (key, analyser.analyse(key, Path(path), security=False)) for key, path in tasks
                ]
            security = dict(worker.result())
        finally:
            worker.close()
        merged = []
        for key, (result, errors) in outcomes:
            issues, bandit_errors = security.get(key, ((), {}))
            outcome = file_analyser.FileOutcome(
                result._replace(security=issues), {**errors, **bandit_errors}
            )
            merged.append((key, outcome))
        return merged


def entry_points_folder(root: Path, use_cache: bool) -> str:
    """``.healthgate/cache/bandit``, where stevedore caches entry points; or the null device.

    Also the null device when anything in the folder is a symlink: stevedore
    would write where it leads. stevedore writes a file for each ``sys.path``
    it sees and never removes one: the oldest go past ``KEPT_ENTRY_POINT_FILES``.
    """
    folder = tool_cache_dir(root, ENTRY_POINTS, use_cache)
    try:
        with os.scandir(folder) as entries:
            listed = list(entries)
    except FileNotFoundError:
        return folder  # made when first written
    except OSError:  # the null device, or a folder that cannot be listed
        return os.devnull
    if any(entry.is_symlink() for entry in listed):
        return os.devnull
    for entry in listed:
        if entry.is_dir(follow_symlinks=False):
            _keep_newest(entry.path, KEPT_ENTRY_POINT_FILES)
    return folder


def _keep_newest(folder: str, kept: int) -> None:
    try:
        with os.scandir(folder) as entries:
            files = [entry for entry in entries if entry.is_file(follow_symlinks=False)]
        files.sort(key=lambda entry: entry.stat(follow_symlinks=False).st_mtime, reverse=True)
        for entry in files[kept:]:
            Path(entry.path).unlink()
    except OSError:
        pass  # another run removed it first, or a read-only folder: kept as it is


def _tasks(files: ScopeFiles, todo: list[str]) -> list[tuple[str, str]]:
    return [(key, str(files.paths[key])) for key in todo]


def _module(name: str) -> ModuleType:
    """The module as ``sys.modules`` holds it now.

    What the pool pickles (its call items, the worker functions) is looked up there
    by name; an attribute of the package may still be an earlier import of it (a
    test runner that restores ``sys.modules`` leaves such copies behind).
    """
    return importlib.import_module(name)


def _parsing(tasks: list[tuple[str, str]]) -> list[tuple[str, str, bool]]:
    """The files bandit runs on, as ``FileAnalyser.analyse`` does: those that parse.

    Each with whether it may hold a ``# nosec`` comment. Parsed here, not in the
    forked worker, which starts at this process's depth of calls.
    """
    from pytest_healthgate.collect.static.source import read_python

    parsing = []
    for key, path in tasks:
        try:
            parsed = read_python(Path(path).read_bytes(), key)
        except OSError:
            continue  # analyse says why it cannot be read
        if not isinstance(parsed, SourceProblem):
            parsing.append((key, path, "nosec" in parsed.text))
    return parsing


def _can_fork() -> bool:
    """fork is cheap enough for a worker of a few files; spawn would import everything again."""
    return sys.platform == "linux" and threading.active_count() == 1


def _size(path: str) -> int:
    try:
        return Path(path).stat().st_size
    except OSError:
        return 0


def _pool_context() -> multiprocessing.context.BaseContext:
    import multiprocessing

    # fork is cheapest, but only safe on Linux from a process without threads.
    if _can_fork():
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def _preload(tools: tuple[str, ...], entry_points: str) -> None:
    file_analyser = _module(FILE_ANALYSER)
    for module in (name for tool in tools for name in PRELOADED_MODULES.get(tool, ())):
        # Each worker reports a missing or broken tool (one that raises or calls
        # sys.exit at import); the tools' own deprecation warnings (bandit's
        # plugin loader, for one) are not this project's to show.
        with (
            contextlib.suppress(Exception, SystemExit),
            warnings.catch_warnings(),
            file_analyser.entry_point_cache(entry_points),
        ):
            warnings.simplefilter("ignore")
            importlib.import_module(module)
