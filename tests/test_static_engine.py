"""The engine: cache per file content, bad input, failing tools, and the process pool."""

from __future__ import annotations

import json
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from pytest_healthgate.builtin import METRICS
from pytest_healthgate.collect.static import engine
from pytest_healthgate.collect.static.analysers import per_file, ruff
from pytest_healthgate.collect.static.engine import analyse
from pytest_healthgate.collect.static.figures import DebtPricing, measurements_from_analysis
from pytest_healthgate.collect.static.request import AnalysisRequest
from pytest_healthgate.collect.static.results import (
    AnalysisResult,
    SkippedFile,
    SourceProblem,
    analysis_from_json,
)
from pytest_healthgate.model import Measurement
from tests import cache_helpers

STATIC_SPECS = {spec.name: spec for spec in METRICS if spec.collector == "static"}


def project(root: Path, files: dict[str, str | bytes], pyproject: str = "") -> Path:
    (root / "pyproject.toml").write_text(pyproject)
    for relative, source in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(source, bytes):
            path.write_bytes(source)
        else:
            path.write_text(textwrap.dedent(source).lstrip())
    return root


def run(root: Path, **options: Any) -> AnalysisResult:
    return analyse(AnalysisRequest(root=str(root), entries=("pkg",), **options))


def hide_bandit(monkeypatch: pytest.MonkeyPatch) -> None:
    # bandit cannot be uninstalled from the shared environment; hiding its modules
    # makes `from bandit.core import ...` fail exactly as when it is not installed.
    for name in ("bandit", "bandit.core", "bandit.core.config", "bandit.core.manager"):
        monkeypatch.setitem(sys.modules, name, None)


def by_name(measurements: list[Measurement]) -> dict[str, Measurement]:
    return {measurement.name: measurement for measurement in measurements}


SIMPLE = {
    "pkg/__init__.py": "import os\n# TODO: remove\n",
    "pkg/a.py": "def f(x):\n    return x if x else 0\n",
    "pkg/b.py": (
        "import subprocess\n\n\ndef run(cmd):\n    return subprocess.call(cmd, shell=True)\n"
    ),
}


def test_a_second_run_reads_every_file_from_the_cache_and_agrees(tmp_path: Path) -> None:
    root = project(tmp_path, SIMPLE)
    cold = run(root)
    warm = run(root)
    assert cold.cache["files"] == {"hits": 0, "misses": 3}
    assert warm.cache["files"] == {"hits": 3, "misses": 0}
    assert warm.cache["ruff"] == {"hits": 3, "misses": 0}
    for key in ("files", "lint", "errors", "skipped"):
        assert getattr(warm, key) == getattr(cold, key)


def test_only_the_changed_file_is_analysed_again(tmp_path: Path) -> None:
    root = project(tmp_path, SIMPLE)
    run(root)
    (root / "pkg/a.py").write_text("import sys\n# FIXME\n")
    again = run(root)
    assert again.cache["files"] == {"hits": 2, "misses": 1}
    assert again.cache["ruff"] == {"hits": 2, "misses": 1}
    assert again.files["pkg/a.py"].markers[0].word == "FIXME"
    assert [finding.code for finding in again.lint["pkg/a.py"]] == ["F401"]


def test_a_changed_marker_list_changes_the_cache_fingerprint(tmp_path: Path) -> None:
    root = project(tmp_path, SIMPLE)
    run(root)
    again = run(root, markers=("REVIEW",))
    assert again.cache["files"]["misses"] == 3
    keys = {key for key, _digest, _unit, _value in cache_helpers.rows(root, "files")}
    assert len(keys) == 2  # both marker lists' entries are kept, each under its own key
    assert run(root).cache["files"] == {"hits": 3, "misses": 0}


@pytest.mark.parametrize("damage", [b"SQLite format 3\0" + b"\xff" * 200, b"not a database"])
def test_a_corrupt_cache_database_is_discarded_and_recomputed(
    tmp_path: Path, damage: bytes
) -> None:
    root = project(tmp_path, SIMPLE)
    cold = run(root)
    cache_helpers.database(root).write_bytes(damage)
    again = run(root)
    assert again.cache["files"]["misses"] == 3
    assert again.cache["ruff"]["misses"] == 3
    problems = [stats.get("problem", "") for stats in again.cache.values()]
    assert sum("analysis.sqlite3 was unreadable and is rebuilt" in p for p in problems) == 1
    assert again.files == cold.files
    assert run(root).cache["files"] == {"hits": 3, "misses": 0}


def test_a_corrupt_cache_entry_is_discarded_and_only_it_recomputed(tmp_path: Path) -> None:
    root = project(tmp_path, SIMPLE)
    cold = run(root)
    cache_helpers.corrupt(root, "files", "pkg/a.py", lambda value: {"lines": "many"})
    again = run(root)
    assert again.cache["files"] == {"hits": 2, "misses": 1, "discarded": 1}
    assert again.files == cold.files


