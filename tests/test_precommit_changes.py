"""Where people commit: projects in subfolders, moves, merges, ranges, one line per problem.

Real git repositories in temporary folders, the hooks' ``main`` run at the
repository's top level as pre-commit runs them, and the real tools.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.test_precommit_hooks import DEEP, HOOKS, MAINS, OLD, HookRun, git

BACKEND = """
[tool.healthgate]
source = ["src/backend"]

[tool.healthgate.gates]
coverage = false
complexity = { fail = "C" }
critical = { fail = 0 }
"""

# Another project of the same repository: tickets written [OPS-7], and a looser gate.
OPS = r"""
[tool.healthgate]
source = ["ops"]

[tool.healthgate.debt]
marker_reference = '\[OPS-\d+\]'

[tool.healthgate.gates]
coverage = false
complexity = { fail = "E" }
"""

BOTH_MARKERS = "def job():\n    # TODO(#1): faster\n    # TODO [OPS-7]: retry\n    return 1\n"
RunHook = Callable[..., HookRun]


def write(root: Path, name: str, text: str) -> str:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return name


@pytest.fixture
def mono(tmp_path: Path) -> Path:
    """backend/ and tools/ each a project; the top-level pyproject.toml has no table."""
    write(tmp_path, "pyproject.toml", "[tool.ruff]\nline-length = 100\n")
    write(tmp_path, "backend/pyproject.toml", textwrap.dedent(BACKEND))
    write(tmp_path, "backend/src/backend/__init__.py", OLD.lstrip())
    write(tmp_path, "tools/pyproject.toml", OPS)
    write(tmp_path, "tools/ops/__init__.py", "VALUE = 1\n")
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "start")
    return tmp_path


@pytest.fixture
def run(mono: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> RunHook:
    """``run(name, *files)``: the hook's ``main`` at the repository's top level."""
    monkeypatch.chdir(mono)
    monkeypatch.delenv("PRE_COMMIT_FROM_REF", raising=False)
    monkeypatch.delenv("PRE_COMMIT_TO_REF", raising=False)

    def run_hook(name: str, *files: str) -> HookRun:
        capsys.readouterr()
        status = MAINS[name](list(files))
        captured = capsys.readouterr()
        return HookRun(status, captured.out, captured.err)

    return run_hook


def every_hook(run: RunHook, *files: str) -> dict[str, HookRun]:
    return {name: run(name, *files) for name in HOOKS}


def test_each_file_is_judged_by_its_own_projects_configuration(mono: Path, run: RunHook) -> None:
    backend = write(mono, "backend/src/backend/jobs.py", BOTH_MARKERS + DEEP)
    ops = write(mono, "tools/ops/jobs.py", BOTH_MARKERS + DEEP)
    git(mono, "add", "-A")
    markers = run("healthgate-markers", backend, ops)
    assert markers.returncode == 1
    assert markers.stdout.splitlines() == [
        "jobs.py:3: markers TODO: # TODO [OPS-7]: retry (+10 min of debt)".replace(
            "jobs.py", "src/backend/jobs.py"
        ),
        "ops/jobs.py:2: markers TODO: # TODO(#1): faster (+10 min of debt)",
    ]
    complexity = run("healthgate-complexity", backend, ops)
    assert complexity.returncode == 1
    assert complexity.stdout.splitlines() == [
        "src/backend/jobs.py:7: radon CC: deep has cyclomatic complexity 22 (rank D; new) "
        "(+60 min of debt); FAIL: the complexity gate fails past C",
        "ops/jobs.py:7: radon CC: deep has cyclomatic complexity 22 (rank D; new) "
        "(+60 min of debt)",
    ]


def test_a_file_under_no_configured_project_is_skipped_with_a_note(
    mono: Path, run: RunHook
) -> None:
    script = write(mono, "scripts/deploy.py", "def go():\n    # TODO: later\n    eval(input())\n")
    git(mono, "add", "-A")
    for name, completed in every_hook(run, script).items():
        assert completed.returncode == 0, completed.stdout
        assert completed.stdout == ""
        assert completed.stderr == (
            f"{name}: scripts/deploy.py: skipped: no pyproject.toml with a "
            "[tool.healthgate] table above it\n"
        )


def test_moving_an_unchanged_file_between_folders_of_a_project_passes_every_hook(
    mono: Path, run: RunHook
) -> None:
    risky = OLD.lstrip() + DEEP + "\n\ndef run():\n    return eval(input())\n"
    write(mono, "backend/src/backend/__init__.py", risky)
    git(mono, "commit", "-qam", "risky")
    (mono / "backend/src/backend/core").mkdir()
    git(mono, "mv", "backend/src/backend/__init__.py", "backend/src/backend/core/moved.py")
    for completed in every_hook(run, "backend/src/backend/core/moved.py").values():
        assert completed.returncode == 0, completed.stdout + completed.stderr
        assert completed.stdout == ""


def test_a_move_with_an_added_todo_reports_only_the_todo(mono: Path, run: RunHook) -> None:
    git(mono, "mv", "backend/src/backend/__init__.py", "backend/src/backend/moved.py")
    write(mono, "backend/src/backend/moved.py", OLD.lstrip() + "# TODO: tidy\n")
    git(mono, "add", "-A")
    ran = every_hook(run, "backend/src/backend/moved.py")
    assert {name: completed.returncode for name, completed in ran.items()} == {
        "healthgate-debt": 0,
        "healthgate-complexity": 0,
        "healthgate-markers": 1,
        "healthgate-security": 0,
    }
    assert "".join(completed.stdout for completed in ran.values()).splitlines() == [
        "src/backend/moved.py:22: markers TODO: # TODO: tidy (+10 min of debt)"
    ]


def test_a_merge_with_a_conflict_does_not_report_the_other_branchs_debt(
    mono: Path, run: RunHook
) -> None:
    git(mono, "checkout", "-qb", "feature")
    write(mono, "backend/src/backend/helper.py", "def helper():\n    # XXX: later\n    return 1\n")
    busy = OLD.lstrip() + DEEP + "\n\ndef run():\n    # HACK: trust it\n    return eval(input())\n"
    write(mono, "backend/src/backend/__init__.py", busy)
    git(mono, "add", "-A")
    git(mono, "commit", "-qm", "feature")
    git(mono, "checkout", "-q", "main")
    write(mono, "backend/src/backend/__init__.py", OLD.lstrip() + "\n\nVALUE = 2\n")
    git(mono, "commit", "-qam", "main moves on")
    merging = subprocess.run(
        ["git", "merge", "-q", "feature"], cwd=mono, capture_output=True, check=False
    )
    assert merging.returncode == 1  # a conflict in __init__.py: the feature's side is taken
    git(mono, "checkout", "--theirs", "backend/src/backend/__init__.py")
    git(mono, "add", "-A")
    names = ["backend/src/backend/__init__.py", "backend/src/backend/helper.py"]
    for completed in every_hook(run, *names).values():
        assert completed.returncode == 0, completed.stdout + completed.stderr
        assert completed.stdout == ""


def test_a_range_judges_a_branch_of_two_commits(
    mono: Path, run: RunHook, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(mono, "backend/src/backend/legacy.py", "def legacy():\n    # TODO: old debt\n")
    git(mono, "add", "-A")
    git(mono, "commit", "-qm", "legacy on main")
    git(mono, "checkout", "-qb", "feature")
    edited = OLD.lstrip() + "\n\ndef load():\n    # FIXME: validate\n    return eval(input())\n"
    write(mono, "backend/src/backend/__init__.py", edited)
    git(mono, "commit", "-qam", "one")
    git(mono, "mv", "backend/src/backend/legacy.py", "backend/src/backend/kept.py")
    write(mono, "backend/src/backend/deep.py", DEEP)
    git(mono, "add", "-A")
    git(mono, "commit", "-qm", "two")
    git(mono, "checkout", "-q", "main")  # the working tree is not the TO ref
    monkeypatch.setenv("PRE_COMMIT_FROM_REF", "main")
    monkeypatch.setenv("PRE_COMMIT_TO_REF", "feature")
    names = [
        "backend/src/backend/__init__.py",
        "backend/src/backend/deep.py",
        "backend/src/backend/kept.py",
    ]
    ran = every_hook(run, *names)
    assert {name: completed.stdout.splitlines() for name, completed in ran.items()} == {
        "healthgate-debt": [],
        "healthgate-complexity": [
            "src/backend/deep.py:3: radon CC: deep has cyclomatic complexity 22 (rank D; new) "
            "(+60 min of debt); FAIL: the complexity gate fails past C"
        ],
        "healthgate-markers": [
            "src/backend/__init__.py:25: markers FIXME: # FIXME: validate (+10 min of debt)"
        ],
        "healthgate-security": [
            "src/backend/__init__.py:26: bandit B307: Use of possibly insecure function - "
            "consider using safer ast.literal_eval. (severity MEDIUM, confidence HIGH) "
            "(+30 min of debt)"
        ],
    }
    assert [completed.returncode for completed in ran.values()] == [0, 1, 1, 1]


def test_one_bad_change_prints_each_problem_exactly_once_across_the_hooks(
    mono: Path, run: RunHook
) -> None:
    bad = OLD.lstrip() + DEEP + "\n\ndef ask():\n    # TODO: validate\n    return eval(input())\n"
    changed = write(mono, "backend/src/backend/__init__.py", bad)
    git(mono, "add", "-A")
    ran = every_hook(run, changed)
    printed = [line for completed in ran.values() for line in completed.stdout.splitlines()]
    assert printed == [
        "src/backend/__init__.py:24: radon CC: deep has cyclomatic complexity 22 (rank D; new) "
        "(+60 min of debt); FAIL: the complexity gate fails past C",
        "src/backend/__init__.py:71: markers TODO: # TODO: validate (+10 min of debt)",
        "src/backend/__init__.py:72: bandit B307: Use of possibly insecure function - "
        "consider using safer ast.literal_eval. (severity MEDIUM, confidence HIGH) "
        "(+30 min of debt)",
    ]
    assert [completed.returncode for completed in ran.values()] == [0, 1, 1, 1]


def test_a_marker_with_a_reference_is_no_finding_for_any_hook_nor_for_pytest(
    mono: Path, run: RunHook
) -> None:
    backend = mono / "backend"
    with (backend / "pyproject.toml").open("a") as stream:
        stream.write('debt = { fail = "1m" }\n\n[tool.pytest.ini_options]\npythonpath = ["src"]\n')
    write(backend, "tests/test_backend.py", "def test_nothing():\n    assert True\n")
    git(mono, "add", "-A")
    git(mono, "commit", "-qm", "a debt gate and a test")
    referenced = OLD.lstrip() + "\n\ndef later():\n    # TODO(#12): faster\n    return 1\n"
    changed = write(mono, "backend/src/backend/__init__.py", referenced)
    git(mono, "add", "-A")
    for completed in every_hook(run, changed).values():
        assert completed.returncode == 0, completed.stdout + completed.stderr
        assert completed.stdout == ""

    def gate_run() -> str:
        command = [sys.executable, "-m", "pytest", "--healthgate", "-p", "no:cacheprovider"]
        completed = subprocess.run(
            command, cwd=backend, capture_output=True, text=True, check=False
        )
        return completed.stdout

    # OLD's own debt is 15 min (its TODO, and busy's complexity); TODO(#12) adds none.
    assert "healthgate: FAIL debt = 15.0m: debt 15.0m is above 1.0m" in gate_run()
    write(mono, "backend/src/backend/__init__.py", referenced.replace("(#12)", ""))
    assert "healthgate: FAIL debt = 25.0m: debt 25.0m is above 1.0m" in gate_run()


def test_the_versions_before_are_read_in_one_batch_whatever_the_names(tmp_path: Path) -> None:
    from pytest_healthgate.precommit.changes import _blob, _objects

    names = {
        "plain.py": b"A = 1\n",
        "with space.py": b"B = 2\n",
        "line\nbreak.py": b"C = 3\n",  # cannot go through the batch: read on its own
        "pkg/deep.py": b"",  # empty content: the batch's lengths must still line up
        "last.py": b"D = 4\n" * 1000,
    }
    for name, content in names.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(content)
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "one")
    wanted = [f"HEAD:./{name}" for name in names] + ["HEAD:./missing.py", "HEAD:./pkg"]
    found = {name: _blob(read) for name, read in _objects(tmp_path, wanted).items()}
    assert {name: found[f"HEAD:./{name}"] for name in names} == names
    assert found["HEAD:./missing.py"] is None
    assert found["HEAD:./pkg"] is None  # a folder is no file
    objects = _objects(tmp_path, ["HEAD^{commit}", "MERGE_HEAD", "HEAD:./plain.py"])
    assert objects["HEAD^{commit}"] is not None
    assert objects["HEAD^{commit}"][0] == b"commit"
    assert objects["MERGE_HEAD"] is None
    assert objects["HEAD:./plain.py"] == (b"blob", b"A = 1\n")


def test_a_repository_with_no_table_judges_files_by_their_nearest_pyproject(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # No [tool.healthgate] anywhere: the hooks judge with the default playbook, as
    # pytest --healthgate does. Run from the top level (pre-commit's way, where the
    # top level is found without asking git) and from a subfolder (git is asked).
    write(tmp_path, "pyproject.toml", "[project]\nname = 'app'\nversion = '1'\n")
    write(tmp_path, "app/__init__.py", OLD.lstrip())
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "start")
    write(tmp_path, "app/__init__.py", OLD.lstrip() + "# TODO: tidy\n")
    git(tmp_path, "add", "-A")
    monkeypatch.delenv("PRE_COMMIT_FROM_REF", raising=False)
    monkeypatch.delenv("PRE_COMMIT_TO_REF", raising=False)
    for folder, name in ((tmp_path, "app/__init__.py"), (tmp_path / "app", "__init__.py")):
        monkeypatch.chdir(folder)
        capsys.readouterr()
        status = MAINS["healthgate-markers"]([name])
        out = capsys.readouterr().out
        assert status == 1, out
        assert out.endswith(": markers TODO: # TODO: tidy (+10 min of debt)\n"), out
        assert out.startswith("app/__init__.py:"), out


def test_the_top_level_follows_git_where_the_environment_moves_the_work_tree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pytest_healthgate.precommit.changes import _top_level

    repo, tree = tmp_path / "repo", tmp_path / "tree"
    repo.mkdir()
    tree.mkdir()
    git(repo, "init", "-q")
    monkeypatch.chdir(repo)
    monkeypatch.delenv("GIT_DIR", raising=False)
    monkeypatch.delenv("GIT_WORK_TREE", raising=False)
    assert _top_level() == repo  # the current folder holds .git: no need to ask git
    monkeypatch.chdir(tree)
    monkeypatch.setenv("GIT_DIR", str(repo / ".git"))
    monkeypatch.setenv("GIT_WORK_TREE", str(tree))
    assert _top_level().resolve() == tree.resolve()  # git's answer, from the environment
    monkeypatch.chdir(repo)  # .git here, but the environment names another work tree
    assert _top_level().resolve() == tree.resolve()
