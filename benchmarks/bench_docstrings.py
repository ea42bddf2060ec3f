"""Benchmark the docstrings gate against interrogate by hand, on Django's `django/`.

Not a test: run it by hand on an otherwise idle machine::

    .venv/bin/python benchmarks/bench_docstrings.py [--sdist Django-x.y.tar.gz] [--rounds 5]

Paired runs, A B A B ...: `interrogate django` (the console script, start-up
included) against the gate's measurement in a fresh process with an empty
cache (cold); then the gate with the cache filled (warm) and after one file
changed. Each figure is the median of ``--rounds`` runs, wall and CPU time.
It also checks that the gate's figure is interrogate's ("actual: N%").
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from bench_static import BIN, CHANGED_FILE, Timing, download, medians, timed, unpack

MEASURE = (
    "import sys; from pathlib import Path; "
    "from pytest_healthgate.collect.docstrings import measure_docstrings; "
    "m = measure_docstrings(Path('.'), ('django',)); print(m.value, m.extra['cache'])"
)


def gate(tree: Path) -> tuple[Timing, str]:
    return timed([sys.executable, "-c", MEASURE], tree)


def cold(tree: Path) -> tuple[Timing, str]:
    shutil.rmtree(tree / ".healthgate" / "cache", ignore_errors=True)
    return gate(tree)


def changed(tree: Path) -> Timing:
    path = tree / CHANGED_FILE
    path.write_text(path.read_text() + f"\ndef added_{time.time_ns()}():\n    pass\n")
    return gate(tree)[0]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sdist", type=Path, help="a Django sdist already downloaded")
    parser.add_argument("--rounds", type=int, default=5, help="median of N for every figure")
    arguments = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="healthgate-bench-") as scratch:
        folder = Path(scratch)
        archive = arguments.sdist or download(folder / "download")
        tree = unpack(archive, folder / "tree")
        by_hand: list[Timing] = []
        first: list[Timing] = []
        said = measured = ""
        for _ in range(arguments.rounds):
            timing, said = timed([str(BIN / "interrogate"), "--fail-under", "0", "django"], tree)
            by_hand.append(timing)
            timing, measured = cold(tree)
            first.append(timing)
        warm = [gate(tree)[0] for _ in range(arguments.rounds)]
        one = [changed(tree) for _ in range(arguments.rounds)]
    print(f"tree: {archive.name}, django/")
    found = re.search(r"actual: ([\d.]+)%", said)
    print(f"interrogate: {found.group(1) if found else '?'}%; the gate: {measured.strip()}")
    rows = {
        "interrogate django": medians(by_hand),
        "gate, empty cache": medians(first),
        "gate, warm": medians(warm),
        "gate, one file changed": medians(one),
    }
    print(f"  {'':<26}{'wall':>8}{'CPU':>8}")
    for name, (wall, cpu) in rows.items():
        print(f"  {name:<26}{wall:>8.2f}{cpu:>8.2f}")
    base = rows["interrogate django"][0]
    for name in ("gate, empty cache", "gate, warm", "gate, one file changed"):
        print(f"  {name}: {rows[name][0] / base:.2f} x interrogate's wall")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
