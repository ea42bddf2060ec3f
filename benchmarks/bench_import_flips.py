"""Does the import_time verdict hold still on a busy machine?

Builds a throw-away project whose package spends real CPU time importing, times it
once on a quiet machine, sets the gate's bound so the package sits 20 % under it,
then, for each number of busy processes asked for, starts that many spinning
processes and runs ``pytest --healthgate`` ten times in a row. Prints every run's
figure with the clocks behind it (the best sample's wall clock, the time it waited
for a CPU, and the best CPU time of the run), then one summary table. Per busy
level it gives how busy the cores were (every process, as /proc/stat counts), the
spread of the judged figures, the flips, and how many runs a gate judging the
plain wall clock would have failed. Exits 1 if any verdict is not PASS.

    .venv/bin/python benchmarks/bench_import_flips.py [--runs 10] [--busy 0 1 2] [--samples 5]
        [--during-tests]

``--during-tests`` holds the session open until every sample is drawn, so the
samples run while tests run, at the probes' lowered priority (see priority.py);
without it the one test ends at once and most samples are drawn after it.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

PACKAGE = """\
import decimal, email.mime.multipart, json, xml.dom.minidom

from crunch import tables

TOTAL = sum(i * i for i in range(400_000))
"""
SUBMODULE = """\
SQUARES = {i: i * i for i in range(200_000)}
"""


def spin() -> None:
    while True:
        pass


# --during-tests: each import leaves a line in a witness file, and the one test holds
# the session open until the warm-up and every sample have imported, so all the
# samples are drawn while tests run (at the children's lowered priority).
WITNESS_LINE = "open({witness!r}, 'a').write('imported\\n')\n"
HOLDING_TEST = """\
import pathlib, time

WITNESS = pathlib.Path({witness!r})

def test_holds_the_session_until_the_samples_are_drawn():
    deadline = time.monotonic() + 120
    while (len(WITNESS.read_text().split()) if WITNESS.exists() else 0) < {children}:
        assert time.monotonic() < deadline
        time.sleep(0.01)
