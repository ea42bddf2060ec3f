"""Temporary folders of a run, named by the process that made them.

A run killed with SIGKILL cannot remove its temporary folders. Each folder's
name carries the pid of the process that removes it (its creator, unless told
otherwise), so the next run of the same kind removes the folders whose process
is gone; folders of live processes are never touched.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path


def alive(pid: int) -> bool:
    """True while process ``pid`` runs (whoever owns it); an exited one not yet reaped is gone."""
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):  # gone, or a number no pid can be
        return False
    except OSError:  # exists, owned by someone else
        pass
    return not _exited(pid)


def _exited(pid: int) -> bool:
    """True for a zombie: a process killed with its parent stays one where nothing reaps it.

    Linux says so in /proc; elsewhere a process that exists counts as running.
    """
    try:
        status = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return False
    # "pid (command) state ...": the command may hold spaces and parentheses itself.
    fields = status.rpartition(")")[2].split()
    return bool(fields) and fields[0] in ("Z", "X")


def sweep(kind: str, folder: Path | None = None, *, owner: int | None = None) -> list[Path]:
    """Remove ``healthgate-KIND-PID-*`` folders whose process no longer runs.

    ``owner``: remove instead the folders named after that process, which must be
    this one or one that is done with them.
    """
    base = folder or Path(tempfile.gettempdir())
    pattern = re.compile(rf"^healthgate-{re.escape(kind)}-(\d+)-")
    removed: list[Path] = []
    try:
        entries = list(base.iterdir())
    except OSError:
        return removed
    for entry in entries:
        match = pattern.match(entry.name)
        if match is None or entry.is_symlink() or not entry.is_dir():
            continue
        pid = int(match.group(1))
        done_with = pid == owner if owner is not None else not alive(pid)
        if done_with:
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
    return removed


def make(kind: str, owner: int | None = None) -> Path:
    """A new temporary folder for ``kind`` ("static", "imports", "head"), after a sweep.

    ``owner``: the pid of the process that removes it, when not this one (an xdist
    worker's coverage folder is combined and removed by the controller, after the
    worker has exited); the folder is kept while that process runs.
    """
    sweep(kind)
    pid = os.getpid() if owner is None else owner
    return Path(tempfile.mkdtemp(prefix=f"healthgate-{kind}-{pid}-"))


def made_by(path: Path, kind: str, owner: int) -> bool:
    """True when ``path`` is a folder ``make(kind, owner)`` would have made (in the temp folder)."""
    pattern = re.compile(rf"^healthgate-{re.escape(kind)}-{owner}-")
    return (
        path.parent == Path(tempfile.gettempdir())
        and pattern.match(path.name) is not None
        and not path.is_symlink()
        and path.is_dir()
    )


@contextlib.contextmanager
def folder(kind: str) -> Iterator[Path]:
    """``make(kind)`` removed again when the block ends."""
    path = make(kind)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
