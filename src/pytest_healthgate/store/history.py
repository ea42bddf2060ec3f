"""Run history: one row per gated run in ``.healthgate/history.sqlite``.

stdlib sqlite3 in WAL mode, so a reader never blocks a writer; each append is
one ``BEGIN IMMEDIATE`` transaction with a generous busy timeout, so two runs
finishing at once both land, one after the other. The schema is versioned with
``PRAGMA user_version`` and brought forward by ``MIGRATIONS`` (one function per
step), so a newer healthgate reads an older file; a file written by a newer
healthgate than this one is refused with a message rather than rewritten.

A file that is not a usable database (truncated, overwritten, half a disk
block) is moved aside to ``history.sqlite.corrupt-STAMP`` with a message and a
new history starts: history is worth keeping, but never worth a traceback.
The file is local state (``.healthgate/.gitignore`` ignores it).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pytest_healthgate.store.files import state_dir

HISTORY_FILE = "history.sqlite"
BUSY_TIMEOUT = 30.0  # seconds another run may hold the write lock
NO_FILE = ""  # the path of the row that keeps a gate whose run had no file figures


class HistoryError(Exception):
    """The history cannot be used as it is; the message says why and what to do."""


@dataclass(frozen=True)
class MetricRow:
    """One gate's figure in one run."""

    name: str
    value: float | None
    verdict: str
    points: float | None = None  # its health points, when it was scored
    weight: float | None = None


@dataclass(frozen=True)
class RunRow:
    """One gated run as the history keeps it."""

    run_id: str
    time: str  # ISO 8601, UTC
    verdict: str  # PASS or FAIL for the run as a whole
    commit: str | None = None
    branch: str | None = None
    dirty: bool | None = None
    partial: bool = False
    surface: str = ""
    score: float | None = None
    formula: int | None = None
    metrics: dict[str, MetricRow] = field(default_factory=dict)
    # gate -> path -> (figure, count), to name the file that moved a gate
    # (``moves``); written with the run, read back only by ``files_of``.
    files: dict[str, dict[str, tuple[float, int]]] = field(default_factory=dict)


def _create(db: sqlite3.Connection) -> None:
    db.execute(
        """CREATE TABLE runs (
            id INTEGER PRIMARY KEY,
            run_id TEXT NOT NULL UNIQUE,
            time TEXT NOT NULL,
            verdict TEXT NOT NULL,
            git_commit TEXT,
            branch TEXT,
            dirty INTEGER,
            partial INTEGER NOT NULL,
            surface TEXT NOT NULL,
            score REAL,
            formula INTEGER
        )"""
    )
    db.execute(
        """CREATE TABLE metrics (
            run INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            value REAL,
            verdict TEXT NOT NULL,
            points REAL,
            weight REAL,
            PRIMARY KEY (run, name)
        )"""
    )


def _add_files(db: sqlite3.Connection) -> None:
    """Version 2: each run's per-file figures (older runs simply have none)."""
    db.execute(
        """CREATE TABLE files (
            run INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            gate TEXT NOT NULL,
            path TEXT NOT NULL,
            value REAL NOT NULL,
            count INTEGER NOT NULL,
            PRIMARY KEY (run, gate, path)
        )"""
    )


# MIGRATIONS[n] brings a file from schema version n to n + 1.
MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_create, _add_files]
SCHEMA = len(MIGRATIONS)


def history_path(root: Path) -> Path:
    return root / ".healthgate" / HISTORY_FILE


def _migrate(db: sqlite3.Connection, path: Path) -> None:
    (version,) = db.execute("PRAGMA user_version").fetchone()
    if version > SCHEMA:
        raise HistoryError(
            f"{path}: written by a newer pytest-healthgate (history schema {version}, this "
            f"one reads up to {SCHEMA}); upgrade pytest-healthgate, or move the file aside"
        )
    for step in range(version, SCHEMA):
        MIGRATIONS[step](db)
        db.execute(f"PRAGMA user_version = {step + 1}")


def _usable(db: sqlite3.Connection) -> bool:
    try:
        (check,) = db.execute("PRAGMA quick_check").fetchone()
    except sqlite3.DatabaseError:
        return False
    return bool(check == "ok")


def _move_aside(path: Path) -> str:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    for suffix in ("", "-wal", "-shm"):
        companion = Path(f"{path}{suffix}")
        if companion.exists():
            companion.replace(Path(f"{target}{suffix}"))
    return (
        f"healthgate: {path} was not a usable history database; moved it to "
        f"{target.name} and started a new history"
    )


