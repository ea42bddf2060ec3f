"""Load and validate ``[tool.healthgate]`` from the measured project's pyproject.toml.

One schema (``TOP_LEVEL``, the gate catalogue for ``gates``, each collector's
options for its table) drives parsing, defaults, type checks, unknown-key
errors and the reference in ``docs/configuration.md``. Every problem becomes a
``ConfigError`` whose message names the file, the key, the bad value, what was
expected and, for a typo, the closest valid key.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from itertools import takewhile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pytest_healthgate.declared import declare_metrics
from pytest_healthgate.globs import matches
from pytest_healthgate.model import Bounds
from pytest_healthgate.schema import (
    ConfigError,
    Option,
    bad_value,
    boolean,
    check_option,
    check_warn_side,
    parse_bound,
    show,
    strings,
    unknown_key,
    warn_side_rule,
)
from pytest_healthgate.score_config import score_settings
from pytest_healthgate.sections import HOOK_TABLES, SECTIONS
from pytest_healthgate.units import Unit, UnitError, format_value, parse

if TYPE_CHECKING:
    from pytest_healthgate.catalogue import Catalogue, MetricSpec

__all__ = [
    "ConfigError",
    "HealthgateConfig",
    "command_line_bounds",
    "find_project",
    "find_pyproject",
    "load",
]
TABLE = "tool.healthgate"


def _legacy(value: object) -> str:
    if value in ("warn", "fail"):
        return str(value)
    raise ValueError('not "warn" or "fail"')


def _source(value: object) -> tuple[str, ...]:
    entries = strings(value)
    if not entries:
        raise ValueError("an empty list measures nothing; remove the key to derive source")
    return entries


TOP_LEVEL: dict[str, Option] = {
    "source": Option(
        "a list of paths or package names",
        _source,
        None,
        "Code measured for coverage and debt. Default: `[tool.coverage.run] source`, "
        "else the packages under `src/`, else the top-level packages next to "
        "pyproject.toml.",
    ),
    "packages": Option(
        "a list of importable package names",
        strings,
        None,
        "Importable names timed for import cost. Default: derived from `source`.",
    ),
    "exclude": Option(
        "a list of glob patterns",
        strings,
        (),
        "Paths (globs relative to the project root) never measured.",
    ),
    "legacy": Option(
        '"warn" or "fail"',
        _legacy,
        "warn",
        "With a committed baseline (`.healthgate/baseline.toml`): `warn` reports a gate "
        "that was already past its bound in the baseline, and is not worse now, as WARN "
        "(*inherited*); `fail` keeps every bound absolute.",
    ),
    "default_gates": Option(
        "true or false",
        boolean,
        True,
        "Judge the gates of the default playbook (docs/default-playbook.md) that "
        "`[tool.healthgate.gates]` does not write. `false`: only the gates written there "
        "(and the metrics of `[tool.healthgate.metrics]`) are judged.",
    ),
}

GATE_KEYS = ("fail", "warn")


RATCHET_EXPECTED = 'a table of gate = tolerance, such as { coverage = 0.1, debt = "30m" }'
GATE_EXPECTED = "a table such as { fail = ..., warn = ... } or false to turn the gate off"
NOT_IN_PROJECT_DIRS = {"tests", "test", "docs", "examples", "benchmarks", "build", "dist"}
# Why source-based gates SKIP when no source was written and none could be derived.
NO_SOURCE = (
    "no source found (no package under src/ or beside pyproject.toml); "
    'set [tool.healthgate] source = ["..."]'
)


@dataclass(frozen=True)
class HealthgateConfig:
    """The validated configuration, with every default filled in."""

    root: Path
    path: Path | None
    source: tuple[str, ...]
    source_from_healthgate: bool
    packages: tuple[str, ...]
    exclude: tuple[str, ...]
    gates: dict[str, Bounds]
    # Every known gate: the built-in and plugins' catalogue plus the project's own metrics.
    catalogue: Catalogue
    # Per-path floors of the gates that take them: gate -> glob -> bound.
    floors: dict[str, dict[str, float]] = field(default_factory=dict)
    # Validated tables of the collectors, by table name ("debt", "plugins.NAME").
    sections: dict[str, dict[str, Any]] = field(default_factory=dict)
    # [tool.healthgate.metrics.NAME]: how the values tests record are combined.
    aggregates: dict[str, str] = field(default_factory=dict)
    # [tool.healthgate.ratchet]: gates judged against the baseline -> tolerance.
    ratchet: dict[str, float] = field(default_factory=dict)
    legacy: str = "warn"
    # [tool.healthgate.score] weights: gate -> its weight in the health score.
    score_weights: dict[str, float] = field(default_factory=dict)
    # [tool.healthgate.score] trend_runs, trend_share: a gate worse in each of the last
    # ``trend_runs`` runs, by more than ``trend_share`` of its first value, warns.
    trend_runs: int = 5
    trend_share: float = 0.05
    # `packages` written in [tool.healthgate]; False when derived from `source`.
    packages_from_healthgate: bool = False

    @property
    def coverage_paths(self) -> dict[str, float]:
        return self.floors.get("coverage", {})

    def bounds(self, gate: str) -> Bounds | None:
        return self.gates.get(gate)

    def section(self, name: str) -> dict[str, Any]:
        """A validated collector table such as [tool.healthgate.debt], defaults filled in."""
        return self.sections.get(name, {})


def find_pyproject(rootpath: Path, inipath: Path | None) -> Path | None:
    """The pyproject.toml next to pytest's inifile, else in its rootdir."""
    if inipath is not None and inipath.name == "pyproject.toml":
        return inipath
    candidates = [rootpath / "pyproject.toml"]
    if inipath is not None:
        candidates.insert(0, inipath.parent / "pyproject.toml")
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    return None


