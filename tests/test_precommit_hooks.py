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
import types
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from pytest_healthgate.collect.static.analysers.file_analyser import MARKER_TEXT_LIMIT
from pytest_healthgate.precommit import (
    changes,
    healthgate_complexity,
    healthgate_debt,
    healthgate_markers,
    healthgate_security,
)
from tests.test_trust_static import exit_at_import
from tests.trust_helpers import make_unreadable

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

# Cyclomatic complexity 22: rank D, past the complexity gate's fail = "C".
DEEP = "\n\ndef deep(x):\n" + "".join(f"    if x == {i}:\n        return {i}\n" for i in range(21))
DEEP += "    return -1\n"

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
        "src/app/__init__.py:25: markers FIXME: # FIXME: handle errors (+10 min of debt)"
    ]


def test_a_marker_with_an_issue_reference_is_allowed(repo: Path, hook: Hook) -> None:
    changed = edit(repo, OLD.lstrip() + "\n\ndef new():\n    # TODO(#123): faster\n    return 1\n")
    assert hook("healthgate-markers", changed).returncode == 0


def test_a_new_function_past_the_gates_fail_rank_fails_the_complexity_hook(
    repo: Path, hook: Hook
) -> None:
    changed = edit(repo, OLD.lstrip() + DEEP)
    completed = hook("healthgate-complexity", changed)
    assert completed.returncode == 1
    assert completed.stdout.splitlines() == [
        "src/app/__init__.py:24: radon CC: deep has cyclomatic complexity 22 (rank D; new) "
        "(+60 min of debt); FAIL: the complexity gate fails past C"
    ]


def test_a_new_function_within_the_gate_but_past_the_allowed_rank_shows_its_debt_and_passes(
    repo: Path, hook: Hook
) -> None:
    # pytest --healthgate passes the complexity gate at rank C with fail = "C"; the
    # function's debt counts in the debt gate's total, which a commit cannot judge.
    changed = edit(repo, OLD.lstrip() + TANGLED)
    completed = hook("healthgate-complexity", changed)
    assert completed.returncode == 0
    assert completed.stdout.splitlines() == [
        "src/app/__init__.py:25: radon CC: tangled has cyclomatic complexity 14 (rank C; new) "
        "(+20 min of debt)"
    ]


def test_past_the_gates_warn_rank_the_complexity_hook_warns_and_passes(
    repo: Path, hook: Hook
) -> None:
    pyproject = repo / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace(
            'complexity = { fail = "C" }', 'complexity = { fail = "D", warn = "B" }'
        )
    )
    git(repo, "commit", "-qam", "warn past B")
    changed = edit(repo, OLD.lstrip() + TANGLED)
    completed = hook("healthgate-complexity", changed)
    assert completed.returncode == 0
    assert completed.stdout.splitlines() == [
        "src/app/__init__.py:25: radon CC: tangled has cyclomatic complexity 14 (rank C; new) "
        "(+20 min of debt); WARN: the complexity gate warns past B"
    ]


