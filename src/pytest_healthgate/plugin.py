"""pytest entry point ``healthgate``: options and the hand-off to GateSession.

pytest imports this module in every run of every project that has the plugin
installed, so it imports nothing but pytest and does nothing unless
``--healthgate`` is given. The work lives in ``session.py`` and is imported only then.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from pytest_healthgate.session import GateSession

SESSION_KEY: pytest.StashKey[GateSession] = pytest.StashKey()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("healthgate", "project health gates (pytest-healthgate)")
    group.addoption(
        "--healthgate",
        action="store_true",
        default=False,
        help="measure the project and judge the gates of [tool.healthgate] after the run.",
    )
    group.addoption(
        "--healthgate-report",
        action="append",
        default=[],
        metavar="FORMAT:PATH",
        help="also write the result as FORMAT (json) to PATH; may be repeated.",
    )


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: pytest.Config) -> None:
    # Start before conftest files and test modules import the measured package,
    # so that its module-level lines count as covered.
    if getattr(early_config.known_args_namespace, "healthgate", False):
        _start(early_config)


def pytest_configure(config: pytest.Config) -> None:
    # Registered even without --healthgate, so suites using it pass --strict-markers.
    config.addinivalue_line(
        "markers",
        "healthgate_memory(limit): fail the test when its peak Python allocation during "
        'the call exceeds limit, such as "50MB" (pytest-healthgate, with --healthgate).',
    )
    # Reached without the early start when the plugin was loaded late (say from a
    # conftest's pytest_plugins); coverage then starts here.
    if config.getoption("healthgate") and SESSION_KEY not in config.stash:
        _start(config)


def _start(config: pytest.Config) -> None:
    from pytest_healthgate.session import GateSession, XdistHooks, load_config

    session = GateSession(config, load_config(config))
    config.stash[SESSION_KEY] = session
    config.pluginmanager.register(session, "healthgate-session")
    if config.pluginmanager.hasplugin("xdist"):
        config.pluginmanager.register(XdistHooks(session), "healthgate-xdist")
