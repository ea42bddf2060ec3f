"""[tool.healthgate]: defaults, derived source, and errors that say how to fix them."""

from __future__ import annotations

import textwrap
from dataclasses import replace
from pathlib import Path

import pytest

from pytest_healthgate.builtin import builtin_catalogue
from pytest_healthgate.config import ConfigError, find_pyproject, load
from pytest_healthgate.model import Bounds
from pytest_healthgate.reference import playbook, reference


def project(tmp_path: Path, toml: str) -> Path:
    (tmp_path / "pyproject.toml").write_text(textwrap.dedent(toml))
    return tmp_path


def test_a_project_without_the_table_gets_the_documented_defaults(tmp_path: Path) -> None:
    root = project(tmp_path, "[project]\nname = 'x'\n")
    (root / "src" / "pkg").mkdir(parents=True)
    (root / "src" / "pkg" / "__init__.py").write_text("")
    config = load(root, root / "pyproject.toml")
    assert config.source == ("src/pkg",)
    assert config.packages == ("pkg",)
    assert config.gates == {
        "coverage": Bounds(fail=65, warn=80, adopted=False),
        "pass_rate": Bounds(fail=98, adopted=False),
        "collection_errors": Bounds(fail=10, adopted=False),
        "duration": Bounds(warn=900, adopted=False),
        "debt": Bounds(fail=300 * 3600, warn=200 * 3600, adopted=False),
        "debt_ratio": Bounds(warn=5, adopted=False),
        "rating": Bounds(warn=1, adopted=False),  # A
        "complexity": Bounds(fail=4, warn=3, adopted=False),  # D, C
        "critical": Bounds(fail=0, adopted=False),
        "import_time": Bounds(fail=2, warn=1, adopted=False),
        "import_memory": Bounds(warn=100e6, adopted=False),
        "structure": Bounds(fail=0, adopted=False),
        "docstrings": Bounds(fail=80, warn=90, adopted=False),
        "duplication": Bounds(fail=3, adopted=False),
        "memory": Bounds(fail=500e6, adopted=False),
    }
    assert "test_memory" not in config.gates  # it would fail single tests: off by default


def test_source_comes_from_coverage_settings_first(tmp_path: Path) -> None:
    root = project(tmp_path, '[tool.coverage.run]\nsource = ["lib/thing"]\n')
    (root / "lib" / "thing").mkdir(parents=True)
    (root / "src" / "pkg").mkdir(parents=True)
    (root / "src" / "pkg" / "__init__.py").write_text("")
    assert load(root, root / "pyproject.toml").source == ("lib/thing",)


def test_source_falls_back_to_top_level_packages_but_not_tests(tmp_path: Path) -> None:
    root = project(tmp_path, "")
    for name in ("app", "tests", "docs"):
        (root / name).mkdir()
        (root / name / "__init__.py").write_text("")
    config = load(root, root / "pyproject.toml")
    assert config.source == ("app",)
    assert config.packages == ("app",)


def test_configured_gates_replace_defaults_and_false_turns_one_off(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        """
        [tool.healthgate]
        source = ["src/pkg"]
        [tool.healthgate.gates]
        duration = false
        debt = { fail = "300h", warn = "200h" }
        memory = { fail = "500MB" }
        complexity = { fail = "D", warn = "C" }
        [tool.healthgate.gates.coverage]
        fail = "65%"
        warn = 80
        [tool.healthgate.gates.coverage.paths]
        "src/pkg/core/**" = 90
        """,
    )
    config = load(root, root / "pyproject.toml")
    assert config.gates["coverage"] == Bounds(fail=65, warn=80)
    assert "duration" not in config.gates
    assert config.gates["debt"] == Bounds(fail=300 * 3600, warn=200 * 3600)
    assert config.gates["memory"] == Bounds(fail=500_000_000)
    assert config.gates["complexity"] == Bounds(fail=4, warn=3)
    assert config.coverage_paths == {"src/pkg/core/**": 90}
    assert config.section("debt")["markers"] == ("TODO", "FIXME", "HACK", "XXX")
    # Unwritten gates keep the default playbook's bounds, which the project never adopted.
    assert config.gates["critical"] == Bounds(fail=0, adopted=False)
    assert config.gates["import_time"] == Bounds(fail=2, warn=1, adopted=False)


