"""The contracts gate: import-linter's broken contracts, as `lint-imports` reports them."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from pytest_healthgate.collect import contracts_child
from pytest_healthgate.collect.contracts import measure_contracts
from tests.helpers import gate, last_run

CONTRACTS = """
[tool.importlinter]
root_package = "shop"

[[tool.importlinter.contracts]]
name = "Core does not import the UI"
type = "forbidden"
source_modules = ["shop.core"]
forbidden_modules = ["shop.ui"]

[[tool.importlinter.contracts]]
name = "Layers"
type = "layers"
layers = ["shop.ui", "shop.core"]

[[tool.importlinter.contracts]]
name = "Core and UI do not import the tests"
type = "forbidden"
source_modules = ["shop.core", "shop.ui"]
forbidden_modules = ["shop.testing"]
"""


def shop(root: Path, core_imports_ui: bool) -> Path:
    for folder in ("src/shop/ui", "src/shop/core", "src/shop/testing"):
        (root / folder).mkdir(parents=True, exist_ok=True)
        (root / folder / "__init__.py").write_text("")
    (root / "src/shop/__init__.py").write_text("")
    logic = "from shop import ui\n" if core_imports_ui else "VALUE = 1\n"
    (root / "src/shop/core/logic.py").write_text(logic)
    (root / "src/shop/ui/view.py").write_text("from shop.core import logic\n")
    return root


def lint_imports_broken(root: Path) -> list[str]:
    """What `lint-imports` itself says is broken, run by hand in the project."""
    done = subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports"), "--no-cache"],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root / "src")},
        capture_output=True,
        text=True,
        check=False,
    )
    assert re.search(r"Contracts: \d+ kept, \d+ broken", done.stdout), done.stdout + done.stderr
    return re.findall(r"^(.+?) BROKEN$", done.stdout, re.M)


@pytest.mark.parametrize("core_imports_ui", [True, False], ids=["broken", "kept"])
def test_the_broken_contracts_are_those_lint_imports_reports(
    tmp_path: Path, core_imports_ui: bool
) -> None:
    root = shop(tmp_path, core_imports_ui)
    (root / "pyproject.toml").write_text(CONTRACTS)
    measured = measure_contracts(root)
    assert measured.error is None, measured.error
    assert measured.extra["broken"] == lint_imports_broken(root)
    assert measured.value == len(measured.extra["broken"])
    assert measured.value == (2 if core_imports_ui else 0)
    assert measured.extra["looked_at"] == {"contracts": 3}
    assert "shop" not in sys.modules  # the graph is read from files: nothing was imported


ROOT = Path(__file__).resolve().parent.parent


def test_this_repositorys_contracts_are_judged_as_lint_imports_judges_them(
    tmp_path: Path,
) -> None:
    assert measure_contracts(ROOT).extra["broken"] == lint_imports_broken(ROOT) == []
    assert measure_contracts(ROOT).extra["looked_at"] == {"contracts": 3}
    # A copy of the source where the score imports a command: both see the same break.
    copy = tmp_path / "repo"
    shutil.copytree(ROOT / "src", copy / "src", ignore=shutil.ignore_patterns("*.egg-info"))
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    score = copy / "src" / "pytest_healthgate" / "score.py"
    score.write_text(score.read_text() + "\nfrom pytest_healthgate.commands import trend\n")
    broken = lint_imports_broken(copy)
    assert broken == ["Nothing below the commands imports a command"]
    assert measure_contracts(copy).extra["broken"] == broken


def test_missing_or_invalid_contracts_are_an_error(tmp_path: Path) -> None:
    root = shop(tmp_path, True)
    (root / "pyproject.toml").write_text("[project]\nname = 'shop'\n")
    assert "no import-linter contracts found" in (measure_contracts(root).error or "")
    (root / "pyproject.toml").write_text(CONTRACTS.replace('type = "layers"', 'type = "nope"'))
    assert "import-linter could not check the contracts" in (measure_contracts(root).error or "")


def test_the_child_gives_the_same_verdict_in_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # What the gate's child process runs, run here (the child's lines are not measured):
    # the shop package is imported nowhere, so the path decides where grimp finds it.
    root = shop(tmp_path, True)
    (root / "pyproject.toml").write_text(CONTRACTS)
    monkeypatch.syspath_prepend(str(root / "src"))
    config = str(root / "pyproject.toml")
    assert contracts_child.check(config) == {
        "broken": lint_imports_broken(root),
        "kept": 1,
    }
    (root / "pyproject.toml").write_text(
        CONTRACTS.replace('source_modules = ["shop.core"]', 'source_modules = ["shop.nowhere"]')
    )
    said = contracts_child.check(config)["error"]
    assert said.startswith("import-linter")
    assert "shop.nowhere" in said


def test_a_check_that_cannot_start_or_answer_is_an_error(tmp_path: Path) -> None:
    root = shop(tmp_path, True)
    (root / "pyproject.toml").write_text(CONTRACTS)
    # A limit no interpreter can start within: the gate says so, it does not hang or pass.
    said = measure_contracts(root, seconds=0.0).error or ""
    assert said.startswith("import-linter failed: import-linter did not finish within")


def test_a_gated_run_fails_naming_the_broken_contracts(pytester: pytest.Pytester) -> None:
    root = shop(pytester.path, True)
    (root / "pyproject.toml").write_text(
        textwrap.dedent(
            """
            [tool.pytest.ini_options]
            pythonpath = ["src"]

            [tool.healthgate]
            default_gates = false
            source = ["src/shop"]

            [tool.healthgate.gates]
            contracts = { fail = 0 }
            """
        )
        + CONTRACTS
    )
    (root / "tests").mkdir()
    (root / "tests" / "test_it.py").write_text("def test_it():\n    assert True\n")
    result = pytester.runpytest_subprocess("--healthgate")
    assert result.ret == 1
    figure = gate(last_run(root), "contracts")
    assert [d["label"] for d in figure["details"]] == ["Core does not import the UI", "Layers"]
    result.stdout.fnmatch_lines(["contracts*2*0*FAIL*"])
