"""Import figures kept between runs while the package, interpreter and environment hold.

Real runs of ``pytest --healthgate`` in pytester projects: the second run of an
unchanged project uses the first run's figures and says so; a change to the
package, a figure past a bound, an age past ``keep`` or ``keep = "0s"`` measure
again.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from pytest_healthgate.collect.imports import (
    ModuleCost,
    PackageResult,
    Sample,
    result_from_json,
    result_to_json,
)
from pytest_healthgate.collect.imports_kept import inputs_digest
from tests.helpers import gate
from tests.helpers import run_with_report as run
from tests.test_imports import make_project

SLOW = "import time\ntime.sleep(0.02)\n"


def figures(document: dict[str, Any]) -> dict[str, Any]:
    return dict(gate(document, "import_time")["extra"]["packages"]["slow"])


def kept_project(pytester: pytest.Pytester, imports: str = "samples = 2") -> None:
    make_project(
        pytester,
        packages={"slow": SLOW},
        gates='import_time = { fail = "10s" }\nimport_memory = { fail = "1GB" }',
        imports=imports,
    )


def test_an_unchanged_package_keeps_its_figures_and_the_report_says_so(
    pytester: pytest.Pytester,
) -> None:
    kept_project(pytester)
    first_result, first = run(pytester)
    second_result, second = run(pytester)
    assert first_result.ret == second_result.ret == 0
    assert figures(first)["kept_at"] is None
    assert figures(second)["kept_at"] is not None
    # The very figures of the first run: the same samples, not a new measurement.
    for key in ("seconds", "wall", "cpu", "memory", "best"):
        assert figures(second)[key] == figures(first)[key]
    assert gate(second, "import_time")["value"] == gate(first, "import_time")["value"]
    notes = [detail["note"] for detail in gate(second, "import_time")["details"]]
    assert "kept: nothing it depends on changed since" in notes[0]
    memory_notes = [detail["note"] for detail in gate(second, "import_memory")["details"]]
    assert "kept" in memory_notes[0]


def test_a_change_to_the_package_is_measured_again(pytester: pytest.Pytester) -> None:
    kept_project(pytester)
    run(pytester)
    (pytester.path / "src/slow/extra.py").write_text("VALUE = 1\n")
    _, after = run(pytester)
    assert figures(after)["kept_at"] is None
    _, again = run(pytester)
    assert figures(again)["kept_at"] is not None


def test_keep_zero_measures_every_run(pytester: pytest.Pytester) -> None:
    kept_project(pytester, imports='samples = 2\nkeep = "0s"')
    run(pytester)
    _, second = run(pytester)
    assert figures(second)["kept_at"] is None


def test_a_figure_older_than_keep_is_measured_again(pytester: pytest.Pytester) -> None:
    kept_project(pytester, imports='samples = 2\nkeep = "1s"')
    _, first = run(pytester)
    time.sleep(1.5)  # past keep whatever the machine's load: only the age is compared
    _, second = run(pytester)
    assert figures(second)["kept_at"] is None
    assert figures(second)["wall"] != figures(first)["wall"]


def test_a_figure_past_a_bound_is_never_kept(pytester: pytest.Pytester) -> None:
    make_project(
        pytester,
        packages={"slow": SLOW},
        gates='import_time = { warn = "1ms", fail = "10s" }',
        imports="samples = 2",
    )
    run(pytester)
    _, second = run(pytester)
    assert gate(second, "import_time")["verdict"] == "WARN"
    assert figures(second)["kept_at"] is None


def test_the_inputs_cover_installed_packages_but_not_hidden_files(tmp_path: Path) -> None:
    package = tmp_path / "src" / "pkg"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("X = 1\n")
    site = tmp_path / "site"
    site.mkdir()
    path = [str(tmp_path / "src"), str(site)]
    env = {"PYTHONHASHSEED": "0", "HOME": "/home/someone"}
    before = inputs_digest("pkg", 5, path, env)
    assert before is not None
    (site / ".coverage").write_text("")  # what a run leaves: not importable
    (site / "__pycache__").mkdir()
    assert inputs_digest("pkg", 5, path, env) == before
    assert inputs_digest("pkg", 5, path, {**env, "HOME": "/elsewhere"}) == before
    (site / "another-2.0.dist-info").mkdir()  # a distribution installed
    installed = inputs_digest("pkg", 5, path, env)
    assert installed != before
    assert inputs_digest("pkg", 3, path, env) != installed  # another number of samples
    assert inputs_digest("pkg", 5, path, {**env, "PYTHONOPTIMIZE": "1"}) != installed
    (package / "__init__.py").write_text("X = 22\n")  # the package's own code
    assert inputs_digest("pkg", 5, path, env) != installed
    assert inputs_digest("absent", 5, path, env) is None  # nothing to tell: measured


def test_kept_figures_read_back_as_they_were_written() -> None:
    result = PackageResult(
        "pkg",
        [Sample(0.02, 0.01, 0.001), Sample(0.03, 0.02, None)],
        [1024, 2048],
        "",
        None,
        [ModuleCost("pkg", 0.001, 0.02)],
        Sample(0.04, 0.03, 0.0),
    )
    assert result_from_json(result_to_json(result)) == result
    for bad in (None, [], {"name": "pkg"}, {**result_to_json(result), "samples": []}):
        with pytest.raises(ValueError, match="import figures"):
            result_from_json(bad)