def test_default_gates_false_keeps_only_the_written_gates_and_declared_metrics(
    tmp_path: Path,
) -> None:
    root = project(
        tmp_path,
        """
        [tool.healthgate]
        default_gates = false
        [tool.healthgate.gates]
        debt = { fail = "10h" }
        coverage = { fail = 50 }
        [tool.healthgate.metrics.fps]
        better = "higher"
        fail = 10
        """,
    )
    config = load(root, root / "pyproject.toml")
    assert config.gates == {  # in catalogue order, whatever the order written
        "coverage": Bounds(fail=50),
        "debt": Bounds(fail=36000),
        "fps": Bounds(fail=10),
    }


def test_default_gates_must_be_true_or_false(tmp_path: Path) -> None:
    root = project(tmp_path, '[tool.healthgate]\ndefault_gates = "no"\n')
    with pytest.raises(ConfigError, match=r"default_gates = \"no\": expected true or false"):
        load(root, root / "pyproject.toml")


INVALID = [
    pytest.param(
        "[tool.healthgate]\nsorce = ['src']\n",
        ["[tool.healthgate] sorce = ['src']: unknown key", "Did you mean 'source'?"],
        id="top-level typo",
    ),
    pytest.param(
        "[tool.healthgate.gates]\ncoverag = { fail = 80 }\n",
        ["[tool.healthgate.gates] coverag", "unknown key", "Did you mean 'coverage'?"],
        id="unknown gate",
    ),
    pytest.param(
        "[tool.healthgate.gates]\ncoverage = { fial = 80 }\n",
        ["[tool.healthgate.gates.coverage] fial = 80: unknown key", "Did you mean 'fail'?"],
        id="gate key typo",
    ),
    pytest.param(
        "[tool.healthgate.gates]\nduration = { fail = 'fast' }\n",
        ['[tool.healthgate.gates.duration] fail = "fast"', "is not a duration"],
        id="unparseable unit",
    ),
    pytest.param(
        "[tool.healthgate.gates]\ncoverage = { fail = 80, warn = 70 }\n",
        ["warn = 70 is on the wrong side of fail = 80", "warn must be at or above fail"],
        id="warn below fail for a higher-is-better gate",
    ),
    pytest.param(
        "[tool.healthgate.gates]\ndebt = { fail = '200h', warn = '300h' }\n",
        ["warn = '300h' is on the wrong side", "warn must be at or below fail"],
        id="warn above fail for a lower-is-better gate",
    ),
    pytest.param(
        "[tool.healthgate]\nsource = 'src'\n",
        ['source = "src": expected a list of paths or package names'],
        id="wrong type",
    ),
    pytest.param(
        "[tool.healthgate.gates]\ncoverage = 80\n",
        ["[tool.healthgate.gates] coverage = 80: expected a table such as"],
        id="gate not a table",
    ),
    pytest.param(
        "[tool.healthgate.gates]\ncoverage = {}\n",
        ["[tool.healthgate.gates.coverage] sets no bound", "coverage = false"],
        id="gate without bounds",
    ),
    pytest.param(
        "[tool.healthgate.gates]\npass_rate = { fail = 120 }\n",
        ["pass_rate] fail = 120", "above 100%"],
        id="percent above 100",
    ),
    pytest.param(
        "[tool.healthgate.debt]\nmypy = 'yes'\n",
        ['[tool.healthgate.debt] mypy = "yes": expected true or false'],
        id="section value of the wrong type",
    ),
    pytest.param(
        "[tool.healthgate.imports]\nsampels = 3\n",
        ["[tool.healthgate.imports] sampels = 3: unknown key", "Did you mean 'samples'?"],
        id="section key typo",
    ),
    pytest.param(
        "[tool.healthgate\n",
        ["not valid TOML"],
        id="broken toml",
    ),
]

