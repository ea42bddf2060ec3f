"""healthgate-import-time: works with no config, and says in one line when it cannot run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(sys.executable).with_name("healthgate-import-time")


def project(root: Path, pyproject: str) -> Path:
    (root / "src" / "calc").mkdir(parents=True)
    (root / "src" / "calc" / "__init__.py").write_text("VALUE = 1\n")
    (root / "pyproject.toml").write_text(pyproject)
    return root


def hook(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(SCRIPT)], cwd=root, capture_output=True, text=True, check=False)


def test_with_the_default_playbook_it_times_the_derived_package(tmp_path: Path) -> None:
    root = project(tmp_path, '[tool.pytest.ini_options]\npythonpath = ["src"]\n')
    completed = hook(root)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "import calc" in completed.stdout
    assert completed.stdout.splitlines()[-1] == "healthgate: 2 passed, 0 warned, 0 failed"


@pytest.mark.parametrize(
    "pyproject",
    ["[project]\nname = 'calc'\n", '[tool.healthgate]\npackages = ["calc"]\n'],
    ids=["derived", "written"],
)
def test_outside_the_projects_environment_it_says_so_in_one_line(
    tmp_path: Path, pyproject: str
) -> None:
    completed = hook(project(tmp_path, pyproject))
    assert completed.returncode == 1
    assert completed.stdout.splitlines() == [
        f"healthgate-import-time: cannot run: calc cannot be imported by {sys.executable}; "
        "run it with the project's environment active (the project and pytest-healthgate "
        "installed), or skip it (SKIP=healthgate-import-time)"
    ]
    assert completed.stderr == ""


def test_a_missing_package_beside_a_found_one_is_an_error_naming_it(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        '[tool.healthgate]\npackages = ["calc", "absent"]\n\n'
        '[tool.pytest.ini_options]\npythonpath = ["src"]\n',
    )
    completed = hook(root)
    assert completed.returncode == 1
    assert "absent is not importable: there is no module named 'absent'" in completed.stdout
    assert completed.stdout.splitlines()[-1] == "healthgate: 0 passed, 0 warned, 0 failed, 2 error"


def test_with_every_import_gate_off_it_is_a_usage_error(tmp_path: Path) -> None:
    root = project(tmp_path, "[tool.healthgate]\ndefault_gates = false\n")
    completed = hook(root)
    assert completed.returncode == 2
    assert completed.stderr.startswith(
        "healthgate-import-time: no import gate is configured in [tool.healthgate.gates]"
    )
