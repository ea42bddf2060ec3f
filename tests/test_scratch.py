"""Temporary folders left by a killed run are removed by the next one, never a live run's."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from pytest_healthgate.store import scratch


def dead_pid() -> int:
    child = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(child.stdout)


def test_folders_of_dead_processes_are_swept_and_live_ones_kept(tmp_path: Path) -> None:
    dead = tmp_path / f"healthgate-static-{dead_pid()}-abc"
    live = tmp_path / f"healthgate-static-{os.getpid()}-def"
    other_kind = tmp_path / f"healthgate-imports-{dead_pid()}-ghi"
    for folder in (dead, live, other_kind):
        folder.mkdir()
        (folder / "request.json").write_text("{}")
    assert scratch.sweep("static", tmp_path) == [dead]
    assert not dead.exists()
    assert live.exists()
    assert other_kind.exists()


def test_a_scratch_folder_carries_its_pid_and_is_removed_after_use() -> None:
    with scratch.folder("head") as made:
        assert made.name.startswith(f"healthgate-head-{os.getpid()}-")
        assert made.is_dir()
    assert not made.exists()
