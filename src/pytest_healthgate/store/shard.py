"""A shard's record: what one CI machine's part of a split suite observed, to be combined.

``pytest --healthgate --healthgate-shard=DIR`` writes ``DIR/healthgate-shard.json``
(atomically) instead of judging: the shard's identity (id, commit, a digest of
the healthgate configuration, the healthgate, coverage and Python versions), why
it was partial beyond being a shard, its tests' exit status, each test-observing
collector's state in the form an xdist worker ships it (coverage data as
coverage.py's own serialised data, base64), and the finished measurements of the
collectors that do not observe tests (static analysis, import time, structure),
which every shard of one commit measures alike and ``healthgate combine`` takes
from the first shard: the analysis counts once.

``read`` refuses a record it cannot use with a ``ShardError`` that names the
folder and what to do; ``mismatches`` names the first field on which two shards
of a set disagree.
"""

from __future__ import annotations

import base64
import hashlib
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pytest_healthgate.model import Detail, Item, Measurement
from pytest_healthgate.units import Unit

RECORD = "healthgate-shard.json"
FORMAT = 1
# The fields on which every shard of one combined run must agree.
IDENTITY = ("commit", "config", "healthgate", "coverage", "python")


class ShardError(Exception):
    """A shard record that cannot be combined; the message says why and what to do."""


@dataclass
class Shard:
    shard_id: str
    identity: dict[str, str | None]
    tests_status: int = 0
    partial: list[str] = field(default_factory=list)
    states: dict[str, Any] = field(default_factory=dict)  # collector -> its shard state
    measurements: list[Measurement] = field(default_factory=list)
    folder: Path | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "shard": self.shard_id,
            **self.identity,
            "tests_status": self.tests_status,
            "partial": list(self.partial),
            "states": _encoded(self.states),
            "measurements": [measurement_to_dict(m) for m in self.measurements],
        }


def config_digest(pyproject: Path | None) -> str | None:
    """A digest of the ``[tool.healthgate]`` and ``[tool.coverage]`` tables as written."""
    import tomllib

    if pyproject is None or not pyproject.is_file():
        return None
    tool = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("tool", {})
    tables = {name: tool.get(name) for name in ("healthgate", "coverage")}
    return hashlib.sha256(json.dumps(tables, sort_keys=True).encode()).hexdigest()[:16]


def identity(commit: str | None, pyproject: Path | None) -> dict[str, str | None]:
    import coverage

    from pytest_healthgate import __version__

    return {
        "commit": commit,
        "config": config_digest(pyproject),
        "healthgate": __version__,
        "coverage": coverage.__version__,
        "python": ".".join(str(part) for part in sys.version_info[:2]),
    }


def _encoded(value: Any) -> Any:
    """Bytes (coverage data) as ``{"base64": ...}`` so the record stays JSON."""
    if isinstance(value, bytes):
        return {"base64": base64.b64encode(value).decode("ascii")}
    if isinstance(value, dict):
        return {str(key): _encoded(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_encoded(item) for item in value]
    return value


def _decoded(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"base64"}:
            return base64.b64decode(value["base64"])
        return {key: _decoded(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_decoded(item) for item in value]
    return value


def measurement_to_dict(measurement: Measurement) -> dict[str, Any]:
    return {
        "name": measurement.name,
        "value": measurement.value,
        "error": measurement.error,
        "skip_reason": measurement.skip_reason,
        "violations": list(measurement.violations),
        "details": [[d.label, d.value, d.unit.value, d.note] for d in measurement.details],
        "hint": measurement.hint,
        "precision": measurement.precision,
        "extra": measurement.extra,
        "items": None
        if measurement.items is None
        else [[i.rule, i.path, i.line, i.cost, i.label] for i in measurement.items],
        "items_add_up": measurement.items_add_up,
        "parts": measurement.parts,
    }


def measurement_from_dict(data: dict[str, Any]) -> Measurement:
    items = data.get("items")
    return Measurement(
        name=str(data["name"]),
        value=None if data.get("value") is None else float(data["value"]),
        error=data.get("error"),
        skip_reason=data.get("skip_reason"),
        violations=[str(v) for v in data.get("violations", [])],
        details=[
            Detail(str(label), float(value), Unit(unit), str(note))
            for label, value, unit, note in data.get("details", [])
        ],
        hint=str(data.get("hint", "")),
        precision=int(data.get("precision", 1)),
        extra=dict(data.get("extra") or {}),
        items=None
        if items is None
        else [Item(str(r), str(p), int(n), float(c), str(lb)) for r, p, n, c, lb in items],
        items_add_up=bool(data.get("items_add_up", True)),
        parts=dict(data.get("parts") or {}),
    )


def write(folder: Path, shard: Shard) -> Path:
    from pytest_healthgate.store.files import write_atomic

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / RECORD
    write_atomic(path, json.dumps(shard.to_dict(), indent=1) + "\n")
    return path


def read(folder: Path) -> Shard:
    """The shard recorded in ``folder``; ``ShardError`` naming the fix when there is none."""
    how = f"run `pytest --healthgate --healthgate-shard={folder}` there first"
    if not folder.is_dir():
        raise ShardError(f"{folder}: no such folder; {how}, or fix the path")
    path = folder / RECORD
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ShardError(f"{folder}: holds no {RECORD}; {how}") from None
    except (OSError, ValueError) as exc:
        raise ShardError(f"{path}: not a shard record ({exc}); {how} again") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        written = data.get("format") if isinstance(data, dict) else "?"
        raise ShardError(
            f"{path}: written by another pytest-healthgate (record format {written}, this "
            f"one reads {FORMAT}); run every shard and the combine with the same one"
        )
    try:
        return _shard(data, folder)
    except (KeyError, TypeError, ValueError) as exc:
        raise ShardError(f"{path}: damaged shard record ({exc}); {how} again") from None


def _shard(data: dict[str, Any], folder: Path) -> Shard:
    return Shard(
        shard_id=str(data["shard"]),
        identity={key: data.get(key) for key in IDENTITY},
        tests_status=int(data.get("tests_status", 0)),
        partial=[str(reason) for reason in data.get("partial", [])],
        states=_decoded(data.get("states") or {}),
        measurements=[measurement_from_dict(m) for m in data.get("measurements", [])],
        folder=folder,
    )


def mismatches(shards: list[Shard]) -> str | None:
    """Why these shards cannot be one run (different commits, configs, versions), or None."""
    first = shards[0]
    for shard in shards[1:]:
        if shard.shard_id == first.shard_id:
            return (
                f"two shards have the id {shard.shard_id!r} ({first.folder} and {shard.folder}); "
                f"give each its own --healthgate-shard-id"
            )
        for key in IDENTITY:
            if shard.identity.get(key) != first.identity.get(key):
                return (
                    f"shard {shard.shard_id} ({shard.folder}) has {key} "
                    f"{shard.identity.get(key)!r}, shard {first.shard_id} ({first.folder}) has "
                    f"{first.identity.get(key)!r}; combine only shards of one run: the same "
                    f"commit, configuration, Python and healthgate and coverage versions"
                )
    return None
