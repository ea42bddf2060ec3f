"""pytest entry point ``healthgate``: options, hook specifications, and the hand-off.

pytest imports this module in every run of every project that has the plugin
installed, so it imports nothing but pytest and does nothing unless
``--healthgate`` is given. The work lives in ``session.py`` and is imported only then.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from pytest_healthgate.catalogue import Catalogue
    from pytest_healthgate.session import GateSession

SESSION_KEY: pytest.StashKey[GateSession] = pytest.StashKey()
Record = Callable[[str, float], None]


class HookSpecs:
    """pytest-healthgate's hook specifications (docs/plugins.md).

    They live here, not in a module of their own, because pytest must know them
    in every run - a conftest.py may implement them - and importing the plugin
    has to stay this one module.
    """

    @staticmethod
    @pytest.hookspec
    def pytest_healthgate_register(catalogue: Catalogue) -> None:
        """Add gates (``MetricSpec``) and collectors (``CollectorSpec``) to ``catalogue``.

        Called once per run, by pytest with ``--healthgate`` and by the
        ``healthgate`` command and hooks (which load plugins from the
        ``healthgate`` entry-point group). The built-in gates register here too.
        """


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    pluginmanager.add_hookspecs(HookSpecs)


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
        metavar="FORMAT[:PATH]",
        help="also write the result as FORMAT (json, md, badge, sarif) to PATH (default "
        ".healthgate/report.json, report.md, badge.svg); may be repeated.",
    )
    group.addoption(
        "--healthgate-fail",
        action="append",
        default=[],
        metavar="GATE=BOUND",
        help="fail bound for this run, in the gate's unit (coverage=90, debt=300h, "
        "complexity=D); overrides [tool.healthgate.gates]; may be repeated.",
    )
    group.addoption(
        "--healthgate-warn",
        action="append",
        default=[],
        metavar="GATE=BOUND",
        help="warn bound for this run, like --healthgate-fail; may be repeated.",
    )
    group.addoption(
        "--healthgate-diff",
        default=None,
        metavar="REF",
        help="judge the new-code gates against the merge base of HEAD and REF (such as "
        "origin/main); overrides [tool.healthgate.new_code] base.",
    )
    group.addoption(
        "--healthgate-shard",
        default=None,
        metavar="DIR",
        help="run one shard of a split suite: record what it measured in DIR instead of "
        "judging the gates; `healthgate combine DIR...` judges the shards as one run.",
    )
    group.addoption(
        "--healthgate-shard-id",
        default=None,
        metavar="ID",
        help="this shard's name in the combined run (default: the name of the shard's DIR).",
    )
    group.addoption(
        "--healthgate-snapshot",
        default=None,
        metavar="PATH",
        help="also write this run's figures in the baseline's format to PATH "
        "(what `healthgate init` and `healthgate baseline --update` use).",
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
    if not config.getoption("healthgate"):
        _refuse_options_without_healthgate(config)
    # Reached without the early start when the plugin was loaded late (say from a
    # conftest's pytest_plugins); coverage then starts here.
    if config.getoption("healthgate") and SESSION_KEY not in config.stash:
        _start(config)


@pytest.fixture
def healthgate_record(request: pytest.FixtureRequest) -> Record:
    """Record a value of a project metric: ``healthgate_record("fps", 12.3)``.

    Declared in ``[tool.healthgate.metrics.NAME]``, the values of a run are
    aggregated and gated; without ``--healthgate`` recording does nothing.
    """
    session = request.config.stash.get(SESSION_KEY, None)
    nodeid = request.node.nodeid

    def record(name: str, value: float) -> None:
        if session is not None:
            session.record(nodeid, name, value)
        else:
            from pytest_healthgate.collect.recorded import check_recording

            check_recording(name, value)  # the same errors with and without --healthgate

    return record


# Options that only mean something with --healthgate: (flag, dest).
NEEDS_HEALTHGATE = (
    ("--healthgate-report", "healthgate_report"),
    ("--healthgate-fail", "healthgate_fail"),
    ("--healthgate-warn", "healthgate_warn"),
    ("--healthgate-snapshot", "healthgate_snapshot"),
    ("--healthgate-diff", "healthgate_diff"),
    ("--healthgate-shard", "healthgate_shard"),
    ("--healthgate-shard-id", "healthgate_shard_id"),
)


def _refuse_options_without_healthgate(config: pytest.Config) -> None:
    """A --healthgate-* option without --healthgate would do nothing: a usage error."""
    given = [flag for flag, dest in NEEDS_HEALTHGATE if config.getoption(dest)]
    if given:
        raise pytest.UsageError(
            f"healthgate: {', '.join(given)} given without --healthgate, so no gate would "
            f"be judged; add --healthgate (pytest --healthgate {given[0]}=...), or remove "
            f"{'it' if len(given) == 1 else 'them'}."
        )


def _start(config: pytest.Config) -> None:
    from pytest_healthgate import forget_removed_submodules

    forget_removed_submodules()  # an earlier in-process run's modules are gone
    from pytest_healthgate.session import GateSession

    session = GateSession.start(config)
    config.stash[SESSION_KEY] = session
    config.pluginmanager.register(session, "healthgate-session")
