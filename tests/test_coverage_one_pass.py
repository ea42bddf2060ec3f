"""One analysis per run: the total and per-file figures against coverage.py's own reports,
and the per-file cache against an analysis without it.

The data comes from real `coverage run` subprocesses on a small project; the
figures are compared with `coverage report` and `coverage json` run by coverage.py
itself, in a process of their own.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import coverage
import pytest
from coverage.exceptions import CoverageWarning, NoDataError

from pytest_healthgate.collect import coverage_files
from pytest_healthgate.collect.coverage import display_total
from tests import cache_helpers
from tests.helpers import gate, last_run, write, write_project

GEOMETRY = """
def sign(x):
    if x > 0:
        return 1
    elif x < 0:
        return -1
    return 0


def clamp(x, low, high):  # several branches, some never taken
    if x < low:
        x = low
    if x > high:  # tolerated
        x = high
    return x


def debug_dump(x):
    if x is None:  # debug only
        print("nothing")
    return x


def never_run():  # pragma: no cover
    return 1


def walk(n):
    while True:
        n -= 1
        if n <= 0:
            break
    return n
"""

SHAPES = """
import geometry


def area(w, h):
    if w < 0 or h < 0:
        raise ValueError("negative")
    return w * h


def unused(w):
    return geometry.clamp(w, 0, 10)
"""

EMPTY = "# nothing to run here\n"

RUN = """
import sys
sys.path.insert(0, "src")
import geometry, shapes, empty

geometry.sign(int(sys.argv[1]))
geometry.clamp(int(sys.argv[1]), 0, 10)
geometry.walk(3)
if len(sys.argv) > 2:
    shapes.area(2, 3)
"""

HALF = """
def half(x):
    if x:
        return x / 2
    return 0
"""

TEST_HALF = """
from calc.ops import half

def test_half():
    assert half(4) == 2
"""

SETTINGS = {
    "statements": "",
    "branch, precision 2": "[run]\nbranch = true\n[report]\nprecision = 2\n",
    "branch, exclusions, partial branches": textwrap.dedent(
        """
        [run]
        branch = true
        [report]
        precision = 3
        exclude_also =
            debug only
        partial_branches =
            tolerated
        """
    ),
    "statements, exclusions, report omit": textwrap.dedent(
        """
        [report]
        precision = 2
        exclude_also =
            debug only
        omit =
            */shapes.py
        """
    ),
}


def make_project(root: Path, settings: str) -> Path:
    (root / "src").mkdir(parents=True, exist_ok=True)
    (root / "src" / "geometry.py").write_text(GEOMETRY)
    (root / "src" / "shapes.py").write_text(SHAPES)
    (root / "src" / "empty.py").write_text(EMPTY)
    (root / "run.py").write_text(RUN)
    (root / ".coveragerc").write_text("[run]\nsource = src\n" + settings.replace("[run]\n", ""))
    return root


def own_environment() -> dict[str, str]:
    """No COVERAGE_* variable of a tracer measuring this test run reaches the scenario."""
    return {name: value for name, value in os.environ.items() if not name.startswith("COVERAGE_")}


def coverage_cli(root: Path, *args: str) -> str:
    completed = subprocess.run(
        [sys.executable, "-m", "coverage", *args, "--rcfile=.coveragerc"],
        cwd=root,
        env=own_environment(),
        capture_output=True,
        text=True,
        check=True,
    )
    return completed.stdout


def measure_run(root: Path, *argv: str) -> None:
    """Data of one `coverage run` of run.py, replacing the previous data."""
    subprocess.run(
        [sys.executable, "-m", "coverage", "run", "--rcfile=.coveragerc", "run.py", *argv],
        cwd=root,
        env=own_environment(),
        check=True,
        capture_output=True,
    )


def loaded(root: Path) -> coverage.Coverage:
    cov = coverage.Coverage(
        config_file=str(root / ".coveragerc"), data_file=str(root / ".coverage")
    )
    cov.load()
    return cov


def analyse(root: Path, use_cache: bool = True) -> coverage_files.CoverageFiles:
    return coverage_files.analyse(loaded(root), root, use_cache)


def cli_files(root: Path) -> dict[str, dict[str, Any]]:
    """`coverage json`'s files, with the fields healthgate reads."""
    report = json.loads(coverage_cli(root, "json", "-o", "-"))
    return coverage_files._trimmed(report["files"])


def uncached(root: Path) -> coverage_files.CoverageFiles:
    result = analyse(root, use_cache=False)
    assert result.cache is None
    return result


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)  # coverage.py names files relative to the current folder
    return tmp_path


