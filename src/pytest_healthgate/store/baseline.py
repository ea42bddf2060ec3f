"""The committed baseline, ``.healthgate/baseline.toml``: read, validate, write.

The baseline is meant to be committed and reviewed like code, so it is TOML
(written with tomli-w, read with tomllib) and holds what a reviewer wants to
see move: every gate's figure, per-file figures, the findings behind the
figures (each keyed by a fingerprint that survives moving code), the tool
versions that produced them and, when a figure was allowed to get worse, who
said why. Only ``healthgate init`` and ``healthgate baseline --update`` write
it, atomically.

A document that is not of this shape is refused with a ``BaselineError``
naming what is wrong and how to rebuild it - never read as "no baseline".
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pytest_healthgate.store.files import STATE_DIR, state_dir, write_atomic

BASELINE_FILE = "baseline.toml"
FORMAT = 1
HEADER = (
    "# pytest-healthgate baseline: the figures new changes are judged against.\n"
    "# Written by `healthgate init` and `healthgate baseline --update`; commit it,\n"
    "# and review its changes like code. See docs/adopting.md.\n"
)
REBUILD = "run `healthgate baseline --update` to rebuild it (or restore it from git)"


class BaselineError(Exception):
    """The baseline file cannot be used; the message names the problem and the fix."""


@dataclass(frozen=True)
class StoredItem:
    """A finding or complex function as the baseline keeps it."""

    rule: str
    path: str
    text: str  # digest of the normalised source line: its identity with ``path`` and ``rule``
    line: int  # where it was; shown, never matched on
    cost: float
    label: str


@dataclass
class GateFigure:
    """One gate's figure in a snapshot, with what it is made of."""

    value: float
    display: str = ""
    items: list[StoredItem] | None = None
    items_add_up: bool = True
    # Per-file figures: coverage {"units", "missing"}, debt {"debt", "findings"}.
    files: dict[str, dict[str, float]] = field(default_factory=dict)


@dataclass
class Snapshot:
    """Everything a run measured that a later run is judged against."""

    gates: dict[str, GateFigure]
    sources: dict[str, str]  # sha256 of each file, to tell changed code from unchanged
    tools: dict[str, str]
    written: str = ""
    commit: str | None = None
    loosened: list[dict[str, Any]] = field(default_factory=list)
    partial: list[str] = field(default_factory=list)


def baseline_path(root: Path) -> Path:
    return root / STATE_DIR / BASELINE_FILE


def load(root: Path) -> Snapshot | None:
    """The project's baseline, None when there is none; BaselineError when it is unusable."""
    path = baseline_path(root)
    try:
        with path.open("rb") as handle:
            document = tomllib.load(handle)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, RecursionError) as exc:
        raise BaselineError(f"{path}: cannot be read ({exc}); {REBUILD}.") from None
    try:
        return from_document(document)
    except (KeyError, TypeError, ValueError) as exc:
        raise BaselineError(f"{path}: not a healthgate baseline ({exc}); {REBUILD}.") from None


def save(root: Path, snapshot: Snapshot) -> Path:
    """Write the baseline atomically into the project's .healthgate/ folder."""
    path = state_dir(root) / BASELINE_FILE
    write_atomic(path, render(snapshot))
    return path


def render(snapshot: Snapshot) -> str:
    import tomli_w

    return HEADER + tomli_w.dumps(to_document(snapshot), multiline_strings=False)


