"""The shared back half of every surface: measurements -> verdicts -> reports and stores.

pytest, the ``healthgate`` command and the pre-commit entries all end here, so a
figure is judged and written the same way whichever flow produced it.
"""

from __future__ import annotations

import datetime as dt
import platform
import subprocess
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from pytest_healthgate import __version__
from pytest_healthgate.config import ConfigError, HealthgateConfig
from pytest_healthgate.gates import evaluate
from pytest_healthgate.model import Measurement, RunResult
from pytest_healthgate.report import json_report
from pytest_healthgate.store.files import state_dir, write_atomic

LAST_RUN = "last-run.json"
RENDERERS: dict[str, Callable[[RunResult], str]] = {"json": json_report.render}


def parse_report_target(text: str, root: Path) -> tuple[str, Path]:
    """Read ``FORMAT:PATH`` from ``--healthgate-report``; relative paths are from ``root``."""
    kind, separator, where = text.partition(":")
    if not separator or not where or kind not in RENDERERS:
        formats = ", ".join(sorted(RENDERERS))
        raise ConfigError(
            f"--healthgate-report={text}: expected FORMAT:PATH with FORMAT one of {formats}, "
            f"for example --healthgate-report=json:reports/healthgate.json."
        )
    path = Path(where)
    return kind, path if path.is_absolute() else root / path


def git_commit(root: Path) -> str | None:
    try:
        completed = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    commit = completed.stdout.strip()
    return commit if completed.returncode == 0 and commit else None


def run_metadata(config: HealthgateConfig, surface: str, **extra: Any) -> dict[str, Any]:
    import pytest

    return {
        "time": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "surface": surface,
        "python": platform.python_version(),
        "implementation": sys.implementation.name,
        "platform": sys.platform,
        "pytest": pytest.__version__,
        "healthgate": __version__,
        "git_commit": git_commit(config.root),
        "root": str(config.root),
        "config_file": str(config.path) if config.path else None,
        "source": list(config.source),
        **extra,
    }


def judge(
    config: HealthgateConfig, measurements: Iterable[Measurement], metadata: dict[str, Any]
) -> RunResult:
    return evaluate(config.gates, measurements, metadata)


def publish(
    result: RunResult,
    config: HealthgateConfig,
    targets: Iterable[tuple[str, Path]] = (),
    sources: dict[str, str] | None = None,
) -> list[Path]:
    """Write last-run.json (and the sources it measured) and every requested report."""
    folder = state_dir(config.root)
    written = [folder / LAST_RUN]
    write_atomic(written[0], json_report.render(result))
    if sources is not None:
        from pytest_healthgate.store import sources as source_store

        written.append(folder / source_store.SOURCES_FILE)
        write_atomic(written[-1], source_store.render(sources))
    for kind, path in targets:
        write_atomic(path, RENDERERS[kind](result))
        written.append(path)
    return written
