"""Child processes with a time limit and their output in temporary files.

Every subprocess healthgate starts goes through here: the static analysis beside
the test session, ruff and mypy, the ``--version`` probes, and the interpreters
that time imports. Output goes to anonymous temporary files, never pipes, so a
child that prints a lot cannot block on a full pipe nobody reads. A child past
its time limit is killed, and the error says what was killed, after how long and
which setting gives it more time.
"""

from __future__ import annotations

import subprocess
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from pytest_healthgate import clock, priority
from pytest_healthgate.units import Unit, format_value

TAIL_LIMIT = 600  # characters of a child's output kept in a one-line message

# How often a waiting run looks whether its child has exited (adds at most this).
POLL = 0.01


class ChildError(Exception):
    """A child could not start or did not finish; the message is a whole sentence."""


class ChildStartError(ChildError):
    """The operating system refused to start the child (``reason`` says why)."""

    def __init__(self, label: str, reason: str) -> None:
        super().__init__(f"{label} could not start: {reason}")
        self.reason = reason


class ChildTimeoutError(ChildError):
    """The child ran past its time limit and was killed."""


@dataclass(frozen=True)
class TimeLimit:
    """How long a child may run, and the setting that raises the limit."""

    seconds: float
    setting: str  # e.g. "[tool.healthgate.debt] timeout"


@dataclass(frozen=True)
class Finished:
    """A child that exited: its status and its output, decoded leniently."""

    status: int
    stdout: str
    stderr: str


def one_line(text: str, *, last_lines: int | None = None, limit: int = TAIL_LIMIT) -> str:
    """The end of a child's output as one line for a table cell (errors are at the end).

    Blank lines are dropped and the rest joined with `` | ``; ``last_lines`` keeps
    only that many lines, and past ``limit`` characters only the end is kept.
    """
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if last_lines is not None:
        lines = lines[-last_lines:]
    joined = " | ".join(lines)
    return joined if len(joined) <= limit else "..." + joined[-limit:]


class Child:
    """One running child process; ``close()`` kills it if needed and drops its files."""

    def __init__(
        self,
        process: subprocess.Popen[bytes],
        output: tuple[IO[bytes], IO[bytes]],
        label: str,
        limit: TimeLimit | None,
        killed: str,
    ) -> None:
        self.process = process
        self._stdout, self._stderr = output
        self.label = label
        self.limit = limit
        self.killed = killed
        self.started = clock.monotonic()

    @property
    def pid(self) -> int:
        return self.process.pid

    def poll(self) -> int | None:
        return self.process.poll()

    def wait(self) -> Finished:
        """Wait until the child exits; past the time limit kill it and raise ChildTimeoutError."""
        # Polled against our own clock: Popen.wait(timeout) reads time.monotonic,
        # which a test that freezes the time would stop (see clock.py).
        status = self.process.poll()
        while status is None:
            remaining = self._remaining()
            if remaining is not None and remaining <= 0:
                self.kill()
                raise ChildTimeoutError(self._timeout_message())
            time.sleep(POLL if remaining is None else min(POLL, remaining))
            status = self.process.poll()
        return Finished(status, _read(self._stdout), _read(self._stderr))

    def _remaining(self) -> float | None:
        if self.limit is None:
            return None
        return max(0.0, self.limit.seconds - (clock.monotonic() - self.started))

    def _timeout_message(self) -> str:
        assert self.limit is not None  # only a limited child times out
        return (
            f"{self.label} did not finish within "
            f"{format_value(self.limit.seconds, Unit.DURATION)}; {self.killed} was killed "
            f"(raise {self.limit.setting} if this is expected)"
        )

    def kill(self) -> None:
        """Kill the child if it still runs, and reap it (safe from another thread)."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def close(self) -> None:
        self.kill()
        self._stdout.close()
        self._stderr.close()


def _read(stream: IO[bytes]) -> str:
    stream.seek(0)
    return stream.read().decode("utf-8", "replace")


# Variables that would make a child of healthgate measure something else than its
# own work: the project's coverage of subprocesses, import profiling, tracemalloc.
MEASURING_VARIABLES = (
    "COVERAGE_PROCESS_START",
    "COVERAGE_PROCESS_CONFIG",  # coverage.py's `patch = ["subprocess"]`
    "PYTHONPROFILEIMPORTTIME",
    "PYTHONTRACEMALLOC",
)
MEASURING_PREFIXES = ("COV_CORE_",)  # pytest-cov's subprocess coverage


def child_environment(environ: Mapping[str, str]) -> dict[str, str]:
    """``environ`` without what would measure the child: healthgate's own processes (the
    import probes, the static analysis) are neither the project's code nor its tests."""
    return {
        key: value
        for key, value in environ.items()
        if key not in MEASURING_VARIABLES and not key.startswith(MEASURING_PREFIXES)
    }


def launch(
    command: Sequence[str],
    *,
    label: str,
    limit: TimeLimit | None,
    cwd: Path | str | None = None,
    env: Mapping[str, str] | None = None,
    killed: str = "the child process",
    nice: int = 0,
) -> Child:
    """Start ``command`` without waiting; raise ChildStartError when it cannot start.

    ``label`` names the work in messages ("ruff check", "importing pkg");
    ``killed`` names what a timeout kills ("the child interpreter"); ``nice`` is
    added to the child's nice value (see ``priority.py``).
    """
    stdout = tempfile.TemporaryFile()  # noqa: SIM115 - closed by Child.close
    stderr = tempfile.TemporaryFile()  # noqa: SIM115
    try:
        process = subprocess.Popen(
            list(command),
            cwd=cwd,
            env=None if env is None else dict(env),
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=stderr,
        )
    except OSError as exc:
        stdout.close()
        stderr.close()
        raise ChildStartError(label, str(exc)) from None
    # Set from here rather than in the child (preexec_fn is unsafe beside threads):
    # the child's first instants run unchanged, its own children inherit the value.
    priority.lower(process.pid, nice)
    return Child(process, (stdout, stderr), label, limit, killed)


def run(
    command: Sequence[str],
    *,
    label: str,
    limit: TimeLimit | None,
    cwd: Path | str | None = None,
    env: Mapping[str, str] | None = None,
) -> Finished:
    """Start ``command`` and wait for it; raise ChildStartError or ChildTimeoutError."""
    child = launch(command, label=label, limit=limit, cwd=cwd, env=env)
    try:
        return child.wait()
    finally:
        child.close()
