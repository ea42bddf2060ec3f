"""The gate catalogue: every gate and every collector, each declared once.

A gate is one ``MetricSpec``: its name, unit, direction, meaning, the hint shown
when it is not PASS, the collector that measures it, the tools it needs and how
its details are titled and shown. A collector is one ``CollectorSpec``: where
its factory lives, whether it measures without running tests, and its own
configuration table. Config validation, collector selection, ``healthgate
check``'s gates, the hooks' gates, the terminal's section titles and the
reference in ``docs/`` all read this catalogue.

Built-in gates register through the same hook as third-party ones
(``pytest_healthgate_register``, see ``hookspecs.py``); ``builtin.py`` holds them.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pluggy

from pytest_healthgate.model import Bounds, Direction
from pytest_healthgate.schema import ConfigError
from pytest_healthgate.units import Unit

if TYPE_CHECKING:
    import importlib.metadata
    from pathlib import Path

    from pytest_healthgate.collect.lifecycle import Collector, CollectorContext
    from pytest_healthgate.schema import Option

Factory = Callable[["CollectorContext"], "Collector"]


# Packages that add gates to the `healthgate` command and the hooks (which run
# outside pytest) name a module in this entry-point group; pytest loads it too.
ENTRY_POINT_GROUP = "healthgate"
METADATA_FOLDERS = (".dist-info", ".egg-info")  # what importlib.metadata looks for


class CatalogueError(ConfigError):
    """A plugin declared something the catalogue cannot hold; the message says what."""


@dataclass(frozen=True)
class MetricSpec:
    """One gate: what it measures and how it is judged and shown."""

    name: str
    unit: Unit
    direction: Direction
    summary: str  # what the figure is, for the reference in docs/
    hint: str  # what to look at first when the gate is not PASS
    collector: str  # the name of the CollectorSpec that measures it
    needs: frozenset[str] = frozenset()  # tools whose failure makes this gate ERROR
    detail_title: str = "top offenders"  # heading of its details in the terminal
    details_shown: int = 5  # how many details the terminal lists
    # The default playbook's bounds, used unless [tool.healthgate.gates] writes the
    # gate; None: off unless configured. Never adopted: past their fail bound the
    # gate warns (pointing at `healthgate init`) unless ``fails_by_default``.
    default: Bounds | None = None
    # Past the default fail bound the run is broken now (failing tests, test modules
    # that do not import): FAIL even when the project never adopted the bound.
    fails_by_default: bool = False
    # `healthgate init` names it in [tool.healthgate.ratchet]: a change can make it
    # worse than the baseline, and then it fails.
    ratchet: bool = False
    has_paths: bool = False  # accepts per-path floors (``[...gates.NAME.paths]``)
    # Its weight in the health score (``score.py``); [tool.healthgate.score] may override.
    score_weight: float = 1.0
    caps_score: bool = False  # any finding caps the health score (critical issues)
    # Its SKIP is an answer, not a measurement that failed (a change that adds no
    # statement has no new coverage to judge): a written gate may skip and pass.
    may_skip: bool = False
    # Computed from the other gates' results once they are judged (the health score).
    derived: bool = False
    example: str = "{ fail = ... }"  # bounds as written in [tool.healthgate.gates]


@dataclass(frozen=True)
class CollectorSpec:
    """One collector: how to create it and what it may be configured with."""

    name: str
    # "package.module:function" keeps the module unimported until a gate needs it;
    # a callable is accepted too (a conftest.py's collector, say).
    factory: str | Factory
    summary: str = ""
    static: bool = False  # measures without running tests: `healthgate check` judges it
    always: bool = False  # created under --healthgate even when none of its gates is on
    early: bool = False  # created before conftest files import the project (coverage)
    # Its figures depend on which tests ran: a partial run says so on its gates.
    observes_tests: bool = False
    options: Mapping[str, Option] = field(default_factory=dict)
    table: str | None = None  # its config table below [tool.healthgate]; default plugins.NAME
    # Gates that add up (debt, critical) it measures a part of (see parts.py): it is
    # created when one of them is on, even with no gate of its own.
    contributes_to: tuple[str, ...] = ()

    @property
    def config_table(self) -> str:
        return self.table or f"plugins.{self.name}"

    def create(self, context: CollectorContext) -> Collector:
        factory = self.factory
        if isinstance(factory, str):
            module_name, _, attribute = factory.partition(":")
            factory = getattr(importlib.import_module(module_name), attribute)
        return factory(context)


@dataclass
class Catalogue:
    """Every known gate and collector, by name, in registration order."""

    metrics: dict[str, MetricSpec] = field(default_factory=dict)
    collectors: dict[str, CollectorSpec] = field(default_factory=dict)

    def add(self, *items: MetricSpec | CollectorSpec) -> None:
        """Register gates and collectors; a second entry under one name is an error."""
        for item in items:
            table: dict[str, MetricSpec] | dict[str, CollectorSpec]
            # Told apart by shape, not class: pytester's in-process runs re-import
            # modules, and a plugin may hold the classes of an earlier import.
            is_collector = hasattr(item, "factory")
            table, noun = (self.collectors, "collector") if is_collector else (self.metrics, "gate")
            if item.name in table:
                raise CatalogueError(
                    f"two plugins declare the {noun} {item.name!r}; uninstall or rename one"
                )
            table[item.name] = item  # type: ignore[assignment]

    def verify(self) -> None:
        """Every gate names a collector that exists."""
        for spec in self.metrics.values():
            if spec.collector not in self.collectors:
                raise CatalogueError(
                    f"the gate {spec.name!r} names the collector {spec.collector!r}, which no "
                    f"plugin declares; known collectors: {', '.join(self.collectors)}"
                )

    def gates_of(self, collector: str) -> list[str]:
        """The gates a collector measures, in catalogue order."""
        return [name for name, spec in self.metrics.items() if spec.collector == collector]

    def static_gates(self) -> list[str]:
        """Gates measured without running tests (`healthgate check`)."""
        return [
            name for name, spec in self.metrics.items() if self.collectors[spec.collector].static
        ]

    def with_metrics(self, extra: Iterable[MetricSpec]) -> Catalogue:
        """A copy with more gates (a project's own metrics from its config)."""
        copy = Catalogue(dict(self.metrics), dict(self.collectors))
        copy.add(*extra)
        return copy


def register_plugins(manager: pluggy.PluginManager) -> None:
    """Register the built-in gates and every module of the ``healthgate`` entry-point group."""
    from pytest_healthgate import builtin

    if not manager.is_registered(builtin):
        manager.register(builtin, "healthgate-builtin")
    for entry_point in _entry_points():
        if manager.get_plugin(entry_point.name) is not None or manager.is_blocked(entry_point.name):
            continue
        try:
            plugin = entry_point.load()
        except Exception as exc:
            raise CatalogueError(
                f"the healthgate plugin {entry_point.name!r} ({entry_point.value}) cannot be "
                f"loaded: {type(exc).__name__}: {exc}; reinstall or uninstall it"
            ) from None
        if not manager.is_registered(plugin):
            manager.register(plugin, entry_point.name)


@functools.cache
def _entry_points() -> tuple[importlib.metadata.EntryPoint, ...]:
    # Scanning every installed distribution costs milliseconds; a run asks twice.
    if not _may_declare_plugins():
        return ()
    # Imported here: importlib.metadata alone costs 15-25 ms (email, zipfile, csv...).
    import importlib.metadata

    return tuple(importlib.metadata.entry_points(group=ENTRY_POINT_GROUP))


def _may_declare_plugins() -> bool:
    """False only when no installed distribution can declare a ``healthgate`` entry point.

    The common case (no plugin installed) is told without importlib.metadata: the
    distributions it would find on ``sys.path`` (``*.dist-info`` and ``*.egg-info``
    folders, an ``.egg``'s ``EGG-INFO``) have no ``entry_points.txt`` with a section
    header naming the group. Whatever this cannot read as importlib.metadata would
    (a zip file on the path, a finder of distributions of its own, an unreadable
    file), and any header that mentions the group at all, answers True: then
    importlib.metadata itself reads and loads the entry points.
    """
    import sys
    from importlib.machinery import PathFinder

    if any(
        finder is not PathFinder and hasattr(finder, "find_distributions")
        for finder in sys.meta_path
    ):
        return True
    for entry in sys.path:
        folders = _metadata_folders(entry)
        if folders is None or any(_may_declare(folder) for folder in folders):
            return True
    return False


def _metadata_folders(entry: object) -> list[Path] | None:
    """The folders of distribution metadata in a ``sys.path`` entry; None when unsure."""
    from pathlib import Path

    try:
        root = Path(entry or ".")  # type: ignore[arg-type]  # anything on sys.path
        names = [child.name for child in root.iterdir()]
    except (NotADirectoryError, TypeError):
        return None  # a zip file or an egg file, or not a path: importlib.metadata decides
    except OSError:
        return []  # not there: importlib.metadata finds nothing in it either
    folders = [root / name for name in names if name.lower().endswith(METADATA_FOLDERS)]
    if root.name.lower().endswith(".egg"):
        folders += [root / name for name in names if name.lower() == "egg-info"]
    return folders


def _may_declare(folder: Path) -> bool:
    """Whether this distribution's entry points may name the group (True when unsure)."""
    try:
        text = (folder / "entry_points.txt").read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError):
        return False  # no entry points, or an egg-info file (no folder)
    except (OSError, UnicodeDecodeError):
        return True
    return _names_the_group(text)


