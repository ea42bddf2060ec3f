"""CSV export from the first version of the demo; only the happy path is tested."""

from __future__ import annotations


def to_csv(rows: list[tuple[str, int]]) -> str:
    return "\n".join(f"{name},{count}" for name, count in rows)


def from_csv(text: str) -> list[tuple[str, int]]:
    rows = []
    for line in text.splitlines():
        if not line.strip():
            continue
        name, _, count = line.partition(",")
        if not count:
            raise ValueError(f"no count in {line!r}")
        rows.append((name.strip(), int(count)))
    return rows


def merge(left: list[tuple[str, int]], right: list[tuple[str, int]]) -> list[tuple[str, int]]:
    totals: dict[str, int] = {}
    for name, count in [*left, *right]:
        totals[name] = totals.get(name, 0) + count
    return sorted(totals.items())


def describe(rows: list[tuple[str, int]]) -> str:
    if not rows:
        return "nothing"
    largest = max(rows, key=lambda row: row[1])
    return f"{len(rows)} items, most of {largest[0]}"