def find_project(start: Path) -> tuple[Path, Path | None]:
    """The nearest folder at or above ``start`` holding a pyproject.toml, and that file."""
    start = start.resolve()
    folder = start if start.is_dir() else start.parent
    for candidate in (folder, *folder.parents):
        if (candidate / "pyproject.toml").is_file():
            return candidate, find_pyproject(candidate, None)
    return folder, None


def load(
    root: Path,
    pyproject: Path | None,
    catalogue: Catalogue | None = None,
    *,
    plugins_pending: bool = False,
    coverage_settings: bool = True,
) -> HealthgateConfig:
    """Read and validate the configuration of the project at ``root``.

    ``catalogue`` defaults to the built-in gates plus the installed plugins'.
    ``plugins_pending``: conftest.py plugins are not loaded yet (pytest's early
    start), so gates and plugin tables nobody declares yet are left for the
    full check once they are. ``coverage_settings=False`` leaves coverage.py's
    own settings unread (and coverage.py unimported): for the commit hooks, which
    judge no coverage and should start fast.
    """
    if catalogue is None:
        from pytest_healthgate.catalogue import standalone_catalogue

        catalogue = standalone_catalogue()
    document: dict[str, Any] = {}
    if pyproject is not None:
        document = _read_toml(pyproject)
    tool = document.get("tool", {})
    raw = tool.get("healthgate", {}) if isinstance(tool, dict) else {}
    where = str(pyproject) if pyproject is not None else str(root / "pyproject.toml")
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: [{TABLE}] must be a table, not {raw!r}.")
    reader = _Reader(where, catalogue, plugins_pending)
    reader.coverage_settings = coverage_settings
    return reader.build(root, pyproject, raw, tool if isinstance(tool, dict) else {})


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc}); fix the syntax and rerun.") from None
    except RecursionError:
        raise ConfigError(
            f"{path}: cannot be read: its arrays or tables are nested too deeply; "
            f"flatten them and rerun."
        ) from None
    except (OSError, ValueError) as exc:  # undecodable bytes; an integer of 4300+ digits
        raise ConfigError(f"{path}: cannot be read ({exc}).") from None


