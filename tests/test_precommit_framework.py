"""The hooks driven by the real pre-commit, in temporary git repositories.

pre-commit installs this repository into a hook environment of its own (pip,
from PyPI for the dependencies), once per test session: the hook repository is a
snapshot of the working tree committed into a temporary git repository, so the
tests judge the code as it is, committed or not.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests.test_precommit_hooks import DEEP, OLD

ROOT = Path(__file__).resolve().parent.parent
GIT = ["git", "-c", "user.name=healthgate", "-c", "user.email=hg@example.invalid"]
PRE_COMMIT = [sys.executable, "-m", "pre_commit"]


def git(root: Path, *args: str) -> str:
    return subprocess.run(
        [*GIT, *args], cwd=root, check=True, capture_output=True, text=True
    ).stdout.strip()


def _snapshot(target: Path) -> str:
    """Commit the working tree's files (tracked and new, not ignored) into ``target``."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    ).stdout.split(b"\0")
    for raw in listed:
        name = raw.decode()
        source = ROOT / name
        if not name or not source.is_file():
            continue
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target / name)
    git(target, "init", "-q")
    git(target, "add", "-A")
    git(target, "commit", "-qm", "snapshot")
    return git(target, "rev-parse", "HEAD")


@pytest.fixture(scope="session")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """One snapshot for all xdist workers of this session: the first to arrive builds it.

    Under xdist the workers' temporary folders share a parent of this session; a
    serial session has its own folder (its parent is shared by every session).
    """
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    target = shared / "healthgate-hook-repo"
    ready = shared / "healthgate-hook-repo.rev"
    try:
        target.mkdir()
    except FileExistsError:
        deadline = time.monotonic() + 300
        while not ready.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
    else:
        ready.write_text(_snapshot(target))
    return target, ready.read_text()


@pytest.fixture
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    # The hook environments are shared by the whole session (pre-commit locks its
    # store); the project's own environment (this venv) is on PATH for the
    # `language: system` hooks, as an activated virtualenv would be.
    home = tmp_path_factory.getbasetemp().parent / "pre-commit-home"
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    cleaned = {
        k: v for k, v in os.environ.items() if not k.startswith(("COVERAGE_", "PYTEST_XDIST"))
    }
    return {**cleaned, "PRE_COMMIT_HOME": str(home), "PATH": path}


def documented_config(repo: Path, rev: str) -> str:
    """The copy-paste block of docs/pre-commit.md, pointed at the snapshot."""
    page = (ROOT / "docs" / "pre-commit.md").read_text()
    block = re.search(r"```yaml\n(# \.pre-commit-config\.yaml\n.*?)```", page, re.S)
    assert block is not None, "docs/pre-commit.md lost its configuration block"
    text = re.sub(r"repo: \S+.*", f"repo: {repo}", block.group(1))
    return re.sub(r"rev: \S+.*", f"rev: {rev}", text)


CONFIG = """
[tool.healthgate]
source = ["src/app"]

[tool.pytest.ini_options]
pythonpath = ["src"]

[tool.healthgate.gates]
debt = { fail = "10h" }
complexity = { fail = "C" }
critical = { fail = 0 }
import_time = { fail = "5s" }

[tool.healthgate.imports]
samples = 2
"""


@pytest.fixture
def project(tmp_path: Path, hook_repo: tuple[Path, str]) -> Path:
    (tmp_path / "src" / "app").mkdir(parents=True)
    (tmp_path / "tests").mkdir()
    (tmp_path / "pyproject.toml").write_text(textwrap.dedent(CONFIG))
    (tmp_path / "src" / "app" / "__init__.py").write_text(OLD.lstrip())
    (tmp_path / "tests" / "test_app.py").write_text(
        "from app import old\n\n\ndef test_old():\n    assert old(2) == 1\n"
    )
    (tmp_path / ".pre-commit-config.yaml").write_text(documented_config(*hook_repo))
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "start")
    return tmp_path


def pre_commit(root: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*PRE_COMMIT, *args], cwd=root, env=env, capture_output=True, text=True, check=False
    )


