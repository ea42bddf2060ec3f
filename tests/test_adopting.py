"""Adopting healthgate on a project with debt: init, a committed baseline, the ratchet.

Every step runs the real commands in a real git repository: `healthgate init`
(which runs the test suite under `pytest --healthgate`), then changes a user
would make, each judged by a real `pytest --healthgate` run against the
baseline init wrote. The project, examples/legacy (also `make demo`'s second
part), has what a real legacy codebase has: a function of complexity F nobody
tests, a high-severity bandit finding and 40 % coverage.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

LEGACY = Path(__file__).parent.parent / "examples" / "legacy"
PYPROJECT = (LEGACY / "pyproject.toml").read_text()
CORE = (LEGACY / "src" / "legacy" / "core.py").read_text()
SHAPES = (LEGACY / "src" / "legacy" / "shapes.py").read_text()


def git(root: Path, *args: str) -> str:
    completed = subprocess.run(
        ["git", "-c", "user.email=dev@example.com", "-c", "user.name=dev", *args],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    return completed.stdout


def healthgate(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest_healthgate.cli", *args],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )


def gated_run(root: Path) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    report = root / ".healthgate" / "test-report.json"
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--healthgate",
            f"--healthgate-report=json:{report}",
            "-p",
            "no:cacheprovider",
        ],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    document = json.loads(report.read_text()) if report.is_file() else {}
    return completed, document


def metric(document: dict[str, Any], name: str) -> dict[str, Any]:
    for entry in document["metrics"]:
        if entry["name"] == name:
            found: dict[str, Any] = entry
            return found
    raise AssertionError(f"no gate {name}")


def write_legacy(root: Path) -> None:
    """examples/legacy, in a git repository of its own."""
    shutil.copytree(LEGACY, root, dirs_exist_ok=True)
    (root / ".gitignore").write_text(".coverage\n")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "legacy")


@pytest.fixture(scope="module")
def adopted_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The legacy project after `healthgate init`, committed (built once per module)."""
    root = tmp_path_factory.mktemp("adopted") / "legacy"
    root.mkdir()
    write_legacy(root)
    completed = healthgate(root, "init")
    assert completed.returncode == 0, completed.stdout + completed.stderr
    git(root, "add", "-A")
    git(root, "commit", "-qm", "adopt healthgate")
    return root


@pytest.fixture
def adopted(adopted_template: Path, tmp_path: Path) -> Path:
    root = tmp_path / "legacy"
    shutil.copytree(adopted_template, root, symlinks=True)
    return root


def test_zero_config_shows_every_gate_and_fails_nothing_the_project_has(tmp_path: Path) -> None:
    write_legacy(tmp_path)
    completed, document = gated_run(tmp_path)
    assert completed.returncode == 0, completed.stdout
    names = {entry["name"] for entry in document["metrics"]}
    expected = {"coverage", "pass_rate", "debt", "complexity", "critical"}
    assert expected <= names
    assert metric(document, "complexity")["verdict"] == "WARN"
    assert metric(document, "critical")["verdict"] == "WARN"
    # Every figure says how much it looked at: nothing is judged on nothing.
    for entry in document["metrics"]:
        if entry["verdict"] in ("PASS", "WARN", "FAIL"):
            looked_at = entry["extra"]["looked_at"]
            assert looked_at, entry["name"]
            assert all(count > 0 for count in looked_at.values()), (entry["name"], looked_at)
    assert "healthgate init" in completed.stdout


