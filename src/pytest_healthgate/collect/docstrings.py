"""The ``docstrings`` gate: docstring coverage, as interrogate measures it.

interrogate does the measuring, configured exactly as its own command line
configures it: its options are parsed by interrogate's own click command, so
``[tool.interrogate]`` in pyproject.toml (``ignore-init-method``,
``ignore-regex``, ``exclude``, ``style``, ...) means here what it means to
``interrogate``. The paths are the project's ``source``. The figure is
interrogate's percentage of documented modules, classes, methods and functions;
the details name the files with most undocumented names, and each undocumented
name is an item (``docstrings:missing``), so the ratchet fails only a name a
change adds without a docstring.

interrogate is an optional dependency (``pip install pytest-healthgate[docstrings]``):
without it the gate is ERROR saying so, never a pass.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pytest_healthgate.collect.lifecycle import Collector, CollectorContext, Role
from pytest_healthgate.model import Detail, Item, Measurement
from pytest_healthgate.units import Unit

GATE = "docstrings"
SHOWN = 10
PERCENT = Unit.PERCENT
INSTALL = "pip install 'pytest-healthgate[docstrings]' (interrogate)"


def _paths(root: Path, source: tuple[str, ...]) -> list[str]:
    from pytest_healthgate.collect.static.scope import resolve_entry

    found = (resolve_entry(root, entry) for entry in source)
    return [str(path) for path in found if path is not None]


def _settings(root: Path, paths: list[str]) -> dict[str, Any]:
    """interrogate's own reading of its command line and ``[tool.interrogate]``."""
    from interrogate import cli

    arguments = [*paths]
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        arguments += ["--config", str(pyproject)]
        # interrogate resolves `exclude` against the current folder, which is the
        # project root when it runs there; here the folder may be any, so the
        # table's entries are given from the root (the command line wins over it).
        for entry in _table_excludes(pyproject):
            arguments += ["--exclude", str(root / entry)]
    with cli.main.make_context("interrogate", arguments) as context:
        return dict(context.params)


def _table_excludes(pyproject: Path) -> list[str]:
    import tomllib

    table = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("tool", {})
    excluded = table.get("interrogate", {}).get("exclude", [])
    return [str(entry) for entry in excluded] if isinstance(excluded, list) else []


def measure_docstrings(root: Path, source: tuple[str, ...]) -> Measurement:
    try:
        from interrogate import config, coverage
    except ImportError:
        return Measurement(GATE, error=f"interrogate is not installed; {INSTALL}")
    paths = _paths(root, source)
    if not paths:
        return Measurement(GATE, skip_reason="no source to look at")
    try:
        options = _settings(root, paths)
        conf = config.InterrogateConfig(
            docstring_style=options["style"],
            fail_under=options["fail_under"],
            ignore_regex=options["ignore_regex"],
            ignore_magic=options["ignore_magic"],
            ignore_module=options["ignore_module"],
            ignore_private=options["ignore_private"],
            ignore_semiprivate=options["ignore_semiprivate"],
            ignore_init_method=options["ignore_init_method"],
            ignore_init_module=options["ignore_init_module"],
            ignore_nested_classes=options["ignore_nested_classes"],
            ignore_nested_functions=options["ignore_nested_functions"],
            ignore_overloaded_functions=options["ignore_overloaded_functions"],
            ignore_property_setters=options["ignore_setters"],
            ignore_property_decorators=options["ignore_property_decorators"],
            include_regex=options["whitelist_regex"],
        )
        results = coverage.InterrogateCoverage(
            paths=paths, conf=conf, excluded=options["exclude"], extensions=options["ext"]
        ).get_coverage()
    except Exception as exc:
        return Measurement(GATE, error=f"interrogate failed: {exc}")
    return _measurement(results, root)


def _relative(root: Path, name: str) -> str:
    try:
        return Path(name).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return name


def _missing(results: Any, root: Path) -> list[Item]:
    items = []
    for result in results.file_results:
        path = _relative(root, result.filename)
        for node in result.nodes:
            if node.covered or (node.node_type == "Module" and result.ignore_module):
                continue
            name = node.name if node.node_type != "Module" else "module"
            label = f"{path}:{node.lineno}: {node.node_type} {name} has no docstring"
            # The cost marks a public name (1) from a private one (0): debt counts
            # only the public ones (``debt_part``); the gate's figure is the share.
            public = 0.0 if name.split(".")[-1].startswith("_") else 1.0
            items.append(Item("docstrings:missing", path, node.lineno or 1, public, label))
    return items


def _measurement(results: Any, root: Path) -> Measurement:
    if results.total == 0:
        return Measurement(GATE, skip_reason="interrogate found nothing to document")
    worst = sorted(
        (r for r in results.file_results if r.missing),
        key=lambda r: (-r.missing, r.filename),
    )
    return Measurement(
        GATE,
        value=results.perc_covered,
        details=[
            Detail(
                _relative(root, r.filename), r.perc_covered, Unit.PERCENT, f"{r.missing} missing"
            )
            for r in worst[:SHOWN]
        ],
        # Each undocumented name, for the reports' findings.
        items=_missing(results, root),
        extra={
            "covered": results.covered,
            "total": results.total,
            "looked_at": {"modules, classes and functions": results.total},
        },
    )


class DocstringsCollector(Collector):
    """Runs interrogate once, at the end of the run (or in `healthgate check`)."""

    def finish(self) -> list[Measurement]:
        if self.role is Role.WORKER:
            return []
        minutes = float(self.context.options["minutes"])
        if GATE not in self.context.gates and minutes == 0:
            return []  # created for debt, which asks for no minutes: nothing to run
        measured = measure_docstrings(self.settings.root, self.settings.source)
        found = [measured] if GATE in self.context.gates else []
        if minutes > 0:
            found.append(debt_part(measured, minutes))
        return found


def debt_part(measured: Measurement, minutes: float) -> Measurement:
    """Missing docstrings on public names, as a part of ``debt`` at ``minutes`` each."""
    if measured.error is not None:
        return Measurement("debt", error=f"docstrings: {measured.error}")
    public = [item for item in measured.items or [] if item.cost > 0]
    seconds = minutes * 60
    items = [Item(i.rule, i.path, i.line, seconds, i.label) for i in public]
    total = seconds * len(items)
    summary = f"missing docstrings ({len(items)} public names, interrogate)"
    return Measurement(
        "debt",
        value=total,
        details=[Detail(summary, total, Unit.DURATION)] if items else [],
        items=items,
        extra={"parts": [{"docstrings": len(items), "seconds": total}]},
    )


def create(context: CollectorContext) -> Collector:
    return DocstringsCollector(context)
