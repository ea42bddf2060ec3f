"""healthgate-last-run: the recorded run judged against today's config, refused when stale."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import last_run, write, write_project

GATES = """
[tool.healthgate]
default_gates = false
source = ["src/calc"]

[tool.healthgate.gates]
pass_rate = {{ fail = 100 }}

[tool.healthgate.gates.coverage]
fail = {fail}

[tool.healthgate.gates.coverage.paths]
"src/calc/extra.py" = {floor}
"""


def recorded_project(pytester: pytest.Pytester) -> Path:
    root = write_project(pytester, GATES.format(fail=50, floor=0))
    write(pytester, "src/calc/__init__.py", "def one():\n    return 1\n")
    write(pytester, "src/calc/extra.py", "def two():\n    return 2\n")
    write(
        pytester,
        "tests/test_one.py",
        "from calc import one\n\ndef test_one():\n    assert one() == 1\n",
    )
    assert pytester.runpytest_subprocess("--healthgate").ret == 0
    return root


def last_run_hook(root: Path, *changed: str) -> subprocess.CompletedProcess[str]:
    """The hook as pre-commit runs it, given the changed files (default: a source file)."""
    script = Path(sys.executable).with_name("healthgate-last-run")
    names = changed or ("src/calc/__init__.py",)
    return subprocess.run(
        [str(script), *names], cwd=root, capture_output=True, text=True, check=False
    )


NOT_CHECKED = (
    "healthgate-last-run: the change touches none of the project's Python files "
    "nor its configuration; the last recorded run is not checked"
)


def test_a_change_outside_the_python_files_passes_without_a_record(
    pytester: pytest.Pytester,
) -> None:
    root = write_project(pytester, GATES.format(fail=50, floor=0))
    write(pytester, "README.md", "# calc\n")
    write(pytester, ".pre-commit-config.yaml", "repos: []\n")
    completed = last_run_hook(root, "README.md", ".pre-commit-config.yaml")
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert completed.stdout.strip() == NOT_CHECKED


def test_a_change_to_the_hook_config_passes_beside_a_stale_record(
    pytester: pytest.Pytester,
) -> None:
    root = recorded_project(pytester)
    (root / "src" / "calc" / "extra.py").write_text("def two():\n    return 3\n")
    write(pytester, ".pre-commit-config.yaml", "repos: []\n")
    completed = last_run_hook(root, ".pre-commit-config.yaml")
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert completed.stdout.strip() == NOT_CHECKED


def test_an_excluded_python_file_is_not_what_the_record_measured(
    pytester: pytest.Pytester,
) -> None:
    root = write_project(
        pytester,
        GATES.format(fail=50, floor=0).replace(
            "default_gates", 'exclude = ["tools/**"]\ndefault_gates'
        ),
    )
    write(pytester, "tools/release.py", "print('release')\n")
    completed = last_run_hook(root, "tools/release.py")
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert completed.stdout.strip() == NOT_CHECKED


@pytest.mark.parametrize("changed", ["src/calc/extra.py", "tests/test_one.py"])
def test_a_change_to_a_python_file_of_the_project_checks_the_record(
    pytester: pytest.Pytester, changed: str
) -> None:
    root = write_project(pytester, GATES.format(fail=50, floor=0))
    write(pytester, "src/calc/extra.py", "def two():\n    return 2\n")
    write(pytester, "tests/test_one.py", "def test_one():\n    pass\n")
    completed = last_run_hook(root, "README.md", changed)
    assert completed.returncode == 1
    assert completed.stdout.strip() == (
        ".healthgate/last-run.json: no recorded run; "
        "run `pytest --healthgate` to record a fresh run"
    )


def test_a_change_to_the_configuration_judges_the_record_by_it(
    pytester: pytest.Pytester,
) -> None:
    root = recorded_project(pytester)
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace("fail = 50", "fail = 60"))
    completed = last_run_hook(root, "pyproject.toml")
    assert completed.returncode == 1
    assert "healthgate: FAIL coverage = 50%: coverage 50% is below 60%" in completed.stdout


def test_an_unchanged_tree_passes_on_the_recorded_figures(pytester: pytest.Pytester) -> None:
    root = recorded_project(pytester)
    completed = last_run_hook(root)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert completed.stdout.splitlines()[-1] == "healthgate: 2 passed, 0 warned, 0 failed"


def test_a_changed_source_file_makes_the_record_stale(pytester: pytest.Pytester) -> None:
    root = recorded_project(pytester)
    (root / "src" / "calc" / "extra.py").write_text("def two():\n    return 3\n")
    completed = last_run_hook(root)
    assert completed.returncode == 1
    assert completed.stdout.strip() == (
        ".healthgate/last-run.json: older than the sources: src/calc/extra.py changed since; "
        "run `pytest --healthgate` to record a fresh run"
    )


def test_a_new_test_file_makes_the_record_stale(pytester: pytest.Pytester) -> None:
    root = recorded_project(pytester)
    write(pytester, "tests/test_new.py", "def test_new():\n    pass\n")
    completed = last_run_hook(root)
    assert completed.returncode == 1
    assert "tests/test_new.py changed since" in completed.stdout


def test_tightened_bounds_apply_to_the_recorded_figures(pytester: pytest.Pytester) -> None:
    root = recorded_project(pytester)
    # Coverage was 50%: __init__.py 2 of 2 statements, extra.py (never imported) 0 of 2.
    (root / "pyproject.toml").write_text(
        (root / "pyproject.toml")
        .read_text()
        .replace('"src/calc/extra.py" = 0', '"src/calc/extra.py" = 60')
    )
    completed = last_run_hook(root)
    assert completed.returncode == 1
    assert (
        "healthgate: FAIL coverage = 50%: src/calc/extra.py 0% is below its floor 60% "
        "(src/calc/extra.py)" in completed.stdout
    )


def test_a_missing_record_asks_for_a_run(pytester: pytest.Pytester) -> None:
    root = write_project(pytester, GATES.format(fail=50, floor=0))
    completed = last_run_hook(root)
    assert completed.returncode == 1
    assert completed.stdout.strip() == (
        ".healthgate/last-run.json: no recorded run; "
        "run `pytest --healthgate` to record a fresh run"
    )


def test_without_file_names_the_record_is_always_checked(pytester: pytest.Pytester) -> None:
    root = write_project(pytester, GATES.format(fail=50, floor=0))
    script = Path(sys.executable).with_name("healthgate-last-run")
    completed = subprocess.run([script], cwd=root, capture_output=True, text=True, check=False)
    assert completed.returncode == 1
    assert completed.stdout.startswith(".healthgate/last-run.json: no recorded run; ")


def test_a_corrupt_record_is_reported_not_a_traceback(pytester: pytest.Pytester) -> None:
    root = recorded_project(pytester)
    (root / ".healthgate" / "last-run.json").write_text("{not json")
    completed = last_run_hook(root)
    assert completed.returncode == 1
    assert completed.stdout.startswith(".healthgate/last-run.json: cannot be read (")
    assert "Traceback" not in completed.stderr


def test_a_gate_the_last_run_did_not_measure_is_an_error(pytester: pytest.Pytester) -> None:
    root = recorded_project(pytester)
    pyproject = root / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace(
            "pass_rate = { fail = 100 }", 'pass_rate = { fail = 100 }\ncomplexity = { fail = "D" }'
        )
    )
    completed = last_run_hook(root)
    assert completed.returncode == 1
    assert "complexity" in completed.stdout
    assert "not measured by the last run" in completed.stdout


def test_a_bad_configuration_is_a_clear_error(pytester: pytest.Pytester) -> None:
    root = recorded_project(pytester)
    (root / "pyproject.toml").write_text("[tool.healthgate.gates]\ncoverage = { fial = 1 }\n")
    completed = last_run_hook(root)
    assert completed.returncode == 2
    assert "fial = 1: unknown key" in completed.stderr
    assert "Traceback" not in completed.stderr


def test_digests_of_another_run_are_never_paired_with_the_record(
    pytester: pytest.Pytester,
) -> None:
    # A run killed between its two writes leaves its digests (written first)
    # beside the previous run's record (written last): the two must not pair.
    root = recorded_project(pytester)
    digests = root / ".healthgate" / "last-run.sources.json"
    document = json.loads(digests.read_text())
    assert (
        document["run_id"]
        == json.loads((root / ".healthgate" / "last-run.json").read_text())["run"]["run_id"]
    )
    document["run_id"] = "f" * 32
    digests.write_text(json.dumps(document))
    completed = last_run_hook(root)
    assert completed.returncode == 1
    assert "does not say which sources it measured" in completed.stdout


def test_a_record_behind_a_symlinked_state_folder_is_refused(
    pytester: pytest.Pytester, tmp_path_factory: pytest.TempPathFactory
) -> None:
    root = recorded_project(pytester)
    elsewhere = tmp_path_factory.mktemp("elsewhere") / "state"
    (root / ".healthgate").rename(elsewhere)
    (root / ".healthgate").symlink_to(elsewhere)
    completed = last_run_hook(root)
    assert completed.returncode == 1
    assert "is a symlink" in completed.stdout


RATCHETED = """
[tool.healthgate]
default_gates = false
source = ["src/calc"]

