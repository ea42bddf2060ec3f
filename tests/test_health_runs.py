"""The health score in real gated runs: shown, recorded, and explained run after run."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from pytest_healthgate.store import history
from tests.helpers import write, write_project

SCHEMA = json.loads((Path(__file__).parent.parent / "docs" / "last-run.schema.json").read_text())

PLAYBOOK = """
[tool.healthgate]
default_gates = false
source = ["src/calc"]

[tool.healthgate.gates]
coverage = { fail = 50 }
pass_rate = { fail = 90 }
import_time = { fail = "5s" }

[tool.healthgate.score]
weights = { coverage = 2, import_time = 0 }
"""

TESTS = """
from calc import one, two

def test_one():
    assert one() == 1
{more}
"""


def test_three_runs_make_three_rows_and_say_why_the_score_moved(
    pytester: pytest.Pytester,
) -> None:
    root = write_project(pytester, PLAYBOOK)
    write(
        pytester, "src/calc/__init__.py", "def one():\n    return 1\n\n\ndef two():\n    return 2\n"
    )
    write(
        pytester,
        "tests/test_calc.py",
        TESTS.format(more="\ndef test_two():\n    assert two() == 2\n"),
    )
    first = pytester.runpytest_subprocess("--healthgate", "-p", "no:cacheprovider")
    first.stdout.fnmatch_lines(["healthgate: health: 100/100 (excellent; formula 1)"])
    # Coverage 4 of 6 lines... the second test is gone: coverage drops, the score with it.
    write(pytester, "tests/test_calc.py", TESTS.format(more=""))
    second = pytester.runpytest_subprocess("--healthgate", "-p", "no:cacheprovider")
    second.stdout.fnmatch_lines(
        [
            "healthgate: health: *",
            "healthgate: health 100 -> *: coverage -* points"
            " (src/calc/__init__.py lost 1 covered line)",
        ]
    )
    third = pytester.runpytest_subprocess("--healthgate", "-p", "no:cacheprovider")
    third.stdout.fnmatch_lines(
        [
            "healthgate: health * -> *: no gate moved",
            "healthgate: health trend over the last 3 runs: █▁▁ 100 -> 90 -> 90",
        ]
    )
    assert "health trend" not in second.stdout.str()  # from the third run on

    runs, notes = history.read(root)
    assert notes == []
    assert len(runs) == 3
    assert runs[0].score == 100.0
    assert runs[1].score == runs[2].score < 100.0
    assert set(runs[2].metrics) == {"coverage", "pass_rate", "import_time"}
    assert runs[2].metrics["import_time"].weight is None  # weight 0: not in the score
    assert runs[2].metrics["coverage"].weight == 2.0
    assert all(run.surface == "pytest" and not run.partial for run in runs)

    document = json.loads((root / ".healthgate" / "last-run.json").read_text())
    jsonschema.validate(document, SCHEMA)
    assert document["health"]["score"] == runs[2].score
    assert document["health"]["moved"].endswith("no gate moved")
    assert document["health"]["trend"].endswith("100 -> 90 -> 90")
    assert [gate["name"] for gate in document["health"]["gates"]] == ["coverage", "pass_rate"]


def test_a_corrupt_history_is_moved_aside_and_the_run_goes_on(pytester: pytest.Pytester) -> None:
    root = write_project(pytester, PLAYBOOK)
    write(
        pytester, "src/calc/__init__.py", "def one():\n    return 1\n\n\ndef two():\n    return 2\n"
    )
    write(pytester, "tests/test_calc.py", TESTS.format(more=""))
    (root / ".healthgate").mkdir()
    (root / ".healthgate" / "history.sqlite").write_bytes(b"garbage, not sqlite\n" * 50)
    result = pytester.runpytest_subprocess("--healthgate", "-p", "no:cacheprovider")
    assert result.ret == 0
    result.stderr.fnmatch_lines(
        ["*was not a usable history database; moved it to history.sqlite.corrupt-*"]
    )
    assert "Traceback" not in result.stderr.str()
    runs, _ = history.read(root)
    assert len(runs) == 1


def test_check_names_the_gates_it_did_not_judge_as_left_out(pytester: pytest.Pytester) -> None:
    write_project(
        pytester, PLAYBOOK.replace("pass_rate = { fail = 90 }", 'debt = { fail = "10h" }')
    )
    write(pytester, "src/calc/__init__.py", "def one():\n    return 1\n")
    completed = subprocess.run(
        [sys.executable, "-m", "pytest_healthgate.cli", "check", "--format", "json"],
        cwd=pytester.path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    document = json.loads(completed.stdout)
    jsonschema.validate(document, SCHEMA)
    gates = {gate["name"]: gate for gate in document["health"]["gates"]}
    assert gates["debt"]["points"] == 100.0
    assert gates["coverage"] == {
        "name": "coverage",
        "weight": 2.0,
        "points": None,
        "left_out": "not judged by this command",
    }
    assert "import_time" not in gates  # weight 0


def test_a_gate_worse_run_after_run_warns_inside_its_bounds(pytester: pytest.Pytester) -> None:
    steady = PLAYBOOK.replace("import_time = 0 }", "import_time = 0 }\ntrend_runs = 2")
    write_project(pytester, steady)
    write(
        pytester, "src/calc/__init__.py", "def one():\n    return 1\n\n\ndef two():\n    return 2\n"
    )
    write(
        pytester,
        "tests/test_calc.py",
        TESTS.format(more="\ndef test_two():\n    assert two() == 2\n"),
    )
    assert pytester.runpytest_subprocess("--healthgate", "-p", "no:cacheprovider").ret == 0
    write(pytester, "tests/test_calc.py", TESTS.format(more=""))
    worse = pytester.runpytest_subprocess("--healthgate", "-p", "no:cacheprovider")
    assert worse.ret == 0  # a warning, never a failure
    worse.stdout.fnmatch_lines(
        [
            "healthgate: WARN coverage = 75%: worse in each of the last 2 runs "
            "(100% -> 75%, 25% worse); still inside its bounds"
        ]
    )


GATED = """
[tool.healthgate]
default_gates = false
source = ["src/calc"]

