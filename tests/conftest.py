"""Shared helpers: small projects built with pytester and read back from last-run.json."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(params=[pytest.param([], id="serial"), pytest.param(["-n", "2"], id="xdist")])
def xdist_args(request: pytest.FixtureRequest) -> list[str]:
    """Run a plugin scenario both serially and under pytest-xdist with two workers."""
    return list(request.param)


def pytest_configure(config: pytest.Config) -> None:
    # This repository measures its own coverage in pytester subprocesses through
    # coverage.py's `patch = ["subprocess"]`. coverage.py stops that automatic
    # measurement as soon as a process creates its own Coverage object, which is
    # exactly what the plugin under test does; COVERAGE_COVERAGE is coverage.py's
    # switch for measuring a tool that itself uses coverage.py.
    os.environ.setdefault("COVERAGE_COVERAGE", "yes")
    # hypothesis's pytest plugin costs every pytest process a third of a second
    # or more; the hundreds of pytest runs this suite starts do not use it.
    os.environ["PYTEST_ADDOPTS"] = _without_hypothesis(os.environ.get("PYTEST_ADDOPTS", ""))


NO_HYPOTHESIS = "-p no:hypothesispytest"


def _without_hypothesis(addopts: str) -> str:
    return addopts if NO_HYPOTHESIS in addopts else f"{addopts} {NO_HYPOTHESIS}".strip()


@pytest.fixture(autouse=True)
def _pytester_runs_without_hypothesis(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    # pytester clears PYTEST_ADDOPTS for the runs it starts; set it again after it.
    if "pytester" in request.fixturenames:
        request.getfixturevalue("pytester")
        monkeypatch.setenv("PYTEST_ADDOPTS", NO_HYPOTHESIS)
