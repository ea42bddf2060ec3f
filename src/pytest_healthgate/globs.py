"""Glob patterns over project-relative POSIX paths, as people write them in config.

``*`` and ``?`` stay inside one path segment; ``**`` crosses segments, so
``src/pkg/core/**`` matches every file below ``core`` and ``**/test_*.py``
matches at any depth.
"""

from __future__ import annotations

import re
from functools import lru_cache


@lru_cache(maxsize=256)
def _compile(pattern: str) -> re.Pattern[str]:
    parts: list[str] = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if pattern.startswith("**/", index):
            parts.append("(?:.*/)?")
            index += 3
            continue
        if pattern.startswith("**", index):
            parts.append(".*")
            index += 2
            continue
        if char == "*":
            parts.append("[^/]*")
        elif char == "?":
            parts.append("[^/]")
        else:
            parts.append(re.escape(char))
        index += 1
    return re.compile("".join(parts) + r"\Z")


def matches(path: str, pattern: str) -> bool:
    """True when the project-relative ``path`` matches ``pattern`` (or lies below it)."""
    normalized = pattern.strip("/").removeprefix("./")
    regex = _compile(normalized)
    if regex.match(path):
        return True
    # A bare directory pattern ("src/pkg/legacy") covers everything below it.
    return path.startswith(normalized + "/")
