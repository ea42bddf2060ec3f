"""``healthgate run`` (the ``healthgate`` hook): the full gate, ``pytest --healthgate``.

Every argument after ``run`` (and after an optional ``--``) is handed to pytest
unchanged and in order; only ``healthgate run -h`` / ``--help`` is this
command's own help (pytest's is ``healthgate run -- --help``).

It runs the test suite, so it belongs at ``pre-push`` or ``manual`` stage, and in
the project's own environment, where the project and its test dependencies are
installed: the manifest declares it ``language: system``, so pre-commit runs the
``healthgate`` command found on PATH (the activated project virtualenv).

Run from another environment, pytest fails to collect the tests with a wall of
import errors; when it stops that way (collection or usage error) and none of
the project's packages is importable by this interpreter, a last line says so
and how to fix it (``environment.cannot_run``). The check is made after pytest,
not before, so a project whose conftest.py puts its code on the path still runs.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

NAME = "healthgate"  # the hook's id, for SKIP=
# pytest's exit statuses that mean the tests did not run: interrupted (collection
# errors), internal error, usage error.
DID_NOT_RUN = (2, 3, 4)
EPILOG = (
    "Every argument after `run` (after an optional --) goes to pytest unchanged, in "
    "order: `healthgate run -- -k EXPR -n 2 tests/` runs `pytest --healthgate -k EXPR "
    "-n 2 tests/`, so --healthgate-fail GATE=BOUND and the other --healthgate-* options "
    "work too. `healthgate run -- --help` shows pytest's options. The exit status is "
    "pytest's: 1 also when a gate failed, 4 for a usage or configuration error."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "pytest_args",
        nargs=argparse.REMAINDER,
        help="passed on to pytest as given, after an optional --",
    )


def run(arguments: argparse.Namespace) -> int:
    extra = list(arguments.pytest_args)
    if extra[:1] == ["--"]:
        extra = extra[1:]
    command = [sys.executable, "-m", "pytest", "--healthgate", *extra]
    status = _pytest(command)
    if status in DID_NOT_RUN:
        problem = _environment_problem()
        if problem is not None:
            print(problem, file=sys.stderr)
    return status


def _pytest(command: list[str]) -> int:
    return subprocess.run(command, check=False).returncode


def _environment_problem() -> str | None:
    """One line when this interpreter cannot import the project, else None."""
    from pytest_healthgate.config import ConfigError, find_project, load
    from pytest_healthgate.environment import cannot_run

    try:
        settings = load(*find_project(Path.cwd()))
    except ConfigError:
        return None  # pytest has said what is wrong with the configuration
    return cannot_run(settings, NAME)
