"""The analysis cache under ``.healthgate/cache/``: results keyed by file content.

One JSON document per analyser and *fingerprint* (tool versions plus the
configuration that changes its results). Inside, each entry maps a key (a
project-relative path) to the digest of the content it was computed from and
the result. An entry is used only when the digest still matches, so an
unchanged file is never analysed twice and a changed one always is.

A document that cannot be read, or an entry whose shape the caller rejects, is
discarded and recomputed; a cache never turns into a wrong figure. Documents are
written atomically, so a reader never sees half a file.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from pytest_healthgate.store.files import state_dir, write_atomic

CACHE_DIR = "cache"
FORMAT = 1


def content_digest(data: bytes) -> str:
    """The content digest entries are keyed on."""
    return hashlib.sha256(data).hexdigest()


def cache_key(*parts: object) -> str:
    """A short stable digest of everything that changes an analyser's results."""
    text = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


class AnalysisCache:
    """Results of one analyser, loaded once, looked up per file, saved once."""

    def __init__(
        self,
        root: Path,
        name: str,
        fingerprint: str,
        valid: Callable[[Any], bool] = lambda _value: True,
    ) -> None:
        self.root = root
        self.name = name
        self.fingerprint = fingerprint
        self.valid = valid
        self.entries: dict[str, dict[str, Any]] = {}
        self.hits = 0
        self.misses = 0
        self.discarded = 0
        self.changed = False
        self.problem: str | None = None

    @property
    def folder(self) -> Path:
        return self.root / ".healthgate" / CACHE_DIR

    @property
    def path(self) -> Path:
        return self.folder / f"{self.name}-{self.fingerprint}.json"

    def load(self) -> AnalysisCache:
        try:
            document = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return self
        except (OSError, ValueError) as exc:
            # A torn or hand-edited file: start again from nothing.
            return self._discard(f"{self.path.name} was unreadable and is rebuilt ({exc})")
        if not isinstance(document, dict) or document.get("format") != FORMAT:
            return self._discard(f"{self.path.name} had an unknown layout and is rebuilt")
        entries = document.get("entries")
        for key, entry in (entries if isinstance(entries, dict) else {}).items():
            if self._usable(entry):
                self.entries[key] = entry
            else:
                self.discarded += 1
                self.changed = True
        return self

    def _discard(self, problem: str) -> AnalysisCache:
        self.problem = problem
        self.discarded += 1
        self.changed = True
        return self

    def _usable(self, entry: object) -> bool:
        return (
            isinstance(entry, dict)
            and isinstance(entry.get("digest"), str)
            and "value" in entry
            and self.valid(entry["value"])
        )

    def get(self, key: str, content_digest: str) -> Any | None:
        """The stored result for ``key`` if it was computed from this content."""
        entry = self.entries.get(key)
        if entry is not None and entry["digest"] == content_digest:
            self.hits += 1
            return entry["value"]
        self.misses += 1
        return None

    def put(self, key: str, content_digest: str, value: Any) -> None:
        self.entries[key] = {"digest": content_digest, "value": value}
        self.changed = True

    def keep_only(self, keys: Iterable[str]) -> None:
        """Forget entries for files that are no longer analysed."""
        wanted = set(keys)
        for key in [key for key in self.entries if key not in wanted]:
            del self.entries[key]
            self.changed = True

    def save(self, drop_stale: bool = True) -> None:
        """Write the document if anything changed; drop other fingerprints' documents."""
        if not self.changed:
            return
        try:
            state_dir(self.root)
            document = {"format": FORMAT, "fingerprint": self.fingerprint, "entries": self.entries}
            write_atomic(self.path, json.dumps(document, separators=(",", ":")))
            stale = [path for path in self.folder.glob(f"{self.name}-*.json") if path != self.path]
            for path in stale if drop_stale else []:
                path.unlink(missing_ok=True)
        except OSError as exc:
            # A read-only checkout still gets its figures, just without a cache.
            self.problem = f"cache not saved: {exc}"
        self.changed = False

    def stats(self) -> dict[str, Any]:
        stats: dict[str, Any] = {"hits": self.hits, "misses": self.misses}
        if self.discarded:
            stats["discarded"] = self.discarded
        if self.problem:
            stats["problem"] = self.problem
        return stats
