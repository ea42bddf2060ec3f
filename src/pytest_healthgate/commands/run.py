"""``healthgate run`` (the ``healthgate`` hook): the full gate, ``pytest --healthgate``.

It runs the test suite, so it belongs at ``pre-push`` or ``manual`` stage, and in
the project's own environment, where the project and its test dependencies are
installed: the manifest declares it ``language: system``, so pre-commit runs the
``healthgate`` command found on PATH (the activated project virtualenv).
"""

from __future__ import annotations

import argparse
import subprocess
import sys

SUMMARY = "run the test suite with every gate: pytest --healthgate [PYTEST ARGS]"


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
    return subprocess.run(command, check=False).returncode
