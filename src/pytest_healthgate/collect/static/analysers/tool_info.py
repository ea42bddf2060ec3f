"""What the analysers ask about installed tools: versions and configuration files."""

from __future__ import annotations

import functools
import os
import re
import sys
from collections.abc import Iterable
from pathlib import Path

from pytest_healthgate.collect.static.analysers.protocol import ToolError
from pytest_healthgate.launcher import ChildError, ChildStartError, TimeLimit, one_line, run
from pytest_healthgate.store.cache import file_digest
from pytest_healthgate.store.files import cache_dir

DIST_INFO = ".dist-info"


def package_version(name: str) -> str | None:
    """The installed distribution's version, or None when it is not installed.

    The name of a wheel's ``NAME-VERSION.dist-info`` folder carries the version
    (the wheel format requires it), so that folder, looked for on ``sys.path`` in
    the order the import system searches it, answers first; anything else (an
    egg, an unusual layout) asks ``importlib.metadata``, whose import alone costs
    a commit hook about 10 ms. ``tests/test_tool_info.py`` checks both agree for
    every installed distribution.
    """
    found = _dist_info_version(name)
    if found is not None:
        return found
    import importlib.metadata

    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def _normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def _dist_info_version(name: str) -> str | None:
    wanted = _normalized(name)
    for entry in sys.path:
        for listed in _listing(entry or "."):
            if not listed.endswith(DIST_INFO):
                continue
            distribution, _, version = listed[: -len(DIST_INFO)].partition("-")
            if version and _normalized(distribution) == wanted:
                return version
            # Another spelling of this distribution, or an odd folder name: the library.
    return None


@functools.cache
def _listing(folder: str) -> tuple[str, ...]:
    try:
        with os.scandir(folder) as entries:  # names only: no stat of each entry
            return tuple(entry.name for entry in entries)
    except OSError:  # a zip file, a folder that is gone
        return ()


def version_of(command: list[str], limit: TimeLimit) -> str:
    """What ``command`` (a ``--version`` call) prints; ToolError when it fails."""
    try:
        finished = run(command, label=" ".join(command), limit=limit)
    except ChildStartError as exc:
        raise ToolError(f"{command[0]} cannot be run: {exc.reason}") from None
    except ChildError as exc:
        raise ToolError(str(exc)) from None
    if finished.status != 0:
        raise ToolError(f"{' '.join(command)} failed: {one_line(finished.stderr)}")
    return finished.stdout.strip()


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


def config_digests(paths: Iterable[Path], root: Path) -> list[tuple[str, str]]:
    """Each configuration file with its content digest, for a cache key.

    A file in the project is named relative to ``root``: the version before a
    change, analysed in a temporary folder with copies of the configuration,
    then has the cache key of the project itself.
    """
    return [(_relative(path, root), file_digest(path) or "unreadable") for path in paths]


def _relative(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)


def tool_cache_dir(root: Path, name: str, use_cache: bool) -> str:
    """A tool's own cache folder, ``.healthgate/cache/NAME``, or the null device.

    The null device (no cache) without healthgate's cache, with a state folder
    that is refused or cannot be written, and where the folder is a symlink (the
    tool would write where it leads) or not a folder.
    """
    if use_cache:
        try:
            folder = cache_dir(root) / name
        except OSError:  # a read-only checkout, or a refused state folder
            return os.devnull
        if not folder.is_symlink() and (folder.is_dir() or not folder.exists()):
            return str(folder)
    return os.devnull
