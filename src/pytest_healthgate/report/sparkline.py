"""Sparklines: one block character per value, for the trend command and the score's line."""

from __future__ import annotations

from collections.abc import Sequence

BARS = "▁▂▃▄▅▆▇█"


def sparkline(values: Sequence[float | None]) -> str:
    """One bar per value, scaled from the lowest to the highest; a gap where none."""
    known = [value for value in values if value is not None]
    if not known:
        return " " * len(values)
    low, high = min(known), max(known)
    span = high - low
    bars = []
    for value in values:
        if value is None:
            bars.append(" ")
        elif span == 0:
            bars.append(BARS[len(BARS) // 2])
        else:
            bars.append(BARS[round((value - low) / span * (len(BARS) - 1))])
    return "".join(bars)
