"""Content fingerprints of a project's Python files.

A gated test run records them beside last-run.json, so a later check (the
``healthgate-last-run`` hook) can tell exactly which files changed since the run
recorded its figures — by content, not by timestamps that a checkout rewrites.

The walk is the static analysis's (``scope.discover``): a folder or file that
cannot be read, a symlink loop and a symlink leading out of the project are
not followed, and are listed under ``skipped`` with the reason.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from pytest_healthgate.collect.static.scope import discover
from pytest_healthgate.config import HealthgateConfig

SOURCES_FILE = "last-run.sources.json"
Skipped = list[tuple[str, str]]


def source_snapshot(config: HealthgateConfig) -> tuple[dict[str, str], Skipped]:
    """sha256 of every readable Python file (tests included) by relative path, and the rest."""
    scope = discover(config.root, (".",), config.exclude, include_tests=True)
    digests = {}
    skipped = list(scope.skipped)
    for key, path in sorted(scope.files.items()):
        try:
            digests[key] = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError as exc:  # it cannot be compared later either
            skipped.append((key, f"cannot be read: {exc.strerror or exc}"))
    return digests, skipped


def source_digests(config: HealthgateConfig) -> dict[str, str]:
    """sha256 of every readable Python file of the project (tests included), by relative path."""
    return source_snapshot(config)[0]


def render(digests: dict[str, str], skipped: Skipped | None = None, run_id: str = "") -> str:
    # run_id ties the digests to the last-run.json written with them: the two are
    # separate files, and a run killed between the writes must not pair them.
    document: dict[str, object] = {"files": digests, "run_id": run_id}
    if skipped:
        document["skipped"] = dict(skipped)
    return json.dumps(document, indent=0, sort_keys=True) + "\n"


def changed_since(config: HealthgateConfig, recorded_file: Path, run_id: str) -> list[str] | None:
    """Files added, removed or edited since the recording of run ``run_id``.

    None when there is no recording of that run (missing, unreadable, or left
    by another run).
    """
    try:
        document = json.loads(recorded_file.read_text(encoding="utf-8"))
        recorded = document["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not run_id or document.get("run_id") != run_id or not isinstance(recorded, dict):
        return None
    now = source_digests(config)
    return sorted(key for key in recorded.keys() | now.keys() if recorded.get(key) != now.get(key))
