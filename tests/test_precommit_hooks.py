"""The file-scoped hooks judge what a change adds, in temporary git repos.

Each hook's ``main([...])`` runs in this process, in the repository, as pre-commit
would run its console script there. One test runs an installed console script
(``healthgate-import-time``) as a smoke test of the installation.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from pytest_healthgate.precommit import (
    healthgate_complexity,
    healthgate_debt,
    healthgate_markers,
    healthgate_security,
)

CONFIG = """
[tool.healthgate]
source = ["src/app"]

[tool.healthgate.gates]
coverage = false
debt = { fail = "10h" }
complexity = { fail = "C" }
critical = { fail = 0 }
"""

OLD = """
def old(x):
    # TODO: legacy, left alone
    if x > 1:
        return 1
    return 0


def busy(a, b, c):
    total = 0
    for i in range(a):
        if i % 2 and b:
            total += 1
        elif i % 3 or c:
            total -= 1
        elif i > 5:
            total *= 2
        if total > 100 or total < -100:
            break
        if c and b:
            total += 2
    return total
"""

TANGLED = """


def tangled(a, b, c, d):
    total = 0
    for i in range(a):
        if i % 2 and b:
            total += 1
        elif i % 3 or c:
            total -= 1
        elif d and i > 5:
            total *= 2
        else:
            total += 3
        if total > 100 or total < -100:
            break
        while d and total > 10:
            total -= 1
            if c and b:
                continue
    return total
"""

GIT = ["git", "-c", "user.name=healthgate", "-c", "user.email=hg@example.invalid"]


def git(root: Path, *args: str) -> None:
    subprocess.run([*GIT, *args], cwd=root, check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "src" / "app").mkdir(parents=True)
    (tmp_path / "pyproject.toml").write_text(textwrap.dedent(CONFIG))
    (tmp_path / "src" / "app" / "__init__.py").write_text(OLD.lstrip())
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "start")
    return tmp_path


MAINS: dict[str, Callable[[Sequence[str] | None], int]] = {
    "healthgate-debt": healthgate_debt.main,
    "healthgate-complexity": healthgate_complexity.main,
    "healthgate-markers": healthgate_markers.main,
    "healthgate-security": healthgate_security.main,
}


@dataclass
class HookRun:
    """What one hook run returned and printed."""

    returncode: int
    stdout: str
    stderr: str


Hook = Callable[..., HookRun]


@pytest.fixture
def hook(repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Hook:
    """``hook(name, *files)``: the hook's ``main`` run in the repository."""
    monkeypatch.chdir(repo)

    def run(name: str, *files: str) -> HookRun:
        capsys.readouterr()  # only this run's output
        status = MAINS[name](list(files))
        captured = capsys.readouterr()
        return HookRun(status, captured.out, captured.err)

    return run


def edit(root: Path, text: str, name: str = "src/app/__init__.py") -> str:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    git(root, "add", "-A")
    return name


HOOKS = ["healthgate-debt", "healthgate-complexity", "healthgate-markers", "healthgate-security"]


@pytest.mark.parametrize("name", HOOKS)
def test_an_unrelated_edit_to_a_file_with_old_debt_passes(
    repo: Path, name: str, hook: Hook
) -> None:
    changed = edit(repo, OLD.lstrip().replace("return 0", "return -1"))
    completed = hook(name, changed)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert completed.stdout == ""


@pytest.mark.parametrize("name", HOOKS)
def test_deleting_code_never_fails(repo: Path, name: str, hook: Hook) -> None:
    changed = edit(repo, "VALUE = 1\n")
    assert hook(name, changed).returncode == 0


def test_a_new_marker_fails_with_path_and_line(repo: Path, hook: Hook) -> None:
    changed = edit(
        repo, OLD.lstrip() + "\n\ndef new():\n    # FIXME: handle errors\n    return 1\n"
    )
    completed = hook("healthgate-markers", changed)
    assert completed.returncode == 1
    assert completed.stdout.splitlines() == [
        "src/app/__init__.py:25: new FIXME marker: # FIXME: handle errors"
    ]


def test_a_marker_with_an_issue_reference_is_allowed(repo: Path, hook: Hook) -> None:
    changed = edit(repo, OLD.lstrip() + "\n\ndef new():\n    # TODO(#123): faster\n    return 1\n")
    assert hook("healthgate-markers", changed).returncode == 0


def test_a_new_complex_function_fails_the_complexity_hook(repo: Path, hook: Hook) -> None:
    changed = edit(repo, OLD.lstrip() + TANGLED)
    completed = hook("healthgate-complexity", changed)
    assert completed.returncode == 1
    assert completed.stdout.splitlines() == [
        "src/app/__init__.py:25: tangled has complexity 14, rank C (new); allowed up to B"
    ]


