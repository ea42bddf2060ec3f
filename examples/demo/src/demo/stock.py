"""Stock keeping: the well-tested core of the demo project."""

from __future__ import annotations


class Stock:
    def __init__(self) -> None:
        self._items: dict[str, int] = {}

    def add(self, name: str, count: int = 1) -> None:
        if count <= 0:
            raise ValueError("count must be positive")
        self._items[name] = self._items.get(name, 0) + count

    def remove(self, name: str, count: int = 1) -> None:
        held = self._items.get(name, 0)
        if count > held:
            raise ValueError(f"only {held} of {name} in stock")
        self._items[name] = held - count

    def count(self, name: str) -> int:
        return self._items.get(name, 0)

    def report(self) -> str:
        lines = [f"{name}: {count}" for name, count in sorted(self._items.items())]
        if not lines:
            return "empty"
        return "\n".join(lines)
