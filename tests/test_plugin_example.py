"""The example plugin in examples/, installed by pip into a fresh venv beside healthgate."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "healthgate-largest-file"


@pytest.fixture(scope="module")
def plugin_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new venv that sees this one's packages (healthgate, pytest) and has the example installed.

    The venv gets no packages of its own but the example: a .pth file lends it this
    environment's site-packages (no network needed), and pip installs the example
    the way a user would, entry points and all.
    """
    # Built from a copy: pip builds in the source tree, and the workers of this
    # suite (one venv each) must not build in the same folder at once.
    source = tmp_path_factory.mktemp("plugin-source") / EXAMPLE.name
    shutil.copytree(EXAMPLE, source, ignore=shutil.ignore_patterns("build", "*.egg-info"))
    folder = tmp_path_factory.mktemp("plugin-venv")
    venv.create(folder, with_pip=False)
    python = folder / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # addsitedir, not a bare path: the editable install of healthgate is itself a .pth.
    lent = sysconfig.get_path("purelib")
    (Path(site) / "lend.pth").write_text(f"import site; site.addsitedir({lent!r})\n")
    subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            str(source),
        ],
        check=True,
        capture_output=True,
        env=_clean_environment(),
    )
    return python


def _clean_environment() -> dict[str, str]:
    # This suite measures its own subprocesses with coverage.py; the example's run
    # is about the plugin, not about this project's coverage.
    return {k: v for k, v in os.environ.items() if not k.startswith(("COVERAGE_", "COV_CORE"))}


def _all_pass(plugin_python: Path, tests: Path, tmp_path: Path) -> None:
    """The example's tests at ``tests`` pass in the plugin's venv, all four."""
    completed = subprocess.run(
        [
            *(str(plugin_python), "-m", "pytest", str(tests), "-q"),
            *("-p", "pytester", "-p", "no:cacheprovider", "--basetemp", str(tmp_path / "base")),
        ],
        capture_output=True,
        text=True,
        check=False,
        env=_clean_environment(),
        cwd=tmp_path,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "4 passed" in completed.stdout


def test_the_example_plugins_own_tests_pass_in_its_venv(
    plugin_python: Path, tmp_path: Path
) -> None:
    _all_pass(plugin_python, EXAMPLE / "tests", tmp_path)


def test_in_process_runs_judge_alike_when_nothing_imported_healthgate_before(
    plugin_python: Path, tmp_path: Path
) -> None:
    # The example's tests import healthgate's cli at the top, before their in-process
    # runs. A plugin's tests need not: pytester removes the modules each run imported,
    # and the next run must import them afresh rather than reach the removed copies
    # through the package's attributes (its count was then shown as a size, "4B").
    source = (EXAMPLE / "tests" / "test_largest_file.py").read_text()
    lazy = source.replace(
        "from pytest_healthgate.cli import main\n",
        "def main(argv):\n"
        "    from pytest_healthgate.cli import main as real\n\n"
        "    return real(argv)\n",
    )
    assert lazy != source
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_largest_file.py").write_text(lazy)
    _all_pass(plugin_python, tmp_path / "tests", tmp_path)


def test_without_the_plugin_its_table_is_refused_with_the_fix(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        "[tool.healthgate.plugins.largest_file]\ncount_blank = true\n"
    )
    (tmp_path / "test_x.py").write_text("def test_x():\n    pass\n")
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", "--healthgate", "-p", "no:cacheprovider"],
        capture_output=True,
        text=True,
        check=False,
        env=_clean_environment(),
        cwd=tmp_path,
    )
    assert completed.returncode == 4
    assert "no installed healthgate plugin is named 'largest_file'" in completed.stderr