def test_making_an_existing_function_worse_fails(repo: Path, hook: Hook) -> None:
    old_made_tangled = TANGLED.lstrip().replace("def tangled(", "def old(")
    busy = "def busy" + OLD.split("def busy")[1]
    changed = edit(repo, f"{old_made_tangled}\n\n{busy}")
    completed = hook("healthgate-complexity", changed)
    assert completed.returncode == 1
    assert completed.stdout.splitlines() == [
        "src/app/__init__.py:1: old has complexity 14, rank C (was A (2)); allowed up to B"
    ]


def test_more_complexity_within_the_same_allowed_rank_passes(repo: Path, hook: Hook) -> None:
    # busy is rank C (11) at HEAD already; 14 is still C, and the gate allows C.
    more = OLD.lstrip().replace(
        "        if c and b:\n",
        "        if c and b and a:\n            total += 1\n        if c or b:\n",
    )
    changed = edit(repo, more)
    assert hook("healthgate-complexity", changed).returncode == 0


def test_the_debt_hook_names_each_added_finding_and_the_total(repo: Path, hook: Hook) -> None:
    changed = edit(repo, OLD.lstrip() + TANGLED + "\n\ndef x():\n    # HACK: quick\n    return 1\n")
    completed = hook("healthgate-debt", changed)
    assert completed.returncode == 1
    lines = completed.stdout.splitlines()
    assert lines[0] == (
        "src/app/__init__.py:25: radon CC: tangled has cyclomatic complexity 14 (rank C) "
        "(+20 min of debt)"
    )
    assert lines[1] == "src/app/__init__.py:46: markers HACK: # HACK: quick (+10 min of debt)"
    assert lines[-1] == "healthgate-debt: this change adds 30 min of debt; fix the lines above"


def test_a_new_security_finding_fails_the_security_hook(repo: Path, hook: Hook) -> None:
    risky = OLD.lstrip() + "\n\nimport subprocess\n\n\ndef run(cmd):\n"
    risky += "    return subprocess.call(cmd, shell=True)\n"
    changed = edit(repo, risky)
    completed = hook("healthgate-security", changed)
    assert completed.returncode == 1
    assert completed.stdout.startswith("src/app/__init__.py:")
    assert "B602" in completed.stdout


def test_a_file_that_does_not_parse_is_a_critical_finding(repo: Path, hook: Hook) -> None:
    changed = edit(repo, "def broken(:\n    pass\n")
    completed = hook("healthgate-security", changed)
    assert completed.returncode == 1
    assert completed.stdout.startswith("src/app/__init__.py:1: syntax: does not parse")


def test_a_new_file_is_judged_whole(repo: Path, hook: Hook) -> None:
    changed = edit(repo, "def f():\n    # XXX: nobody knows\n    return 1\n", "src/app/new.py")
    completed = hook("healthgate-markers", changed)
    assert completed.stdout.splitlines() == [
        "src/app/new.py:2: new XXX marker: # XXX: nobody knows"
    ]


def test_files_outside_the_source_are_not_judged(repo: Path, hook: Hook) -> None:
    changed = edit(repo, "def test_x():\n    # TODO: later\n    pass\n", "tests/test_x.py")
    assert hook("healthgate-markers", changed).returncode == 0


def test_hooks_change_no_tracked_file(repo: Path, hook: Hook) -> None:
    changed = edit(repo, OLD.lstrip() + TANGLED)
    staged = (repo / changed).read_text()
    for name in HOOKS:
        hook(name, changed)
    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=repo, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    # The staged edit stays as it was; only the shared analysis cache folder is new.
    assert status == ["M  src/app/__init__.py", "?? .healthgate/"]
    assert (repo / changed).read_text() == staged


def test_the_import_time_hook_times_the_packages(repo: Path) -> None:
    pyproject = repo / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text()
        + '\n[tool.pytest.ini_options]\npythonpath = ["src"]\n'
        + "\n[tool.healthgate.imports]\nsamples = 2\n"
    )
    text = pyproject.read_text().replace(
        "critical = { fail = 0 }", 'critical = { fail = 0 }\nimport_time = { fail = "5s" }'
    )
    pyproject.write_text(text)
    env = {**os.environ, "PYTHONPATH": ""}
    script = Path(sys.executable).with_name("healthgate-import-time")
    completed = subprocess.run(
        [str(script)], cwd=repo, capture_output=True, text=True, check=False, env=env
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "import_time" in completed.stdout
    assert "import app" in completed.stdout


def test_a_tool_that_cannot_run_stops_the_hook_with_its_message(repo: Path, hook: Hook) -> None:
    (repo / "ruff.toml").write_text("line-lenght = 3\n")
    changed = edit(repo, OLD.lstrip() + "\n\nVALUE = 1\n")
    ran = hook("healthgate-debt", changed)
    assert ran.returncode == 1
    assert ran.stdout == ""
    assert ran.stderr.startswith("healthgate-debt: ruff could not run: ruff exited with status 2")
