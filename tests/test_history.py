"""The run history in .healthgate/history.sqlite: real SQLite, real concurrent writers."""

from __future__ import annotations

import multiprocessing
import sqlite3
from pathlib import Path

import pytest

from pytest_healthgate.store import history
from pytest_healthgate.store.history import HistoryError, MetricRow, RunRow


def row(number: int, score: float | None = 80.0) -> RunRow:
    return RunRow(
        run_id=f"run-{number}",
        time=f"2026-11-23T10:{number % 60:02d}:00+00:00",
        verdict="PASS",
        commit="a" * 40,
        branch="main",
        dirty=number % 2 == 1,
        partial=False,
        surface="pytest",
        score=score,
        formula=1,
        metrics={
            "coverage": MetricRow("coverage", 90.0 + number / 10, "PASS", 85.0, 1.0),
            "debt": MetricRow("debt", None, "ERROR"),
        },
    )


def test_a_run_is_read_back_as_it_was_written(tmp_path: Path) -> None:
    assert history.append(tmp_path, row(1)) == []
    runs, notes = history.read(tmp_path)
    assert notes == []
    assert runs == [row(1)]
    assert (tmp_path / ".healthgate" / ".gitignore").is_file()  # local state, not committed


def test_the_last_n_runs_oldest_first(tmp_path: Path) -> None:
    for number in range(5):
        history.append(tmp_path, row(number))
    runs, _ = history.read(tmp_path, last=3)
    assert [run.run_id for run in runs] == ["run-2", "run-3", "run-4"]


def test_no_history_reads_as_none_and_creates_nothing(tmp_path: Path) -> None:
    assert history.read(tmp_path) == ([], [])
    assert not (tmp_path / ".healthgate").exists()


def test_the_file_is_in_wal_mode_with_the_current_schema(tmp_path: Path) -> None:
    history.append(tmp_path, row(1))
    db = sqlite3.connect(history.history_path(tmp_path))
    assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert db.execute("PRAGMA user_version").fetchone() == (history.SCHEMA,)
    db.close()


def test_a_file_from_a_newer_healthgate_is_refused_not_rewritten(tmp_path: Path) -> None:
    history.append(tmp_path, row(1))
    path = history.history_path(tmp_path)
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {history.SCHEMA + 1}")
    db.commit()
    db.close()
    with pytest.raises(HistoryError, match=r"newer pytest-healthgate.*upgrade"):
        history.append(tmp_path, row(2))
    db = sqlite3.connect(path)
    assert db.execute("SELECT count(*) FROM runs").fetchone() == (1,)
    db.close()


@pytest.mark.parametrize(
    "damage",
    [b"", b"not a database at all\n" * 100, b"SQLite format 3\x00" + b"\xff" * 4000],
)
def test_a_corrupt_file_is_moved_aside_with_a_message(tmp_path: Path, damage: bytes) -> None:
    history.append(tmp_path, row(1))
    path = history.history_path(tmp_path)
    for companion in (Path(f"{path}-wal"), Path(f"{path}-shm")):
        companion.unlink(missing_ok=True)
    path.write_bytes(damage)
    notes = history.append(tmp_path, row(2))
    if damage:  # an empty file is a valid, empty database: nothing to move aside
        assert len(notes) == 1
        assert (
            "was not a usable history database; moved it to history.sqlite.corrupt-" in (notes[0])
        )
        moved = list(path.parent.glob("history.sqlite.corrupt-*"))
        assert [p.read_bytes() for p in moved if not p.name.endswith(("-wal", "-shm"))] == [damage]
    runs, _ = history.read(tmp_path)
    assert [run.run_id for run in runs] == ["run-2"]


def _append_many(root: str, first: int) -> None:
    for number in range(first, first + 40):
        history.append(Path(root), row(number))


def test_two_runs_writing_at_once_lose_nothing(tmp_path: Path) -> None:
    history.append(tmp_path, row(999))  # the file exists: both writers open it
    context = multiprocessing.get_context("spawn")
    writers = [context.Process(target=_append_many, args=(str(tmp_path), n)) for n in (0, 100)]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(120)
        assert writer.exitcode == 0
    runs, _ = history.read(tmp_path)
    assert len(runs) == 81
    assert {run.run_id for run in runs} == {f"run-{n}" for n in [*range(40), *range(100, 140), 999]}


def test_per_file_figures_are_kept_with_their_run(tmp_path: Path) -> None:
    files = {
        "coverage": {"src/a.py": (8.0, 10), "src/b.py": (3.0, 3)},
        "debt": {"src/a.py": (600.0, 2)},
        "critical": {},  # measured, with no finding: kept as such
    }
    history.append(tmp_path, RunRow(**{**row(1).__dict__, "files": files}))
    history.append(tmp_path, row(2))
    assert history.files_of(tmp_path, "run-1") == files
    assert history.files_of(tmp_path, "run-2") == {}
    assert history.files_of(tmp_path, "no-such-run") == {}
    runs, _ = history.read(tmp_path)
    assert [run.files for run in runs] == [{}, {}]  # read back only when asked for


def test_a_version_1_history_is_migrated_and_keeps_its_runs(tmp_path: Path) -> None:
    path = tmp_path / ".healthgate" / history.HISTORY_FILE
    path.parent.mkdir()
    db = sqlite3.connect(path)
    history.MIGRATIONS[0](db)  # the schema as version 1 wrote it
    db.execute(
        "INSERT INTO runs (run_id, time, verdict, partial, surface, score, formula)"
        " VALUES ('old', '2026-11-01T00:00:00+00:00', 'PASS', 0, 'pytest', 91.0, 1)"
    )
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()
    files = {"coverage": {"src/a.py": (1.0, 2)}}
    assert history.append(tmp_path, RunRow(**{**row(1).__dict__, "files": files})) == []
    runs, notes = history.read(tmp_path)
    assert notes == []
    assert [(run.run_id, run.score) for run in runs] == [("old", 91.0), ("run-1", 80.0)]
    assert history.files_of(tmp_path, "old") == {}
    assert history.files_of(tmp_path, "run-1") == files
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone() == (history.SCHEMA,) == (2,)
    db.close()
