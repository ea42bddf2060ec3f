"""The configuration reference in ``docs/configuration.md``, generated from the catalogue.

Every key of ``[tool.healthgate]``, every collector's table and every gate come
from the same declarations config validation reads, so the page cannot drift
from what is accepted (a test compares them).
"""

from __future__ import annotations

from typing import Any

from pytest_healthgate.catalogue import Catalogue, MetricSpec
from pytest_healthgate.config import TABLE, TOP_LEVEL
from pytest_healthgate.declared import AGGREGATES, KEYS, UNITS
from pytest_healthgate.units import format_value

OPTION_HEADER = ["| key | accepts | default | meaning |", "|---|---|---|---|"]


def reference(catalogue: Catalogue) -> str:
    """Markdown reference of every key and gate."""
    lines = list(OPTION_HEADER)
    for key, option in TOP_LEVEL.items():
        default = "derived" if option.default is None else f"`{_show_default(option.default)}`"
        lines.append(f"| `{key}` | {option.expected} | {default} | {option.doc} |")
    for spec in catalogue.collectors.values():
        if not spec.options:
            continue
        lines += ["", f"`[{TABLE}.{spec.config_table}]` ({spec.name} collector)", ""]
        lines += OPTION_HEADER
        for key, option in spec.options.items():
            shown = _show_default(option.default)
            lines.append(f"| `{key}` | {option.expected} | `{shown}` | {option.doc} |")
    lines += ["", f"`[{TABLE}.gates]`", ""]
    lines += [
        "| gate | unit | better | default playbook | collector | measures |",
        "|---|---|---|---|---|---|",
    ]
    lines += [_gate_row(spec) for spec in catalogue.metrics.values()]
    lines += ["", f"`[{TABLE}.metrics.NAME]` (a metric tests record)", ""]
    lines += [
        f"Keys: {', '.join(f'`{key}`' for key in KEYS)}; `better` is required. "
        f"`aggregate`: {', '.join(AGGREGATES)} (default mean); "
        f"`unit`: {', '.join(UNITS)} (default number)."
    ]
    return "\n".join(lines) + "\n"


def _gate_row(spec: MetricSpec) -> str:
    default = "off"
    if spec.default is not None:
        pairs = (("fail", spec.default.fail), ("warn", spec.default.warn))
        default = ", ".join(
            f"{key} = {format_value(value, spec.unit, 0)}"
            for key, value in pairs
            if value is not None
        )
    return (
        f"| `{spec.name}` | {spec.unit.value} | {spec.direction.value} | {default} "
        f"| {spec.collector} | {spec.summary} |"
    )


def _show_default(value: Any) -> str:
    if isinstance(value, tuple):
        return repr(list(value))
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)
