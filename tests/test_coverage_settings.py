"""Coverage is the project's own coverage: its settings are honoured, never overridden.

Each scenario runs `pytest --healthgate` in a subprocess (a tracer is per process)
and compares with what coverage.py itself says about the same data.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from pytest_healthgate.cli import main as healthgate
from tests.helpers import gate, last_run, write, write_project
from tests.test_coverage_gate import CALC, make_calc_project

SEVEN_STATEMENTS = "def unused():\n    return 1\n"  # with CALC: 5 of 7 statements run


def coverage_command(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "coverage", *args],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )


def warnings_are_errors(root: Path) -> None:
    pyproject = root / "pyproject.toml"
    text = pyproject.read_text().replace("[tool.pytest.ini_options]\n", "")
    pyproject.write_text('[tool.pytest.ini_options]\nfilterwarnings = ["error"]\n' + text)


def seven_statement_project(
    pytester: pytest.Pytester, coverage_gate: str, *, default_gates: bool = False
) -> Path:
    """5 of 7 statements run: 71.428...%, shown as 71 at coverage.py's default precision."""
    table = f"[tool.healthgate]\ndefault_gates = {str(default_gates).lower()}\n"
    root = make_calc_project(pytester, f'{table}source = ["src/calc"]\n{coverage_gate}')
    write(pytester, "src/calc/extra.py", SEVEN_STATEMENTS)
    write(pytester, "tests/test_extra.py", "import calc.extra\n\ndef test_nothing():\n    pass\n")
    return root


@pytest.mark.parametrize(("bound", "verdict"), [("71.4", "PASS"), ("71.5", "FAIL")])
def test_a_bound_with_decimals_is_judged_as_coverage_report_fail_under_judges_it(
    pytester: pytest.Pytester, bound: str, verdict: str
) -> None:
    root = seven_statement_project(
        pytester, f"[tool.healthgate.gates]\ncoverage = {{ fail = {bound} }}\n"
    )
    result = pytester.runpytest_subprocess("--healthgate")
    coverage = gate(last_run(root), "coverage")
    assert coverage["verdict"] == verdict
    assert coverage["display"] == "71.4%"  # the total at the bound's decimals
    fails_under = coverage_command(root, "report", f"--fail-under={bound}").returncode == 2
    assert fails_under == (verdict == "FAIL")
    if verdict == "FAIL":
        assert result.ret == 1
        result.stdout.fnmatch_lines(["*FAIL coverage = 71.4%: coverage 71.4% is below 71.5%"])
    else:
        assert result.ret == 0, result.stdout.str()


def test_fail_under_of_the_project_is_the_fail_bound_when_healthgate_sets_none(
    pytester: pytest.Pytester,
) -> None:
    # The default playbook's coverage gate, with the project's own fail_under adopted.
    root = seven_statement_project(pytester, "", default_gates=True)
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + "\n[tool.coverage.report]\nfail_under = 72\n")
    result = pytester.runpytest_subprocess("--healthgate")
    assert result.ret == 1
    coverage = gate(last_run(root), "coverage")
    assert (coverage["fail"], coverage["warn"], coverage["verdict"]) == (72, 80, "FAIL")
    result.stdout.fnmatch_lines(["*FAIL coverage = 71%: coverage 71% is below 72%"])


def test_include_without_source_is_respected_as_coverage_py_respects_it(
    pytester: pytest.Pytester,
) -> None:
    root = make_calc_project(
        pytester,
        "[tool.healthgate]\ndefault_gates = false\n"
        "[tool.healthgate.gates]\ncoverage = { fail = 1 }\n",
        """
        [tool.coverage.run]
        include = ["src/calc/__init__.py"]
        """,
    )
    # Derived source would be src/calc and would take in extra.py, which never runs.
    write(pytester, "src/calc/extra.py", SEVEN_STATEMENTS)
    warnings_are_errors(root)
    result = pytester.runpytest_subprocess("--healthgate")
    assert result.ret == 0, result.stdout.str() + result.stderr.str()
    coverage = gate(last_run(root), "coverage")
    assert list(coverage["extra"]["files"]) == ["src/calc/__init__.py"]
    assert coverage["value"] == 80.0
    assert coverage_command(root, "report", "--format=total").stdout.strip() == "80"
    assert "include-ignored" not in result.stdout.str() + result.stderr.str()