# Values that would silently turn a gate off, or crash the run, are usage errors too.
UNUSABLE = [
    pytest.param(
        "[tool.healthgate.debt.minutes]\nlint = nan\n",
        ["[tool.healthgate.debt] minutes", "lint = nan is not a number of minutes"],
        id="NaN minutes",
    ),
    pytest.param(
        "[tool.healthgate.debt.minutes]\nsecurity-high = inf\n",
        ["[tool.healthgate.debt] minutes", "security-high = inf"],
        id="infinite minutes",
    ),
    pytest.param(
        "[tool.healthgate.debt.minutes]\nlint = 1" + "0" * 400 + "\n",
        ["[tool.healthgate.debt] minutes", "lint = 1000", "characters"],
        id="minutes beyond float range",
    ),
    pytest.param(
        '[tool.healthgate.debt]\ncost_per_line = "0s"\n',
        ['[tool.healthgate.debt] cost_per_line = "0s"', "write a duration above 0"],
        id="zero cost per line",
    ),
    pytest.param(
        '[tool.healthgate.imports]\ntimeout = "0s"\n',
        ['[tool.healthgate.imports] timeout = "0s"', "write a duration above 0"],
        id="zero import timeout",
    ),
    pytest.param(
        '[tool.healthgate.debt]\ntimeout = "400d"\n',
        ['[tool.healthgate.debt] timeout = "400d"', "above the maximum of 24.0h"],
        id="timeout beyond a day",
    ),
    pytest.param(
        "[tool.healthgate.imports]\nsamples = 1000000\n",
        ["[tool.healthgate.imports] samples = 1000000", "above the maximum of 100"],
        id="absurd samples",
    ),
    pytest.param(
        "[tool.healthgate.debt]\njobs = 100000\n",
        ["[tool.healthgate.debt] jobs = 100000", "above the maximum of 256"],
        id="absurd jobs",
    ),
    pytest.param(
        "[tool.healthgate.gates]\ncritical = { fail = 1" + "0" * 400 + " }\n",
        ["[tool.healthgate.gates.critical] fail = 1000", "is too large"],
        id="integer bound beyond float range",
    ),
    pytest.param(
        "[tool.healthgate.metrics.fps]\nbetter = 'higher'\nfail = 1" + "0" * 400 + "\n",
        ["[tool.healthgate.metrics.fps] fail = 1000", "is too large"],
        id="metric bound beyond float range",
    ),
    pytest.param(
        "[tool.healthgate.metrics.fps]\nbetter = ['higher']\n",
        ["[tool.healthgate.metrics.fps] better = ['higher']: expected one of"],
        id="metric choice of the wrong type",
    ),
    pytest.param(
        "[tool.healthgate]\nsource = []\n",
        ["[tool.healthgate] source = []", "remove the key to derive source"],
        id="empty source",
    ),
    pytest.param(
        "x = " + "[" * 500 + "]" * 500 + "\n",
        ["nested too deeply"],
        id="500-deep array",
    ),
    pytest.param(
        "x = " + "1" * 5000 + "\n",
        ["cannot be read", "4300 digits"],
        id="integer of 5000 digits",
    ),
    pytest.param(
        "[tool.healthgate.gates]\ncoverage = { warn = 85 }\n"
        "[tool.coverage.report]\nfail_under = 90\n",
        ["[tool.healthgate.gates.coverage] warn = 85 is below the fail bound 90"],
        id="warn below the project's fail_under",
    ),
    pytest.param(
        "[tool.coverage.run]\nbranch = 'maybe'\n",
        ["coverage.py cannot use the project's coverage settings", "branch"],
        id="bad coverage setting",
    ),
]


