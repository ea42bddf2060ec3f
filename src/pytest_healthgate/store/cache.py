"""The analysis cache under ``.healthgate/cache/``: results addressed by content.

One SQLite database, ``analysis.sqlite3``, holds every analyser's results. An
entry is addressed by the analyser, its *cache key* (tool versions plus the
configuration that changes its results) and the *digest* of what the result was
computed from: a file's content for radon, bandit and the markers, a file's
project-relative path and content for ruff (its configuration can select rules
by path), every file for mypy. No entry is keyed by path alone, so the version of
a file at HEAD and the version staged are two entries that live side by side:
the test run, ``healthgate check`` and the hooks all read and fill the same
database, and after one run both sides of a change are hits.

It also remembers what ``ruff --version`` printed for the executable as it is
(path, size, modification time), so a run that finds everything cached starts
no tool at all.

The database is bounded (``MAX_BYTES`` of stored results): past it, the least
recently used entries are evicted. An entry's use time is refreshed when a run
uses it and it was last refreshed more than ``TOUCH_SECONDS`` ago, so a run that
changes nothing writes nothing.

Why SQLite: a hook reads 5 entries and a warm run of a large project 2,000, and
both must load in milliseconds; one JSON document per analyser is read and
rewritten whole on every run, and one file per entry costs an open per entry
(docs/performance.md has the figures). SQLite reads only the rows asked for, its
transactions are atomic (a killed run leaves the previous state), and with its
write-ahead log concurrent runs read while another writes; a writer that waits
longer than ``BUSY_SECONDS`` gives up saving, with a note, never the analysis.

A database that cannot be read (torn, hand-edited, not a database), or one that
is a symlink, is deleted and rebuilt; an entry the analyser's decoder rejects
(every field is checked: its type and its range) is discarded and recomputed.
Both are counted in the statistics (``discarded``, and ``problem`` for the
database as a whole), so the report can say so once; a cache never turns into a
crash or a figure of the wrong shape. Only a real ``.healthgate/cache`` folder
is used (``store.files.cache_dir``); the JSON documents of the cache's earlier
layout are deleted when the database is first made.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, NotRequired, TypedDict, TypeVar

from pytest_healthgate.store.files import CACHE_DIR, STATE_DIR, cache_dir

FORMAT = 3  # the database's user_version; another one is rebuilt
KEY_LENGTH = 20  # hex digits of a cache key
DATABASE = "analysis.sqlite3"
SIDE_FILES = ("-wal", "-shm", "-journal")  # what SQLite keeps beside the database
MAX_BYTES = 64 * 1024 * 1024  # stored results kept; about 60 versions of Django's 885 files
KEEP_FRACTION = 0.9  # eviction goes below the bound, so the next runs do not evict again
TOUCH_SECONDS = 60  # an entry's use time is refreshed at most this often
BUSY_SECONDS = 10.0  # how long a writer waits for another run's transaction
# The documents of the cache's JSON layout (format 1): ``{analyser}-{20 hex digits}.json``,
# the coverage gate's among them.
LEGACY_DOCUMENT = re.compile(r"(files|ruff|mypy|coverage)-[0-9a-f]{20}\.json")
SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    analyser TEXT NOT NULL,
    key TEXT NOT NULL,
    digest TEXT NOT NULL,
    unit TEXT NOT NULL,
    value TEXT NOT NULL,
    size INTEGER NOT NULL,
    used INTEGER NOT NULL,
    PRIMARY KEY (analyser, key, digest)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS entries_by_use ON entries (used);
CREATE TABLE IF NOT EXISTS tools (
    tool TEXT PRIMARY KEY,
    stamp TEXT NOT NULL,
    version TEXT NOT NULL
);
"""
Value = TypeVar("Value")


class CacheStats(TypedDict):
    """What one cache did in a run, as shown in the report's ``cache`` extra."""

    hits: int
    misses: int
    discarded: NotRequired[int]
    problem: NotRequired[str]


def content_digest(data: bytes) -> str:
    """The content digest entries are keyed on; the one hash of file contents."""
    return hashlib.sha256(data).hexdigest()


def file_digest(path: Path) -> str | None:
    """The content digest of a file, or None when it cannot be read."""
    try:
        return content_digest(path.read_bytes())
    except OSError:
        return None


def cache_key(*parts: object) -> str:
    """A short stable digest of everything that changes an analyser's results."""
    text = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:KEY_LENGTH]


