"""Load and validate ``[tool.healthgate]`` from the measured project's pyproject.toml.

One schema (``TOP_LEVEL`` plus the metric catalogue for ``gates``) drives parsing,
defaults, type checks, unknown-key errors and the reference in
``docs/configuration.md``. Every problem becomes a ``ConfigError`` whose message
names the file, the key, the bad value, what was expected and, for a typo, the
closest valid key.
"""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pytest_healthgate.metrics import METRICS, MetricSpec
from pytest_healthgate.model import Bounds, Direction
from pytest_healthgate.schema import Option, strings
from pytest_healthgate.sections import SECTIONS
from pytest_healthgate.units import Unit, UnitError, format_value, parse

TABLE = "tool.healthgate"


class ConfigError(Exception):
    """The configuration cannot be used; the message tells the user how to fix it."""


TOP_LEVEL: dict[str, Option] = {
    "source": Option(
        "a list of paths or package names",
        strings,
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
}

GATE_KEYS = ("fail", "warn")
GATE_EXPECTED = "a table such as { fail = ..., warn = ... } or false to turn the gate off"
NOT_IN_PROJECT_DIRS = {"tests", "test", "docs", "examples", "benchmarks", "build", "dist"}


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
    coverage_paths: dict[str, float] = field(default_factory=dict)
    sections: dict[str, dict[str, Any]] = field(default_factory=dict)

    def bounds(self, gate: str) -> Bounds | None:
        return self.gates.get(gate)

    def section(self, name: str) -> dict[str, Any]:
        """A validated extra table such as [tool.healthgate.debt], defaults filled in."""
        return self.sections[name]


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


def load(root: Path, pyproject: Path | None) -> HealthgateConfig:
    """Read and validate the configuration of the project at ``root``."""
    document: dict[str, Any] = {}
    if pyproject is not None:
        document = _read_toml(pyproject)
    tool = document.get("tool", {})
    raw = tool.get("healthgate", {}) if isinstance(tool, dict) else {}
    where = str(pyproject) if pyproject is not None else str(root / "pyproject.toml")
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: [{TABLE}] must be a table, not {raw!r}.")
    return _build(root, pyproject, where, raw, tool if isinstance(tool, dict) else {})


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc}); fix the syntax and rerun.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot be read ({exc}).") from None


def _build(
    root: Path, pyproject: Path | None, where: str, raw: dict[str, Any], tool: dict[str, Any]
) -> HealthgateConfig:
    known = [*TOP_LEVEL, "gates", *SECTIONS]
    for key, value in raw.items():
        if key not in known:
            raise ConfigError(_unknown(where, TABLE, key, value, known))
    sections = {
        name: _section(where, f"{TABLE}.{name}", raw.get(name, {}), options)
        for name, options in SECTIONS.items()
    }
    values = {
        key: _check_option(where, TABLE, key, raw[key], option) if key in raw else option.default
        for key, option in TOP_LEVEL.items()
    }
    gates, coverage_paths = _gates(where, raw.get("gates", {}))
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
        coverage_paths=coverage_paths,
        sections=sections,
    )


def _section(where: str, table: str, raw: object, options: dict[str, Option]) -> dict[str, Any]:
    if not isinstance(raw, dict):
        parent, _, name = table.rpartition(".")
        raise ConfigError(_bad_value(where, parent, name, raw, "a table"))
    for key, value in raw.items():
        if key not in options:
            raise ConfigError(_unknown(where, table, key, value, list(options)))
    return {
        key: _check_option(where, table, key, raw[key], option) if key in raw else option.default
        for key, option in options.items()
    }


def _check_option(where: str, table: str, key: str, value: object, option: Option) -> Any:
    try:
        return option.check(value)
    except (ValueError, UnitError) as exc:
        raise ConfigError(
            _bad_value(where, table, key, value, option.expected) + f" ({exc})"
        ) from None


def _gates(where: str, raw: object) -> tuple[dict[str, Bounds], dict[str, float]]:
    table = f"{TABLE}.gates"
    if not isinstance(raw, dict):
        raise ConfigError(_bad_value(where, TABLE, "gates", raw, "a table of gates"))
    gates = {name: spec.default for name, spec in METRICS.items() if spec.default is not None}
    coverage_paths: dict[str, float] = {}
    for name, value in raw.items():
        spec = METRICS.get(name)
        if spec is None:
            raise ConfigError(_unknown(where, table, name, value, list(METRICS)))
        if value is False:
            gates.pop(name, None)
            continue
        if not isinstance(value, dict):
            raise ConfigError(_bad_value(where, table, name, value, GATE_EXPECTED))
        gates[name] = _bounds(where, f"{table}.{name}", spec, value)
        if "paths" in value:
            coverage_paths = _paths(where, f"{table}.{name}.paths", spec, value["paths"])
    return gates, coverage_paths


