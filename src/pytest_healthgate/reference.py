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
from pytest_healthgate.sections import HOOK_TABLES, SECTIONS
from pytest_healthgate.units import Unit, format_value

OPTION_HEADER = ["| key | accepts | default | meaning |", "|---|---|---|---|"]


def reference(catalogue: Catalogue) -> str:
    """Markdown reference of every key and gate."""
    lines = list(OPTION_HEADER)
    for key, option in TOP_LEVEL.items():
        default = "derived" if option.default is None else f"`{_show_default(option.default)}`"
        lines.append(f"| `{key}` | {option.expected} | {default} | {option.doc} |")
    tables = [
        (spec.config_table, f"{spec.name} collector", spec.options)
        for spec in catalogue.collectors.values()
        if spec.options
    ]
    tables += [(name, f"the {name} hook", SECTIONS[name]) for name in HOOK_TABLES]
    for table, reader, options in tables:
        lines += ["", f"`[{TABLE}.{table}]` ({reader})", ""]
        lines += OPTION_HEADER
        for key, option in options.items():
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


def playbook(catalogue: Catalogue) -> str:
    """The default playbook as one table, then as the TOML that adopts it (docs/)."""
    lines = [
        "| gate | warn | fail | past `fail` before the project adopts it | measures |",
        "|---|---|---|---|---|",
    ]
    for spec in catalogue.metrics.values():
        bounds = spec.default
        if bounds is None:
            lines.append(f"| `{spec.name}` | off | off | - | {spec.summary} |")
            continue
        warn, fail = (_written(value, spec) for value in (bounds.warn, bounds.fail))
        past = "-" if bounds.fail is None else "FAIL" if spec.fails_by_default else "WARN"
        lines.append(f"| `{spec.name}` | {warn} | {fail} | {past} | {spec.summary} |")
    lines += ["", "```toml", f"[{TABLE}.gates]"]
    width = max(len(name) for name in catalogue.metrics)
    for spec in catalogue.metrics.values():
        if spec.default is not None:
            pairs = (("fail", spec.default.fail), ("warn", spec.default.warn))
            written = ", ".join(
                f"{key} = {_written(value, spec, toml=True)}"
                for key, value in pairs
                if value is not None
            )
            lines.append(f"{spec.name.ljust(width)} = {{ {written} }}")
    lines.append("```")
    return "\n".join(lines) + "\n"


def _written(value: float | None, spec: MetricSpec, *, toml: bool = False) -> str:
    """A bound as a person writes it in pyproject.toml: 65, "300h", "2s", "500MB", "D"."""
    if value is None:
        return "-"
    unit = spec.unit
    if unit is Unit.PERCENT:
        return f"{value:g}" if toml else f"{value:g} %"
    if unit in (Unit.COUNT, Unit.NUMBER):
        return f"{value:g}"
    if unit is Unit.RANK:
        text = format_value(value, unit)
    elif unit is Unit.SIZE:
        text = f"{value / 1000**2:g}MB"
    else:  # a duration, in the largest unit that writes it whole
        whole = [
            (suffix, factor) for suffix, factor in (("h", 3600), ("m", 60)) if value % factor == 0
        ]
        suffix, factor = whole[0] if whole and value else ("s", 1)
        text = f"{value / factor:g}{suffix}"
    return f'"{text}"' if toml else text


def _show_default(value: Any) -> str:
    if isinstance(value, tuple):
        return repr(list(value))
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    return repr(value)
