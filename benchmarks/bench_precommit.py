"""How long does `healthgate-debt` take on five staged files?

Builds a throw-away git repository whose source is a copy of this project's own
package (about 40 modules), commits it, edits five files, stages them, then runs
the `healthgate-debt` console script the way pre-commit does (a new process with
the file names) several times. Prints the wall time of each run: cold (no
analysis cache), after a test run (the cache holds the tree as committed, as
`pytest --healthgate` or `healthgate check` leave it, so the HEAD side is
cached), and warm (an earlier hook run cached the staged side too). Target: at
most 0.5 s on a 2-core machine.

    .venv/bin/python benchmarks/bench_precommit.py [--runs 5]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GIT = ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.invalid"]
CONFIG = """
[tool.healthgate]
source = ["src/pkg"]

[tool.healthgate.gates]
debt = { fail = "100h" }
complexity = { fail = "D" }
"""
ADDED = (
    "\n\ndef added_by_the_change(x):\n    # TODO: tidy\n    return [i for i in range(x) if i % 3]\n"
)


def run_hook(repo: Path, files: list[str]) -> float:
    script = Path(sys.executable).with_name("healthgate-debt")
    started = time.perf_counter()
    subprocess.run([str(script), *files], cwd=repo, capture_output=True, check=False)
    return time.perf_counter() - started


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    arguments = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="healthgate-bench-") as folder:
        repo = Path(folder)
        shutil.copytree(ROOT / "src" / "pytest_healthgate", repo / "src" / "pkg")
        (repo / "pyproject.toml").write_text(CONFIG)
        subprocess.run([*GIT, "init", "-q"], cwd=repo, check=True)
        subprocess.run([*GIT, "add", "-A"], cwd=repo, check=True)
        subprocess.run([*GIT, "commit", "-qm", "start"], cwd=repo, check=True)
        files = sorted(str(p.relative_to(repo)) for p in (repo / "src" / "pkg").rglob("*.py"))
        # What a test run leaves: the analysis cache of the tree as committed.
        check = Path(sys.executable).with_name("healthgate")
        subprocess.run([str(check), "check"], cwd=repo, capture_output=True, check=False)
        tested = repo / ".healthgate"
        kept = Path(folder + "-tested-cache")
        shutil.copytree(tested, kept)
        staged = [name for name in files if not name.endswith("__init__.py")][:5]
        for name in staged:
            with (repo / name).open("a") as handle:
                handle.write(ADDED)
        subprocess.run([*GIT, "add", "-A"], cwd=repo, check=True)
        cold, after_test_run = [], []
        for _ in range(arguments.runs):
            shutil.rmtree(repo / ".healthgate", ignore_errors=True)
            cold.append(run_hook(repo, staged))
        for _ in range(arguments.runs):
            shutil.rmtree(repo / ".healthgate", ignore_errors=True)
            shutil.copytree(kept, repo / ".healthgate")
            after_test_run.append(run_hook(repo, staged))
        shutil.rmtree(kept)
        warm = [run_hook(repo, staged) for _ in range(arguments.runs)]
    print(f"healthgate-debt on {len(staged)} staged files ({len(files)} files in the source)")
    runs = (
        ("cold (no cache)", cold),
        ("after a test run", after_test_run),
        ("warm (cache kept)", warm),
    )
    for label, times in runs:
        shown = ", ".join(f"{t:.3f}" for t in times)
        median = statistics.median(times)
        print(f"  {label:18} best {min(times):.3f} s, median {median:.3f} s  [{shown}]")
    for label, times in runs:
        verdict = "met" if statistics.median(times) <= 0.5 else "missed"
        print(f"  target <= 0.5 s, {label}: {verdict} (median)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
