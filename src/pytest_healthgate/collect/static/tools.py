"""ruff and mypy, driven through their documented JSON output in subprocesses.

Both start at once and run while the per-file analysis keeps the cores busy;
``collect()`` waits for them. Output goes to temporary files, never pipes, so a
large report cannot block the child.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

RUFF_BATCH = 2000  # files per ruff invocation, well within any command-line limit
RUFF_CONFIG_NAMES = ("pyproject.toml", "ruff.toml", ".ruff.toml")
MYPY_CONFIG_NAMES = ("mypy.ini", ".mypy.ini", "pyproject.toml", "setup.cfg")
MESSAGE_LIMIT = 600


class ToolError(Exception):
    """A tool is missing or failed; the message is shown as the gate's ERROR reason."""


def _tail(text: str) -> str:
    """A tool's output as one line for a table cell, keeping its end (where errors are)."""
    text = " | ".join(line.strip() for line in text.strip().splitlines() if line.strip())
    return text if len(text) <= MESSAGE_LIMIT else "..." + text[-MESSAGE_LIMIT:]


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


def version_of(command: list[str]) -> str:
    try:
        completed = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        raise ToolError(f"{command[0]} cannot be run: {exc}") from None
    if completed.returncode != 0:
        raise ToolError(f"{' '.join(command)} failed: {_tail(completed.stderr)}")
    return completed.stdout.strip()


def config_files(directories: Iterable[Path], names: tuple[str, ...]) -> list[Path]:
    """Config files a tool may read for files in ``directories``: theirs and their parents'."""
    seen: set[Path] = set()
    found: list[Path] = []
    for directory in directories:
        for folder in (directory, *directory.parents):
            if folder in seen:
                break  # its parents were visited from an earlier directory
            seen.add(folder)
            found.extend(folder / name for name in names if (folder / name).is_file())
    return sorted(found)


def user_ruff_configs() -> list[Path]:
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return [base / "ruff" / name for name in RUFF_CONFIG_NAMES if (base / "ruff" / name).is_file()]


def file_digests(paths: Iterable[Path]) -> list[tuple[str, str]]:
    from pytest_healthgate.store.cache import content_digest

    result = []
    for path in paths:
        try:
            result.append((str(path), content_digest(path.read_bytes())))
        except OSError:
            result.append((str(path), "unreadable"))
    return result


@dataclass
class Job:
    """One running subprocess and the files its output goes to."""

    command: list[str]
    process: subprocess.Popen[bytes]
    stdout: IO[bytes]
    stderr: IO[bytes]

    def wait(self) -> tuple[int, str, str]:
        code = self.process.wait()
        outputs = []
        for stream in (self.stdout, self.stderr):
            stream.seek(0)
            outputs.append(stream.read().decode("utf-8", "replace"))
            stream.close()
        return code, outputs[0], outputs[1]

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.stdout.close()
        self.stderr.close()


def launch(command: list[str], cwd: Path) -> Job:
    stdout = tempfile.TemporaryFile()  # noqa: SIM115 - closed by Job.wait
    stderr = tempfile.TemporaryFile()  # noqa: SIM115
    try:
        process = subprocess.Popen(
            command, cwd=cwd, stdout=stdout, stderr=stderr, stdin=subprocess.DEVNULL
        )
    except OSError as exc:
        stdout.close()
        stderr.close()
        raise ToolError(f"{command[0]} cannot be run: {exc}") from None
    return Job(command, process, stdout, stderr)


@dataclass
class RuffRun:
    """ruff check over the files not found in the cache, in batches."""

    root: Path
    binary: str
    keys_by_path: dict[str, str]
    jobs: list[Job] = field(default_factory=list)
    _resolved: dict[str, str] | None = None

    def start(self) -> RuffRun:
        paths = list(self.keys_by_path)
        for start in range(0, len(paths), RUFF_BATCH):
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
                *paths[start : start + RUFF_BATCH],
            ]
            self.jobs.append(launch(command, self.root))
        return self

    def collect(self) -> dict[str, list[list[Any]]]:
        """Findings by file key: [code, line, message]; every key present, even if clean."""
        found: dict[str, list[list[Any]]] = {key: [] for key in self.keys_by_path.values()}
        problems = []
        for job in self.jobs:
            try:
                report = self._report(*job.wait())
            except ToolError as exc:
                problems.append(str(exc))
                continue
            for item in report:
                key = self._key(str(item.get("filename", "")))
                if key is not None:
                    location = item.get("location") or {}
                    code = item.get("code") or "invalid-syntax"
                    row = int(location.get("row") or 1)
                    found[key].append([code, row, str(item.get("message", ""))])
        if problems:
            raise ToolError("; ".join(problems))
        return found

    @staticmethod
    def _report(code: int, out: str, err: str) -> list[dict[str, Any]]:
        if code != 0:
            raise ToolError(f"ruff exited with status {code}: {_tail(err or out)}")
        try:
            report = json.loads(out or "[]")
        except ValueError as exc:
            raise ToolError(f"ruff printed output that is not JSON ({exc}): {_tail(out)}") from None
        if not isinstance(report, list):
            raise ToolError(f"ruff printed JSON that is not a list of findings: {_tail(out)}")
        return report

    def _key(self, filename: str) -> str | None:
        if filename in self.keys_by_path:
            return self.keys_by_path[filename]
        if self._resolved is None:  # ruff named a path differently: compare real paths
            self._resolved = {
                os.path.realpath(path): key for path, key in self.keys_by_path.items()
            }
        return self._resolved.get(os.path.realpath(filename))

    def kill(self) -> None:
        for job in self.jobs:
            job.kill()


@dataclass
class MypyRun:
    """mypy over all analysed files at once (it checks a program, not single files)."""

    root: Path
    keys_by_path: dict[str, str]
    job: Job | None = None

    def start(self) -> MypyRun:
        if importlib.util.find_spec("mypy") is None:
            raise ToolError(
                "[tool.healthgate.debt] mypy = true, but mypy is not installed in "
                f"{sys.executable}; pip install mypy"
            )
        command = [sys.executable, "-m", "mypy", "--output", "json", *self.keys_by_path]
        self.job = launch(command, self.root)
        return self

    def collect(self) -> list[list[Any]]:
        """Errors as [key, line, code, message]; notes are context, not errors."""
        assert self.job is not None, "start() first"
        code, out, err = self.job.wait()
        if code not in (0, 1):
            raise ToolError(f"mypy exited with status {code}: {_tail(err or out)}")
        errors = [self._error(item) for item in _json_lines(out) if item.get("severity") == "error"]
        if code == 1 and not errors:
            raise ToolError(f"mypy failed without reporting errors: {_tail(err or out)}")
        return errors

    def _error(self, item: dict[str, Any]) -> list[Any]:
        return [
            self._key(str(item.get("file", ""))),
            int(item.get("line") or 1),
            str(item.get("code") or "misc"),
            str(item.get("message", "")),
        ]

    def _key(self, filename: str) -> str:
        path = filename if Path(filename).is_absolute() else str(self.root / filename)
        path = os.path.normpath(path)
        return self.keys_by_path.get(path, filename)

    def kill(self) -> None:
        if self.job is not None:
            self.job.kill()


def _json_lines(text: str) -> list[dict[str, Any]]:
    """The JSON objects of a JSON-lines output; other lines are ignored."""
    items = []
    for line in text.splitlines():
        if line.startswith("{"):
            try:
                item = json.loads(line)
            except ValueError:
                continue
            if isinstance(item, dict):
                items.append(item)
    return items
