"""Benchmark the static gates on a large real codebase: Django's sdist from PyPI.

Not a test: run it by hand, on an otherwise idle machine, and copy what it prints
into docs/performance.md::

    .venv/bin/python benchmarks/bench_static.py [--sdist Django-x.y.tar.gz] [--rounds 2]

It times, on the `django/` package of the sdist:

* the sequence a person would run by hand: `ruff check`, `radon cc` and
  `bandit -r`, one after another, each with JSON output;
* `healthgate check` cold (no cache), warm (nothing changed) and after one
  file changed, each as the console script a user runs (start-up included).

Each figure is the best of ``--rounds`` runs. Targets on a 2-core machine:
cold <= 0.8 x the sequence, warm <= 1 s, one file changed <= 1.5 s.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

BIN = Path(sys.executable).parent
CONFIG = """
[tool.healthgate]
source = ["django"]

[tool.healthgate.gates]
debt = { fail = "2000h", warn = "1000h" }
debt_ratio = { fail = 20, warn = 10 }
rating = { fail = "C" }
complexity = { fail = "F", warn = "D" }
critical = { fail = 10 }
"""
CHANGED_FILE = "django/db/models/query.py"
TARGET_COLD_RATIO = 0.8
TARGET_WARM = 1.0
TARGET_CHANGED = 1.5


def download(folder: Path) -> Path:
    """Django's newest sdist, through pip (the ordinary client for PyPI)."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "django",
            "--no-deps",
            "--no-binary",
            ":all:",
            "--quiet",
            "-d",
            str(folder),
        ],
        check=True,
    )
    (archive,) = folder.glob("[Dd]jango-*.tar.gz")
    return archive


def unpack(archive: Path, folder: Path) -> Path:
    with tarfile.open(archive) as tar:
        tar.extractall(folder, filter="data")
    (tree,) = (path for path in folder.iterdir() if path.is_dir())
    pyproject = tree / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + CONFIG)
    return tree


def timed(command: Sequence[str], cwd: Path) -> tuple[float, str]:
    started = time.perf_counter()
    completed = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if completed.returncode not in (0, 1):
        raise SystemExit(
            f"{' '.join(command)} failed ({completed.returncode}):\n{completed.stderr}"
        )
    return elapsed, completed.stdout


def best(rounds: int, run: Callable[[], float]) -> float:
    return min(run() for _ in range(rounds))


def sequence(tree: Path) -> dict[str, float]:
    commands = {
        "ruff check": [
            str(BIN / "ruff"),
            "check",
            "--no-cache",
            "--exit-zero",
            "--output-format",
            "json",
            "django",
        ],
        "radon cc": [str(BIN / "radon"), "cc", "--json", "django"],
        "bandit -r": [str(BIN / "bandit"), "-r", "-q", "-f", "json", "django"],
    }
    return {name: timed(command, tree)[0] for name, command in commands.items()}


def healthgate(tree: Path) -> tuple[float, dict[str, object]]:
    elapsed, out = timed([str(BIN / "healthgate"), "check", "--format", "json"], tree)
    return elapsed, json.loads(out)


def cold(tree: Path) -> float:
    shutil.rmtree(tree / ".healthgate" / "cache", ignore_errors=True)
    return healthgate(tree)[0]


def changed(tree: Path) -> float:
    path = tree / CHANGED_FILE
    path.write_text(path.read_text() + f"\n# benchmark edit {time.time_ns()}\n")
    return healthgate(tree)[0]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sdist", type=Path, help="a Django sdist already downloaded")
    parser.add_argument("--rounds", type=int, default=1, help="best of N for every figure")
    arguments = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="healthgate-bench-") as scratch:
        folder = Path(scratch)
        archive = arguments.sdist or download(folder / "download")
        tree = unpack(archive, folder / "tree")
        files = sum(1 for _ in (tree / "django").rglob("*.py"))
        lines = sum(len(p.read_bytes().splitlines()) for p in (tree / "django").rglob("*.py"))
        print(f"tree: {archive.name}, django/: {files} Python files, {lines} lines")
        print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")

        parts = min(
            (sequence(tree) for _ in range(arguments.rounds)),
            key=lambda found: sum(found.values()),
        )
        by_hand = sum(parts.values())
        figures = {
            "cold": best(arguments.rounds, lambda: cold(tree)),
            "warm": best(arguments.rounds, lambda: healthgate(tree)[0]),
            "one file changed": best(arguments.rounds, lambda: changed(tree)),
        }
        _elapsed, report = healthgate(tree)

    print()
    for name, seconds in parts.items():
        print(f"  {name:<18} {seconds:7.2f} s")
    print(f"  {'sequence':<18} {by_hand:7.2f} s")
    print()
    targets = {
        "cold": (TARGET_COLD_RATIO * by_hand, f"<= {TARGET_COLD_RATIO} x sequence"),
        "warm": (TARGET_WARM, f"<= {TARGET_WARM} s"),
        "one file changed": (TARGET_CHANGED, f"<= {TARGET_CHANGED} s"),
    }
    for name, seconds in figures.items():
        limit, text = targets[name]
        verdict = "met" if seconds <= limit else "MISSED"
        print(
            f"  healthgate {name:<17} {seconds:7.2f} s  ratio {seconds / by_hand:5.2f}"
            f"  target {text}: {verdict}"
        )
    metrics = report["metrics"]
    assert isinstance(metrics, list)
    shown = ", ".join(f"{metric['name']} {metric['display']}" for metric in metrics)
    print()
    print(f"  figures: {shown}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