@pytest.mark.parametrize("settings", list(SETTINGS.values()), ids=list(SETTINGS))
def test_the_one_pass_total_and_files_equal_coverage_report_and_coverage_json(
    project: Path, settings: str
) -> None:
    make_project(project, settings)
    measure_run(project, "5")
    precision = loaded(project).get_option("report:precision")
    assert isinstance(precision, int)
    result = analyse(project, use_cache=False)
    assert result.total == loaded(project).report(file=io.StringIO())  # the very float
    shown = coverage_cli(project, "report", "--format=total").strip()
    assert f"{display_total(result.total, precision):.{precision}f}" == shown
    assert result.files == cli_files(project)
    assert 0 < result.total < 100


def test_the_branch_figures_count_partial_and_excluded_lines_as_coverage_does(
    project: Path,
) -> None:
    make_project(project, SETTINGS["branch, exclusions, partial branches"])
    measure_run(project, "5")
    geometry = analyse(project, use_cache=False).files["src/geometry.py"]
    # The scenario has what it claims: excluded lines, and branches partly taken.
    assert geometry["summary"]["excluded_lines"] > 0
    assert 0 < geometry["summary"]["missing_branches"] < geometry["summary"]["num_branches"]
    assert geometry == cli_files(project)["src/geometry.py"]


def test_a_project_without_statements_totals_100_as_coverage_report_does(project: Path) -> None:
    make_project(project, "[report]\ninclude =\n    */empty.py\n")
    measure_run(project, "5")
    result = analyse(project, use_cache=False)
    assert list(result.files) == ["src/empty.py"]
    assert result.total == loaded(project).report(file=io.StringIO()) == 100.0


def test_no_reported_file_raises_what_coverage_report_raises(project: Path) -> None:
    make_project(project, "[report]\ninclude =\n    */nowhere.py\n")
    measure_run(project, "5")
    with pytest.raises(NoDataError) as ours:
        analyse(project)
    with pytest.raises(NoDataError) as theirs:
        loaded(project).report(file=io.StringIO())
    assert str(ours.value) == str(theirs.value)


def test_an_unchanged_file_with_unchanged_data_is_not_analysed_again(project: Path) -> None:
    make_project(project, SETTINGS["branch, precision 2"])
    measure_run(project, "5")
    cold = analyse(project)
    assert cold.cache == {"hits": 0, "misses": 3}
    warm = analyse(project)
    assert warm.cache == {"hits": 3, "misses": 0}
    assert warm.files == cold.files == uncached(project).files
    assert warm.total == cold.total == uncached(project).total


def test_relative_file_names_in_the_data_are_cached_too(project: Path) -> None:
    make_project(project, "[run]\nrelative_files = true\nbranch = true\n")
    measure_run(project, "5")
    assert "src/geometry.py" in loaded(project).get_data().measured_files()  # as written
    cold = analyse(project)
    warm = analyse(project)
    assert warm.cache == {"hits": 3, "misses": 0}
    assert warm.files == cold.files == cli_files(project)


def test_a_changed_file_is_analysed_again_and_the_others_come_from_the_cache(
    project: Path,
) -> None:
    make_project(project, SETTINGS["branch, exclusions, partial branches"])
    measure_run(project, "5")
    before = analyse(project)
    # Same lines, same data: only the content changed (a line now excluded).
    geometry = project / "src" / "geometry.py"
    geometry.write_text(GEOMETRY.replace("    return n\n", "    return n  # pragma: no cover\n"))
    after = analyse(project)
    assert after.cache == {"hits": 2, "misses": 1}
    assert after.files == uncached(project).files == cli_files(project)
    excluded = after.files["src/geometry.py"]["summary"]["excluded_lines"]
    assert excluded == before.files["src/geometry.py"]["summary"]["excluded_lines"] + 1


def test_changed_data_for_a_file_is_analysed_again(project: Path) -> None:
    make_project(project, SETTINGS["branch, precision 2"])
    measure_run(project, "5")
    before = analyse(project)
    measure_run(project, "-5", "area")  # other branches of geometry, and shapes.area runs
    after = analyse(project)
    assert after.cache == {"hits": 1, "misses": 2}  # empty.py ran the same
    assert after.files == uncached(project).files == cli_files(project)
    assert after.total == loaded(project).report(file=io.StringIO())
    assert after.files["src/shapes.py"] != before.files["src/shapes.py"]


@pytest.mark.parametrize(
    "changed",
    [
        "[report]\nexclude_also =\n    debug only\n    return 1\n",
        "[report]\nexclude_lines =\n    debug only\n",
        "[report]\nexclude_also =\n    debug only\npartial_branches =\n    tolerated\n",
    ],
    ids=["exclude_also", "exclude_lines", "partial_branches"],
)
def test_a_changed_exclusion_setting_invalidates_every_cached_file(
    project: Path, changed: str
) -> None:
    make_project(project, "[run]\nbranch = true\n[report]\nexclude_also =\n    debug only\n")
    measure_run(project, "5")
    before = analyse(project)
    assert analyse(project).cache == {"hits": 3, "misses": 0}
    config = project / ".coveragerc"
    config.write_text("[run]\nsource = src\nbranch = true\n" + changed)
    after = analyse(project)
    assert after.cache == {"hits": 0, "misses": 3}
    assert after.files == uncached(project).files == cli_files(project)
    assert after.files != before.files  # the setting does change a figure
    assert after.total == loaded(project).report(file=io.StringIO())


