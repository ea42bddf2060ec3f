"""The docstrings gate: interrogate's own figure, [tool.interrogate] read as interrogate does."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from pytest_healthgate.builtin import builtin_catalogue
from pytest_healthgate.collect.docstrings import debt_part, measure_docstrings
from pytest_healthgate.gates import judge_gate
from pytest_healthgate.model import Bounds, Verdict
from pytest_healthgate.store.cache import DATABASE
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
        "src/pkg/shapes.py:10: function area has no docstring",
        "src/pkg/shapes.py:17: function helper has no docstring",
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


def test_without_interrogate_it_skips_by_default_and_is_an_error_once_configured(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # An absent package cannot be uninstalled from a shared environment for one test:
    # a None entry in sys.modules makes its import fail as a missing one does.
    monkeypatch.setitem(sys.modules, "interrogate", None)
    measured = measure_docstrings(ROOT, ("src/pytest_healthgate",))
    said = "interrogate is not installed; pip install 'pytest-healthgate[docstrings]' (interrogate)"
    assert measured.skip_reason == said
    spec = builtin_catalogue().metrics["docstrings"]
    assert spec.default is not None
    # The default playbook's gate (never adopted) shows why it has no figure ...
    shown = judge_gate(spec, measured, spec.default)
    assert (shown.verdict, shown.reason) == (Verdict.SKIP, said)
    # ... a gate the project wrote never passes on nothing ...
    written = judge_gate(spec, measured, Bounds(fail=80.0))
    assert written.verdict is Verdict.ERROR
    assert said in written.reason
    # ... and docstrings asked for in debt make the debt an error, not a smaller sum.
    part = debt_part(measured, 3.0)
    assert part.error == f"docstrings: {said}"


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


def _project(root: Path) -> Path:
    package = root / "src" / "pkg"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text('"""The package."""\n')
    (package / "shapes.py").write_text(MODULE)
    (package / "more.py").write_text('"""More."""\n\n\ndef more():\n    return 2\n')
    return package


def test_each_file_is_interrogated_once_per_content_and_the_figure_stays_interrogates(
    tmp_path: Path,
) -> None:
    package = _project(tmp_path)
    first = measure_docstrings(tmp_path, ("src/pkg",))
    assert first.extra["cache"] == {"hits": 0, "misses": 3}
    assert (tmp_path / ".healthgate" / "cache" / DATABASE).is_file()
    again = measure_docstrings(tmp_path, ("src/pkg",))
    assert again.extra["cache"] == {"hits": 3, "misses": 0}
    assert (again.value, again.items) == (first.value, first.items)
    # One file changed: only it is interrogated again; the figure is interrogate's.
    (package / "more.py").write_text('"""More."""\n\n\ndef more():\n    """Two."""\n')
    changed = measure_docstrings(tmp_path, ("src/pkg",))
    assert changed.extra["cache"] == {"hits": 2, "misses": 1}
    assert round(changed.value or 0, 1) == interrogate_says(tmp_path, "src/pkg")
    assert changed.value != first.value
    # Back to the first content: both versions are kept, so it is a hit again.
    (package / "more.py").write_text('"""More."""\n\n\ndef more():\n    return 2\n')
    back = measure_docstrings(tmp_path, ("src/pkg",))
    assert back.extra["cache"] == {"hits": 3, "misses": 0}
    assert back.value == first.value
    # Another [tool.interrogate] is another key: nothing cached under the old one is used.
    (tmp_path / "pyproject.toml").write_text("[tool.interrogate]\nignore-module = true\n")
    configured = measure_docstrings(tmp_path, ("src/pkg",))
    assert configured.extra["cache"] == {"hits": 0, "misses": 3}
    assert round(configured.value or 0, 1) == interrogate_says(tmp_path, "src/pkg")
    uncached = measure_docstrings(tmp_path, ("src/pkg",), use_cache=False)
    assert uncached.extra["cache"] == {"hits": 0, "misses": 3}
    assert uncached.value == configured.value


def test_a_damaged_cache_entry_is_recomputed_not_believed(tmp_path: Path) -> None:
    _project(tmp_path)
    first = measure_docstrings(tmp_path, ("src/pkg",))
    database = tmp_path / ".healthgate" / "cache" / DATABASE
    with sqlite3.connect(database) as connection:
        connection.execute(
            "UPDATE entries SET value = ? WHERE analyser = 'docstrings'",
            ('[["FunctionDef", "x", -1, "yes"]]',),
        )
    connection.close()
    again = measure_docstrings(tmp_path, ("src/pkg",))
    assert again.extra["cache"] == {"hits": 0, "misses": 3, "discarded": 3}
    assert (again.value, again.items) == (first.value, first.items)


def test_a_folder_with_no_python_file_is_a_skip_not_an_exit(tmp_path: Path) -> None:
    (tmp_path / "src" / "pkg").mkdir(parents=True)
    (tmp_path / "src" / "pkg" / "notes.txt").write_text("nothing here\n")
    measured = measure_docstrings(tmp_path, ("src/pkg",))
    assert measured.skip_reason == "interrogate found no Python file in the source"


def test_a_file_that_does_not_parse_is_an_error_naming_interrogate(tmp_path: Path) -> None:
    package = _project(tmp_path)
    (package / "broken.py").write_text("def broken(:\n")
    measured = measure_docstrings(tmp_path, ("src/pkg",))
    assert measured.error is not None
    assert measured.error.startswith("interrogate failed: ")


def test_per_path_floors_fail_the_file_below_its_floor(pytester: pytest.Pytester) -> None:
    root = write_project(
        pytester,
        """
        [tool.healthgate]
        default_gates = false
        source = ["src/calc"]

        [tool.healthgate.gates.docstrings]
        fail = 10

        [tool.healthgate.gates.docstrings.paths]
        "src/calc/shapes.py" = 60
        "src/calc/__init__.py" = 0
        """,
    )
    write(pytester, "src/calc/shapes.py", MODULE)
    write(pytester, "tests/test_it.py", "def test_it():\n    assert True\n")
    result = pytester.runpytest_subprocess("--healthgate")
    assert result.ret == 1
    figure = gate(last_run(root), "docstrings")
    assert figure["verdict"] == "FAIL"
    # 2 of 6 names documented in shapes.py: the module and the class.
    below = "src/calc/shapes.py 33.3% is below its floor 60% (src/calc/shapes.py)"
    assert figure["reason"] == below
    assert figure["extra"]["files"]["src/calc/shapes.py"] == 33.3


def test_a_floor_glob_matching_no_file_is_a_config_error(pytester: pytest.Pytester) -> None:
    write_project(
        pytester,
        """
        [tool.healthgate]
        default_gates = false
        source = ["src/calc"]

        [tool.healthgate.gates.docstrings.paths]
        "src/nowhere/*.py" = 60
        """,
    )
    write(pytester, "tests/test_it.py", "def test_it():\n    assert True\n")
    result = pytester.runpytest_subprocess("--healthgate")
    assert result.ret != 0
    result.stderr.fnmatch_lines(["*docstrings.paths*src/nowhere/*.py*matches no file*"])


def test_under_pytest_it_runs_beside_the_tests_and_reports_what_in_process_would(
    pytester: pytest.Pytester,
) -> None:
    # Under pytest interrogate runs in a child started with the session: the same
    # figure as in-process, and the same error for a file it cannot parse.
    root = write_project(
        pytester,
        """
        [tool.healthgate]
        default_gates = false
        source = ["src/calc"]

        [tool.healthgate.gates]
        docstrings = { fail = 10 }
        """,
    )
    write(pytester, "src/calc/shapes.py", MODULE)
    write(pytester, "tests/test_it.py", "def test_it():\n    assert True\n")
    pytester.runpytest_subprocess("--healthgate")
    figure = gate(last_run(root), "docstrings")
    here = measure_docstrings(root, ("src/calc",))
    assert figure["value"] == here.value
    assert figure["extra"]["cache"] == {"hits": 0, "misses": 2}
    assert here.extra["cache"] == {"hits": 2, "misses": 0}  # the child filled the cache
    # Nothing changed: the whole outcome is kept by the tree's digest, no interrogate runs.
    pytester.runpytest_subprocess("--healthgate")
    again = gate(last_run(root), "docstrings")
    assert (again["value"], again["extra"]["cache"]) == (here.value, {"hits": 2, "misses": 0})
    # One file changed: interrogate runs, on that file only.
    write(pytester, "src/calc/shapes.py", MODULE + "\n\ndef more():\n    return 1\n")
    pytester.runpytest_subprocess("--healthgate")
    changed = gate(last_run(root), "docstrings")
    assert changed["extra"]["cache"] == {"hits": 1, "misses": 1}
    assert changed["value"] == measure_docstrings(root, ("src/calc",)).value != here.value
    # Its options changed ([tool.interrogate]): the kept outcome is not used.
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + "\n[tool.interrogate]\nignore-module = true\n")
    pytester.runpytest_subprocess("--healthgate")
    configured = gate(last_run(root), "docstrings")
    assert configured["extra"]["cache"] == {"hits": 0, "misses": 2}
    assert configured["value"] == measure_docstrings(root, ("src/calc",)).value
    assert configured["value"] != changed["value"]
    write(pytester, "src/calc/broken.py", "def broken(:\n")
    result = pytester.runpytest_subprocess("--healthgate")
    assert result.ret == 1
    figure = gate(last_run(root), "docstrings")
    assert figure["verdict"] == "ERROR"
    in_process = measure_docstrings(root, ("src/calc",)).error
    assert figure["reason"] == in_process
    assert in_process is not None
    assert in_process.startswith("interrogate failed: ")
