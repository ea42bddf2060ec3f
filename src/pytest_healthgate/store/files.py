"""Atomic writes, and the one check of the ``.healthgate/`` state folder.

Every write into ``.healthgate/`` (the last-run record, its source digests, the
analysis cache) goes through ``state_dir`` or ``cache_dir``. Both refuse a
``.healthgate`` or ``.healthgate/cache`` that is a symlink (a write or a cache
cleanup would then land outside the project) or that is not a folder, with a
``StateFolderError`` naming the path and the fix.

An atomic write goes through a temporary file beside its target, named
``.NAME.PID-RANDOM.tmp`` after the process writing it. A process killed between
creating it and the rename (SIGKILL) cannot remove it; ``state_dir`` and
``cache_dir`` remove those whose process is gone, never a live process's.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from pytest_healthgate.store.scratch import alive

STATE_DIR = ".healthgate"
CACHE_DIR = "cache"
# Only the baseline is meant for review; everything else in .healthgate/ is local state.
GITIGNORE = "# written by pytest-healthgate\n*\n!.gitignore\n!baseline.toml\n"


class StateFolderError(OSError):
    """``.healthgate`` or its cache folder is a symlink or not a folder; says what to do."""


def _mode_for(path: Path) -> int:
    """The mode the file keeps (an existing file's), or what the umask gives a new one."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return 0o666 & ~_umask()


def _umask() -> int:
    # Read, not set-and-restore: os.umask(0) would briefly change it for every thread.
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    return 0o022


# .NAME.PID-RANDOM.tmp, as write_atomic names its temporary files (mkstemp's
# random part has neither dots nor dashes).
TEMPORARY = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)-[^.\-/]+\.tmp$")


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder and a rename.

    The file gets the mode it had (pyproject.toml stays as readable as it was),
    or the umask's for a new file - not mkstemp's private 0600.
    """
    _replace_atomically(path, lambda stream: stream.write(bytes(text, "utf-8")))


def copy_atomic(source: Path, path: Path) -> None:
    """Copy the file ``source`` to ``path`` as ``write_atomic`` writes: whole or not at all.

    The copy gets the permission bits of ``source`` (a temporary file is private).
    """

    def copy(stream: BinaryIO) -> None:
        with source.open("rb") as original:
            shutil.copyfileobj(original, stream)
        os.fchmod(stream.fileno(), stat.S_IMODE(source.stat().st_mode))

    _replace_atomically(path, copy)


def _replace_atomically(path: Path, fill: Callable[[BinaryIO], object]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.{os.getpid()}-", suffix=".tmp"
    )
    try:
        os.fchmod(handle, _mode_for(path))
        with os.fdopen(handle, "wb") as stream:
            fill(stream)
            stream.flush()
            os.fsync(stream.fileno())
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def sweep_temporaries(folder: Path, name: str | None = None) -> list[Path]:
    """Remove the temporary files of ``write_atomic`` in ``folder`` whose process is gone.

    ``name``: only those for that target. Another process's file is left alone while it
    runs: it may be about to rename it into place.
    """
    removed: list[Path] = []
    try:
        with os.scandir(folder) as entries:
            candidates = [
                (entry, match)
                for entry in entries
                if (match := TEMPORARY.match(entry.name)) is not None
                and (name is None or match["name"] == name)
                and entry.is_file(follow_symlinks=False)
            ]
    except OSError:
        return removed
    for entry, match in candidates:
        if not alive(int(match["pid"])):
            Path(entry.path).unlink(missing_ok=True)
            removed.append(Path(entry.path))
    return removed


def _check_folder(folder: Path, root: Path) -> bool:
    """True when ``folder`` is a real folder, False when it does not exist; else refuse it."""
    try:
        mode = folder.lstat().st_mode
    except FileNotFoundError:
        return False
    shown = folder.relative_to(root).as_posix() if folder.is_relative_to(root) else str(folder)
    if stat.S_ISLNK(mode):
        raise StateFolderError(
            f"{folder} is a symlink: healthgate keeps its state only in a real folder, so "
            f"that nothing is written outside the project; remove the link (rm {shown}) "
            f"and run again"
        )
    if not stat.S_ISDIR(mode):
        raise StateFolderError(
            f"{folder} is not a folder: healthgate keeps its state there; move it away "
            f"or remove it (rm {shown}) and run again"
        )
    return True


def check_state(root: Path) -> None:
    """Raise StateFolderError unless ``.healthgate`` and its cache are absent or real folders."""
    folder = root / STATE_DIR
    if _check_folder(folder, root):
        _check_folder(folder / CACHE_DIR, root)


def state_dir(root: Path) -> Path:
    """The project's .healthgate/ folder, created with a .gitignore on first use."""
    folder = root / STATE_DIR
    if _check_folder(folder, root):
        sweep_temporaries(folder)
    ignore = folder / ".gitignore"
    if not ignore.exists():
        write_atomic(ignore, GITIGNORE)
    return folder


def cache_dir(root: Path) -> Path:
    """``.healthgate/cache/``, checked and created; StateFolderError when it is refused."""
    folder = state_dir(root) / CACHE_DIR
    if _check_folder(folder, root):
        sweep_temporaries(folder)
    folder.mkdir(exist_ok=True)
    return folder
