"""``healthgate report FORMAT [PATH]``: the last recorded run, in another format.

Reads ``.healthgate/last-run.json`` (written by every ``pytest --healthgate``
run) and renders it as ``--healthgate-report=FORMAT`` would have: to PATH, or
to standard output without one. Nothing is measured or judged again.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from pytest_healthgate.config import ConfigError, find_project, load

USAGE_ERROR = 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from pytest_healthgate.pipeline import RENDERERS

    parser.add_argument(
        "format",
        choices=sorted(RENDERERS),
        metavar="FORMAT",
        help=f"one of {', '.join(sorted(RENDERERS))}",
    )
    parser.add_argument("path", nargs="?", type=Path, help="where to write it (default: stdout)")


def run(arguments: argparse.Namespace) -> int:
    from pytest_healthgate.pipeline import LAST_RUN, RENDERERS
    from pytest_healthgate.report.json_report import result_from_document
    from pytest_healthgate.store.files import write_atomic

    try:
        settings = load(*find_project(Path.cwd()))
    except ConfigError as exc:
        print(f"healthgate report: {exc}", file=sys.stderr)
        return USAGE_ERROR
    record = settings.root / ".healthgate" / LAST_RUN
    try:
        document = json.loads(record.read_text(encoding="utf-8"))
        result = result_from_document(document, settings.catalogue.metrics)
    except FileNotFoundError:
        print(
            f"healthgate report: {record}: no recorded run; run `pytest --healthgate` first",
            file=sys.stderr,
        )
        return 1
    except (OSError, ValueError, KeyError, TypeError) as exc:
        print(
            f"healthgate report: {record}: not a healthgate record ({exc}); run "
            f"`pytest --healthgate` again to rewrite it",
            file=sys.stderr,
        )
        return 1
    rendered = RENDERERS[arguments.format](result)
    if arguments.path is None:
        sys.stdout.write(rendered)
    else:
        write_atomic(arguments.path, rendered)
    return 0