class _Reader:
    """Validates one [tool.healthgate] table against one catalogue."""

    def __init__(self, where: str, catalogue: Catalogue, plugins_pending: bool) -> None:
        self.where = where
        self.catalogue = catalogue
        self.plugins_pending = plugins_pending
        self.coverage_settings = True
        collectors = catalogue.collectors.values()
        self.builtin_tables = {c.config_table: c for c in collectors if c.table is not None}
        # A plugin collector with options reads them from [tool.healthgate.plugins.NAME].
        self.plugin_tables = {c.name: c for c in collectors if c.table is None and c.options}

    def build(
        self, root: Path, pyproject: Path | None, raw: dict[str, Any], tool: dict[str, Any]
    ) -> HealthgateConfig:
        known = [*TOP_LEVEL, "gates", "metrics", "plugins", "ratchet", "score"]
        known += [*self.builtin_tables, *HOOK_TABLES]
        for key, value in raw.items():
            if key not in known:
                raise ConfigError(unknown_key(self.where, TABLE, key, value, known))
        sections = self.sections(raw)
        values = {
            key: check_option(self.where, TABLE, key, raw[key], option)
            if key in raw
            else option.default
            for key, option in TOP_LEVEL.items()
        }
        declared = declare_metrics(self.where, raw.get("metrics", {}), self.catalogue)
        catalogue = self.catalogue.with_metrics(spec for spec, _aggregate, _bounds in declared)
        gates, floors = self.gates(raw.get("gates", {}), catalogue, values["default_gates"])
        gates.update({spec.name: bounds for spec, _aggregate, bounds in declared})
        self.adjust_gates(root, gates, sections, raw.get("gates", {}), catalogue)
        source_from_healthgate = values["source"] is not None
        source = values["source"] or derive_source(root, tool)
        packages = values["packages"] or derive_packages(root, source)
        return HealthgateConfig(
            root=root,
            path=pyproject,
            source=tuple(source),
            source_from_healthgate=source_from_healthgate,
            packages=tuple(packages),
            exclude=tuple(values["exclude"]),
            gates=gates,
            catalogue=catalogue,
            floors=floors,
            sections=sections,
            aggregates={spec.name: aggregate for spec, aggregate, _bounds in declared},
            ratchet=self.ratchet(raw.get("ratchet", {}), catalogue),
            legacy=values["legacy"],
            **score_settings(self.where, raw.get("score", {}), catalogue, self.plugins_pending),
            packages_from_healthgate=values["packages"] is not None,
        )

    def adjust_gates(
        self,
        root: Path,
        gates: dict[str, Bounds],
        sections: Mapping[str, Mapping[str, Any]],
        written: Any,
        catalogue: Catalogue,
    ) -> None:
        """What other tables imply for the gates: listed SARIF files turn ``external``
        on; coverage.py's ``fail_under`` bounds the coverage gate."""
        _with_external(gates, sections, written)
        if self.coverage_settings and "coverage" in gates and "coverage" in catalogue.metrics:
            gates["coverage"] = self.coverage_bounds(root, written, gates["coverage"])

    def sections(self, raw: dict[str, Any]) -> dict[str, dict[str, Any]]:
        """Every collector's and hook's table, and each plugin's, validated."""
        tables = {name: spec.options for name, spec in self.builtin_tables.items()}
        tables.update((name, SECTIONS[name]) for name in HOOK_TABLES)
        sections = {
            name: self.section(f"{TABLE}.{name}", raw.get(name, {}), options)
            for name, options in tables.items()
        }
        sections.update(self.plugin_sections(raw.get("plugins", {})))
        return sections

    def ratchet(self, raw: object, catalogue: Catalogue) -> dict[str, float]:
        """[tool.healthgate.ratchet]: gate -> how much worse than the baseline is tolerated.

        ``true`` (or 0) tolerates nothing; a number or string is read in the gate's
        unit (``coverage = 0.1`` percentage points, ``debt = "30m"``).
        """
        table = f"{TABLE}.ratchet"
        if not isinstance(raw, dict):
            raise ConfigError(bad_value(self.where, TABLE, "ratchet", raw, RATCHET_EXPECTED))
        tolerances: dict[str, float] = {}
        for name, value in raw.items():
            spec = catalogue.metrics.get(name)
            if spec is None:
                if self.plugins_pending:
                    continue
                known = list(catalogue.metrics)
                raise ConfigError(unknown_key(self.where, table, name, value, known))
            if value is False:
                continue
            if value is True or (isinstance(value, int) and value == 0):
                tolerances[name] = 0.0
                continue
            if spec.unit is Unit.RANK or isinstance(value, bool):
                raise ConfigError(
                    bad_value(self.where, table, name, value, "true (no worse than the baseline)")
                )
            tolerance = parse_bound(self.where, table, name, value, spec.unit)
            if tolerance < 0:
                raise ConfigError(
                    bad_value(self.where, table, name, value, "a tolerance of 0 or more")
                )
            tolerances[name] = tolerance
        return tolerances

    def coverage_bounds(self, root: Path, raw_gates: Mapping[str, Any], bounds: Bounds) -> Bounds:
        """The coverage gate's bounds, with coverage.py's own settings checked.

        Coverage is the project's own coverage: a bad ``[tool.coverage]`` setting
        is a usage error here, and ``[tool.coverage.report] fail_under`` is the
        fail bound when [tool.healthgate.gates.coverage] sets none.
        """
        from pytest_healthgate.collect.coverage import CoverageSettingsError, project_fail_under

        try:
            fail_under = project_fail_under(root)
        except CoverageSettingsError as exc:
            raise ConfigError(f"{self.where}: {exc}") from None
        written = raw_gates.get("coverage")
        written = written if isinstance(written, dict) else {}
        if fail_under is None or "fail" in written:
            return bounds
        warn = bounds.warn
        if warn is not None and warn < fail_under:
            if "warn" in written:
                raise ConfigError(
                    f"{self.where}: [{TABLE}.gates.coverage] warn = {show(written['warn'])} "
                    f"is below the fail bound {fail_under:g} that [tool.coverage.report] "
                    f"fail_under sets; raise warn to {fail_under:g} or more, or write "
                    f"fail = ... in [{TABLE}.gates.coverage]."
                )
            warn = None  # the default warn bound lies below the project's own floor
        return Bounds(fail=fail_under, warn=warn)  # adopted: the project wrote fail_under

    def section(self, table: str, raw: object, options: Mapping[str, Option]) -> dict[str, Any]:
        if not isinstance(raw, dict):
            parent, _, name = table.rpartition(".")
            raise ConfigError(bad_value(self.where, parent, name, raw, "a table"))
        for key, value in raw.items():
            if key not in options:
                raise ConfigError(unknown_key(self.where, table, key, value, list(options)))
        return {
            key: check_option(self.where, table, key, raw[key], option)
            if key in raw
            else option.default
            for key, option in options.items()
        }

    def plugin_sections(self, raw: object) -> dict[str, dict[str, Any]]:
        """[tool.healthgate.plugins.NAME] for every plugin collector, validated like ours."""
        table = f"{TABLE}.plugins"
        if not isinstance(raw, dict):
            raise ConfigError(bad_value(self.where, TABLE, "plugins", raw, "a table of tables"))
        for name, value in raw.items():
            if name not in self.plugin_tables and not self.plugins_pending:
                known = list(self.plugin_tables)
                if not known:
                    raise ConfigError(
                        f"{self.where}: [{table}.{name}]: no installed healthgate plugin "
                        f"is named {name!r}; install it or remove the table."
                    )
                raise ConfigError(unknown_key(self.where, table, name, value, known))
        return {
            spec.config_table: self.section(f"{table}.{name}", raw.get(name, {}), spec.options)
            for name, spec in self.plugin_tables.items()
        }

    def gates(
        self, raw: object, catalogue: Catalogue, default_gates: bool
    ) -> tuple[dict[str, Bounds], dict[str, dict[str, float]]]:
        """Each gate written in the table replaces its default; unwritten ones keep it."""
        table = f"{TABLE}.gates"
        if not isinstance(raw, dict):
            raise ConfigError(bad_value(self.where, TABLE, "gates", raw, "a table of gates"))
        metrics = catalogue.metrics
        # The default playbook: bounds the project never wrote, so never adopted.
        gates = {
            name: replace(spec.default, adopted=False)
            for name, spec in metrics.items()
            if spec.default is not None and default_gates
        }
        floors: dict[str, dict[str, float]] = {}
        for name, value in raw.items():
            spec = metrics.get(name)
            if spec is None:
                if self.plugins_pending:
                    continue  # perhaps a conftest.py plugin's gate; checked once it is loaded
                raise ConfigError(unknown_key(self.where, table, name, value, list(metrics)))
            if value is False:
                gates.pop(name, None)
                continue
            if not isinstance(value, dict):
                raise ConfigError(bad_value(self.where, table, name, value, GATE_EXPECTED))
            gates[name] = _bounds(self.where, f"{table}.{name}", spec, value)
            if "paths" in value:
                floors[name] = _paths(self.where, f"{table}.{name}.paths", spec, value["paths"])
        # Catalogue order, however the table orders them: the report's rows never move.
        return {name: gates[name] for name in metrics if name in gates}, floors


