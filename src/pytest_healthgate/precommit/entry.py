"""What every hook's ``main`` starts with: its arguments and the project's settings."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from pytest_healthgate.config import ConfigError, HealthgateConfig, find_project, load

USAGE_ERROR = 2


def parse_hook_args(
    name: str, description: str | None, files_help: str, argv: Sequence[str] | None
) -> tuple[list[str], HealthgateConfig | None]:
    """The file names pre-commit passed, and the settings; None after printing a config error."""
    parser = argparse.ArgumentParser(prog=name, description=description)
    parser.add_argument("filenames", nargs="*", help=files_help)
    filenames: list[str] = parser.parse_args(argv).filenames
    root, pyproject = find_project(Path.cwd())
    try:
        return filenames, load(root, pyproject)
    except ConfigError as exc:
        print(f"{name}: {exc}", file=sys.stderr)
        return filenames, None
