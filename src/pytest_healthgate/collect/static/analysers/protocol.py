"""What the engine needs from an analyser, and what an analyser hands back.

The engine asks each analyser, in this order: its tools' ``versions()`` (a tool
that cannot run raises ToolError and its gates become ERROR); the
``cache_key_inputs`` besides file contents that change its results (versions,
configuration files, options); the ``units`` it caches, each with the digest of
the content it is computed from. Units the cache does not hold go to ``start``,
which returns a run the engine later ``collect``s (or ``kill``s when the run is
abandoned). ``codec`` turns results into their cached JSON form and back, and
rejects a cached value of another shape.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, Protocol, TypeVar

from pytest_healthgate.store.cache import Codec

Value = TypeVar("Value")
PROGRAM = "program"  # the one unit of a whole-program analyser (mypy): all files together


def failure_text(exc: BaseException) -> str:
    """An exception as one line for an error message; ``sys.exit`` said as such."""
    if isinstance(exc, SystemExit):
        return f"it called sys.exit({exc.code!r})"
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


class ToolError(Exception):
    """A tool is missing or failed; the message is shown as the gate's ERROR reason."""


@dataclass(frozen=True)
class ScopeFiles:
    """The readable files of the scope, by project-relative key, with their digests."""

    root: Path
    paths: dict[str, Path]
    digests: dict[str, str]


@dataclass
class Collected(Generic[Value]):
    """The results of one run, by unit."""

    values: dict[str, Value]
    # (tool, message) for a tool that failed on some units; its gates become ERROR.
    tool_errors: list[tuple[str, str]] = field(default_factory=list)
    # Units computed while a tool failed: not cached, so they are analysed again.
    uncached: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Wider(Generic[Value]):
    """The key inputs of the whole analysis, and how its result is cut to a part's."""

    key_inputs: tuple[object, ...]
    narrow: Callable[[Value], Value]


class AnalyserRun(Protocol[Value]):
    def collect(self) -> Collected[Value]:
        """Wait for the results; raise ToolError when the tool failed as a whole."""
        ...

    def kill(self) -> None:
        """Stop the run and release what it holds; the results are not wanted."""
        ...


class Analyser(Protocol[Value]):
    """One analyser: a tool or a set of tools, cached by content."""

    @property
    def name(self) -> str:
        """Its cache document's name and, when it fails as a whole, its key in errors."""
        ...

    @property
    def codec(self) -> Codec[Value]: ...

    def versions(self) -> dict[str, str | None]:
        """Tool -> version for the report; raise ToolError when the tool cannot run."""
        ...

    def cache_key_inputs(self, files: ScopeFiles) -> tuple[object, ...]:
        """Everything but file contents that changes the results (after ``versions``)."""
        ...

    def wider(self, files: ScopeFiles) -> Wider[Value] | None:
        """For a run of part of the tools: the key inputs of a run of all, and the narrowing.

        A unit this run's key lacks is taken, narrowed to this run's part, from
        the results of the whole analysis when the cache holds them (a hook that
        judges markers alone reads what the last test run found). None: no such key.
        """
        ...

    def units(self, files: ScopeFiles) -> dict[str, str]:
        """What is cached, each with the digest of what it is computed from."""
        ...

    def start(self, files: ScopeFiles, todo: list[str]) -> AnalyserRun[Value]:
        """Begin analysing the units missing from the cache; raise ToolError."""
        ...

    def warm_up(self, files: ScopeFiles, todo: list[str]) -> None:
        """Begin what analysing ``todo`` will need, while the other analysers look up theirs."""
        ...

    def close(self) -> None:
        """Stop what ``warm_up`` began and ``start`` did not take over; called at the end."""
        ...


@dataclass
class Completed(Generic[Value]):
    """A run that did its work in ``start`` (the per-file analysis, in this process)."""

    collected: Collected[Value]

    def collect(self) -> Collected[Value]:
        return self.collected

    def kill(self) -> None:
        """Nothing runs any more."""