def to_document(snapshot: Snapshot) -> dict[str, Any]:
    document: dict[str, Any] = {"format": FORMAT, "written": snapshot.written}
    if snapshot.commit:
        document["commit"] = snapshot.commit
    document["tools"] = dict(sorted(snapshot.tools.items()))
    gates: dict[str, Any] = {}
    for name, figure in snapshot.gates.items():
        entry: dict[str, Any] = {"value": figure.value}
        if figure.display:
            entry["display"] = figure.display
        if figure.files:
            entry["files"] = {path: dict(parts) for path, parts in sorted(figure.files.items())}
        if figure.items is not None:
            entry["items_add_up"] = figure.items_add_up
            entry["items"] = [
                {
                    "path": item.path,
                    "line": item.line,
                    "rule": item.rule,
                    "text": item.text,
                    "cost": item.cost,
                    "label": item.label,
                }
                for item in sorted(figure.items, key=lambda item: (item.path, item.line, item.rule))
            ]
        gates[name] = entry
    document["gates"] = gates
    document["sources"] = dict(sorted(snapshot.sources.items()))
    if snapshot.loosened:
        document["loosened"] = snapshot.loosened
    if snapshot.partial:
        document["partial"] = snapshot.partial
    return document


def _number(value: object, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{what} is not a finite number: {value!r}")
    return float(value)


def _text(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{what} is not a string: {value!r}")
    return value


def _table(value: object, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError(f"{what} is not a table")
    return value


def from_document(document: dict[str, Any]) -> Snapshot:
    """The snapshot a baseline document holds; ValueError naming the first bad field."""
    if document.get("format") != FORMAT:
        raise ValueError(f"format is {document.get('format')!r}, this version reads {FORMAT}")
    gates = {}
    for name, raw in _table(document.get("gates", {}), "gates").items():
        entry = _table(raw, f"gates.{name}")
        items = None
        if "items" in entry:
            if not isinstance(entry["items"], list):
                raise ValueError(f"gates.{name}.items is not a list")
            items = [_item(item, f"gates.{name}.items") for item in entry["items"]]
        files = {
            _text(path, f"gates.{name}.files key"): {
                _text(key, f"gates.{name}.files.{path}"): _number(
                    number, f"gates.{name}.files.{path}.{key}"
                )
                for key, number in _table(parts, f"gates.{name}.files.{path}").items()
            }
            for path, parts in _table(entry.get("files", {}), f"gates.{name}.files").items()
        }
        add_up = entry.get("items_add_up", True)
        if not isinstance(add_up, bool):
            raise ValueError(f"gates.{name}.items_add_up is not true or false")
        gates[_text(name, "gate name")] = GateFigure(
            value=_number(entry.get("value"), f"gates.{name}.value"),
            display=_text(entry.get("display", ""), f"gates.{name}.display"),
            items=items,
            items_add_up=add_up,
            files=files,
        )
    sources = {
        _text(path, "sources key"): _text(digest, f"sources.{path}")
        for path, digest in _table(document.get("sources", {}), "sources").items()
    }
    tools = {
        _text(name, "tools key"): _text(version, f"tools.{name}")
        for name, version in _table(document.get("tools", {}), "tools").items()
    }
    loosened = document.get("loosened", [])
    if not isinstance(loosened, list) or not all(isinstance(entry, dict) for entry in loosened):
        raise ValueError("loosened is not a list of tables")
    commit = document.get("commit")
    partial = document.get("partial", [])
    if not isinstance(partial, list) or not all(isinstance(reason, str) for reason in partial):
        raise ValueError("partial is not a list of strings")
    return Snapshot(
        gates=gates,
        sources=sources,
        tools=tools,
        written=_text(document.get("written", ""), "written"),
        commit=_text(commit, "commit") if commit is not None else None,
        loosened=list(loosened),
        partial=list(partial),
    )


def _item(raw: object, what: str) -> StoredItem:
    entry = _table(raw, what)
    line = entry.get("line")
    if isinstance(line, bool) or not isinstance(line, int):
        raise ValueError(f"{what}: line is not a whole number: {line!r}")
    return StoredItem(
        rule=_text(entry.get("rule"), f"{what}: rule"),
        path=_text(entry.get("path"), f"{what}: path"),
        text=_text(entry.get("text"), f"{what}: text"),
        line=line,
        cost=_number(entry.get("cost"), f"{what}: cost"),
        label=_text(entry.get("label", ""), f"{what}: label"),
    )
