"""Benchmark the static gates on a large real codebase: Django's sdist from PyPI.

Not a test: run it by hand, on an otherwise idle machine, and copy what it prints
into docs/performance.md::

    .venv/bin/python benchmarks/bench_static.py [--sdist Django-x.y.tar.gz] [--rounds 2]

It times, on the `django/` package of the sdist:

* the sequence a person would run by hand: `ruff check`, `radon cc` and
  `bandit -r`, one after another, each with JSON output;
* `healthgate check` cold (no cache), warm (nothing changed) and after one
  file changed, each as the console script a user runs (start-up included).

Cold runs are paired with the sequence, A B A B ..., so both see the same load;
each figure is the median of ``--rounds`` runs, wall time and CPU time (user +
system of the process and every child it waited for). Targets on a 2-core
machine: cold <= 0.5 x the sequence's wall time and <= 1.0 x its CPU time,
warm <= 0.3 s, one file changed <= 0.5 s. Python writes bytecode as usual here
(PYTHONDONTWRITEBYTECODE is unset for the runs), as on a developer's machine.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

BIN = Path(sys.executable).parent
# The static gates alone, as the targets were set against ruff + radon + bandit; the
# default playbook's other gates (structure, docstrings, duplication) with --playbook.
CONFIG = """
[tool.healthgate]
source = ["django"]
default_gates = DEFAULT_GATES

