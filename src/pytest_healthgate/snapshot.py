"""A run's figures as a baseline keeps them: from measurements to a ``Snapshot``.

An item's identity is its path, its rule and its source line with whitespace
normalised - not its line number - so an edit above a finding does not make
it new. Reading the lines happens here, once per file, so collectors only say
where their items are.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import platform
from collections.abc import Iterable
from pathlib import Path

from pytest_healthgate.config import HealthgateConfig
from pytest_healthgate.model import Item, Measurement
from pytest_healthgate.store.baseline import GateFigure, Snapshot, StoredItem
from pytest_healthgate.units import format_value

# The tools whose version can move a figure; a change of any is a tool upgrade.
TOOLS = ("coverage", "ruff", "radon", "bandit", "mypy", "pytest-healthgate")


def tool_versions() -> dict[str, str]:
    # From the dist-info folders' names where it can: importlib.metadata costs 15-25 ms.
    from pytest_healthgate.collect.static.analysers.tool_info import package_version

    versions = {"python": platform.python_version()}
    for name in TOOLS:
        version = package_version(name)
        if version is not None:
            versions[name] = version
    return versions


def normalised(line: str) -> str:
    return " ".join(line.split())


class SourceLines:
    """The project's files' lines, read once each; a file that cannot be read has none."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.files: dict[str, list[str]] = {}

    def text(self, path: str, line: int) -> str:
        lines = self.files.get(path)
        if lines is None:
            try:
                raw = (self.root / path).read_bytes()
                lines = raw.decode("utf-8", errors="replace").splitlines()
            except OSError:
                lines = []
            self.files[path] = lines
        return normalised(lines[line - 1]) if 0 < line <= len(lines) else ""


def fingerprint(rule: str, text: str) -> str:
    """The digest of an item's normalised line (the rule keeps equal lines of two rules apart)."""
    return hashlib.sha256(f"{rule}\0{text}".encode()).hexdigest()[:16]


def stored(item: Item, lines: SourceLines) -> StoredItem:
    text = fingerprint(item.rule, lines.text(item.path, item.line))
    return StoredItem(item.rule, item.path, text, item.line, item.cost, item.label)


def snapshot(
    settings: HealthgateConfig,
    measurements: Iterable[Measurement],
    *,
    commit: str | None = None,
    sources: dict[str, str] | None = None,
) -> Snapshot:
    """The figures of ``measurements`` that were measured (errors and skips left out)."""
    from pytest_healthgate.store.sources import source_digests

    lines = SourceLines(settings.root)
    gates = {}
    for measurement in measurements:
        value = measurement.value
        spec = settings.catalogue.metrics.get(measurement.name)
        if value is None or measurement.error or measurement.skip_reason or spec is None:
            continue
        items = None
        if measurement.items is not None:
            items = [stored(item, lines) for item in measurement.items]
        gates[measurement.name] = GateFigure(
            value=value,
            display=format_value(value, spec.unit, measurement.precision),
            items=items,
            items_add_up=measurement.items_add_up,
            files=_files(measurement),
        )
    return Snapshot(
        gates=gates,
        sources=source_digests(settings) if sources is None else sources,
        tools=tool_versions(),
        written=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        commit=commit,
    )


def _plain(number: float) -> float:
    """A whole number stays whole in the file (units = 97, not 97.0)."""
    return int(number) if float(number).is_integer() else float(number)


def _files(measurement: Measurement) -> dict[str, dict[str, float]]:
    """Per-file figures: the measurement's own parts, else the sum of its items by file."""
    if measurement.parts:
        return {
            path: {
                key: _plain(number)
                for key, number in parts.items()
                if isinstance(number, int | float) and not isinstance(number, bool)
            }
            for path, parts in measurement.parts.items()
        }
    if measurement.items is None or not measurement.items_add_up:
        return {}
    files: dict[str, dict[str, float]] = {}
    for item in measurement.items:
        entry = files.setdefault(item.path, {"cost": 0.0, "items": 0.0})
        entry["cost"] += item.cost
        entry["items"] += 1
    return files