def test_branch_coverage_turned_on_is_a_new_cache(project: Path) -> None:
    make_project(project, "")
    measure_run(project, "5")
    analyse(project)
    make_project(project, SETTINGS["branch, precision 2"])
    measure_run(project, "5")
    after = analyse(project)
    assert after.cache == {"hits": 0, "misses": 3}
    assert after.files == cli_files(project)


def negative_count(value: list[Any]) -> None:
    value[1]["summary"]["num_statements"] = -3


def true_as_a_count(value: list[Any]) -> None:
    value[1]["summary"]["missing_lines"] = True


def text_as_a_percent(value: list[Any]) -> None:
    value[1]["summary"]["percent_covered"] = "80"


def no_statement_count(value: list[Any]) -> None:
    del value[1]["summary"]["num_statements"]


def unknown_count(value: list[Any]) -> None:
    value[1]["summary"]["lines_of_poetry"] = 3


def line_as_text(value: list[Any]) -> None:
    value[1]["missing_lines"] = ["7"]


def no_name(value: list[Any]) -> None:
    value[0] = None


def an_extra_field(value: list[Any]) -> None:
    value[1]["contexts"] = {}


@pytest.mark.parametrize(
    "damage",
    [
        negative_count,
        true_as_a_count,
        text_as_a_percent,
        no_statement_count,
        unknown_count,
        line_as_text,
        no_name,
        an_extra_field,
    ],
)
def test_a_damaged_cache_entry_is_recomputed(project: Path, damage: Any) -> None:
    make_project(project, SETTINGS["branch, precision 2"])
    measure_run(project, "5")
    cold = analyse(project)

    def damaged(value: Any) -> Any:
        damage(value)  # in place
        return value

    cache_helpers.corrupt(project, "coverage", str(project / "src" / "geometry.py"), damaged)
    again = analyse(project)
    assert again.cache == {"hits": 2, "misses": 1, "discarded": 1}
    assert again.files == cold.files


def test_files_left_out_of_the_report_stay_out_on_a_warm_run(project: Path) -> None:
    make_project(project, SETTINGS["statements, exclusions, report omit"])
    measure_run(project, "5")
    analyse(project)
    warm = analyse(project)
    # shapes.py is asked about again (it was never cached), and left out again.
    assert warm.cache == {"hits": 2, "misses": 1}
    assert sorted(warm.files) == ["src/empty.py", "src/geometry.py"]
    assert warm.files == cli_files(project)
    assert warm.total == loaded(project).report(file=io.StringIO())


def test_a_measured_file_that_is_not_a_py_file_is_analysed_every_time(project: Path) -> None:
    make_project(project, SETTINGS["branch, precision 2"])
    (project / "src" / "script").write_text("x = 1\nif x:\n    y = 2\n")
    (project / "run.py").write_text(RUN + "import runpy\nrunpy.run_path('src/script')\n")
    measure_run(project, "5")
    analyse(project)
    warm = analyse(project)
    assert warm.cache == {"hits": 3, "misses": 0}
    assert "src/script" in warm.files
    assert warm.files == cli_files(project)
    assert warm.total == loaded(project).report(file=io.StringIO())


def test_a_file_deleted_after_the_run_is_left_out_as_coverage_report_leaves_it_out(
    project: Path,
) -> None:
    make_project(project, "[report]\nignore_errors = true\n")
    measure_run(project, "5", "area")
    analyse(project)
    (project / "src" / "shapes.py").unlink()
    with pytest.warns(CoverageWarning, match="shapes.py"):
        after = analyse(project)
    assert sorted(after.files) == ["src/empty.py", "src/geometry.py"]
    assert after.files == cli_files(project)
    with pytest.warns(CoverageWarning, match="shapes.py"):
        assert after.total == loaded(project).report(file=io.StringIO())


def test_no_parseable_file_raises_what_coverage_report_raises(project: Path) -> None:
    make_project(project, "[report]\nignore_errors = true\ninclude =\n    */broken.py\n")
    (project / "src" / "broken.py").write_text("def broken(:\n")
    measure_run(project, "5")
    with pytest.raises(NoDataError) as theirs, pytest.warns(CoverageWarning, match="broken.py"):
        loaded(project).report(file=io.StringIO())
    with pytest.raises(NoDataError) as ours, pytest.warns(CoverageWarning, match="broken.py"):
        analyse(project)
    assert str(ours.value) == str(theirs.value)