def test_pytest_cov_precision_and_branch_options_decide_the_recorded_figure(
    pytester: pytest.Pytester,
) -> None:
    root = write_project(
        pytester,
        '[tool.healthgate]\ndefault_gates = false\nsource = ["src/calc"]\n'
        "[tool.healthgate.gates]\ncoverage = { warn = 80 }\n",
    )
    write(
        pytester,
        "src/calc/__init__.py",
        "def sign(x):\n    if x < 0:\n        return -1\n    return 1\n",
    )
    write(pytester, "tests/test_sign.py", "from calc import sign\n\ndef test_it():\n    sign(2)\n")
    result = pytester.runpytest_subprocess(
        "--healthgate", "--cov=src/calc", "--cov-branch", "--cov-precision=2"
    )
    assert result.ret == 0, result.stdout.str()
    coverage = gate(last_run(root), "coverage")
    # 4 statements (3 run) + 2 branches (1 taken) = 4/6.
    assert (coverage["value"], coverage["display"]) == (66.67, "66.67%")
    assert coverage["extra"]["branch"] is True
    result.stdout.fnmatch_lines(["TOTAL*66.67%"])  # pytest-cov's own table agrees


def test_a_bare_folder_in_exclude_leaves_out_the_same_files_as_the_static_gates(
    pytester: pytest.Pytester,
) -> None:
    from pytest_healthgate.collect.static.scope import discover

    root = make_calc_project(
        pytester,
        "[tool.healthgate]\ndefault_gates = false\n"
        'source = ["src/calc"]\nexclude = ["src/calc/legacy"]\n'
        "[tool.healthgate.gates]\ncoverage = { fail = 80 }\n",
    )
    write(pytester, "src/calc/legacy/__init__.py", "OLD = 1\n")
    write(pytester, "src/calc/legacy/deep/old.py", SEVEN_STATEMENTS)
    result = pytester.runpytest_subprocess("--healthgate")
    assert result.ret == 0, result.stdout.str()
    coverage = gate(last_run(root), "coverage")
    assert list(coverage["extra"]["files"]) == ["src/calc/__init__.py"]
    scope = discover(root, ("src/calc",), ("src/calc/legacy",), include_tests=False)
    assert sorted(scope.files) == list(coverage["extra"]["files"])


@pytest.mark.parametrize(
    ("coverage_toml", "warning"),
    [
        # Warned while settings are read, before any test runs.
        ("unknown_setting = 1", "Unrecognized option '[tool.coverage.run] unknown_setting='"),
        # Warned when the data is read, at the end of the session.
        ('source_pkgs = ["calc", "ghost"]', "Module ghost was never imported"),
    ],
    ids=["at start", "at the end"],
)
def test_coverage_warnings_never_crash_a_run_that_turns_warnings_into_errors(
    pytester: pytest.Pytester, coverage_toml: str, warning: str
) -> None:
    root = make_calc_project(
        pytester,
        "[tool.healthgate]\ndefault_gates = false\n"
        "[tool.healthgate.gates]\ncoverage = { fail = 80 }\n",
        f"[tool.coverage.run]\n{coverage_toml}\n",
    )
    warnings_are_errors(root)
    result = pytester.runpytest_subprocess("--healthgate")
    output = result.stdout.str() + result.stderr.str()
    assert result.ret == 0, output
    assert "Traceback" not in output
    assert warning in output
    assert gate(last_run(root), "coverage")["value"] == 80.0


