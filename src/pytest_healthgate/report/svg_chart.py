"""Inline SVG line charts for the HTML report: one point per run, each with a tooltip.

No script and no external resource: a chart is a ``<svg>`` element with a
polyline through the runs' values and a ``<circle>`` per run whose ``<title>``
names the run and its value, so a reader hovering a point sees it and the
report stays one self-contained file. A run without a value (the gate was not
measured) leaves a gap in the line and has no point.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

WIDTH, HEIGHT = 520, 120
MARGIN_X, MARGIN_Y = 64, 14


@dataclass(frozen=True)
class Point:
    label: str  # the run: its time and commit
    value: float | None
    shown: str  # the value as the report formats it


def _scale(values: Sequence[float]) -> tuple[float, float]:
    low, high = min(values), max(values)
    if high == low:  # a flat line in the middle
        return low - 1.0, high + 1.0
    return low, high


def _xy(index: int, count: int, value: float, low: float, high: float) -> tuple[float, float]:
    span_x = WIDTH - 2 * MARGIN_X
    x = MARGIN_X + (span_x * index / (count - 1) if count > 1 else span_x / 2)
    y = HEIGHT - MARGIN_Y - (HEIGHT - 2 * MARGIN_Y) * (value - low) / (high - low)
    return round(x, 1), round(y, 1)


def _segments(points: Sequence[Point], low: float, high: float) -> list[list[tuple[float, float]]]:
    """Runs of consecutive measured points: a missing value breaks the line."""
    segments: list[list[tuple[float, float]]] = [[]]
    for index, point in enumerate(points):
        if point.value is None:
            segments.append([])
        else:
            segments[-1].append(_xy(index, len(points), point.value, low, high))
    return [segment for segment in segments if segment]


def chart(title: str, points: Sequence[Point], colour: str = "#1565c0") -> str:
    """An SVG chart of ``points`` (oldest first), titled for screen readers and hover."""
    known = [point.value for point in points if point.value is not None]
    name = escape(title, quote=True)
    if not known:
        return f'<p class="empty">{name}: no measured value in the history yet</p>'
    low, high = _scale(known)
    parts = [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" '
        f'height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{name}">',
        f"<title>{name}</title>",
        f'<line x1="{MARGIN_X}" y1="{HEIGHT - MARGIN_Y}" x2="{WIDTH - MARGIN_X}" '
        f'y2="{HEIGHT - MARGIN_Y}" stroke="#bbb"/>',
    ]
    for segment in _segments(points, low, high):
        coordinates = " ".join(f"{x},{y}" for x, y in segment)
        parts.append(
            f'<polyline points="{coordinates}" fill="none" stroke="{colour}" '
            f'stroke-opacity="0.45" stroke-width="2"/>'
        )
    for index, point in enumerate(points):
        if point.value is None:
            continue
        x, y = _xy(index, len(points), point.value, low, high)
        tip = escape(f"{point.label}: {point.shown}", quote=True)
        parts.append(
            f'<circle class="point" cx="{x}" cy="{y}" r="4" fill="{colour}"><title>{tip}</title>'
            f"</circle>"
        )
    parts += _end_labels(points, low, high)
    parts.append("</svg>")
    return "".join(parts)


def _end_labels(points: Sequence[Point], low: float, high: float) -> list[str]:
    """The first and the last measured values, written beside their points."""
    measured = [
        (index, point.value, point.shown)
        for index, point in enumerate(points)
        if point.value is not None
    ]
    labels = []
    for (index, value, shown), anchor, shift in (
        (measured[0], "end", -6),
        (measured[-1], "start", 6),
    ):
        x, y = _xy(index, len(points), value, low, high)
        labels.append(
            f'<text x="{x + shift}" y="{y + 4}" font-size="10" text-anchor="{anchor}">'
            f"{escape(shown)}</text>"
        )
    return labels
