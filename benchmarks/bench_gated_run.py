"""What a gated run costs against ``pytest --cov``, on real test suites from PyPI.

Not a test: run it by hand and copy what it prints into docs/performance.md::

    .venv/bin/python benchmarks/bench_gated_run.py [--rounds 5] [--suite humanize==4.9.0 ...]

It downloads each suite's sdist through pip (``pip download --no-binary :all:
--no-deps``), unpacks it and installs it editable (its dependencies through
pip) into a scratch virtual environment that later invocations reuse
(``--venv``), with this checkout's package (editable), pytest-cov,
pytest-xdist and what the suites' tests import (the versions of
requirements-dev.txt) - nothing else, since any pytest plugin installed there
would run on both sides.

For every suite, and every case - serial and ``-n 2``, each with a warm and a
cold analysis cache (cold: ``.healthgate/cache`` deleted just before the run) -
it runs, in pairs, A = ``pytest --cov=PKG`` and B = ``pytest --healthgate`` with
every gate of the default playbook on (``import_time`` and ``memory`` included;
``test_memory``, opt-in and a per-test tracemalloc, is left off). The pairs of all
cases are interleaved round by round, and the order within a pair alternates
(A B, then B A), so a burst of load on a shared machine falls on both sides.
Each run is timed as a whole process (start-up included). Bytecode is written
(``PYTHONDONTWRITEBYTECODE`` is removed from the runs' environment unless
``--no-bytecode``): without it every run compiles pytest, coverage.py and the
plugin again, and pytest rewrites the plugin's modules (an entry-point plugin)
every time, which no developer's machine does. ``--also LABEL:KEY=VALUE`` adds
gated sides run with an environment variable set, interleaved with the others. Printed per case:
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
import resource
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
# From requirements-dev.txt: the runs themselves, what the suites' tests import, and the
# tools of the default playbook's docstrings and duplication gates (no pytest plugins).
RUN_REQUIREMENTS = (
    "pytest",
    "pluggy",
    "coverage",
    "pytest-cov",
    "pytest-xdist",
    "freezegun",
    "interrogate",
    "pylint",
)
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
        return self.requirement.partition("==")[0]


@dataclass
class Case:
    suite: Suite
    mode: str  # "serial" or "-n 2"
    cache: str  # "warm" or "cold"
    baseline: list[float] = field(default_factory=list)
    gated: list[float] = field(default_factory=list)
    # More gated sides, each with its own environment (--also): label -> times.
    also: dict[str, list[float]] = field(default_factory=dict)
    # CPU seconds (user + system) of each run and every process it waited for.
    cpu: dict[str, list[float]] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"{self.suite.name:16} {self.mode:7} {self.cache}"


def run(command: list[str], cwd: Path | None = None) -> None:
    subprocess.run(command, cwd=cwd, check=True, stdout=subprocess.DEVNULL)


def find_sdist(sdists: Path, name: str) -> Path | None:
    """The downloaded sdist of ``name`` (its file name may spell - as _)."""
    for pattern in (f"{name.replace('-', '_')}-*.tar.gz", f"{name}-*.tar.gz"):
        for archive in sdists.glob(pattern):
            return archive
    return None


def unpack(python: Path, sdists: Path, sources: Path, requirement: str) -> Suite:
    """One suite: downloaded, unpacked, installed editable and configured (once)."""
    name = requirement.partition("==")[0]
    package = PACKAGES.get(name, name.replace("-", "_"))
    archive = find_sdist(sdists, name)
    if archive is None:
        sdists.mkdir(parents=True, exist_ok=True)
        pip = [sys.executable, "-m", "pip", "download", "--no-binary", ":all:", "--no-deps"]
        run([*pip, requirement, "-d", str(sdists)])
        archive = find_sdist(sdists, name)
        assert archive is not None, f"pip downloaded no sdist of {requirement}"
    folder = sources / archive.name.removesuffix(".tar.gz")
    if not folder.exists():
        with tarfile.open(archive) as tar:
            tar.extractall(sources, filter="data")
        # Editable, so the tests import the measured source (as in a checkout).
        run([str(python), "-m", "pip", "install", "-q", "-e", str(folder)])
        source = package if (folder / package).is_dir() else f"src/{package}"
        with (folder / "pyproject.toml").open("a", encoding="utf-8") as handle:
            handle.write(GATES.format(source=source, package=package))
    return Suite(requirement, folder, package)


def prepare(venv: Path, requirements: list[str]) -> list[Suite]:
    """The scratch environment and the unpacked suites (both reused when present)."""
    python = venv / "bin" / "python"
    fresh = not python.exists()
    if fresh:
        run([sys.executable, "-m", "venv", str(venv)])
        # Only what the runs need (a plugin installed here runs on both sides).
        pins = [
            line.strip()
            for line in (REPO / "requirements-dev.txt").read_text().splitlines()
            if line.partition("==")[0] in RUN_REQUIREMENTS
        ]
        run([str(python), "-m", "pip", "install", "-q", *pins, "-e", str(REPO)])
    return [unpack(python, venv / "sdists", venv / "suites", item) for item in requirements]


def command(python: Path, case: Case, gated: bool) -> list[str]:
    base = [str(python), "-m", "pytest", "-q"]
    if case.mode == "-n 2":
        base += ["-n", "2"]
    return [*base, "--healthgate"] if gated else [*base, f"--cov={case.suite.package}"]


def environment(bytecode: bool, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The runs' environment: bytecode written (as on a developer's machine) unless asked."""
    env = dict(os.environ)
    if bytecode:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update(extra or {})
    return env


def cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(python: Path, case: Case, gated: bool, env: dict[str, str]) -> tuple[float, float]:
    """Wall-clock and CPU seconds of one run (the CPU of every process it reaped)."""
    if gated and case.cache == "cold":
        shutil.rmtree(case.suite.folder / ".healthgate" / "cache", ignore_errors=True)
    cpu_before = cpu_of_children()
    started = time.perf_counter()
    done = subprocess.run(
        command(python, case, gated),
        cwd=case.suite.folder,
        env=env,
        capture_output=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        sys.stdout.write(done.stdout.decode(errors="replace")[-3000:])
        raise SystemExit(
            f"{case.label}: {'gated' if gated else 'baseline'} run exited {done.returncode}"
        )
    return elapsed, cpu_of_children() - cpu_before


def show_gates(python: Path, suite: Suite, env: dict[str, str]) -> None:
    """One gated run's verdicts, so the figures show every gate ran."""
    report = suite.folder / "bench-report.json"
    subprocess.run(
        [str(python), "-m", "pytest", "-q", "--healthgate", f"--healthgate-report=json:{report}"],
        cwd=suite.folder,
        env=env,
        capture_output=True,
        check=False,
    )
    metrics = json.loads(report.read_text())["metrics"]
    report.unlink()
    verdicts = ", ".join(f"{m['name']} {m['verdict']}" for m in metrics)
    print(f"{suite.name}: {verdicts}")


def summary(case: Case) -> list[str]:
    a = statistics.median(case.baseline)
    cpu_a = statistics.median(case.cpu["cov"])
    target = TARGETS[(case.mode, case.cache)]
    lines = []
    for label, times in [("gated", case.gated), *case.also.items()]:
        b = statistics.median(times)
        ratios = [g / c for c, g in zip(case.baseline, times, strict=True)]
        pairs = statistics.median(ratios)
        cpu_b = statistics.median(case.cpu[label])
        met = "met" if b / a <= target else "MISSED"
        lines.append(
            f"{case.label:28} cov {a:5.2f} s  {label} {b:5.2f} s  ratio {b / a:5.3f}  "
            f"pairs {pairs:5.3f} ({spread(ratios)})  target <= {target:.2f}: {met}  "
            f"(CPU {cpu_a:4.2f} s vs {cpu_b:4.2f} s)"
        )
    return lines


def spread(ratios: list[float]) -> str:
    """The middle half of the pair ratios: how far one pair moves from the next."""
    if len(ratios) < 4:
        return f"{min(ratios):.2f}-{max(ratios):.2f}"
    low, _median, high = statistics.quantiles(ratios, n=4)
    return f"middle half {low:.2f}-{high:.2f}"


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
    parser.add_argument(
        "--also",
        action="append",
        default=[],
        metavar="LABEL:KEY=VALUE",
        help="one more gated side, run with that environment variable (repeatable)",
    )
    parser.add_argument(
        "--no-bytecode",
        action="store_true",
        help="keep PYTHONDONTWRITEBYTECODE if set (every run compiles every module)",
    )
    arguments = parser.parse_args()
    env = environment(not arguments.no_bytecode)
    also: dict[str, dict[str, str]] = {}
    for item in arguments.also:
        label, _, assignment = item.partition(":")
        key, _, value = assignment.partition("=")
        also.setdefault(label, {})[key] = value
    suites = prepare(arguments.venv, arguments.suite or list(DEFAULT_SUITES))
    python = arguments.venv / "bin" / "python"
    cases = [
        Case(suite, mode, cache)
        for suite in suites
        for mode in arguments.mode or ["serial", "-n 2"]
        for cache in arguments.cache or ["warm", "cold"]
    ]
    for suite in suites:
        show_gates(python, suite, env)  # also warms the caches and the bytecode
        timed(python, Case(suite, "serial", "warm"), False, env)
    print(f"load average before: {loadavg()}  (cores: {os.cpu_count()})", flush=True)
    for round_number in range(arguments.rounds):
        for case in cases:
            sides: list[tuple[str, dict[str, str]]] = [("cov", env), ("gated", env)]
            sides += [
                (label, environment(not arguments.no_bytecode, extra))
                for label, extra in also.items()
            ]
            for label, side_env in sides if round_number % 2 == 0 else sides[::-1]:
                elapsed, cpu = timed(python, case, label != "cov", side_env)
                case.cpu.setdefault(label, []).append(cpu)
                if label == "cov":
                    case.baseline.append(elapsed)
                elif label == "gated":
                    case.gated.append(elapsed)
                else:
                    case.also.setdefault(label, []).append(elapsed)
        print(f"round {round_number + 1}/{arguments.rounds} done, load {loadavg()}", flush=True)
    print(f"load average after: {loadavg()}")
    print(f"medians of {arguments.rounds} pairs, A = pytest --cov=PKG, B = pytest --healthgate")
    for case in cases:
        print("\n".join(summary(case)))


if __name__ == "__main__":
    main()
