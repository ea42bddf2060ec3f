"""An example pytest-healthgate plugin: gate the line count of the largest source file.

It adds one collector and one gate through ``pytest_healthgate_register``, the
hook the built-in gates use too. The collector measures without running tests
(``static=True``), so ``healthgate check`` judges the gate as well as
``pytest --healthgate``. Configure it as::

    [tool.healthgate.gates]
    largest_file = { fail = 1000, warn = 500 }

    [tool.healthgate.plugins.largest_file]
    count_blank = false
"""

from __future__ import annotations

from pathlib import Path

from pytest_healthgate.api import (
    Catalogue,
    Collector,
    CollectorContext,
    CollectorSpec,
    Detail,
    Direction,
    Measurement,
    MetricSpec,
    Option,
    Role,
    Unit,
    boolean,
)

NAME = "largest_file"
SHOWN = 5


def pytest_healthgate_register(catalogue: Catalogue) -> None:
    catalogue.add(
        CollectorSpec(
            NAME,
            "healthgate_largest_file:LargestFile",
            "line counts of the source files",
            static=True,
            options={
                "count_blank": Option(
                    "true or false", boolean, False, "Count blank lines as well."
                )
            },
        ),
        MetricSpec(
            NAME,
            Unit.COUNT,
            Direction.LOWER,
            "Lines of the largest Python file in the source.",
            "split the largest files listed below",
            collector=NAME,
            detail_title="largest files",
            example="{ fail = 1000, warn = 500 }",
        ),
    )


class LargestFile(Collector):
    """Counts the lines of every Python file under the source (or the PATHs checked)."""

    def __init__(self, context: CollectorContext) -> None:
        super().__init__(context)
        self.count_blank = bool(context.options["count_blank"])

    def finish(self) -> list[Measurement]:
        if self.role is Role.WORKER:
            return []
        counts = {
            self._label(path): self._lines(path) for path in sorted(self._files())
        }
        if not counts:
            return [Measurement(NAME, skip_reason="no Python file in the source")]
        ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        return [
            Measurement(
                NAME,
                value=float(ranked[0][1]),
                details=[Detail(label, lines, Unit.COUNT) for label, lines in ranked[:SHOWN]],
                extra={"files": len(counts)},
            )
        ]

    def _files(self) -> list[Path]:
        root = self.settings.root
        entries = self.context.paths or tuple(str(root / entry) for entry in self.settings.source)
        found: list[Path] = []
        for entry in map(Path, entries):
            if entry.is_file() and entry.suffix == ".py":
                found.append(entry)
            elif entry.is_dir():
                found.extend(entry.rglob("*.py"))
        return found

    def _lines(self, path: Path) -> int:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        return len(lines) if self.count_blank else sum(1 for line in lines if line.strip())

    def _label(self, path: Path) -> str:
        root = self.settings.root
        return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
