"""docs/adopting.md is a walkthrough that works: every `$` command runs, in order.

The commands run in a shell in a legacy project (tests/test_adopting.py's:
complexity F, 40 % coverage, a high-severity bandit finding, in git), with this
environment's `pytest` and `healthgate` first on PATH. `pip install` is left
out: the package under test is installed already, and there is no network.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.test_adopting import write_legacy

DOC = Path(__file__).parent.parent / "docs" / "adopting.md"
BLOCK = re.compile(r"```console\n(.*?)```", re.DOTALL)
EXIT = re.compile(r"\s+# exit (\d+)$")


def commands(text: str) -> list[tuple[str, int]]:
    found = []
    for block in BLOCK.findall(text):
        for line in block.splitlines():
            if not line.startswith("$ "):
                continue
            command = line[2:]
            expected = 0
            match = EXIT.search(command)
            if match:
                expected = int(match.group(1))
                command = command[: match.start()]
            found.append((command, expected))
    return found


def test_the_walkthrough_lists_the_commands_of_each_step() -> None:
    listed = [command for command, _status in commands(DOC.read_text())]
    assert listed[:3] == ["pip install pytest-healthgate", "pytest --healthgate", "healthgate init"]
    assert any(
        command.startswith("healthgate baseline --update --allow-worse") for command in listed
    )


def test_every_command_of_docs_adopting_runs_with_the_status_it_shows(tmp_path: Path) -> None:
    write_legacy(tmp_path)
    environment = dict(os.environ)
    environment["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{environment['PATH']}"
    environment.update(
        GIT_AUTHOR_NAME="dev",
        GIT_AUTHOR_EMAIL="dev@example.com",
        GIT_COMMITTER_NAME="dev",
        GIT_COMMITTER_EMAIL="dev@example.com",
    )
    ran = []
    for command, expected in commands(DOC.read_text()):
        if command.startswith("pip install"):
            continue
        completed = subprocess.run(
            ["bash", "-c", command],
            cwd=tmp_path,
            env=environment,
            capture_output=True,
            text=True,
            check=False,
        )
        assert completed.returncode == expected, (command, completed.stdout, completed.stderr)
        ran.append(command)
    assert len(ran) >= 10
    baseline = (tmp_path / ".healthgate" / "baseline.toml").read_text()
    assert "deploy helper, reviewed in #42" in baseline
