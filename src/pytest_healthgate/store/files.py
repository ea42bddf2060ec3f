"""Atomic writes: a reader never sees half a file, a crash never loses the old one."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

STATE_DIR = ".healthgate"
# Only the baseline is meant for review; everything else in .healthgate/ is local state.
GITIGNORE = "# written by pytest-healthgate\n*\n!.gitignore\n!baseline.toml\n"


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def state_dir(root: Path) -> Path:
    """The project's .healthgate/ folder, created with a .gitignore on first use."""
    folder = root / STATE_DIR
    ignore = folder / ".gitignore"
    if not ignore.exists():
        write_atomic(ignore, GITIGNORE)
    return folder
