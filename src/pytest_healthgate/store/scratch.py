"""Temporary folders of a run, named by the process that made them.

A run killed with SIGKILL cannot remove its temporary folders. Each folder's
name carries its creator's pid, so the next run of the same kind removes the
folders whose creator is gone; folders of live processes are never touched.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else
        return True
    return True


def sweep(kind: str, folder: Path | None = None) -> list[Path]:
    """Remove ``healthgate-KIND-PID-*`` folders whose process no longer runs."""
    base = folder or Path(tempfile.gettempdir())
    pattern = re.compile(rf"^healthgate-{re.escape(kind)}-(\d+)-")
    removed: list[Path] = []
    try:
        entries = list(base.iterdir())
    except OSError:
        return removed
    for entry in entries:
        match = pattern.match(entry.name)
        if match and not _alive(int(match.group(1))) and not entry.is_symlink() and entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
    return removed


def make(kind: str) -> Path:
    """A new temporary folder for ``kind`` ("static", "imports", "head"), after a sweep."""
    sweep(kind)
    return Path(tempfile.mkdtemp(prefix=f"healthgate-{kind}-{os.getpid()}-"))


@contextlib.contextmanager
def folder(kind: str) -> Iterator[Path]:
    """``make(kind)`` removed again when the block ends."""
    path = make(kind)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
