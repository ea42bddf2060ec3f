"""External findings: SARIF files other tools wrote, counted in external, debt and critical."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pytest_healthgate.builtin import builtin_catalogue
from pytest_healthgate.model import Detail, Item, Measurement
from pytest_healthgate.parts import combined
from pytest_healthgate.units import Unit
from tests.helpers import gate, last_run, write, write_project

PLAYBOOK = """
[tool.healthgate]
default_gates = false
source = ["src/calc"]

[tool.healthgate.gates]
debt = { fail = "1d" }
critical = { fail = 0 }

[tool.healthgate.sarif]
files = ["scans/semgrep.sarif"]
minutes = { warning = 20 }
rule_minutes = { "semgrep/sql-injection" = 90 }
"""


def log(results: list[dict[str, object]], tool: str = "semgrep") -> str:
    return json.dumps(
        {
            "version": "2.1.0",
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "runs": [
                {
                    "tool": {"driver": {"name": tool, "rules": [{"id": "eval-use"}]}},
                    "results": results,
                }
            ],
        }
    )


def result(rule: str | None, level: str, uri: str, line: int, index: int | None = None) -> dict:
    found: dict[str, object] = {
        "level": level,
        "message": {"text": f"{rule or 'indexed'} <b>here</b>"},
        "locations": [
            {"physicalLocation": {"artifactLocation": {"uri": uri}, "region": {"startLine": line}}}
        ],
    }
    if rule is not None:
        found["ruleId"] = rule
    if index is not None:
        found["ruleIndex"] = index
    return found


RESULTS = [
    result("sql-injection", "error", "src/calc/__init__.py", 1),
    result("weak-hash", "warning", "src/calc/__init__.py", 2),
    result(None, "note", "src/calc/__init__.py", 2, index=0),
]


def project(pytester: pytest.Pytester, sarif: str | None) -> Path:
    root = write_project(pytester, PLAYBOOK)
    write(pytester, "src/calc/__init__.py", "VALUE = 1\nOTHER = 2\n")
    write(pytester, "tests/test_it.py", "def test_it():\n    assert True\n")
    if sarif is not None:
        write(pytester, "scans/semgrep.sarif", sarif)
    return root


def test_listed_results_count_as_findings_in_external_debt_and_critical(
    pytester: pytest.Pytester,
) -> None:
    root = project(pytester, log(RESULTS))
    done = pytester.runpytest_subprocess("--healthgate")
    document = last_run(root)
    external = gate(document, "external")
    assert (external["value"], external["verdict"]) == (3, "PASS")  # on, with no bound
    assert external["extra"]["by_level"] == {"error": 1, "warning": 1, "note": 1, "none": 0}
    # 90 minutes by rule, 20 for the warning (the table's), 5 for the note (the default).
    assert gate(document, "debt")["value"] == (90 + 20 + 5) * 60
    critical = gate(document, "critical")
    assert (critical["value"], critical["verdict"]) == (1, "FAIL")
    assert done.ret == 1
    rules = {finding["rule"] for finding in document["findings"]}
    assert {"sarif:semgrep/sql-injection", "sarif:semgrep/weak-hash", "sarif:semgrep/eval-use"} <= (
        rules
    )
    labels = [d["label"] for d in external["details"]]
    assert (
        "src/calc/__init__.py:1: semgrep sql-injection (error) sql-injection <b>here</b>" in labels
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (None, "scans/semgrep.sarif: no such file; run the tool that writes it first"),
        ("{not json", "scans/semgrep.sarif: not a JSON file"),
        (json.dumps({"version": "2.1.0"}), "scans/semgrep.sarif: not valid SARIF 2.1.0 at the top"),
        (json.dumps({"version": "9", "runs": []}), "not valid SARIF 2.1.0 at version"),
    ],
)
def test_a_missing_or_invalid_file_is_an_error_naming_it(
    pytester: pytest.Pytester, text: str | None, expected: str
) -> None:
    root = project(pytester, text)
    done = pytester.runpytest_subprocess("--healthgate")
    assert done.ret == 1
    for name in ("external", "debt", "critical"):
        figure = gate(last_run(root), name)
        assert figure["verdict"] == "ERROR", name
        assert expected in figure["reason"], figure["reason"]


def test_our_own_sarif_report_read_back_counts_each_result(pytester: pytest.Pytester) -> None:
    root = project(pytester, None)
    write(pytester, "src/calc/__init__.py", "VALUE = eval('1')  # TODO: later\n")
    pytester.runpytest_subprocess("--healthgate", "--healthgate-report=sarif:scans/semgrep.sarif")
    ours = json.loads((root / "scans" / "semgrep.sarif").read_text())
    results = len(ours["runs"][0]["results"])
    pytester.runpytest_subprocess("--healthgate")
    assert gate(last_run(root), "external")["value"] == results


def test_parts_of_a_gate_that_adds_up_become_one_figure() -> None:
    specs = builtin_catalogue().metrics
    first = Measurement(
        "debt",
        value=600.0,
        items=[Item("ruff:E501", "a.py", 1, 600.0, "a.py:1: E501 long")],
        details=[Detail("a.py", 600.0, Unit.DURATION)],
    )
    other = Measurement("debt", value=1200.0, items=[Item("sarif:x/y", "b.py", 2, 1200.0, "b")])
    (both,) = combined([first, other], specs)
    assert both.value == 1800.0
    assert [item.path for item in both.items or []] == ["a.py", "b.py"]
    broken = Measurement("debt", error="the SARIF file is gone")
    (failed,) = combined([first, broken], specs)
    assert (failed.value, failed.error) == (None, "the SARIF file is gone")
    skipped = Measurement("debt", skip_reason="no source")
    assert combined([skipped, other], specs) == [other]
    worst = Measurement("complexity", value=3.0, items_add_up=False)
    later = Measurement("complexity", value=2.0, items_add_up=False)
    assert combined([worst, later], specs) == [later]  # not a sum: the last one stands