def _bounds(where: str, table: str, spec: MetricSpec, raw: Mapping[str, Any]) -> Bounds:
    allowed = [*GATE_KEYS, "paths"] if spec.has_paths else list(GATE_KEYS)
    for key, value in raw.items():
        if key not in allowed:
            raise ConfigError(unknown_key(where, table, key, value, allowed))
    return _fail_and_warn(where, table, spec, raw)


def _fail_and_warn(where: str, table: str, spec: MetricSpec, raw: Mapping[str, Any]) -> Bounds:
    parsed: dict[str, float] = {}
    for key in GATE_KEYS:
        if key in raw:
            parsed[key] = parse_bound(where, table, key, raw[key], spec.unit)
    if not parsed and "paths" not in raw:
        raise ConfigError(
            f"{where}: [{table}] sets no bound; add fail = ... and/or warn = ..., "
            f"or write {spec.name} = false to turn the gate off."
        )
    fail, warn = parsed.get("fail"), parsed.get("warn")
    if fail is not None and warn is not None:
        check_warn_side(where, table, spec, raw, fail=fail, warn=warn)
    return Bounds(fail=fail, warn=warn)


def _with_external(
    gates: dict[str, Bounds], sections: Mapping[str, Mapping[str, Any]], written: object
) -> None:
    """Listing SARIF files turns gate ``external`` on (informational: no bound) unless the
    table writes it, or writes it ``false``."""
    listed = sections.get("sarif", {}).get("files")
    if listed and isinstance(written, dict) and "external" not in written:
        gates["external"] = Bounds()


