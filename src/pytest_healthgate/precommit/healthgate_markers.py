"""``healthgate-markers``: fail on debt markers (TODO, FIXME, ...) the staged files add.

A marker that carries a reference matching ``[tool.healthgate.debt]
marker_reference`` (default: an issue number such as ``TODO(#123)``) is allowed.
The pattern is the project's own, and it is matched only against the marker
comment as the analysis keeps it (at most ``MARKER_TEXT_LIMIT`` characters), so
a slow pattern costs at most that much text per marker.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from pytest_healthgate.collect.static.analysers.file_analyser import MARKER_TEXT_LIMIT
from pytest_healthgate.precommit.changes import Change, run_hook
from pytest_healthgate.report.escape import escape


def problems(change: Change) -> list[str]:
    allowed = re.compile(str(change.settings.section("debt")["marker_reference"]))
    lines = []
    for key, result in sorted(change.after_files.items()):
        seen: Counter[str] = Counter()
        for before in change.versions_before(key):  # a marker of either parent is not new
            seen |= Counter(hit.text for hit in before.markers)
        for hit in result.markers:
            if seen[hit.text] > 0:
                seen[hit.text] -= 1
                continue
            if allowed.search(hit.text[:MARKER_TEXT_LIMIT]):
                continue
            lines.append(escape(f"{key}:{hit.line}: new {hit.word} marker: {hit.text}"))
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    return run_hook("healthgate-markers", problems, argv)


if __name__ == "__main__":
    raise SystemExit(main())
