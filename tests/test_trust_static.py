"""The static analysis trusts nothing it reads: the failures of the November 2026 report.

Each test reproduces one failure of ``/work/shared/reviews/reliability-2026-11.md``
(F1, F5, F8, F9, F10) with real files, and checks it is now a message, a skipped
entry or an ERROR verdict: never a traceback, a crash or a figure of the wrong
shape. Permission cases use ``trust_helpers.make_unreadable`` (a real chmod, or
an emulation when the suite runs as root, which ignores file modes).
"""

from __future__ import annotations

import importlib.abc
import json
import sys
import textwrap
import types
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from pytest_healthgate.cli import main as cli
from pytest_healthgate.collect.static import engine
from pytest_healthgate.collect.static.analysers import file_analyser
from pytest_healthgate.collect.static.collector import StaticCollector, create
from pytest_healthgate.collect.static.figures import DebtPricing, measurements_from_analysis
from pytest_healthgate.collect.static.request import STAGE, AnalysisRequest, engine_failure
from pytest_healthgate.collect.static.results import SkippedFile, SourceProblem
from pytest_healthgate.collect.static.scope import discover
from pytest_healthgate.config import derive_packages, derive_source, load
from pytest_healthgate.report.escape import escape
from pytest_healthgate.store import sources
from tests import cache_helpers
from tests.test_static_collector import in_pytest
from tests.test_static_engine import SIMPLE, STATIC_SPECS, by_name, project, run
from tests.trust_helpers import make_unreadable

CONFIG = """
[tool.healthgate]
default_gates = false
source = ["pkg"]

[tool.healthgate.gates]
coverage = false
debt = { fail = "10h" }
complexity = { fail = "D" }
critical = { fail = 0 }
"""
DENIED = "cannot be read: Permission denied"


def check(root: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any, *args: str) -> tuple[int, str]:
    """``healthgate check`` in this process, from ``root``: its status and all it printed."""
    monkeypatch.chdir(root)
    capsys.readouterr()
    status = cli(["check", *args])
    captured = capsys.readouterr()
    return status, captured.out + captured.err


def configured(root: Path, files: dict[str, str | bytes] | None = None) -> Path:
    return project(root, SIMPLE if files is None else files, pyproject=CONFIG)


def subproject(tmp_path: Path) -> Path:
    """A configured project in ``tmp_path/project``, with room for things outside it."""
    (tmp_path / "project").mkdir()
    return configured(tmp_path / "project")


# -- F1: an unreadable folder anywhere in the project ------------------------------


def test_f1_an_unreadable_folder_in_the_source_is_skipped_with_its_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    root = configured(tmp_path, {**SIMPLE, "pkg/pgdata/base.py": "x = 1\n"})
    make_unreadable(root / "pkg/pgdata", monkeypatch, request)
    scope = discover(root, ("pkg",), (), False)
    assert scope.skipped == [("pkg/pgdata", DENIED)]
    assert sorted(scope.files) == ["pkg/__init__.py", "pkg/a.py", "pkg/b.py"]
    result = run(root, use_cache=False)
    assert result.errors == {}
    assert SkippedFile("pkg/pgdata", DENIED) in result.skipped


def test_f1_source_digests_and_zero_config_never_fail_on_an_unreadable_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    root = configured(tmp_path)
    (root / "pgdata").mkdir()
    (root / "pgdata/__init__.py").write_text("")
    make_unreadable(root / "pgdata", monkeypatch, request)
    digests, skipped = sources.source_snapshot(load(root, root / "pyproject.toml"))
    assert sorted(digests) == ["pkg/__init__.py", "pkg/a.py", "pkg/b.py"]
    assert skipped == [("pgdata", DENIED)]
    assert json.loads(sources.render(digests, skipped))["skipped"] == {"pgdata": DENIED}
    # Zero config: the packages of the root (and of src/) are derived around it.
    assert derive_source(root, {}) == ["pkg"]
    assert derive_packages(root, ["pgdata", "pkg"]) == ["pkg"]
    (root / "src").mkdir()
    make_unreadable(root / "src", monkeypatch, request)
    assert derive_source(root, {}) == ["pkg"]