def test_no_cache_neither_reads_nor_writes_the_cache(tmp_path: Path) -> None:
    root = project(tmp_path, SIMPLE)
    result = run(root, use_cache=False)
    assert result.cache["files"] == {"hits": 0, "misses": 3}
    assert not (root / ".healthgate").exists()


def test_bad_input_is_reported_per_file_and_never_crashes(tmp_path: Path) -> None:
    big = "".join(f"def f{i}(x):\n    return x + {i}\n\n\n" for i in range(12_500))
    root = project(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/broken.py": "def f(:\n    pass\n",
            "pkg/latin.py": b"name = '\xe9t\xe9'\n",
            "pkg/huge.py": big,
        },
    )
    (root / "pkg/sub").mkdir()
    (root / "pkg/sub/loop").symlink_to(root / "pkg", target_is_directory=True)
    result = run(root)
    assert result.errors == {}
    broken = result.files["pkg/broken.py"].error
    assert broken is not None
    assert broken.line == 1
    assert result.files["pkg/latin.py"].error == SourceProblem(
        1,
        "cannot be decoded as utf-8: byte 0xe9 is not valid",
    )
    assert len(result.files["pkg/huge.py"].functions) == 12_500
    assert SkippedFile("pkg/sub/loop", "symlink loop; not followed") in result.skipped
    critical = by_name(measurements_from_analysis(result, DebtPricing(), STATIC_SPECS))["critical"]
    # Two files that cannot be read as Python; ruff's own syntax errors are not counted twice.
    assert critical.value == 2
    labels = [detail.label for detail in critical.details]
    assert labels == ["pkg/broken.py:1", "pkg/latin.py:1"]


def test_a_crashing_ruff_turns_the_debt_gates_into_errors_with_its_message(
    tmp_path: Path,
) -> None:
    root = project(tmp_path, SIMPLE, pyproject="[tool.ruff]\nline-lenght = 3\n")
    result = run(root)
    assert "ruff exited with status 2" in result.errors["ruff"]
    assert "line-lenght" in result.errors["ruff"]
    measured = by_name(measurements_from_analysis(result, DebtPricing(), STATIC_SPECS))
    for gate in ("debt", "debt_ratio", "rating"):
        assert measured[gate].error is not None
        assert "line-lenght" in measured[gate].error
    assert measured["complexity"].error is None
    assert measured["critical"].value == 1


def test_a_missing_bandit_turns_debt_and_critical_into_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hide_bandit(monkeypatch)
    root = project(tmp_path, SIMPLE)
    result = run(root, use_cache=False)
    assert result.errors["bandit"].startswith("bandit is not installed")
    measured = by_name(measurements_from_analysis(result, DebtPricing(), STATIC_SPECS))
    assert measured["critical"].error == result.errors["bandit"]
    assert measured["debt"].error is not None
    assert measured["complexity"].error is None
    assert measured["complexity"].value == 1