def record_a_test_run(root: Path, env: dict[str, str]) -> None:
    """`pytest --healthgate` in the project, as a developer runs it before committing."""
    subprocess.run(
        [sys.executable, "-m", "pytest", "--healthgate", "-q", "-p", "no:cacheprovider"],
        cwd=root,
        env=env,
        check=True,
        capture_output=True,
    )


def stage(root: Path, text: str) -> None:
    (root / "src" / "app" / "__init__.py").write_text(text)
    git(root, "add", "-A")


FILE_HOOKS = [
    "healthgate-debt",
    "healthgate-complexity",
    "healthgate-markers",
    "healthgate-security",
]


def test_a_clean_change_passes_every_commit_stage_hook(project: Path, env: dict[str, str]) -> None:
    stage(project, OLD.lstrip().replace("return 0", "return -1"))
    for hook in FILE_HOOKS:
        completed = pre_commit(project, env, "run", hook, "--files", "src/app/__init__.py")
        assert completed.returncode == 0, completed.stdout + completed.stderr


@pytest.mark.parametrize(
    ("hook", "expected"),
    [
        (
            "healthgate-complexity",
            "src/app/__init__.py:24: radon CC: deep has cyclomatic complexity 22 (rank D; new)",
        ),
        ("healthgate-markers", "src/app/__init__.py:71: markers HACK: # HACK: quick (+10 min"),
        ("healthgate-debt", "src/app/__init__.py:72: ruff F401: `os` imported but unused (+5 min"),
        (
            "healthgate-security",
            "src/app/__init__.py:78: bandit B602: subprocess call with shell=True",
        ),
    ],
)
def test_a_bad_change_fails_each_file_hook_with_path_and_line(
    project: Path, env: dict[str, str], hook: str, expected: str
) -> None:
    bad = OLD.lstrip() + DEEP + "\n\ndef x():\n    # HACK: quick\n    import os\n    return 1\n"
    bad += "\n\ndef run(cmd):\n    import subprocess\n    return subprocess.call(cmd, shell=True)\n"
    stage(project, bad)
    completed = pre_commit(project, env, "run", hook, "--files", "src/app/__init__.py")
    assert completed.returncode == 1, completed.stdout + completed.stderr
    assert expected in completed.stdout


def test_try_repo_runs_a_hook_without_configuring_it(
    project: Path, env: dict[str, str], hook_repo: tuple[Path, str]
) -> None:
    stage(project, OLD.lstrip() + "\n\ndef new():\n    # TODO: later\n    return 1\n")
    completed = pre_commit(
        project, env, "try-repo", str(hook_repo[0]), "healthgate-markers", "--ref", hook_repo[1]
    )
    assert completed.returncode == 1
    assert "src/app/__init__.py:25: markers TODO: # TODO: later (+10 min" in completed.stdout


BY_HAND = ("--hook-stage", "manual")


def test_last_run_and_import_time_hooks(project: Path, env: dict[str, str]) -> None:
    missing = pre_commit(project, env, "run", "healthgate-last-run", *BY_HAND, "--all-files")
    assert missing.returncode == 1
    assert ".healthgate/last-run.json: no recorded run" in missing.stdout
    record_a_test_run(project, env)
    recorded = pre_commit(project, env, "run", "healthgate-last-run", *BY_HAND, "--all-files")
    assert recorded.returncode == 0, recorded.stdout + recorded.stderr
    timed = pre_commit(project, env, "run", "healthgate-import-time", *BY_HAND, "--verbose")
    assert timed.returncode == 0, timed.stdout + timed.stderr
    assert "import app" in timed.stdout


def test_a_slow_import_or_a_stale_record_fails_the_repository_hooks(
    project: Path, env: dict[str, str]
) -> None:
    record_a_test_run(project, env)
    stage(project, "import time\n\ntime.sleep(0.2)\n" + OLD.lstrip())
    stale = pre_commit(project, env, "run", "healthgate-last-run", *BY_HAND)
    assert stale.returncode == 1
    assert "src/app/__init__.py changed since" in stale.stdout
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('fail = "5s"', 'fail = "100ms"'))
    git(project, "add", "-A")  # pre-commit stashes what is not staged
    slow = pre_commit(project, env, "run", "healthgate-import-time", *BY_HAND)
    assert slow.returncode == 1
    assert "healthgate: FAIL import_time" in slow.stdout