@pytest.mark.parametrize(("toml", "fragments"), INVALID + UNUSABLE)
def test_invalid_configuration_names_file_key_value_and_fix(
    tmp_path: Path, toml: str, fragments: list[str]
) -> None:
    root = project(tmp_path, toml)
    with pytest.raises(ConfigError) as caught:
        load(root, root / "pyproject.toml")
    message = str(caught.value)
    assert str(root / "pyproject.toml") in message
    for fragment in fragments:
        assert fragment in message


def test_pyproject_is_found_next_to_the_inifile_not_the_working_directory(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "sub").mkdir()
    assert find_pyproject(tmp_path, tmp_path / "pyproject.toml") == tmp_path / "pyproject.toml"
    (tmp_path / "sub" / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "sub" / "pyproject.toml").write_text("")
    assert find_pyproject(tmp_path, tmp_path / "sub" / "pytest.ini") == (
        tmp_path / "sub" / "pyproject.toml"
    )
    assert find_pyproject(tmp_path / "sub" / "none", None) is None


def test_the_configuration_reference_in_docs_is_generated_from_the_schema() -> None:
    docs = Path(__file__).parent.parent / "docs" / "configuration.md"
    assert reference(builtin_catalogue()) in docs.read_text(), (
        "run `python docs/render_reference.py` to refresh"
    )


def test_the_default_playbook_page_is_generated_from_the_catalogue() -> None:
    docs = Path(__file__).parent.parent / "docs" / "default-playbook.md"
    assert playbook(builtin_catalogue()) in docs.read_text(), (
        "run `python docs/render_reference.py` to refresh"
    )


def test_the_playbook_as_written_on_its_page_is_the_default_playbook_adopted(
    tmp_path: Path,
) -> None:
    block = playbook(builtin_catalogue()).split("```toml\n")[1].split("```")[0]
    root = project(tmp_path, "[tool.healthgate]\ndefault_gates = false\n" + block)
    written = load(root, root / "pyproject.toml").gates
    defaults = load(project(tmp_path, ""), tmp_path / "pyproject.toml").gates
    assert written == {name: replace(bounds, adopted=True) for name, bounds in defaults.items()}


def test_a_bad_configuration_stops_pytest_with_a_usage_error_before_any_test(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyprojecttoml("[tool.healthgate.gates]\ncoverage = { fial = 80 }\n")
    pytester.makepyfile(test_x="def test_x():\n    open('ran', 'w').close()\n")
    result = pytester.runpytest_subprocess("--healthgate")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["*healthgate:*pyproject.toml*fial = 80: unknown key*Did you mean 'fail'?*"]
    )
    assert "Traceback" not in result.stderr.str()
    assert not (pytester.path / "ran").exists()


def test_a_bad_configuration_is_ignored_without_healthgate(pytester: pytest.Pytester) -> None:
    pytester.makepyprojecttoml("[tool.healthgate.gates]\ncoverage = { fial = 80 }\n")
    pytester.makepyfile(test_x="def test_x():\n    pass\n")
    assert pytester.runpytest_subprocess().ret == 0


def test_an_unknown_report_format_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_x="def test_x():\n    pass\n")
    result = pytester.runpytest_subprocess("--healthgate", "--healthgate-report=xml:out.xml")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["*--healthgate-report=xml:out.xml: expected FORMAT[[]:PATH[]]*json*"]
    )


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        ("", Bounds(fail=90)),  # the default warn 80 lies below the project's floor
        ("coverage = { warn = 95 }", Bounds(fail=90, warn=95)),
        ("coverage = { fail = 50 }", Bounds(fail=50)),  # healthgate's own bound wins
    ],
)
def test_the_project_fail_under_is_the_coverage_fail_bound_when_healthgate_sets_none(
    tmp_path: Path, toml: str, expected: Bounds
) -> None:
    root = project(
        tmp_path,
        f"[tool.healthgate.gates]\n{toml}\n[tool.coverage.report]\nfail_under = 90\n",
    )
    assert load(root, root / "pyproject.toml").gates["coverage"] == expected