def test_a_package_imported_from_outside_the_measured_source_is_an_error(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The package as tox installs it: a copy in site-packages, imported instead of src/.
    pytester.makepyprojecttoml("[tool.pytest.ini_options]\ntestpaths = ['tests']\n")
    write(pytester, "src/calc/__init__.py", CALC)
    installed = write(pytester, "site-packages/calc/__init__.py", CALC)
    write(
        pytester, "tests/test_calc.py", "from calc import double\n\ndef test_it():\n    double(2)\n"
    )
    monkeypatch.setenv("PYTHONPATH", str(installed.parent.parent))
    result = pytester.runpytest_subprocess("--healthgate")
    assert result.ret == 1
    coverage = gate(last_run(pytester.path), "coverage")
    assert coverage["verdict"] == "ERROR"
    assert f"calc was imported from {installed}" in coverage["reason"]
    assert "outside the measured source" in coverage["reason"]
    assert 'source = ["calc"]' in coverage["reason"]
    assert "pip install -e ." in coverage["reason"]


COVERAGE_RUN = [sys.executable, "-m", "coverage", "run", "--source=src/calc", "-m"]
PLUGIN_PROJECT = """
[tool.healthgate]
default_gates = false
source = ["src/calc"]
[tool.healthgate.gates]
coverage = { fail = 80 }
"""


@pytest.fixture
def plugin_project(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project whose package is a pytest plugin: pytest imports it before any tracer."""
    root = write_project(pytester, PLUGIN_PROJECT)
    write(pytester, "src/calc/__init__.py", CALC)
    write(
        pytester, "tests/test_calc.py", "from calc import double\n\ndef test_it():\n    double(2)\n"
    )
    monkeypatch.setenv("PYTHONPATH", str(root / "src"))
    return root


def test_measured_modules_imported_before_the_tracer_make_the_gate_an_error(
    pytester: pytest.Pytester, plugin_project: Path, xdist_args: list[str]
) -> None:
    result = pytester.runpytest_subprocess("--healthgate", "-p", "calc", *xdist_args)
    assert result.ret == 1
    coverage = gate(last_run(plugin_project), "coverage")
    assert coverage["verdict"] == "ERROR"
    assert "imported before coverage started" in coverage["reason"]
    assert ": calc (a pytest plugin" in coverage["reason"]
    assert "`coverage run -m pytest --healthgate`" in coverage["reason"]


def test_the_same_plugin_project_under_coverage_run_is_measured_whole(
    pytester: pytest.Pytester, plugin_project: Path
) -> None:
    completed = subprocess.run(
        [*COVERAGE_RUN, "pytest", "--healthgate", "-p", "calc", "-p", "no:cacheprovider"],
        cwd=plugin_project,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert gate(last_run(plugin_project), "coverage")["value"] == 80.0


BAD_COVERAGE_SETTINGS = [
    pytest.param(
        "[tool.coverage.run]\nbranch = 'maybe'\n", "couldn't convert to a boolean", id="branch"
    ),
    pytest.param("[tool.coverage.run]\nsource = 5\n", "source is not a list: 5", id="source"),
    pytest.param(
        "[tool.coverage.report]\nprecision = 'x'\n",
        "couldn't convert to an integer",
        id="precision",
    ),
    pytest.param("[tool.coverage.report]\nfail_under = 120\n", "fail_under=120", id="fail_under"),
]


@pytest.mark.parametrize(("toml", "message"), BAD_COVERAGE_SETTINGS)
def test_bad_coverage_settings_stop_pytest_and_the_command_with_coverage_messages(
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    toml: str,
    message: str,
) -> None:
    root = make_calc_project(pytester, "", toml)
    result = pytester.runpytest_subprocess("--healthgate")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert message in result.stderr.str()
    assert "Traceback" not in result.stderr.str()
    monkeypatch.chdir(root)
    assert healthgate(["check"]) == 2
    assert message in capsys.readouterr().err


def test_a_missing_coverage_plugin_stops_pytest_before_any_test(pytester: pytest.Pytester) -> None:
    make_calc_project(pytester, "", "[tool.coverage.run]\nplugins = ['missing_plugin']\n")
    write(pytester, "tests/test_mark.py", "def test_x():\n    open('ran', 'w').close()\n")
    result = pytester.runpytest_subprocess("--healthgate")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*healthgate: coverage.py cannot start*missing_plugin*"])
    assert "Traceback" not in result.stderr.str()
    assert not (pytester.path / "ran").exists()


@pytest.mark.parametrize(
    ("healthgate_toml", "fragment"),
    [
        ('source = ["src/clac"]', "src/clac does not exist under"),
        (
            "[tool.healthgate.gates.coverage]\nfail = 1\n[tool.healthgate.gates.coverage.paths]\n"
            '"src/calc/legacy/**" = 50',
            '"src/calc/legacy/**" matches no file under',
        ),
    ],
    ids=["source path", "floor glob"],
)
def test_a_missing_source_path_or_an_empty_floor_glob_stops_pytest_before_any_test(
    pytester: pytest.Pytester, healthgate_toml: str, fragment: str
) -> None:
    make_calc_project(pytester, "[tool.healthgate]\n" + textwrap.dedent(healthgate_toml) + "\n")
    write(pytester, "tests/test_mark.py", "def test_x():\n    open('ran', 'w').close()\n")
    result = pytester.runpytest_subprocess("--healthgate")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert fragment in result.stderr.str()
    assert not (pytester.path / "ran").exists()


@pytest.mark.parametrize("kind", ["fifo", "link to /dev/zero"])
def test_coverage_py_never_reads_an_unusable_pyproject_from_the_working_directory(
    tmp_path: Path, kind: str
) -> None:
    from pytest_healthgate.collect.coverage import coverage_config_file

    pyproject = tmp_path / "pyproject.toml"
    if kind == "fifo":
        os.mkfifo(pyproject)
    else:
        pyproject.symlink_to("/dev/zero")
    assert coverage_config_file(tmp_path) is False
    # Before, coverage.py opened ./pyproject.toml itself: a FIFO hung, /dev/zero ate memory.
    # The static analysis (bandit's [tool.bandit]) does not read it either.
    completed = subprocess.run(
        [str(Path(sys.executable).with_name("healthgate")), "check"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert completed.returncode == 0, completed.stderr  # the default playbook's static gates
    assert "SKIP     no source found" in completed.stdout


def test_coverage_settings_are_found_where_coverage_py_looks_for_them(tmp_path: Path) -> None:
    from pytest_healthgate.collect.coverage import coverage_config_file

    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    (tmp_path / "tox.ini").write_text("[coverage:run]\nbranch = true\n")
    assert coverage_config_file(tmp_path) == str(tmp_path / "tox.ini")
    (tmp_path / "setup.cfg").write_text("[metadata]\nname = x\n")  # no coverage section
    assert coverage_config_file(tmp_path) == str(tmp_path / "tox.ini")
    (tmp_path / ".coveragerc").write_text("[run]\nbranch = true\n")
    assert coverage_config_file(tmp_path) == str(tmp_path / ".coveragerc")


def test_an_early_import_is_a_problem_only_when_no_process_ran_its_module_level_lines(
    tmp_path: Path,
) -> None:
    from pytest_healthgate.collect.coverage import Findings

    docstring_only = tmp_path / "quiet.py"
    docstring_only.write_text('"""Nothing but a docstring."""\n')
    module = tmp_path / "plugin.py"
    module.write_text(
        '"""A plugin."""\n\nimport os\n\n\n@staticmethod\ndef hook():\n    return os\n'
    )
    early = Findings(early=[str(docstring_only), str(module)])
    ran_at_import = {
        str(docstring_only): {"executed_lines": []},
        str(module): {"executed_lines": [3]},
    }
    assert early.problem(ran_at_import) is None  # another process imported it under a tracer
    only_the_body = {str(module): {"executed_lines": [8]}}
    problem = early.problem(only_the_body)
    assert problem is not None
    assert "module-level lines were never measured" in problem
    assert str(module) in problem  # not imported in this process: named by its file