def test_a_change_to_the_hook_config_alone_passes_the_last_run_hook_with_a_note(
    project: Path, env: dict[str, str]
) -> None:
    record_a_test_run(project, env)
    stage(project, "import time\n\n" + OLD.lstrip())  # the record is stale now
    config = project / ".pre-commit-config.yaml"
    config.write_text(config.read_text() + "# touched\n")
    git(project, "add", "-A")
    completed = pre_commit(
        project,
        env,
        "run",
        "healthgate-last-run",
        *BY_HAND,
        "--verbose",
        "--files",
        ".pre-commit-config.yaml",
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "nor its configuration; the last recorded run is not checked" in completed.stdout


def test_the_repository_hooks_do_not_run_at_commit(project: Path, env: dict[str, str]) -> None:
    for hook in ("healthgate-last-run", "healthgate-import-time", "healthgate"):
        at_commit = pre_commit(project, env, "run", hook)
        assert f"No hook with id `{hook}` in stage `pre-commit`" in at_commit.stdout


def test_a_failing_test_fails_the_full_gate(project: Path, env: dict[str, str]) -> None:
    (project / "tests" / "test_app.py").write_text(
        "from app import old\n\n\ndef test_old():\n    assert old(2) == 0\n"
    )
    git(project, "add", "-A")  # pre-commit stashes what is not staged
    failed = pre_commit(project, env, "run", "healthgate", "--hook-stage", "manual")
    assert failed.returncode == 1
    assert "1 failed" in failed.stdout


def test_the_full_gate_runs_only_at_push_or_by_hand(project: Path, env: dict[str, str]) -> None:
    at_commit = pre_commit(project, env, "run", "healthgate")
    assert "No hook with id `healthgate` in stage `pre-commit`" in at_commit.stdout
    by_hand = pre_commit(project, env, "run", "healthgate", "--hook-stage", "manual", "--verbose")
    assert by_hand.returncode == 0, by_hand.stdout + by_hand.stderr
    assert "healthgate: " in by_hand.stdout


def test_a_newcomer_commit_with_a_todo_and_a_complex_function_is_refused_then_accepted(
    project: Path, env: dict[str, str]
) -> None:
    assert pre_commit(project, env, "install").returncode == 0
    stage(project, OLD.lstrip() + DEEP + "\n\ndef x():\n    # TODO: tidy\n    return 1\n")
    refused = subprocess.run(
        [*GIT, "commit", "-m", "add tangled"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert refused.returncode == 1
    output = refused.stdout + refused.stderr
    assert "src/app/__init__.py:24: radon CC: deep has cyclomatic complexity 22 (rank D; new)" in (
        output
    )
    assert "src/app/__init__.py:71: markers TODO: # TODO: tidy (+10 min of debt)" in output
    stage(project, OLD.lstrip() + "\n\ndef x():\n    return 1\n")
    # No test run is needed to commit: healthgate-last-run runs at push.
    accepted = subprocess.run(
        [*GIT, "commit", "-m", "add x"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr


def commit(root: Path, env: dict[str, str], message: str) -> subprocess.CompletedProcess[str]:
    """`git commit` with the installed git hooks, as a developer runs it."""
    return subprocess.run(
        [*GIT, "commit", "-m", message],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


BAD_CHANGE = """

def ask():
    # TODO: validate
    return eval(input())
"""

# Rank E (complexity 33): past the complexity gate's fail bound D.
SPREAD = (
    "\n\ndef spread(x):\n"
    + "".join(f"    if x == {number}:\n        return {number}\n" for number in range(32))
    + "    return -1\n"
)

# Documented: the push runs the full gate, whose ratchet fails a new public name
# without a docstring (the docstrings gate of the default playbook, adopted by init).
FIXED_CHANGE = """

def ask(text):
    \"\"\"The number the user typed.\"\"\"
    return int(text)
"""


def test_the_documented_config_on_a_project_with_debt_from_first_commit_to_push(
    tmp_path: Path, env: dict[str, str], hook_repo: tuple[Path, str]
) -> None:
    # examples/legacy: a complexity-F function, a high bandit finding, 40 % coverage,
    # adopted with `healthgate init` (its bounds written, its debt in the baseline),
    # committed for the first time into a fresh repository with the hooks installed.
    project = tmp_path / "legacy"
    shutil.copytree(ROOT / "examples" / "legacy", project)
    git(project, "init", "-q")
    adopt = [sys.executable, "-m", "pytest_healthgate.cli", "init"]
    subprocess.run(adopt, cwd=project, env=env, check=True, capture_output=True)
    (project / ".pre-commit-config.yaml").write_text(documented_config(*hook_repo))
    for install in (["install"], ["install", "--hook-type", "pre-push"]):
        installed = pre_commit(project, env, *install)
        assert installed.returncode == 0, installed.stdout + installed.stderr
    git(project, "add", "-A")
    first = commit(project, env, "The project, adopted, with the pre-commit hooks")
    assert first.returncode == 0, first.stdout + first.stderr
    ran = first.stdout + first.stderr
    for hook in ("debt added", "complexity added", "new debt markers", "new security findings"):
        assert re.search(rf"healthgate {hook}.*\.Passed", ran), ran  # ran, and passed

    shapes = project / "src" / "legacy" / "shapes.py"
    before = shapes.read_text()
    shapes.write_text(before + BAD_CHANGE + SPREAD)
    git(project, "add", "-A")
    refused = commit(project, env, "Ask, and tangle")
    assert refused.returncode == 1
    output = refused.stdout + refused.stderr
    problems = [
        "src/legacy/shapes.py:13: markers TODO: # TODO: validate (+10 min of debt)",
        "src/legacy/shapes.py:14: bandit B307: Use of possibly insecure function",
        "src/legacy/shapes.py:17: radon CC: spread has cyclomatic complexity 33 (rank E; new)",
    ]
    for problem in problems:
        assert output.count(problem) == 1, (problem, output)
    assert "healthgate full gate" not in output  # the push-stage hooks wait for the push

    shapes.write_text(before + FIXED_CHANGE)
    git(project, "add", "-A")
    fixed = commit(project, env, "Ask, safely")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr

    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    pushed = subprocess.run(
        [*GIT, "push", str(remote), "HEAD:main"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    output = pushed.stdout + pushed.stderr
    assert pushed.returncode == 0, output
    ran = [re.sub(r"\.{3,}", " ", line) for line in output.splitlines()]
    assert [line for line in ran if line.startswith("healthgate")] == [
        "healthgate import time Passed",
        "healthgate full gate (pytest --healthgate) Passed",
        "healthgate last recorded test run Passed",
    ]
    record = json.loads((project / ".healthgate" / "last-run.json").read_text())
    assert record["run"]["partial"] == []  # the full gate ran the whole suite


def test_pre_commit_run_with_a_range_judges_the_whole_branch(
    project: Path, env: dict[str, str]
) -> None:
    # As a CI job runs it: the branch checked out, judged from where it left main.
    git(project, "branch", "-M", "main")
    git(project, "checkout", "-qb", "feature")
    stage(project, OLD.lstrip() + "\n\ndef later():\n    # TODO: finish\n    return 1\n")
    git(project, "commit", "-qm", "adds a marker")
    marked = (project / "src" / "app" / "__init__.py").read_text()
    (project / "src" / "app" / "clean.py").write_text("VALUE = 1\n")
    stage(project, marked.replace("return 0", "return -1"))  # the file with the TODO
    git(project, "commit", "-qm", "a clean commit on top")
    ranged = ("--from-ref", "main", "--to-ref", "HEAD")
    branch = pre_commit(project, env, "run", "healthgate-markers", *ranged)
    assert branch.returncode == 1, branch.stdout + branch.stderr
    assert "src/app/__init__.py:25: markers TODO: # TODO: finish (+10 min of debt)" in (
        branch.stdout
    )
    # The last commit alone adds nothing, though it touches the file with the TODO.
    last = pre_commit(
        project, env, "run", "healthgate-markers", "--from-ref", "HEAD~1", "--to-ref", "HEAD"
    )
    assert last.returncode == 0, last.stdout + last.stderr
