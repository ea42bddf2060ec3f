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
    for key, result in sorted(change.after_files.items()):
        before = change.before_files.get(key)
        seen = Counter(hit.text for hit in (before.markers if before else ()))
        for hit in result.markers:
            if seen[hit.text] > 0:
                seen[hit.text] -= 1
                continue
            if allowed.search(hit.text):
                continue
            lines.append(f"{key}:{hit.line}: new {hit.word} marker: {hit.text}")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    return run_hook("healthgate-markers", problems, argv)


if __name__ == "__main__":
    raise SystemExit(main())
