"""``healthgate check [PATH ...]``: the static gates without running tests.

Same configuration, same analysis and the same table as ``pytest --healthgate``;
only the gates whose collector measures without tests (the catalogue's static
collectors: debt, debt_ratio, rating, complexity, critical, and any plugin's)
are judged, and only those that are configured - with no ``[tool.healthgate]``
table, those of the default playbook. The table ends by naming the configured
gates only ``pytest --healthgate`` measures; no code of the project is run or
imported. With PATHs, only those files and folders are analysed; without, the
configured source.

``--format lines`` prints ``path:line:col: rule message`` for each finding
(``report.lines``) and ``--format json`` lists them under ``findings``; the exit
status is the gates' either way. ``--fail``/``--warn GATE=BOUND`` override a
gate's bound for this run, as ``pytest --healthgate-fail`` does.

Nothing is written to ``.healthgate/last-run.json``, which records test runs;
the analysis cache is used and updated. Exit statuses: ``cli.EPILOG``.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from pytest_healthgate import pipeline
from pytest_healthgate.config import (
    ConfigError,
    HealthgateConfig,
    command_line_bounds,
    find_project,
    load,
    with_new_code,
)
from pytest_healthgate.report import json_report, lines

USAGE_ERROR = 2
FORMATS = ("text", "json", "lines")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="files or folders to analyse (default: [tool.healthgate] source)",
    )
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="text",
        help="text (a table, the default), json (the versioned report, with its findings) "
        "or lines (path:line:col: rule message per finding, for editors and CI)",
    )
    parser.add_argument(
        "--fail",
        action="append",
        default=[],
        metavar="GATE=BOUND",
        help="fail bound for this run, in the gate's unit (debt=300h, complexity=D); "
        "overrides [tool.healthgate.gates]; may be repeated",
    )
    parser.add_argument(
        "--warn",
        action="append",
        default=[],
        metavar="GATE=BOUND",
        help="warn bound for this run, like --fail; may be repeated",
    )
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="analyse every file afresh; neither read nor write .healthgate/cache/",
    )


def settings_for(paths: list[str]) -> HealthgateConfig:
    """The configuration of the project holding the first PATH (or the current folder)."""
    missing = [path for path in paths if not Path(path).exists()]
    if missing:
        raise ConfigError(f"no such file or folder: {', '.join(missing)}")
    root, pyproject = find_project(Path(paths[0]) if paths else Path.cwd())
    return load(root, pyproject)


def run(arguments: argparse.Namespace) -> int:
    try:
        settings = command_line_bounds(
            with_new_code(settings_for(arguments.paths)),
            arguments.fail,
            arguments.warn,
            prefix="--",
        )
        gates = pipeline.select_gates(settings, settings.catalogue.static_gates(), "static gate")
    except ConfigError as exc:
        print(f"healthgate check: {exc}", file=sys.stderr)
        return USAGE_ERROR
    paths = [os.path.normpath(Path(path).absolute()) for path in arguments.paths]
    measurements = pipeline.measure(settings, gates, paths=paths, use_cache=not arguments.no_cache)
    result = pipeline.judge_run(
        settings,
        measurements,
        surface="check",
        gates=gates,
        paths=paths,
        gates_off=pipeline.gates_off(settings),
        measured_by_pytest=[name for name in settings.gates if name not in gates],
    )
    if arguments.format == "text":
        return pipeline.print_result(result)
    if arguments.format == "json":
        sys.stdout.write(json_report.render(result))
    else:
        sys.stdout.write(lines.render(result.findings))
    return pipeline.exit_status(result)
