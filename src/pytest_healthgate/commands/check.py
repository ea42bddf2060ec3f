"""``healthgate check [PATH ...]``: the static gates without running tests.

Same configuration, same analysis and the same table as ``pytest --healthgate``;
only the gates that need no test run (debt, debt_ratio, rating, complexity,
critical) are judged, and only those that are configured. With PATHs, only
those files and folders are analysed; without, the configured source.

Exit status: 0 when no gate fails (WARN included), 1 when one fails or cannot
be measured, 2 for a usage or configuration error. Nothing is written to
``.healthgate/last-run.json``, which records test runs; the analysis cache is
used and updated.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from pytest_healthgate.builtin import METRICS
from pytest_healthgate.config import ConfigError, HealthgateConfig, find_pyproject, load
from pytest_healthgate.gates import evaluate
from pytest_healthgate.model import RunResult

STATIC = tuple(spec.name for spec in METRICS if spec.collector == "static")
SUMMARY = "judge the static gates (debt, complexity, critical issues) without running tests"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="files or folders to analyse (default: [tool.healthgate] source)",
    )
    parser.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="text (a table, the default) or json (the versioned report)",
    )
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="analyse every file afresh; neither read nor write .healthgate/cache/",
    )


def project_root(start: Path) -> tuple[Path, Path | None]:
    """The nearest folder at or above ``start`` holding a pyproject.toml, and that file."""
    start = start.resolve()
    folder = start if start.is_dir() else start.parent
    for candidate in (folder, *folder.parents):
        if (candidate / "pyproject.toml").is_file():
            pyproject = find_pyproject(candidate, None)
            return candidate, pyproject
    return folder, None


def judge(settings: HealthgateConfig, paths: list[str], use_cache: bool = True) -> RunResult:
    from dataclasses import replace

    from pytest_healthgate.collect import static
    from pytest_healthgate.collect.registry import collector_context
    from pytest_healthgate.pipeline import run_metadata

    gates = {name: bounds for name, bounds in settings.gates.items() if name in STATIC}
    context = collector_context(settings, "static", "debt")
    context = replace(context, paths=tuple(paths), use_cache=use_cache)
    measurements = static.create(context).finish()
    metadata = run_metadata(settings, "check", paths=paths)
    return evaluate(gates, measurements, metadata)


class CheckUsageError(Exception):
    """Exit status 2: the message says what to fix."""


def settings_for(paths: list[str]) -> HealthgateConfig:
    """The configuration of the project holding the first PATH (or the current folder)."""
    missing = [path for path in paths if not Path(path).exists()]
    if missing:
        raise CheckUsageError(f"healthgate check: no such file or folder: {', '.join(missing)}")
    root, pyproject = project_root(Path(paths[0]) if paths else Path.cwd())
    try:
        settings = load(root, pyproject)
    except ConfigError as exc:
        raise CheckUsageError(f"healthgate: {exc}") from None
    if not any(name in settings.gates for name in STATIC):
        raise CheckUsageError(
            f"healthgate check: no static gate is configured in [tool.healthgate.gates] of "
            f"{pyproject or root / 'pyproject.toml'}; add one of {', '.join(STATIC)}, "
            f'for example debt = {{ fail = "300h", warn = "200h" }}.'
        )
    return settings


def show(result: RunResult, output_format: str) -> None:
    if output_format == "json":
        from pytest_healthgate.report import json_report

        sys.stdout.write(json_report.render(result))
        return
    from pytest_healthgate.report import terminal

    for text, _markup in terminal.render(result):
        print(text)


def run(arguments: argparse.Namespace) -> int:
    try:
        settings = settings_for(arguments.paths)
    except CheckUsageError as exc:
        print(exc, file=sys.stderr)
        return 2
    paths = [os.path.normpath(Path(path).absolute()) for path in arguments.paths]
    result = judge(settings, paths, use_cache=not arguments.no_cache)
    show(result, arguments.format)
    return 0 if result.ok else 1
