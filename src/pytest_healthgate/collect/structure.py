"""The ``structure`` gate: required project files and folders, and which are missing.

Playbooks ask for "required project files in place": a README, a licence, a
changelog, a tests folder. ``[tool.healthgate.structure] required`` lists them
relative to the project root; an entry may be a glob (``README*``), matched
without regard to case so that ``readme.rst`` answers ``README*``, and an entry
ending in ``/`` must be a folder. The figure is the number of entries nothing
matches, each named in the details. Only the project's own tree is looked at:
an absolute entry or one climbing out with ``..`` is refused by the
configuration, and a match must lie inside the root after symlinks are resolved.
"""

from __future__ import annotations

import fnmatch
from pathlib import Path, PurePosixPath

from pytest_healthgate.collect.lifecycle import Collector, CollectorContext, Role
from pytest_healthgate.model import Detail, Item, Measurement
from pytest_healthgate.units import Unit

GATE = "structure"


def _children(folder: Path, pattern: str) -> list[Path]:
    try:
        entries = sorted(folder.iterdir())
    except OSError:
        return []
    wanted = pattern.casefold()
    return [entry for entry in entries if fnmatch.fnmatchcase(entry.name.casefold(), wanted)]


def _inside(path: Path, root: Path) -> bool:
    return path.resolve().is_relative_to(root)


def present(root: Path, entry: str) -> bool:
    """Whether something inside ``root`` answers ``entry``."""
    folder_wanted = entry.endswith("/")
    parts = PurePosixPath(entry.replace("\\", "/").rstrip("/")).parts
    resolved = root.resolve()
    candidates = [root]
    for part in parts:
        candidates = [child for folder in candidates for child in _children(folder, part)]
    return any(
        (path.is_dir() if folder_wanted else path.exists()) and _inside(path, resolved)
        for path in candidates
    )


class Structure(Collector):
    """Looks for each required file or folder once, at the end of the run."""

    def __init__(self, context: CollectorContext) -> None:
        super().__init__(context)
        self.required: tuple[str, ...] = tuple(context.options["required"])

    def finish(self) -> list[Measurement]:
        if self.role is Role.WORKER:
            return []
        if not self.required:
            return [
                Measurement(
                    GATE, skip_reason="no required files: [tool.healthgate.structure] required = []"
                )
            ]
        root = self.settings.root
        missing = [entry for entry in self.required if not present(root, entry)]
        return [
            Measurement(
                GATE,
                value=float(len(missing)),
                precision=0,
                details=[
                    Detail(entry, 1.0, Unit.COUNT, "required by [tool.healthgate.structure]")
                    for entry in missing
                ],
                # Items, so the ratchet inherits what a project lacked when it adopted
                # healthgate and fails only an entry that goes missing later.
                items=[
                    Item("structure", entry, 0, 1.0, f"{entry}: required, and missing")
                    for entry in missing
                ],
                extra={
                    "required": list(self.required),
                    "missing": missing,
                    "looked_at": {"required files and folders": len(self.required)},
                },
            )
        ]


def create(context: CollectorContext) -> Collector:
    return Structure(context)