def _bounds(where: str, table: str, spec: MetricSpec, raw: dict[str, Any]) -> Bounds:
    allowed = [*GATE_KEYS, "paths"] if spec.has_paths else list(GATE_KEYS)
    for key, value in raw.items():
        if key not in allowed:
            raise ConfigError(_unknown(where, table, key, value, allowed))
    parsed: dict[str, float] = {}
    for key in GATE_KEYS:
        if key in raw:
            parsed[key] = _unit(where, table, key, raw[key], spec.unit)
    if not parsed and "paths" not in raw:
        raise ConfigError(
            f"{where}: [{table}] sets no bound; add fail = ... and/or warn = ..., "
            f"or write {spec.name} = false to turn the gate off."
        )
    fail, warn = parsed.get("fail"), parsed.get("warn")
    if fail is not None and warn is not None:
        wrong_side = warn < fail if spec.direction is Direction.HIGHER else warn > fail
        if wrong_side:
            side = "at or above" if spec.direction is Direction.HIGHER else "at or below"
            better = "higher" if spec.direction is Direction.HIGHER else "lower"
            raise ConfigError(
                f"{where}: [{table}] warn = {raw['warn']!r} is on the wrong side of "
                f"fail = {raw['fail']!r}; {better} is better for {spec.name}, so warn "
                f"must be {side} fail."
            )
    return Bounds(fail=fail, warn=warn)


def _paths(where: str, table: str, spec: MetricSpec, raw: object) -> dict[str, float]:
    if not isinstance(raw, dict):
        raise ConfigError(
            _bad_value(where, table.rsplit(".", 1)[0], "paths", raw, "a table of glob = floor")
        )
    return {glob: _unit(where, table, glob, floor, spec.unit) for glob, floor in raw.items()}


def _unit(where: str, table: str, key: str, value: object, kind: Unit) -> float:
    try:
        return parse(value, kind)
    except UnitError as exc:
        raise ConfigError(f"{where}: [{table}] {key} = {_show(value)}: {exc}.") from None


def _show(value: object) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)


def _bad_value(where: str, table: str, key: str, value: object, expected: str) -> str:
    return f"{where}: [{table}] {key} = {_show(value)}: expected {expected}."


def _unknown(where: str, table: str, key: str, value: object, known: list[str]) -> str:
    message = (
        f"{where}: [{table}] {key} = {_show(value)}: unknown key; "
        f"valid keys are {', '.join(known)}."
    )
    close = difflib.get_close_matches(key, known, n=1)
    if close:
        message += f" Did you mean '{close[0]}'?"
    return message


def derive_source(root: Path, tool: Mapping[str, Any]) -> list[str]:
    """Zero-config source: coverage's own setting, else src/ packages, else top-level ones."""
    coverage = tool.get("coverage", {})
    run = coverage.get("run", {}) if isinstance(coverage, dict) else {}
    if isinstance(run, dict):
        for key in ("source", "source_pkgs"):
            configured = run.get(key)
            if isinstance(configured, list) and configured:
                return [str(item) for item in configured]
    src = root / "src"
    if src.is_dir():
        found = _packages_in(src)
        if found:
            return [f"src/{name}" for name in found]
    return _packages_in(root, skip=NOT_IN_PROJECT_DIRS)


def _packages_in(directory: Path, skip: set[str] | None = None) -> list[str]:
    return sorted(
        child.name
        for child in directory.iterdir()
        if child.is_dir()
        and (child / "__init__.py").is_file()
        and child.name not in (skip or set())
        and not child.name.startswith(".")
    )


def derive_packages(root: Path, source: tuple[str, ...] | list[str]) -> list[str]:
    """Importable names for each source entry: a package directory's name, or the dotted name."""
    names = []
    for entry in source:
        path = root / entry
        if path.is_dir():
            if (path / "__init__.py").is_file():
                names.append(path.name)
            else:
                names.extend(_packages_in(path))
        elif "/" not in entry and not entry.endswith(".py"):
            names.append(entry)
    return list(dict.fromkeys(names))


def reference() -> str:
    """Markdown reference of every key, generated from the schema (kept in docs/)."""
    lines = ["| key | accepts | default | meaning |", "|---|---|---|---|"]
    for key, option in TOP_LEVEL.items():
        default = "derived" if option.default is None else f"`{list(option.default)!r}`"
        lines.append(f"| `{key}` | {option.expected} | {default} | {option.doc} |")
    for name, options in SECTIONS.items():
        lines += ["", f"`[{TABLE}.{name}]`", "", "| key | accepts | default | meaning |"]
        lines.append("|---|---|---|---|")
        for key, option in options.items():
            shown = _show_default(option.default)
            lines.append(f"| `{key}` | {option.expected} | `{shown}` | {option.doc} |")
    lines += ["", f"`[{TABLE}.gates]`", ""]
    lines += ["| gate | unit | better | zero-config bounds | measures |", "|---|---|---|---|---|"]
    for spec in METRICS.values():
        default = "off"
        if spec.default is not None:
            pairs = (("fail", spec.default.fail), ("warn", spec.default.warn))
            default = ", ".join(
                f"{key} = {format_value(value, spec.unit, 0)}"
                for key, value in pairs
                if value is not None
            )
        better = spec.direction.value
        lines.append(
            f"| `{spec.name}` | {spec.unit.value} | {better} | {default} | {spec.summary} |"
        )
    return "\n".join(lines) + "\n"


def _show_default(value: Any) -> str:
    if isinstance(value, tuple):
        return repr(list(value))
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)
