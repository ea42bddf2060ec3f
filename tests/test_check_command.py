"""`healthgate check`: the static gates without tests, with exit statuses 0, 1 and 2."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import jsonschema
import pytest

from pytest_healthgate.cli import main

GATES = """
[tool.healthgate]
source = ["src/pkg"]

[tool.healthgate.gates]
coverage = false
debt = { fail = "2h", warn = "30m" }
debt_ratio = { fail = 60 }
rating = { fail = "D" }
complexity = { fail = "D", warn = "B" }
critical = { fail = 0 }
"""

CLEAN = '''
"""A tidy module."""


def add(left: int, right: int) -> int:
    """Return the sum."""
    return left + right
'''

RISKY = """
import subprocess


def run(command):
    # TODO: stop using a shell
    return subprocess.call(command, shell=True)
"""


def project(root: Path, modules: dict[str, str], config: str = GATES) -> Path:
    (root / "pyproject.toml").write_text(textwrap.dedent(config))
    for required in ("README.md", "LICENSE"):  # what the structure gate asks for by default
        (root / required).write_text("pkg\n")
    for name, source in modules.items():
        path = root / "src" / "pkg" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source).lstrip())
    return root


def check(
    root: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *args: str
) -> tuple[int, str, str]:
    monkeypatch.chdir(root)
    status = main(["check", *args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_a_clean_tree_passes_with_exit_status_zero_and_prints_the_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project(tmp_path, {"__init__.py": CLEAN})
    status, out, err = check(root, capsys, monkeypatch)
    assert status == 0, out + err
    lines = out.splitlines()
    assert lines[0].split() == ["gate", "value", "warn", "fail", "verdict", "look", "at"]
    assert [line.split()[0] for line in lines[1:6]] == [
        "debt",
        "debt_ratio",
        "rating",
        "complexity",
        "critical",
    ]
    assert lines[-1] == "healthgate: 8 passed, 0 warned, 0 failed"
    assert not (root / ".healthgate" / "last-run.json").exists()


def test_a_failing_gate_gives_exit_status_one_and_names_the_offender(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project(tmp_path, {"__init__.py": CLEAN, "shell.py": RISKY})
    status, out, _err = check(root, capsys, monkeypatch)
    assert status == 1
    assert "healthgate: FAIL critical = 1: critical 1 is above 0" in out
    assert "src/pkg/shell.py:6  (B602: subprocess call with shell=True" in out


def test_json_format_prints_the_versioned_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project(tmp_path, {"__init__.py": CLEAN, "shell.py": RISKY})
    status, out, _err = check(root, capsys, monkeypatch, "--format", "json")
    document = json.loads(out)
    assert status == 1
    assert document["run"]["surface"] == "check"
    metrics = {metric["name"]: metric for metric in document["metrics"]}
    assert metrics["critical"]["value"] == 1
    assert metrics["critical"]["verdict"] == "FAIL"
    # shell.py: B404 low 10 + B602 high 60 + TODO 10 minutes.
    assert metrics["debt"]["value"] == 80 * 60
    assert metrics["debt"]["verdict"] == "WARN"
    assert metrics["debt"]["extra"]["files"][0]["path"] == "src/pkg/shell.py"


def test_paths_limit_the_analysis_and_the_root_is_found_above_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project(tmp_path, {"__init__.py": CLEAN, "shell.py": RISKY})
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    status = main(["check", "--format", "json", str(root / "src/pkg/__init__.py")])
    document = json.loads(capsys.readouterr().out)
    assert status == 0
    assert document["run"]["root"] == str(root.resolve())
    debt = next(m for m in document["metrics"] if m["name"] == "debt")
    assert debt["extra"]["files_analysed"] == 1


def test_a_configuration_error_is_exit_status_two_with_the_message_and_no_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project(
        tmp_path, {"__init__.py": CLEAN}, GATES + '\n[tool.healthgate.debt]\nmarkerz = ["X"]\n'
    )
    status, out, err = check(root, capsys, monkeypatch)
    assert status == 2
    assert out == ""
    assert "[tool.healthgate.debt] markerz" in err
    assert "Did you mean 'markers'?" in err
    assert "Traceback" not in err


def test_no_static_gate_configured_is_a_usage_error_that_says_what_to_add(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Only a gate that `pytest --healthgate` measures is written, and no default applies.
    config = """
    [tool.healthgate]
    default_gates = false

    [tool.healthgate.gates]
    duration = { warn = "1m" }
    """
    root = project(tmp_path, {"__init__.py": CLEAN}, config)
    status, _out, err = check(root, capsys, monkeypatch)
    assert status == 2
    assert "no static gate is configured" in err
    assert 'debt = { fail = "300h", warn = "200h" }' in err


def test_a_path_that_does_not_exist_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project(tmp_path, {"__init__.py": CLEAN})
    status, _out, err = check(root, capsys, monkeypatch, "src/nope.py")
    assert status == 2
    assert "no such file or folder: src/nope.py" in err


def test_a_missing_configured_source_is_an_error_verdict_and_exit_status_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project(tmp_path, {}, GATES.replace('"src/pkg"', '"src/gone"'))
    status, out, _err = check(root, capsys, monkeypatch)
    assert status == 1
    assert "ERROR" in out
    assert "source not found: src/gone" in out


def test_the_console_script_runs_check_and_warm_runs_use_the_cache(tmp_path: Path) -> None:
    root = project(tmp_path, {"__init__.py": CLEAN, "shell.py": RISKY})
    script = Path(sys.executable).parent / "healthgate"
    command = [str(script), "check", "--format", "json"]
    first = subprocess.run(command, cwd=root, capture_output=True, text=True, check=False)
    second = subprocess.run(command, cwd=root, capture_output=True, text=True, check=False)
    assert first.returncode == second.returncode == 1, first.stderr
    cold, warm = json.loads(first.stdout), json.loads(second.stdout)
    cache = next(m for m in warm["metrics"] if m["name"] == "debt")["extra"]["cache"]
    assert cache["files"] == {"hits": 2, "misses": 0}
    assert [m["value"] for m in cold["metrics"]] == [m["value"] for m in warm["metrics"]]


def test_the_command_help_lists_check_with_its_options(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["check", "--help"])
    out = capsys.readouterr().out
    assert exit_info.value.code == 0
    assert "usage: healthgate check [-h] [--format {text,json,lines}] [--fail GATE=BOUND]" in out
    assert "[--warn GATE=BOUND] [--no-cache]" in out


COMPLEX = """
def branchy(a, b, c, d, e):
    if a:
        if b:
            return 1
        elif c:
            return 2
    for x in range(3):
        if d and x:
            return 3
        elif e or x > 1:
            return 4
    while a and b:
        a -= 1
    return 0
