"""Helpers for plugin scenarios: small projects built with pytester, results read back."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest

from pytest_healthgate.collect.lifecycle import CollectorContext, Role
from pytest_healthgate.config import HealthgateConfig


def write_project(
    pytester: pytest.Pytester, healthgate_toml: str = "", extra_toml: str = ""
) -> Path:
    """A project with pyproject.toml, a `calc` package under src/ and nothing else."""
    pyproject = textwrap.dedent(
        """
        [tool.pytest.ini_options]
        pythonpath = ["src"]
        testpaths = ["tests"]
        """
    )
    pyproject += textwrap.dedent(extra_toml)
    if healthgate_toml:
        pyproject += "\n" + textwrap.dedent(healthgate_toml)
    pytester.makefile(".toml", pyproject=pyproject)
    package = _mkdir(pytester.path / "src" / "calc")
    (package / "__init__.py").write_text("")
    return pytester.path


def _mkdir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path


def write(pytester: pytest.Pytester, relative: str, source: str) -> Path:
    path = pytester.path / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(source).lstrip())
    return path


def last_run(root: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((root / ".healthgate" / "last-run.json").read_text())
    return document


def gate(document: dict[str, Any], name: str) -> dict[str, Any]:
    for metric in document["metrics"]:
        if metric["name"] == name:
            found: dict[str, Any] = metric
            return found
    raise AssertionError(f"no gate {name} in {[m['name'] for m in document['metrics']]}")


REPORT = "healthgate-report.json"


def run_with_report(
    pytester: pytest.Pytester, *args: str, inprocess: bool = False
) -> tuple[pytest.RunResult, dict[str, Any]]:
    """`pytest --healthgate` with the JSON report it wrote ({} if none).

    In a subprocess by default, because a coverage tracer is per process;
    ``inprocess`` for scenarios that leave the coverage gate off (faster).
    """
    run = pytester.runpytest_inprocess if inprocess else pytester.runpytest_subprocess
    result = run(
        "--healthgate", f"--healthgate-report=json:{REPORT}", "-p", "no:cacheprovider", *args
    )
    report_file = pytester.path / REPORT
    document = json.loads(report_file.read_text()) if report_file.is_file() else {}
    return result, document


def collector_context(
    settings: HealthgateConfig, collector: str, role: Role = Role.SOLO
) -> CollectorContext:
    """What the run would create ``collector`` with: its configured gates and options."""
    catalogue = settings.catalogue
    spec = catalogue.collectors[collector]
    gates = [gate for gate in catalogue.gates_of(collector) if gate in settings.gates]
    return CollectorContext(
        settings,
        specs={gate: catalogue.metrics[gate] for gate in gates},
        options=settings.section(spec.config_table),
        role=role,
    )
