"""The example plugin's own tests: its gate in pytest --healthgate and in healthgate check.

The runs are in-process (fast): the gate needs no coverage tracer of its own.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pytest_healthgate.cli import main

CONFIG = """
[tool.healthgate]
default_gates = false  # only this plugin's gate, not the default playbook
source = ["src/app"]

[tool.healthgate.gates]
largest_file = { fail = 3, warn = 2 }

[tool.healthgate.plugins.largest_file]
count_blank = COUNT_BLANK
"""


@pytest.fixture
def project(pytester: pytest.Pytester) -> Path:
    app = pytester.path / "src" / "app"
    app.mkdir(parents=True)
    (app / "__init__.py").write_text("A = 1\n\n\nB = 2\n")
    (app / "small.py").write_text("C = 3\n")
    pytester.makepyfile(test_app="def test_nothing():\n    pass\n")
    return pytester.path


def configure(root: Path, count_blank: bool) -> None:
    text = CONFIG.replace("COUNT_BLANK", "true" if count_blank else "false")
    (root / "pyproject.toml").write_text(text)


def test_the_gate_shows_in_the_table_and_in_last_run_json(
    pytester: pytest.Pytester, project: Path
) -> None:
    configure(project, count_blank=False)
    result = pytester.runpytest_inprocess("--healthgate", "-p", "no:cacheprovider")
    result.stdout.fnmatch_lines(["largest_file *2 *2 *3 *PASS*", "largest_file: largest files"])
    document = json.loads((project / ".healthgate" / "last-run.json").read_text())
    gate = next(m for m in document["metrics"] if m["name"] == "largest_file")
    assert (gate["value"], gate["verdict"]) == (2, "PASS")
    assert gate["details"][0]["label"] == "src/app/__init__.py"


def test_its_option_is_read_from_its_own_table(pytester: pytest.Pytester, project: Path) -> None:
    configure(project, count_blank=True)
    result = pytester.runpytest_inprocess("--healthgate", "-p", "no:cacheprovider")
    assert result.ret == 1
    result.stdout.fnmatch_lines(["healthgate: FAIL largest_file = 4: largest_file 4 is above 3"])


def test_a_typo_in_its_table_is_a_usage_error(pytester: pytest.Pytester, project: Path) -> None:
    configure(project, count_blank=False)
    text = (project / "pyproject.toml").read_text().replace("count_blank", "count_blanks")
    (project / "pyproject.toml").write_text(text)
    result = pytester.runpytest_inprocess("--healthgate")
    assert result.ret == 4
    result.stderr.fnmatch_lines(["*count_blanks*unknown key*Did you mean 'count_blank'?*"])


def test_healthgate_check_judges_it_without_running_tests(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    configure(project, count_blank=False)
    monkeypatch.chdir(project)
    status = main(["check", "--format", "json"])
    document = json.loads(capsys.readouterr().out)
    assert status == 0
    assert [m["name"] for m in document["metrics"]] == ["largest_file"]
    assert document["metrics"][0]["value"] == 2
