"""Projects run as a user runs them: real `pytest --healthgate` subprocesses, no pytester.

The scenarios about concurrent, killed and interrupted runs start several runs
of one project at once, or signal them, so they drive ``subprocess`` directly,
with an environment of their own (a private temporary folder, no xdist worker
variables of the outer run).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

# Variables of the outer xdist worker that a user's shell would not have.
OUTER_RUN = ("PYTEST_XDIST_WORKER", "PYTEST_XDIST_TESTRUNUID", "PYTEST_XDIST_WORKER_COUNT")

# A rendezvous of two runs: each leaves a file and waits for the other's, so
# both are at the same point at the same time, whatever the machine's load.
RENDEZVOUS = """
import os
import time
from pathlib import Path

import pytest


def rendezvous(stage):
    folder = Path(os.environ["RENDEZVOUS"])
    (folder / f"{os.environ['RUN_NAME']}-{stage}").touch()
    other = folder / f"{os.environ['OTHER_RUN']}-{stage}"
    deadline = time.monotonic() + 60
    while not other.exists():
        assert time.monotonic() < deadline, f"{other.name} never came"
        time.sleep(0.002)


@pytest.fixture
def meet():
    return rendezvous


def pytest_sessionfinish(session):
    # Both runs finish together: they save their coverage data at the same moment.
    if not hasattr(session.config, "workerinput"):
        rendezvous("finish")
"""


def write_files(root: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip())
    return root


def environment(temporary: Path, **extra: str) -> dict[str, str]:
    """The outer environment with ``temporary`` as the temporary folder of the run."""
    env = {key: value for key, value in os.environ.items() if key not in OUTER_RUN}
    env.update(TMPDIR=str(temporary), **extra)
    return env


def pytest_command(report: Path, *args: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "pytest",
        "--healthgate",
        f"--healthgate-report=json:{report}",
        "-p",
        "no:cacheprovider",
        *args,
    ]


def start(
    command: list[str], root: Path, env: dict[str, str], *, session: bool = False
) -> subprocess.Popen[str]:
    """Start ``command`` in ``root``; ``session``: in a process group of its own (to signal).

    Ctrl-C is restored to its default in the child: a test suite started in the
    background of a non-interactive shell (``make test &``) inherits SIGINT
    ignored, and Python then never raises KeyboardInterrupt.
    """
    return subprocess.Popen(
        command,
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=session,
        preexec_fn=_default_sigint,  # noqa: PLW1509 - one signal() call, no locks taken
    )


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def finish(process: subprocess.Popen[str], timeout: float = 120) -> tuple[int, str]:
    output, _ = process.communicate(timeout=timeout)
    return process.returncode, output


def gate(report: Path, name: str) -> dict[str, Any]:
    document = json.loads(report.read_text())
    for metric in document["metrics"]:
        if metric["name"] == name:
            found: dict[str, Any] = metric
            return found
    raise AssertionError(f"no gate {name} in {report}")


def coverage_total(root: Path, env: dict[str, str]) -> str:
    """What `coverage report` says for the project's data file, as the project configures it."""
    completed = subprocess.run(
        [sys.executable, "-m", "coverage", "report", "--format=total"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return completed.stdout.strip()


def leftovers(*folders: Path) -> list[str]:
    """Temporary files and folders of healthgate (or anything) left in ``folders``."""
    found = []
    for folder in folders:
        for path in folder.rglob("*"):
            if path.name.endswith(".tmp") or path.name.startswith("healthgate-"):
                found.append(str(path))
    return sorted(found)
