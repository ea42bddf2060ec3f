"""The ``healthgate`` command. Subcommands join ``COMMANDS`` as they are built."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import NamedTuple

from pytest_healthgate import __version__, forget_removed_submodules


class Command(NamedTuple):
    """A subcommand: its module under ``pytest_healthgate.commands``, its help, and the
    names of the module's functions that add its arguments and run it."""

    module: str
    summary: str
    add_arguments: str = "add_arguments"
    run: str = "run"


# Only the module of the command that runs is imported: `healthgate check` does not
# load the history, the shard combiner or the adoption wizard.
COMMANDS: dict[str, Command] = {
    "init": Command(
        "init", "adopt healthgate: write [tool.healthgate] and a baseline of today's figures"
    ),
    "check": Command(
        "check",
        "judge the static gates (debt, complexity, critical issues) without running tests",
    ),
    "baseline": Command("baseline", "show the committed baseline, or --update it from a whole run"),
    "run": Command("run", "run the test suite with every gate: pytest --healthgate [PYTEST ARGS]"),
    "trend": Command(
        "trend",
        "show how each metric and the health score moved over the last runs",
        "add_trend_arguments",
        "run_trend",
    ),
    "history": Command(
        "trend",
        "export the run history (every run, every metric) as CSV or JSON",
        "add_history_arguments",
        "run_history",
    ),
    "report": Command(
        "report",
        "render the last recorded run as json, md, badge (SVG) or sarif, without running anything",
    ),
    "combine": Command(
        "combine", "judge the shards of a split suite (pytest --healthgate-shard=DIR) as one run"
    ),
    "hotspots": Command(
        "hotspots", "rank files by how often they changed (git log) times their debt"
    ),
}
Run = Callable[[argparse.Namespace], int]
EPILOG = (
    "Gates are configured in [tool.healthgate] of pyproject.toml and judged by "
    "`pytest --healthgate`. Exit statuses: 0 all gates pass or warn, 1 a gate "
    "failed, 2 usage or configuration error."
)


def command_module(name: str) -> ModuleType:
    """The module of command ``name`` (imported now if it was not yet)."""
    return importlib.import_module(f"pytest_healthgate.commands.{COMMANDS[name].module}")


def build_parser(chosen: str | None = None) -> tuple[argparse.ArgumentParser, Run | None]:
    """The parser, with the arguments of ``chosen`` (every command when None), and
    the run function of ``chosen``."""
    parser = argparse.ArgumentParser(
        prog="healthgate",
        description="Keep a Python project's health: coverage, debt, speed and test gates.",
        epilog=EPILOG,
    )
    parser.add_argument("--version", action="version", version=f"healthgate {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    run = None
    for name, command in COMMANDS.items():
        sub = commands.add_parser(name, help=command.summary, description=command.summary)
        if chosen is None or name == chosen:
            module = command_module(name)
            sub.epilog = getattr(module, "EPILOG", None)
            getattr(module, command.add_arguments)(sub)
            if name == chosen:
                run = getattr(module, command.run)
    return parser, run


def main(argv: Sequence[str] | None = None) -> int:
    forget_removed_submodules()  # the command's modules are imported afresh if removed
    given = list(sys.argv[1:] if argv is None else argv)
    if given[:1] == ["run"] and given[1:2] not in (["-h"], ["--help"]):
        # Everything after `run` belongs to pytest, options and their values included;
        # only `run -h` / `run --help` is ours (pytest's own: `run -- --help`).
        from pytest_healthgate.commands import run as run_command

        return run_command.run(argparse.Namespace(pytest_args=given[1:]))
    # The command is the first word; before it only --version and -h are ours.
    chosen = next((word for word in given if not word.startswith("-")), None)
    parser, run = build_parser(chosen if chosen in COMMANDS else None)
    arguments = parser.parse_args(given)
    if arguments.command is None:
        parser.print_help(sys.stdout)
        return 0
    if run is None:  # a command the first word did not name: argparse would have refused it
        parser.error(f"cannot run {arguments.command!r}")
    return run(arguments)


if __name__ == "__main__":
    raise SystemExit(main())