def test_f1_pytest_healthgate_records_a_project_with_an_unreadable_folder(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    root = pytester.path
    (root / "pyproject.toml").write_text(
        '[tool.pytest.ini_options]\ntestpaths = ["tests"]\n\n'
        "[tool.healthgate.gates]\ncoverage = false\ncritical = { fail = 0 }\n"
    )
    for folder in ("demo", "tests", "pgdata"):
        (root / folder).mkdir()
    (root / "demo/__init__.py").write_text("")
    (root / "tests/test_ok.py").write_text("def test_ok():\n    assert True\n")
    make_unreadable(root / "pgdata", monkeypatch, request)
    # Zero config: the source is derived (demo) at start, around the unreadable folder.
    result = pytester.runpytest_inprocess("--healthgate", "-p", "no:cacheprovider")
    assert result.ret == 0
    result.stdout.re_match_lines(
        [r"critical\s+0\s+-\s+0\s+PASS", r"healthgate: \d+ passed, \d+ warned, 0 failed"]
    )
    recorded = json.loads((root / ".healthgate/last-run.sources.json").read_text())
    assert recorded["skipped"] == {"pgdata": DENIED}
    assert (root / ".healthgate/last-run.json").is_file()


# -- F5: corrupt cache entries of the right JSON but the wrong content -------------

CORRUPTIONS = {
    "unknown rank": ("files", "pkg/a.py", lambda v: {**v, "functions": [["f", 1, 2, "Z"]]}),
    "complexity as text": ("files", "pkg/a.py", lambda v: {**v, "functions": [["f", 1, "2", "A"]]}),
    "marker of one field": ("files", "pkg/a.py", lambda v: {**v, "markers": [[1]]}),
    "security of one field": ("files", "pkg/b.py", lambda v: {**v, "security": [["B1"]]}),
    "error as text": ("files", "pkg/a.py", lambda v: {**v, "error": "oops"}),
    "mi rank without mi": ("files", "pkg/a.py", lambda v: {**v, "mi": None, "mi_rank": "C"}),
    "unknown severity": (
        "files",
        "pkg/b.py",
        lambda v: {**v, "security": [[row[0], "FATAL", *row[2:]] for row in v["security"]]},
    ),
    "negative line": ("files", "pkg/a.py", lambda v: {**v, "markers": [[-3, "TODO", "# x"]]}),
    "ruff row as text": ("ruff", "pkg/a.py", lambda v: ["abc"]),
    "ruff value as text": ("ruff", "pkg/a.py", lambda v: "oops"),
}


def corrupt(root: Path, name: str, unit: str, change: Any) -> None:
    cache_helpers.corrupt(root, name, unit, change)


@pytest.mark.parametrize("case", sorted(CORRUPTIONS))
def test_f5_an_entry_of_the_wrong_content_is_discarded_recomputed_and_said(
    tmp_path: Path, case: str
) -> None:
    root = configured(tmp_path)
    cold = run(root)
    name, unit, change = CORRUPTIONS[case]
    corrupt(root, name, unit, change)
    again = run(root)
    assert again.cache[name]["discarded"] == 1
    assert (again.files, again.lint, again.errors) == (cold.files, cold.lint, cold.errors)
    measured = measurements_from_analysis(again, DebtPricing(), STATIC_SPECS)
    note = measured[0].details[0]
    assert (note.label, note.value, note.note) == (
        f".healthgate/cache ({name})",
        1,
        "1 invalid entry discarded and recomputed",
    )
    assert all(detail.label != note.label for m in measured[1:] for detail in m.details)
    healed = run(root)
    assert healed.cache[name] == {"hits": 3, "misses": 0}


def test_f5_check_says_once_on_the_terminal_that_the_cache_was_rebuilt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = configured(tmp_path)
    assert check(root, monkeypatch, capsys)[0] == 1  # B602 is critical
    corrupt(root, *CORRUPTIONS["unknown rank"])
    status, out = check(root, monkeypatch, capsys)
    assert status == 1
    assert "Traceback" not in out
    notes = [line for line in out.splitlines() if ".healthgate/cache" in line]
    assert [line.split() for line in notes] == [
        [
            "1",
            ".healthgate/cache",
            "(files)",
            "(1",
            "invalid",
            "entry",
            "discarded",
            "and",
            "recomputed)",
        ]
    ]
    cache_helpers.database(root).write_text('{"format": 1, "entr')
    status, out = check(root, monkeypatch, capsys)
    notes = [line for line in out.splitlines() if ".healthgate/cache" in line]
    assert len(notes) == 1, out
    # Said once, by the first analyser to read the database.
    assert ")  (analysis.sqlite3 was unreadable and is rebuilt" in notes[0]


def test_f5_pytest_healthgate_shows_the_note_in_its_table_too(pytester: pytest.Pytester) -> None:
    root = configured(pytester.path)
    (root / "pyproject.toml").write_text(CONFIG.replace("critical = { fail = 0 }", ""))
    (root / "tests").mkdir()
    (root / "tests/test_ok.py").write_text("def test_ok():\n    assert True\n")
    arguments = ("--healthgate", "-p", "no:cacheprovider", "tests")
    assert pytester.runpytest_inprocess(*arguments).ret == 0
    corrupt(root, *CORRUPTIONS["mi rank without mi"])
    result = pytester.runpytest_inprocess(*arguments)
    assert result.ret == 0
    result.stdout.re_match_lines(
        [
            r"debt: files with most debt",
            r"\s+1\s+\.healthgate/cache \(files\)\s+\(1 invalid entry discarded and recomputed\)",
        ]
    )


def test_f5_a_rank_radon_never_gives_is_a_radon_error_not_a_crash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import radon.complexity

    monkeypatch.setattr(radon.complexity, "cc_rank", lambda complexity: "Z")
    result = run(configured(tmp_path), use_cache=False)
    assert "radon gave a rank healthgate does not know: ['Z']" in result.errors["radon"]
    measured = by_name(measurements_from_analysis(result, DebtPricing(), STATIC_SPECS))
    assert measured["complexity"].error == result.errors["radon"]


# -- F8: broken tools ---------------------------------------------------------------


class _ExitingImport(importlib.abc.MetaPathFinder):
    """Importing ``package`` (or anything in it) calls sys.exit(3), as a broken tool might."""

    def __init__(self, package: str) -> None:
        self.package = package

    def find_spec(self, name: str, path: Sequence[str] | None, target: object = None) -> None:
        if name == self.package or name.startswith(self.package + "."):
            raise SystemExit(3)


def exit_at_import(monkeypatch: pytest.MonkeyPatch, package: str) -> None:
    for name in [name for name in sys.modules if name.partition(".")[0] == package]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setattr(sys, "meta_path", [_ExitingImport(package), *sys.meta_path])


EXITS = {
    "bandit": ("bandit cannot be imported: it called sys.exit(3)", ["debt", "critical"]),
    "radon": ("radon failed on pkg/__init__.py: it called sys.exit(3)", ["debt", "complexity"]),
}


@pytest.mark.parametrize("tool", sorted(EXITS))
def test_f8_a_tool_that_exits_at_import_is_an_error_naming_it_not_a_silent_exit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tool: str
) -> None:
    message, erred = EXITS[tool]
    root = configured(tmp_path)
    exit_at_import(monkeypatch, tool)
    status, out = check(root, monkeypatch, capsys, "--no-cache")
    assert status == 1
    assert message in out
    rows = [line.split()[0] for line in out.splitlines() if "  ERROR  " in line]
    assert rows == erred


