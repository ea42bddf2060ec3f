"""``healthgate init``: adopt healthgate on an existing project in one command.

It derives ``source`` and ``packages``, writes ``[tool.healthgate]`` into
pyproject.toml with the default playbook's bounds (now adopted), the ratchet
and ``legacy = "warn"``, measures the project (tests included unless
``--no-tests``) and writes ``.healthgate/baseline.toml``. From then on, what the
project already had is *inherited* and warns; only what a change makes worse
fails.

pyproject.toml is edited with tomlkit, so every comment and every byte outside
the new table stays as it was. An existing ``[tool.healthgate]`` is replaced
only with ``--force``; ``--dry-run`` prints what would be written and writes
nothing. If measuring fails, pyproject.toml is put back as it was.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pytest_healthgate.commands.measuring import (
    MeasuringError,
    Taken,
    add_measuring_arguments,
    pytest_args,
    take,
)
from pytest_healthgate.config import (
    ConfigError,
    HealthgateConfig,
    derive_packages,
    derive_source,
    find_project,
    load,
)
from pytest_healthgate.store import baseline as store
from pytest_healthgate.store.files import StateFolderError, write_atomic
from pytest_healthgate.units import config_text

USAGE_ERROR = 2
NEXT_STEPS = (
    "commit the config and the baseline: "
    "git add pyproject.toml .healthgate/baseline.toml .healthgate/.gitignore",
    "add the hooks: copy the .pre-commit-config.yaml snippet of docs/pre-commit.md",
    "add the CI step: pytest --healthgate (it fails only on what a change makes worse)",
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_measuring_arguments(parser, "measure without running the test suite (static gates only)")
    parser.add_argument(
        "--force", action="store_true", help="replace an existing [tool.healthgate] table"
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="print the config and the baseline that would be written; write nothing",
    )


def run(arguments: argparse.Namespace) -> int:
    root, pyproject = find_project(Path.cwd())
    path = pyproject or root / "pyproject.toml"
    try:
        original = path.read_text(encoding="utf-8") if path.is_file() else ""
        document = _parse(original, path)
        if _has_table(document) and not arguments.force:
            raise ConfigError(
                f"{path} already has a [tool.healthgate] table; use --force to replace it, "
                f"or `healthgate baseline --update` to refresh the baseline only."
            )
        table = adopted_table(root, document)
        preview = _with_table(_parse("", path), table)
        new_text = _with_table(document, table)
    except ConfigError as exc:
        print(f"healthgate init: {exc}", file=sys.stderr)
        return USAGE_ERROR
    plan = Plan(
        root,
        path,
        original,
        new_text,
        preview,
        not arguments.no_tests,
        pytest_args(arguments),
    )
    return _dry_run(plan) if arguments.dry_run else _adopt(plan)


@dataclass(frozen=True)
class Plan:
    """What init is about to do."""

    root: Path
    path: Path  # pyproject.toml
    original: str  # its text before ("" when init creates it)
    new_text: str
    preview: str  # the table alone
    tests: bool
    pytest_args: list[str]

    def settings(self) -> HealthgateConfig:
        return load(self.root, self.path if self.path.is_file() else None)

    def measure(self) -> Taken:
        return take(self.settings(), tests=self.tests, pytest_args=self.pytest_args)


def _parse(text: str, path: Path) -> Any:
    import tomlkit
    from tomlkit.exceptions import TOMLKitError

    try:
        return tomlkit.parse(text)
    except TOMLKitError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc}); fix the syntax and rerun.") from None


def _has_table(document: Any) -> bool:
    tool = document.get("tool")
    return isinstance(tool, dict) and "healthgate" in tool


def adopted_table(root: Path, document: Any) -> dict[str, Any]:
    """[tool.healthgate] for this project: derived paths, the default playbook, the ratchet."""
    tool = document.get("tool")
    tool = tool.unwrap() if hasattr(tool, "unwrap") else {}
    tool = {key: value for key, value in tool.items() if key != "healthgate"}
    source = derive_source(root, tool)
    packages = derive_packages(root, source)
    defaults = load(root, None)  # zero-config: the default playbook's gates
    gates: dict[str, dict[str, Any]] = {}
    for name, bounds in defaults.gates.items():
        unit = defaults.catalogue.metrics[name].unit
        entry = {}
        if bounds.fail is not None:
            entry["fail"] = config_text(bounds.fail, unit)
        if bounds.warn is not None:
            entry["warn"] = config_text(bounds.warn, unit)
        gates[name] = entry
    table: dict[str, Any] = {"source": source}
    if packages:
        table["packages"] = packages
    table["legacy"] = "warn"
    table["gates"] = gates
    metrics = defaults.catalogue.metrics
    table["ratchet"] = {name: True for name in gates if metrics[name].ratchet}
    return table


def _with_table(document: Any, table: dict[str, Any]) -> str:
    import tomlkit

    tool = document.get("tool")
    if tool is None:
        tool = tomlkit.table(is_super_table=True)
        document["tool"] = tool
    elif "healthgate" in tool:
        del tool["healthgate"]
    section = tomlkit.table()
    section.add(tomlkit.comment("Written by `healthgate init`: the default playbook, adopted."))
    section.add(tomlkit.comment("See docs/adopting.md; figures live in .healthgate/baseline.toml."))
    for key in ("source", "packages", "legacy"):
        if key in table:
            section[key] = table[key]
    gates = tomlkit.table()
    for name, bounds in table["gates"].items():
        inline = tomlkit.inline_table()
        inline.update(bounds)
        gates[name] = inline
    section["gates"] = gates
    ratchet = tomlkit.table()
    ratchet.update(table["ratchet"])
    section["ratchet"] = ratchet
    tool["healthgate"] = section
    return str(tomlkit.dumps(document))


def _dry_run(plan: Plan) -> int:
    print(f"healthgate init --dry-run: would write this table to {plan.path}:")
    print(plan.preview)
    try:
        taken = plan.measure()
    except (ConfigError, MeasuringError) as exc:
        print(f"healthgate init: cannot measure: {exc}", file=sys.stderr)
        return 1
    print(f"healthgate init --dry-run: would write {store.baseline_path(plan.root)}:")
    print(store.render(taken.snapshot))
    return 0


def _adopt(plan: Plan) -> int:
    try:
        write_atomic(plan.path, plan.new_text)
        taken = plan.measure()
        written = store.save(plan.root, taken.snapshot)
    except (ConfigError, MeasuringError, OSError, StateFolderError) as exc:
        _restore(plan.path, plan.original)
        print(f"healthgate init: nothing adopted: {exc}", file=sys.stderr)
        return 1
    items = sum(len(figure.items or ()) for figure in taken.snapshot.gates.values())
    print(f"healthgate init: wrote [tool.healthgate] to {plan.path}")
    print(
        f"healthgate init: wrote {written.relative_to(plan.root)}: {len(taken.snapshot.gates)} "
        f"gates, {items} findings and functions as today's baseline"
    )
    print("Next steps:")
    for number, step in enumerate(NEXT_STEPS, 1):
        print(f"  {number}. {step}")
    return 0


def _restore(path: Path, original: str) -> None:
    """Put pyproject.toml back as it was (removed again if init created it)."""
    if original:
        write_atomic(path, original)
    else:
        path.unlink(missing_ok=True)
