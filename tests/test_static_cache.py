"""The analysis cache: addressed by content, shared by every side of a change, bounded."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from pytest_healthgate.collect.static.analysers.ruff import RuffAnalyser
from pytest_healthgate.collect.static.request import AnalysisRequest
from pytest_healthgate.collect.static.results import AnalysisResult
from pytest_healthgate.config import load
from pytest_healthgate.precommit.changes import analyse_staged_change
from pytest_healthgate.store.cache import AnalysisCache, CacheStore, Codec, content_digest
from tests import cache_helpers
from tests.test_precommit_hooks import CONFIG, OLD, git
from tests.test_static_engine import SIMPLE, project, run

TEXT: Codec[str] = Codec(str, lambda value: value)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The cache's clock, moved by hand."""
    import pytest_healthgate.store.cache as cache_module

    now = [1_000_000.0]
    monkeypatch.setattr(cache_module.time, "time", lambda: now[0])
    return now


def fill(store: CacheStore, clock: list[float], names: list[str]) -> None:
    """One entry per name (100 characters of JSON), in this order, an hour apart."""
    for name in names:
        clock[0] += 3600
        cache = AnalysisCache(store, "test", "key", TEXT)
        assert cache.lookup({name: content_digest(name.encode())}) == [name]
        cache.put(name, content_digest(name.encode()), name * 98)
        cache.save()


def stored(store: CacheStore, names: list[str]) -> list[str]:
    cache = AnalysisCache(store, "test", "key", TEXT)
    missing = cache.lookup({name: content_digest(name.encode()) for name in names})
    return [name for name in names if name not in missing]


def test_past_its_bound_the_cache_evicts_the_least_recently_used_entries(
    tmp_path: Path, clock: list[float]
) -> None:
    store = CacheStore(tmp_path, max_bytes=420)
    fill(store, clock, ["a", "b", "c", "d"])  # 400 characters: within the bound
    assert stored(store, ["a", "b", "c", "d"]) == ["a", "b", "c", "d"]
    fill(store, clock, ["e"])  # 500: past it; the oldest go until 90 % of the bound is left
    assert stored(store, ["a", "b", "c", "d", "e"]) == ["c", "d", "e"]
    store.close()


def test_a_use_refreshes_an_entry_so_it_outlives_newer_unused_ones(
    tmp_path: Path, clock: list[float]
) -> None:
    store = CacheStore(tmp_path, max_bytes=350)
    fill(store, clock, ["a", "b", "c"])
    clock[0] += 3600
    used = AnalysisCache(store, "test", "key", TEXT)
    assert used.lookup({"a": content_digest(b"a")}) == []  # "a" is used again, an hour later
    used.save()
    fill(store, clock, ["d"])
    assert stored(store, ["a", "b", "c", "d"]) == ["a", "c", "d"]
    store.close()


def test_entries_are_addressed_by_content_so_a_copy_is_a_hit_under_another_name(
    tmp_path: Path,
) -> None:
    root = project(tmp_path, SIMPLE)
    cold = run(root)
    (root / "pkg/copy.py").write_text((root / "pkg/b.py").read_text())
    again = run(root)
    assert again.cache["files"] == {"hits": 4, "misses": 0}
    assert again.files["pkg/copy.py"] == cold.files["pkg/b.py"]
    # ruff's configuration can select rules by path: its entries are path and content.
    assert again.cache["ruff"] == {"hits": 3, "misses": 1}


def test_an_edit_and_its_revert_are_both_hits_after_one_run_of_each(tmp_path: Path) -> None:
    root = project(tmp_path, SIMPLE)
    run(root)
    original = (root / "pkg/a.py").read_text()
    (root / "pkg/a.py").write_text(original + "\n\ndef g(y):\n    return y or 1\n")
    assert run(root).cache["files"] == {"hits": 2, "misses": 1}
    (root / "pkg/a.py").write_text(original)
    assert run(root).cache["files"] == {"hits": 3, "misses": 0}
    (root / "pkg/a.py").write_text(original + "\n\ndef g(y):\n    return y or 1\n")
    assert run(root).cache["files"] == {"hits": 3, "misses": 0}


