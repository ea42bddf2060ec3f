"""A run killed at any moment, or interrupted, leaves every state file whole.

`pytest --healthgate` writes the coverage data file, the last-run record and
its source digests, and (through the static analysis, a child process) the
analysis cache. Each run below is killed with SIGKILL, with its children, at
one of 20 moments spread over a run's duration (seeded, so a failure can be
replayed; half of them in the last 30 % of a run, where state is written). A
source file changes before each, so every kill interrupts a run that has new
state to write. After each kill every state file is the old complete version
or a new complete one, the last-run hook never pairs a record with digests of
another run, and the next run succeeds, reuses or rebuilds the cache, and
sweeps whatever the killed run left in its temporary folders.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import coverage
import pytest

from pytest_healthgate.precommit import healthgate_last_run
from pytest_healthgate.store.cache import DATABASE
from tests.state_helpers import (
    environment,
    finish,
    gate,
    leftovers,
    pytest_command,
    start,
    write_files,
)

SEED = 20261123
KILLS = 20
PROJECT = {
    "pyproject.toml": """
        [tool.pytest.ini_options]
        pythonpath = ["src"]
        testpaths = ["tests"]

        [tool.healthgate]
        source = ["src/calc"]

        [tool.healthgate.gates]
        coverage = { fail = 10 }
        pass_rate = { fail = 100 }
        debt = { fail = "100h" }
        critical = { fail = 0 }
        """,
    "src/calc/__init__.py": """
        def add(a, b):
            return a + b
        """,
    "tests/test_calc.py": """
        from calc import add
        from calc.generated import value


        def test_add():
            assert add(1, 2) == 3


        def test_generated():
            assert value() >= 0
        """,
}
STATE = ".healthgate"
HISTORY = "history.sqlite"
DATA_FILE = ".coverage"


def generate(root: Path, number: int) -> None:
    """A source that differs in every round: the run has a new cache entry and record to write."""
    (root / "src" / "calc" / "generated.py").write_text(
        f"# TODO round {number}\n\ndef value():\n    return {number}\n"
    )


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file of the state folder, and the coverage data file, by relative path."""
    files = [path for path in (root / STATE).rglob("*") if path.is_file()]
    files += [path for path in [root / DATA_FILE] if path.is_file()]
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in files}


def complete_run(root: Path, env: dict[str, str], report: Path) -> float:
    """A run that is not interrupted: it succeeds and finds no damaged cache; its duration."""
    began = time.monotonic()
    status, output = finish(start(pytest_command(report), root, env))
    took = time.monotonic() - began
    assert status == 0, output
    assert "Traceback" not in output, output
    for name in ("coverage", "pass_rate", "debt", "critical"):
        assert gate(report, name)["verdict"] == "PASS", output
    cache: dict[str, dict[str, Any]] = gate(report, "debt")["extra"]["cache"]
    for stats in cache.values():  # reused (hits) or rebuilt (misses), never damaged
        assert "problem" not in stats, stats
        assert "discarded" not in stats, stats
    return took


def killed_run(root: Path, env: dict[str, str], report: Path, delay: float) -> float | None:
    """Start a run and kill it and its children with SIGKILL after ``delay`` seconds.

    None when it was killed, else how long it took: it finished first.
    """
    began = time.monotonic()
    process = start(pytest_command(report), root, env, session=True)

    def kill() -> None:
        with contextlib.suppress(ProcessLookupError):  # it finished first
            os.killpg(process.pid, signal.SIGKILL)

    timer = threading.Timer(delay, kill)
    timer.start()
    try:
        finish(process)
    finally:
        timer.cancel()
    return None if process.returncode == -signal.SIGKILL else time.monotonic() - began


def check_whole(before: dict[str, bytes], after: dict[str, bytes], folder: Path) -> None:
    """Each state file is its old version or a complete new one; none went missing."""
    for name in before:
        # SQLite removes a database's -wal and -shm files when its last user closes it.
        transient = name.endswith((".tmp", "-wal", "-shm"))
        assert name in after or transient, f"{name} disappeared"
    for name, data in after.items():
        if name.endswith(".tmp") or data == before.get(name):
            continue  # a killed writer's temporary file (swept later), or the old version
        if name.startswith(f"{STATE}/cache/"):
            check_database(name, after, folder)
            continue
        if name.startswith(f"{STATE}/{HISTORY}"):
            check_history(after, folder)  # a database, with its write-ahead log
            continue
        if name == DATA_FILE:
            copy = folder / "data"
            copy.write_bytes(data)
            measured = coverage.CoverageData(basename=str(copy))
            measured.read()
            assert measured.measured_files(), f"{name} holds no data"
            continue
        document = json.loads(data)  # a torn file would not parse
        assert isinstance(document, dict), name
        if name == f"{STATE}/last-run.json":
            assert len(document["run"]["run_id"]) == 32, name
            assert document["metrics"], name
        elif name == f"{STATE}/last-run.sources.json":
            assert isinstance(document["files"], dict), name
            assert len(document["run_id"]) == 32, name


