"""What a gated run costs against ``pytest --cov``, on real test suites from PyPI.

Not a test: run it by hand and copy what it prints into docs/performance.md::

    .venv/bin/python benchmarks/bench_gated_run.py [--rounds 5] [--suite humanize==4.9.0 ...]

It downloads each suite's sdist through pip (``pip download --no-binary :all:
--no-deps``), unpacks it and installs it editable (its dependencies from pip), with this checkout's package
(editable), pytest-cov and pytest-xdist (the versions of requirements-dev.txt),
into a scratch virtual environment that later invocations reuse (``--venv``).

For every suite, and every case - serial and ``-n 2``, each with a warm and a
cold analysis cache (cold: ``.healthgate/cache`` deleted just before the run) -
it runs, in pairs, A = ``pytest --cov=PKG`` and B = ``pytest --healthgate`` with
every gate of the default playbook on (``import_time`` and ``memory`` included;
``test_memory``, opt-in and a per-test tracemalloc, is left off). The pairs of all
cases are interleaved round by round, and the order within a pair alternates
(A B, then B A), so a burst of load on a shared machine falls on both sides.
Each run is timed as a whole process (start-up included). Printed per case:
the median of A, the median of B, their ratio, and the median of the per-pair
ratios, beside the targets (warm: <= 1.00 x serial, <= 1.02 x under -n 2;
cold: <= 1.03 x). The load average is printed before and after.

A gated run that does not exit 0 stops the benchmark: a figure of a run whose
gates did not all PASS would not be the figure of a gated run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SUITES = ("humanize==4.9.0", "python-slugify==9.2.0")
# The import name and the test folder of each suite, where it is not obvious.
PACKAGES = {"humanize": "humanize", "python-slugify": "slugify", "more-itertools": "more_itertools"}
# Generous bounds: the benchmark times the work of every gate, not a verdict.
GATES = """
[tool.healthgate]
source = ["{source}"]
packages = ["{package}"]

[tool.healthgate.gates]
coverage = {{ fail = "10%" }}
pass_rate = {{ fail = "90%" }}
collection_errors = {{ fail = "10%" }}
duration = {{ fail = "10m" }}
debt = {{ fail = "1000h" }}
debt_ratio = {{ fail = "50%" }}
rating = {{ fail = "E" }}
complexity = {{ fail = "F" }}
critical = {{ fail = 100 }}
import_time = {{ fail = "5s" }}
import_memory = {{ fail = "1GB" }}
memory = {{ fail = "2GB" }}
"""
TARGETS = {
    ("serial", "warm"): 1.00,
    ("-n 2", "warm"): 1.02,
    ("serial", "cold"): 1.03,
    ("-n 2", "cold"): 1.03,
}


@dataclass(frozen=True)
class Suite:
    requirement: str
    folder: Path
    package: str

    @property
    def name(self) -> str:
        return self.requirement.split("==")[0]


@dataclass
class Case:
    suite: Suite
    mode: str  # "serial" or "-n 2"
    cache: str  # "warm" or "cold"
    baseline: list[float] = field(default_factory=list)
    gated: list[float] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.suite.name:16} {self.mode:7} {self.cache}"


def run(command: list[str], cwd: Path | None = None) -> None:
    subprocess.run(command, cwd=cwd, check=True, stdout=subprocess.DEVNULL)


def prepare(venv: Path, requirements: list[str]) -> list[Suite]:
    """The scratch environment and the unpacked suites (both reused when present)."""
    python = venv / "bin" / "python"
    sdists, sources = venv / "sdists", venv / "suites"
    fresh = not python.exists()
    if fresh:
        run([sys.executable, "-m", "venv", str(venv)])
    suites = []
    for requirement in requirements:
        name = requirement.split("==")[0]
        archives = list(sdists.glob(f"{name.replace('-', '_')}-*.tar.gz")) + list(
            sdists.glob(f"{name}-*.tar.gz")
        )
        if not archives:
            sdists.mkdir(parents=True, exist_ok=True)
            run(
                [sys.executable, "-m", "pip", "download", "--no-binary", ":all:", "--no-deps"]
                + [requirement, "-d", str(sdists)]
            )
            archives = list(sdists.glob(f"{name.replace('-', '_')}-*.tar.gz")) + list(
                sdists.glob(f"{name}-*.tar.gz")
            )
        archive = archives[0]
        folder = sources / archive.name.removesuffix(".tar.gz")
        if not folder.exists():
            with tarfile.open(archive) as tar:
                tar.extractall(sources, filter="data")
            # Editable, so the tests import the measured source (as in a checkout).
            run([str(python), "-m", "pip", "install", "-q", "--no-deps", "-e", str(folder)])
            package = PACKAGES.get(name, name.replace("-", "_"))
            source = package if (folder / package).is_dir() else f"src/{package}"
            with (folder / "pyproject.toml").open("a", encoding="utf-8") as handle:
                handle.write(GATES.format(source=source, package=package))
        suites.append(Suite(requirement, folder, PACKAGES.get(name, name.replace("-", "_"))))
    if fresh:
        run(
            [str(python), "-m", "pip", "install", "-q", "-r", str(REPO / "requirements-dev.txt")]
            + ["-e", str(REPO)]
        )
    return suites


def command(python: Path, case: Case, gated: bool) -> list[str]:
    base = [str(python), "-m", "pytest", "-q"]
    if case.mode == "-n 2":
        base += ["-n", "2"]
    return [*base, "--healthgate"] if gated else [*base, f"--cov={case.suite.package}"]


def timed(python: Path, case: Case, gated: bool) -> float:
    if gated and case.cache == "cold":
        shutil.rmtree(case.suite.folder / ".healthgate" / "cache", ignore_errors=True)
    started = time.perf_counter()
    done = subprocess.run(
        command(python, case, gated), cwd=case.suite.folder, capture_output=True, check=False
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        sys.stdout.write(done.stdout.decode(errors="replace")[-3000:])
        raise SystemExit(f"{case.label}: {'gated' if gated else 'baseline'} run exited "
                         f"{done.returncode}")
    return elapsed


def show_gates(python: Path, suite: Suite) -> None:
    """One gated run's verdicts, so the figures show every gate ran."""
    report = suite.folder / "bench-report.json"
    subprocess.run(
        [str(python), "-m", "pytest", "-q", "--healthgate", f"--healthgate-report=json:{report}"],
        cwd=suite.folder,
        capture_output=True,
        check=False,
    )
    metrics = json.loads(report.read_text())["metrics"]
    report.unlink()
    verdicts = ", ".join(f"{m['name']} {m['verdict']}" for m in metrics)
    print(f"{suite.name}: {verdicts}")


