"""Reading and damaging the analysis cache (``.healthgate/cache/analysis.sqlite3``) in tests."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

from pytest_healthgate.store.cache import DATABASE

CACHE = ".healthgate/cache"


def database(root: Path) -> Path:
    return root / CACHE / DATABASE


def rows(root: Path, analyser: str) -> list[tuple[str, str, str, Any]]:
    """(cache key, digest, unit, value) of every entry an analyser has stored."""
    with closing(sqlite3.connect(database(root))) as connection:
        found = connection.execute(
            "SELECT key, digest, unit, value FROM entries WHERE analyser = ? ORDER BY unit",
            (analyser,),
        ).fetchall()
    return [(key, digest, unit, json.loads(value)) for key, digest, unit, value in found]


def units(root: Path, analyser: str) -> list[str]:
    return [unit for _key, _digest, unit, _value in rows(root, analyser)]


def corrupt(root: Path, analyser: str, unit: str, change: Callable[[Any], Any]) -> None:
    """Replace the stored value of ``unit``'s entries with ``change(value)``."""
    with closing(sqlite3.connect(database(root))) as connection, connection:
        stored = connection.execute(
            "SELECT digest, value FROM entries WHERE analyser = ? AND unit = ?", (analyser, unit)
        ).fetchall()
        assert stored, f"no {analyser} entry for {unit}"
        for digest, value in stored:
            connection.execute(
                "UPDATE entries SET value = ? WHERE analyser = ? AND digest = ?",
                (json.dumps(change(json.loads(value))), analyser, digest),
            )
