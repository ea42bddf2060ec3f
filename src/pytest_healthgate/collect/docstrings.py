"""The ``docstrings`` gate: docstring coverage, as interrogate measures it.

interrogate does the measuring (``interrogated.py``: configured by
``[tool.interrogate]`` as interrogate itself reads it, cached per file content).
The paths are the project's ``source``. The figure is interrogate's percentage
of documented modules, classes, methods and functions; the details name the
files with most undocumented names; per-path floors
(``[tool.healthgate.gates.docstrings.paths]``) fail a file below its floor, as
coverage's do; and each undocumented name is an item (``docstrings:missing``),
so the ratchet fails only a name a change adds without a docstring.

interrogate is an optional dependency (``pip install pytest-healthgate[docstrings]``):
without it the gate is SKIP in the default playbook, saying what to install, and
ERROR when the project configured it - never a pass.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pytest_healthgate.collect.lifecycle import Collector, CollectorContext, Role
from pytest_healthgate.config import NO_SOURCE
from pytest_healthgate.gates import floor_violations
from pytest_healthgate.model import Detail, Item, Measurement
from pytest_healthgate.units import Unit

GATE = "docstrings"
SHOWN = 10
PRECISION = 1  # interrogate prints its percentages with one decimal
INSTALL = "pip install 'pytest-healthgate[docstrings]' (interrogate)"
NOT_INSTALLED = f"interrogate is not installed; {INSTALL}"

CHILD = "pytest_healthgate.collect.interrogated"

if TYPE_CHECKING:
    from pytest_healthgate.collect.interrogated import Interrogated
    from pytest_healthgate.launcher import Child


def _available() -> bool:
    import importlib.util

    try:
        return importlib.util.find_spec("interrogate") is not None
    except ValueError:  # a module entry of None: imported as missing
        return False


def _paths(root: Path, source: tuple[str, ...]) -> list[str]:
    from pytest_healthgate.collect.static.scope import resolve_entry

    found = (resolve_entry(root, entry) for entry in source)
    return [str(path) for path in found if path is not None]


def measure_docstrings(
    root: Path,
    source: tuple[str, ...],
    *,
    use_cache: bool = True,
    floors: dict[str, float] | None = None,
) -> Measurement:
    """interrogate run here and now (``healthgate check``, and the tests)."""
    paths = _ready(root, source)
    if isinstance(paths, Measurement):
        return paths
    from pytest_healthgate.collect import interrogated

    return judged(root, interrogated.outcome(root, paths, use_cache), floors or {})


def _ready(root: Path, source: tuple[str, ...]) -> list[str] | Measurement:
    """The paths interrogate is given, or why it cannot run."""
    if not _available():
        return Measurement(GATE, skip_reason=NOT_INSTALLED)
    paths = _paths(root, source)
    return paths if paths else Measurement(GATE, skip_reason=NO_SOURCE)


def judged(root: Path, outcome: object, floors: dict[str, float]) -> Measurement:
    """The gate's measurement from interrogate's outcome (``interrogated.outcome``)."""
    from pytest_healthgate.collect import interrogated

    if isinstance(outcome, dict) and outcome.get("nothing") is True:
        return Measurement(GATE, skip_reason="interrogate found no Python file in the source")
    if isinstance(outcome, dict) and "error" in outcome:
        return Measurement(GATE, error=str(outcome["error"]))
    try:
        found = interrogated.from_json(outcome)
    except ValueError as exc:
        return Measurement(GATE, error=f"interrogate's findings could not be read: {exc}")
    if found.total == 0:
        return Measurement(GATE, skip_reason="interrogate found nothing to document")
    where = _relative_paths(root, found)
    measured = _measurement(found, where)
    percents = {where[result.path]: round(result.percent, PRECISION) for result in found.files}
    measured.violations = floor_violations(percents, floors, PRECISION)
    return measured


def _relative_paths(root: Path, found: Interrogated) -> dict[str, str]:
    """Each file interrogate named, relative to the project root (as every report names it)."""
    base = root.resolve()
    where = {}
    for result in found.files:
        try:
            where[result.path] = Path(result.path).resolve().relative_to(base).as_posix()
        except ValueError:
            where[result.path] = result.path
    return where


KINDS = {"Module": "module", "ClassDef": "class"}  # else a function or method


def _missing(found: Interrogated, where: dict[str, str]) -> list[Item]:
    items = []
    for result in found.files:
        path = where[result.path]
        for name in result.names:
            if name.documented:
                continue
            line = name.line or 1  # a module's own docstring belongs to its first line
            kind = KINDS.get(name.kind, "function")
            what = "module" if kind == "module" else f"{kind} {name.name}"
            label = f"{path}:{line}: {what} has no docstring"
            items.append(Item("docstrings:missing", path, line, 1.0, label))
    return items


def _measurement(found: Interrogated, where: dict[str, str]) -> Measurement:
    worst = sorted(
        (result for result in found.files if result.missing),
        key=lambda result: (-result.missing, result.path),
    )
    return Measurement(
        GATE,
        value=found.percent,
        precision=PRECISION,
        details=[
            Detail(
                where[result.path],
                result.percent,
                Unit.PERCENT,
                f"{result.missing} missing",
            )
            for result in worst[:SHOWN]
        ],
        # Each undocumented name, for the reports' findings and the ratchet.
        items=_missing(found, where),
        extra={
            "covered": found.covered,
            "total": found.total,
            "files": {
                where[result.path]: round(result.percent, PRECISION) for result in found.files
            },
            "looked_at": {"modules, classes and functions": found.total},
            "cache": dict(found.cache),
        },
    )


class DocstringsCollector(Collector):
    """interrogate once per run, in a child started with the run: under pytest
    beside the tests at a lower priority (as the static analysis), in
    ``healthgate check`` beside the static analysis; waited for at the end."""

    def __init__(self, context: CollectorContext) -> None:
        super().__init__(context)
        # interrogate running, its outcome found in the cache, or why there is none.
        self.child: Child | dict[str, Any] | Measurement | None = None
        self.tree: str | None = None  # the digest the outcome is kept under

    @property
    def wanted(self) -> bool:
        """False when created for debt that asks for no minutes: nothing to run."""
        return GATE in self.context.gates or float(self.context.options["minutes"]) > 0

    def start(self) -> None:
        if self.role is Role.WORKER or not self.wanted:
            return
        if self.child is None:
            self.child = self._launch()

    def _launch(self) -> Child | dict[str, Any] | Measurement:
        from pytest_healthgate import priority
        from pytest_healthgate.launcher import ChildError, TimeLimit, child_environment, launch

        settings = self.settings
        paths = _ready(settings.root, settings.source)
        if isinstance(paths, Measurement):
            return paths
        if self.context.use_cache:
            kept = self._kept(paths)
            if kept is not None:
                return kept
        cache = "1" if self.context.use_cache else "0"
        command = [sys.executable, "-P", "-m", CHILD, str(settings.root), cache, *paths]
        try:
            return launch(
                command,
                label="interrogate",
                # The static analysis's own limit: interrogate is one more analyser.
                limit=TimeLimit(
                    float(settings.section("debt")["timeout"]), "[tool.healthgate.debt] timeout"
                ),
                cwd=settings.root,
                env=child_environment(os.environ),  # healthgate's own child: not measured
                # Beside the tests at a lower priority; in `healthgate check`, beside the
                # static analysis at the same one.
                nice=priority.BACKGROUND if self.context.in_pytest else priority.FOREGROUND,
            )
        except ChildError as exc:
            return Measurement(GATE, error=f"interrogate could not start: {exc}")

    def _kept(self, paths: list[str]) -> dict[str, Any] | None:
        """The outcome kept for this very tree, if any (its files all counted as hits)."""
        from pytest_healthgate.collect import interrogated

        try:
            self.tree = interrogated.tree_digest(self.settings.root, paths)
        except OSError:  # a file that cannot be read: interrogate will say so
            return None
        cache = interrogated.tree_cache(self.settings.root)
        try:
            cache.lookup({"tree": self.tree})
            kept = cache.value("tree")
            cache.save()  # refreshes its use time
        finally:
            if cache.store is not None:
                cache.store.close()
        if kept is None or "files" not in kept:
            return kept
        return {**kept, "cache": {"hits": len(kept["files"]), "misses": 0}}

    def _keep(self, outcome: object) -> None:
        from pytest_healthgate.collect import interrogated

        if self.tree is None or not isinstance(outcome, dict) or "error" in outcome:
            return
        cache = interrogated.tree_cache(self.settings.root)
        try:
            cache.put("tree", self.tree, outcome)
            cache.save()
        finally:
            if cache.store is not None:
                cache.store.close()

    def _measured(self) -> Measurement:
        settings = self.settings
        floors = settings.floors.get(GATE, {})
        child, self.child = self.child, None
        if child is None:
            return measure_docstrings(
                settings.root, settings.source, use_cache=self.context.use_cache, floors=floors
            )
        if isinstance(child, Measurement):
            return child
        if isinstance(child, dict):
            return judged(settings.root, child, floors)
        from pytest_healthgate.launcher import ChildError, one_line

        try:
            finished = child.wait()
        except ChildError as exc:  # past the time limit: killed
            return Measurement(GATE, error=f"interrogate failed: {exc}")
        finally:
            child.close()
        try:
            outcome = json.loads(finished.stdout)
        except ValueError:
            said = one_line(finished.stderr or finished.stdout)
            return Measurement(GATE, error=f"interrogate failed (status {finished.status}): {said}")
        measured = judged(settings.root, outcome, floors)
        if measured.error is None:
            self._keep(outcome)
        return measured

    def finish(self) -> list[Measurement]:
        if self.role is Role.WORKER or not self.wanted:
            return []
        measured = self._measured()
        found = [measured] if GATE in self.context.gates else []
        minutes = float(self.context.options["minutes"])
        if minutes > 0:
            found.append(debt_part(measured, minutes))
        return found

    def close(self) -> None:
        """An interrupted run leaves no interrogate running."""
        if self.child is not None and not isinstance(self.child, (Measurement, dict)):
            self.child.close()
        self.child = None


def debt_part(measured: Measurement, minutes: float) -> Measurement:
    """Missing docstrings on public names, as a part of ``debt`` at ``minutes`` each."""
    error = measured.error
    if error is None and measured.skip_reason == NOT_INSTALLED:
        error = NOT_INSTALLED  # asked for in debt: a part that cannot be had
    if error is not None:
        # Still a part (``parts``): the ratio and the rating are left without a figure too.
        return Measurement("debt", error=f"docstrings: {error}", extra={"parts": [{GATE: 0}]})
    public = [item for item in measured.items or [] if _public(item)]
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


def _public(item: Item) -> bool:
    """Whether the undocumented name is public: no part of its dotted name starts with ``_``."""
    name = item.label.rsplit(" has no docstring", 1)[0].rsplit(" ", 1)[-1]
    return not any(part.startswith("_") for part in name.split("."))


def create(context: CollectorContext) -> Collector:
    return DocstringsCollector(context)