def test_results_from_a_tool_failure_are_not_cached(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project(tmp_path, SIMPLE)
    with monkeypatch.context() as patch:
        hide_bandit(patch)
        run(root)
    healed = run(root)
    assert healed.errors == {}
    assert healed.cache["files"]["misses"] == 3
    assert healed.files["pkg/b.py"].security


def test_the_process_pool_gives_the_same_results_as_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = {
        f"pkg/m{i}.py": f"import os\ndef f{i}(a):\n    return a or {i}  # XXX\n" for i in range(6)
    }
    root = project(tmp_path, {**SIMPLE, **files})
    serial = run(root, use_cache=False, jobs=1)
    monkeypatch.setattr(per_file, "SERIAL_FILES", 0)
    monkeypatch.setattr(per_file, "SERIAL_BYTES", 0)
    pooled = run(root, use_cache=False, jobs=2)
    assert pooled.jobs == 2
    assert pooled.files == serial.files
    assert list(pooled.files) == sorted(pooled.files)


def test_a_few_files_split_by_tool_across_two_processes_give_the_same_results(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = {
        "pkg/risky.py": "import subprocess\n\ndef run(cmd):\n"
        "    return subprocess.call(cmd, shell=True)  # nosec B602\n"
        "\ndef other(cmd):\n    return subprocess.call(cmd, shell=True)\n",
        "pkg/broken.py": "def broken(:\n",
        "pkg/big.py": "".join(f"def f{i}(a):\n    return a or {i}  # TODO\n" for i in range(900)),
    }
    root = project(tmp_path, {**SIMPLE, **files})
    serial = run(root, use_cache=False, jobs=1)
    splits = []
    original = per_file.PerFileAnalyser._split_by_tool

    def spied(self: per_file.PerFileAnalyser, tasks: list[tuple[str, str]], worker: Any) -> Any:
        splits.append(len(tasks))
        return original(self, tasks, worker)

    monkeypatch.setattr(per_file.PerFileAnalyser, "_split_by_tool", spied)
    split = run(root, use_cache=False, jobs=2)
    assert splits == [6]  # 6 files of more than SPLIT_BYTES: bandit went to a worker
    assert split.files == serial.files
    assert split.errors == serial.errors
    assert [issue.test_id for issue in split.files["pkg/risky.py"].security] == ["B404", "B602"]
    assert split.files["pkg/broken.py"].error is not None


def test_a_missing_source_entry_is_an_error_not_a_silent_pass(tmp_path: Path) -> None:
    root = project(tmp_path, SIMPLE)
    result = analyse(AnalysisRequest(root=str(root), entries=("pkg", "gone"), use_cache=False))
    measured = by_name(measurements_from_analysis(result, DebtPricing(), STATIC_SPECS))
    assert measured["debt"].error == "source not found: gone"
    assert measured["critical"].error == "source not found: gone"


def test_a_source_without_python_files_skips_the_gates_and_says_why(tmp_path: Path) -> None:
    root = project(tmp_path, {"pkg/README.md": "hello"})
    measured = measurements_from_analysis(run(root), DebtPricing(), STATIC_SPECS)
    assert {m.skip_reason for m in measured} == {"no Python files to analyse in pkg"}


def test_mypy_errors_become_typing_findings_when_enabled(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        {"pkg/__init__.py": "x: int = 'text'\n", "pkg/ok.py": "def f() -> int:\n    return 1\n"},
    )
    result = run(root, mypy=True)
    assert result.errors == {}
    assert [(error.path, error.line, error.code) for error in result.types] == [
        ("pkg/__init__.py", 1, "assignment")
    ]
    debt = by_name(measurements_from_analysis(result, DebtPricing(), STATIC_SPECS))["debt"]
    assert debt.extra["categories"][0] == {
        "category": "typing (mypy)",
        "debt_minutes": 10.0,
        "findings": 1,
    }
    assert run(root, mypy=True).cache["mypy"] == {"hits": 1, "misses": 0}


def test_the_engine_entry_point_writes_the_analysis_for_a_request_file(tmp_path: Path) -> None:
    (tmp_path / "project").mkdir()
    root = project(tmp_path / "project", SIMPLE)
    request = tmp_path / "request.json"
    request.write_text(AnalysisRequest(root=str(root), entries=("pkg",), use_cache=False).to_json())
    assert engine.main([str(request), str(tmp_path / "result.json")]) == 0
    result = json.loads((tmp_path / "result.json").read_text())
    assert sorted(result["files"]) == ["pkg/__init__.py", "pkg/a.py", "pkg/b.py"]
    assert analysis_from_json(result).files.keys() == result["files"].keys()
    assert engine.main([]) == 2


def test_a_partial_run_keeps_the_cache_of_the_files_it_did_not_analyse(tmp_path: Path) -> None:
    root = project(tmp_path, SIMPLE)
    run(root)
    partial = analyse(AnalysisRequest(root=str(root), entries=("pkg/a.py",), full_scope=False))
    assert list(partial.files) == ["pkg/a.py"]
    assert run(root).cache["files"] == {"hits": 3, "misses": 0}


def fake_ruff(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, check: str) -> None:
    """Put a stand-in for ruff in place: it prints a version, then runs ``check``."""
    script = tmp_path / "fake-ruff"
    script.write_text(
        f'#!/bin/sh\nif [ "$1" = "--version" ]; then echo "ruff 0.0.0"; exit 0; fi\n{check}\n'
    )
    script.chmod(0o755)
    monkeypatch.setattr(ruff, "ruff_binary", lambda: str(script))


@pytest.mark.parametrize(
    ("check", "expected"),
    [
        ("exit 0", "ruff printed no report: no output"),
        ("echo 'not json'", "ruff printed output that is not JSON"),
        ("echo '[1, 2]'", "ruff printed JSON that is not a list of findings"),
        # $8: the first file named (after `check` and its six options)
        (
            'printf \'[{"filename": "%s", "location": 3}]\' "$8"',
            "ruff printed a finding of an unknown shape",
        ),
    ],
)
def test_empty_or_malformed_ruff_output_is_an_error_never_no_findings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, check: str, expected: str
) -> None:
    (tmp_path / "project").mkdir()
    root = project(tmp_path / "project", SIMPLE)
    fake_ruff(tmp_path, monkeypatch, check)
    result = run(root, use_cache=False)
    assert result.errors["ruff"].startswith(expected)
    assert result.lint == {}
    debt = by_name(measurements_from_analysis(result, DebtPricing(), STATIC_SPECS))["debt"]
    assert debt.error == result.errors["ruff"]


def test_a_tool_past_the_timeout_is_killed_and_its_gates_are_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "project").mkdir()
    root = project(tmp_path / "project", SIMPLE)
    fake_ruff(tmp_path, monkeypatch, "sleep 30")
    started = time.monotonic()
    result = run(root, use_cache=False, timeout=0.5)
    assert time.monotonic() - started < 20
    assert result.errors["ruff"] == (
        "ruff check did not finish within 500ms; the child process was killed "
        "(raise [tool.healthgate.debt] timeout if this is expected)"
    )
