"""External findings: SARIF 2.1.0 files from other tools, counted like healthgate's own.

A semgrep run, a type checker or a cloud scanner writes SARIF; listing its files
in ``[tool.healthgate.sarif] files`` makes each result a finding here: gate
``external`` counts them, each costs remediation minutes by level (or by rule,
``rule_minutes``) added to ``debt``, and each ``error``-level result counts as
``critical``. The parts join those gates' own figures (``parts.py``), and every
finding is an item with rule ``sarif:TOOL/RULE``, so the ratchet and the reports
treat it like any other.

Each file is validated against the official SARIF 2.1.0 schema shipped with the
package (``data/``); a file that is missing, outside the project, not JSON or not
valid SARIF makes the gates ERROR naming it and what is wrong. Locations are
taken relative to the project root (``file://`` URIs and ``%SRCROOT%``-based
ones alike); a result without a location counts, on line 1 of the SARIF file.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from pytest_healthgate.collect.lifecycle import Collector, CollectorContext, Role
from pytest_healthgate.model import Detail, Item, Measurement
from pytest_healthgate.units import Unit

GATE = "external"
SHOWN = 10
LEVELS = ("error", "warning", "note", "none")


@cache
def sarif_schema() -> dict[str, Any]:
    """The official SARIF 2.1.0 JSON schema (data/README.md says where it comes from)."""
    from importlib.resources import files

    text = files("pytest_healthgate").joinpath("data/sarif-schema-2.1.0.json").read_text()
    schema: dict[str, Any] = json.loads(text)
    return schema


class SarifError(Exception):
    """A listed file cannot be counted; the message names it and what is wrong."""


@dataclass(frozen=True)
class External:
    tool: str
    rule: str
    level: str
    path: str
    line: int
    message: str

    @property
    def rule_id(self) -> str:
        return f"sarif:{self.tool}/{self.rule}"

    def label(self) -> str:
        return f"{self.path}:{self.line}: {self.tool} {self.rule} ({self.level}) {self.message}"


def _document(root: Path, name: str) -> dict[str, Any]:
    import jsonschema

    path = (root / name).resolve()
    if not path.is_relative_to(root.resolve()):
        raise SarifError(f"{name}: outside the project; list SARIF files inside it")
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SarifError(f"{name}: no such file; run the tool that writes it first") from None
    except (OSError, ValueError) as exc:
        raise SarifError(f"{name}: not a JSON file ({exc})") from None
    problem = jsonschema.exceptions.best_match(
        jsonschema.Draft4Validator(sarif_schema()).iter_errors(document)
    )
    if problem is not None:
        where = "/".join(str(part) for part in problem.absolute_path) or "the top"
        raise SarifError(f"{name}: not valid SARIF 2.1.0 at {where}: {problem.message[:200]}")
    if not isinstance(document, dict):
        raise SarifError(f"{name}: not a SARIF log")
    return document


def _where(root: Path, name: str, result: Mapping[str, Any]) -> tuple[str, int]:
    for location in result.get("locations") or []:
        physical = location.get("physicalLocation") or {}
        uri = (physical.get("artifactLocation") or {}).get("uri")
        if not isinstance(uri, str):
            continue
        parsed = urlparse(uri)
        path = Path(unquote(parsed.path))
        if path.is_absolute():
            with contextlib.suppress(ValueError):  # outside the project: kept as it is
                path = path.resolve().relative_to(root.resolve())
        line = int((physical.get("region") or {}).get("startLine") or 1)
        return path.as_posix(), line
    return name, 1


def findings(root: Path, names: list[str]) -> Iterator[External]:
    for name in names:
        for run in _document(root, name).get("runs", []):
            yield from _run_findings(root, name, run)


def _run_findings(root: Path, name: str, run: Mapping[str, Any]) -> Iterator[External]:
    driver = (run.get("tool") or {}).get("driver") or {}
    tool = str(driver.get("name") or "tool")
    rules = driver.get("rules") or []
    for result in run.get("results") or []:
        path, line = _where(root, name, result)
        yield External(
            tool,
            _rule(result, rules),
            str(result.get("level") or "warning"),
            path,
            line,
            str((result.get("message") or {}).get("text") or ""),
        )


def _rule(result: Mapping[str, Any], rules: list[Any]) -> str:
    rule = result.get("ruleId")
    index = result.get("ruleIndex")
    if rule is None and isinstance(index, int) and 0 <= index < len(rules):
        rule = rules[index].get("id")
    return str(rule or "result")


def _minutes(found: External, options: Mapping[str, Any]) -> float:
    by_rule: Mapping[str, float] = options["rule_minutes"]
    for key in (f"{found.tool}/{found.rule}", found.rule):
        if key in by_rule:
            return float(by_rule[key])
    by_level: Mapping[str, float] = options["minutes"]
    return float(by_level.get(found.level, 0.0))


def measure(root: Path, options: Mapping[str, Any]) -> list[Measurement]:
    names = list(options["files"])
    try:
        found = list(findings(root, names))
    except SarifError as exc:
        # Parts of debt and critical, also as errors: the ratio and the rating see them.
        part = {"parts": [{"sarif": 0}]}
        return [
            Measurement(gate, error=str(exc), extra=part if gate != GATE else {})
            for gate in (GATE, "debt", "critical")
        ]
    costs = [_minutes(item, options) * 60 for item in found]
    return [_external(found, len(names)), _debt(found, costs), _critical(found)]


def _external(found: list[External], files: int) -> Measurement:
    return Measurement(
        GATE,
        value=float(len(found)),
        precision=0,
        details=[Detail(f.label(), 1.0, Unit.COUNT) for f in found[:SHOWN]],
        items=[Item(f.rule_id, f.path, f.line, 1.0, f.label()) for f in found],
        extra={"looked_at": {"files": files}, "by_level": _by_level(found)},
    )


def _debt(found: list[External], costs: list[float]) -> Measurement:
    total = sum(costs)
    summary = f"external findings ({len(found)}, SARIF)"
    return Measurement(
        "debt",
        value=total,
        details=[Detail(summary, total, Unit.DURATION)] if found else [],
        items=[
            Item(f.rule_id, f.path, f.line, cost, f.label())
            for f, cost in zip(found, costs, strict=True)
        ],
        extra={"parts": [{"sarif": len(found), "seconds": total}]},
    )


def _critical(found: list[External]) -> Measurement:
    errors = [f for f in found if f.level == "error"]
    return Measurement(
        "critical",
        value=float(len(errors)),
        items=[Item(f.rule_id, f.path, f.line, 1.0, f.label()) for f in errors],
        extra={"parts": [{"sarif": len(errors)}]},
    )


def _by_level(found: list[External]) -> dict[str, int]:
    return {level: sum(1 for f in found if f.level == level) for level in LEVELS}


class SarifCollector(Collector):
    def finish(self) -> list[Measurement]:
        if self.role is Role.WORKER:
            return []
        return measure(self.settings.root, self.context.options)


def create(context: CollectorContext) -> Collector:
    return SarifCollector(context)