@dataclass(frozen=True)
class Codec(Generic[Value]):
    """How an analyser's results are stored: ``decode`` raises ValueError on a bad shape."""

    decode: Callable[[object], Value]
    encode: Callable[[Value], object]


Row = tuple[str, str, str]  # digest, unit, value as JSON text


class CacheStore:
    """The database, opened at most once per run and shared by every analyser's cache.

    Every method swallows SQLite's errors into ``problem``: without a cache the
    analysis still runs, it only recomputes.
    """

    def __init__(self, root: Path, max_bytes: int = MAX_BYTES) -> None:
        self.root = root
        self.max_bytes = max_bytes
        self.problem: str | None = None
        self.rebuilt = False
        self._connection: sqlite3.Connection | None = None
        self._opened = False

    def _open(self) -> sqlite3.Connection | None:
        if not self._opened:
            self._opened = True
            try:
                self._connection = self._connect(cache_dir(self.root))
            except (OSError, sqlite3.Error) as exc:
                # A read-only checkout still gets its figures, just without a cache.
                self.problem = f"cache not used: {exc}"
        return self._connection

    def _connect(self, folder: Path) -> sqlite3.Connection:
        path = folder / DATABASE
        if any(Path(f"{path}{side}").is_symlink() for side in ("", *SIDE_FILES)):
            # healthgate writes only regular files here: a link may lead anywhere.
            self._rebuild(path, f"{DATABASE} was a symlink and is rebuilt")
        fresh = not path.exists()
        try:
            connection = _connect(path)
        except sqlite3.DatabaseError as exc:  # torn, hand-edited, not a database at all
            self._rebuild(path, f"{DATABASE} was unreadable and is rebuilt ({exc})")
            fresh = True
            connection = _connect(path)
        if fresh:
            _drop_legacy_documents(folder)
        return connection

    def _rebuild(self, path: Path, problem: str) -> None:
        for side in ("", *SIDE_FILES):
            Path(f"{path}{side}").unlink(missing_ok=True)
        self.problem = problem
        self.rebuilt = True

    def fetch(self, analyser: str, key: str, digests: Iterable[str]) -> list[tuple[str, str, int]]:
        """(digest, value, used) of each entry stored for these digests."""
        connection = self._open()
        if connection is None:
            return []
        try:
            # The digests go to a table of this connection (in memory), not into the text
            # of the query: one statement however many there are, and nothing to escape.
            connection.execute("CREATE TEMP TABLE IF NOT EXISTS wanted (digest TEXT PRIMARY KEY)")
            connection.execute("DELETE FROM wanted")
            connection.executemany(
                "INSERT OR IGNORE INTO wanted VALUES (?)", [(digest,) for digest in digests]
            )
            rows = connection.execute(
                "SELECT entries.digest, value, used FROM entries JOIN wanted"
                " ON entries.digest = wanted.digest WHERE analyser = ? AND key = ?",
                (analyser, key),
            ).fetchall()
        except sqlite3.OperationalError as exc:  # locked past BUSY_SECONDS, a full disk
            self.problem = f"cache not read: {exc}"
            return []
        except sqlite3.Error as exc:  # found damaged only now: rebuilt, read as empty
            self._recover(exc)
            return []
        return rows

    def write(self, analyser: str, key: str, rows: list[Row], touched: list[str]) -> None:
        """Store new entries, refresh the use time of those used; evict past the bound."""
        connection = self._open()
        if connection is None or not (rows or touched):
            return
        now = int(time.time())
        try:
            with _transaction(connection):
                connection.executemany(
                    "INSERT OR REPLACE INTO entries VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [(analyser, key, d, u, v, len(v), now) for d, u, v in rows],
                )
                connection.executemany(
                    "UPDATE entries SET used = ? WHERE analyser = ? AND key = ? AND digest = ?",
                    [(now, analyser, key, digest) for digest in touched],
                )
                if rows:
                    self._evict(connection)
        except sqlite3.OperationalError as exc:
            self.problem = f"cache not saved: {exc}"
        except sqlite3.Error as exc:
            self._recover(exc)

    def known_version(self, tool: str, stamp: str) -> str | None:
        """The version a tool printed when its executable had this stamp (path, size, times)."""
        connection = self._open()
        if connection is None:
            return None
        try:
            row = connection.execute(
                "SELECT version FROM tools WHERE tool = ? AND stamp = ?", (tool, stamp)
            ).fetchone()
        except sqlite3.Error:
            return None  # asked again of the tool; the entries' lookup reports a damaged cache
        return None if row is None else str(row[0])

    def remember_version(self, tool: str, stamp: str, version: str) -> None:
        connection = self._open()
        if connection is None:
            return
        try:
            with _transaction(connection):
                connection.execute(
                    "INSERT OR REPLACE INTO tools VALUES (?, ?, ?)", (tool, stamp, version)
                )
        except sqlite3.Error:
            pass  # the next run asks the tool again

    def _recover(self, exc: sqlite3.Error) -> None:
        """A database found damaged in use: deleted and made again, empty."""
        self.close()
        path = self.root / STATE_DIR / CACHE_DIR / DATABASE
        self._rebuild(path, f"{DATABASE} was unreadable and is rebuilt ({exc})")
        try:
            self._connection = _connect(path)
        except (OSError, sqlite3.Error) as again:
            self.problem = f"cache not used: {again}"

    def _evict(self, connection: sqlite3.Connection) -> None:
        """Delete the least recently used entries while the results stored exceed the bound."""
        (total,) = connection.execute("SELECT coalesce(sum(size), 0) FROM entries").fetchone()
        if total <= self.max_bytes:
            return
        excess = total - int(self.max_bytes * KEEP_FRACTION)
        doomed = []
        for analyser, key, digest, size in connection.execute(
            "SELECT analyser, key, digest, size FROM entries ORDER BY used"
        ):
            doomed.append((analyser, key, digest))
            excess -= size
            if excess <= 0:
                break
        connection.executemany(
            "DELETE FROM entries WHERE analyser = ? AND key = ? AND digest = ?", doomed
        )

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def take_problem(self) -> tuple[str | None, bool]:
        """The database's problem, and whether it was rebuilt: said once, to the first cache."""
        taken = (self.problem, self.rebuilt)
        self.problem, self.rebuilt = None, False
        return taken


