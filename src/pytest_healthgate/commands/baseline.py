"""``healthgate baseline``: show the committed baseline, or ``--update`` it.

``--update`` measures the whole project (the test suite included, unless
``--no-tests``) and rewrites ``.healthgate/baseline.toml`` atomically. When a
gate of ``[tool.healthgate.ratchet]`` got worse than the current baseline, the
update is refused unless ``--allow-worse --reason "..."`` says why; the reason,
the date and the gates are then kept in the file, for review.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from pytest_healthgate.commands.measuring import (
    MeasuringError,
    add_measuring_arguments,
    pytest_args,
    take,
)
from pytest_healthgate.config import ConfigError, HealthgateConfig, find_project, load
from pytest_healthgate.store import baseline as store
from pytest_healthgate.store.files import StateFolderError

USAGE_ERROR = 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--update",
        action="store_true",
        help="measure the whole project and rewrite .healthgate/baseline.toml",
    )
    parser.add_argument(
        "--allow-worse",
        action="store_true",
        help="accept figures worse than the current baseline (needs --reason)",
    )
    parser.add_argument("--reason", default="", help="why the baseline may get worse")
    add_measuring_arguments(
        parser, "measure the static gates only; the other gates keep their baseline figures"
    )


def run(arguments: argparse.Namespace) -> int:
    try:
        root, pyproject = find_project(Path.cwd())
        settings = load(root, pyproject)
    except ConfigError as exc:
        print(f"healthgate baseline: {exc}", file=sys.stderr)
        return USAGE_ERROR
    if not arguments.update:
        return show(settings)
    if arguments.allow_worse and not arguments.reason.strip():
        print(
            'healthgate baseline: --allow-worse needs --reason "..." saying why the figures '
            "may get worse; the reason is kept in the baseline for review.",
            file=sys.stderr,
        )
        return USAGE_ERROR
    return update(
        settings,
        tests=not arguments.no_tests,
        allow_worse=arguments.allow_worse,
        reason=arguments.reason.strip(),
        pytest_args=pytest_args(arguments),
    )


def show(settings: HealthgateConfig) -> int:
    try:
        current = store.load(settings.root)
    except store.BaselineError as exc:
        print(f"healthgate baseline: {exc}", file=sys.stderr)
        return 1
    if current is None:
        print(
            f"healthgate baseline: no baseline at {store.baseline_path(settings.root)}; "
            f"run `healthgate init` (first time) or `healthgate baseline --update`."
        )
        return 0
    commit = f" at commit {current.commit[:12]}" if current.commit else ""
    print(f"baseline written {current.written}{commit}")
    for name, figure in current.gates.items():
        items = f"  ({len(figure.items)} items)" if figure.items is not None else ""
        print(f"  {name:<18} {figure.display or figure.value}{items}")
    tools = ", ".join(f"{name} {version}" for name, version in sorted(current.tools.items()))
    print(f"tools: {tools}")
    for entry in current.loosened:
        print(f"loosened {entry.get('date')}: {entry.get('gates')}: {entry.get('reason')}")
    return 0


def update(
    settings: HealthgateConfig,
    *,
    tests: bool,
    allow_worse: bool = False,
    reason: str = "",
    pytest_args: list[str] | None = None,
) -> int:
    try:
        previous = store.load(settings.root)
    except store.BaselineError as exc:
        print(f"healthgate baseline: replacing an unusable baseline: {exc}", file=sys.stderr)
        previous = None
    try:
        taken = take(settings, tests=tests, pytest_args=pytest_args or [])
    except MeasuringError as exc:
        print(f"healthgate baseline: not updated: {exc}", file=sys.stderr)
        return 1
    worse = taken.worse(list(settings.ratchet)) if previous is not None else []
    if worse and not allow_worse:
        print("healthgate baseline: not updated: worse than the current baseline:", file=sys.stderr)
        for line in worse:
            print(f"  {line}", file=sys.stderr)
        print(
            'Fix these, or accept them with --allow-worse --reason "..." (the reason is '
            "kept in the baseline).",
            file=sys.stderr,
        )
        return 1
    snapshot = taken.snapshot
    if previous is not None:
        snapshot.loosened = list(previous.loosened)
        if not tests:  # the gates the tests measure keep their figures
            for name, figure in previous.gates.items():
                snapshot.gates.setdefault(name, figure)
    if worse:
        snapshot.loosened.append(
            {
                "date": dt.date.today().isoformat(),
                "reason": reason,
                "gates": [line.split(":", 1)[0] for line in worse],
            }
        )
    try:
        path = store.save(settings.root, snapshot)
    except (OSError, StateFolderError) as exc:
        print(f"healthgate baseline: not written: {exc}", file=sys.stderr)
        return 1
    items = sum(len(figure.items or ()) for figure in snapshot.gates.values())
    print(
        f"healthgate baseline: wrote {path.relative_to(settings.root)}: "
        f"{len(snapshot.gates)} gates, {items} findings and functions; commit it."
    )
    if taken.tests_failed:
        print("healthgate baseline: note: some tests failed in the run this baseline records.")
    return 0