def check_database(name: str, state: dict[str, bytes], folder: Path) -> None:
    """The analysis cache, with its write-ahead log as the kill left it, is consistent."""
    if not name.endswith(DATABASE):
        return  # the log and the shared-memory index: checked with the database
    copy = folder / "cache" / DATABASE
    copy.parent.mkdir(exist_ok=True)
    for side in ("", "-wal"):
        Path(f"{copy}{side}").unlink(missing_ok=True)
        if f"{name}{side}" in state:
            Path(f"{copy}{side}").write_bytes(state[f"{name}{side}"])
    with contextlib.closing(sqlite3.connect(copy)) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",), name
        assert connection.execute("SELECT count(*) FROM entries").fetchone()[0] > 0, name


def check_history(state: dict[str, bytes], folder: Path) -> None:
    """The run history, read as SQLite reads it (the database with its log), is whole."""
    copy = folder / "history"
    copy.mkdir(exist_ok=True)
    for suffix in ("", "-wal"):
        data = state.get(f"{STATE}/{HISTORY}{suffix}")
        (copy / f"{HISTORY}{suffix}").unlink(missing_ok=True)
        if data is not None:
            (copy / f"{HISTORY}{suffix}").write_bytes(data)
    db = sqlite3.connect(copy / HISTORY)
    try:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        runs = db.execute("SELECT count(*) FROM runs").fetchone()[0]
        assert runs >= 1
    finally:
        db.close()


def run_id(state: dict[str, bytes], name: str) -> str:
    document = json.loads(state[f"{STATE}/{name}"])
    found = document["run"]["run_id"] if name == "last-run.json" else document["run_id"]
    return str(found)


def check_last_run_hook(
    before: dict[str, bytes],
    after: dict[str, bytes],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    root: Path,
) -> None:
    """The hook takes the record only with the digests of its own run, and only if current."""
    old, record = run_id(before, "last-run.json"), run_id(after, "last-run.json")
    digests = run_id(after, "last-run.sources.json")
    # Digests are written first, the record last: a new record never has old digests.
    assert record in (old, digests)
    monkeypatch.chdir(root)
    capsys.readouterr()
    status = healthgate_last_run.main([])
    output = capsys.readouterr().out
    if record != digests:  # killed between the two writes
        assert status == 1
        assert "does not say which sources it measured" in output
    elif record == old:  # the old pair; the generated source changed since
        assert status == 1
        assert "older than the sources: src/calc/generated.py changed since" in output
    else:  # the killed run had finished writing
        assert status == 0, output


def test_state_files_survive_kill_9_at_any_moment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_files(tmp_path / "project", PROJECT)
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    env = environment(temporary)
    report = tmp_path / "report.json"
    generate(root, 0)
    complete_run(root, env, report)  # cold: every file analysed
    generate(root, KILLS + 1)
    duration = complete_run(root, env, report)  # as each round's run: one file changed
    rng = random.Random(SEED)
    # Moments as fractions of a run: half spread over the whole run, one in each
    # tenth; the other half over its last 30 %, where the analysis, the coverage
    # data and the record are written (each write takes milliseconds).
    half = KILLS // 2
    moments = [(slot + rng.random()) / half for slot in range(half)]
    moments += [0.7 + 0.3 * (slot + rng.random()) / half for slot in range(half)]
    killed = 0
    for number, moment in enumerate(moments, start=1):
        before = snapshot(root)
        generate(root, number)
        took = killed_run(root, env, report, moment * duration)
        if took is None:
            killed += 1
        else:  # it finished first: runs got faster (less load), and so do the moments
            duration = min(duration, took)
        after = snapshot(root)
        check_whole(before, after, tmp_path)
        check_last_run_hook(before, after, monkeypatch, capsys, root)
        complete_run(root, env, report)
        assert leftovers(root, temporary) == [], f"round {number}, at {moment:.2f} of a run"
    assert killed >= KILLS // 2  # most moments fell inside a run


BLOCKING_TEST = """
    import os
    import time
    from pathlib import Path


    def test_waits_to_be_interrupted():
        Path(os.environ["STARTED"]).touch()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            time.sleep(0.01)
        raise AssertionError("never interrupted")
    """


def test_an_interrupted_run_leaves_no_temporary_file(tmp_path: Path, xdist_args: list[str]) -> None:
    project = dict(PROJECT, **{"tests/test_wait.py": BLOCKING_TEST})
    # Subprocess measurement: each process of the run has a coverage folder of its own.
    project["pyproject.toml"] += '\n[tool.coverage.run]\npatch = ["subprocess"]\n'
    root = write_files(tmp_path / "project", project)
    generate(root, 0)
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    started = tmp_path / "started"
    env = environment(temporary, STARTED=str(started))
    process = start(pytest_command(tmp_path / "report.json", *xdist_args), root, env, session=True)
    deadline = time.monotonic() + 60
    while not started.exists():  # the rendezvous: a test is running
        assert process.poll() is None, finish(process)[1]
        assert time.monotonic() < deadline
        time.sleep(0.01)
    os.killpg(process.pid, signal.SIGINT)  # Ctrl-C: the whole process group
    status, output = finish(process)
    assert status == pytest.ExitCode.INTERRUPTED, output
    assert "KeyboardInterrupt" in output
    assert leftovers(root, temporary) == []