NEW_CODE_BOUNDS = ("new_coverage=80", "new_debt=0s", "new_complexity=0")


def with_new_code(settings: HealthgateConfig, diff: str | None = None) -> HealthgateConfig:
    """With a diff base (``diff``, else ``[tool.healthgate.new_code] base``) the new-code
    gates are on: those the table does not write get their default fail bounds."""
    if not (diff or settings.section("new_code").get("base")):
        return settings
    absent = [text for text in NEW_CODE_BOUNDS if text.partition("=")[0] not in settings.gates]
    return command_line_bounds(settings, absent, prefix="[tool.healthgate.new_code] ")


def command_line_bounds(
    settings: HealthgateConfig,
    fail: Sequence[str] = (),
    warn: Sequence[str] = (),
    *,
    prefix: str = "--healthgate-",
    plugins_pending: bool = False,
    spelled: Callable[[str, str], str] | None = None,
) -> HealthgateConfig:
    """``settings`` with the one-off bounds of ``PREFIXfail`` / ``PREFIXwarn GATE=BOUND``.

    Each BOUND is read like the table's value (``coverage=83.5``, ``debt=300h``,
    ``complexity=D``) and replaces that side of the gate's bounds; the other side
    stays as written in the table, or is dropped when it came from the default
    playbook (the command line writes the gate, as a table would) or when a
    stricter command-line fail leaves the table's warn on its wrong side. The
    result counts as adopted. ``plugins_pending``: gates nobody declares yet are
    left for the check once conftest.py plugins are loaded. Messages show each
    bound as ``spelled(side, text)``, by default ``PREFIXside text``.
    """
    given: dict[str, dict[str, tuple[str, float]]] = {}
    metrics = settings.catalogue.metrics
    for key, texts in (("fail", fail), ("warn", warn)):
        for text in texts:
            shown = spelled(key, text) if spelled is not None else f"{prefix}{key} {text}"
            read = _read_bound(shown, f"{prefix}{key}", text, metrics, plugins_pending)
            if read is not None:
                given.setdefault(read[0], {})[key] = (shown, read[1])
    if not given:
        return settings
    gates = dict(settings.gates)
    for name, written in given.items():
        gates[name] = _one_off(metrics[name], gates.get(name), written)
    ordered = {name: gates[name] for name in metrics if name in gates}
    return replace(settings, gates=ordered)


