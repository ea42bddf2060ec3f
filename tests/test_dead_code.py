"""Dead code: vulture's findings counted in debt, with [tool.vulture] as vulture reads it."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from pytest_healthgate.collect.dead_code import measure
from pytest_healthgate.collect.lifecycle import CollectorContext
from pytest_healthgate.config import load
from tests.helpers import gate, last_run, write, write_project

ROOT = Path(__file__).resolve().parent.parent


def vulture_by_hand(root: Path, *arguments: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-m", "vulture", *arguments],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    return [line for line in done.stdout.splitlines() if line]


def findings_here(root: Path, confidence: int) -> list[str]:
    settings = load(root, root / "pyproject.toml")
    options = {**settings.section("dead_code"), "enabled": True, "min_confidence": confidence}
    dead, debt = measure(CollectorContext(settings, specs={}, options=options))
    assert debt.value == dead.value * options["minutes"] * 60  # each finding's minutes
    return [item.label for item in dead.items or []]


def test_this_repository_findings_are_vultures() -> None:
    ours = findings_here(ROOT, 60)
    files = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "src").rglob("*.py"))
    theirs = vulture_by_hand(ROOT, *files, "--min-confidence", "60")
    assert ours  # pytest's hook methods look unused to vulture: the comparison is on something
    assert ours == theirs


def test_the_projects_vulture_table_is_respected(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "core.py").write_text(
        textwrap.dedent(
            """
            import os


            def unused_helper():
                return 1


            def visit_node():
                return 2


            def kept_by_whitelist():
                return 3
            """
        )
    )
    (tmp_path / "whitelist.py").write_text(
        "from pkg.core import kept_by_whitelist\nkept_by_whitelist\n"
    )
    (tmp_path / "pyproject.toml").write_text(
        textwrap.dedent(
            """
            [tool.healthgate]
            source = ["pkg"]

            [tool.vulture]
            ignore_names = ["visit_*"]
            paths = ["pkg", "whitelist.py"]
            """
        )
    )
    ours = findings_here(tmp_path, 60)
    assert [label.split(": ", 1)[1] for label in ours] == [
        "unused import 'os' (90% confidence)",
        "unused function 'unused_helper' (60% confidence)",
    ]
    assert len(ours) == len(vulture_by_hand(tmp_path, "--min-confidence", "60"))


def test_enabled_it_adds_to_debt_without_a_gate_of_its_own(pytester: pytest.Pytester) -> None:
    root = write_project(
        pytester,
        """
        [tool.healthgate]
        default_gates = false
        source = ["src/calc"]

        [tool.healthgate.gates]
        debt = { fail = "1d" }

        [tool.healthgate.dead_code]
        enabled = true
        minutes = 10
        """,
    )
    write(pytester, "src/calc/core.py", "import os\n\n\ndef unused():\n    return 1\n")
    write(pytester, "tests/test_it.py", "def test_it():\n    assert True\n")
    pytester.runpytest_subprocess("--healthgate")
    document = last_run(root)
    assert "dead_code" not in {metric["name"] for metric in document["metrics"]}
    # The unused import (90 % confidence) at 10 minutes, beside ruff's own F401 for it;
    # the unused function (60 %) is below the default min_confidence of 80.
    debt = gate(document, "debt")
    vulture = [p for p in debt["extra"]["parts"] if "vulture" in p]
    assert vulture == [{"vulture": 1, "seconds": 10 * 60}]
    ruff = sum(f["costs"]["debt"] for f in document["findings"] if f["rule"].startswith("ruff:"))
    assert debt["value"] == ruff + 10 * 60
    rules = {finding["rule"] for finding in document["findings"]}
    assert "vulture:unused-import" in rules
    assert "vulture:unused-function" not in rules