def _open(path: Path, notes: list[str]) -> sqlite3.Connection:
    """A connection to a usable, current history; a corrupt file is moved aside first."""
    for attempt in range(2):
        db = sqlite3.connect(path, timeout=BUSY_TIMEOUT, isolation_level=None)
        try:
            if _usable(db):
                db.execute("PRAGMA journal_mode = WAL")
                db.execute("PRAGMA foreign_keys = ON")
                db.execute("BEGIN IMMEDIATE")
                _migrate(db, path)
                db.execute("COMMIT")
                return db
        except sqlite3.DatabaseError:
            pass
        except BaseException:
            db.close()
            raise
        db.close()
        if attempt == 0:
            notes.append(_move_aside(path))
    raise HistoryError(f"{path}: cannot be opened as a history database; remove it")


def append(root: Path, row: RunRow) -> list[str]:
    """Add one run to the project's history; the notes to print (a file moved aside)."""
    notes: list[str] = []
    path = state_dir(root) / HISTORY_FILE
    db = _open(path, notes)
    try:
        db.execute("BEGIN IMMEDIATE")
        cursor = db.execute(
            "INSERT INTO runs (run_id, time, verdict, git_commit, branch, dirty, partial,"
            " surface, score, formula) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                row.run_id,
                row.time,
                row.verdict,
                row.commit,
                row.branch,
                None if row.dirty is None else int(row.dirty),
                int(row.partial),
                row.surface,
                row.score,
                row.formula,
            ),
        )
        db.executemany(
            "INSERT INTO metrics (run, name, value, verdict, points, weight)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [
                (cursor.lastrowid, m.name, m.value, m.verdict, m.points, m.weight)
                for m in row.metrics.values()
            ],
        )
        db.executemany(
            "INSERT INTO files (run, gate, path, value, count) VALUES (?, ?, ?, ?, ?)",
            [
                (cursor.lastrowid, gate, path, value, count)
                for gate, files in row.files.items()
                # A gate with no file figures is kept as one row with no path.
                for path, (value, count) in (files or {NO_FILE: (0.0, 0)}).items()
            ],
        )
        db.execute("COMMIT")
    finally:
        db.close()
    return notes


def read(root: Path, last: int | None = None) -> tuple[list[RunRow], list[str]]:
    """The runs, oldest first (the ``last`` N when given), and notes to print."""
    path = history_path(root)
    if not path.is_file():
        return [], []
    notes: list[str] = []
    db = _open(path, notes)
    try:
        limit = -1 if last is None else last
        runs = db.execute(
            "SELECT id, run_id, time, verdict, git_commit, branch, dirty, partial, surface,"
            " score, formula FROM runs ORDER BY id DESC LIMIT ?",
            (limit,),
        ).fetchall()
        rows = [_run(db, run) for run in reversed(runs)]
    finally:
        db.close()
    return rows, notes


def files_of(root: Path, run_id: str) -> dict[str, dict[str, tuple[float, int]]]:
    """The per-file figures kept with run ``run_id`` (none for a run before schema 2)."""
    path = history_path(root)
    if not path.is_file():
        return {}
    db = _open(path, [])
    try:
        rows = db.execute(
            "SELECT gate, path, value, count FROM files"
            " WHERE run = (SELECT id FROM runs WHERE run_id = ?)",
            (run_id,),
        ).fetchall()
    finally:
        db.close()
    figures: dict[str, dict[str, tuple[float, int]]] = {}
    for gate, file_path, value, count in rows:
        files = figures.setdefault(str(gate), {})
        if file_path != NO_FILE:
            files[str(file_path)] = (float(value), int(count))
    return figures


def _run(db: sqlite3.Connection, run: tuple[object, ...]) -> RunRow:
    key, run_id, time, verdict, commit, branch, dirty, partial, surface, score, formula = run
    metrics = {
        str(name): MetricRow(str(name), _float(value), str(gate_verdict), _float(points), _float(w))
        for name, value, gate_verdict, points, w in db.execute(
            "SELECT name, value, verdict, points, weight FROM metrics WHERE run = ? ORDER BY rowid",
            (key,),
        )
    }
    return RunRow(
        run_id=str(run_id),
        time=str(time),
        verdict=str(verdict),
        commit=None if commit is None else str(commit),
        branch=None if branch is None else str(branch),
        dirty=None if dirty is None else bool(dirty),
        partial=bool(partial),
        surface=str(surface),
        score=_float(score),
        formula=None if formula is None else int(str(formula)),
        metrics=metrics,
    )


def _float(value: object) -> float | None:
    return None if value is None else float(str(value))
