"""``healthgate hotspots``: files ranked by how often they change times their debt.

The debt comes from a fresh static analysis of the project's source (the same
analysis and cache as ``healthgate check``), the changes from ``git log`` over
the window; see ``pytest_healthgate.hotspots`` for the formula.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from pytest_healthgate.config import ConfigError, find_project, load

if TYPE_CHECKING:
    from pytest_healthgate.config import HealthgateConfig
    from pytest_healthgate.hotspots import Hotspot

USAGE_ERROR = 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from pytest_healthgate.hotspots import DEFAULT_WINDOW_DAYS

    parser.add_argument(
        "--days",
        type=int,
        default=DEFAULT_WINDOW_DAYS,
        help=f"the window of history, in days (default {DEFAULT_WINDOW_DAYS})",
    )
    parser.add_argument("--top", type=int, default=20, help="rows shown (default 20)")


def run(arguments: argparse.Namespace) -> int:
    from pytest_healthgate.hotspots import HotspotError, changes, rank

    if arguments.days < 1 or arguments.top < 1:
        print("healthgate hotspots: --days and --top take a number from 1", file=sys.stderr)
        return USAGE_ERROR
    try:
        settings = load(*find_project(Path.cwd()))
        touched = changes(settings.root, arguments.days)
    except (ConfigError, HotspotError) as exc:
        print(f"healthgate hotspots: {exc}", file=sys.stderr)
        return USAGE_ERROR
    debt = _debt_by_file(settings)
    if isinstance(debt, str):
        print(f"healthgate hotspots: the debt analysis failed: {debt}", file=sys.stderr)
        return 1
    _print(rank(touched, debt), arguments.days, arguments.top)
    return 0


def _debt_by_file(settings: HealthgateConfig) -> dict[str, float] | str:
    """Seconds of debt per file from a fresh analysis, or why there are none."""
    from pytest_healthgate import pipeline
    from pytest_healthgate.hotspots import debt_by_file
    from pytest_healthgate.model import Bounds
    from pytest_healthgate.report.lines import findings

    measured = pipeline.measure(settings, ["debt"])
    debt = next((m for m in measured if m.name == "debt"), None)
    if debt is None:
        return "not measured"
    if debt.error:
        return debt.error
    bounds = {"debt": settings.gates.get("debt") or Bounds()}
    return debt_by_file(findings(measured, bounds, settings.catalogue.metrics))


def _print(spots: list[Hotspot], days: int, top: int) -> None:
    from pytest_healthgate.units import Unit, format_value

    print(f"healthgate hotspots: the last {days} days; score = changes x debt hours")
    print(f"{'score':>8}  {'changes':>7}  {'debt':>8}  file")
    for spot in spots[:top]:
        shown = format_value(spot.debt_seconds, Unit.DURATION, 1)
        print(f"{spot.score:8.1f}  {spot.changes:7d}  {shown:>8}  {spot.path}")
    if not spots:
        print("no file with debt changed in the window")