"""


def write_project(root: Path, bound: str, samples: int, during_tests: bool = False) -> None:
    package = root / "src" / "crunch"
    package.mkdir(parents=True, exist_ok=True)
    witness = str(root / "imported")
    prefix = WITNESS_LINE.format(witness=witness) if during_tests else ""
    (package / "__init__.py").write_text(prefix + PACKAGE)
    (package / "tables.py").write_text(SUBMODULE)
    test = (
        HOLDING_TEST.format(witness=witness, children=samples + 1)
        if during_tests
        else "def test_nothing():\n    pass\n"
    )
    (root / "test_nothing.py").write_text(test)
    (root / "pyproject.toml").write_text(
        textwrap.dedent(
            f"""\
            [tool.pytest.ini_options]
            pythonpath = ["src"]

            [tool.healthgate]
            default_gates = false  # import_time alone, as written below
            source = ["src/crunch"]
            packages = ["crunch"]

            [tool.healthgate.gates]
            coverage = false
            pass_rate = false
            collection_errors = false
            duration = false
            import_time = {{ fail = "{bound}" }}

            [tool.healthgate.imports]
            samples = {samples}
            """
        )
    )


@dataclass(frozen=True)
class Run:
    """One ``pytest --healthgate`` run: its verdict and the clocks behind its figure."""

    verdict: str
    value: float  # the judged figure: best sample's wall clock less its wait for a CPU
    wall: float  # the best sample's wall clock
    waiting: float | None  # the best sample's wait for a CPU
    best_wall: float  # the smallest wall clock of any sample (a wall-clock gate's figure)
    best_cpu: float  # the smallest CPU time of any sample


def gate_once(root: Path) -> Run:
    report = root / "report.json"
    (root / "imported").unlink(missing_ok=True)  # --during-tests counts this run's imports
    # Each verdict is the bound's alone: with the run history kept, five rising
    # figures in a row would warn as a trend (trend_runs), which is no flip.
    shutil.rmtree(root / ".healthgate", ignore_errors=True)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--healthgate",
            f"--healthgate-report=json:{report}",
            "-p",
            "no:cacheprovider",
            "-q",
        ],
        cwd=root,
        capture_output=True,
        check=False,
    )
    metrics = json.loads(report.read_text())["metrics"]
    metric = next(metric for metric in metrics if metric["name"] == "import_time")
    package = metric["extra"]["packages"]["crunch"]
    best = package["seconds"].index(package["best"])
    return Run(
        metric["verdict"],
        float(metric["value"]),
        package["wall"][best],
        package["waiting"][best],
        min(package["wall"]),
        min(package["cpu"]),
    )


def cpu_ticks() -> tuple[int, int] | None:
    """(idle, total) ticks of all cores since boot, from Linux's /proc/stat."""
    try:
        fields = [int(field) for field in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    except (OSError, ValueError):
        return None
    return fields[3] + fields[4], sum(fields)  # idle + iowait


def busy_share(before: tuple[int, int] | None, after: tuple[int, int] | None) -> str:
    """How busy every core was, together, between two readings (all processes)."""
    if before is None or after is None or after[1] == before[1]:
        return "-"
    return f"{1 - (after[0] - before[0]) / (after[1] - before[1]):.0%}"


def ms(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds * 1000:.1f}ms"


def runs_while_busy(root: Path, busy: int, runs: int) -> list[Run]:
    spinners = [multiprocessing.Process(target=spin, daemon=True) for _ in range(busy)]
    for process in spinners:
        process.start()
    try:
        return [gate_once(root) for _ in range(runs)]
    finally:
        for process in spinners:
            process.terminate()
            process.join()


TABLE_HEADER = (
    "busy",
    "CPUs busy",
    "min",
    "median",
    "max",
    "spread",
    "worst vs quiet",
    "flips",
    "wall max",
    "wall spread",
    "wall > bound",
)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument(
        "--busy",
        type=int,
        nargs="+",
        default=[0, 1, 2],
        help="numbers of busy processes, one series of runs each (default: 0 1 2)",
    )
    parser.add_argument("--samples", type=int, default=5)
    parser.add_argument(
        "--during-tests",
        action="store_true",
        help="draw every sample while a test runs (the probes' lowered priority)",
    )
    args = parser.parse_args(argv)

    series: dict[int, list[Run]] = {}
    loads: dict[int, str] = {}
    with tempfile.TemporaryDirectory(prefix="healthgate-bench-") as scratch:
        root = Path(scratch)
        write_project(root, "60s", args.samples, args.during_tests)
        quiet = gate_once(root).value
        bound = quiet / 0.8
        write_project(root, f"{bound * 1000:.1f}ms", args.samples, args.during_tests)
        print(f"cores: {os.cpu_count()}; load average before: {os.getloadavg()[0]:.2f}")
        print(f"quiet machine: {ms(quiet)}; bound set to {ms(bound)} (20% headroom)")
        for busy in args.busy:
            print(f"\n{busy} busy process(es):  judged = wall - waiting; best wall, best CPU")
            ticks = cpu_ticks()
            series[busy] = results = runs_while_busy(root, busy, args.runs)
            loads[busy] = busy_share(ticks, cpu_ticks())
            for index, run in enumerate(results, 1):
                print(
                    f"run {index:2}: {ms(run.value):>8} = {ms(run.wall):>8} - "
                    f"{ms(run.waiting):>8}  {run.verdict:5}  "
                    f"best wall {ms(run.best_wall):>8}, best CPU {ms(run.best_cpu):>8}"
                )

    print(f"\nbest of {args.samples}, {args.runs} runs per level, bound {ms(bound)}")
    flips = 0
    rows = [TABLE_HEADER]
    for busy, results in series.items():
        values = [run.value for run in results]
        walls = [run.best_wall for run in results]
        failed = sum(run.verdict != "PASS" for run in results)
        flips += failed
        rows.append(
            (
                str(busy),
                loads[busy],
                ms(min(values)),
                ms(statistics.median(values)),
                ms(max(values)),
                spread(values),
                f"{(max(values) - quiet) / quiet:+.1%}",
                f"{failed}/{len(results)}",
                ms(max(walls)),
                spread(walls),
                f"{sum(wall > bound for wall in walls)}/{len(walls)}",
            )
        )
    widths = [max(len(row[column]) for row in rows) for column in range(len(TABLE_HEADER))]
    for row in rows:
        print("  ".join(cell.rjust(width) for cell, width in zip(row, widths, strict=True)))
    return 1 if flips else 0


def spread(values: list[float]) -> str:
    """(max - min) / min."""
    return f"{(max(values) - min(values)) / min(values):.1%}"


if __name__ == "__main__":
    raise SystemExit(main())
