"""``healthgate trend`` and ``healthgate history``: the run history, read back.

``trend`` prints one row per metric (and the health score) over the last runs:
its first and last value, the change and a sparkline, oldest run on the left.
``trend --metric NAME`` prints that metric run by run, with the commit and
branch of each. ``history --export csv|json`` writes every run with every
metric, for people's own charts. Both read ``.healthgate/history.sqlite``;
neither changes it.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from pytest_healthgate.catalogue import MetricSpec
from pytest_healthgate.config import ConfigError, find_project, load
from pytest_healthgate.report.sparkline import sparkline
from pytest_healthgate.store.history import HistoryError, RunRow, read
from pytest_healthgate.units import format_value

USAGE_ERROR = 2
HEALTH = "health"  # the score's row, beside the gates'


def add_trend_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--last", type=_positive, default=20, metavar="N", help="runs shown")
    parser.add_argument("--metric", metavar="NAME", help="one metric (or health), run by run")


def add_history_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--export", choices=("csv", "json"), required=True)
    parser.add_argument("--last", type=_positive, default=None, metavar="N", help="runs kept")


def _positive(text: str) -> int:
    number = int(text)
    if number < 1:
        raise argparse.ArgumentTypeError(f"{text}: give a whole number of 1 or more")
    return number


def _runs(last: int | None) -> tuple[Path, dict[str, MetricSpec], list[RunRow]] | int:
    """The project, its metrics' specs and the runs; an exit status after an error."""
    try:
        settings = load(*find_project(Path.cwd()))
        runs, notes = read(settings.root, last)
    except (ConfigError, HistoryError, OSError) as exc:
        print(f"healthgate: {exc}", file=sys.stderr)
        return USAGE_ERROR
    for note in notes:
        print(note, file=sys.stderr)
    return settings.root, settings.catalogue.metrics, runs


def _values(runs: Sequence[RunRow], name: str) -> list[float | None]:
    if name == HEALTH:
        return [run.score for run in runs]
    return [run.metrics[name].value if name in run.metrics else None for run in runs]


def _shown(value: float | None, spec: MetricSpec | None) -> str:
    if value is None:
        return "-"
    return format_value(value, spec.unit) if spec is not None else f"{value:g}"


def _change(values: Sequence[float | None], spec: MetricSpec | None) -> str:
    known = [value for value in values if value is not None]
    if len(known) < 2:
        return ""
    delta = known[-1] - known[0]
    if delta == 0:
        return "0"
    sign = "+" if delta > 0 else "-"
    return sign + _shown(abs(delta), spec)


def trend_table(runs: Sequence[RunRow], specs: dict[str, MetricSpec]) -> list[str]:
    names = [HEALTH, *dict.fromkeys(name for run in runs for name in run.metrics)]
    rows = [("metric", "first", "last", "change", "trend (oldest first)")]
    for name in names:
        values = _values(runs, name)
        spec = specs.get(name)
        first = next((value for value in values if value is not None), None)
        rows.append(
            (
                name,
                _shown(first, spec),
                _shown(values[-1], spec),
                _change(values, spec),
                sparkline(values),
            )
        )
    widths = [max(len(row[column]) for row in rows) for column in range(4)]
    return [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False))
        + "  "
        + row[4]
        for row in rows
    ]


def metric_table(runs: Sequence[RunRow], name: str, spec: MetricSpec | None) -> list[str]:
    values = _values(runs, name)
    lines = [f"{name}: {sparkline(values)}"]
    for run, value in zip(runs, values, strict=True):
        commit = (run.commit or "-")[:10]
        flags = " (dirty)" if run.dirty else ""
        flags += " (partial)" if run.partial else ""
        lines.append(
            f"  {run.time}  {commit:<10}  {run.branch or '-'}  {run.verdict}  "
            f"{_shown(value, spec)}{flags}"
        )
    return lines


def _unknown_metric(runs: Sequence[RunRow], name: str | None) -> str | None:
    """Why ``--metric NAME`` cannot be shown, or None."""
    known = [HEALTH, *dict.fromkeys(n for run in runs for n in run.metrics)]
    if name is None or name in known:
        return None
    return f"--metric {name}: not in the history; one of {', '.join(known)}"


def run_trend(arguments: argparse.Namespace) -> int:
    found = _runs(arguments.last)
    if isinstance(found, int):
        return found
    root, specs, runs = found
    if not runs:
        print(
            f"healthgate trend: no run recorded yet in {root}/.healthgate/history.sqlite; "
            f"every `pytest --healthgate` run adds one"
        )
        return 0
    name = arguments.metric
    problem = _unknown_metric(runs, name)
    if problem is not None:
        print(f"healthgate trend: {problem}", file=sys.stderr)
        return USAGE_ERROR
    print(f"healthgate trend: the last {len(runs)} runs, oldest first")
    lines = trend_table(runs, specs) if name is None else metric_table(runs, name, specs.get(name))
    for line in lines:
        print(line)
    return 0


def export(runs: Sequence[RunRow], fmt: str) -> str:
    if fmt == "json":
        return json.dumps([_run_document(run) for run in runs], indent=2) + "\n"
    names = list(dict.fromkeys(name for run in runs for name in run.metrics))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    head = ["time", "run_id", "commit", "branch", "dirty", "partial", "surface", "verdict"]
    writer.writerow([*head, "score", "formula", *names])
    for run in runs:
        document = _run_document(run)
        writer.writerow(
            [
                *(document[key] for key in head),
                run.score,
                run.formula,
                *(_values([run], name)[0] for name in names),
            ]
        )
    return out.getvalue()


def _run_document(run: RunRow) -> dict[str, object]:
    return {
        "time": run.time,
        "run_id": run.run_id,
        "commit": run.commit,
        "branch": run.branch,
        "dirty": run.dirty,
        "partial": run.partial,
        "surface": run.surface,
        "verdict": run.verdict,
        "score": run.score,
        "formula": run.formula,
        "metrics": {
            name: {"value": m.value, "verdict": m.verdict, "points": m.points, "weight": m.weight}
            for name, m in run.metrics.items()
        },
    }


def run_history(arguments: argparse.Namespace) -> int:
    found = _runs(arguments.last)
    if isinstance(found, int):
        return found
    _root, _specs, runs = found
    sys.stdout.write(export(runs, arguments.export))
    return 0
