"""The `healthgate` command: --version, --help, and `run` handing pytest its arguments."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pytest_healthgate import __version__
from pytest_healthgate.cli import main


def command() -> list[str]:
    script = Path(sys.executable).parent / "healthgate"
    return [str(script)] if script.exists() else [shutil.which("healthgate") or "healthgate"]


def test_version_names_the_installed_version() -> None:
    completed = subprocess.run(
        [*command(), "--version"], capture_output=True, text=True, check=True
    )
    assert completed.stdout.strip() == f"healthgate {__version__}"


def test_help_describes_the_command_and_its_exit_statuses() -> None:
    completed = subprocess.run([*command(), "--help"], capture_output=True, text=True, check=True)
    assert completed.stdout.startswith("usage: healthgate")
    assert "Exit statuses" in completed.stdout


def test_run_passes_every_pytest_option_and_its_value_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.healthgate.gates]\ncoverage = false\n")
    (tmp_path / "test_two.py").write_text(
        "def test_keep():\n    pass\n\n\ndef test_drop():\n    assert False\n"
    )
    monkeypatch.chdir(tmp_path)
    assert main(["run", "-k", "drop", "-p", "no:cacheprovider"]) == 1
    assert "1 failed, 1 deselected" in capfd.readouterr().out
    assert main(["run", "--", "-k", "keep", "-p", "no:cacheprovider"]) == 0
    assert "1 passed, 1 deselected" in capfd.readouterr().out


SEEN_CONFTEST = """
import json
import os
import sys
from pathlib import Path


def _write(config, name, data):
    folder = Path(os.environ["SEEN_DIR"])
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(json.dumps(data))


def pytest_configure(config):
    if not hasattr(config, "workerinput"):
        seen = {"args": list(config.invocation_params.args), "argv": sys.argv[1:]}
        _write(config, "controller.json", seen)


def pytest_collection_finish(session):
    worker = getattr(session.config, "workerinput", {}).get("workerid", "controller")
    _write(session.config, f"collected-{worker}.json", [i.nodeid for i in session.items])
"""
SEEN_TESTS = {
    "tests/test_a.py": "def test_X_one():\n    pass\n\n\ndef test_X_two():\n    pass\n\n\n"
    "def test_other():\n    pass\n",
    "tests/test_b.py": "def test_X_b():\n    pass\n",
}


def seen_by_pytest(root: Path, command: list[str], label: str) -> dict[str, object]:
    """What pytest saw under ``command``: its arguments and what each process collected."""
    folder = root / f"seen-{label}"
    environment = {**os.environ, "SEEN_DIR": str(folder)}
    completed = subprocess.run(
        command, cwd=root, capture_output=True, text=True, check=False, env=environment
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    seen = json.loads((folder / "controller.json").read_text())
    seen["collected"] = sorted(
        {node for path in folder.glob("collected-*.json") for node in json.loads(path.read_text())}
    )
    seen["workers"] = sorted(path.name for path in folder.glob("collected-*.json"))
    seen["summary"] = completed.stdout.splitlines()[-1].split(" in ")[0]
    return seen


def test_run_hands_pytest_exactly_the_arguments_pytest_healthgate_would_get(
    tmp_path: Path,
) -> None:
    (tmp_path / "pyproject.toml").write_text(
        "[tool.healthgate]\ndefault_gates = false\n\n"
        "[tool.healthgate.gates]\npass_rate = { fail = 100 }\n"
    )
    (tmp_path / "conftest.py").write_text(SEEN_CONFTEST)
    for name, source in SEEN_TESTS.items():
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text(source)
    pytest_args = ["-k", "X", "-n", "2", "-p", "no:cacheprovider", "tests/test_a.py"]
    pytest_script = str(Path(sys.executable).parent / "pytest")
    direct = seen_by_pytest(tmp_path, [pytest_script, "--healthgate", *pytest_args], "pytest")
    through = seen_by_pytest(tmp_path, [*command(), "run", "--", *pytest_args], "run")
    assert through == direct
    assert direct["args"] == ["--healthgate", *pytest_args]
    assert direct["argv"] == direct["args"]
    assert direct["collected"] == ["tests/test_a.py::test_X_one", "tests/test_a.py::test_X_two"]
    assert direct["workers"] == ["collected-gw0.json", "collected-gw1.json"]
    assert direct["summary"].endswith("2 passed")
    # Without the --, the same.
    assert seen_by_pytest(tmp_path, [*command(), "run", *pytest_args], "bare") == direct


@pytest.mark.parametrize("flag", ["-h", "--help"])
def test_run_help_is_the_commands_and_points_at_pytests(flag: str) -> None:
    completed = subprocess.run(
        [*command(), "run", flag], capture_output=True, text=True, check=True
    )
    assert completed.stdout.startswith("usage: healthgate run [-h]")
    assert "`healthgate run -- --help` shows pytest's options" in completed.stdout.replace(
        "\n", " "
    )


def test_run_passes_help_on_to_pytest_after_the_separator(tmp_path: Path) -> None:
    completed = subprocess.run(
        [*command(), "run", "--", "--help"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "--healthgate-fail=GATE=BOUND" in completed.stdout
    assert "usage: healthgate run" not in completed.stdout


MISSING_PROJECT = """
[tool.healthgate]
source = ["src/elsewhere_only"]

[tool.healthgate.gates]
coverage = { fail = 50 }
"""


def test_run_in_another_environment_says_so_in_one_line(tmp_path: Path) -> None:
    # The project is not installed in this interpreter (as with a pipx-installed
    # healthgate): pytest cannot collect the tests, and the last line says why.
    (tmp_path / "src" / "elsewhere_only").mkdir(parents=True)
    (tmp_path / "src" / "elsewhere_only" / "__init__.py").write_text("VALUE = 1\n")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_it.py").write_text(
        "from elsewhere_only import VALUE\n\n\ndef test_it():\n    assert VALUE == 1\n"
    )
    (tmp_path / "pyproject.toml").write_text(MISSING_PROJECT)
    completed = subprocess.run(
        [*command(), "run", "-p", "no:cacheprovider"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 2, completed.stdout + completed.stderr
    assert completed.stderr.splitlines()[-1] == (
        f"healthgate: cannot run: elsewhere_only cannot be imported by {sys.executable}; "
        "run it with the project's environment active (the project and pytest-healthgate "
        "installed), or skip it (SKIP=healthgate)"
    )
    # A conftest.py that puts the code on the path is the project's environment too.
    (tmp_path / "conftest.py").write_text(
        "import sys\nfrom pathlib import Path\n\n"
        "sys.path.insert(0, str(Path(__file__).parent / 'src'))\n"
    )
    ran = subprocess.run(
        [*command(), "run", "-p", "no:cacheprovider"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "cannot run" not in ran.stderr
