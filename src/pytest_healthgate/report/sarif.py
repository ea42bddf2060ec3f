"""SARIF 2.1.0: the run's findings and its failed gates, for code scanning and SARIF viewers.

One run of one tool (``pytest-healthgate``). Each finding behind the judged
gates (``RunResult.findings``) is a result whose rule is the finding's rule
(``ruff:E501``, ``bandit:B307``, ``markers:TODO``, ``complexity``); each gate that
is not PASS or SKIP is a result of rule ``healthgate/GATE`` on the project's
configuration file, so a failed coverage gate shows even where no line is to
blame. Levels: a finding the ``critical`` gate counts and a FAIL or ERROR gate
are ``error``; other findings and WARN gates are ``warning``.

**Fingerprints.** ``partialFingerprints["healthgate/v1"]`` is the ratchet's own
identity of a finding: path, rule and the normalised text of its line (see
``snapshot.fingerprint``), plus its rank among identical lines of the file, so
it stays the same when code above it moves and code scanning keeps tracking the
same alert. With a committed baseline, ``baselineState`` says whether the run
found the finding new (``new``) or already there (``unchanged``).

**Order and cap.** Results are ordered by level (error, warning, note), then
path and line, and at most ``MAX_RESULTS`` (5,000, what GitHub code scanning
keeps per run) are written; a notification of the invocation says how many were
left out. URIs are relative to the repository's top level when the project is in
a git checkout (code scanning resolves them there), percent-encoded (RFC 3986).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import quote

from pytest_healthgate import __version__
from pytest_healthgate.model import Finding, GateResult, RunResult, Verdict

SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
INFORMATION_URI = "https://github.com/pytest-healthgate/pytest-healthgate"
MAX_RESULTS = 5000
FINGERPRINT = "healthgate/v1"
LEVEL_ORDER = {"error": 0, "warning": 1, "note": 2}
ROOT_BASE = "%SRCROOT%"


def _repository_prefix(root: Path) -> str:
    """The project's folder relative to its git checkout's top level ("" at the top)."""
    from pytest_healthgate.pipeline import git_text

    return git_text(root, "rev-parse", "--show-prefix") or ""


def _uri(prefix: str, path: str) -> str:
    return quote(f"{prefix}{path}", safe="/")


def _location(prefix: str, path: str, line: int) -> dict[str, Any]:
    return {
        "physicalLocation": {
            "artifactLocation": {"uri": _uri(prefix, path), "uriBaseId": ROOT_BASE},
            "region": {"startLine": max(line, 1)},
        }
    }


def _fingerprints(findings: list[Finding], root: Path) -> list[str]:
    """Each finding's identity: the ratchet's (path, rule, line text) and its rank."""
    from pytest_healthgate.snapshot import SourceLines, fingerprint

    lines = SourceLines(root)
    seen: Counter[tuple[str, str]] = Counter()
    found = []
    for finding in findings:
        text = fingerprint(finding.rule, lines.text(finding.path, finding.line))
        key = (finding.path, text)
        found.append(f"{finding.path}:{text}:{seen[key]}")
        seen[key] += 1
    return found


def _new_places(result: RunResult) -> set[tuple[str, int, str]] | None:
    """Where the ratchet found new items, or None when the run had no baseline."""
    if not result.metadata.get("baseline"):
        return None
    return {
        (str(place.get("path")), int(place.get("line", 0)), str(place.get("rule")))
        for gate in result.gates
        for place in (gate.baseline or {}).get("added_at") or []
    }


def _finding_result(
    finding: Finding, fingerprint: str, prefix: str, new: set[tuple[str, int, str]] | None
) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        "level": "error" if "critical" in finding.gates else "warning",
        "message": {"text": f"{finding.rule} {finding.message}".strip()},
        "locations": [_location(prefix, finding.path, finding.line)],
        "partialFingerprints": {FINGERPRINT: fingerprint},
        "properties": {"gates": list(finding.gates), "costs": dict(finding.costs)},
    }
    if new is not None:
        placed = (finding.path, finding.line, finding.rule) in new
        result["baselineState"] = "new" if placed else "unchanged"
    return result


def _gate_result(gate: GateResult, prefix: str, config: str) -> dict[str, Any]:
    level = "warning" if gate.verdict is Verdict.WARN else "error"
    text = f"healthgate {gate.name}: {gate.verdict.value}"
    if gate.reason:
        text += f": {gate.reason}"
    if gate.hint:
        text += f" ({gate.hint})"
    return {
        "ruleId": f"healthgate/{gate.name}",
        "level": level,
        "message": {"text": text},
        "locations": [_location(prefix, config, 1)],
        "partialFingerprints": {FINGERPRINT: f"gate:{gate.name}"},
    }


def _config_path(result: RunResult, root: Path) -> str:
    config = result.metadata.get("config_file")
    if isinstance(config, str):
        try:
            return Path(config).relative_to(root).as_posix()
        except ValueError:
            pass
    return "pyproject.toml"


def _rules(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One rule per rule id, in order of first use; each result points at its index."""
    index: dict[str, int] = {}
    rules: list[dict[str, Any]] = []
    for entry in results:
        rule = entry["ruleId"]
        if rule not in index:
            index[rule] = len(rules)
            tool, _, code = rule.partition(":")
            described = f"{tool} {code}" if code else rule
            rules.append({"id": rule, "shortDescription": {"text": described}})
        entry["ruleIndex"] = index[rule]
    return rules


def _ordered(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    def key(entry: dict[str, Any]) -> tuple[int, str, int]:
        place = entry["locations"][0]["physicalLocation"]
        return (
            LEVEL_ORDER[entry["level"]],
            place["artifactLocation"]["uri"],
            place["region"]["startLine"],
        )

    return sorted(results, key=key)


def to_document(result: RunResult, limit: int = MAX_RESULTS) -> dict[str, Any]:
    """The SARIF log of ``result``, at most ``limit`` results."""
    root = Path(str(result.metadata.get("root") or "."))
    prefix = _repository_prefix(root) if root.is_dir() else ""
    new = _new_places(result)
    marks = _fingerprints(result.findings, root)
    results = [
        _finding_result(finding, mark, prefix, new)
        for finding, mark in zip(result.findings, marks, strict=True)
    ]
    config = _config_path(result, root)
    results += [
        _gate_result(gate, prefix, config)
        for gate in result.gates
        if gate.verdict not in (Verdict.PASS, Verdict.SKIP)
    ]
    results = _ordered(results)
    cut = max(len(results) - limit, 0)
    kept = results[:limit]
    invocation: dict[str, Any] = {"executionSuccessful": True}
    if cut:
        invocation["toolExecutionNotifications"] = [
            {
                "level": "warning",
                "message": {
                    "text": f"{cut} of {len(results)} results left out: SARIF consumers "
                    f"keep at most {limit} per run; the least severe were cut"
                },
            }
        ]
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "pytest-healthgate",
                "version": __version__,
                "informationUri": INFORMATION_URI,
                "rules": _rules(kept),
            }
        },
        "invocations": [invocation],
        "originalUriBaseIds": {ROOT_BASE: {"description": {"text": "the repository root"}}},
        "results": kept,
        "properties": {
            "results_left_out": cut,
            "git_commit": result.metadata.get("git_commit"),
            "health": None if result.health is None else result.health.score,
        },
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def render(result: RunResult) -> str:
    return json.dumps(to_document(result), indent=2) + "\n"
