"""How long does each file hook take through `pre-commit run` on five staged files?

Not a test: run it by hand and copy what it prints into docs/performance.md::

    .venv/bin/python benchmarks/bench_precommit.py [--rounds 7]

It builds a throw-away git repository whose source is a copy of this project's
own package (about 70 modules), commits it with a `.pre-commit-config.yaml` of
local hooks, runs `healthgate check` once (what a test run leaves: the analysis
cache of the tree as committed), appends a function with a TODO to five files
and stages them. Then, for each hook, it runs `pre-commit run HOOK` paired with
`pre-commit run noop` (a hook whose entry is `true`: what pre-commit itself
costs), A B A B ..., and prints the medians and their ratio:

* warm: the cache as the previous run left it (both sides of the change cached);
* no cache: `.healthgate/cache/` removed before each run of the hook.

A bare `radon cc` hook on the same files is timed the same way, for scale, and
so is `python-floor`: an interpreter that only imports the standard-library
modules a warm hook cannot do without (see FLOOR_IMPORTS).
Targets on a 2-core machine: each hook <= 0.20 s warm, <= 0.45 s with no cache,
through `pre-commit run` (start-up of pre-commit and of the hook included).

Python writes bytecode as usual here (PYTHONDONTWRITEBYTECODE is unset for the
runs), as on a developer's machine; pre-commit keeps its own state in a
temporary PRE_COMMIT_HOME.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import yaml  # pre-commit's own dependency

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
HOOK_DEFINITIONS = ROOT / ".pre-commit-hooks.yaml"
GIT = ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.invalid"]
CONFIG = """
[tool.healthgate]
source = ["src/pkg"]