"""
LINE = re.compile(
    r"(?P<path>[^:]+):(?P<line>[1-9][0-9]*):(?P<column>[1-9][0-9]*): (?P<rule>\S+) (?P<message>.+)"
)


def healthgate_check(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).parent / "healthgate"
    return subprocess.run(
        [str(script), "check", *args], cwd=root, capture_output=True, text=True, check=False
    )


def test_lines_format_prints_each_finding_as_path_line_col_rule_message_as_json_lists_them(
    tmp_path: Path,
) -> None:
    root = project(tmp_path, {"__init__.py": CLEAN, "shell.py": RISKY, "branchy.py": COMPLEX})
    lines = healthgate_check(root, "--format", "lines")
    as_json = healthgate_check(root, "--format", "json")
    assert lines.returncode == as_json.returncode == 1, lines.stderr  # critical fails
    parsed = [LINE.fullmatch(line) for line in lines.stdout.splitlines()]
    assert all(parsed), lines.stdout
    found = [match.groupdict() for match in parsed if match is not None]
    document = json.loads(as_json.stdout)
    schema = json.loads((Path(__file__).parent.parent / "docs/last-run.schema.json").read_text())
    jsonschema.validate(document, schema)
    findings = document["findings"]
    assert found == [
        {
            "path": finding["path"],
            "line": str(finding["line"]),
            "column": str(finding["column"]),
            "rule": finding["rule"],
            "message": finding["message"],
        }
        for finding in findings
    ]
    assert [(f["path"], f["line"], f["rule"], f["gates"]) for f in findings] == [
        ("src/pkg/branchy.py", 1, "complexity", ["complexity"]),
        ("src/pkg/branchy.py", 1, "docstrings:missing", ["docstrings"]),
        ("src/pkg/branchy.py", 1, "docstrings:missing", ["docstrings"]),
        ("src/pkg/branchy.py", 1, "radon:CC", ["debt"]),
        ("src/pkg/shell.py", 1, "bandit:B404", ["debt"]),
        ("src/pkg/shell.py", 1, "docstrings:missing", ["docstrings"]),
        ("src/pkg/shell.py", 4, "docstrings:missing", ["docstrings"]),
        ("src/pkg/shell.py", 5, "markers:TODO", ["debt"]),
        ("src/pkg/shell.py", 6, "bandit:B602", ["debt", "critical"]),
    ]
    assert "src/pkg/branchy.py:1:1: complexity branchy has complexity 11 (rank C)" in lines.stdout
    assert "src/pkg/shell.py:6:1: bandit:B602 subprocess call with shell=True" in lines.stdout
    assert "src/pkg/shell.py:1:1: docstrings:missing module has no docstring" in lines.stdout
    assert "src/pkg/shell.py:4:1: docstrings:missing function run has no docstring" in lines.stdout


def test_lines_format_exits_zero_with_findings_when_no_gate_fails(tmp_path: Path) -> None:
    root = project(tmp_path, {"__init__.py": CLEAN, "branchy.py": COMPLEX})
    lines = healthgate_check(root, "--format", "lines")
    assert lines.returncode == 0, lines.stderr
    assert [line.split(" ", 2)[:2] for line in lines.stdout.splitlines()] == [
        ["src/pkg/branchy.py:1:1:", "complexity"],
        ["src/pkg/branchy.py:1:1:", "docstrings:missing"],
        ["src/pkg/branchy.py:1:1:", "docstrings:missing"],
        ["src/pkg/branchy.py:1:1:", "radon:CC"],
    ]


def test_complexity_findings_are_those_past_the_gates_bound(tmp_path: Path) -> None:
    root = project(tmp_path, {"__init__.py": CLEAN, "branchy.py": COMPLEX})
    lines = healthgate_check(
        root, "--format", "lines", "--fail", "complexity=E", "--warn", "complexity=C"
    )
    assert lines.returncode == 0, lines.stderr
    assert "complexity branchy" not in lines.stdout  # rank C is within warn = C
    assert "radon:CC" in lines.stdout  # still debt


def test_check_takes_one_off_bounds_like_pytest_healthgate_fail(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project(tmp_path, {"__init__.py": CLEAN, "shell.py": RISKY})
    status, out, _err = check(
        root, capsys, monkeypatch, "--fail", "critical=1", "--fail", "debt=1h"
    )
    assert status == 1
    assert "healthgate: FAIL debt = 1.3h: debt 1.3h is above 1.0h" in out
    assert "FAIL critical" not in out
    status, out, err = check(root, capsys, monkeypatch, "--fail", "debt=2h", "--warn", "debt=3h")
    assert (status, out) == (2, "")
    assert err == (
        "healthgate check: --warn debt=3h is on the wrong side of --fail debt=2h; "
        "lower is better for debt, so warn must be at or below fail.\n"
    )
    status, out, err = check(root, capsys, monkeypatch, "--warn", "complxity=C")
    assert (status, out) == (2, "")
    assert "--warn complxity=C: unknown gate 'complxity'; did you mean complexity or" in err