def _names_the_group(text: str) -> bool:
    """A section header of an ``entry_points.txt`` that mentions the group, read loosely.

    importlib.metadata takes a stripped line in brackets as a header; any such line
    with the group's name in it counts here, so nothing it would read is missed.
    """
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("[") and stripped.endswith("]") and ENTRY_POINT_GROUP in stripped:
            return True
    return False


def collect_catalogue(hook: pluggy.HookRelay) -> Catalogue:
    """Ask every registered plugin for its gates and collectors."""
    catalogue = Catalogue()
    hook.pytest_healthgate_register(catalogue=catalogue)
    catalogue.verify()
    return catalogue


class StandaloneSpecs:
    """``plugin.HookSpecs`` for a manager without pytest: the same hooks, the same arguments."""

    @staticmethod
    @pluggy.HookspecMarker("pytest")
    def pytest_healthgate_register(catalogue: Catalogue) -> None:
        """See ``plugin.HookSpecs``."""


class StandaloneManager(pluggy.PluginManager):
    """A plugin manager of pytest's project name that takes hooks as pytest does."""

    def __init__(self) -> None:
        super().__init__("pytest")
        self.add_hookspecs(StandaloneSpecs)

    def parse_hookimpl_opts(self, plugin: object, name: str) -> pluggy.HookimplOpts | None:
        opts = super().parse_hookimpl_opts(plugin, name)
        if opts is None and name.startswith("pytest_") and callable(getattr(plugin, name)):
            # As pytest does: an unmarked pytest_* function implements the hook.
            return pluggy.HookimplOpts(
                wrapper=False,
                hookwrapper=False,
                optionalhook=False,
                tryfirst=False,
                trylast=False,
                specname=None,
            )
        return opts


def standalone_catalogue() -> Catalogue:
    """The catalogue outside pytest (`healthgate check`, the hooks): built-ins and entry points.

    Through ``StandaloneManager``, so that nothing here imports pytest (about 50 ms,
    a quarter of a hook's budget); it takes the same hook implementations as
    pytest does, marked with ``pytest.hookimpl`` or not.
    """
    manager = StandaloneManager()
    register_plugins(manager)
    return collect_catalogue(manager.hook)
