"""The docstrings gate: interrogate's own figure, [tool.interrogate] read as interrogate does."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from pytest_healthgate.collect.docstrings import measure_docstrings
from tests.helpers import gate, last_run, write, write_project

ROOT = Path(__file__).resolve().parent.parent
INTERROGATE = [sys.executable, "-m", "interrogate"]


def interrogate_says(root: Path, *paths: str) -> float:
    """The percentage `interrogate` itself prints for ``paths`` in ``root``."""
    done = subprocess.run(
        [*INTERROGATE, "--fail-under", "0", *paths],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    found = re.search(r"actual: ([\d.]+)%", done.stdout)
    assert found is not None, done.stdout + done.stderr
    return float(found.group(1))


def test_this_repository_figure_is_interrogates() -> None:
    measured = measure_docstrings(ROOT, ("src/pytest_healthgate",))
    assert measured.error is None
    assert measured.value is not None
    assert round(measured.value, 1) == interrogate_says(ROOT, "src/pytest_healthgate")
    missing = measured.extra["total"] - measured.extra["covered"]
    assert len(measured.items or []) == missing  # one finding per undocumented name


MODULE = '''\
"""A module."""


class Shape:
    """A shape."""

    def __init__(self, size):
        self.size = size

    def area(self):
        return self.size**2

    def _hidden(self):
        return 0


def helper():
    return 1
'''


def test_the_projects_interrogate_table_means_what_it_means_to_interrogate(
    tmp_path: Path,
) -> None:
    (tmp_path / "src" / "pkg").mkdir(parents=True)
    (tmp_path / "src" / "pkg" / "__init__.py").write_text("")
    (tmp_path / "src" / "pkg" / "shapes.py").write_text(MODULE)
    (tmp_path / "src" / "pkg" / "skipped.py").write_text("def nothing():\n    pass\n")
    plain = measure_docstrings(tmp_path, ("src/pkg",))
    assert round(plain.value or 0, 1) == interrogate_says(tmp_path, "src/pkg")
    (tmp_path / "pyproject.toml").write_text(
        textwrap.dedent(
            """
            [tool.interrogate]
            ignore-init-method = true
            ignore-init-module = true
            ignore-semiprivate = true
            exclude = ["src/pkg/skipped.py"]
            """
        )
    )
    configured = measure_docstrings(tmp_path, ("src/pkg",))
    assert configured.value != plain.value
    assert round(configured.value or 0, 1) == interrogate_says(tmp_path, "src/pkg")
    labels = [item.label for item in configured.items or []]
    assert labels == [
        "src/pkg/shapes.py:10: FunctionDef area has no docstring",
        "src/pkg/shapes.py:17: FunctionDef helper has no docstring",
    ]


def test_a_gated_run_judges_it_and_names_the_files(pytester: pytest.Pytester) -> None:
    root = write_project(
        pytester,
        """
        [tool.healthgate]
        default_gates = false
        source = ["src/calc"]

        [tool.healthgate.gates]
        docstrings = { fail = 80 }
        """,
    )
    write(pytester, "src/calc/shapes.py", MODULE)
    write(pytester, "tests/test_it.py", "def test_it():\n    assert True\n")
    result = pytester.runpytest_subprocess("--healthgate")
    assert result.ret == 1
    figure = gate(last_run(root), "docstrings")
    assert figure["verdict"] == "FAIL"
    assert figure["details"][0]["label"] == "src/calc/shapes.py"
    result.stdout.fnmatch_lines(["docstrings*FAIL*document the public names*"])


def test_without_interrogate_the_gate_is_an_error_saying_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # An absent package cannot be uninstalled from a shared environment for one test:
    # a None entry in sys.modules makes its import fail as a missing one does.
    monkeypatch.setitem(sys.modules, "interrogate", None)
    measured = measure_docstrings(ROOT, ("src/pytest_healthgate",))
    assert measured.error == (
        "interrogate is not installed; pip install 'pytest-healthgate[docstrings]' (interrogate)"
    )


def test_with_minutes_missing_public_docstrings_count_in_debt(pytester: pytest.Pytester) -> None:
    root = write_project(
        pytester,
        """
        [tool.healthgate]
        default_gates = false
        source = ["src/calc"]

        [tool.healthgate.gates]
        debt = { fail = "1d" }

        [tool.healthgate.docstrings]
        minutes = 3
        """,
    )
    write(pytester, "src/calc/shapes.py", MODULE)
    write(pytester, "tests/test_it.py", "def test_it():\n    assert True\n")
    pytester.runpytest_subprocess("--healthgate")
    document = last_run(root)
    assert "docstrings" not in {metric["name"] for metric in document["metrics"]}
    debt = gate(document, "debt")
    part = [p for p in debt["extra"]["parts"] if "docstrings" in p]
    # Undocumented and public: area, helper, and the empty calc/__init__.py module;
    # __init__ and _hidden start with an underscore and are left out.
    assert part == [{"docstrings": 3, "seconds": 3 * 3 * 60}]
    missing = [f["message"] for f in document["findings"] if f["rule"] == "docstrings:missing"]
    assert len(missing) == 3
