"""Content fingerprints of a project's Python files.

A gated test run records them beside last-run.json, so a later check (the
``healthgate-last-run`` hook) can tell exactly which files changed since the run
recorded its figures — by content, not by timestamps that a checkout rewrites.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from pytest_healthgate.collect.static.scope import discover
from pytest_healthgate.config import HealthgateConfig

SOURCES_FILE = "last-run.sources.json"


def source_digests(config: HealthgateConfig) -> dict[str, str]:
    """sha256 of every Python file of the project (tests included), by relative path."""
    scope = discover(config.root, (".",), config.exclude, include_tests=True)
    digests = {}
    for key, path in sorted(scope.files.items()):
        try:
            digests[key] = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError:
            continue  # vanished or unreadable: it cannot be compared later either
    return digests


def render(digests: dict[str, str]) -> str:
    return json.dumps({"files": digests}, indent=0, sort_keys=True) + "\n"


def changed_since(config: HealthgateConfig, recorded_file: Path) -> list[str] | None:
    """Files added, removed or edited since the recording; None when there is none."""
    try:
        recorded = json.loads(recorded_file.read_text(encoding="utf-8"))["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    now = source_digests(config)
    return sorted(key for key in recorded.keys() | now.keys() if recorded.get(key) != now.get(key))
