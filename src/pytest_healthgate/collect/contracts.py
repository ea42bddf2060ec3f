"""The ``contracts`` gate: import-linter's architecture contracts, and which are broken.

import-linter reads its own configuration (``[tool.importlinter]`` in
pyproject.toml, or ``.importlinter`` / ``setup.cfg`` as ``lint-imports`` finds
them) and checks each contract (layers, independence, forbidden imports) on the
import graph of its root packages. The figure is the number of broken
contracts, each named in the details; contracts import-linter cannot check
(bad options, a root package it cannot find) make the gate ERROR with its
message, never a pass. The check runs in a fresh interpreter
(``contracts_child.py`` says why) with the project's ``src/`` and root first on
the path, so the graph is built from the project's own files, without
importing them; import-linter's cache is not used, so nothing is written.

import-linter is an optional dependency (``pip install pytest-healthgate[contracts]``).
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from pathlib import Path
from typing import Any

from pytest_healthgate.collect.lifecycle import Collector, CollectorContext, Role
from pytest_healthgate.model import Detail, Measurement
from pytest_healthgate.units import Unit

GATE = "contracts"
INSTALL = "pip install 'pytest-healthgate[contracts]' (import-linter)"
CONFIG_FILES = ("pyproject.toml", ".importlinter", "setup.cfg")
TIMEOUT = 600.0  # seconds; the collector passes [tool.healthgate.debt] timeout


def _config_file(root: Path) -> str | None:
    """The file import-linter would read in ``root`` (pyproject.toml only with its table)."""
    for name in CONFIG_FILES:
        path = root / name
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if name == ".importlinter" or "importlinter" in text:
            return str(path)
    return None


def measure_contracts(root: Path, seconds: float = TIMEOUT) -> Measurement:
    if not _available():
        return Measurement(GATE, error=f"import-linter is not installed; {INSTALL}")
    config = _config_file(root)
    if config is None:
        return Measurement(
            GATE,
            error="no import-linter contracts found: write them in [tool.importlinter] "
            "(see import-linter's documentation), or turn the gate off",
        )
    try:
        verdict = _checked(root, config, seconds)
    except ValueError as exc:
        return Measurement(GATE, error=str(exc))
    broken = [str(name) for name in verdict["broken"]]
    kept = int(verdict["kept"])
    return Measurement(
        GATE,
        value=float(len(broken)),
        precision=0,
        details=[Detail(name, 1.0, Unit.COUNT, "broken") for name in broken],
        extra={"broken": broken, "kept": kept, "looked_at": {"contracts": kept + len(broken)}},
    )


def _checked(root: Path, config: str, seconds: float) -> dict[str, Any]:
    """import-linter's verdict from a fresh interpreter (``contracts_child``); ValueError."""
    from pytest_healthgate.launcher import (
        ChildError,
        TimeLimit,
        child_environment,
        launch,
        one_line,
    )

    environment = child_environment(os.environ)
    # The project's own files first, ahead of any installed copy of its packages.
    found = [str(root / "src"), str(root), environment.get("PYTHONPATH", "")]
    environment["PYTHONPATH"] = os.pathsep.join(entry for entry in found if entry)
    command = [sys.executable, "-m", "pytest_healthgate.collect.contracts_child", config]
    limit = TimeLimit(seconds, "[tool.healthgate.debt] timeout")
    try:
        child = launch(command, label="import-linter", limit=limit, cwd=root, env=environment)
        try:
            finished = child.wait()
        finally:
            child.close()
    except ChildError as exc:
        raise ValueError(f"import-linter failed: {one_line(str(exc))}") from None
    try:
        verdict = json.loads(finished.stdout)
    except ValueError:
        said = one_line(finished.stderr or finished.stdout)
        raise ValueError(f"import-linter failed (status {finished.status}): {said}") from None
    if not isinstance(verdict, dict):
        raise ValueError(f"import-linter printed no verdict: {one_line(finished.stdout)}")
    if "error" in verdict:
        raise ValueError(str(verdict["error"]))
    return verdict


def _available() -> bool:
    try:
        return importlib.util.find_spec("importlinter") is not None
    except ValueError:  # a module entry of None: imported as missing
        return False


class ContractsCollector(Collector):
    def finish(self) -> list[Measurement]:
        if self.role is Role.WORKER:
            return []
        seconds = float(self.settings.section("debt")["timeout"])
        return [measure_contracts(self.settings.root, seconds)]


def create(context: CollectorContext) -> Collector:
    return ContractsCollector(context)