def test_a_fail_under_in_coveragerc_counts_and_a_turned_off_gate_ignores_it(
    tmp_path: Path,
) -> None:
    root = project(tmp_path, "")
    (root / ".coveragerc").write_text("[report]\nfail_under = 83.2\n")
    assert load(root, root / "pyproject.toml").gates["coverage"] == Bounds(fail=83.2, warn=None)
    (root / ".coveragerc").write_text("[report]\nfail_under = 200\n")
    (root / "pyproject.toml").write_text("[tool.healthgate.gates]\ncoverage = false\n")
    assert "coverage" not in load(root, root / "pyproject.toml").gates


def test_a_legacy_pytest_table_does_not_crash_the_import_time_hook(tmp_path: Path) -> None:
    from pytest_healthgate.environment import pytest_pythonpath

    for toml in ('[tool]\npytest = "legacy"\n', "[tool.pytest]\nini_options = 5\n"):
        root = project(tmp_path, toml)
        assert pytest_pythonpath(load(root, root / "pyproject.toml")) == []
    root = project(tmp_path, '[tool.pytest.ini_options]\npythonpath = "src lib"\n')
    assert pytest_pythonpath(load(root, root / "pyproject.toml")) == [
        str(root / "src"),
        str(root / "lib"),
    ]


def test_coverage_source_entries_outside_the_project_are_not_derived(tmp_path: Path) -> None:
    """python-slugify's own config: source = ["slugify", "test"], with no test/ folder.

    coverage.py reads "test" as an importable name (the standard library's test
    package); healthgate analyses and times only what is in the project.
    """
    (tmp_path / "slugify").mkdir()
    (tmp_path / "slugify" / "__init__.py").write_text("")
    (tmp_path / "src" / "other").mkdir(parents=True)
    (tmp_path / "src" / "other" / "__init__.py").write_text("")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.coverage.run]\nsource = ["slugify", "test", "other"]\n'
    )
    config = load(tmp_path, tmp_path / "pyproject.toml")
    assert config.source == ("slugify", "src/other")
    assert config.packages == ("slugify", "other")


def test_the_score_table_is_read_with_its_defaults(tmp_path: Path) -> None:
    root = project(tmp_path, "[tool.healthgate.score]\nweights = { coverage = 2, debt = 0 }\n")
    settings = load(root, root / "pyproject.toml")
    assert settings.score_weights == {"coverage": 2.0, "debt": 0.0}
    assert (settings.trend_runs, settings.trend_share) == (5, 0.05)


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[tool.healthgate]\nscore = 3\n", "[tool.healthgate] score = 3: expected a table"),
        (
            "[tool.healthgate.score]\nweights = { coverag = 1 }\n",
            "[tool.healthgate.score.weights] coverag = 1: unknown key; valid keys are coverage",
        ),
        (
            "[tool.healthgate.score]\nweights = { coverage = -1 }\n",
            "coverage = -1: expected a number of 0 or more",
        ),
        ("[tool.healthgate.score]\nweights = 2\n", "weights = 2: expected a table with weights"),
        ("[tool.healthgate.score]\ntrend = 5\n", "Did you mean 'trend_runs'?"),
        (
            "[tool.healthgate.score]\ntrend_runs = 1\n",
            "trend_runs = 1: expected a whole number of 2",
        ),
        ("[tool.healthgate.score]\ntrend_share = 5\n", "trend_share = 5: expected a share"),
    ],
)
def test_a_wrong_score_table_names_the_key_and_the_fix(
    tmp_path: Path, toml: str, message: str
) -> None:
    root = project(tmp_path, toml)
    with pytest.raises(ConfigError) as raised:
        load(root, root / "pyproject.toml")
    assert message in str(raised.value)