def test_f8_an_analyser_that_raises_is_an_error_naming_the_stage(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(self: object, key: str, path: Path) -> None:
        raise KeyError("surprise")

    monkeypatch.setattr(file_analyser.FileAnalyser, "analyse", broken)
    result = run(configured(tmp_path), use_cache=False)
    assert result.errors["analysis"] == (
        "the per-file analysis (radon, bandit, markers) failed: KeyError: 'surprise'"
    )
    measured = measurements_from_analysis(result, DebtPricing(), STATIC_SPECS)
    assert {m.error for m in measured} == {result.errors["analysis"]}


def test_f8_an_engine_that_breaks_names_the_tool_and_one_that_dies_its_stage(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = subproject(tmp_path)
    request = tmp_path / "request.json"
    request.write_text(AnalysisRequest(root=str(root), entries=("pkg",), use_cache=False).to_json())
    # Code of a tool (its module is named radon.*) that exits in the middle of the run.
    tool_code = types.ModuleType("radon.broken")
    exec("def walk(*args):\n    raise SystemExit(3)\n", tool_code.__dict__)
    with monkeypatch.context() as patch:
        patch.setattr(engine, "discover", tool_code.walk)
        assert engine.main([str(request), str(tmp_path / "result.json")]) == 1
    last = capsys.readouterr().err.splitlines()[-1]
    assert last == "healthgate-engine: failed: radon failed: it called sys.exit(3)"
    assert engine_failure(f"Traceback ...\n{last}\n", 1, 5) == (
        "static analysis failed: radon failed: it called sys.exit(3)"
    )
    # A process that dies without a word is described by the stage it was in.
    said = f"{STAGE}starting ruff\\nSegmentation fault\\n"
    code = f"import os, sys; sys.stderr.write('{said}'); sys.stderr.flush(); os._exit(139)"
    monkeypatch.setattr(
        StaticCollector, "engine_command", lambda self, folder: [sys.executable, "-c", code]
    )
    collector = create(in_pytest(load(root, root / "pyproject.toml")))
    collector.start()
    assert collector.finish()[0].error == (
        "static analysis failed (exit status 139) while starting ruff: Segmentation fault"
    )


# -- F9: hostile files under the source ------------------------------------------------


def test_f9_an_unreadable_source_file_is_a_critical_finding_and_listed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    root = configured(tmp_path, {**SIMPLE, "pkg/noperm.py": "# TODO: hidden\n"})
    make_unreadable(root / "pkg/noperm.py", monkeypatch, request)
    result = run(root, use_cache=False)
    assert result.files["pkg/noperm.py"].error == SourceProblem(1, DENIED)
    assert SkippedFile("pkg/noperm.py", DENIED) in result.skipped
    critical = by_name(measurements_from_analysis(result, DebtPricing(), STATIC_SPECS))["critical"]
    assert critical.value == 2  # B602 in b.py, and the file nobody could read
    assert [(d.label, d.note) for d in critical.details][1] == (
        "pkg/noperm.py:1",
        f"syntax: {DENIED}",
    )


def test_f9_file_symlink_loops_are_skipped_and_named(tmp_path: Path) -> None:
    root = configured(tmp_path)
    (root / "pkg/loop.py").symlink_to("loop.py")
    (root / "pkg/ping.py").symlink_to("pong.py")
    (root / "pkg/pong.py").symlink_to("ping.py")
    result = run(root, use_cache=False)
    loops = [item for item in result.skipped if item.reason == "symlink loop; not followed"]
    assert [item.path for item in loops] == ["pkg/loop.py", "pkg/ping.py", "pkg/pong.py"]
    assert sorted(result.files) == ["pkg/__init__.py", "pkg/a.py", "pkg/b.py"]
    # Named explicitly, as `healthgate check pkg/loop.py` would.
    named = discover(root, ("pkg/loop.py",), (), False)
    assert named.skipped == [("pkg/loop.py", "symlink loop; not followed")]


def test_f9_symlinks_out_of_the_project_are_neither_analysed_nor_digested(
    tmp_path: Path,
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.py").write_text("# TODO SECRET_OUTSIDE_MARKER\nimport os\n")
    root = subproject(tmp_path)
    (root / "pkg/outside_dir").symlink_to(outside, target_is_directory=True)
    (root / "pkg/passwd.py").symlink_to(outside / "secret.py")
    (root / "pkg/inside.py").symlink_to(root / "pkg/a.py")  # inside: followed (once)
    (root / "pkg/sub").mkdir()
    (root / "pkg/sub/twin.py").symlink_to("../b.py")
    result = run(root, use_cache=False)
    away = "links outside the project; not followed"
    assert [item for item in result.skipped if item.reason == away] == [
        SkippedFile("pkg/outside_dir", away),
        SkippedFile("pkg/passwd.py", away),
    ]
    assert "SECRET_OUTSIDE_MARKER" not in json.dumps([list(r) for r in result.files.values()])
    digests, skipped = sources.source_snapshot(load(root, root / "pyproject.toml"))
    assert not any("secret" in key or "passwd" in key or "outside" in key for key in digests)
    assert ("pkg/passwd.py", away) in skipped


def test_f9_control_characters_are_escaped_in_findings_and_labels(tmp_path: Path) -> None:
    evil = "# TODO \x1b]0;PWNED\x07\x1b[2J fake\n"
    root = configured(tmp_path, {"pkg/__init__.py": evil, "pkg/new\nline.py": "import os\n"})
    result = run(root, use_cache=False)
    measured = by_name(measurements_from_analysis(result, DebtPricing(), STATIC_SPECS))
    debt = measured["debt"]
    shown = [detail.label for detail in debt.details] + [debt.hint]
    shown += [f["message"] for f in debt.extra["top_findings"]]
    assert "pkg/new\\nline.py" in shown
    assert "# TODO \\x1b]0;PWNED\\x07\\x1b[2J fake" in shown
    assert not any(character in "".join(shown) for character in "\x1b\x07\n")


def test_escape_shows_control_and_bidi_characters_and_nothing_else() -> None:
    assert escape("plain text, ünïcödé and C:\\path") == "plain text, ünïcödé and C:\\path"
    assert escape("a\nb\tc\rd\x1b[2J\x00\x7f\x9b") == "a\\nb\\tc\\rd\\x1b[2J\\x00\\x7f\\x9b"
    assert escape("admin\u202e\u2066") == "admin\\u202e\\u2066"


# -- F10: isolation and the state folder ------------------------------------------------


def shadows(root: Path) -> dict[str, str | bytes]:
    """Project-root modules named like the stdlib's queue and like mypy; importing one
    leaves a file in the project root."""

    def leaves(name: str) -> str:
        return f"open({str(root / name)!r}, 'w').close()\n"

    return {
        "queue.py": leaves("PWNED_BY_QUEUE"),
        "mypy/__init__.py": leaves("PWNED_BY_MYPY"),
        "mypy/__main__.py": leaves("PWNED_BY_MYPY_MAIN"),
    }


def test_f10_project_root_modules_never_replace_the_stdlib_or_a_tool(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        {"pkg/__init__.py": "x: int = 'text'\n", **shadows(tmp_path)},
        pyproject=CONFIG + "\n[tool.healthgate.debt]\nmypy = true\n",
    )
    settings = load(root, root / "pyproject.toml")
    collector = create(in_pytest(settings))  # the engine in its own process, as under pytest
    assert collector.engine_command(tmp_path)[1:3] == ["-P", "-m"]
    collector.start()
    measured = {m.name: m for m in collector.finish()}
    assert measured["debt"].error is None
    categories = {item["category"] for item in measured["debt"].extra["categories"]}
    assert "typing (mypy)" in categories  # the real mypy ran, and found the error
    assert sorted(path.name for path in root.iterdir() if path.name.startswith("PWNED")) == []


def test_f10_a_symlinked_state_folder_is_refused_and_nothing_is_written_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = subproject(tmp_path)
    target = tmp_path / "outside_target"
    target.mkdir()
    (root / ".healthgate").symlink_to(target, target_is_directory=True)
    status, out = check(root, monkeypatch, capsys)
    assert status == 1
    assert "Traceback" not in out
    assert f"{root / '.healthgate'} is a symlink: healthgate keeps its state only" in out
    assert "remove the link (rm .healthgate) and run again" in out
    assert out.count("ERROR") >= 4
    assert list(target.iterdir()) == []
    # --no-cache touches no state folder: the figures are still there.
    assert check(root, monkeypatch, capsys, "--no-cache")[0] == 1


def test_f10_a_symlinked_cache_is_refused_and_its_target_never_cleaned(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = subproject(tmp_path)
    victim = tmp_path / "victim"
    victim.mkdir()
    for name in ("files-important.json", "ruff-notes.json", "files-0123456789abcdef0123.json"):
        (victim / name).write_text("{}")
    (root / ".healthgate").mkdir()
    (root / ".healthgate/cache").symlink_to(victim, target_is_directory=True)
    status, out = check(root, monkeypatch, capsys)
    assert status == 1
    assert f"{root / '.healthgate/cache'} is a symlink" in out
    assert "remove the link (rm .healthgate/cache) and run again" in out
    assert sorted(path.name for path in victim.iterdir()) == [
        "files-0123456789abcdef0123.json",
        "files-important.json",
        "ruff-notes.json",
    ]


def test_f10_cache_cleanup_deletes_only_the_documents_it_names(tmp_path: Path) -> None:
    root = subproject(tmp_path)
    victim = tmp_path / "victim.json"
    victim.write_text("{}")
    cache = root / ".healthgate/cache"
    cache.mkdir(parents=True)
    stale = "files-0123456789abcdef0123.json"  # a name healthgate writes: another cache key
    kept = ["files-important.json", "files-0123456789ABCDEF0123.json", "files-x.json.bak"]
    for name in [stale, *kept]:
        (cache / name).write_text("{}")
    (cache / "files-aaaaaaaaaaaaaaaaaaaa.json").symlink_to(victim)  # a link: not ours
    (cache / "files-bbbbbbbbbbbbbbbbbbbb.json").mkdir()  # a folder: not ours
    run(root)
    left = {path.name for path in cache.iterdir()}
    assert stale not in left
    assert left >= {*kept, "files-aaaaaaaaaaaaaaaaaaaa.json", "files-bbbbbbbbbbbbbbbbbbbb.json"}
    assert victim.read_text() == "{}"


@pytest.mark.parametrize("side", ["", "-wal"])
def test_f10_a_cache_database_that_is_a_symlink_is_not_read_but_rebuilt(
    tmp_path: Path, side: str
) -> None:
    root = subproject(tmp_path)
    run(root)
    database = cache_helpers.database(root)
    link = Path(f"{database}{side}")
    elsewhere = tmp_path / "elsewhere"
    if side:  # the log: the target would receive every write
        elsewhere.write_bytes(b"precious")
    else:
        elsewhere.write_bytes(database.read_bytes())
        database.unlink()
    before = elsewhere.read_bytes()
    link.symlink_to(elsewhere)
    again = run(root)
    problems = [stats.get("problem") for stats in again.cache.values() if "problem" in stats]
    assert problems == ["analysis.sqlite3 was a symlink and is rebuilt"]  # said once
    assert again.cache["files"]["misses"] == 3
    assert not link.is_symlink()
    assert elsewhere.read_bytes() == before  # left alone, not written through
    assert run(root).cache["files"] == {"hits": 3, "misses": 0}


@pytest.mark.parametrize("kind", ["file", "symlink"])
def test_f10_a_state_folder_that_is_a_file_or_a_link_is_not_written_at_the_end_of_a_run(
    pytester: pytest.Pytester, kind: str
) -> None:
    root = pytester.path
    (root / "pyproject.toml").write_text(
        '[tool.pytest.ini_options]\ntestpaths = ["tests"]\n\n'
        "[tool.healthgate]\ndefault_gates = false\n\n"
        "[tool.healthgate.gates]\npass_rate = { fail = 100 }\n"
    )
    (root / "tests").mkdir()
    outside = root.parent / f"{root.name}-elsewhere"
    outside.mkdir()
    # A test replaces the state folder, as a careless fixture might.
    (root / "tests/test_it.py").write_text(
        textwrap.dedent(
            f"""
            import pathlib, shutil

            def test_replaces_the_state_folder():
                state = pathlib.Path({str(root / ".healthgate")!r})
                shutil.rmtree(state, ignore_errors=True)
                if {kind!r} == "file":
                    state.write_text("not a folder")
                else:
                    state.symlink_to({str(outside)!r}, target_is_directory=True)
            """
        )
    )
    result = pytester.runpytest_inprocess("--healthgate", "-p", "no:cacheprovider")
    assert result.ret == 0
    result.stdout.fnmatch_lines(["healthgate: * passed, 0 warned, 0 failed"])
    result.stderr.fnmatch_lines(["healthgate: ERROR: this run was not recorded: *.healthgate*"])
    assert "Traceback" not in result.stdout.str() + result.stderr.str()
    assert list(outside.iterdir()) == []