def summary(case: Case) -> str:
    a, b = statistics.median(case.baseline), statistics.median(case.gated)
    pairs = statistics.median(g / c for c, g in zip(case.baseline, case.gated, strict=True))
    target = TARGETS[(case.mode, case.cache)]
    met = "met" if b / a <= target else "MISSED"
    return (
        f"{case.label:32} cov {a:6.2f} s  gated {b:6.2f} s  ratio {b / a:5.3f}  "
        f"pairs {pairs:5.3f}  target <= {target:.2f}: {met}"
    )


def loadavg() -> str:
    try:
        return Path("/proc/loadavg").read_text().strip()
    except OSError:
        return "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--suite", action="append", help="NAME==VERSION of a PyPI sdist")
    parser.add_argument("--venv", type=Path, default=Path("/tmp/healthgate-bench-gated"))
    parser.add_argument("--mode", choices=["serial", "-n 2"], action="append")
    parser.add_argument("--cache", choices=["warm", "cold"], action="append")
    arguments = parser.parse_args()
    suites = prepare(arguments.venv, arguments.suite or list(DEFAULT_SUITES))
    python = arguments.venv / "bin" / "python"
    cases = [
        Case(suite, mode, cache)
        for suite in suites
        for mode in arguments.mode or ["serial", "-n 2"]
        for cache in arguments.cache or ["warm", "cold"]
    ]
    for suite in suites:
        show_gates(python, suite)  # also warms the caches and the bytecode
        timed(python, Case(suite, "serial", "warm"), gated=False)
    print(f"load average before: {loadavg()}  (cores: {os.cpu_count()})", flush=True)
    for round_number in range(arguments.rounds):
        for case in cases:
            order = (False, True) if round_number % 2 == 0 else (True, False)
            for gated in order:
                (case.gated if gated else case.baseline).append(timed(python, case, gated))
        print(f"round {round_number + 1}/{arguments.rounds} done, load {loadavg()}", flush=True)
    print(f"load average after: {loadavg()}")
    print(f"medians of {arguments.rounds} pairs, A = pytest --cov=PKG, B = pytest --healthgate")
    for case in cases:
        print(summary(case))


if __name__ == "__main__":
    main()
