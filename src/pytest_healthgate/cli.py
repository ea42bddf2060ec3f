"""The ``healthgate`` command. Subcommands join ``COMMANDS`` as they are built."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence
from types import ModuleType

from pytest_healthgate import __version__

# name -> the module under pytest_healthgate.commands, and the names there of its
# summary, its add-arguments function and its run function (which returns the exit
# status). A module is imported only when its command is run or every summary is
# shown (``healthgate --help``): a command's start-up pays for itself alone.
COMMANDS: dict[str, tuple[str, str, str, str]] = {
    "init": ("init", "SUMMARY", "add_arguments", "run"),
    "check": ("check", "SUMMARY", "add_arguments", "run"),
    "baseline": ("baseline", "SUMMARY", "add_arguments", "run"),
    "run": ("run", "SUMMARY", "add_arguments", "run"),
    "trend": ("trend", "TREND_SUMMARY", "add_trend_arguments", "run_trend"),
    "history": ("trend", "HISTORY_SUMMARY", "add_history_arguments", "run_history"),
    "report": ("report", "SUMMARY", "add_arguments", "run"),
    "combine": ("combine", "SUMMARY", "add_arguments", "run"),
    "hotspots": ("hotspots", "SUMMARY", "add_arguments", "run"),
}
EPILOG = (
    "Gates are configured in [tool.healthgate] of pyproject.toml and judged by "
    "`pytest --healthgate`. Exit statuses: 0 all gates pass or warn, 1 a gate "
    "failed, 2 usage or configuration error."
)


def command_module(name: str) -> ModuleType:
    return importlib.import_module(f"pytest_healthgate.commands.{COMMANDS[name][0]}")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser; with ``only``, the other commands are names without their arguments."""
    parser = argparse.ArgumentParser(
        prog="healthgate",
        description="Keep a Python project's health: coverage, debt, speed and test gates.",
        epilog=EPILOG,
    )
    parser.add_argument("--version", action="version", version=f"healthgate {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (_module, summary, add_arguments, _run) in COMMANDS.items():
        if only is not None and name != only:
            commands.add_parser(name)  # never shown: only `only`'s line is parsed
            continue
        module = command_module(name)
        text = getattr(module, summary)
        epilog = getattr(module, "EPILOG", None)
        subparser = commands.add_parser(name, help=text, description=text, epilog=epilog)
        getattr(module, add_arguments)(subparser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    given = list(sys.argv[1:] if argv is None else argv)
    if given[:1] == ["run"] and given[1:2] not in (["-h"], ["--help"]):
        # Everything after `run` belongs to pytest, options and their values included;
        # only `run -h` / `run --help` is ours (pytest's own: `run -- --help`).
        run: Callable[[argparse.Namespace], int] = command_module("run").run
        return run(argparse.Namespace(pytest_args=given[1:]))
    parser = build_parser(given[0] if given[:1] and given[0] in COMMANDS else None)
    arguments = parser.parse_args(given)
    if arguments.command is None:
        parser.print_help(sys.stdout)
        return 0
    run_command: Callable[[argparse.Namespace], int] = getattr(
        command_module(arguments.command), COMMANDS[arguments.command][3]
    )
    return run_command(arguments)


if __name__ == "__main__":
    raise SystemExit(main())
