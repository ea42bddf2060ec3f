"""The sarif report: valid SARIF 2.1.0 (the official schema), stable fingerprints, a cap."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from pytest_healthgate.collect.sarif_in import sarif_schema
from pytest_healthgate.model import Finding, RunResult
from pytest_healthgate.report import sarif
from tests.helpers import write, write_project

SCHEMA = sarif_schema()  # the official schema, shipped in the package (data/README.md)
HOSTILE = "<img src=x onerror=alert(1)>.py"

PLAYBOOK = """
[tool.healthgate]
default_gates = false
source = ["src/calc"]

[tool.healthgate.gates]
coverage = { fail = 90 }
debt = { fail = "1d" }
critical = { fail = 5 }
"""

SOURCE = """\
import subprocess


def one():
    return eval("1")  # TODO: <script>alert(1)</script> **bold**


def run(command):
    return subprocess.call(command, shell=True)
"""


def healthgate(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest_healthgate.cli", *args],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture
def project(pytester: pytest.Pytester) -> Path:
    root = write_project(pytester, PLAYBOOK)
    write(pytester, "src/calc/__init__.py", SOURCE)
    write(pytester, f"src/calc/{HOSTILE}", "# FIXME: <b>markup</b>\nX = 1\n")
    write(
        pytester,
        "tests/test_calc.py",
        "from calc import one\n\ndef test_one():\n    assert one() == 1\n",
    )
    return root


def sarif_of(root: Path) -> dict[str, object]:
    rendered = healthgate(root, "report", "sarif")
    assert rendered.returncode == 0, rendered.stderr
    document: dict[str, object] = json.loads(rendered.stdout)
    return document


def test_a_real_run_is_valid_sarif_with_findings_and_the_failed_gate(
    pytester: pytest.Pytester, project: Path
) -> None:
    result = pytester.runpytest_subprocess("--healthgate", "--healthgate-report=sarif")
    assert result.ret == 1  # coverage is below 90 %
    written = json.loads((project / ".healthgate" / "report.sarif").read_text())
    jsonschema.validate(written, SCHEMA)
    assert sarif_of(project)["runs"] == written["runs"]  # `healthgate report` renders the same
    run = written["runs"][0]
    results = run["results"]
    by_rule = {entry["ruleId"]: entry for entry in results}
    assert {"bandit:B602", "bandit:B307", "markers:TODO", "markers:FIXME"} <= set(by_rule)
    assert [entry["level"] for entry in results] == sorted(
        (entry["level"] for entry in results), key=sarif.LEVEL_ORDER.__getitem__
    )
    assert by_rule["bandit:B602"]["level"] == "error"  # high severity: the critical gate
    assert by_rule["bandit:B307"]["level"] == "warning"  # medium: debt only
    assert by_rule["markers:TODO"]["level"] == "warning"
    gate = by_rule["healthgate/coverage"]
    assert gate["level"] == "error"
    assert gate["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "pyproject.toml"
    rules = run["tool"]["driver"]["rules"]
    assert all(rules[entry["ruleIndex"]]["id"] == entry["ruleId"] for entry in results)
    # Text from the project is data: JSON escapes it, the URI is percent-encoded.
    todo = by_rule["markers:TODO"]
    assert "<script>alert(1)</script> **bold**" in todo["message"]["text"]
    fixme = by_rule["markers:FIXME"]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert fixme["uri"] == "src/calc/%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E.py"
    assert "<img" not in json.dumps(written).split('"text"')[0]  # no raw markup in URIs


def test_fingerprints_stay_when_code_moves_and_a_new_finding_is_new(
    pytester: pytest.Pytester, project: Path
) -> None:
    adopted = healthgate(project, "baseline", "--update", "--", "-q", "-p", "no:cacheprovider")
    assert adopted.returncode == 0, adopted.stdout + adopted.stderr
    pytester.runpytest_subprocess("--healthgate", "-p", "no:cacheprovider")
    before = {e["ruleId"]: e for e in sarif_of(project)["runs"][0]["results"]}
    moved = "import os\n\n\n" + SOURCE + "\n\ndef three():\n    return 3  # TODO: later\n"
    (project / "src" / "calc" / "__init__.py").write_text(moved)
    pytester.runpytest_subprocess("--healthgate", "-p", "no:cacheprovider")
    after = sarif_of(project)["runs"][0]["results"]
    todos = [e for e in after if e["ruleId"] == "markers:TODO"]
    lines = sorted(e["locations"][0]["physicalLocation"]["region"]["startLine"] for e in todos)
    where = [number for number, text in enumerate(moved.splitlines(), 1) if "TODO" in text]
    assert lines == where  # the old TODO moved down three lines; one is new
    old = next(
        e for e in todos if e["locations"][0]["physicalLocation"]["region"]["startLine"] == where[0]
    )
    new = next(e for e in todos if e is not old)
    assert old["partialFingerprints"] == before["markers:TODO"]["partialFingerprints"]
    assert new["partialFingerprints"] != old["partialFingerprints"]
    assert (old["baselineState"], new["baselineState"]) == ("unchanged", "new")


def test_at_most_5000_results_the_least_severe_cut_with_a_notification(tmp_path: Path) -> None:
    findings = [
        Finding("src/a.py", line, 1, "markers:TODO", "TODO", ["debt"], {"debt": 600.0})
        for line in range(1, sarif.MAX_RESULTS + 1)
    ]
    findings.append(Finding("src/z.py", 1, 1, "bandit:B602", "shell", ["debt", "critical"], {}))
    result = RunResult(gates=[], metadata={"root": str(tmp_path)}, findings=findings)
    document = sarif.to_document(result)
    jsonschema.validate(document, SCHEMA)
    run = document["runs"][0]
    assert len(run["results"]) == sarif.MAX_RESULTS
    assert run["results"][0]["ruleId"] == "bandit:B602"  # errors first: it is kept
    assert run["properties"]["results_left_out"] == 1
    note = run["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"]
    assert note.startswith("1 of 5001 results left out")
    # Identical lines in one file are told apart by their rank.
    marks = {r["partialFingerprints"][sarif.FINGERPRINT] for r in run["results"]}
    assert len(marks) == sarif.MAX_RESULTS


def test_the_documented_workflow_parses_and_asks_for_formats_the_tool_has() -> None:
    import re

    import yaml

    from pytest_healthgate.pipeline import RENDERERS

    page = (Path(__file__).parent.parent / "docs" / "reports.md").read_text()
    block = re.search(r"```yaml\n(# \.github/workflows/health\.yml\n.*?)```", page, re.S)
    assert block is not None, "docs/reports.md lost its workflow"
    workflow = yaml.safe_load(block.group(1))
    steps = workflow["jobs"]["gate"]["steps"]
    runs = [step["run"] for step in steps if "run" in step]
    gate = next(run for run in runs if run.startswith("pytest --healthgate"))
    formats = re.findall(r"--healthgate-report=(\w+)", gate)
    assert {"sarif", "html", "md"} <= set(formats)
    assert set(formats) <= set(RENDERERS), formats
    uploads = {step["uses"].split("@")[0]: step.get("with", {}) for step in steps if "uses" in step}
    assert uploads["github/codeql-action/upload-sarif"]["sarif_file"] == ".healthgate/report.sarif"
    assert workflow["permissions"]["security-events"] == "write"
