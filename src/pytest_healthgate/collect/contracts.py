"""The ``contracts`` gate: import-linter's architecture contracts, and which are broken.

import-linter reads its own configuration (``[tool.importlinter]`` in
pyproject.toml, or ``.importlinter`` / ``setup.cfg`` as ``lint-imports`` finds
them) and checks each contract (layers, independence, forbidden imports) on the
import graph of its root packages. The figure is the number of broken
contracts, each named in the details; contracts import-linter cannot check
(bad options, a root package it cannot find) make the gate ERROR with its
message, never a pass. The graph is built from the project's files, found on
the path the project's source lives on (``src/`` or the root), without importing
them; import-linter's cache is not used, so nothing is written.

import-linter is an optional dependency (``pip install pytest-healthgate[contracts]``).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pytest_healthgate.collect.lifecycle import Collector, CollectorContext, Role
from pytest_healthgate.model import Detail, Measurement
from pytest_healthgate.units import Unit

GATE = "contracts"
INSTALL = "pip install 'pytest-healthgate[contracts]' (import-linter)"
CONFIG_FILES = ("pyproject.toml", ".importlinter", "setup.cfg")


@contextmanager
def _importable_from(folders: list[Path]) -> Iterator[None]:
    """The project's folders first on ``sys.path`` while the graph is built (grimp finds
    packages through it), and the path as it was afterwards."""
    saved = list(sys.path)
    sys.path[:0] = [str(folder) for folder in folders]
    try:
        yield
    finally:
        sys.path[:] = saved


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


def measure_contracts(root: Path) -> Measurement:
    try:
        from importlinter import configuration
        from importlinter.application import use_cases
    except ImportError:
        return Measurement(GATE, error=f"import-linter is not installed; {INSTALL}")
    config = _config_file(root)
    if config is None:
        return Measurement(
            GATE,
            error="no import-linter contracts found: write them in [tool.importlinter] "
            "(see import-linter's documentation), or turn the gate off",
        )
    try:
        configuration.configure()
        options = use_cases.read_user_options(config_filename=config)
        # lint-imports registers the contract types this way; import-linter has no
        # public call for it (the tests compare with lint-imports, so a change shows).
        use_cases._register_contract_types(options)
        with _importable_from([root / "src", root]):
            report = use_cases.create_report(options, cache_dir=None)
    except Exception as exc:
        return Measurement(GATE, error=f"import-linter could not check the contracts: {exc}")
    if report.could_not_run:
        invalid = report.invalid_contract_options.items()
        problems = "; ".join(f"{name}: {exc}" for name, exc in invalid)
        return Measurement(GATE, error=f"import-linter: invalid contract options: {problems}")
    checks = report.get_contracts_and_checks()
    broken = [contract.name for contract, check in checks if not check.kept]
    return Measurement(
        GATE,
        value=float(len(broken)),
        precision=0,
        details=[Detail(name, 1.0, Unit.COUNT, "broken") for name in broken],
        extra={
            "broken": broken,
            "kept": report.kept_count,
            "looked_at": {"contracts": report.kept_count + report.broken_count},
        },
    )


class ContractsCollector(Collector):
    def finish(self) -> list[Measurement]:
        if self.role is Role.WORKER:
            return []
        return [measure_contracts(self.settings.root)]


def create(context: CollectorContext) -> Collector:
    return ContractsCollector(context)
