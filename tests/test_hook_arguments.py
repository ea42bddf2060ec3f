"""The hooks' shared arguments (``args:`` in .pre-commit-config.yaml): --config, --version,
and healthgate-complexity's --complexity RANK; run as the installed console scripts."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from pytest_healthgate import __version__
from tests.test_precommit_hooks import OLD, TANGLED, git

HOOK_SCRIPTS = [
    "healthgate-debt",
    "healthgate-complexity",
    "healthgate-markers",
    "healthgate-security",
    "healthgate-import-time",
    "healthgate-last-run",
]
# A project in a folder of the repository, allowing rank D: TANGLED (rank C) passes.
SUBPROJECT = """
[tool.healthgate]
source = ["src/app"]

[tool.healthgate.gates]
coverage = false
complexity = { fail = "D" }

[tool.healthgate.debt]
allowed_complexity = "D"
"""
STAGED = "proj/src/app/__init__.py"


def script(name: str) -> str:
    return str(Path(sys.executable).parent / name)


def run(root: Path, name: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [script(name), *args], cwd=root, capture_output=True, text=True, check=False
    )


@pytest.mark.parametrize("name", HOOK_SCRIPTS)
def test_every_hook_prints_its_name_and_version(tmp_path: Path, name: str) -> None:
    completed = run(tmp_path, name, "--version")
    assert (completed.returncode, completed.stdout) == (0, f"{name} {__version__}\n")


@pytest.fixture
def monorepo(tmp_path: Path) -> Path:
    """A git repository whose project lives in proj/, with a new rank C function staged."""
    package = tmp_path / "proj" / "src" / "app"
    package.mkdir(parents=True)
    (tmp_path / "proj" / "pyproject.toml").write_text(textwrap.dedent(SUBPROJECT))
    (package / "__init__.py").write_text(OLD.lstrip())
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "start")
    (package / "__init__.py").write_text(OLD.lstrip() + TANGLED)
    git(tmp_path, "add", "-A")
    return tmp_path


def test_config_points_a_hook_at_the_pyproject_of_a_project_in_a_subfolder(
    monorepo: Path,
) -> None:
    completed = run(monorepo, "healthgate-complexity", "--config", "proj/pyproject.toml", STAGED)
    assert (completed.returncode, completed.stdout, completed.stderr) == (0, "", "")


def test_complexity_sets_the_complexity_gates_fail_bound_for_the_hook(monorepo: Path) -> None:
    completed = run(
        monorepo,
        "healthgate-complexity",
        "--config",
        "proj/pyproject.toml",
        "--complexity",
        "B",
        STAGED,
    )
    assert completed.returncode == 1, completed.stderr
    # Paths are shown relative to the project's root (the folder of --config).
    assert completed.stdout.splitlines() == [
        "src/app/__init__.py:25: radon CC: tangled has cyclomatic complexity 14 "
        "(rank C; new) (+0 min of debt); FAIL: the complexity gate fails past B"
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--config", "nope/pyproject.toml"],
            "healthgate-complexity: --config nope/pyproject.toml: no such file; "
            "give the path of a pyproject.toml.\n",
        ),
        (
            ["--config", "proj/pyproject.toml", "--complexity", "G"],
            'healthgate-complexity: --complexity G: \'G\' is not a rank letter from "A" to "F".\n',
        ),
    ],
)
def test_a_bad_hook_argument_is_exit_status_two_with_the_fix(
    monorepo: Path, args: list[str], message: str
) -> None:
    completed = run(monorepo, "healthgate-complexity", *args, STAGED)
    assert (completed.returncode, completed.stdout, completed.stderr) == (2, "", message)


def test_only_healthgate_complexity_takes_complexity(monorepo: Path) -> None:
    completed = run(monorepo, "healthgate-debt", "--complexity", "B", STAGED)
    assert completed.returncode == 2
    assert "unrecognized arguments: --complexity" in completed.stderr