def _connect(path: Path) -> sqlite3.Connection:
    """The database at ``path``, made if new; DatabaseError when it is not one of ours."""
    connection = sqlite3.connect(path, timeout=BUSY_SECONDS, isolation_level=None)
    try:
        (version,) = connection.execute("PRAGMA user_version").fetchone()
        if version not in (0, FORMAT):
            raise sqlite3.DatabaseError(f"unknown layout {version}")
        if version == 0:
            # Write-ahead log: readers never wait for a writer, a killed writer loses
            # only its own transaction. The setting stays with the database.
            connection.execute("PRAGMA journal_mode = WAL")
            with _transaction(connection):
                for statement in SCHEMA.split(";"):
                    if statement.strip():
                        connection.execute(statement)
                connection.execute(f"PRAGMA user_version = {FORMAT}")
        # A commit waits for the disk only at checkpoints: a crash of the machine may
        # lose the last runs' entries, never make the database inconsistent.
        connection.execute("PRAGMA synchronous = NORMAL")
        # The lookup's table of digests stays in memory: no temporary file outside .healthgate.
        connection.execute("PRAGMA temp_store = MEMORY")
        connection.execute("SELECT count(*) FROM entries WHERE 0").fetchone()
    except sqlite3.Error:
        connection.close()
        raise
    return connection


@contextmanager
def _transaction(connection: sqlite3.Connection) -> Iterator[None]:
    """One write transaction, taken at once so two writers never deadlock on an upgrade."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")


def _drop_legacy_documents(folder: Path) -> None:
    """Delete the JSON documents of the earlier layout, named as it named them, and nothing else."""
    with os.scandir(folder) as entries:
        legacy = [
            Path(entry.path)
            for entry in entries
            if LEGACY_DOCUMENT.fullmatch(entry.name) and entry.is_file(follow_symlinks=False)
        ]
    for path in legacy:
        path.unlink(missing_ok=True)


# Rows read under one key, and how a value read there is narrowed (None: as stored).
_Rows = tuple[list[tuple[str, str, int]], Callable[[Value], Value] | None]


@dataclass
class _Entry(Generic[Value]):
    """A unit's value, with the digest of the content it was computed from."""

    digest: str
    value: Value


