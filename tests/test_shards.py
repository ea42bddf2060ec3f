"""Sharded runs: `pytest --healthgate --healthgate-shard=DIR` and `healthgate combine`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

SCHEMA = json.loads((Path(__file__).parent.parent / "docs" / "last-run.schema.json").read_text())
GIT = ["git", "-c", "user.name=healthgate", "-c", "user.email=hg@example.invalid"]

PYPROJECT = """\
[tool.pytest.ini_options]
pythonpath = ["src"]
testpaths = ["tests"]

[tool.healthgate]
source = ["src/calc"]

[tool.healthgate.gates]
coverage = { fail = 60, warn = 95 }
pass_rate = { fail = 90 }
collection_errors = { fail = 0 }
debt = { fail = "1d" }
"""

CALC = """\
def add(a, b):
    if a < 0:
        return b
    return a + b


def scale(x, factor=2):
    return x * factor


def unused(x):  # TODO: remove
    return -x
"""

SHAPES = """\
def area(width, height):
    if width <= 0 or height <= 0:
        raise ValueError("sizes must be positive")
    return width * height
"""

TESTS = {
    "test_add.py": "from calc import add\n\ndef test_add():\n    assert add(1, 2) == 3\n",
    "test_scale.py": "from calc import scale\n\ndef test_scale():\n    assert scale(3) == 6\n",
    "test_shapes.py": (
        "import pytest\nfrom calc.shapes import area\n\n"
        "def test_area():\n    assert area(2, 3) == 6\n\n"
        "def test_bad():\n    with pytest.raises(ValueError):\n        area(0, 1)\n"
    ),
}


def run(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], cwd=root, capture_output=True, text=True, check=False
    )


def pytest_run(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run(root, "-m", "pytest", "--healthgate", "-p", "no:cacheprovider", *args)


def combine(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run(root, "-m", "pytest_healthgate.cli", "combine", *args)


def last_run(root: Path) -> dict[str, object]:
    document: dict[str, object] = json.loads((root / ".healthgate" / "last-run.json").read_text())
    return document


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "calc"
    (root / "src" / "calc").mkdir(parents=True)
    (root / "tests").mkdir()
    (root / "pyproject.toml").write_text(PYPROJECT)
    (root / "src" / "calc" / "__init__.py").write_text(CALC)
    (root / "src" / "calc" / "shapes.py").write_text(SHAPES)
    for name, text in TESTS.items():
        (root / "tests" / name).write_text(text)
    (root / ".gitignore").write_text(".healthgate/\n.coverage*\nshards/\n")
    for arguments in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "calc"]):
        subprocess.run([*GIT, *arguments], cwd=root, check=True, capture_output=True)
    return root


def shard_all(root: Path, *extra: str) -> list[str]:
    folders = []
    for number, name in enumerate(TESTS, start=1):
        folder = f"shards/{number}"
        done = pytest_run(root, f"--healthgate-shard={folder}", f"tests/{name}", *extra)
        assert done.returncode == 0, done.stdout + done.stderr
        assert f"healthgate: shard {number} recorded in" in done.stdout
        folders.append(folder)
    return folders


def figures(document: dict[str, object]) -> dict[str, object]:
    metrics = {m["name"]: m for m in document["metrics"]}  # type: ignore[attr-defined, index]
    coverage = metrics["coverage"]
    return {
        "coverage": coverage["value"],
        "files": coverage["extra"]["files"],
        "units": coverage["extra"]["file_units"],
        "verdicts": {name: metric["verdict"] for name, metric in metrics.items()},
        "pass_rate": metrics["pass_rate"]["value"],
        "debt": metrics["debt"]["value"],
    }


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["serial", "xdist"])
def test_three_shards_combined_equal_the_unsplit_run(project: Path, workers: list[str]) -> None:
    whole = pytest_run(project, *workers)
    assert whole.returncode == 0, whole.stdout
    expected = figures(last_run(project))
    assert expected["coverage"] < 100  # unused() is never called: the figure is not trivial

    folders = shard_all(project, *workers)
    combined = combine(project, *folders, "--expect", "3")
    assert combined.returncode == 0, combined.stdout + combined.stderr
    document = last_run(project)
    jsonschema.validate(document, SCHEMA)
    assert figures(document) == expected
    assert document["run"]["surface"] == "combine"  # type: ignore[index]
    assert document["run"]["shards"] == ["1", "2", "3"]  # type: ignore[index]
    assert document["run"]["partial"] == []  # type: ignore[index]
    coverage = run(project, "-m", "coverage", "report", "--format=total")
    assert coverage.stdout.strip() == f"{expected['coverage']:g}"  # the data file agrees
    memory = next(m for m in document["metrics"] if m["name"] == "memory")  # type: ignore[attr-defined]
    assert sorted(memory["extra"]["processes"]) == ["shard 1", "shard 2", "shard 3"]
    assert memory["value"] == max(memory["extra"]["processes"].values())
    duration = next(m for m in document["metrics"] if m["name"] == "duration")  # type: ignore[attr-defined]
    shards = duration["extra"]["shards"]
    assert duration["value"] == shards["wall"] <= shards["total"]


def test_a_missing_shard_is_named_and_nothing_is_judged(project: Path) -> None:
    folders = shard_all(project)
    refused = combine(project, folders[0], folders[2], "--expect", "3")
    assert refused.returncode == 2
    assert "expected 3 shards, got 2 (1, 3): missing shard 2" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert not (project / ".healthgate" / "last-run.json").exists()


def test_a_failing_test_in_one_shard_fails_the_combined_run(project: Path) -> None:
    (project / "tests" / "test_scale.py").write_text(TESTS["test_scale.py"].replace("== 6", "== 7"))
    subprocess.run([*GIT, "commit", "-qam", "break"], cwd=project, check=True)
    folders = []
    for number, name in enumerate(TESTS, start=1):
        pytest_run(project, f"--healthgate-shard=shards/{number}", f"tests/{name}")
        folders.append(f"shards/{number}")
    combined = combine(project, *folders)
    assert combined.returncode == 1
    assert "FAIL pass_rate = 75.00%" in combined.stdout


def test_shards_of_another_commit_config_or_version_are_refused(project: Path) -> None:
    folders = shard_all(project)
    # Another commit: the combine's checkout moved on.
    (project / "README.md").write_text("calc\n")
    subprocess.run([*GIT, "add", "-A"], cwd=project, check=True)
    subprocess.run([*GIT, "commit", "-qm", "readme"], cwd=project, check=True)
    moved = combine(project, *folders)
    assert moved.returncode == 2
    assert "the shards ran with commit" in moved.stderr
    assert "run the combine on the commit and configuration the shards ran" in moved.stderr
    # One shard from another version of healthgate.
    record = project / folders[1] / "healthgate-shard.json"
    data = json.loads(record.read_text())
    data["healthgate"] = "0.0.1"
    record.write_text(json.dumps(data))
    other = combine(project, *folders)
    assert other.returncode == 2
    assert "shard 2 (shards/2) has healthgate '0.0.1'" in other.stderr
    # The same id twice, and a folder that is no shard.
    twice = combine(project, folders[0], folders[0])
    assert "two shards have the id '1'" in twice.stderr
    (project / "empty").mkdir()
    empty = combine(project, "empty")
    assert empty.returncode == 2
    assert "empty: holds no healthgate-shard.json" in empty.stderr
    for done in (moved, other, twice, empty):
        assert "Traceback" not in done.stderr


def _workflow() -> dict[str, object]:
    import re

    import yaml

    page = (Path(__file__).parent.parent / "docs" / "ci.md").read_text()
    block = re.search(r"```yaml\n(# \.github/workflows/tests\.yml\n.*?)```", page, re.S)
    assert block is not None, "docs/ci.md lost its matrix workflow"
    workflow: dict[str, object] = yaml.safe_load(block.group(1))
    return workflow


def _runs(job: dict[str, object]) -> list[str]:
    return [str(step["run"]) for step in job["steps"] if "run" in step]  # type: ignore[attr-defined]


def bash(root: Path, command: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-c", command], cwd=root, env=env, capture_output=True, text=True, check=False
    )


def test_the_documented_matrix_workflow_runs_as_written(project: Path) -> None:
    import shutil

    jobs = _workflow()["jobs"]
    assert isinstance(jobs, dict)
    shard_job, gate_job = jobs["shard"], jobs["gate"]
    matrix = shard_job["strategy"]["matrix"]["include"]
    for entry in matrix:  # the project's tests, in the folders the matrix names
        folder = project / entry["tests"]
        folder.mkdir(parents=True)
    for name, entry in zip(TESTS, matrix, strict=True):
        (project / "tests" / name).rename(project / entry["tests"] / name)
    subprocess.run([*GIT, "add", "-A"], cwd=project, check=True)
    subprocess.run([*GIT, "commit", "-qm", "folders"], cwd=project, check=True)
    environment = {"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin"}
    pytest_step = next(run for run in _runs(shard_job) if run.startswith("pytest "))
    for entry in matrix:
        command = pytest_step
        for key, value in entry.items():
            command = command.replace(f"${{{{ matrix.{key} }}}}", str(value))
        done = bash(project, command, environment)
        assert done.returncode == 0, command + done.stdout + done.stderr
        # download-artifact with a pattern puts each artifact in a folder of its name.
        artifact = f"shard-{entry['shard']}"
        shutil.move(project / artifact, project / "shards" / artifact)
    gate_step = next(run for run in _runs(gate_job) if run.startswith("healthgate combine"))
    assert f"--expect {len(matrix)}" in gate_step
    done = bash(project, gate_step, environment)
    assert done.returncode == 0, done.stdout + done.stderr
    document = last_run(project)
    assert document["run"]["shards"] == ["1", "2", "3"]  # type: ignore[index]
    assert (project / ".healthgate" / "report.html").is_file()
    assert (project / ".healthgate" / "report.md").is_file()


def test_a_damaged_or_foreign_record_is_an_error_naming_the_fix(tmp_path: Path) -> None:
    from pytest_healthgate.store import shard

    folder = tmp_path / "shard-a"
    folder.mkdir()
    record = folder / shard.RECORD
    cases = {
        "{not json": "not a shard record",
        json.dumps({"format": 99}): "record format 99, this one reads 1",
        json.dumps({"format": 1}): "damaged shard record",
        json.dumps([1]): "record format ?",
    }
    for text, expected in cases.items():
        record.write_text(text)
        with pytest.raises(shard.ShardError, match="healthgate-shard") as caught:
            shard.read(folder)
        assert expected in str(caught.value), text


def test_named_shards_that_are_missing_are_counted(project: Path) -> None:
    for name in ("unit", "functional"):
        done = pytest_run(project, f"--healthgate-shard=shards/{name}", "tests/test_add.py")
        assert done.returncode == 0, done.stdout
    refused = combine(project, "shards/unit", "shards/functional", "--expect", "3")
    assert "expected 3 shards, got 2 (unit, functional); wait for every shard's job" in (
        refused.stderr
    )


def test_a_shard_recorded_in_process_and_one_that_cannot_be_written(
    pytester: pytest.Pytester,
) -> None:
    from tests.helpers import write, write_project

    write_project(
        pytester,
        '[tool.healthgate]\nsource = ["src/calc"]\ndefault_gates = false\n'
        "[tool.healthgate.gates]\npass_rate = { fail = 90 }\n",
    )
    write(pytester, "tests/test_it.py", "def test_it():\n    assert True\n")
    done = pytester.runpytest_inprocess("--healthgate", "--healthgate-shard=out/one")
    assert done.ret == 0
    done.stdout.fnmatch_lines(["healthgate: shard one recorded in *healthgate-shard.json*"])
    record = json.loads((pytester.path / "out" / "one" / "healthgate-shard.json").read_text())
    assert record["shard"] == "one"
    assert record["states"]["outcomes"]["outcomes"] == {"tests/test_it.py::test_it": "passed"}
    (pytester.path / "blocked").write_text("a file where the shard's folder should be")
    blocked = pytester.runpytest_inprocess("--healthgate", "--healthgate-shard=blocked/two")
    blocked.stdout.fnmatch_lines(["healthgate: ERROR: shard two could not be written to *"])
