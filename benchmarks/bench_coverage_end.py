"""What the coverage gate costs at the end of a session, before and after the one-pass change.

"before" is what the gate did until then: ``Coverage.report()`` for the total, then
``Coverage.json_report()`` for the per-file figures, two analyses of every file.
"after" is ``collect.coverage_files.analyse``: one JSON report, per-file figures
cached in ``.healthgate/cache/`` (here a scratch folder):

* cold: no cache (the first run, or new settings or a new coverage.py);
* warm: nothing changed since the last run;
* one file changed: one measured file edited (a comment appended), the data unchanged.

Only the analysis is timed (the data is loaded before the clock starts, as both
do it the same way). The cases are interleaved round by round and the medians
compared, so a busy machine slows all of them alike. The figures of every case
are checked against "before" (total and every file), and the script exits 1 if
one differs.

By default the data is made here: this repository's package is copied to a
scratch project and every module imported under ``coverage run`` (with and
without branch coverage). ``--project DIR`` uses a real project's data instead
(its coverage settings and ``.coverage``, e.g. after ``pytest --cov``), in place;
the edited file is restored afterwards.

    .venv/bin/python benchmarks/bench_coverage_end.py [--rounds 9] [--project DIR]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import coverage

from pytest_healthgate.collect import coverage_files

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "pytest_healthgate"
IMPORT_ALL = """
import importlib, pkgutil, sys
sys.path.insert(0, "src")
import pytest_healthgate
for module in pkgutil.walk_packages(pytest_healthgate.__path__, "pytest_healthgate."):
    if not module.name.endswith("_import_probe"):
        importlib.import_module(module.name)
"""
CASES = ("before", "cold", "warm", "one file changed")


def before(cov: coverage.Coverage) -> tuple[float, coverage_files.Files]:
    """The gate until now: the summary report's total, then the JSON report's files."""
    total = cov.report(file=io.StringIO())
    with tempfile.TemporaryDirectory() as folder:
        outfile = Path(folder) / "coverage.json"
        cov.json_report(outfile=str(outfile))
        files = json.loads(outfile.read_text(encoding="utf-8"))["files"]
    return total, coverage_files._trimmed(files)


def make_data(root: Path, branch: bool) -> None:
    shutil.copytree(PACKAGE, root / "src" / "pytest_healthgate")
    (root / "import_all.py").write_text(IMPORT_ALL)
    (root / ".coveragerc").write_text(
        f"[run]\nsource = src\nbranch = {str(branch).lower()}\n"
        "[report]\nprecision = 2\nexclude_also =\n    if TYPE_CHECKING:\n"
    )
    subprocess.run(
        [sys.executable, "-m", "coverage", "run", "import_all.py"],
        cwd=root,
        check=True,
    )


@contextmanager
def inside(folder: Path) -> Iterator[None]:
    """coverage.py reads its settings and names files from the current folder."""
    before = Path.cwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(before)


def loaded() -> coverage.Coverage:
    cov = coverage.Coverage()
    cov.load()
    return cov


def timed(work: Callable[[coverage.Coverage], object]) -> tuple[float, object]:
    cov = loaded()
    started = time.perf_counter()
    result = work(cov)
    return time.perf_counter() - started, result


def bench(project: Path, rounds: int, label: str) -> bool:
    """Time the cases on the data in ``project``; False if a figure differs."""
    with inside(project), tempfile.TemporaryDirectory() as scratch_root:
        cache_root = Path(scratch_root)
        measured = sorted(loaded().get_data().measured_files())
        edited = Path(max(measured, key=lambda name: Path(name).stat().st_size))
        original = edited.read_bytes()
        times: dict[str, list[float]] = {case: [] for case in CASES}
        agree = True
        try:
            for round_number in range(rounds):
                seconds, expected = timed(before)
                times["before"].append(seconds)
                shutil.rmtree(cache_root / ".healthgate", ignore_errors=True)
                for case in CASES[1:]:
                    if case == "one file changed":
                        edited.write_bytes(original + f"# edit {round_number}\n".encode())
                    seconds, result = timed(lambda cov: coverage_files.analyse(cov, cache_root))
                    times[case].append(seconds)
                    assert isinstance(result, coverage_files.CoverageFiles)
                    agree &= (result.total, result.files) == expected
                edited.write_bytes(original)
        finally:
            edited.write_bytes(original)
    report(label, len(measured), times, edited.name, agree)
    return agree


def report(label: str, files: int, times: dict[str, list[float]], edited: str, agree: bool) -> None:
    medians = {case: statistics.median(values) for case, values in times.items()}
    print(f"\n{label}: {files} measured files, median of {len(times['before'])} rounds")
    for case in CASES:
        ratio = medians[case] / medians["before"]
        note = f"  (edited: {edited})" if case == "one file changed" else ""
        print(f"  {case:18s} {medians[case] * 1000:8.1f} ms  ratio {ratio:5.2f}{note}")
    print(f"  figures equal to report() + json_report(): {'yes' if agree else 'NO'}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--project", type=Path, help="a project with coverage data to use")
    args = parser.parse_args()
    print(f"coverage.py {coverage.__version__}, Python {sys.version.split()[0]}")
    print(f"load average before: {Path('/proc/loadavg').read_text().strip()}")
    if args.project is not None:
        ok = bench(args.project.resolve(), args.rounds, str(args.project))
    else:
        ok = True
        for branch in (False, True):
            with tempfile.TemporaryDirectory() as folder:
                make_data(Path(folder), branch)
                label = f"pytest_healthgate imported, branch={branch}"
                ok &= bench(Path(folder), args.rounds, label)
    print(f"\nload average after: {Path('/proc/loadavg').read_text().strip()}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