[tool.healthgate.gates]
coverage = { fail = 60 }

[tool.healthgate.ratchet]
coverage = 0.1
"""


LOOK_AT = "run `coverage report -m` and cover the files with most missing lines"


def row(table: str, gate_name: str) -> str:
    return next(line for line in table.splitlines() if line.startswith(f"{gate_name} "))


def verdicts(document: dict[str, Any]) -> dict[str, tuple[str, str | None]]:
    return {m["name"]: (m["verdict"], m.get("origin")) for m in document["metrics"]}


def test_with_a_baseline_the_ratchet_is_judged_as_the_recorded_run_judged_it(
    pytester: pytest.Pytester,
) -> None:
    root = write_project(pytester, RATCHETED)
    write(pytester, "src/calc/__init__.py", "def one():\n    return 1\n")
    write(pytester, "src/calc/extra.py", "def two():\n    return 2\n")
    write(
        pytester, "tests/test_one.py", "from calc import one\n\ndef test_one():\n    assert one()\n"
    )
    healthgate = Path(sys.executable).with_name("healthgate")
    update = [str(healthgate), "baseline", "--update"]
    written = subprocess.run(update, cwd=root, capture_output=True, text=True, check=False)
    assert written.returncode == 0, written.stdout + written.stderr
    # 50% is past the bound of 60%, as it was in the baseline: inherited, a warning.
    assert pytester.runpytest_subprocess("--healthgate").ret == 0
    assert verdicts(last_run(root))["coverage"] == ("WARN", "inherited")
    inherited = last_run_hook(root)
    assert inherited.returncode == 0, inherited.stdout + inherited.stderr
    assert row(inherited.stdout, "coverage").split(maxsplit=6)[1:] == [
        "50%",
        "-",
        "60%",
        "WARN",
        "(inherited)",
        LOOK_AT,
    ]
    # New uncovered lines make it worse than the baseline: introduced, a failure.
    write(pytester, "src/calc/extra.py", "def two():\n    return 2\n\ndef three():\n    return 3\n")
    recorded = pytester.runpytest_subprocess("--healthgate")
    assert recorded.ret == 1
    assert verdicts(last_run(root))["coverage"] == ("FAIL", "introduced")
    introduced = last_run_hook(root)
    assert introduced.returncode == 1
    assert row(introduced.stdout, "coverage").split()[1:6] == [
        "33%",
        "-",
        "60%",
        "FAIL",
        "(introduced)",
    ]
    failed = (
        "healthgate: FAIL coverage = 33%: coverage 33% is below 60%; worse than the baseline: "
        "2 more uncovered lines and branches than the baseline (33.33% against 50.00%): "
        "src/calc/extra.py +2 uncovered (lines 1-2, 4-5)"
    )
    assert failed in recorded.outlines
    assert failed in introduced.stdout.splitlines()
