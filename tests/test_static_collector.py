"""The collector inside pytest: runs the engine beside the session, reports its failures."""

from __future__ import annotations

import shutil
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from pytest_healthgate.builtin import METRICS
from pytest_healthgate.collect.lifecycle import CollectorContext, Role
from pytest_healthgate.collect.static.collector import StaticCollector, create
from pytest_healthgate.config import HealthgateConfig, load

CONFIG = """
[tool.healthgate]
default_gates = false
source = ["pkg"]

[tool.healthgate.gates]
debt = { fail = "1h" }
critical = { fail = 0 }
"""


def context_for(settings: HealthgateConfig, **fields: Any) -> CollectorContext:
    """The collector's context as the session builds it: the configured static gates."""
    specs = {
        spec.name: spec
        for spec in METRICS
        if spec.collector == "static" and spec.name in settings.gates
    }
    return CollectorContext(settings, specs=specs, options=settings.section("debt"), **fields)


def in_pytest(settings: HealthgateConfig, role: Role = Role.SOLO) -> CollectorContext:
    # Only its presence matters to the collector: it says "inside pytest".
    return context_for(settings, pytest_config=object(), role=role)


def test_the_analysis_runs_in_a_subprocess_and_finish_returns_the_configured_gates(
    tmp_path: Path,
) -> None:
    collector = create(in_pytest(load_settings(tmp_path)))
    collector.start()
    assert collector.child is not None
    measured = {m.name: m for m in collector.finish()}
    assert set(measured) == {"debt", "critical"}
    assert measured["debt"].value == 5 * 60  # F401
    assert collector.folder is None  # temporary files removed


def test_a_worker_analyses_nothing(tmp_path: Path) -> None:
    collector = create(in_pytest(load_settings(tmp_path), Role.WORKER))
    collector.start()
    assert collector.child is None
    assert collector.worker_payload() is None
    assert collector.finish() == []


def test_an_analysis_that_cannot_start_is_an_error_for_every_gate(tmp_path: Path) -> None:
    root = tmp_path / "project"
    root.mkdir()
    collector = create(in_pytest(load_settings(root)))
    shutil.rmtree(root)
    collector.start()
    measured = collector.finish()
    assert [m.name for m in measured] == ["debt", "critical"]
    assert all(m.error and "could not start" in m.error for m in measured)


def engine_stand_in(monkeypatch: pytest.MonkeyPatch, code: str) -> None:
    """Run ``code`` instead of the engine, as the collector would run the engine."""
    monkeypatch.setattr(
        StaticCollector, "engine_command", lambda self, folder: [sys.executable, "-c", code]
    )


def test_an_engine_that_dies_is_an_error_with_its_last_words(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine_stand_in(
        monkeypatch,
        "import sys; sys.stderr.write('Traceback ...\\nMemoryError\\n'); sys.exit(1)",
    )
    collector = create(in_pytest(load_settings(tmp_path)))
    collector.start()
    message = collector.finish()[0].error
    assert message == "static analysis failed (exit status 1): Traceback ... | MemoryError"


def test_an_engine_past_the_timeout_is_killed_and_says_which_setting_raises_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine_stand_in(monkeypatch, "import time; time.sleep(60)")
    settings = load_settings(tmp_path)
    context = in_pytest(settings)
    collector = create(replace(context, options={**context.options, "timeout": 0.3}))
    collector.start()
    child = collector.child
    assert child is not None
    measured = collector.finish()
    assert {m.error for m in measured} == {
        "the static analysis did not finish within 300ms; its process was killed "
        "(raise [tool.healthgate.debt] timeout if this is expected)"
    }
    assert child.poll() is not None
    assert collector.folder is None


def test_close_kills_a_running_analysis_and_removes_its_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine_stand_in(monkeypatch, "import time; time.sleep(60)")
    collector = create(in_pytest(load_settings(tmp_path)))
    collector.start()
    child, folder = collector.child, collector.folder
    assert child is not None
    assert folder is not None
    collector.close()
    assert child.poll() is not None
    assert not folder.exists()


def test_outside_pytest_finish_analyses_in_this_process_the_given_paths(
    tmp_path: Path,
) -> None:
    settings = load_settings(tmp_path)
    (tmp_path / "pkg" / "clean.py").write_text("VALUE = 1\n")
    collector = create(context_for(settings, paths=(str(tmp_path / "pkg" / "clean.py"),)))
    collector.start()  # outside pytest nothing runs before finish
    assert collector.child is None
    measured = {m.name: m for m in collector.finish()}
    assert measured["debt"].value == 0
    assert measured["debt"].extra["files_analysed"] == 1


def test_outside_pytest_no_cache_leaves_the_cache_alone(tmp_path: Path) -> None:
    settings = load_settings(tmp_path)
    measured = create(context_for(settings, use_cache=False)).finish()
    assert {m.name for m in measured} == {"debt", "critical"}
    assert not (tmp_path / ".healthgate").exists()


def load_settings(root: Path) -> HealthgateConfig:
    (root / "pyproject.toml").write_text(CONFIG)
    (root / "pkg").mkdir()
    (root / "pkg" / "__init__.py").write_text("import os\n")
    return load(root, root / "pyproject.toml")
