"""The structure gate: required files and folders, looked for inside the project only."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from pytest_healthgate.collect.structure import present
from pytest_healthgate.config import ConfigError, load
from tests.helpers import gate, last_run, write, write_project

PLAYBOOK = """
[tool.healthgate]
default_gates = false
source = ["src/calc"]

[tool.healthgate.gates]
structure = { fail = 0 }

[tool.healthgate.structure]
required = ["README*", "LICENSE", "CHANGELOG.md", "tests/", "docs/"]
"""


def test_globs_match_without_case_and_a_slash_asks_for_a_folder(tmp_path: Path) -> None:
    (tmp_path / "readme.rst").write_text("hello")
    (tmp_path / "docs").write_text("a file, not a folder")
    (tmp_path / "tests").mkdir()
    assert present(tmp_path, "README*")
    assert present(tmp_path, "tests/")
    assert present(tmp_path, "docs")  # a file answers an entry without a slash
    assert not present(tmp_path, "docs/")
    assert not present(tmp_path, "LICENSE*")
    (tmp_path / "tests" / "conftest.py").write_text("")
    assert present(tmp_path, "tests/conftest.py")
    assert present(tmp_path, "Tests/*.py")


def test_a_symlink_leading_out_of_the_project_does_not_count(tmp_path: Path) -> None:
    outside, project = tmp_path / "outside", tmp_path / "project"
    outside.mkdir()
    project.mkdir()
    (outside / "LICENSE").write_text("MIT")
    (project / "LICENSE").symlink_to(outside / "LICENSE")
    assert not present(project, "LICENSE")


@pytest.mark.parametrize("entry", ["../LICENSE", "/etc/passwd", "docs/../../x", " "])
def test_an_entry_outside_the_project_is_a_config_error(tmp_path: Path, entry: str) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(f"[tool.healthgate.structure]\nrequired = [{entry!r}]\n")
    with pytest.raises(ConfigError, match=r"structure.*required.*relative to the project root"):
        load(tmp_path, pyproject)


def test_the_gate_names_what_is_missing_in_a_gated_run(pytester: pytest.Pytester) -> None:
    root = write_project(pytester, PLAYBOOK)
    write(pytester, "README.md", "# calc\n")
    write(pytester, "tests/test_calc.py", "def test_one():\n    assert True\n")
    result = pytester.runpytest_subprocess("--healthgate")
    assert result.ret == 1
    result.stdout.fnmatch_lines(["structure*3*0*FAIL*", "*LICENSE*required by*"])
    figure = gate(last_run(root), "structure")
    assert figure["value"] == 3
    assert figure["extra"]["missing"] == ["LICENSE", "CHANGELOG.md", "docs/"]
    for name in ("LICENSE", "CHANGELOG.md"):
        write(pytester, name, "text\n")
    (root / "docs").mkdir()
    assert pytester.runpytest_subprocess("--healthgate").ret == 0
    assert gate(last_run(root), "structure")["value"] == 0


def test_check_judges_it_without_tests_and_zero_config_only_warns(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "calc"\n')
    (tmp_path / "calc.py").write_text("VALUE = 1\n")
    (tmp_path / "README.md").write_text("# calc\n")
    done = subprocess.run(
        [sys.executable, "-m", "pytest_healthgate.cli", "check"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "WARN structure = 1" in done.stdout
    assert "LICENSE*" in done.stdout


def test_this_repository_has_every_file_it_requires() -> None:
    root = Path(__file__).parent.parent
    settings = load(root, root / "pyproject.toml")
    required = settings.section("structure")["required"]
    assert "LICENSE" in required
    assert [entry for entry in required if not present(root, entry)] == []