[tool.healthgate.gates]
debt = { fail = "2000h", warn = "1000h" }
debt_ratio = { fail = 20, warn = 10 }
rating = { fail = "C" }
complexity = { fail = "F", warn = "D" }
critical = { fail = 10 }
"""
CHANGED_FILE = "django/db/models/query.py"
TARGET_COLD_WALL = 0.5  # x the sequence
TARGET_COLD_CPU = 1.0  # x the sequence
TARGET_WARM = 0.3  # seconds
TARGET_CHANGED = 0.5  # seconds
# The sequence's wall time on the machine the seconds above were set on: the
# share of it a run takes is comparable on a slower or busier machine.
SEQUENCE_WHEN_SET = 9.16
ENV = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
Timing = tuple[float, float]  # wall, CPU seconds


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


def unpack(archive: Path, folder: Path, playbook: bool = False) -> Path:
    with tarfile.open(archive) as tar:
        tar.extractall(folder, filter="data")
    (tree,) = (path for path in folder.iterdir() if path.is_dir())
    pyproject = tree / "pyproject.toml"
    config = CONFIG.replace("DEFAULT_GATES", "true" if playbook else "false")
    pyproject.write_text(pyproject.read_text() + config)
    return tree


def timed(command: Sequence[str], cwd: Path) -> tuple[Timing, str]:
    """Wall and CPU time of a command (its children's CPU included), and what it printed."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    completed = subprocess.run(
        command, cwd=cwd, env=ENV, capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if completed.returncode not in (0, 1):
        raise SystemExit(
            f"{' '.join(command)} failed ({completed.returncode}):\n{completed.stderr}"
        )
    return (elapsed, cpu), completed.stdout


SEQUENCE = {
    "ruff check": ["ruff", "check", "--no-cache", "--exit-zero", "--output-format", "json"],
    "radon cc": ["radon", "cc", "--json"],
    "bandit -r": ["bandit", "-r", "-q", "-f", "json"],
}


def sequence(tree: Path, parts: dict[str, list[Timing]]) -> Timing:
    """The three tools one after another; each one's timing is added to ``parts``."""
    wall = cpu = 0.0
    for name, (tool, *arguments) in SEQUENCE.items():
        (elapsed, used), _out = timed([str(BIN / tool), *arguments, "django"], tree)
        parts.setdefault(name, []).append((elapsed, used))
        wall, cpu = wall + elapsed, cpu + used
    return wall, cpu


def healthgate(tree: Path) -> tuple[Timing, dict[str, object]]:
    timing, out = timed([str(BIN / "healthgate"), "check", "--format", "json"], tree)
    return timing, json.loads(out)


def cold(tree: Path) -> Timing:
    shutil.rmtree(tree / ".healthgate" / "cache", ignore_errors=True)
    return healthgate(tree)[0]


def changed(tree: Path) -> Timing:
    path = tree / CHANGED_FILE
    path.write_text(path.read_text() + f"\n# benchmark edit {time.time_ns()}\n")
    return healthgate(tree)[0]


def medians(timings: list[Timing]) -> Timing:
    return (
        statistics.median(wall for wall, _ in timings),
        statistics.median(cpu for _, cpu in timings),
    )


def verdict(value: float, limit: float) -> str:
    return "met" if value <= limit else "MISSED"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sdist", type=Path, help="a Django sdist already downloaded")
    parser.add_argument("--rounds", type=int, default=3, help="median of N for every figure")
    parser.add_argument(
        "--playbook",
        action="store_true",
        help="the default playbook's other gates too (structure, docstrings, duplication)",
    )
    arguments = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="healthgate-bench-") as scratch:
        folder = Path(scratch)
        archive = arguments.sdist or download(folder / "download")
        tree = unpack(archive, folder / "tree", arguments.playbook)
        files = sum(1 for _ in (tree / "django").rglob("*.py"))
        lines = sum(len(p.read_bytes().splitlines()) for p in (tree / "django").rglob("*.py"))
        print(f"tree: {archive.name}, django/: {files} Python files, {lines} lines")
        print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
        healthgate(tree)  # bytecode of the tools and of healthgate written once
        parts: dict[str, list[Timing]] = {}
        pairs = [(sequence(tree, parts), cold(tree)) for _ in range(arguments.rounds)]
        by_hand = medians([pair[0] for pair in pairs])
        figures = {
            "cold": medians([pair[1] for pair in pairs]),
            "warm": medians([healthgate(tree)[0] for _ in range(arguments.rounds)]),
            "one file changed": medians([changed(tree) for _ in range(arguments.rounds)]),
        }
        _timing, report = healthgate(tree)
        load = Path("/proc/loadavg").read_text().split()[:3]

    print(f"load average after the runs: {' '.join(load)}")
    print()
    print(f"  {'':<28}{'wall':>8}{'CPU':>8}")
    for name, timings in parts.items():
        wall, cpu = medians(timings)
        print(f"  {name:<28}{wall:>8.2f}{cpu:>8.2f}")
    print(f"  {'sequence':<28}{by_hand[0]:>8.2f}{by_hand[1]:>8.2f}")
    for name, (wall, cpu) in figures.items():
        print(f"  {'healthgate ' + name:<28}{wall:>8.2f}{cpu:>8.2f}")
    print()
    wall, cpu = figures["cold"]
    print(
        f"  cold: {wall / by_hand[0]:.2f} x the sequence's wall (target <= {TARGET_COLD_WALL}: "
        f"{verdict(wall / by_hand[0], TARGET_COLD_WALL)}), {cpu / by_hand[1]:.2f} x its CPU "
        f"(target <= {TARGET_COLD_CPU}: {verdict(cpu / by_hand[1], TARGET_COLD_CPU)})"
    )
    for name, limit in (("warm", TARGET_WARM), ("one file changed", TARGET_CHANGED)):
        seconds = figures[name][0]
        share = seconds / by_hand[0] * 100
        print(
            f"  {name}: {seconds:.2f} s (target <= {limit} s: {verdict(seconds, limit)}); "
            f"{share:.1f} % of the sequence's wall ({limit / SEQUENCE_WHEN_SET * 100:.1f} % "
            f"when the targets were set)"
        )
    metrics = report["metrics"]
    assert isinstance(metrics, list)
    shown = ", ".join(f"{metric['name']} {metric['display']}" for metric in metrics)
    print()
    print(f"  figures: {shown}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
