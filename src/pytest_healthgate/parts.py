"""Several collectors measuring parts of one gate that adds up: one measurement of it.

A gate whose figure is the sum of its items (``debt``: minutes of findings;
``critical``: critical findings) may be measured in parts: the static analysis
gives most of the debt, another collector adds findings of its own (the SARIF
files a project lists). The parts become one measurement before any gate is
judged: values and items add up, details are merged largest first, and an error
in any part makes the whole an error, since a sum missing a part is no figure.
A gate that does not add up is never measured in parts: the last one stands.
The debt ratio and the rating, figures of the whole debt, are derived again
from the folded debt (``collect/static/debt_parts.py``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

from pytest_healthgate.model import Item, Measurement

if TYPE_CHECKING:
    from pytest_healthgate.catalogue import MetricSpec

SHOWN = 10


def combined(
    measurements: Iterable[Measurement], specs: Mapping[str, MetricSpec]
) -> list[Measurement]:
    """``measurements`` with each adding-up gate's parts folded into its first measurement."""
    merged: dict[str, Measurement] = {}
    order: list[str] = []
    measurements = list(measurements)
    for measurement in measurements:
        name = measurement.name
        first = merged.get(name)
        if first is None:
            merged[name] = measurement
            order.append(name)
        elif name in specs and _adds_up(first, measurement):
            merged[name] = _sum(first, measurement)
        else:
            merged[name] = measurement
    debt_parts = [m for m in measurements if m.name == "debt" and "parts" in m.extra]
    if debt_parts:
        # The ratio and the rating are figures of the whole debt: derived again.
        from pytest_healthgate.collect.static.debt_parts import with_debt_parts

        merged = with_debt_parts(merged, debt_parts)
    return [merged[name] for name in order]


def _adds_up(first: Measurement, other: Measurement) -> bool:
    return first.items_add_up and other.items_add_up


def _sum(first: Measurement, other: Measurement) -> Measurement:
    error = "; ".join(m.error for m in (first, other) if m.error) or None
    if error is not None:
        return replace(first, value=None, error=error)
    if first.skip_reason is not None:
        return other
    if other.skip_reason is not None:
        return first
    details = sorted([*first.details, *other.details], key=lambda d: (-d.value, d.label))
    parts = list(first.extra.get("parts", [])) + list(other.extra.get("parts", []))
    return replace(
        first,
        value=(first.value or 0.0) + (other.value or 0.0),
        details=details[: max(SHOWN, len(first.details))],
        items=_items(first, other),
        extra={**first.extra, "parts": parts} if parts else first.extra,
    )


def _items(first: Measurement, other: Measurement) -> list[Item] | None:
    if first.items is None and other.items is None:
        return None
    return [*(first.items or []), *(other.items or [])]
