"""mypy (opt-in): the whole program at once, through its JSON-lines output.

mypy checks a program, not single files, so its cache holds one unit,
``program``, keyed on every file's digest; its configuration files and version
make the cache key.

mypy runs from the project root, where it finds its configuration, as ``python
-P -m mypy``: a ``mypy/`` folder or a module of the project root named like one
mypy imports is never run in its place. mypy still imports the plugins the
project's own mypy configuration names; that is mypy's documented behaviour.

mypy's own incremental cache goes to ``.healthgate/cache/mypy``, never to a
``.mypy_cache`` of the project root or wherever the project's configuration
points; without healthgate's cache (``healthgate check --no-cache``, or a state
folder that cannot be written) mypy writes no cache at all.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pytest_healthgate.collect.static.analysers.protocol import (
    PROGRAM,
    Collected,
    ScopeFiles,
    ToolError,
)
from pytest_healthgate.collect.static.analysers.tool_info import (
    config_digests,
    config_files,
    package_version,
    tool_cache_dir,
)
from pytest_healthgate.collect.static.request import AnalysisRequest
from pytest_healthgate.collect.static.results import (
    TypingError,
    records_to_json,
    typing_errors_from_json,
)
from pytest_healthgate.collect.static.source import source_problem
from pytest_healthgate.launcher import (
    Child,
    ChildError,
    ChildStartError,
    TimeLimit,
    launch,
    one_line,
)
from pytest_healthgate.store.cache import Codec, cache_key

MYPY_CONFIG_NAMES = ("mypy.ini", ".mypy.ini", "pyproject.toml", "setup.cfg")
MYPY_CACHE = "mypy"  # mypy's incremental cache, in .healthgate/cache/
Errors = tuple[TypingError, ...]


class MypyAnalyser:
    """Typing errors of the whole program."""

    name = "mypy"
    codec: Codec[Errors] = Codec(typing_errors_from_json, records_to_json)

    def __init__(self, request: AnalysisRequest) -> None:
        self.limit = request.time_limit
        self.use_cache = request.use_cache
        self.version: str | None = None

    def versions(self) -> dict[str, str | None]:
        self.version = package_version("mypy")
        return {"mypy": self.version}

    def wider(self, files: ScopeFiles) -> None:
        """Always the whole tool: nothing wider to read."""

    def cache_key_inputs(self, files: ScopeFiles) -> tuple[object, ...]:
        configs = config_files([files.root], MYPY_CONFIG_NAMES)
        return (self.version, config_digests(configs, files.root))

    def units(self, files: ScopeFiles) -> dict[str, str]:
        if not files.digests:
            return {}
        return {PROGRAM: cache_key(sorted(files.digests.items()))}

    def warm_up(self, files: ScopeFiles, todo: list[str]) -> None:
        """Nothing: the run starts at once in ``start``."""

    def close(self) -> None:
        """Nothing was begun early."""

    def start(self, files: ScopeFiles, todo: list[str]) -> MypyProgramRun:
        keys_by_path = {str(path): key for key, path in files.paths.items()}
        cache = mypy_cache_dir(files.root, self.use_cache)
        return MypyProgramRun(files.root, keys_by_path, self.limit, cache).start()


def mypy_cache_dir(root: Path, use_cache: bool) -> str:
    """Where mypy keeps its incremental cache: in .healthgate/cache/, or nowhere.

    mypy writes no cache when given the null device (``tool_cache_dir`` says when).
    """
    return tool_cache_dir(root, MYPY_CACHE, use_cache)


@dataclass
class MypyProgramRun:
    """One mypy run over the program, run again without broken files if they stop it."""

    root: Path
    keys_by_path: dict[str, str]
    limit: TimeLimit
    cache: str
    run: MypyRun | None = None

    def start(self) -> MypyProgramRun:
        self.run = MypyRun(self.root, self.keys_by_path, self.limit, self.cache).start()
        return self

    def collect(self) -> Collected[Errors]:
        assert self.run is not None, "start() first"
        try:
            errors = self.run.collect()
        except ToolError:
            # A file that does not decode or parse stops mypy; it is already a
            # critical finding, so check the rest without it.
            rest = {
                path: key
                for path, key in self.keys_by_path.items()
                if source_problem(Path(path)) is None
            }
            if len(rest) == len(self.keys_by_path):
                raise
            retry = MypyRun(self.root, rest, self.limit, self.cache)
            errors = retry.start().collect() if rest else ()
        return Collected({PROGRAM: errors})

    def kill(self) -> None:
        if self.run is not None:
            self.run.kill()


@dataclass
class MypyRun:
    """One ``mypy --output json`` subprocess over the given files."""

    root: Path
    keys_by_path: dict[str, str]
    limit: TimeLimit
    cache: str  # mypy's --cache-dir
    child: Child | None = None

    def start(self) -> MypyRun:
        if importlib.util.find_spec("mypy") is None:
            raise ToolError(
                "[tool.healthgate.debt] mypy = true, but mypy is not installed in "
                f"{sys.executable}; pip install mypy"
            )
        # -P: the project root (the working folder) does not go first on sys.path.
        command = [
            *(sys.executable, "-P", "-m", "mypy", "--output", "json"),
            *("--cache-dir", self.cache),
            *self.keys_by_path,
        ]
        try:
            self.child = launch(command, label="mypy", limit=self.limit, cwd=self.root)
        except ChildStartError as exc:
            raise ToolError(f"{command[0]} cannot be run: {exc.reason}") from None
        return self

    def collect(self) -> Errors:
        """The errors mypy reports; notes are context, not errors."""
        assert self.child is not None, "start() first"
        try:
            finished = self.child.wait()
        except ChildError as exc:
            raise ToolError(str(exc)) from None
        finally:
            self.child.close()
        code, out, err = finished.status, finished.stdout, finished.stderr
        if code not in (0, 1):
            raise ToolError(f"mypy exited with status {code}: {one_line(err or out)}")
        errors = tuple(
            self._error(item) for item in _json_lines(out) if item.get("severity") == "error"
        )
        if code == 1 and not errors:
            raise ToolError(f"mypy failed without reporting errors: {one_line(err or out)}")
        return errors

    def _error(self, item: dict[str, Any]) -> TypingError:
        try:
            line = int(item.get("line") or 1)
        except (TypeError, ValueError):
            raise ToolError(f"mypy printed an error of an unknown shape: {item!r:.200}") from None
        return TypingError(
            self._key(str(item.get("file", ""))),
            line,
            str(item.get("code") or "misc"),
            str(item.get("message", "")),
        )

    def _key(self, filename: str) -> str:
        path = filename if Path(filename).is_absolute() else str(self.root / filename)
        path = os.path.normpath(path)
        return self.keys_by_path.get(path, filename)

    def kill(self) -> None:
        if self.child is not None:
            self.child.close()


def _json_lines(text: str) -> list[dict[str, Any]]:
    """The JSON objects of mypy's output; a line that looks like one but is not is an error."""
    items = []
    for line in text.splitlines():
        if not line.startswith("{"):
            continue
        try:
            item = json.loads(line)
        except ValueError:
            raise ToolError(f"mypy printed a line that is not JSON: {line[:200]}") from None
        if isinstance(item, dict):
            items.append(item)
    return items
