"""An SVG badge of the health score, coloured by its band."""

from __future__ import annotations

import html

from pytest_healthgate.model import RunResult

COLOURS = {
    "excellent": "#2e7d32",
    "good": "#558b2f",
    "fair": "#f9a825",
    "poor": "#ef6c00",
    "critical": "#d84315",
    "crisis": "#b71c1c",
    "unmeasured": "#757575",
}
CHAR_WIDTH = 7  # px per character of the 11px sans-serif text, roughly
PADDING = 10


def render(result: RunResult) -> str:
    health = result.health
    band = health.band if health is not None else "unmeasured"
    score = health.score if health is not None else None
    label = "health"
    value = "unmeasured" if score is None else f"{score:g} {band}"
    left = len(label) * CHAR_WIDTH + PADDING
    right = len(value) * CHAR_WIDTH + PADDING
    width = left + right
    title = html.escape(f"{label}: {value}", quote=True)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="20" role="img" '
        f'aria-label="{title}">\n'
        f"  <title>{title}</title>\n"
        f'  <rect width="{left}" height="20" fill="#555"/>\n'
        f'  <rect x="{left}" width="{right}" height="20" fill="{COLOURS[band]}"/>\n'
        f'  <g fill="#fff" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11">\n'
        f'    <text x="{PADDING // 2}" y="14">{html.escape(label)}</text>\n'
        f'    <text x="{left + PADDING // 2}" y="14">{html.escape(value)}</text>\n'
        f"  </g>\n"
        f"</svg>\n"
    )
