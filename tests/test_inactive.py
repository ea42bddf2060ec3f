"""Installed but not asked for: the plugin costs nothing and touches nothing."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

# tomllib is left out: pytest itself loads it to read pyproject.toml.
HEAVY = [
    "coverage",
    "radon",
    "ruff",
    "bandit",
    "mypy",
    "sqlite3",
    "psutil",
    "tomli_w",
    "jsonschema",
]


@pytest.fixture(autouse=True)
def no_subprocess_coverage(monkeypatch: pytest.MonkeyPatch) -> None:
    # This repository's own self-measurement starts coverage.py in every Python
    # subprocess (coverage's `patch = ["subprocess"]`); these tests are about what
    # the plugin loads, so they run without that harness.
    monkeypatch.delenv("COVERAGE_PROCESS_CONFIG", raising=False)
    monkeypatch.delenv("COVERAGE_PROCESS_START", raising=False)


def test_importing_the_plugin_imports_no_heavy_module() -> None:
    probe = (
        "import json, sys\n"
        "before = set(sys.modules)\n"
        "import pytest_healthgate.plugin\n"
        "print(json.dumps(sorted(set(sys.modules) - before)))\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    loaded = json.loads(completed.stdout)
    assert [name for name in loaded if name.split(".")[0] in HEAVY] == []
    assert [name for name in loaded if name.startswith("pytest_healthgate")] == [
        "pytest_healthgate",
        "pytest_healthgate.plugin",
    ]


def test_a_run_without_the_option_loads_nothing_and_writes_nothing(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyprojecttoml("[tool.healthgate.gates]\ncoverage = { fail = 100 }\n")
    pytester.makeconftest(
        """
        import json, sys

        def pytest_sessionfinish(session):
            heavy = HEAVY_NAMES
            loaded = sorted(name for name in sys.modules if name.split(".")[0] in heavy)
            ours = sorted(name for name in sys.modules if name.startswith("pytest_healthgate"))
            with open("modules.json", "w") as handle:
                json.dump({"heavy": loaded, "ours": ours}, handle)
        """.replace("HEAVY_NAMES", repr(HEAVY))
    )
    pytester.makepyfile(test_x="def test_x():\n    pass\n")
    result = pytester.runpytest_subprocess("-p", "no:cov", "-p", "no:xdist")
    assert result.ret == 0
    modules = json.loads((pytester.path / "modules.json").read_text())
    assert modules == {"heavy": [], "ours": ["pytest_healthgate", "pytest_healthgate.plugin"]}
    assert not (pytester.path / ".healthgate").exists()
    assert not (pytester.path / ".coverage").exists()