def test_init_keeps_every_byte_of_pyproject_outside_its_table_and_says_what_next(
    tmp_path: Path,
) -> None:
    write_legacy(tmp_path)
    completed = healthgate(tmp_path, "init")
    assert completed.returncode == 0, completed.stdout + completed.stderr
    text = (tmp_path / "pyproject.toml").read_text()
    # Everything the file had is still there, byte for byte; the new table follows it.
    assert text.startswith(PYPROJECT)
    added = text[len(PYPROJECT) :]
    assert added.lstrip().startswith("[tool.healthgate]")
    assert 'source = ["src/legacy"]' in added
    assert 'packages = ["legacy"]' in added
    assert "[tool.healthgate.ratchet]" in added
    baseline = (tmp_path / ".healthgate" / "baseline.toml").read_text()
    assert "[gates.complexity]" in baseline
    assert "[tools]" in baseline
    assert "B602" in baseline
    for step in ("git add", "pre-commit", "pytest --healthgate"):
        assert step in completed.stdout
    # The baseline is meant to be committed: git does not ignore it.
    git(tmp_path, "add", "-A")
    tracked = git(tmp_path, "ls-files", ".healthgate")
    assert ".healthgate/baseline.toml" in tracked.split()


def test_init_refuses_an_existing_table_without_force_and_dry_run_writes_nothing(
    adopted: Path,
) -> None:
    before = (adopted / "pyproject.toml").read_text()
    refused = healthgate(adopted, "init", "--no-tests")
    assert refused.returncode == 2
    assert "--force" in refused.stderr
    baseline_before = (adopted / ".healthgate" / "baseline.toml").read_bytes()
    dry = healthgate(adopted, "init", "--no-tests", "--force", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "[tool.healthgate]" in dry.stdout
    assert "[gates.debt]" in dry.stdout
    assert 'legacy = "warn"' in dry.stdout
    assert (adopted / "pyproject.toml").read_text() == before
    assert (adopted / ".healthgate" / "baseline.toml").read_bytes() == baseline_before


def test_after_init_the_inherited_debt_warns_and_an_unrelated_change_passes(
    adopted: Path,
) -> None:
    shapes = adopted / "src" / "legacy" / "shapes.py"
    shapes.write_text(SHAPES.replace("Shapes.", "Shapes of things."))
    completed, document = gated_run(adopted)
    assert completed.returncode == 0, completed.stdout
    complexity = metric(document, "complexity")
    assert (complexity["verdict"], complexity["origin"]) == ("WARN", "inherited")
    assert "WARN (inherited)" in completed.stdout


def test_a_new_todo_and_a_new_high_finding_fail_naming_exactly_them(adopted: Path) -> None:
    core = adopted / "src" / "legacy" / "core.py"
    core.write_text(
        CORE
        + textwrap.dedent(
            '''

            def deploy(target):
                """Deploy."""
                # TODO: check the target first
                return subprocess.call("deploy " + target, shell=True)
            '''
        )
    )
    completed, document = gated_run(adopted)
    assert completed.returncode == 1
    debt = metric(document, "debt")
    assert debt["verdict"] == "FAIL"
    added = debt["baseline"]["added"]
    assert len(added) == 2, added
    assert any("TODO: check the target first" in label for label in added)
    assert any("B602" in label for label in added)
    critical = metric(document, "critical")
    assert (critical["verdict"], critical["origin"]) == ("FAIL", "introduced")
    assert [label.split(":")[0:2] for label in critical["baseline"]["added"]] == [
        ["src/legacy/core.py", str(CORE.count("\n") + 6)]
    ]


def test_uncovered_lines_added_fail_naming_the_file_and_lines(adopted: Path) -> None:
    shapes = adopted / "src" / "legacy" / "shapes.py"
    shapes.write_text(
        SHAPES
        + textwrap.dedent(
            """

            def volume(width, height, depth):
                if depth < 0:
                    raise ValueError(depth)
                return width * height * depth
            """
        )
    )
    completed, document = gated_run(adopted)
    assert completed.returncode == 1, completed.stdout
    coverage = metric(document, "coverage")
    assert coverage["verdict"] == "FAIL"
    first = SHAPES.count("\n") + 4  # the body of volume: after two blank lines and the def
    assert coverage["baseline"]["files"] == [
        f"src/legacy/shapes.py +3 uncovered (lines {first}-{first + 2})"
    ]


def test_moving_a_function_to_another_file_passes(adopted: Path) -> None:
    core = adopted / "src" / "legacy" / "core.py"
    text = core.read_text()
    start, end = text.index("def tangled"), text.index("def run(")
    (adopted / "src" / "legacy" / "tangle.py").write_text(
        '"""Moved out of core."""\n\n\n' + text[start:end].rstrip() + "\n"
    )
    core.write_text(text[:start] + text[end:])
    tests = adopted / "tests" / "test_legacy.py"
    tests.write_text("import legacy.tangle  # the moved function\n" + tests.read_text())
    completed, document = gated_run(adopted)
    assert completed.returncode == 0, completed.stdout
    complexity = metric(document, "complexity")
    assert complexity["origin"] == "inherited"
    assert complexity["baseline"]["added"] == []
    assert metric(document, "debt")["baseline"]["added"] == []
    assert metric(document, "coverage")["baseline"]["worse"] is False


def test_legacy_fail_keeps_absolute_bounds_absolute(adopted: Path) -> None:
    pyproject = adopted / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('legacy = "warn"', 'legacy = "fail"'))
    completed, document = gated_run(adopted)
    assert completed.returncode == 1
    complexity = metric(document, "complexity")
    assert (complexity["verdict"], complexity["origin"]) == ("FAIL", "inherited")


