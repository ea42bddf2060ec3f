"""A run that saw less than the whole suite is recorded as partial, says so, and is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_healthgate.precommit import healthgate_last_run
from tests.helpers import gate, run_with_report, write, write_project

CONFIG = """
[tool.healthgate]
default_gates = false
source = ["src/calc"]

[tool.healthgate.gates]
coverage = { fail = 10 }
pass_rate = { fail = 50 }
"""


def suite(pytester: pytest.Pytester, *, crash: str = "") -> Path:
    root = write_project(pytester, CONFIG)
    write(pytester, "src/calc/__init__.py", "def one():\n    return 1\n")
    write(
        pytester,
        "tests/test_one.py",
        "from calc import one\n\ndef test_one():\n    assert one() == 1\n",
    )
    write(pytester, "tests/test_two.py", f"def test_two():\n    {crash or 'pass'}\n")
    return root


def recheck(
    root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str]:
    monkeypatch.chdir(root)
    status = healthgate_last_run.main([])
    return status, capsys.readouterr().out


def test_a_whole_run_is_not_partial_and_its_record_is_accepted(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = suite(pytester)
    result, document = run_with_report(pytester, "tests")  # the testpaths, named: still whole
    assert result.ret == 0
    assert (document["run"]["partial"], document["summary"]["partial"]) == ([], False)
    assert recheck(root, monkeypatch, capsys)[0] == 0


def test_deselected_tests_make_the_run_partial_and_the_hook_refuses_the_record(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = suite(pytester)
    result, document = run_with_report(pytester, "-k", "one")
    assert result.ret == 0  # a developer's subset run is not a failure...
    assert document["summary"]["partial"] is True
    assert document["run"]["partial"] == ["1 tests deselected (-k, -m or --deselect)"]
    assert "partial run" in gate(document, "coverage")["reason"]
    assert "partial run" in gate(document, "pass_rate")["reason"]
    result.stdout.fnmatch_lines(["healthgate: partial run: 1 tests deselected*will not accept*"])
    status, out = recheck(root, monkeypatch, capsys)  # ...but it never stands for the project
    assert status == 1
    assert "records a partial run (1 tests deselected" in out


def test_tests_selected_by_path_make_the_run_partial(pytester: pytest.Pytester) -> None:
    suite(pytester)
    _result, document = run_with_report(pytester, "tests/test_one.py")
    assert document["run"]["partial"] == ["tests selected by path: tests/test_one.py"]


def test_a_session_stopped_by_the_first_failure_is_partial(pytester: pytest.Pytester) -> None:
    suite(pytester, crash="assert False")
    write(pytester, "tests/test_zz.py", "def test_later():\n    pass\n")
    result, document = run_with_report(pytester, "-x", "-p", "no:randomly")
    assert result.ret == 1
    assert any(reason.startswith("stopped early") for reason in document["run"]["partial"])


def test_an_interrupted_xdist_run_is_partial(pytester: pytest.Pytester) -> None:
    suite(pytester, crash="raise KeyboardInterrupt")
    result, document = run_with_report(pytester, "-n", "2")
    assert result.ret == pytest.ExitCode.INTERRUPTED
    assert "interrupted" in document["run"]["partial"]


def test_a_crashed_xdist_worker_makes_the_run_partial(pytester: pytest.Pytester) -> None:
    suite(pytester, crash="import os; os._exit(1)")
    _result, document = run_with_report(pytester, "-n", "2")
    assert any("crashed" in reason for reason in document["run"]["partial"]), document["run"]
    assert document["summary"]["partial"] is True


def test_pytest_exit_under_xdist_is_never_recorded_as_a_whole_run(
    pytester: pytest.Pytester,
) -> None:
    suite(pytester, crash='import pytest; pytest.exit("enough")')
    result, document = run_with_report(pytester, "-n", "2")
    assert result.ret != 0
    # Either no record at all, or one that says it is partial: never a whole run.
    assert document == {} or document["summary"]["partial"] is True, document.get("run")
