"""The collector inside pytest: runs the engine beside the session, reports its failures."""

from __future__ import annotations

import shutil
from pathlib import Path

from pytest_healthgate.collect.static import create
from pytest_healthgate.config import HealthgateConfig, load

CONFIG = """
[tool.healthgate]
source = ["pkg"]

[tool.healthgate.gates]
debt = { fail = "1h" }
critical = { fail = 0 }
"""


def test_the_analysis_runs_in_a_subprocess_and_finish_returns_the_configured_gates(
    tmp_path: Path,
) -> None:
    collector = create(load_settings(tmp_path), None, is_worker=False)
    collector.start()
    assert collector.process is not None
    measured = {m.name: m for m in collector.finish()}
    assert set(measured) == {"debt", "critical"}
    assert measured["debt"].value == 5 * 60  # F401
    assert collector.folder is None  # temporary files removed


def test_a_worker_analyses_nothing(tmp_path: Path) -> None:
    collector = create(load_settings(tmp_path), None, is_worker=True)
    collector.start()
    assert collector.process is None
    assert collector.worker_payload() is None


def test_an_analysis_that_cannot_start_is_an_error_for_every_gate(tmp_path: Path) -> None:
    root = tmp_path / "project"
    root.mkdir()
    collector = create(load_settings(root), None, is_worker=False)
    shutil.rmtree(root)
    collector.start()
    measured = collector.finish()
    assert [m.name for m in measured] == ["debt", "critical"]
    assert all(m.error and "could not start" in m.error for m in measured)


def test_an_engine_that_dies_is_an_error_with_its_last_words(tmp_path: Path) -> None:
    collector = create(load_settings(tmp_path), None, is_worker=False)
    collector.folder = tmp_path / "run"
    collector.folder.mkdir()
    (collector.folder / "stderr").write_text("Traceback ...\nMemoryError\n")
    message = collector._read_result(1)
    assert message == "static analysis failed (exit status 1): Traceback ... | MemoryError"


def load_settings(root: Path) -> HealthgateConfig:
    (root / "pyproject.toml").write_text(CONFIG)
    (root / "pkg").mkdir()
    (root / "pkg" / "__init__.py").write_text("import os\n")
    return load(root, root / "pyproject.toml")
