"""Files and folders this process may not read, for the permission scenarios.

``make_unreadable`` uses a real ``chmod 0`` when it can. Root ignores file modes,
so when the suite runs as root (CI containers, this project's sandbox) a real
unreadable folder or file cannot be made; there the calls that fail on one are
made to fail with EACCES, as they do for a folder of another user with mode 0700:
listing the folder, ``stat`` of anything inside it, and reading a file inside it
(or the file itself). Subprocesses are not affected by that emulation.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def make_unreadable(
    path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    """Make ``path`` (a folder or a file) unreadable to this process until the test ends."""
    if not AS_ROOT:
        mode = path.stat().st_mode
        path.chmod(0)
        request.addfinalizer(lambda: path.chmod(mode))
        return
    _emulate(Path(os.path.realpath(path)), path.is_dir(), monkeypatch)


def _emulate(target: Path, is_folder: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = str(target)

    def where(name: Any) -> str | None:
        if isinstance(name, int):
            return None  # a file descriptor: already open
        try:
            return os.path.normpath(Path(os.fsdecode(name)).absolute())
        except TypeError:
            return None

    def inside(name: Any) -> bool:
        text = where(name)
        return text is not None and text.startswith(folder + os.sep)

    def itself(name: Any) -> bool:
        return where(name) == folder

    def refuse(name: Any) -> OSError:
        return PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fsdecode(name))

    def guard(original: Callable[..., Any], denied: Callable[[Any], bool]) -> Callable[..., Any]:
        def guarded(*args: Any, **kwargs: Any) -> Any:
            name = args[0] if args else kwargs.get("path", ".")
            if denied(name):
                raise refuse(name)
            return original(*args, **kwargs)

        return guarded

    if is_folder:
        for name in ("scandir", "listdir"):
            original = getattr(os, name)
            monkeypatch.setattr(os, name, guard(original, lambda n: itself(n) or inside(n)))
        for name in ("stat", "lstat"):
            monkeypatch.setattr(os, name, guard(getattr(os, name), inside))
        readable = inside
    else:
        readable = itself
    for name in ("read_bytes", "read_text"):
        monkeypatch.setattr(Path, name, guard(getattr(Path, name), readable))
