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