@pytest.fixture
def staged(tmp_path: Path) -> Path:
    """A repository whose two files are changed and staged; its tree analysed at HEAD."""
    (tmp_path / "src/app").mkdir(parents=True)
    (tmp_path / "pyproject.toml").write_text(textwrap.dedent(CONFIG))
    (tmp_path / "src/app/__init__.py").write_text(OLD.lstrip())
    (tmp_path / "src/app/other.py").write_text("def other(y):\n    return y\n")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "start")
    request = AnalysisRequest(root=str(tmp_path), entries=("src/app",))
    from pytest_healthgate.collect.static.engine import analyse

    analyse(request)  # what a test run or `healthgate check` leaves
    for name in ("src/app/__init__.py", "src/app/other.py"):
        with (tmp_path / name).open("a") as handle:
            handle.write("\n\ndef added(x):\n    # TODO: tidy\n    return [i for i in x if i]\n")
    git(tmp_path, "add", "-A")
    return tmp_path


FILES = ["src/app/__init__.py", "src/app/other.py"]


def test_the_version_before_a_change_is_read_from_the_projects_cache(
    staged: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(staged)
    settings = load(staged, staged / "pyproject.toml")
    change = analyse_staged_change(settings, FILES)
    assert change.before.cache["files"] == {"hits": 2, "misses": 0}
    assert change.before.cache["ruff"] == {"hits": 2, "misses": 0}
    assert change.after.cache["files"] == {"hits": 0, "misses": 2}
    # The temporary folder of the version before got no cache of its own.
    assert sorted(set(cache_helpers.units(staged, "files"))) == FILES


def test_after_one_hook_run_both_sides_of_a_staged_change_are_hits(
    staged: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(staged)
    settings = load(staged, staged / "pyproject.toml")
    first = analyse_staged_change(settings, FILES)
    second = analyse_staged_change(settings, FILES)
    for side in (second.before, second.after):
        assert side.cache["files"] == {"hits": 2, "misses": 0}
        assert side.cache["ruff"] == {"hits": 2, "misses": 0}
    assert (second.before.files, second.after.files) == (first.before.files, first.after.files)
    assert (second.before.lint, second.after.lint) == (first.before.lint, first.after.lint)


TOOL_MODULES = (
    "radon",
    "bandit",
    "stevedore",
    "pytest",
    "pytest_healthgate.collect.static.analysers.file_analyser",
    "pytest_healthgate.collect.static.analysers.mypy",
    "concurrent.futures.process",
    # Nor does a hook load the collector framework the test run uses.
    "pytest_healthgate.collect.static.collector",
    "pytest_healthgate.collect.lifecycle",
)
PROBE = """
import json, sys
from pytest_healthgate.precommit import {hook}
status = {hook}.main({files!r})
tools = sorted(name for name in sys.modules if name.split(".")[0] in {roots!r}
               or name in {modules!r})
print(json.dumps({{"status": status, "loaded": tools}}))
"""


# The analysers each file hook imports when a file misses (ruff is a program).
HOOK_IMPORTS = {
    "healthgate_debt": {"radon"},
    "healthgate_markers": set(),
    "healthgate_complexity": {"radon"},
    "healthgate_security": {"bandit"},
}


@pytest.mark.parametrize("hook", sorted(HOOK_IMPORTS))
def test_a_hook_whose_files_are_all_cached_imports_no_tool(staged: Path, hook: str) -> None:
    # coverage.py too: the file hooks judge no coverage, so they never read its settings.
    roots = ("radon", "bandit", "stevedore", "pytest", "coverage")
    probe = PROBE.format(hook=hook, files=FILES, roots=roots, modules=TOOL_MODULES)
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("COVERAGE_")  # this suite's own subprocess measurement
    }

    def hook_run() -> dict[str, object]:
        completed = subprocess.run(
            [sys.executable, "-c", probe],
            cwd=staged,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        return dict(json.loads(completed.stdout.splitlines()[-1]))

    cold = hook_run()
    # The staged side missed: analysed here, by the hook's own tools and no other.
    assert "pytest_healthgate.collect.static.analysers.file_analyser" in cold["loaded"]
    tools = {name.split(".")[0] for name in cold["loaded"]} & {"radon", "bandit"}
    assert tools == HOOK_IMPORTS[hook]
    warm = hook_run()
    assert warm == {"status": cold["status"], "loaded": []}


def test_ruff_is_not_started_for_its_version_when_the_cache_knows_the_executable(
    tmp_path: Path,
) -> None:
    request = AnalysisRequest(root=str(tmp_path), entries=("pkg",))
    store = CacheStore(tmp_path)
    asked = RuffAnalyser(request, store)
    real = asked.versions()["ruff"]
    assert real is not None
    assert real.startswith("ruff ")
    stamp = asked._stamp()
    assert stamp is not None
    # What the cache remembers is what the next run uses, without asking ruff.
    store.remember_version("ruff", stamp, "ruff 0.0.0-remembered")
    assert RuffAnalyser(request, store).versions() == {"ruff": "ruff 0.0.0-remembered"}
    store.remember_version("ruff", stamp + "-another-executable", "ruff 9")
    store.remember_version("ruff", "/elsewhere/ruff:1:2:3:4", "ruff 9")  # replaced
    assert RuffAnalyser(request, store).versions() == {"ruff": real}
    store.close()


def test_a_cache_locked_by_another_run_past_the_wait_is_not_saved_but_the_run_is_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    import pytest_healthgate.store.cache as cache_module

    root = project(tmp_path, SIMPLE)
    cold = run(root)
    (root / "pkg/a.py").write_text("def f(x):\n    return x or 2\n")
    monkeypatch.setattr(cache_module, "BUSY_SECONDS", 0.05)
    other = sqlite3.connect(cache_helpers.database(root), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another run, in the middle of its write
    try:
        locked = run(root)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert locked.cache["ruff"]["problem"].startswith("cache not saved: database is locked")
    assert locked.cache["files"]["hits"] == 2
    assert locked.files["pkg/b.py"] == cold.files["pkg/b.py"]
    assert run(root).cache["files"] == {"hits": 2, "misses": 1}  # saved by the next run
    assert run(root).cache["files"] == {"hits": 3, "misses": 0}


def test_a_database_found_damaged_while_reading_is_rebuilt(tmp_path: Path) -> None:
    root = project(tmp_path, SIMPLE)
    cold = run(root)
    database = cache_helpers.database(root)
    data = bytearray(database.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    assert len(data) > page  # the header's page is kept: the database opens
    data[page:] = b"\xff" * (len(data) - page)
    database.write_bytes(bytes(data))
    again = run(root)
    problems = [stats.get("problem", "") for stats in again.cache.values()]
    assert any("analysis.sqlite3 was unreadable and is rebuilt" in p for p in problems), problems
    assert again.files == cold.files
    assert again.lint == cold.lint
    assert run(root).cache["files"] == {"hits": 3, "misses": 0}


def test_ruff_is_asked_for_its_version_when_its_executable_cannot_be_looked_at(
    tmp_path: Path,
) -> None:
    store = CacheStore(tmp_path)
    analyser = RuffAnalyser(AnalysisRequest(root=str(tmp_path), entries=("pkg",)), store)
    analyser.binary = str(tmp_path / "gone" / "ruff")
    assert analyser._stamp() is None
    assert analyser._known_version() is None
    store.close()


def test_a_cache_that_cannot_be_opened_is_not_used_and_the_run_is_whole(tmp_path: Path) -> None:
    root = project(tmp_path, SIMPLE)
    cold = run(root, use_cache=False)
    cache_helpers.database(root).parent.mkdir(parents=True)
    cache_helpers.database(root).mkdir()  # not a file: it cannot be opened nor removed
    result = run(root)
    assert [problem[:16] for problem in _problems(result)] == ["cache not used: "]  # said once
    assert (result.cache["files"]["hits"], result.cache["files"]["misses"]) == (0, 3)
    assert (result.files, result.lint) == (cold.files, cold.lint)


def test_a_database_of_another_layout_is_rebuilt(tmp_path: Path) -> None:
    import sqlite3
    from contextlib import closing

    root = project(tmp_path, SIMPLE)
    run(root)
    with closing(sqlite3.connect(cache_helpers.database(root))) as connection:
        connection.execute("PRAGMA user_version = 99")
    again = run(root)
    assert ["unknown layout 99" in problem for problem in _problems(again)] == [True]
    assert (again.cache["files"]["hits"], again.cache["files"]["misses"]) == (0, 3)
    assert run(root).cache["files"] == {"hits": 3, "misses": 0}


def test_bandits_part_of_the_analysis_alone_agrees_with_the_whole_analysis(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pytest_healthgate.collect.static.analysers import file_analyser, per_file

    root = project(tmp_path, {**SIMPLE, "pkg/broken.py": "def broken(:\n"})
    tasks = [(key, str(root / key)) for key in ("pkg/a.py", "pkg/b.py", "pkg/broken.py")]
    tasks.append(("pkg/gone.py", str(root / "pkg/gone.py")))
    parsing = per_file._parsing(tasks)
    assert parsing == [
        ("pkg/a.py", str(root / "pkg/a.py"), False),
        ("pkg/b.py", *tasks[1][1:], False),
    ]
    monkeypatch.setattr(file_analyser, "_ANALYSER", None)
    with pytest.raises(RuntimeError, match="init_worker was not run"):
        file_analyser.security_in_worker(parsing)
    file_analyser.init_worker((), None)
    alone = dict(file_analyser.security_in_worker(parsing))
    whole = file_analyser.FileAnalyser((), None)
    for key, path, _nosec in parsing:
        assert alone[key] == (whole.analyse(key, Path(path)).result.security, {})
    assert [issue.test_id for issue in alone["pkg/b.py"][0]] == ["B404", "B602"]


def test_pytests_version_in_the_report_comes_from_its_metadata_outside_pytest(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import importlib.metadata

    from pytest_healthgate.pipeline import pytest_version

    assert pytest_version() == pytest.__version__  # in a pytest run: the module's
    monkeypatch.delitem(sys.modules, "pytest")  # as in `healthgate check`
    assert pytest_version() == importlib.metadata.version("pytest")
    assert "pytest" not in sys.modules


def test_a_hook_never_imports_coverage_even_with_the_coverage_gate_on(staged: Path) -> None:
    pyproject = staged / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace("coverage = false", "coverage = { fail = 90 }")
        + "\n[tool.coverage.report]\nfail_under = 95\n"
    )
    probe = PROBE.format(hook="healthgate_debt", files=FILES, roots=("coverage",), modules=())
    env = {k: v for k, v in os.environ.items() if not k.startswith("COVERAGE_")}
    completed = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=staged,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(completed.stdout.splitlines()[-1])["loaded"] == []


def _problems(result: AnalysisResult) -> list[str]:
    """The database's problem, said by the first cache to read it (whichever that is)."""
    return [str(stats["problem"]) for stats in result.cache.values() if "problem" in stats]


def test_the_misses_are_told_before_any_entry_is_decoded(tmp_path: Path) -> None:
    """What misses is known from the stored digests: a worker for it can start first."""
    events: list[str] = []

    def decode(raw: object) -> str:
        events.append(f"decoded {raw}")
        return str(raw)

    codec = Codec(decode, lambda value: value)
    store = CacheStore(tmp_path)
    digests = {name: content_digest(name.encode()) for name in ("a", "b", "c")}
    first = AnalysisCache(store, "test", "key", codec)
    first.lookup({"a": digests["a"]})
    first.put("a", digests["a"], "A")
    first.save()
    cache = AnalysisCache(store, "test", "key", codec)
    todo = cache.lookup(digests, on_misses=lambda missed: events.append(f"missed {missed}"))
    assert todo == ["b", "c"]
    assert events == ["missed ['b', 'c']", "decoded A"]
    events.clear()
    hit = AnalysisCache(store, "test", "key", codec)
    assert hit.lookup({"a": digests["a"]}, on_misses=events.append) == []
    assert events == ["decoded A"]  # nothing missed: nothing said
    store.close()


def test_units_the_wider_key_holds_are_not_told_as_misses(tmp_path: Path) -> None:
    store = CacheStore(tmp_path)
    digests = {name: content_digest(name.encode()) for name in ("a", "b")}
    whole = AnalysisCache(store, "test", "whole", TEXT)
    whole.lookup({"a": digests["a"]})
    whole.put("a", digests["a"], "A")
    whole.save()
    part = AnalysisCache(store, "test", "part", TEXT)
    part.also_from("whole", str.lower)
    told: list[list[str]] = []
    assert part.lookup(digests, on_misses=told.append) == ["b"]
    assert told == [["b"]]
    assert part.value("a") == "a"  # read under the whole's key, narrowed
    store.close()
