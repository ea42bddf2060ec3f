"""Does the import_time verdict hold still on a busy machine?

Builds a throw-away project whose package spends real CPU time importing, times it
once on a quiet machine, sets the gate's bound so the package sits 20 % under it,
then starts busy processes and runs ``pytest --healthgate`` ten times in a row.
Prints every run's figure, the spread and the verdicts; exits 1 if any verdict is
not PASS.

    .venv/bin/python benchmarks/bench_import_flips.py [--runs 10] [--busy 1] [--samples 5]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import statistics
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Sequence
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


def write_project(root: Path, bound: str, samples: int) -> None:
    package = root / "src" / "crunch"
    package.mkdir(parents=True, exist_ok=True)
    (package / "__init__.py").write_text(PACKAGE)
    (package / "tables.py").write_text(SUBMODULE)
    (root / "test_nothing.py").write_text("def test_nothing():\n    pass\n")
    (root / "pyproject.toml").write_text(
        textwrap.dedent(
            f"""\
            [tool.pytest.ini_options]
            pythonpath = ["src"]

            [tool.healthgate]
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


def gate_once(root: Path) -> tuple[str, float]:
    report = root / "report.json"
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
    metric = json.loads(report.read_text())["metrics"][0]
    return metric["verdict"], float(metric["value"])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--busy", type=int, default=1, help="busy processes during the runs")
    parser.add_argument("--samples", type=int, default=5)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="healthgate-bench-") as scratch:
        root = Path(scratch)
        write_project(root, "60s", args.samples)
        _, quiet = gate_once(root)
        bound_ms = quiet / 0.8 * 1000
        write_project(root, f"{bound_ms:.1f}ms", args.samples)
        print(f"quiet machine: {quiet * 1000:.1f}ms; bound set to {bound_ms:.1f}ms (20% headroom)")

        busy = [multiprocessing.Process(target=spin, daemon=True) for _ in range(args.busy)]
        for process in busy:
            process.start()
        try:
            results = [gate_once(root) for _ in range(args.runs)]
        finally:
            for process in busy:
                process.terminate()
                process.join()

    values = [value for _, value in results]
    for index, (verdict, value) in enumerate(results, 1):
        print(f"run {index:2}: {value * 1000:7.1f}ms  {verdict}")
    low, high = min(values), max(values)
    print(
        f"{args.busy} busy process(es), best of {args.samples}: min {low * 1000:.1f}ms, "
        f"median {statistics.median(values) * 1000:.1f}ms, max {high * 1000:.1f}ms, "
        f"spread {(high - low) / low:.1%} of the minimum, "
        f"worst run {(high - quiet) / quiet:+.1%} against the quiet figure"
    )
    flips = [verdict for verdict, _ in results if verdict != "PASS"]
    print(f"verdicts: {len(results) - len(flips)} PASS, {len(flips)} not PASS")
    return 1 if flips else 0


if __name__ == "__main__":
    raise SystemExit(main())