def test_making_an_existing_function_worse_fails(repo: Path, hook: Hook) -> None:
    old_made_deep = DEEP.lstrip().replace("def deep(", "def old(")
    busy = "def busy" + OLD.split("def busy")[1]
    changed = edit(repo, f"{old_made_deep}\n\n{busy}")
    completed = hook("healthgate-complexity", changed)
    assert completed.returncode == 1
    assert completed.stdout.splitlines() == [
        "src/app/__init__.py:1: radon CC: old has cyclomatic complexity 22 (rank D; was 2, "
        "rank A) (+60 min of debt); FAIL: the complexity gate fails past C"
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
    added = "\n\ndef x():\n    # HACK: quick\n    import os\n    return 1 == None\n"
    changed = edit(repo, OLD.lstrip() + TANGLED + added)
    completed = hook("healthgate-debt", changed)
    assert completed.returncode == 1
    # The marker and the complex function are the other hooks' to report.
    assert completed.stdout.splitlines() == [
        "src/app/__init__.py:47: ruff F401: `os` imported but unused (+5 min of debt)",
        "src/app/__init__.py:48: ruff PLR0133: Two constants compared in a comparison, "
        "consider replacing `1 == None` (+5 min of debt)",
        "healthgate-debt: this change adds 10 min of debt; fix the lines above",
    ]


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
    assert completed.stdout.splitlines() == [
        "src/app/__init__.py:1: python syntax: does not parse: invalid syntax (+60 min of debt)"
    ]


def test_a_new_file_is_judged_whole(repo: Path, hook: Hook) -> None:
    changed = edit(repo, "def f():\n    # XXX: nobody knows\n    return 1\n", "src/app/new.py")
    completed = hook("healthgate-markers", changed)
    assert completed.stdout.splitlines() == [
        "src/app/new.py:2: markers XXX: # XXX: nobody knows (+10 min of debt)"
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


# -- the failures of the November 2026 reliability report (F1, F8, F9, F10.6, F11) --


def test_f1_an_unreadable_folder_in_the_source_never_crashes_a_hook(
    repo: Path, hook: Hook, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    (repo / "src/app/pgdata").mkdir()
    (repo / "src/app/pgdata/base.py").write_text("x = 1\n")
    changed = edit(repo, OLD.lstrip() + "\n\ndef new():\n    # FIXME: later\n    return 1\n")
    make_unreadable(repo / "src/app/pgdata", monkeypatch, request)
    for name in HOOKS:
        completed = hook(name, changed, "src/app/pgdata/base.py")
        assert "Traceback" not in completed.stderr
        assert completed.returncode == (name == "healthgate-markers")
        assert completed.stderr == ""


def test_f8_a_broken_analysis_is_an_error_line_naming_the_tool_never_a_traceback(
    repo: Path, hook: Hook, monkeypatch: pytest.MonkeyPatch
) -> None:
    changed = edit(repo, OLD.lstrip() + "\n\nVALUE = 1\n")
    tool_code = types.ModuleType("bandit.core.broken")
    exec("def explode(*args):\n    raise SystemExit(2)\n", tool_code.__dict__)
    monkeypatch.setattr(changes, "_in_scope", tool_code.explode)
    completed = hook("healthgate-security", changed)
    assert completed.returncode == 1
    assert completed.stdout == ""
    assert completed.stderr == (
        "healthgate-security: ERROR: the analysis failed: bandit failed: it called sys.exit(2)\n"
    )


def test_f8_a_tool_that_exits_at_import_stops_the_hook_with_its_name(
    repo: Path, hook: Hook, monkeypatch: pytest.MonkeyPatch
) -> None:
    changed = edit(repo, OLD.lstrip() + "\n\nVALUE = 1\n")
    exit_at_import(monkeypatch, "bandit")
    completed = hook("healthgate-security", changed)
    assert completed.returncode == 1
    assert completed.stderr.startswith(
        "healthgate-security: bandit could not run: bandit cannot be imported: "
        "it called sys.exit(3)"
    )


def test_f9_symlink_loops_given_to_a_hook_are_named_never_a_crash(repo: Path, hook: Hook) -> None:
    (repo / "src/app/loopfile.py").symlink_to("loopfile.py")
    (repo / "src/app/a_link.py").symlink_to("b_link.py")
    (repo / "src/app/b_link.py").symlink_to("a_link.py")
    git(repo, "add", "-A")
    names = ["src/app/loopfile.py", "src/app/a_link.py", "src/app/b_link.py"]
    for name in HOOKS:
        completed = hook(name, *names)
        assert completed.returncode == 0, completed.stderr
        assert completed.stderr.splitlines() == [
            f"{name}: {path}: not analysed: symlink loop; not followed" for path in sorted(names)
        ]


def test_f9_control_characters_in_names_and_comments_are_escaped(repo: Path, hook: Hook) -> None:
    evil = "def new():\n    # TODO \x1b]0;PWNED\x07\x1b[2J done\n    return 1\n"
    changed = edit(repo, evil, "src/app/new\nline.py")
    markers = hook("healthgate-markers", changed)
    assert markers.stdout.splitlines() == [
        "src/app/new\\nline.py:2: markers TODO: # TODO \\x1b]0;PWNED\\x07\\x1b[2J done "
        "(+10 min of debt)"
    ]
    debt = hook("healthgate-debt", changed).stdout.splitlines()
    # The marker is healthgate-markers' to report; ruff's N999 message quotes the name.
    assert debt == [
        "src/app/new\\nline.py:1: ruff N999: Invalid module name: 'new\\nline' (+5 min of debt)",
        "healthgate-debt: this change adds 5 min of debt; fix the lines above",
    ]
    assert all(line.startswith(("src/app/new\\nline.py:", "healthgate-debt:")) for line in debt)
    assert not any(char in "".join(debt) + markers.stdout for char in "\x1b\x07")


def test_f10_the_marker_reference_is_matched_only_against_the_kept_comment(
    repo: Path, hook: Hook
) -> None:
    # The reference past MARKER_TEXT_LIMIT characters is not seen: the pattern,
    # the project's own, never runs over more than that much text per marker.
    comment = "# TODO " + "x" * MARKER_TEXT_LIMIT + " (#123)"
    changed = edit(repo, OLD.lstrip() + f"\n\ndef new():\n    {comment}\n    return 1\n")
    completed = hook("healthgate-markers", changed)
    assert completed.returncode == 1
    (line,) = completed.stdout.splitlines()
    assert line.endswith("x" * (MARKER_TEXT_LIMIT - len("# TODO ")) + " (+10 min of debt)")


@pytest.mark.parametrize("name", HOOKS)
def test_f11_moving_an_unchanged_file_adds_nothing(repo: Path, name: str, hook: Hook) -> None:
    risky = OLD.lstrip() + "\n\nimport subprocess\n\n\ndef run(cmd):\n"
    risky += "    return subprocess.call(cmd, shell=True)\n"
    edit(repo, risky)
    git(repo, "commit", "-qm", "risky")
    (repo / "src/app/sub").mkdir()
    git(repo, "mv", "src/app/__init__.py", "src/app/sub/moved.py")
    completed = hook(name, "src/app/sub/moved.py")
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert completed.stdout == ""


def test_f11_a_moved_and_edited_file_reports_only_the_edit(repo: Path, hook: Hook) -> None:
    git(repo, "mv", "src/app/__init__.py", "src/app/renamed.py")
    (repo / "src/app/renamed.py").write_text(OLD.lstrip() + "\n# FIXME: new\n")
    git(repo, "add", "-A")
    completed = hook("healthgate-markers", "src/app/renamed.py")
    assert completed.stdout.splitlines() == [
        "src/app/renamed.py:23: markers FIXME: # FIXME: new (+10 min of debt)"
    ]


@pytest.mark.parametrize("name", HOOKS)
def test_f11_files_from_the_other_branch_of_a_merge_add_nothing(
    repo: Path, name: str, hook: Hook
) -> None:
    git(repo, "checkout", "-qb", "feature")
    busy = OLD.lstrip() + TANGLED + "\n\nimport pickle\n\n\ndef load(b):\n"
    busy += "    # HACK: trust it\n    return pickle.loads(b)\n"
    edit(repo, busy)
    edit(repo, "def helper():\n    # XXX: later\n    return 1\n", "src/app/helper.py")
    git(repo, "commit", "-qm", "feature")
    git(repo, "checkout", "-q", "-")
    edit(repo, "VALUE = 1\n", "src/app/other.py")
    git(repo, "commit", "-qm", "main moves on")
    git(repo, "merge", "--no-ff", "--no-commit", "-q", "feature")
    completed = hook(name, "src/app/__init__.py", "src/app/helper.py")
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert completed.stdout == ""


def test_f11_a_renamed_function_with_the_same_body_is_not_new(repo: Path, hook: Hook) -> None:
    edit(repo, OLD.lstrip() + DEEP)
    git(repo, "commit", "-qm", "deep")
    renamed = OLD.lstrip() + DEEP.replace("def deep(", "def untangle_later(")
    changed = edit(repo, renamed)
    renamed_only = hook("healthgate-complexity", changed)
    assert renamed_only.returncode == 0
    assert renamed_only.stdout == ""
    # A second function with the same body is new: one of the two was there before.
    changed = edit(repo, renamed + DEEP.replace("def deep(", "def twin("))
    completed = hook("healthgate-complexity", changed)
    assert completed.returncode == 1
    assert completed.stdout.splitlines() == [
        "src/app/__init__.py:70: radon CC: twin has cyclomatic complexity 22 (rank D; new) "
        "(+60 min of debt); FAIL: the complexity gate fails past C"
    ]


def test_past_the_default_playbooks_complexity_bound_the_hook_only_warns(
    repo: Path, hook: Hook
) -> None:
    # As in pytest --healthgate: a default bound the project never wrote only warns.
    pyproject = repo / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('complexity = { fail = "C" }\n', ""))
    git(repo, "commit", "-qam", "no complexity gate written")
    rank_e = "\n\ndef deep(x):\n" + "".join(
        f"    if x == {i}:\n        return {i}\n" for i in range(31)
    )
    changed = edit(repo, OLD.lstrip() + rank_e + "    return -1\n")
    completed = hook("healthgate-complexity", changed)
    assert completed.returncode == 0
    assert completed.stdout.splitlines() == [
        "src/app/__init__.py:24: radon CC: deep has cyclomatic complexity 32 (rank E; new) "
        "(+110 min of debt); WARN: the default complexity gate fails past D"
    ]


@pytest.fixture
def fresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project with debt in a repository that has no commit yet, everything staged."""
    project = tmp_path / "fresh"
    (project / "src" / "app").mkdir(parents=True)
    (project / "pyproject.toml").write_text(textwrap.dedent(CONFIG))
    (project / "src" / "app" / "__init__.py").write_text(OLD.lstrip() + DEEP)
    git(project, "init", "-q")
    git(project, "add", "-A")
    monkeypatch.chdir(project)
    return project


def run_main(name: str, capsys: pytest.CaptureFixture[str], *files: str) -> HookRun:
    capsys.readouterr()
    status = MAINS[name](list(files))
    captured = capsys.readouterr()
    return HookRun(status, captured.out, captured.err)


@pytest.mark.parametrize("name", ["healthgate-markers", "healthgate-complexity"])
def test_a_first_commit_without_a_baseline_warns_and_says_how_to_adopt(
    fresh: Path, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    completed = run_main(name, capsys, "src/app/__init__.py")
    assert completed.returncode == 0, completed.stdout + completed.stderr
    lines = completed.stdout.splitlines()
    assert lines[-1] == f"{name}: {changes.FIRST_COMMIT}"
    expected = {
        "healthgate-markers": "src/app/__init__.py:2: markers TODO: # TODO: legacy, left alone",
        "healthgate-complexity": "src/app/__init__.py:24: radon CC: deep has cyclomatic "
        "complexity 22 (rank D; new)",
    }
    assert any(line.startswith(expected[name]) for line in lines[:-1]), lines


def test_a_first_commit_is_judged_against_the_baseline(
    fresh: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    adopt = [sys.executable, "-m", "pytest_healthgate.cli", "baseline", "--update", "--no-tests"]
    subprocess.run(adopt, cwd=fresh, check=True, capture_output=True)
    git(fresh, "add", "-A")
    for name in HOOKS:  # the project as adopted: nothing is new
        adopted = run_main(name, capsys, "src/app/__init__.py")
        assert adopted.returncode == 0, (name, adopted.stdout + adopted.stderr)
        assert adopted.stdout == "", name
    # What the baseline lacks is new, in the first commit as in any other.
    source = fresh / "src" / "app" / "__init__.py"
    source.write_text("# FIXME: added after adopting\n" + source.read_text())
    twin = DEEP.replace("def deep(", "def twin(")
    source.write_text(source.read_text() + twin)
    git(fresh, "add", "-A")
    markers = run_main("healthgate-markers", capsys, "src/app/__init__.py")
    assert markers.returncode == 1
    assert markers.stdout.splitlines() == [
        "src/app/__init__.py:1: markers FIXME: # FIXME: added after adopting (+10 min of debt)"
    ]
    complexity = run_main("healthgate-complexity", capsys, "src/app/__init__.py")
    assert complexity.returncode == 1
    assert [line.split(": radon CC: ")[1][:4] for line in complexity.stdout.splitlines()] == [
        "twin"
    ]


def test_a_first_commit_with_a_broken_baseline_is_an_error_naming_it(
    fresh: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (fresh / ".healthgate").mkdir()
    (fresh / ".healthgate" / "baseline.toml").write_text("format = [\n")
    completed = run_main("healthgate-markers", capsys, "src/app/__init__.py")
    assert completed.returncode == 1
    assert ".healthgate/baseline.toml: cannot be read" in completed.stderr
    assert "healthgate baseline --update" in completed.stderr
    assert "Traceback" not in completed.stderr


def test_a_cherry_pick_is_judged_against_the_branch_it_lands_on(repo: Path, hook: Hook) -> None:
    git(repo, "checkout", "-qb", "feature")
    edit(repo, "def helper():\n    # XXX: later\n    return 1\n", "src/app/helper.py")
    git(repo, "commit", "-qm", "adds a marker")
    added = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=repo, check=True, capture_output=True, text=True
    ).stdout.strip()
    edit(repo, OLD.lstrip().replace("return 0", "return -1"))
    git(repo, "commit", "-qm", "clean edit of a file with old debt")
    git(repo, "checkout", "-q", "-")
    git(repo, "cherry-pick", "--no-commit", "feature")
    clean = hook("healthgate-markers", "src/app/__init__.py")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert clean.stdout == ""
    git(repo, "cherry-pick", "--quit")
    git(repo, "reset", "-q", "--hard")
    git(repo, "cherry-pick", "--no-commit", added)
    marker = hook("healthgate-markers", "src/app/helper.py")
    assert marker.returncode == 1
    assert marker.stdout.splitlines() == [
        "src/app/helper.py:2: markers XXX: # XXX: later (+10 min of debt)"
    ]
