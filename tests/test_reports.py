"""The terminal table, quiet mode, colours, and the JSON report with its schema."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import jsonschema
import pytest

from pytest_healthgate.model import Bounds, Direction, GateResult, RunResult, Verdict
from pytest_healthgate.report import terminal
from pytest_healthgate.store.files import state_dir, write_atomic
from pytest_healthgate.units import Unit
from tests.helpers import last_run, write, write_project

SCHEMA = json.loads((Path(__file__).parent.parent / "docs" / "last-run.schema.json").read_text())

GATES = """
[tool.healthgate]
default_gates = false
source = ["src/calc"]

[tool.healthgate.gates]
coverage = { fail = 50 }
pass_rate = { warn = 98 }
collection_errors = { fail = 10 }
duration = { warn = "1ms" }
"""


def report_project(pytester: pytest.Pytester) -> Path:
    root = write_project(pytester, GATES)
    write(pytester, "src/calc/__init__.py", "def one():\n    return 1\n")
    write(
        pytester,
        "tests/test_one.py",
        """
        import time
        from calc import one

        def test_one():
            time.sleep(0.01)
            assert one() == 1
        """,
    )
    return root


def test_the_table_has_a_row_per_gate_and_a_closing_count(pytester: pytest.Pytester) -> None:
    report_project(pytester)
    result = pytester.runpytest_subprocess("--healthgate")
    result.stdout.fnmatch_lines(
        [
            "*= healthgate =*",
            "gate*value*warn*fail*verdict*look at",
            "coverage*100%*-*50%*PASS",
            "pass_rate*100.00%*98.00%*-*PASS",
            "collection_errors*0.0%*-*10.0%*PASS",
            "duration*1.0ms*-*WARN*speed up the slowest tests listed below",
            "healthgate: 3 passed, 1 warned, 0 failed",
        ]
    )


def test_quiet_keeps_only_rows_that_are_not_pass(pytester: pytest.Pytester) -> None:
    report_project(pytester)
    result = pytester.runpytest_subprocess("--healthgate", "-q")
    output = result.stdout.str()
    assert "duration" in output
    assert "coverage  " not in output
    result.stdout.fnmatch_lines(["healthgate: 3 passed, 1 warned, 0 failed"])


def test_quiet_with_every_gate_passing_prints_only_the_final_line() -> None:
    # The table is a pure function of the result: no pytest run needed.
    passing = [
        GateResult(name, Unit.PERCENT, Direction.HIGHER, 100.0, Bounds(50), Verdict.PASS, "", "", 1)
        for name in ("coverage", "pass_rate", "collection_errors", "duration")
    ]
    lines = [text for text, _markup in terminal.render(RunResult(passing), quiet=True)]
    assert lines == ["healthgate: 4 passed, 0 warned, 0 failed"]


def test_the_footer_names_the_gates_that_are_off_except_when_quiet() -> None:
    passing = [
        GateResult("critical", Unit.COUNT, Direction.LOWER, 0.0, Bounds(0), Verdict.PASS, "", "", 0)
    ]
    metadata = {"gates_off": ["duration", "test_memory"], "measured_by_pytest": ["coverage"]}
    lines = [text for text, _markup in terminal.render(RunResult(passing, metadata))]
    assert lines[-3:] == [
        "healthgate: off: duration, test_memory (set [tool.healthgate.gates.NAME] to turn one on)",
        "healthgate: measured only by `pytest --healthgate`: coverage",
        "healthgate: 1 passed, 0 warned, 0 failed",
    ]
    quiet = [text for text, _markup in terminal.render(RunResult(passing, metadata), quiet=True)]
    assert quiet == ["healthgate: 1 passed, 0 warned, 0 failed"]


def test_colour_follows_pytest_color_option(pytester: pytest.Pytester) -> None:
    report_project(pytester)
    coloured = pytester.runpytest_subprocess("--healthgate", "--color=yes").stdout.str()
    plain = pytester.runpytest_subprocess("--healthgate", "--color=no").stdout.str()
    warn_line = next(line for line in coloured.splitlines() if "WARN" in line)
    assert "\x1b[33m" in warn_line  # yellow
    assert "\x1b[" not in plain


def test_no_color_environment_turns_colour_off(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    report_project(pytester)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.setenv("PY_COLORS", "")
    output = pytester.runpytest_subprocess("--healthgate").stdout.str()
    assert "\x1b[" not in output


def test_last_run_json_follows_the_published_schema(
    pytester: pytest.Pytester, xdist_args: list[str]
) -> None:
    root = report_project(pytester)
    pytester.runpytest_subprocess("--healthgate", *xdist_args)
    document = last_run(root)
    jsonschema.validate(document, SCHEMA)
    assert document["summary"] == {
        "ok": True,
        "passed": 3,
        "warned": 1,
        "failed": 0,
        "errors": 0,
        "skipped": 0,
        "partial": False,
    }
    assert document["run"]["surface"] == "pytest"
    assert [metric["name"] for metric in document["metrics"]] == [
        "coverage",
        "pass_rate",
        "collection_errors",
        "duration",
    ]


def test_report_option_writes_a_copy_where_asked(pytester: pytest.Pytester) -> None:
    root = report_project(pytester)
    result = pytester.runpytest_subprocess(
        "--healthgate", "--healthgate-report=json:reports/gates.json"
    )
    assert result.ret == 0
    copy = json.loads((root / "reports" / "gates.json").read_text())
    jsonschema.validate(copy, SCHEMA)
    assert copy["metrics"] == last_run(root)["metrics"]


def test_state_folder_ignores_everything_but_the_baseline(tmp_path: Path) -> None:
    folder = state_dir(tmp_path)
    assert (folder / ".gitignore").read_text().splitlines()[1:] == [
        "*",
        "!.gitignore",
        "!baseline.toml",
    ]


def test_atomic_write_replaces_whole_files_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "file.json"
    write_atomic(target, "first")
    write_atomic(target, "second")
    assert target.read_text() == "second"
    assert sorted(path.name for path in target.parent.iterdir()) == ["file.json"]


def test_atomic_write_keeps_the_old_file_when_writing_fails(tmp_path: Path) -> None:
    target = tmp_path / "file.json"
    write_atomic(target, "old")
    with pytest.raises(TypeError):
        write_atomic(target, 42)  # type: ignore[arg-type]
    assert target.read_text() == "old"
    assert [path.name for path in tmp_path.iterdir()] == ["file.json"]


def test_the_json_report_is_indented_with_one_line_per_finding() -> None:
    from pytest_healthgate.model import Finding
    from pytest_healthgate.report import json_report

    gate = GateResult(
        "debt", Unit.DURATION, Direction.LOWER, 60.0, Bounds(3600), Verdict.PASS, "", "", 0
    )
    awkward = Finding(
        "src/é.py", 3, 1, "markers:TODO", 'a "quoted"\nline', ["debt"], {"debt": 60.0}
    )
    plain = Finding("src/a.py", 1, 1, "ruff:E501", "long", ["debt"], {"debt": 120.0})
    for findings in ([awkward, plain], []):
        result = RunResult([gate], {"run_id": "r"}, findings=findings)
        text = json_report.render(result)
        assert json.loads(text) == json.loads(json.dumps(json_report.to_document(result)))
        assert text.endswith("\n}\n")
        assert text.startswith('{\n  "schema_version": 1,\n')
        lines = text.splitlines()
        start = lines.index('  "findings": [' if findings else '  "findings": []')
        listed = [json.loads(line.strip().rstrip(",")) for line in lines[start + 1 : -2]]
        assert listed == [finding.to_dict() for finding in findings]


def test_error_and_skip_rows_show_their_reason() -> None:
    def result(verdict: Verdict, reason: str) -> GateResult:
        return GateResult(
            "coverage", Unit.PERCENT, Direction.HIGHER, None, Bounds(80), verdict, reason, "hint", 1
        )

    lines = terminal.render(
        RunResult([result(Verdict.ERROR, "coverage.py: No data"), result(Verdict.SKIP, "n/a")])
    )
    texts = [text for text, _ in lines]
    assert any(
        text.startswith("coverage") and text.endswith("coverage.py: No data") for text in texts
    )
    assert any(text.endswith("SKIP     n/a") for text in texts)
    assert texts[-1] == "healthgate: 0 passed, 0 warned, 0 failed, 1 error, 1 skipped"


def test_the_run_records_the_git_commit_when_there_is_one(pytester: pytest.Pytester) -> None:
    root = report_project(pytester)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "start"]):
        subprocess.run([*git, *command], cwd=root, check=True, capture_output=True)
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=root, check=True, capture_output=True, text=True
    ).stdout.strip()
    pytester.runpytest_subprocess("--healthgate")
    assert last_run(root)["run"]["git_commit"] == head


def test_outside_git_the_commit_is_null(pytester: pytest.Pytester) -> None:
    root = report_project(pytester)
    pytester.runpytest_subprocess("--healthgate")
    # pytester folders live under the system temp folder, outside any checkout.
    assert last_run(root)["run"]["git_commit"] is None


def test_a_gated_run_records_its_findings_with_their_costs(pytester: pytest.Pytester) -> None:
    from pytest_healthgate.report.json_report import result_from_document

    root = write_project(
        pytester,
        """
        [tool.healthgate]
        default_gates = false
        source = ["src/calc"]

        [tool.healthgate.gates]
        coverage = { fail = 50 }
        debt = { fail = "1d" }
        critical = { fail = 0 }
        """,
    )
    write(pytester, "src/calc/__init__.py", "def one():\n    return eval('1')  # TODO: int\n")
    write(
        pytester,
        "tests/test_one.py",
        "from calc import one\n\ndef test_one():\n    assert one() == 1\n",
    )
    pytester.runpytest_subprocess("--healthgate")
    document = last_run(root)
    jsonschema.validate(document, SCHEMA)
    by_rule = {finding["rule"]: finding for finding in document["findings"]}
    assert set(by_rule) >= {"markers:TODO", "bandit:B307"}, by_rule
    marker = by_rule["markers:TODO"]
    assert (marker["path"], marker["line"], marker["gates"]) == (
        "src/calc/__init__.py",
        2,
        ["debt"],
    )
    assert marker["costs"]["debt"] > 0
    debt = next(metric for metric in document["metrics"] if metric["name"] == "debt")
    counted = sum(f["costs"]["debt"] for f in document["findings"] if "debt" in f["costs"])
    assert counted == pytest.approx(debt["value"])
    coverage = next(metric for metric in document["metrics"] if metric["name"] == "coverage")
    assert coverage["extra"]["file_units"]["src/calc/__init__.py"] == {"units": 2, "missing": 0}
    again = result_from_document(document)
    assert [f.to_dict() for f in again.findings] == document["findings"]