def test_a_symlinked_state_folder_gets_figures_but_no_cache(
    project: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    make_project(project, "")
    (project / ".healthgate").symlink_to(elsewhere, target_is_directory=True)
    measure_run(project, "5")
    result = analyse(project)
    assert result.cache is None
    assert result.files == cli_files(project)
    assert list(elsewhere.iterdir()) == []


PATHS = "[paths]\nsource =\n    src\n    */elsewhere/src\n"

# run.py, plus a copy of geometry.py elsewhere that [paths] maps onto src/geometry.py:
# coverage.py merges the two files' lines into one reported file.
RUN_WITH_COPY = (
    RUN
    + """
import importlib.util
if len(sys.argv) > 3:
    spec = importlib.util.spec_from_file_location("copy", "elsewhere/src/geometry.py")
    copy = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(copy)
    copy.debug_dump(None)
"""
)


def test_under_path_remapping_a_rerun_reads_every_file_from_the_cache(project: Path) -> None:
    make_project(project, PATHS)
    measure_run(project, "5", "area")
    cold = analyse(project)
    assert cold.cache == {"hits": 0, "misses": 3}
    warm = analyse(project)
    assert warm.cache == {"hits": 3, "misses": 0}
    assert warm.files == cold.files == cli_files(project)
    assert warm.total == loaded(project).report(file=io.StringIO())


def test_under_path_remapping_anything_run_differently_analyses_every_file(
    project: Path,
) -> None:
    make_project(project, PATHS)
    measure_run(project, "5", "area")
    analyse(project)
    measure_run(project, "5")  # only shapes.py ran differently
    after = analyse(project)
    # A subset report could miss lines merged into a file; [paths] gets all or none.
    assert after.cache == {"hits": 0, "misses": 3}
    assert after.files == cli_files(project)


def test_files_merged_by_path_remapping_are_never_read_stale_from_the_cache(
    project: Path,
) -> None:
    make_project(project, PATHS)
    (project / "run.py").write_text(RUN_WITH_COPY)
    (project / "elsewhere" / "src").mkdir(parents=True)
    (project / "elsewhere" / "src" / "geometry.py").write_text(GEOMETRY)
    rc = project / ".coveragerc"
    rc.write_text(rc.read_text().replace("source = src", "source =\n    src\n    elsewhere/src"))
    measure_run(project, "5", "area", "copy")
    assert len(loaded(project).get_data().measured_files()) == 4  # the copy was measured
    merged = analyse(project)
    assert merged.files == cli_files(project)
    assert sorted(merged.files) == [
        "src/empty.py",
        "src/geometry.py",
        "src/shapes.py",
    ]
    # The copy is named after src/geometry.py in the report, so it is never cached:
    # every rerun makes the whole report (a subset of the copy alone would be wrong).
    again = analyse(project)
    assert again.cache == {"hits": 3, "misses": 1}
    assert again.files == merged.files
    # The same lines ran in src/geometry.py, but its copy is not measured this time:
    # the figures merged with the copy's lines must not come back from the cache.
    rc.write_text(rc.read_text().replace("\n    elsewhere/src", ""))
    measure_run(project, "5", "area", "copy")
    assert len(loaded(project).get_data().measured_files()) == 3
    alone = analyse(project)
    assert alone.files == cli_files(project)
    assert alone.files["src/geometry.py"] != merged.files["src/geometry.py"]
    assert alone.total == loaded(project).report(file=io.StringIO())


def test_a_second_gated_run_reads_the_coverage_figures_from_the_cache(
    pytester: pytest.Pytester,
) -> None:
    root = write_project(
        pytester,
        '[tool.healthgate]\ndefault_gates = false\nsource = ["src/calc"]\n'
        "[tool.healthgate.gates]\ncoverage = { fail = 50 }\n",
        "[tool.coverage.run]\nbranch = true\n[tool.coverage.report]\nprecision = 2\n",
    )
    write(pytester, "src/calc/ops.py", HALF)
    write(pytester, "tests/test_ops.py", TEST_HALF)
    figures = []
    for _ in range(2):
        result = pytester.runpytest_subprocess("--healthgate")
        assert result.ret == 0, result.stdout.str()
        figures.append(gate(last_run(root), "coverage"))
    first, second = figures
    assert first["extra"]["cache"] == {"files": {"hits": 0, "misses": 2}}
    assert second["extra"]["cache"] == {"files": {"hits": 2, "misses": 0}}
    for key in ("value", "display", "details"):
        assert first[key] == second[key]
    for key in ("raw_total", "files"):
        assert first["extra"][key] == second["extra"][key]
    total = subprocess.run(
        [sys.executable, "-m", "coverage", "report", "--format=total"],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert second["display"] == f"{total}%"
