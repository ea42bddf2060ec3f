"""Zero config: every default gate measured and judged; nothing the project had fails.

The default playbook's bounds are never *adopted*: past one, a gate warns and
points at `healthgate init`. Only a run that is broken now - failing tests, test
modules that do not import - fails. A table replaces the playbook gate by gate.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import jsonschema
import pytest

from pytest_healthgate.cli import main
from pytest_healthgate.precommit import healthgate_last_run
from tests.helpers import gate, run_with_report, write, write_project

SCHEMA = json.loads((Path(__file__).parent.parent / "docs" / "last-run.schema.json").read_text())
ADOPT = "(default playbook); run `healthgate init` to adopt"
DEFAULT_GATES = [
    "coverage",
    "pass_rate",
    "collection_errors",
    "duration",
    "debt",
    "debt_ratio",
    "rating",
    "complexity",
    "critical",
    "import_time",
    "import_memory",
    "memory",
    "structure",
    "docstrings",
    "duplication",
]
NEW_CODE = ["new_coverage", "new_debt", "new_complexity"]  # off without a diff base
OPT_IN = [*NEW_CODE, "contracts"]  # off unless written
STATIC = [
    "debt",
    "debt_ratio",
    "rating",
    "complexity",
    "critical",
    "structure",
    "docstrings",
    "duplication",
]
ONLY_PYTEST = [name for name in DEFAULT_GATES if name not in STATIC]

# 14 statements; importing the module runs 5 of them and the test one more: 43%.
# tangled() has 41 boolean operators: complexity 42, rank F. run() is a
# high-severity bandit finding (B602), so critical is 1.
SHOP = """
import subprocess


def price(amount, rate):
    return amount * rate


def run(command):
    return subprocess.call(command, shell=True)


def tangled(f):
    return (
        f[0] and f[1] and f[2] and f[3] and f[4] and f[5] and f[6] and f[7] and f[8]
        and f[9] and f[10] and f[11] and f[12] and f[13] and f[14] and f[15] and f[16]
        and f[17] and f[18] and f[19] and f[20] and f[21] and f[22] and f[23] and f[24]
        and f[25] and f[26] and f[27] and f[28] and f[29] and f[30] and f[31] and f[32]
        and f[33] and f[34] and f[35] and f[36] and f[37] and f[38] and f[39] and f[40]
        and f[41]
    )


def summary(items):
    total = 0
    for item in items:
        total += item
    average = total / len(items)
    shown = f"{total} ({average})"
    return shown
