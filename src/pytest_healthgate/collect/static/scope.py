"""Which files the static analysis reads.

Entries (``source`` from config, or the PATHs given to ``healthgate check``)
are taken as asked: a named file is analysed, a named directory is walked.
Below a named directory, version-control folders, virtualenvs, build output,
caches and hidden folders are never entered, and tests are left out unless
``include_tests`` is set: ``tests`` folders, ``test``/``testing`` folders that
hold test modules, and ``test_*.py``, ``*_test.py`` and ``conftest.py`` files.
``exclude`` globs always apply.

Symlinks (to files or folders) that lead to a place inside the project are
followed once: a link back into a folder already walked, or a file link that
loops, is reported as a skipped "symlink loop", never followed again. A symlink
found in the walk that leads out of the project root is not followed (skipped:
"links outside the project"), so nothing outside the project is read; an entry
named explicitly is taken as asked. A folder or file that cannot be read (no
permission) is skipped with the reason, never an error that stops the walk.
"""

from __future__ import annotations

import errno
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


def holds_test_modules(names: list[str]) -> bool:
    return any(is_test_file(name) for name in names)


def _never_entered_by_name(name: str) -> bool:
    return name in NEVER_ENTERED or name.startswith(".") or name.endswith(".egg-info")


def _why_unreadable(exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "symlink loop; not followed"
    return f"cannot be read: {exc.strerror or exc}"


class _Walker:
    """The walk below the named folders.

    Paths are strings until a file is taken: Django's ``django/`` has 2,454 folders
    and 885 Python files among 5,000 other files, and pathlib's parsing of each was
    most of the walk's time.
    """

    def __init__(self, root: Path, exclude: tuple[str, ...], include_tests: bool) -> None:
        self.root = root
        self.real_root = Path(os.path.realpath(root))
        # Every path the walk makes starts with this (os.scandir joins onto the root).
        self.prefix = str(root).rstrip(os.sep) + os.sep
        self.exclude = exclude
        self.include_tests = include_tests
        self.scope = Scope()
        self.seen_directories: set[tuple[int, int]] = set()
        self.seen_files: set[tuple[int, int]] = set()

    def key(self, path: str | Path) -> str:
        text = os.fspath(path)
        if text.startswith(self.prefix):  # the common case, without pathlib's parsing
            return text[len(self.prefix) :].replace(os.sep, "/")
        try:
            return Path(text).relative_to(self.root).as_posix()
        except ValueError:
            return Path(text).as_posix()

    def excluded(self, key: str, directory: bool = False) -> bool:
        return any(
            matches(key, pattern) or (directory and matches(key + "/", pattern))
            for pattern in self.exclude
        )

    def skip(self, path: str | Path, reason: str) -> None:
        self.scope.skipped.append((self.key(path), reason))

    def add_file(self, path: str | Path) -> None:
        key = self.key(path)
        if self.excluded(key):
            return
        try:
            status = os.stat(path)  # noqa: PTH116 - strings: see the class
        except OSError as exc:
            self.skip(path, _why_unreadable(exc))
            return
        identity = (status.st_dev, status.st_ino)
        if identity in self.seen_files:
            return  # the same file reached through a symlink: analysed once
        self.seen_files.add(identity)
        self.scope.files[key] = Path(path)

    def walk(self, directory: str, found_as: str | None = None) -> None:
        """The folder's files and folders. One found in the walk (``found_as``: its
        name) is left out when it is a virtualenv, or a test folder while tests are."""
        try:
            status = os.stat(directory)  # noqa: PTH116
        except OSError as exc:
            self.skip(directory, _why_unreadable(exc))
            return
        identity = (status.st_dev, status.st_ino)
        if identity in self.seen_directories:
            reason = "symlink loop" if os.path.islink(directory) else "already analysed"  # noqa: PTH114
            self.skip(directory, f"{reason}; not followed")
            return
        try:
            with os.scandir(directory) as entries:
                # Names are unique in a folder: sorting them needs no key function.
                by_name = {entry.name: entry for entry in entries}
            children = [by_name[name] for name in sorted(by_name)]
        except OSError as exc:
            self.seen_directories.add(identity)
            self.skip(directory, _why_unreadable(exc))
            return
        if found_as is not None and not self.enters(found_as, children):
            return
        self.seen_directories.add(identity)
        for child in children:
            self.visit(child)

    def visit(self, entry: os.DirEntry[str]) -> None:
        try:
            link = entry.is_symlink()
            is_dir = entry.is_dir()
            is_file = entry.is_file()
        except OSError as exc:  # a symlink loop, a folder without permission, a race
            if not (_never_entered_by_name(entry.name) or self.excluded(self.key(entry.path))):
                self.skip(entry.path, _why_unreadable(exc))
            return
        if is_dir:
            self.visit_directory(entry.path, entry.name, link)
        elif entry.name.endswith(".py"):  # most files are not
            self.visit_python(entry.path, entry.name, is_file=is_file, link=link)

    def visit_python(self, path: str, name: str, *, is_file: bool, link: bool) -> None:
        """A name ending in .py: a file to analyse, or a broken symlink to say so."""
        if not is_file:
            if link:
                self.skip(path, "broken symlink")
        elif self.takes(name) and not self.excluded(self.key(path)) and self.followed(path, link):
            self.add_file(path)

    def visit_directory(self, directory: str, name: str, link: bool) -> None:
        # By name first, then whether it leads out of the project: nothing outside is read.
        if _never_entered_by_name(name):
            return
        if name in TEST_DIRECTORIES and not self.include_tests:
            return
        if self.excluded(self.key(directory), directory=True):
            return
        if self.followed(directory, link):
            self.walk(directory, found_as=name)

    def followed(self, path: str, link: bool) -> bool:
        """False (and skipped) for a symlink that leads out of the project root."""
        if link and not Path(os.path.realpath(path)).is_relative_to(self.real_root):
            self.skip(path, "links outside the project; not followed")
            return False
        return True

    def takes(self, name: str) -> bool:
        return name.endswith(".py") and (self.include_tests or not is_test_file(name))

    def enters(self, name: str, children: list[os.DirEntry[str]]) -> bool:
        """Whether a folder found in the walk is walked: no virtualenv, no tests.

        Told from its own listing: a ``pyvenv.cfg`` file in it; a ``test`` or
        ``testing`` folder that holds test modules (``tests`` is left out by name).
        """
        if any(child.name == "pyvenv.cfg" and _is_file(child) for child in children):
            return False
        if self.include_tests or name not in MAYBE_TEST_DIRECTORIES:
            return True
        return not holds_test_modules([child.name for child in children])


def _is_file(entry: os.DirEntry[str]) -> bool:
    """``entry.is_file()``, False when it cannot be told."""
    try:
        return entry.is_file()
    except OSError:
        return False


def _exists(path: Path) -> bool:
    """True when something is at ``path``, even something this process may not read."""
    try:
        path.lstat()
    except FileNotFoundError:
        return False
    except OSError as exc:
        return exc.errno != errno.ENOTDIR
    return True


def resolve_entry(root: Path, entry: str) -> Path | None:
    """A source entry as a path: as written, else a dotted package name under src/ or root."""
    path = Path(entry)
    candidate = path if path.is_absolute() else root / path
    if _exists(candidate):
        return candidate
    if "/" not in entry and not entry.endswith(".py"):
        relative = Path(*entry.split("."))
        for base in (root / "src", root):
            for found in (base / relative, base / relative.with_suffix(".py")):
                if _exists(found):
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
            continue
        try:
            is_dir = path.is_dir()
        except OSError as exc:
            walker.skip(path, _why_unreadable(exc))
            continue
        if is_dir:
            walker.walk(str(path))
        elif path.suffix == ".py":
            walker.add_file(path)
        else:
            walker.skip(path, "not a Python file")
    return walker.scope
