"""The debt ratio and rating, counting the debt other collectors add as parts.

``debt`` may be measured in parts (``parts.py``): the static analysis gives its
findings, and SARIF files, dead code and missing docstrings add theirs. The
ratio and the rating are figures of the whole debt, so once the parts are
folded they are derived again from the static analysis's lines of code and the
whole debt. A part that could not be measured leaves them without a figure
(ERROR naming the part), as it leaves ``debt``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from pytest_healthgate.collect.static.remediation import RATINGS, debt_ratio, rating
from pytest_healthgate.model import Measurement

DERIVED = ("debt_ratio", "rating")


def with_debt_parts(
    merged: dict[str, Measurement], parts: Iterable[Measurement]
) -> dict[str, Measurement]:
    """``merged`` with the ratio and the rating counting the parts' debt."""
    parts = list(parts)
    error = "; ".join(part.error for part in parts if part.error)
    seconds = sum(part.value or 0.0 for part in parts if part.error is None)
    for name in DERIVED:
        found = merged.get(name)
        if found is not None and found.error is None and found.skip_reason is None:
            merged[name] = _counting(found, error, seconds)
    return merged


def _counting(found: Measurement, error: str, seconds: float) -> Measurement:
    if error:
        return replace(found, value=None, error=error)
    return _rederived(found, seconds / 60) if seconds > 0 else found


def _rederived(found: Measurement, added_minutes: float) -> Measurement:
    extra = found.extra
    minutes = float(extra["debt_minutes"]) + added_minutes
    lines, per_line = int(extra["lines_of_code"]), float(extra["cost_per_line_minutes"])
    ratio = round(debt_ratio(minutes, lines, per_line), 1)  # judged at the precision shown
    letter = rating(ratio)
    counted = {
        **extra,
        "debt_minutes": minutes,
        "parts_minutes": added_minutes,
        "debt_ratio": ratio,
        "rating": letter,
    }
    value = ratio if found.name == "debt_ratio" else float(RATINGS.index(letter) + 1)
    return replace(found, value=value, extra=counted)
