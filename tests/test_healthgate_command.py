"""The `healthgate` console script exists and answers --version and --help."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from pytest_healthgate import __version__


def command() -> list[str]:
    script = Path(sys.executable).parent / "healthgate"
    return [str(script)] if script.exists() else [shutil.which("healthgate") or "healthgate"]


def test_version_names_the_installed_version() -> None:
    completed = subprocess.run(
        [*command(), "--version"], capture_output=True, text=True, check=True
    )
    assert completed.stdout.strip() == f"healthgate {__version__}"


def test_help_describes_the_command_and_its_exit_statuses() -> None:
    completed = subprocess.run([*command(), "--help"], capture_output=True, text=True, check=True)
    assert completed.stdout.startswith("usage: healthgate")
    assert "Exit statuses" in completed.stdout