def test_update_refuses_worse_figures_unless_a_reason_is_given(adopted: Path) -> None:
    core = adopted / "src" / "legacy" / "core.py"
    core.write_text(CORE + "\n\n# FIXME: later\n")
    refused = healthgate(adopted, "baseline", "--update", "--no-tests")
    assert refused.returncode == 1
    assert "debt" in refused.stderr
    assert "--allow-worse" in refused.stderr
    no_reason = healthgate(adopted, "baseline", "--update", "--no-tests", "--allow-worse")
    assert no_reason.returncode == 2
    accepted = healthgate(
        adopted, "baseline", "--update", "--no-tests", "--allow-worse", "--reason", "ship it"
    )
    assert accepted.returncode == 0, accepted.stderr
    baseline = (adopted / ".healthgate" / "baseline.toml").read_text()
    assert 'reason = "ship it"' in baseline
    assert "FIXME: later" in baseline
    completed, _document = gated_run(adopted)
    assert completed.returncode == 0, completed.stdout


def test_better_figures_are_proposed_for_the_baseline(adopted: Path) -> None:
    core = adopted / "src" / "legacy" / "core.py"
    start, end = CORE.index("def run("), CORE.index("def add(")
    # The unsafe helper is gone, and the import only it needed.
    core.write_text((CORE[:start] + CORE[end:]).replace("import subprocess\n", ""))
    completed, document = gated_run(adopted)
    assert completed.returncode == 0, completed.stdout
    critical = metric(document, "critical")
    assert critical["baseline"]["better"] is True
    assert "healthgate baseline --update" in critical["hint"]


def test_a_tool_upgrade_is_not_a_regression(adopted: Path) -> None:
    """Rewrite the baseline as an older ruff would have left it: one finding fewer.

    Installing two ruff versions is not possible offline, so the baseline - which
    is only data - is edited to what the older version reported.
    """
    import tomllib

    import tomli_w

    path = adopted / ".healthgate" / "baseline.toml"
    document = tomllib.loads(path.read_text())
    items = document["gates"]["debt"]["items"]
    dropped = next(item for item in items if item["rule"].startswith("bandit:B404"))
    items.remove(dropped)
    same_tools = tomli_w.dumps(document)
    document["tools"]["bandit"] = "0.0.1"
    path.write_text(tomli_w.dumps(document))
    completed, report = gated_run(adopted)
    assert completed.returncode == 0, completed.stdout
    debt = metric(report, "debt")
    assert debt["baseline"]["tool_upgrade"]
    assert not debt["baseline"]["added"]
    assert "tool upgrade" in debt["reason"]
    # The same finding with the same tool versions is new debt.
    path.write_text(same_tools)
    completed, report = gated_run(adopted)
    assert completed.returncode == 1
    assert metric(report, "debt")["baseline"]["added_count"] == 1