def _read_bound(
    shown: str,
    option: str,
    text: str,
    metrics: Mapping[str, MetricSpec],
    plugins_pending: bool,
) -> tuple[str, float] | None:
    """The gate and bound of one ``GATE=BOUND``; None for a gate no plugin declares yet."""
    name, separator, bound = (part.strip() for part in text.partition("="))
    if not separator or not name or not bound:
        raise ConfigError(
            f"{shown}: expected GATE=BOUND, such as {option} coverage=80 "
            f"or {option} debt=300h (the bound as in [{TABLE}.gates])."
        )
    spec = metrics.get(name)
    if spec is None:
        if plugins_pending:
            return None
        raise ConfigError(_unknown_gate(shown, name, list(metrics)))
    try:
        return name, parse(_scalar(bound), spec.unit)
    except UnitError as exc:
        raise ConfigError(f"{shown}: {exc}.") from None


def _one_off(
    spec: MetricSpec, table: Bounds | None, written: dict[str, tuple[str, float]]
) -> Bounds:
    """A gate's bounds with those given on the command line in place."""
    kept = table if table is not None and table.adopted else Bounds()
    fail = written["fail"][1] if "fail" in written else kept.fail
    warn = written["warn"][1] if "warn" in written else kept.warn
    if fail is None or warn is None:
        return Bounds(fail=fail, warn=warn)
    rule = warn_side_rule(spec, fail=fail, warn=warn)
    if rule is None:
        return Bounds(fail=fail, warn=warn)
    if "warn" not in written:
        return Bounds(fail=fail)  # the stricter one-off fail comes before the table's warn
    shown_fail = (
        written["fail"][0]
        if "fail" in written
        else f"fail = {format_value(fail, spec.unit)} of [{TABLE}.gates.{spec.name}]"
    )
    raise ConfigError(f"{written['warn'][0]} is on the wrong side of {shown_fail}; {rule}.")


def _scalar(text: str) -> object:
    """A bound typed on the command line as the TOML value it stands for: 80, 83.5, "300h"."""
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            continue
    return text


def _unknown_gate(shown: str, name: str, known: list[str]) -> str:
    message = f"{shown}: unknown gate {name!r}; "
    import difflib  # here: only a misspelt name needs it

    close = difflib.get_close_matches(name, known, n=3)
    if close:
        message += f"did you mean {' or '.join(close)}? "
    return message + f"known gates: {', '.join(known)}."


def _paths(where: str, table: str, spec: MetricSpec, raw: object) -> dict[str, float]:
    if not isinstance(raw, dict):
        raise ConfigError(
            bad_value(where, table.rsplit(".", 1)[0], "paths", raw, "a table of glob = floor")
        )
    return {glob: parse_bound(where, table, glob, floor, spec.unit) for glob, floor in raw.items()}


def _looks_like_path(entry: str) -> bool:
    """A source entry written as a path rather than an importable name (``mypkg.sub``)."""
    return "/" in entry or "\\" in entry or entry.startswith(".") or entry.endswith(".py")


def check_paths(settings: HealthgateConfig) -> None:
    """The paths a test run measures exist: ``source`` paths, and a file for every floor.

    Checked by ``pytest --healthgate`` before any test runs (a usage error), so
    that a typo never turns into a silently empty or unguarded figure. The
    commands that judge without running tests report such a source as ERROR.
    """
    where = str(settings.path or settings.root / "pyproject.toml")
    if settings.source_from_healthgate:
        _check_source_paths(where, settings.root, settings.source)
    for gate, paths in settings.floors.items():
        _check_floors(where, settings.root, f"{TABLE}.gates.{gate}.paths", paths)


def _check_source_paths(where: str, root: Path, source: tuple[str, ...]) -> None:
    for entry in source:
        if _looks_like_path(entry) and not (root / entry).exists():
            raise ConfigError(
                f"{where}: [{TABLE}] source = {show(list(source))}: {entry} does not exist "
                f"under {root}; fix the path (relative to the project root), or write an "
                f"importable package name such as mypkg."
            )