[tool.healthgate.gates]
coverage = { fail = 50 }
pass_rate = { fail = 90 }
health = { fail = 90, warn = 95 }

[tool.healthgate.ratchet]
health = 0
"""


def test_the_health_gate_judges_the_score_and_the_ratchet_keeps_it_from_dropping(
    pytester: pytest.Pytester,
) -> None:
    root = write_project(pytester, GATED)
    write(
        pytester, "src/calc/__init__.py", "def one():\n    return 1\n\n\ndef two():\n    return 2\n"
    )
    write(
        pytester,
        "tests/test_calc.py",
        TESTS.format(more="\ndef test_two():\n    assert two() == 2\n"),
    )
    adopt = subprocess.run(
        [sys.executable, "-m", "pytest_healthgate.cli", "baseline", "--update", "--", "-q"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert adopt.returncode == 0, adopt.stdout + adopt.stderr
    assert "[gates.health]" in (root / ".healthgate" / "baseline.toml").read_text()
    whole = pytester.runpytest_subprocess("--healthgate", "-p", "no:cacheprovider")
    assert whole.ret == 0
    whole.stdout.fnmatch_lines(["health*100.0*95.0*90.0*PASS*"])
    document = json.loads((root / ".healthgate" / "last-run.json").read_text())
    jsonschema.validate(document, SCHEMA)
    assert [gate["name"] for gate in document["health"]["gates"]] == ["coverage", "pass_rate"]

    # One test fewer: coverage 75 % (50 % -> 85 points) is inside its bound, but the
    # score drops to 92.5: still above the health gate's fail, below the baseline's 100.
    write(pytester, "tests/test_calc.py", TESTS.format(more=""))
    worse = pytester.runpytest_subprocess("--healthgate", "-p", "no:cacheprovider")
    assert worse.ret == 1
    worse.stdout.fnmatch_lines(
        ["healthgate: FAIL health = 92.5: health 92.5 is below 95.0*worse than the baseline*"]
    )
    # Against the previous run and against the baseline, each with the file that moved.
    worse.stdout.fnmatch_lines(
        [
            "healthgate: health 100 -> 92.5: coverage -7.5 points"
            " (src/calc/__init__.py lost 1 covered line)",
            "healthgate: health 100 -> 92.5 since the baseline: coverage -7.5 points"
            " (src/calc/__init__.py +1 uncovered (lines 6))",
        ]
    )
    document = json.loads((root / ".healthgate" / "last-run.json").read_text())
    jsonschema.validate(document, SCHEMA)
    assert document["health"]["since_baseline"].startswith("health 100 -> 92.5 since the baseline")


def test_new_findings_are_named_by_file_when_the_score_moves(pytester: pytest.Pytester) -> None:
    write_project(
        pytester,
        """
        [tool.healthgate]
        default_gates = false
        source = ["src/calc"]

        [tool.healthgate.gates]
        pass_rate = { fail = 90 }
        debt = { fail = "2h" }
        """,
    )
    write(
        pytester, "src/calc/__init__.py", "def one():\n    return 1\n\n\ndef two():\n    return 2\n"
    )
    write(pytester, "tests/test_calc.py", TESTS.format(more=""))
    pytester.runpytest_subprocess("--healthgate", "-p", "no:cacheprovider")
    write(pytester, "src/calc/api.py", "# TODO: one\n# FIXME: two\nVALUE = 1\n")
    second = pytester.runpytest_subprocess("--healthgate", "-p", "no:cacheprovider")
    second.stdout.fnmatch_lines(
        ["healthgate: health 100 -> *: debt -* points (2 new findings in src/calc/api.py)"]
    )
