"""Two `pytest --healthgate` runs of one project at the same moment never share coverage data.

Each pair meets twice (a rendezvous, not a sleep): in a test, and again when
both sessions finish, right before they save their coverage data. A run that
erased, combined or read the other's data would report an ERROR or a wrong
figure.
"""

from __future__ import annotations

from pathlib import Path

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