PRUNED_FOLDERS = {"__pycache__", "node_modules"}


def _check_floors(where: str, root: Path, table: str, floors: Mapping[str, float]) -> None:
    for pattern in floors:
        if not _matches_a_file(root, pattern):
            raise ConfigError(
                f"{where}: [{table}] {show(pattern)} matches no file under {root}; fix the "
                f"glob (relative to the project root; * within a folder, ** across "
                f"folders) or remove it."
            )


def _matches_a_file(root: Path, pattern: str) -> bool:
    """True when some file under ``root`` matches; only the glob's literal folder is walked."""
    normalized = pattern.strip("/").removeprefix("./")
    literal = list(takewhile(_is_literal, normalized.split("/")))
    base = root.joinpath(*literal)
    if base.is_file():
        return matches("/".join(literal), normalized)
    if not base.is_dir():
        return False
    for folder, dirnames, filenames in os.walk(base):
        dirnames[:] = [d for d in dirnames if not d.startswith(".") and d not in PRUNED_FOLDERS]
        relative = Path(folder).relative_to(root).as_posix()
        prefix = "" if relative == "." else relative + "/"
        if any(matches(prefix + name, normalized) for name in filenames):
            return True
    return False


def _is_literal(part: str) -> bool:
    return bool(part) and "*" not in part and "?" not in part


def derive_source(root: Path, tool: Mapping[str, Any]) -> list[str]:
    """Zero-config source: coverage's own setting, else src/ packages, else top-level ones.

    A folder that cannot be read (no permission) is left out, never an error.
    """
    from_coverage = _coverage_source(root, tool)
    if from_coverage:
        return from_coverage
    found = _packages_in(root / "src")
    if found:
        return [f"src/{name}" for name in found]
    return _packages_in(root, skip=NOT_IN_PROJECT_DIRS)


def _coverage_source(root: Path, tool: Mapping[str, Any]) -> list[str]:
    """``[tool.coverage.run] source`` (or ``source_pkgs``), as far as it is in the project.

    coverage.py reads each entry as a folder or an importable name; only those in
    this project can be analysed (["pkg", "test"] names the standard library's
    test package when the project has no test/).
    """
    coverage = tool.get("coverage", {})
    run = coverage.get("run", {}) if isinstance(coverage, dict) else {}
    for key in ("source", "source_pkgs"):
        configured = run.get(key) if isinstance(run, dict) else None
        if isinstance(configured, list) and configured:
            located = [_in_project(root, str(item)) for item in configured]
            return [entry for entry in located if entry is not None]
    return []


def _in_project(root: Path, entry: str) -> str | None:
    """``entry`` of coverage's source as a path in the project, or None when it is not there."""
    candidates = [entry]
    if "/" not in entry and not entry.endswith(".py"):
        name = entry.replace(".", "/")
        candidates += [name, f"{name}.py", f"src/{name}", f"src/{name}.py"]
    for candidate in candidates:
        try:
            if (root / candidate).exists():
                return candidate
        except OSError:
            continue
    return None


def _packages_in(directory: Path, skip: set[str] | None = None) -> list[str]:
    """The package folders in ``directory``; nothing it cannot read (or that is absent)."""
    try:
        children = list(directory.iterdir())
    except OSError:
        return []
    found = []
    for child in children:
        if child.name in (skip or set()) or child.name.startswith("."):
            continue
        try:  # Python 3.11's is_dir/is_file raise on a folder without permission
            if child.is_dir() and (child / "__init__.py").is_file():
                found.append(child.name)
        except OSError:
            continue
    return sorted(found)


def derive_packages(root: Path, source: tuple[str, ...] | list[str]) -> list[str]:
    """Importable names for each source entry: a package directory's name, or the dotted name."""
    names = []
    for entry in source:
        path = root / entry
        try:
            is_package = path.is_dir() and (path / "__init__.py").is_file()
            is_folder = path.is_dir()
        except OSError:
            continue
        if is_package:
            names.append(path.name)
        elif is_folder:
            names.extend(_packages_in(path))
        elif "/" not in entry and not entry.endswith(".py"):
            names.append(entry)
    return list(dict.fromkeys(names))
