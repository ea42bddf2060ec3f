"""GitHub Actions: annotations for what failed, and the step summary.

On GitHub Actions (``GITHUB_ACTIONS=true``) a gated run prints workflow
commands that GitHub turns into annotations: one ``::error`` per failed gate
(and ``::warning`` per warned one), and one per item a change added to a
ratcheted gate, pointing at its file and line. Errors come first, then
warnings; at most ``ANNOTATIONS_SHOWN`` lines, the last saying how many were
left out. Values are escaped as the workflow command syntax requires (``%``,
CR and LF in the message; also ``:`` and ``,`` in properties), so a message
holding ``%0A`` or ``::`` cannot start a command of its own.
"""

from __future__ import annotations

import os
from pathlib import Path

from pytest_healthgate.model import GateResult, RunResult, Verdict

ANNOTATIONS_SHOWN = 50
LEVELS = {Verdict.FAIL: "error", Verdict.ERROR: "error", Verdict.WARN: "warning"}


def on_github() -> bool:
    return os.environ.get("GITHUB_ACTIONS") == "true"


def message(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def prop(value: str) -> str:
    return message(value).replace(":", "%3A").replace(",", "%2C")


def _command(level: str, text: str, **properties: object) -> str:
    shown = ",".join(f"{key}={prop(str(value))}" for key, value in properties.items())
    return f"::{level} {shown}::{message(text)}" if shown else f"::{level}::{message(text)}"


def _gate_annotations(gate: GateResult) -> list[tuple[int, str]]:
    level = LEVELS.get(gate.verdict)
    if level is None:
        return []
    rank = 0 if level == "error" else 1
    found = [
        (rank, _command(level, f"{gate.name}: {gate.reason}", title=f"healthgate {gate.name}"))
    ]
    compared = gate.baseline or {}
    for where, label in zip(
        compared.get("added_at") or [], compared.get("added") or [], strict=False
    ):
        found.append(
            (
                rank,
                _command(
                    level,
                    f"{gate.name}: new since the baseline: {label}",
                    file=where["path"],
                    line=where["line"],
                    title=f"healthgate {where['rule']}",
                ),
            )
        )
    return found


def annotation_lines(result: RunResult, shown: int = ANNOTATIONS_SHOWN) -> list[str]:
    """The workflow commands for this run, errors first, capped at ``shown``."""
    found = [line for gate in result.gates for line in _gate_annotations(gate)]
    found.sort(key=lambda pair: pair[0])  # stable: gates keep their order within a level
    lines = [line for _rank, line in found[:shown]]
    if len(found) > shown:
        lines.append(
            _command(
                "notice",
                f"healthgate: {len(found) - shown} more annotations left out; "
                f"see .healthgate/last-run.json",
            )
        )
    return lines


def append_step_summary(result: RunResult) -> str | None:
    """Append the Markdown report to ``$GITHUB_STEP_SUMMARY`` when set; a problem, or None."""
    from pytest_healthgate.report import markdown

    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if not target:
        return None
    path = Path(target)
    try:
        used = path.stat().st_size if path.exists() else 0
        room = max(0, markdown.STEP_SUMMARY_LIMIT - used)
        with path.open("a", encoding="utf-8") as stream:
            stream.write(markdown.fitted(result, limit=room))
    except OSError as exc:
        return f"healthgate: the step summary was not written: {exc}"
    return None
