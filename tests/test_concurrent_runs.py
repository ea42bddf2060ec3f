"""Two `pytest --healthgate` runs of one project at the same moment never share coverage data.

Each pair meets twice (a rendezvous, not a sleep): in a test, and again when
both sessions finish, right before they save their coverage data. A run that
erased, combined or read the other's data would report an ERROR or a wrong
figure.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import coverage

from tests.state_helpers import (
    RENDEZVOUS,
    coverage_total,
    environment,
    finish,
    gate,
    leftovers,
    pytest_command,
    start,
    write_files,
)

# 9 statements: the tests run 5 of them, the subprocess 2 more: 7/9.
FIGURE = "77.78"
LINE_OF_NEVER_CALLED = 15
PROJECT = {
    "pyproject.toml": """
        [tool.pytest.ini_options]
        pythonpath = ["src"]
        testpaths = ["tests"]

        [tool.coverage.run]
        data_file = "build/coverage/data"
        patch = ["subprocess"]

        [tool.coverage.report]
        precision = 2

        [tool.healthgate]
        source = ["src/calc"]

        [tool.healthgate.gates]
        coverage = { fail = 60 }
        """,
    "src/calc/__init__.py": """
        LIMIT = 3


        def add(a, b):
            return a + b


        def in_child(flag):
            if flag:
                return "child"
            return "never"


        def never_called():
            return 0
        """,
    "tests/conftest.py": RENDEZVOUS,
    "tests/test_calc.py": """
        import os
        import subprocess
        import sys

        from calc import add


        def test_add_meets_the_other_run(meet):
            assert add(1, 2) == 3
            meet("tests")


        def test_a_subprocess_is_measured_too():
            env = dict(os.environ, PYTHONPATH="src")
            code = "import calc; calc.in_child(True)"
            subprocess.run([sys.executable, "-c", code], check=True, env=env)
        """,
}
# Five pairs; in the last one the second run uses two xdist workers.
PAIRS = [((), ())] * 4 + [((), ("-n", "2"))]


def test_two_runs_at_once_each_judge_their_own_coverage_data(tmp_path: Path) -> None:
    root = write_files(tmp_path / "project", PROJECT)
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    env = environment(temporary)
    for number, (first, second) in enumerate(PAIRS):
        meeting = tmp_path / f"rendezvous-{number}"
        meeting.mkdir()
        runs = []
        for name, other, args in (("a", "b", first), ("b", "a", second)):
            report = tmp_path / f"report-{number}-{name}.json"
            run_env = {**env, "RENDEZVOUS": str(meeting), "RUN_NAME": name, "OTHER_RUN": other}
            runs.append((report, start(pytest_command(report, *args), root, run_env)))
        for report, process in runs:
            status, output = finish(process)
            assert status == 0, output
            assert "ERROR" not in output, output
            assert "Traceback" not in output, output
            coverage = gate(report, "coverage")
            assert (coverage["verdict"], coverage["display"]) == ("PASS", f"{FIGURE}%"), output
        # The data file holds one run's complete data: `coverage report` agrees with it.
        assert coverage_total(root, env) == FIGURE
    data = root / "build" / "coverage"
    assert sorted(path.name for path in data.iterdir()) == ["data"]
    assert not (root / ".coverage").exists()
    assert leftovers(root, temporary) == []


PARALLEL_PROJECT = {
    "src/calc/__init__.py": PROJECT["src/calc/__init__.py"],
    "pyproject.toml": """
        [tool.pytest.ini_options]
        pythonpath = ["src"]
        testpaths = ["tests"]

        [tool.coverage.run]
        source = ["src/calc"]
        parallel = true

        [tool.coverage.report]
        precision = 2

        [tool.healthgate.gates]
        coverage = { fail = 60 }
        """,
    "tests/test_calc.py": """
        import os
        import subprocess
        import sys

        from calc import add


        def test_add():
            assert add(1, 2) == 3


        def test_a_subprocess_measured_through_coverage_process_start():
            env = dict(os.environ, PYTHONPATH="src", COVERAGE_PROCESS_START="pyproject.toml")
            env.pop("COVERAGE_PROCESS_CONFIG", None)  # the outer suite's own measurement
            code = "import calc; calc.in_child(True)"
            subprocess.run([sys.executable, "-c", code], check=True, env=env)
        """,
}


def test_only_parallel_data_files_written_during_the_run_are_combined(tmp_path: Path) -> None:
    root = write_files(tmp_path / "project", PARALLEL_PROJECT)
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    env = environment(temporary)
    # Another run's file from an hour ago: were it combined, never_called would count.
    stale = coverage.CoverageData(basename=str(root / ".coverage"), suffix="elsewhere.pid1.Xoldx")
    stale.add_lines({str(root / "src" / "calc" / "__init__.py"): [LINE_OF_NEVER_CALLED]})
    stale.write()
    stale_file = root / ".coverage.elsewhere.pid1.Xoldx"
    an_hour_ago = time.time() - 3600
    os.utime(stale_file, (an_hour_ago, an_hour_ago))
    report = tmp_path / "report.json"
    status, output = finish(start(pytest_command(report), root, env))
    assert status == 0, output
    # The subprocess's data counts (7 of 9 statements), the stale file's does not...
    coverage_gate = gate(report, "coverage")
    assert coverage_gate["display"] == f"{FIGURE}%", output
    # ... and it is left alone, with a word on it: `coverage report` combines what it finds.
    assert sorted(path.name for path in root.glob(".coverage*")) == [".coverage", stale_file.name]
    assert coverage_gate["extra"]["parallel_files_left"] == [stale_file.name]
    assert "1 parallel data file(s) from before this run left beside" in output
    stale_file.rename(tmp_path / stale_file.name)
    assert coverage_total(root, env) == FIGURE
    assert leftovers(root, temporary) == []


def test_a_data_file_that_cannot_be_replaced_is_reported_and_the_figure_kept(
    tmp_path: Path,
) -> None:
    root = write_files(tmp_path / "project", blocked_project('data_file = "taken"'))
    (root / "taken").mkdir()  # a folder where the data file should go
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    report = tmp_path / "report.json"
    env = environment(temporary)
    status, output = finish(start(pytest_command(report), root, env))
    assert status == 0, output
    assert f"healthgate: ERROR: the coverage data of this run was not saved to {root}" in output
    coverage_gate = gate(report, "coverage")
    assert (coverage_gate["verdict"], coverage_gate["display"]) == ("PASS", "56%")
    assert "taken" in coverage_gate["extra"]["data_file_problem"]
    assert leftovers(root, temporary) == []


def test_a_data_file_folder_that_cannot_be_made_is_a_usage_error(tmp_path: Path) -> None:
    root = write_files(tmp_path / "project", blocked_project('data_file = "blocked/data"'))
    (root / "blocked").write_text("a file where the data file's folder should be")
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    command = pytest_command(tmp_path / "report.json")
    status, output = finish(start(command, root, environment(temporary)))
    assert status == 4, output
    assert "healthgate: coverage.py cannot start: [Errno 17] File exists: 'blocked'" in output
    assert "Traceback" not in output


def blocked_project(data_file: str) -> dict[str, str]:
    return {
        "src/calc/__init__.py": PROJECT["src/calc/__init__.py"],
        "pyproject.toml": f"""
            [tool.pytest.ini_options]
            pythonpath = ["src"]

            [tool.coverage.run]
            {data_file}

            [tool.healthgate.gates]
            coverage = {{ fail = 40 }}
            """,
        "tests/test_calc.py": "from calc import add\n\n\ndef test_add():\n    assert add(1, 2)\n",
    }