def test_a_ratchet_without_a_baseline_is_an_error_that_says_what_to_run(adopted: Path) -> None:
    (adopted / ".healthgate" / "baseline.toml").unlink()
    completed, document = gated_run(adopted)
    assert completed.returncode == 1
    coverage = metric(document, "coverage")
    assert coverage["verdict"] == "ERROR"
    assert "healthgate baseline --update" in coverage["reason"]


def test_a_corrupt_baseline_is_an_error_and_update_rebuilds_it(adopted: Path) -> None:
    path = adopted / ".healthgate" / "baseline.toml"
    path.write_text(path.read_text().replace("format = 1", 'format = "one"'))
    completed, document = gated_run(adopted)
    assert completed.returncode == 1
    assert "not a healthgate baseline" in metric(document, "debt")["reason"]
    rebuilt = healthgate(adopted, "baseline", "--update")
    assert rebuilt.returncode == 0, rebuilt.stdout + rebuilt.stderr
    completed, _document = gated_run(adopted)
    assert completed.returncode == 0, completed.stdout


def test_check_on_some_paths_compares_findings_and_never_totals(adopted: Path) -> None:
    clean = healthgate(adopted, "check", "src/legacy/shapes.py", "--format", "json")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    debt = metric(json.loads(clean.stdout), "debt")
    assert debt["baseline"]["better"] is False  # fewer findings in one file is not progress
    core = adopted / "src" / "legacy" / "core.py"
    core.write_text(CORE + "\n\n# XXX: remove before release\n")
    dirty = healthgate(adopted, "check", "src/legacy/core.py", "--format", "json")
    assert dirty.returncode == 1
    added = metric(json.loads(dirty.stdout), "debt")["baseline"]["added"]
    assert len(added) == 1
    assert "XXX: remove before release" in added[0]


def test_deleting_well_tested_code_does_not_lock_the_branch_out(adopted: Path) -> None:
    """The total drops when covered lines leave, but nothing uncovered was added."""
    (adopted / "src" / "legacy" / "tables.py").unlink()
    tests = adopted / "tests" / "test_legacy.py"
    text = tests.read_text().replace("import legacy.tables\n", "")
    tests.write_text(text[: text.index("def test_tables")].rstrip() + "\n")
    completed, document = gated_run(adopted)
    assert completed.returncode == 0, completed.stdout
    coverage = metric(document, "coverage")
    assert coverage["value"] < coverage["baseline"]["value"]  # the ratio fell...
    assert coverage["baseline"]["worse"] is False  # ...yet nothing got worse


def test_a_new_public_name_without_a_docstring_fails_and_deleting_a_documented_one_does_not(
    adopted: Path,
) -> None:
    shapes = adopted / "src" / "legacy" / "shapes.py"
    shapes.write_text(SHAPES + "\n\ndef volume(size):\n    return size**3\n")
    completed, document = gated_run(adopted)
    assert completed.returncode == 1, completed.stdout
    docstrings = metric(document, "docstrings")
    assert docstrings["verdict"] == "FAIL"
    assert docstrings["baseline"]["added"] == [
        f"src/legacy/shapes.py:{len(SHAPES.splitlines()) + 3}: function volume has no docstring"
    ]
    # Deleting documented code lowers the share, but adds no undocumented name: no failure.
    before = docstrings["baseline"]["value"]
    shapes.write_text(SHAPES)
    (adopted / "src" / "legacy" / "__init__.py").unlink()  # documented, and nothing else
    completed, document = gated_run(adopted)
    docstrings = metric(document, "docstrings")
    assert docstrings["value"] < before
    assert docstrings["baseline"]["added"] == []
    assert docstrings["verdict"] != "FAIL", docstrings["reason"]
