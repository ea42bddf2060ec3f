"""``healthgate-markers``: fail on debt markers (TODO, FIXME, ...) the staged files add.

A marker that carries a reference matching ``[tool.healthgate.debt]
marker_reference`` (default: an issue number such as ``TODO(#123)``) is allowed.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from pytest_healthgate.precommit.changes import Change, run_hook


def problems(change: Change) -> list[str]:
    allowed = re.compile(str(change.settings.section("debt")["marker_reference"]))
    lines = []
    before = change.files("before")
    for key, result in sorted(change.files("after").items()):
        seen = Counter(text for _line, _word, text in before.get(key, {}).get("markers", []))
        for line, word, text in result.get("markers", []):
            if seen[text] > 0:
                seen[text] -= 1
                continue
            if allowed.search(text):
                continue
            lines.append(f"{key}:{line}: new {word} marker: {text}")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    return run_hook("healthgate-markers", problems, argv)


if __name__ == "__main__":
    raise SystemExit(main())