class AnalysisCache(Generic[Value]):
    """Results of one analyser: looked up once for all units, saved once."""

    def __init__(self, store: CacheStore | None, name: str, key: str, codec: Codec[Value]) -> None:
        self.store = store
        self.name = name
        self.key = key
        self.codec = codec
        self.entries: dict[str, _Entry[Value]] = {}
        self.hits = 0
        self.misses = 0
        self.discarded = 0
        self.problem: str | None = None
        self._new: list[Row] = []
        self._touched: list[str] = []
        self._wider: tuple[str, Callable[[Value], Value]] | None = None

    def also_from(self, key: str, narrow: Callable[[Value], Value]) -> None:
        """Units this key lacks are looked up under ``key`` too, their values narrowed.

        A run of part of an analyser's tools (one hook's) keys its own entries,
        and reads those of a run of all of them (the tests', ``healthgate
        check``'s), which hold its part. What is read there is not written again.
        """
        self._wider = (key, narrow)

    def lookup(
        self, units: dict[str, str], on_misses: Callable[[list[str]], None] | None = None
    ) -> list[str]:
        """Load the entries of these units (unit -> digest); the units the cache lacks.

        ``on_misses`` is told the units no entry is stored for as soon as that is
        known, before the entries are decoded (an entry that fails to decode is
        a miss too, found after).
        """
        by_digest: dict[str, list[str]] = {}
        for unit, digest in units.items():
            by_digest.setdefault(digest, []).append(unit)
        rows, missing = self._fetch(by_digest)
        if missing and on_misses is not None:
            on_misses([unit for unit, digest in units.items() if digest in missing])
        for found, narrow in rows:
            self._load(found, by_digest, narrow)
        todo = [unit for unit in units if unit not in self.entries]
        self.misses += len(todo)
        self.hits += len(units) - len(todo)
        return todo

    def _fetch(self, by_digest: dict[str, list[str]]) -> tuple[list[_Rows[Value]], set[str]]:
        """The stored rows, under this key then the wider one; the digests neither holds."""
        if self.store is None:
            return [], set(by_digest)
        found = self.store.fetch(self.name, self.key, by_digest)
        rows: list[_Rows[Value]] = [(found, None)]
        missing = by_digest.keys() - {digest for digest, _value, _used in found}
        if missing and self._wider is not None:
            wider_key, narrowed = self._wider
            found = self.store.fetch(self.name, wider_key, missing)
            rows.append((found, narrowed))
            missing -= {digest for digest, _value, _used in found}
        self._take_problem(self.store)
        return rows, missing

    def _load(
        self,
        found: list[tuple[str, str, int]],
        by_digest: dict[str, list[str]],
        narrow: Callable[[Value], Value] | None,
    ) -> None:
        stale = int(time.time()) - TOUCH_SECONDS
        for digest, stored, used in found:
            value = self._decode(stored)
            if value is None:
                self.discarded += 1
                continue
            for unit in by_digest[digest]:
                self.entries[unit] = _Entry(digest, value if narrow is None else narrow(value))
            if used < stale and narrow is None:
                self._touched.append(digest)

    def _decode(self, stored: str) -> Value | None:
        try:
            return self.codec.decode(json.loads(stored))
        except (ValueError, TypeError, KeyError, AttributeError):
            # The codec checks every field; any other slip of a decoder is a bad entry too.
            return None

    def value(self, unit: str) -> Value | None:
        """The result for ``unit`` the lookup found; not counted."""
        entry = self.entries.get(unit)
        return None if entry is None else entry.value

    def put(self, unit: str, content_digest: str, value: Value) -> None:
        stored = json.dumps(self.codec.encode(value), separators=(",", ":"))
        self.entries[unit] = _Entry(content_digest, value)
        self._new.append((content_digest, unit, stored))

    def save(self) -> None:
        """Write what this run computed, and refresh the use time of what it reused."""
        if self.store is None:
            return
        self.store.write(self.name, self.key, self._new, self._touched)
        self._take_problem(self.store)
        self._new, self._touched = [], []

    def _take_problem(self, store: CacheStore) -> None:
        problem, rebuilt = store.take_problem()
        if problem is not None:
            self.problem = problem
            self.discarded += rebuilt  # the whole database counts once

    def stats(self) -> CacheStats:
        stats = CacheStats(hits=self.hits, misses=self.misses)
        if self.discarded:
            stats["discarded"] = self.discarded
        if self.problem:
            stats["problem"] = self.problem
        return stats
