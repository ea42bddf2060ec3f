"""The `healthgate` command: --version, --help, and `run` handing pytest its arguments."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pytest_healthgate import __version__
from pytest_healthgate.cli import main


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


def test_run_passes_every_pytest_option_and_its_value_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.healthgate.gates]\ncoverage = false\n")
    (tmp_path / "test_two.py").write_text(
        "def test_keep():\n    pass\n\n\ndef test_drop():\n    assert False\n"
    )
    monkeypatch.chdir(tmp_path)
    assert main(["run", "-k", "drop", "-p", "no:cacheprovider"]) == 1
    assert "1 failed, 1 deselected" in capfd.readouterr().out
    assert main(["run", "--", "-k", "keep", "-p", "no:cacheprovider"]) == 0
    assert "1 passed, 1 deselected" in capfd.readouterr().out
