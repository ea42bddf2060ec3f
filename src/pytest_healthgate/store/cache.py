"""The analysis cache under ``.healthgate/cache/``: results keyed by file content.

One JSON document per analyser and *cache key* (tool versions plus the
configuration that changes its results). Inside, each entry maps a unit (a
project-relative path, or ``program`` for a whole-program tool) to the digest of
the content it was computed from and the result. An entry is used only when the
digest still matches, so an unchanged file is never analysed twice and a changed
one always is.

A document that cannot be read, or an entry the analyser's decoder rejects
(every field is checked: its type and its range), is discarded and recomputed,
and the statistics count it (``discarded``, and ``problem`` for a whole
document), so the report can say so once; a cache never turns
into a crash or a figure of the wrong shape. Documents are written atomically,
so a reader never sees half a file. Only a real ``.healthgate/cache`` folder is
used (``store.files.cache_dir``), and the cleanup of other cache keys' documents
deletes only files named as this module names them.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, NotRequired, TypedDict, TypeVar

from pytest_healthgate.store.files import CACHE_DIR, STATE_DIR, cache_dir, write_atomic

FORMAT = 1
KEY_LENGTH = 20  # hex digits of a cache key, in every document's name
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


def document_name(name: str) -> re.Pattern[str]:
    """The names of the documents one analyser writes: ``{name}-{20 hex digits}.json``."""
    return re.compile(rf"{re.escape(name)}-[0-9a-f]{{{KEY_LENGTH}}}\.json")


@dataclass(frozen=True)
class Codec(Generic[Value]):
    """How an analyser's results are stored: ``decode`` raises ValueError on a bad shape."""

    decode: Callable[[object], Value]
    encode: Callable[[Value], object]


@dataclass
class _Entry(Generic[Value]):
    digest: str
    value: Value
    stored: object  # the JSON form, kept so saving does not encode every entry again


class AnalysisCache(Generic[Value]):
    """Results of one analyser, loaded once, looked up per unit, saved once."""

    def __init__(self, root: Path, name: str, key: str, codec: Codec[Value]) -> None:
        self.root = root
        self.name = name
        self.key = key
        self.codec = codec
        self.entries: dict[str, _Entry[Value]] = {}
        self.hits = 0
        self.misses = 0
        self.discarded = 0
        self.changed = False
        self.problem: str | None = None

    @property
    def folder(self) -> Path:
        return self.root / STATE_DIR / CACHE_DIR

    @property
    def path(self) -> Path:
        return self.folder / f"{self.name}-{self.key}.json"

    def load(self) -> AnalysisCache[Value]:
        try:
            if self.path.is_symlink():  # healthgate writes only regular files here
                return self._discard(f"{self.path.name} was a symlink and is rebuilt")
            document = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return self
        except (OSError, ValueError) as exc:
            # A torn or hand-edited file: start again from nothing.
            return self._discard(f"{self.path.name} was unreadable and is rebuilt ({exc})")
        if not isinstance(document, dict) or document.get("format") != FORMAT:
            return self._discard(f"{self.path.name} had an unknown layout and is rebuilt")
        entries = document.get("entries")
        for unit, entry in (entries if isinstance(entries, dict) else {}).items():
            loaded = self._decode(entry)
            if loaded is not None:
                self.entries[unit] = loaded
            else:
                self.discarded += 1
                self.changed = True
        return self

    def _discard(self, problem: str) -> AnalysisCache[Value]:
        self.problem = problem
        self.discarded += 1
        self.changed = True
        return self

    def _decode(self, entry: object) -> _Entry[Value] | None:
        if not isinstance(entry, dict) or not isinstance(entry.get("digest"), str):
            return None
        try:
            value = self.codec.decode(entry.get("value"))
        except (ValueError, TypeError, KeyError, AttributeError):
            # The codec checks every field; any other slip of a decoder is a bad entry too.
            return None
        return _Entry(entry["digest"], value, entry["value"])

    def get(self, unit: str, content_digest: str) -> Value | None:
        """The stored result for ``unit`` if it was computed from this content."""
        entry = self.entries.get(unit)
        if entry is not None and entry.digest == content_digest:
            self.hits += 1
            return entry.value
        self.misses += 1
        return None

    def value(self, unit: str) -> Value | None:
        """The stored result for ``unit``, whatever it was computed from; not counted."""
        entry = self.entries.get(unit)
        return None if entry is None else entry.value

    def put(self, unit: str, content_digest: str, value: Value) -> None:
        self.entries[unit] = _Entry(content_digest, value, self.codec.encode(value))
        self.changed = True

    def keep_only(self, units: Iterable[str]) -> None:
        """Forget entries for units that are no longer analysed."""
        wanted = set(units)
        for unit in [unit for unit in self.entries if unit not in wanted]:
            del self.entries[unit]
            self.changed = True

    def save(self, drop_stale: bool = True) -> None:
        """Write the document if anything changed; drop other cache keys' documents."""
        if not self.changed:
            return
        try:
            folder = cache_dir(self.root)
            entries = {
                unit: {"digest": entry.digest, "value": entry.stored}
                for unit, entry in self.entries.items()
            }
            document = {"format": FORMAT, "fingerprint": self.key, "entries": entries}
            write_atomic(self.path, json.dumps(document, separators=(",", ":")))
            if drop_stale:
                self._drop_stale(folder)
        except OSError as exc:
            # A read-only checkout still gets its figures, just without a cache.
            self.problem = f"cache not saved: {exc}"
        self.changed = False

    def _drop_stale(self, folder: Path) -> None:
        """Delete this analyser's documents of other cache keys, and nothing else."""
        ours = document_name(self.name)
        with os.scandir(folder) as entries:
            stale = [
                Path(entry.path)
                for entry in entries
                if ours.fullmatch(entry.name)
                and entry.name != self.path.name
                and entry.is_file(follow_symlinks=False)
            ]
        for path in stale:
            path.unlink(missing_ok=True)

    def stats(self) -> CacheStats:
        stats = CacheStats(hits=self.hits, misses=self.misses)
        if self.discarded:
            stats["discarded"] = self.discarded
        if self.problem:
            stats["problem"] = self.problem
        return stats
