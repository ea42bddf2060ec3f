"""ruff: ``ruff check`` over the files missing from the cache, through its JSON output.

The project's own configuration applies (nearest ``pyproject.toml``/``ruff.toml``
and the user's), so those files and ruff's version make the cache key. The
configuration can select rules by path (``per-file-ignores``, ``exclude``), so a
file's entry is addressed by its project-relative path and its content. ruff
runs in batches of subprocesses while the per-file analysis keeps the cores busy.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pytest_healthgate.collect.static.analysers.protocol import Collected, ScopeFiles, ToolError
from pytest_healthgate.collect.static.analysers.tool_info import (
    config_digests,
    config_files,
    version_of,
)
from pytest_healthgate.collect.static.request import AnalysisRequest
from pytest_healthgate.collect.static.results import LintFinding, lint_from_json, records_to_json
from pytest_healthgate.launcher import (
    Child,
    ChildError,
    ChildStartError,
    Finished,
    TimeLimit,
    launch,
    one_line,
)
from pytest_healthgate.store.cache import CacheStore, Codec, content_digest

RUFF_BATCH = 2000  # files per ruff invocation, well within any command-line limit
RUFF_CONFIG_NAMES = ("pyproject.toml", "ruff.toml", ".ruff.toml")
Findings = tuple[LintFinding, ...]


def ruff_binary() -> str:
    """The ruff executable installed beside this Python, else the one on PATH."""
    try:
        from ruff.__main__ import find_ruff_bin

        return str(find_ruff_bin())
    except (ImportError, FileNotFoundError):
        found = shutil.which("ruff")
        if found is None:
            raise ToolError("ruff is not installed; pip install ruff") from None
        return found


def user_ruff_configs() -> list[Path]:
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return [base / "ruff" / name for name in RUFF_CONFIG_NAMES if (base / "ruff" / name).is_file()]


class RuffAnalyser:
    """Lint findings per file."""

    name = "ruff"
    codec: Codec[Findings] = Codec(lint_from_json, records_to_json)

    def __init__(self, request: AnalysisRequest, store: CacheStore | None = None) -> None:
        self.limit = request.time_limit
        self.store = store
        self.binary = ""
        self.version: str | None = None

    def versions(self) -> dict[str, str | None]:
        self.binary = ruff_binary()
        self.version = self._known_version()
        if self.version is None:
            self.version = version_of([self.binary, "--version"], self.limit)
            if self.store is not None and self._stamp() is not None:
                self.store.remember_version("ruff", str(self._stamp()), self.version)
        return {"ruff": self.version}

    def _stamp(self) -> str | None:
        """What changes when another ruff is installed: the executable's path, size and times."""
        try:
            found = Path(self.binary).stat()
        except OSError:
            return None
        path = os.path.realpath(self.binary)
        return f"{path}:{found.st_size}:{found.st_mtime_ns}:{found.st_ctime_ns}:{found.st_ino}"

    def _known_version(self) -> str | None:
        """The version cached for this very executable: no process started to ask it."""
        stamp = self._stamp()
        if self.store is None or stamp is None:
            return None
        return self.store.known_version("ruff", stamp)

    def wider(self, files: ScopeFiles) -> None:
        """Always the whole tool: nothing wider to read."""

    def cache_key_inputs(self, files: ScopeFiles) -> tuple[object, ...]:
        directories = {path.parent for path in files.paths.values()} | {files.root}
        configs = [*config_files(directories, RUFF_CONFIG_NAMES), *user_ruff_configs()]
        return (self.version, config_digests(configs, files.root))

    def units(self, files: ScopeFiles) -> dict[str, str]:
        """Each file's path and content: the configuration may select rules by path."""
        return {
            key: content_digest(f"{key}\0{digest}".encode())
            for key, digest in files.digests.items()
        }

    def warm_up(self, files: ScopeFiles, todo: list[str]) -> None:
        """Nothing: the run starts at once in ``start``."""

    def close(self) -> None:
        """Nothing was begun early."""

    def start(self, files: ScopeFiles, todo: list[str]) -> RuffRun:
        keys_by_path = {str(files.paths[key]): key for key in todo}
        return RuffRun(files.root, self.binary, keys_by_path, self.limit).start()


@dataclass
class RuffRun:
    """ruff check over the given files, in batches."""

    root: Path
    binary: str
    keys_by_path: dict[str, str]
    limit: TimeLimit
    children: list[Child] = field(default_factory=list)
    _resolved: dict[str, str] | None = None

    def start(self) -> RuffRun:
        paths = list(self.keys_by_path)
        for first in range(0, len(paths), RUFF_BATCH):
            command = [
                self.binary,
                "check",
                "--output-format",
                "json",
                "--exit-zero",
                "--no-fix",
                "--no-cache",
                # The project's own exclude settings apply to files named explicitly too.
                "--force-exclude",
                *paths[first : first + RUFF_BATCH],
            ]
            try:
                child = launch(command, label="ruff check", limit=self.limit, cwd=self.root)
            except ChildStartError as exc:
                self.kill()
                raise ToolError(f"{command[0]} cannot be run: {exc.reason}") from None
            self.children.append(child)
        return self

    def collect(self) -> Collected[Findings]:
        """Findings by file key; every key present, even if clean."""
        found: dict[str, list[LintFinding]] = {key: [] for key in self.keys_by_path.values()}
        problems = []
        for child in self.children:
            try:
                report = _report(child.wait())
                for finding in report:
                    key = self._key(str(finding.get("filename", "")))
                    if key is not None:
                        found[key].append(_lint_finding(finding))
            except (ChildError, ToolError) as exc:
                problems.append(str(exc))
            finally:
                child.close()
        if problems:
            raise ToolError("; ".join(problems))
        return Collected({key: tuple(findings) for key, findings in found.items()})

    def _key(self, filename: str) -> str | None:
        if filename in self.keys_by_path:
            return self.keys_by_path[filename]
        if self._resolved is None:  # ruff named a path differently: compare real paths
            self._resolved = {
                os.path.realpath(path): key for path, key in self.keys_by_path.items()
            }
        return self._resolved.get(os.path.realpath(filename))

    def kill(self) -> None:
        for child in self.children:
            child.close()


def _report(finished: Finished) -> list[dict[str, Any]]:
    """ruff's JSON list of findings; empty or malformed output is an error, never "clean"."""
    out, err = finished.stdout, finished.stderr
    if finished.status != 0:
        raise ToolError(f"ruff exited with status {finished.status}: {one_line(err or out)}")
    if not out.strip():
        raise ToolError(f"ruff printed no report: {one_line(err) or 'no output'}")
    try:
        report = json.loads(out)
    except ValueError as exc:
        raise ToolError(f"ruff printed output that is not JSON ({exc}): {one_line(out)}") from None
    if not isinstance(report, list) or not all(isinstance(item, dict) for item in report):
        raise ToolError(f"ruff printed JSON that is not a list of findings: {one_line(out)}")
    return report


def _lint_finding(item: dict[str, Any]) -> LintFinding:
    try:
        location = item.get("location") or {}
        code = item.get("code") or "invalid-syntax"
        return LintFinding(str(code), int(location.get("row") or 1), str(item.get("message", "")))
    except (AttributeError, TypeError, ValueError):
        raise ToolError(f"ruff printed a finding of an unknown shape: {item!r:.200}") from None
