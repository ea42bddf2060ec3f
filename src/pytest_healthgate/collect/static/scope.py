"""Which files the static analysis reads.

Entries (``source`` from config, or the PATHs given to ``healthgate check``)
are taken as asked: a named file is analysed, a named directory is walked.
Below a named directory, version-control folders, virtualenvs, build output,
caches and hidden folders are never entered, and tests are left out unless
``include_tests`` is set: ``tests`` folders, ``test``/``testing`` folders that
hold test modules, and ``test_*.py``, ``*_test.py`` and ``conftest.py`` files.
``exclude`` globs always apply. Directory symlinks are followed once: a link
back into a folder already walked (a loop) is reported as skipped, never
followed again.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from pytest_healthgate.globs import matches

NEVER_ENTERED = frozenset(
    {
        "__pycache__",
        "build",
        "dist",
        "site-packages",
        "node_modules",
        "venv",
        "htmlcov",
    }
)
TEST_DIRECTORIES = frozenset({"tests"})
# Also library names (django/test, numpy/testing): tests only when they hold test modules.
MAYBE_TEST_DIRECTORIES = frozenset({"test", "testing"})


@dataclass
class Scope:
    """The files to analyse, by project-relative key, and what was left out and why."""

    files: dict[str, Path] = field(default_factory=dict)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def is_test_file(name: str) -> bool:
    return name == "conftest.py" or name.startswith("test_") or name.endswith("_test.py")


def is_test_directory(directory: Path) -> bool:
    if directory.name in TEST_DIRECTORIES:
        return True
    if directory.name not in MAYBE_TEST_DIRECTORIES:
        return False
    try:
        with os.scandir(directory) as entries:
            return any(is_test_file(entry.name) for entry in entries)
    except OSError:
        return False


def _never_entered(directory: Path) -> bool:
    name = directory.name
    return (
        name in NEVER_ENTERED
        or name.startswith(".")
        or name.endswith(".egg-info")
        or (directory / "pyvenv.cfg").is_file()
    )


class _Walker:
    def __init__(self, root: Path, exclude: tuple[str, ...], include_tests: bool) -> None:
        self.root = root
        self.exclude = exclude
        self.include_tests = include_tests
        self.scope = Scope()
        self.seen_directories: set[tuple[int, int]] = set()
        self.seen_files: set[tuple[int, int]] = set()

    def key(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()

    def excluded(self, key: str, directory: bool = False) -> bool:
        return any(
            matches(key, pattern) or (directory and matches(key + "/", pattern))
            for pattern in self.exclude
        )

    def add_file(self, path: Path) -> None:
        key = self.key(path)
        if self.excluded(key):
            return
        try:
            status = path.stat()
        except OSError as exc:
            self.scope.skipped.append((key, f"cannot be read: {exc.strerror or exc}"))
            return
        identity = (status.st_dev, status.st_ino)
        if identity in self.seen_files:
            return  # the same file reached through a symlink: analysed once
        self.seen_files.add(identity)
        self.scope.files[key] = path

    def walk(self, directory: Path) -> None:
        try:
            status = directory.stat()
        except OSError as exc:
            self.scope.skipped.append((self.key(directory), f"cannot be read: {exc.strerror}"))
            return
        identity = (status.st_dev, status.st_ino)
        if identity in self.seen_directories:
            reason = "symlink loop" if directory.is_symlink() else "already analysed"
            self.scope.skipped.append((self.key(directory), f"{reason}; not followed"))
            return
        self.seen_directories.add(identity)
        try:
            with os.scandir(directory) as entries:
                children = sorted(entries, key=lambda entry: entry.name)
        except OSError as exc:
            self.scope.skipped.append((self.key(directory), f"cannot be read: {exc.strerror}"))
            return
        for child in children:
            self.visit(Path(child.path), child)

    def visit(self, path: Path, entry: os.DirEntry[str]) -> None:
        try:
            is_dir = entry.is_dir()
            is_file = entry.is_file()
        except OSError:  # pragma: no cover - racing deletion
            return
        if entry.is_symlink() and not (is_dir or is_file):
            if path.suffix == ".py":
                self.scope.skipped.append((self.key(path), "broken symlink"))
            return
        if is_dir and self.enters(path):
            self.walk(path)
        elif is_file and self.takes(path):
            self.add_file(path)

    def takes(self, path: Path) -> bool:
        return path.suffix == ".py" and (self.include_tests or not is_test_file(path.name))

    def enters(self, directory: Path) -> bool:
        if _never_entered(directory) or self.excluded(self.key(directory), directory=True):
            return False
        return self.include_tests or not is_test_directory(directory)


def resolve_entry(root: Path, entry: str) -> Path | None:
    """A source entry as a path: as written, else a dotted package name under src/ or root."""
    path = Path(entry)
    candidate = path if path.is_absolute() else root / path
    if candidate.exists():
        return candidate
    if "/" not in entry and not entry.endswith(".py"):
        relative = Path(*entry.split("."))
        for base in (root / "src", root):
            for found in (base / relative, base / relative.with_suffix(".py")):
                if found.exists():
                    return found
    return None


def discover(
    root: Path, entries: tuple[str, ...], exclude: tuple[str, ...], include_tests: bool
) -> Scope:
    """Every Python file the entries name or contain, subject to the rules above."""
    walker = _Walker(root, exclude, include_tests)
    for entry in entries:
        path = resolve_entry(root, entry)
        if path is None:
            walker.scope.missing.append(entry)
        elif path.is_dir():
            walker.walk(path)
        elif path.suffix == ".py":
            walker.add_file(path)
        else:
            walker.scope.skipped.append((walker.key(path), "not a Python file"))
    return walker.scope