"""


def shop_project(pytester: pytest.Pytester, healthgate_toml: str = "") -> Path:
    """A project as a newcomer finds it: a src/ package, one test, no [tool.healthgate]."""
    root = write_project(pytester, healthgate_toml)
    (root / "src" / "calc" / "__init__.py").unlink()
    (root / "src" / "calc").rmdir()
    write(pytester, "src/shop/__init__.py", SHOP)
    write(
        pytester,
        "tests/test_shop.py",
        "from shop import price\n\n\ndef test_price():\n    assert price(2, 3) == 6\n",
    )
    return root


def test_zero_config_measures_every_default_gate_and_fails_nothing_the_project_already_had(
    pytester: pytest.Pytester, xdist_args: list[str]
) -> None:
    shop_project(pytester)
    result, document = run_with_report(pytester, *xdist_args)
    assert result.ret == 0, result.stdout.str()
    jsonschema.validate(document, SCHEMA)
    assert [metric["name"] for metric in document["metrics"]] == DEFAULT_GATES
    assert {metric["name"]: metric["verdict"] for metric in document["metrics"]} == {
        "coverage": "WARN",
        "pass_rate": "PASS",
        "collection_errors": "PASS",
        "duration": "PASS",
        "debt": "PASS",
        "debt_ratio": "WARN",
        "rating": "WARN",
        "complexity": "WARN",
        "critical": "WARN",
        "import_time": "PASS",
        "import_memory": "PASS",
        "memory": "PASS",
        "structure": "WARN",  # no README, no LICENSE: advice, like every default bound
        "docstrings": "WARN",  # not one docstring: advice too
        "duplication": "PASS",
    }
    assert not any(metric["adopted"] for metric in document["metrics"])
    assert gate(document, "coverage")["reason"] == f"coverage 43% is below 65% {ADOPT}"
    assert gate(document, "rating")["reason"] != ""  # past warn "A": a plain warning
    assert "healthgate init" not in gate(document, "rating")["reason"]
    assert document["run"]["gates_off"] == [
        "test_memory",
        *OPT_IN,
        "external",
        "vulnerabilities",
        "dead_code",
        "health",
    ]
    result.stdout.fnmatch_lines(
        [
            "complexity *F *C *D *WARN *split tangled*",
            f"healthgate: WARN coverage = 43%: coverage 43% is below 65% {ADOPT}",
            f"healthgate: WARN complexity = F: complexity F is above D {ADOPT}",
            f"healthgate: WARN critical = 1: critical 1 is above 0 {ADOPT}",
            f"healthgate: WARN docstrings = 0.0%: docstrings 0.0% is below 80.0% {ADOPT}",
            "healthgate: off: test_memory, new_coverage, new_debt, new_complexity, "
            "contracts, external, vulnerabilities, dead_code, health "
            "(set [[]tool.healthgate.gates.NAME[]] "
            "to turn one on)",
            "healthgate: 8 passed, 7 warned, 0 failed",
        ]
    )


def test_the_last_run_hook_rejudges_a_zero_config_record_with_the_same_advice(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = shop_project(pytester)
    assert pytester.runpytest_subprocess("--healthgate").ret == 0
    monkeypatch.chdir(root)
    assert healthgate_last_run.main([]) == 0
    out = capsys.readouterr().out
    assert f"healthgate: WARN complexity = F: complexity F is above D {ADOPT}" in out
    assert out.splitlines()[-1] == "healthgate: 8 passed, 7 warned, 0 failed"


def project_of_tests(pytester: pytest.Pytester, tests: dict[str, str]) -> None:
    """Zero config and no package: only the test-health gates measure something."""
    pytester.makepyprojecttoml("[tool.pytest.ini_options]\ntestpaths = ['tests']\n")
    for name, source in tests.items():
        write(pytester, f"tests/{name}", source)


def test_a_failing_test_still_fails_a_zero_config_run(pytester: pytest.Pytester) -> None:
    project_of_tests(
        pytester, {"test_it.py": "def test_a():\n    pass\n\ndef test_b():\n    assert 0\n"}
    )
    result, document = run_with_report(pytester, inprocess=True)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    pass_rate = gate(document, "pass_rate")
    assert (pass_rate["verdict"], pass_rate["adopted"]) == ("FAIL", False)
    result.stdout.fnmatch_lines(
        ["healthgate: FAIL pass_rate = 50.00%: pass_rate 50.00% is below 98.00%"]
    )


def test_collection_errors_past_the_default_bound_fail_a_zero_config_run(
    pytester: pytest.Pytester,
) -> None:
    modules = {f"test_ok_{index}.py": "def test_ok():\n    pass\n" for index in range(4)}
    project_of_tests(pytester, {**modules, "test_broken.py": "import no_such_module_here\n"})
    result, document = run_with_report(pytester, "--continue-on-collection-errors", inprocess=True)
    assert result.ret != 0
    collection = gate(document, "collection_errors")
    assert (collection["value"], collection["verdict"]) == (20.0, "FAIL")
    result.stdout.fnmatch_lines(
        ["healthgate: FAIL collection_errors = 20.0%: collection_errors 20.0% is above 10.0%"]
    )


def test_without_a_source_the_source_gates_skip_and_say_how_to_set_one(
    pytester: pytest.Pytester,
) -> None:
    project_of_tests(pytester, {"test_it.py": "def test_a():\n    pass\n"})
    result, document = run_with_report(pytester)  # a subprocess: coverage is per process
    assert result.ret == 0
    for name in ["coverage", *STATIC]:
        if name == "structure":  # files of the project root: it needs no source
            continue
        assert gate(document, name)["verdict"] == "SKIP"
        assert 'set [tool.healthgate] source = ["..."]' in gate(document, name)["reason"]
    assert gate(document, "import_time")["verdict"] == "SKIP"


def check(
    root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, str]:
    monkeypatch.chdir(root)
    status = main(["check", *args])
    return status, capsys.readouterr().out


def test_check_without_a_table_judges_the_default_static_gates_and_imports_nothing(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = shop_project(pytester)
    write(pytester, "src/shop/boom.py", "raise RuntimeError('healthgate check ran the project')\n")
    status, out = check(root, monkeypatch, capsys)
    assert status == 0, out
    assert "shop" not in sys.modules
    rows = [line.split() for line in out.splitlines()[1:9]]
    assert [(row[0], row[4]) for row in rows] == [
        ("debt", "PASS"),
        ("debt_ratio", "WARN"),
        ("rating", "WARN"),
        ("complexity", "WARN"),
        ("critical", "WARN"),
        ("structure", "WARN"),
        ("docstrings", "WARN"),
        ("duplication", "PASS"),
    ]
    assert f"healthgate: WARN complexity = F: complexity F is above D {ADOPT}" in out
    assert f"healthgate: measured only by `pytest --healthgate`: {', '.join(ONLY_PYTEST)}" in out
    assert out.splitlines()[-1] == "healthgate: 2 passed, 6 warned, 0 failed"


def test_a_written_gate_replaces_its_default_and_fails_while_the_others_stay_advice(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = shop_project(pytester, '[tool.healthgate.gates]\ncomplexity = { fail = "D" }\n')
    status, out = check(root, monkeypatch, capsys, "--format", "json")
    document = json.loads(out)
    assert status == 1
    complexity, critical = gate(document, "complexity"), gate(document, "critical")
    # Written: its own bounds only (no default warn "C"), adopted, and it fails.
    assert (complexity["fail"], complexity["warn"], complexity["adopted"]) == (4, None, True)
    assert (complexity["verdict"], complexity["reason"]) == ("FAIL", "complexity F is above D")
    # Not written: the default playbook's, still advice.
    assert (critical["verdict"], critical["adopted"]) == ("WARN", False)
    assert critical["reason"] == f"critical 1 is above 0 {ADOPT}"


def test_default_gates_false_judges_only_the_gates_the_table_writes(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    table = (
        "[tool.healthgate]\ndefault_gates = false\n\n"
        "[tool.healthgate.gates]\ncritical = { fail = 0 }\npass_rate = { fail = 90 }\n"
    )
    root = shop_project(pytester, table)
    status, out = check(root, monkeypatch, capsys)
    assert status == 1
    assert [line.split()[0] for line in out.splitlines()[1:2]] == ["critical"]
    assert "healthgate: FAIL critical = 1: critical 1 is above 0" in out
    off = [
        name
        # catalogue order
        for name in [
            *DEFAULT_GATES[:-3],
            "test_memory",
            "structure",
            *NEW_CODE,
            "docstrings",
            "contracts",
            "duplication",
            "external",
            "vulnerabilities",
            "dead_code",
            "health",
        ]
        if name not in ("critical", "pass_rate")
    ]
    assert (
        f"healthgate: off: {', '.join(off)} (set [tool.healthgate.gates.NAME] to turn one on)"
        in out
    )
    assert "healthgate: measured only by `pytest --healthgate`: pass_rate" in out
    result, document = run_with_report(pytester, "-p", "no:randomly", inprocess=True)
    assert [metric["name"] for metric in document["metrics"]] == ["pass_rate", "critical"]
    assert result.ret == 1  # the written critical bound fails a green run


def test_a_gate_written_false_is_off_and_the_footer_says_so(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = shop_project(pytester, "[tool.healthgate.gates]\ncomplexity = false\n")
    status, out = check(root, monkeypatch, capsys)
    assert status == 0
    assert [line.split()[0] for line in out.splitlines()[1:5]] == [
        "debt",
        "debt_ratio",
        "rating",
        "critical",
    ]
    assert (
        "healthgate: off: complexity, test_memory, new_coverage, new_debt, new_complexity, "
        "contracts, external, vulnerabilities, dead_code, health (set "
        "[tool.healthgate.gates.NAME] to "
        "turn one on)" in out
    )
    assert not (root / ".healthgate" / "last-run.json").exists()