[tool.healthgate.gates]
coverage = false
debt = { fail = "100h" }
complexity = { fail = "D" }
"""
HOOKS = ("healthgate-debt", "healthgate-markers", "healthgate-complexity", "healthgate-security")
REFERENCES = ("radon-cc", "python-floor")  # timed warm only, for scale
ADDED = (
    "\n\ndef added_by_the_change(x):\n    # TODO: tidy\n    return [i for i in range(x) if i % 3]\n"
)
# The least a warm file hook written in Python does: start an interpreter and import
# what asking git, reading the configuration and looking files up in the SQLite
# cache by content digest need - no healthgate module, no work. A reference, like
# the bare `radon cc` hook: what no Python hook can go below on this machine.
FLOOR_IMPORTS = "import subprocess, tomllib, sqlite3, hashlib, json"
TARGET_WARM = 0.20
TARGET_COLD = 0.45
# The no-op hook took this long on the machine the targets were set on: what a
# hook may add to pre-commit's own cost is the target less this.
NOOP_WHEN_SET = 0.11


def hook_config() -> str:
    """Local hooks run from this environment, as an installed pytest-healthgate runs them.

    Each healthgate hook keeps every field of its definition in
    `.pre-commit-hooks.yaml` (`require_serial` above all: without it pre-commit
    splits the files between one process per core) and only runs from this
    environment's scripts instead of one pre-commit would build.
    """
    published = {hook["id"]: hook for hook in yaml.safe_load(HOOK_DEFINITIONS.read_text())}
    hooks = [{**published[name], "entry": str(BIN / name), "language": "system"} for name in HOOKS]
    hooks.append(
        {"id": "noop", "name": "noop", "entry": "true", "language": "system", "types": ["python"]}
    )
    hooks.append(
        {
            "id": "radon-cc",
            "name": "radon-cc",
            "entry": f"{BIN / 'radon'} cc",
            "language": "system",
            "types": ["python"],
        }
    )
    hooks.append(
        {
            "id": "python-floor",
            "name": "python-floor",
            "entry": f"{BIN / 'python'} -c '{FLOOR_IMPORTS}'",
            "language": "system",
            "types": ["python"],
            "require_serial": True,
        }
    )
    return yaml.safe_dump({"repos": [{"repo": "local", "hooks": hooks}]}, sort_keys=False)


def environment(home: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("COVERAGE_")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PRE_COMMIT_HOME"] = str(home)
    return env


def make_repository(repo: Path, env: dict[str, str]) -> list[str]:
    """The repository, its tree analysed once, five files changed and staged."""
    shutil.copytree(
        ROOT / "src" / "pytest_healthgate",
        repo / "src" / "pkg",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    (repo / "pyproject.toml").write_text(CONFIG)
    (repo / ".pre-commit-config.yaml").write_text(hook_config())
    subprocess.run([*GIT, "init", "-q"], cwd=repo, check=True)
    subprocess.run([*GIT, "add", "-A"], cwd=repo, check=True)
    subprocess.run([*GIT, "commit", "-qm", "start"], cwd=repo, check=True)
    subprocess.run(
        [str(BIN / "healthgate"), "check"], cwd=repo, env=env, capture_output=True, check=False
    )
    files = sorted(str(p.relative_to(repo)) for p in (repo / "src" / "pkg").rglob("*.py"))
    staged = [name for name in files if not name.endswith("__init__.py")][:5]
    for name in staged:
        with (repo / name).open("a") as handle:
            handle.write(ADDED)
    subprocess.run([*GIT, "add", "-A"], cwd=repo, check=True)
    return staged


def pre_commit(repo: Path, env: dict[str, str], hook: str) -> float:
    started = time.perf_counter()
    completed = subprocess.run(
        [str(BIN / "pre-commit"), "run", hook],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if "Passed" not in completed.stdout and "Failed" not in completed.stdout:
        raise SystemExit(f"pre-commit run {hook} did not run:\n{completed.stdout}")
    return elapsed


def paired(
    rounds: int, first: Callable[[], float], second: Callable[[], float]
) -> tuple[list[float], list[float]]:
    """A B A B ...: both see the same load, on average."""
    a, b = [], []
    for _ in range(rounds):
        a.append(first())
        b.append(second())
    return a, b


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    arguments = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="healthgate-bench-") as folder:
        repo, home = Path(folder) / "repo", Path(folder) / "pre-commit-home"
        repo.mkdir()
        env = environment(home)
        staged = make_repository(repo, env)
        cache = repo / ".healthgate" / "cache"

        def no_cache(hook: str) -> Callable[[], float]:
            def run() -> float:
                shutil.rmtree(cache, ignore_errors=True)
                return pre_commit(repo, env, hook)

            return run

        noop = lambda: pre_commit(repo, env, "noop")  # noqa: E731
        for _ in range(2):  # pre-commit's first run sets up its state; bytecode is written
            for hook in (*HOOKS, *REFERENCES, "noop"):
                pre_commit(repo, env, hook)
        rows = []
        for hook in (*HOOKS, *REFERENCES):
            warm = paired(arguments.rounds, lambda h=hook: pre_commit(repo, env, h), noop)
            cold = paired(arguments.rounds, no_cache(hook), noop) if hook in HOOKS else None
            rows.append((hook, warm, cold))
        load = Path("/proc/loadavg").read_text().split()[:3]
    print(f"{len(staged)} staged files; {arguments.rounds} pairs each; load {' '.join(load)}")
    print(f"{'hook':<24}{'warm':>8}{'noop':>8}{'ratio':>7}{'no cache':>10}{'noop':>8}{'ratio':>7}")
    for hook, (warm, noop_warm), cold in rows:
        line = f"{hook:<24}{median(warm):>8.3f}{median(noop_warm):>8.3f}"
        line += f"{median(warm) / median(noop_warm):>7.2f}"
        if cold is not None:
            line += f"{median(cold[0]):>10.3f}{median(cold[1]):>8.3f}"
            line += f"{median(cold[0]) / median(cold[1]):>7.2f}"
        print(line)
    print()
    for hook, (warm, _noop), cold in rows:
        if cold is None:
            continue
        verdicts = (
            f"warm {median(warm):.3f} s <= {TARGET_WARM}: {met(median(warm), TARGET_WARM)}",
            f"no cache {median(cold[0]):.3f} s <= {TARGET_COLD}: "
            f"{met(median(cold[0]), TARGET_COLD)}",
        )
        print(f"  {hook:<24} " + "; ".join(verdicts))
    print()
    print(
        f"  over the no-op hook of the same pairs (the targets allow "
        f"+{TARGET_WARM - NOOP_WHEN_SET:.2f} s warm and +{TARGET_COLD - NOOP_WHEN_SET:.2f} s "
        f"with no cache over the {NOOP_WHEN_SET} s no-op hook they were set against):"
    )
    for hook, (warm, noop_warm), cold in rows:
        extra = f"  {hook:<24} warm +{median(warm) - median(noop_warm):.3f} s"
        if cold is not None:
            extra += f"; no cache +{median(cold[0]) - median(cold[1]):.3f} s"
        print(extra)
    return 0


def median(times: list[float]) -> float:
    return statistics.median(times)


def met(value: float, target: float) -> str:
    return "met" if value <= target else "MISSED"


if __name__ == "__main__":
    raise SystemExit(main())
