"""Which cache layout loads fastest: SQLite, one JSON document, or one file per entry?

Not a test: run it by hand; docs/performance.md has the figures and why the
cache is SQLite. It stores N results of the per-file analysis's shape (about
700 bytes of JSON each, as on Django) in three layouts under a temporary folder,
then times, in a new process each (as a hook or `healthgate check` starts):

* the lookup of 5 entries (a hook on five staged files),
* the lookup of 1,770 entries (a warm `healthgate check` on Django: two
  analysers x 885 files),

out of a cache holding 10,000 entries (several versions of a large project).
Each figure is the median of ``--rounds`` runs, the three layouts interleaved;
the clock starts after Python and the modules every run imports anyway (the
cache module, and with it ``sqlite3``: about 4 ms). Writing is not timed: one
file per entry means a file written (atomically) per result.

    .venv/bin/python benchmarks/bench_cache_store.py [--rounds 9]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from pytest_healthgate.store.cache import AnalysisCache, CacheStore, Codec

STORED = 10_000
VALUE = {
    "lines": 120,
    "functions": [["Class.method", 10 + i, 3, "A"] for i in range(12)],
    "mi": 61.2,
    "mi_rank": "A",
    "markers": [[40, "TODO", "# TODO: something to do later"]],
    "security": [["B101", "LOW", "HIGH", 77, "Use of assert detected."]],
}
PROBE = """
import json, sys, time
from pathlib import Path
# Imported by every run (the engine imports it): not the layout's cost.
from pytest_healthgate.store.cache import AnalysisCache, CacheStore, Codec
started = time.perf_counter()
layout, folder, wanted = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
if layout == "sqlite":
    store = CacheStore(Path(folder))
    cache = AnalysisCache(store, "files", "key", Codec(dict, lambda v: v))
    missing = cache.lookup({digest: digest for digest in wanted})
    store.close()
elif layout == "document":
    with open(folder + "/files.json") as handle:
        document = json.load(handle)
    found = {digest: document[digest] for digest in wanted if digest in document}
    missing = [digest for digest in wanted if digest not in found]
else:
    missing = []
    for digest in wanted:
        try:
            with open(f"{folder}/shards/{digest[:2]}/{digest}.json") as handle:
                json.load(handle)
        except FileNotFoundError:
            missing.append(digest)
assert not missing, len(missing)
print(time.perf_counter() - started)
"""


def digest(number: int) -> str:
    return hashlib.sha256(str(number).encode()).hexdigest()


def build(folder: Path) -> list[str]:
    digests = [digest(number) for number in range(STORED)]
    text = json.dumps(VALUE, separators=(",", ":"))
    store = CacheStore(folder, max_bytes=1 << 40)
    cache = AnalysisCache(store, "files", "key", Codec(dict, lambda value: value))
    cache.lookup({})
    for name in digests:
        cache.put(name, name, VALUE)
    cache.save()
    store.close()
    (folder / "files.json").write_text(json.dumps(dict.fromkeys(digests, VALUE)))
    for name in digests:
        shard = folder / "shards" / name[:2]
        shard.mkdir(parents=True, exist_ok=True)
        (shard / f"{name}.json").write_text(text)
    return digests


def timed(layout: str, folder: Path, wanted: list[str]) -> float:
    """Seconds the lookup took inside a new process (start-up of Python excluded)."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    completed = subprocess.run(
        [sys.executable, "-c", PROBE, layout, str(folder), json.dumps(wanted)],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    return float(completed.stdout)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    arguments = parser.parse_args(argv)
    layouts = ("sqlite", "document", "shards")
    with tempfile.TemporaryDirectory(prefix="healthgate-bench-") as scratch:
        folder = Path(scratch)
        started = time.perf_counter()
        digests = build(folder)
        print(f"{STORED} entries stored in {time.perf_counter() - started:.1f} s")
        for count in (5, 1770):
            wanted = digests[1000 : 1000 + count]
            times: dict[str, list[float]] = {layout: [] for layout in layouts}
            for _ in range(arguments.rounds):
                for layout in layouts:
                    times[layout].append(timed(layout, folder, wanted))
            shown = ", ".join(
                f"{layout} {statistics.median(values) * 1000:.1f} ms"
                for layout, values in times.items()
            )
            print(f"  lookup of {count} entries: {shown}")
    print(f"  load: {' '.join(Path('/proc/loadavg').read_text().split()[:3])}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
