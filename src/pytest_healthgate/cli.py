"""The ``healthgate`` command. Subcommands join ``COMMANDS`` as they are built."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from pytest_healthgate import __version__
from pytest_healthgate.commands import baseline, check, combine, hotspots, init, report, trend
from pytest_healthgate.commands import run as run_command

# name -> (help, add arguments, run); run returns the exit status.
Command = tuple[str, Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], int]]
COMMANDS: dict[str, Command] = {
    "init": (init.SUMMARY, init.add_arguments, init.run),
    "check": (check.SUMMARY, check.add_arguments, check.run),
    "baseline": (baseline.SUMMARY, baseline.add_arguments, baseline.run),
    "run": (run_command.SUMMARY, run_command.add_arguments, run_command.run),
    "trend": (trend.TREND_SUMMARY, trend.add_trend_arguments, trend.run_trend),
    "history": (trend.HISTORY_SUMMARY, trend.add_history_arguments, trend.run_history),
    "report": (report.SUMMARY, report.add_arguments, report.run),
    "combine": (combine.SUMMARY, combine.add_arguments, combine.run),
    "hotspots": (hotspots.SUMMARY, hotspots.add_arguments, hotspots.run),
}

COMMAND_MODULES = {
    "init": init,
    "check": check,
    "baseline": baseline,
    "run": run_command,
    "trend": trend,
    "history": trend,
    "report": report,
    "combine": combine,
    "hotspots": hotspots,
}
EPILOG = (
    "Gates are configured in [tool.healthgate] of pyproject.toml and judged by "
    "`pytest --healthgate`. Exit statuses: 0 all gates pass or warn, 1 a gate "
    "failed, 2 usage or configuration error."
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="healthgate",
        description="Keep a Python project's health: coverage, debt, speed and test gates.",
        epilog=EPILOG,
    )
    parser.add_argument("--version", action="version", version=f"healthgate {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (summary, add_arguments, _run) in COMMANDS.items():
        epilog = getattr(COMMAND_MODULES[name], "EPILOG", None)
        add_arguments(commands.add_parser(name, help=summary, description=summary, epilog=epilog))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    given = list(sys.argv[1:] if argv is None else argv)
    if given[:1] == ["run"] and given[1:2] not in (["-h"], ["--help"]):
        # Everything after `run` belongs to pytest, options and their values included;
        # only `run -h` / `run --help` is ours (pytest's own: `run -- --help`).
        return run_command.run(argparse.Namespace(pytest_args=given[1:]))
    arguments = parser.parse_args(given)
    if arguments.command is None:
        parser.print_help(sys.stdout)
        return 0
    return COMMANDS[arguments.command][2](arguments)


if __name__ == "__main__":
    raise SystemExit(main())
