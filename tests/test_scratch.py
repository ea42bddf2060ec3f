"""Temporary folders and files a killed run left are removed by the next run, a live run's never."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from pytest_healthgate.store import scratch
from pytest_healthgate.store.files import (
    STATE_DIR,
    copy_atomic,
    state_dir,
    sweep_temporaries,
    write_atomic,
)


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


def test_a_folder_kept_for_another_process_is_removed_only_by_it() -> None:
    # An xdist worker's coverage folder carries the controller's pid.
    owner = os.getpid()
    made = scratch.make("coverage", owner=owner)
    try:
        assert made.name.startswith(f"healthgate-coverage-{owner}-")
        assert scratch.made_by(made, "coverage", owner)
        assert not scratch.made_by(made, "coverage", dead_pid())
        assert not scratch.made_by(made, "static", owner)
        assert scratch.sweep("coverage") == []  # its owner runs
        assert scratch.sweep("coverage", owner=owner) == [made]
        assert not made.exists()
    finally:
        shutil.rmtree(made, ignore_errors=True)


def test_temporary_files_of_dead_writers_are_swept_from_the_state_folder(tmp_path: Path) -> None:
    state = tmp_path / STATE_DIR
    state.mkdir()
    dead = state / f".last-run.json.{dead_pid()}-k2j4h8.tmp"
    live = state / f".last-run.json.{os.getpid()}-a8d7f1.tmp"
    unnamed = state / ".last-run.json.x7c2kq.tmp"  # not named as write_atomic names them
    other = state / "notes.tmp"
    for path in (dead, live, unnamed, other):
        path.write_text("{")
    assert state_dir(tmp_path) == state
    assert sorted(path.name for path in state.iterdir()) == sorted(
        [".gitignore", live.name, unnamed.name, other.name]
    )


def test_an_atomic_write_leaves_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "folder" / "record.json"
    write_atomic(target, "{}")
    copy_atomic(target, tmp_path / "folder" / "copy.json")
    assert sorted(path.name for path in target.parent.iterdir()) == ["copy.json", "record.json"]
    assert (tmp_path / "folder" / "copy.json").read_text() == "{}"
    target.chmod(0o644)
    copy_atomic(target, tmp_path / "folder" / "copy.json")
    assert (tmp_path / "folder" / "copy.json").stat().st_mode & 0o777 == 0o644
    assert sweep_temporaries(tmp_path / "missing") == []


def test_a_pid_no_process_can_have_is_not_alive() -> None:
    assert scratch.alive(os.getpid())
    assert not scratch.alive(dead_pid())
    assert not scratch.alive(2**70)


def test_a_process_that_exited_but_was_never_reaped_is_not_alive() -> None:
    # A run killed with its children leaves them as zombies where nothing reaps orphans.
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    try:
        os.waitid(os.P_PID, child.pid, os.WEXITED | os.WNOWAIT)  # exited, still unreaped
        assert not scratch.alive(child.pid)
    finally:
        child.wait()
