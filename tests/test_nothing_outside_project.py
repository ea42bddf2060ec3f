"""A gated run writes nothing outside the project but its temporary folders, which it removes.

bandit loads its plugins through stevedore, which caches entry points in the
user's cache folder; mypy keeps a ``.mypy_cache`` where it runs; ruff a
``.ruff_cache``. Here the home and cache folders are empty folders of the test,
and after `healthgate check` and `pytest --healthgate` (mypy on, one run with
enough files for the analysis to use a process pool, one without) they are
still empty; in the project only ``.healthgate/``, the coverage data file and
Python's own ``__pycache__`` folders are new.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from pytest_healthgate.collect.static.analysers.mypy import mypy_cache_dir
from pytest_healthgate.collect.static.analysers.per_file import (
    KEPT_ENTRY_POINT_FILES,
    SERIAL_BYTES,
    SERIAL_FILES,
    entry_points_folder,
)
from tests.state_helpers import environment, finish, gate, pytest_command, start, write_files

PROJECT = {
    "pyproject.toml": """
        [tool.pytest.ini_options]
        pythonpath = ["src"]
        testpaths = ["tests"]

        [tool.healthgate]
        source = ["src/calc"]

        [tool.healthgate.gates]
        coverage = { fail = 90 }
        debt = { fail = "1000h" }
        critical = { fail = 0 }

        [tool.healthgate.debt]
        mypy = true
        jobs = 2

        [tool.coverage.run]
        omit = ["*/generated_*"]
        """,
    "src/calc/__init__.py": """
        def add(a: int, b: int) -> int:
            return a + b
        """,
    "tests/test_calc.py": """
        from calc import add


        def test_add():
            assert add(1, 2) == 3
        """,
}
# Enough code for the per-file analysis to use its process pool.
FUNCTION = "def f{number}(value: int) -> int:\n    return value + {number}\n\n\n"


def generated_modules() -> dict[str, str]:
    size = SERIAL_BYTES // SERIAL_FILES + 1
    count = -(-size // len(FUNCTION.format(number=1000)))
    text = "".join(FUNCTION.format(number=1000 + number) for number in range(count))
    return {f"src/calc/generated_{index}.py": text for index in range(SERIAL_FILES)}


def everything(folder: Path) -> set[str]:
    return {path.relative_to(folder).as_posix() for path in folder.rglob("*")}


def test_check_and_a_gated_run_write_nothing_outside_the_project(tmp_path: Path) -> None:
    root = write_files(tmp_path / "project", {**PROJECT, **generated_modules()})
    home, cache, temporary = tmp_path / "home", tmp_path / "cache", tmp_path / "tmp"
    for folder in (home, cache, temporary):
        folder.mkdir()
    env = environment(temporary, HOME=str(home), XDG_CACHE_HOME=str(cache))
    before = everything(root)

    healthgate = str(Path(sys.executable).with_name("healthgate"))
    status, output = finish(start([healthgate, "check", "--format", "json"], root, env))
    assert status == 0, output
    # Cold: every file is analysed, in the process pool.
    cache_stats = json.loads(output)["metrics"][0]["extra"]["cache"]
    assert cache_stats["files"] == {"hits": 0, "misses": SERIAL_FILES + 1}, cache_stats
    # One file changes: under pytest the engine process analyses it, without a pool.
    (root / "src" / "calc" / "__init__.py").write_text(
        "def add(a: int, b: int) -> int:\n    return b + a\n"
    )
    report = tmp_path / "report.json"
    status, output = finish(start(pytest_command(report), root, env))
    assert status == 0, output
    cache_stats = gate(report, "debt")["extra"]["cache"]
    assert cache_stats["files"] == {"hits": SERIAL_FILES, "misses": 1}, cache_stats
    assert cache_stats["mypy"]["misses"] == 1, cache_stats

    assert everything(home) == set()
    assert everything(cache) == set()
    assert everything(temporary) == set()
    new = {
        name
        for name in everything(root) - before
        if not name.startswith(".healthgate") and "__pycache__" not in name.split("/")
    }
    assert new == {".coverage"}
    assert (root / ".healthgate" / "cache" / "mypy").is_dir()  # mypy's own cache, kept here
    # stevedore's, for bandit's import: the entry points it scanned, read by the next run
    # (one file for each sys.path: `healthgate check`'s, the engine process's under pytest).
    scanned = root / ".healthgate/cache/bandit/python-entrypoints"
    if sys.executable.startswith("/tmp"):
        # stevedore's own rule: it caches nothing for an interpreter under /tmp.
        assert not scanned.exists()
    else:
        assert list(scanned.iterdir())
        for path in scanned.iterdir():
            assert "bandit.plugins" in json.loads(path.read_text())["groups"]


def test_mypy_keeps_its_cache_in_the_state_folder_or_nowhere(tmp_path: Path) -> None:
    assert mypy_cache_dir(tmp_path, use_cache=True) == str(tmp_path / ".healthgate/cache/mypy")
    assert mypy_cache_dir(tmp_path, use_cache=False) == os.devnull  # check --no-cache
    blocked = tmp_path / "blocked"
    blocked.mkdir()
    (blocked / ".healthgate").write_text("not a folder")
    assert mypy_cache_dir(blocked, use_cache=True) == os.devnull
    linked = tmp_path / "linked"
    (linked / ".healthgate" / "cache").mkdir(parents=True)
    (linked / ".healthgate" / "cache" / "mypy").symlink_to(tmp_path / "elsewhere")
    assert mypy_cache_dir(linked, use_cache=True) == os.devnull


def test_stevedore_caches_in_the_state_folder_or_nowhere(tmp_path: Path) -> None:
    folder = str(tmp_path / ".healthgate/cache/bandit")
    assert entry_points_folder(tmp_path, use_cache=True) == folder
    assert entry_points_folder(tmp_path, use_cache=False) == os.devnull  # check --no-cache
    Path(folder).mkdir()
    (tmp_path / ".healthgate/cache/bandit/python-entrypoints").symlink_to(tmp_path / "elsewhere")
    assert entry_points_folder(tmp_path, use_cache=True) == os.devnull
    blocked = tmp_path / "blocked"
    blocked.mkdir()
    (blocked / ".healthgate").write_text("not a folder")
    assert entry_points_folder(blocked, use_cache=True) == os.devnull


def test_a_check_without_the_cache_leaves_no_entry_point_cache(tmp_path: Path) -> None:
    root = write_files(tmp_path / "project", PROJECT)
    cache, temporary = tmp_path / "cache", tmp_path / "tmp"
    for folder in (cache, temporary):
        folder.mkdir()
    env = environment(temporary, HOME=str(tmp_path / "cache"), XDG_CACHE_HOME=str(cache))
    healthgate = str(Path(sys.executable).with_name("healthgate"))
    command = [healthgate, "check", "--no-cache", "--format", "json"]
    status, output = finish(start(command, root, env))
    assert status == 0, output
    assert json.loads(output)["metrics"][0]["extra"]["tools"]["bandit"]  # bandit did run
    assert not (root / ".healthgate" / "cache" / "bandit").exists()
    assert everything(cache) == set()


def test_only_the_newest_entry_point_files_are_kept(tmp_path: Path) -> None:
    """stevedore writes one per sys.path and removes none: healthgate keeps the newest."""
    scanned = tmp_path / ".healthgate/cache/bandit/python-entrypoints"
    scanned.mkdir(parents=True)
    for age in range(KEPT_ENTRY_POINT_FILES + 3):
        path = scanned / f"scan-{age}"
        path.write_text("{}")
        os.utime(path, (1_000_000 - age, 1_000_000 - age))
    assert entry_points_folder(tmp_path, use_cache=True) == str(scanned.parent)
    kept = sorted(path.name for path in scanned.iterdir())
    assert kept == sorted(f"scan-{age}" for age in range(KEPT_ENTRY_POINT_FILES))
