"""Dead code: vulture's findings, as debt with remediation minutes.

With ``[tool.healthgate.dead_code] enabled = true`` vulture scans the source
(tests left out, ``exclude`` applied) with the project's own ``[tool.vulture]``
settings (``ignore_names``, ``ignore_decorators``, ``exclude``, its whitelist
paths...) read by vulture's own configuration loader, and every result at or
above ``min_confidence`` is a finding (rule ``vulture:unused-function``, ...)
costing ``minutes``: a part of the ``debt`` gate (``parts.py``), so no gate of
its own is needed. Gate ``dead_code`` (the number of findings) is there for a
project that wants one.

vulture is an optional dependency (``pip install pytest-healthgate[dead-code]``).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pytest_healthgate.collect.lifecycle import Collector, CollectorContext, Role
from pytest_healthgate.model import Detail, Item, Measurement
from pytest_healthgate.units import Unit

GATE = "dead_code"
SHOWN = 10
INSTALL = "pip install 'pytest-healthgate[dead-code]' (vulture)"


def _paths(context: CollectorContext) -> list[str]:
    from pytest_healthgate.collect.static.scope import discover

    settings = context.settings
    scope = discover(settings.root, settings.source, settings.exclude, include_tests=False)
    return [str(settings.root / key) for key in sorted(scope.files)]


def scan(root: Path, paths: list[str], min_confidence: int) -> list[Any]:
    """vulture's unused code in ``paths``, with ``[tool.vulture]`` as vulture reads it."""
    import vulture
    from vulture.config import make_config

    pyproject = root / "pyproject.toml"
    arguments = ["--config", str(pyproject)] if pyproject.is_file() else []
    config = make_config([*arguments, *paths])
    whitelists = [str(root / name) for name in _whitelists(pyproject)]
    scanner = vulture.Vulture(
        ignore_names=config["ignore_names"], ignore_decorators=config["ignore_decorators"]
    )
    scanner.scavenge([*paths, *whitelists], exclude=config["exclude"])
    floor = max(min_confidence, int(config["min_confidence"] or 0))
    return list(scanner.get_unused_code(min_confidence=floor))


def _whitelists(pyproject: Path) -> list[str]:
    """The whitelist modules among ``[tool.vulture] paths`` (its .py files): our paths
    replace the table's, as the command line's do, but a whitelist still counts."""
    import tomllib

    if not pyproject.is_file():
        return []
    table = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("tool", {})
    listed = table.get("vulture", {}).get("paths", [])
    return [str(p) for p in listed if str(p).endswith(".py")] if isinstance(listed, list) else []


def _relative(root: Path, name: object) -> str:
    try:
        return Path(str(name)).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(name)


# A part of debt, also when it is an error: the ratio and the rating must see it.
PART = {"parts": [{"vulture": 0}]}


def measure(context: CollectorContext) -> list[Measurement]:
    options: Mapping[str, Any] = context.options
    if not options["enabled"]:
        return []
    root = context.settings.root
    try:
        found = scan(root, _paths(context), int(options["min_confidence"]))
    except ImportError:
        error = f"vulture is not installed; {INSTALL}"
        return [Measurement(GATE, error=error), Measurement("debt", error=error, extra=PART)]
    except Exception as exc:
        error = f"vulture failed: {exc}"
        return [Measurement(GATE, error=error), Measurement("debt", error=error, extra=PART)]
    seconds = float(options["minutes"]) * 60
    items = [
        Item(
            f"vulture:unused-{item.typ}",
            _relative(root, item.filename),
            int(item.first_lineno),
            seconds,
            f"{_relative(root, item.filename)}:{item.first_lineno}: {item.message} "
            f"({item.confidence}% confidence)",
        )
        for item in found
    ]
    total = seconds * len(items)
    return [
        Measurement(
            GATE,
            value=float(len(items)),
            precision=0,
            details=[Detail(item.label, 1.0, Unit.COUNT) for item in items[:SHOWN]],
            items=[Item(i.rule, i.path, i.line, 1.0, i.label) for i in items],
            extra={"looked_at": {"files": max(len(_paths(context)), 1)}},
        ),
        Measurement(
            "debt",
            value=total,
            details=[Detail(f"dead code ({len(items)}, vulture)", total, Unit.DURATION)]
            if items
            else [],
            items=items,
            extra={"parts": [{"vulture": len(items), "seconds": total}]},
        ),
    ]


class DeadCodeCollector(Collector):
    def finish(self) -> list[Measurement]:
        if self.role is Role.WORKER:
            return []
        return measure(self.context)


def create(context: CollectorContext) -> Collector:
    return DeadCodeCollector(context)
