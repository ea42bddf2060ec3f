"""healthgate-changelog through the real pre-commit, at the commit-msg stage of real commits."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_precommit_framework import commit, env, git, hook_repo, pre_commit

__all__ = ["env", "hook_repo"]  # fixtures shared with the framework tests

HOOK_CONFIG = """\
repos:
  - repo: {repo}
    rev: {rev}
    hooks:
      - id: healthgate-changelog
"""

PYPROJECT = """\
[tool.healthgate]
source = ["src/app"]

[tool.healthgate.changelog]
exempt = ["src/app/_version.py"]
"""


@pytest.fixture
def project(tmp_path: Path, hook_repo: tuple[Path, str], env: dict[str, str]) -> Path:
    repo, rev = hook_repo
    (tmp_path / "src" / "app").mkdir(parents=True)
    (tmp_path / "tests").mkdir()
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    (tmp_path / "src" / "app" / "__init__.py").write_text("VALUE = 1\n")
    (tmp_path / "src" / "app" / "_version.py").write_text("VERSION = '1'\n")
    (tmp_path / "tests" / "test_app.py").write_text("def test_one():\n    assert True\n")
    (tmp_path / "CHANGELOG.md").write_text("# Changes\n")
    (tmp_path / ".pre-commit-config.yaml").write_text(HOOK_CONFIG.format(repo=repo, rev=rev))
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "start")
    installed = pre_commit(tmp_path, env, "install", "--hook-type", "commit-msg")
    assert installed.returncode == 0, installed.stdout + installed.stderr
    return tmp_path


def change(root: Path, relative: str, text: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    git(root, "add", "-A")


def test_a_source_change_without_a_changelog_entry_is_refused(
    project: Path, env: dict[str, str]
) -> None:
    change(project, "src/app/__init__.py", "VALUE = 2\n")
    refused = commit(project, env, "Change the value")
    assert refused.returncode == 1
    output = refused.stdout + refused.stderr
    assert "changes measured source (src/app/__init__.py) but no changelog" in output
    assert "[skip changelog]" in output
    assert git(project, "rev-list", "--count", "HEAD") == "1"  # nothing was committed

    change(project, "CHANGELOG.md", "# Changes\n\n- The value is 2.\n")
    done = commit(project, env, "Change the value")
    assert done.returncode == 0, done.stdout + done.stderr
    assert git(project, "rev-list", "--count", "HEAD") == "2"


def test_the_skip_trailer_tests_and_exempt_files_need_no_entry(
    project: Path, env: dict[str, str]
) -> None:
    change(project, "src/app/__init__.py", "VALUE = 3\n")
    skipped = commit(project, env, "Tidy\n\n[skip changelog]")
    assert skipped.returncode == 0, skipped.stdout + skipped.stderr
    change(project, "tests/test_app.py", "def test_one():\n    assert 1\n")
    assert commit(project, env, "A test only").returncode == 0
    change(project, "src/app/_version.py", "VERSION = '2'\n")
    assert commit(project, env, "Bump the version").returncode == 0
    change(project, "README.md", "# app\n")
    assert commit(project, env, "Docs only").returncode == 0
    assert git(project, "rev-list", "--count", "HEAD") == "5"


def test_news_fragments_count_when_configured(project: Path, env: dict[str, str]) -> None:
    pyproject = project / "pyproject.toml"
    pyproject.write_text(PYPROJECT + 'paths = ["changes/"]\n')
    change(project, "src/app/__init__.py", "VALUE = 4\n")
    refused = commit(project, env, "Change")
    assert "no changelog (changes/)" in refused.stdout + refused.stderr
    change(project, "changes/123.feature.md", "The value is 4.\n")
    assert commit(project, env, "Change").returncode == 0


def test_outside_a_repository_it_is_an_error_not_a_pass(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    (tmp_path / "src" / "app").mkdir(parents=True)
    done = subprocess.run(
        [sys.executable, "-m", "pytest_healthgate.precommit.healthgate_changelog"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "GIT_CEILING_DIRECTORIES": str(tmp_path.parent)},
        check=False,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert "healthgate-changelog: ERROR: git could not list the staged files" in done.stderr


def test_the_documented_auto_fix_block_puts_ruffs_hooks_first() -> None:
    import re

    import yaml

    root = Path(__file__).resolve().parent.parent
    page = (root / "docs" / "pre-commit.md").read_text()
    block = re.search(r"```yaml\n(# \.pre-commit-config\.yaml, with auto-fix\n.*?)```", page, re.S)
    assert block is not None, "docs/pre-commit.md lost its auto-fix block"
    repos = yaml.safe_load(block.group(1))["repos"]
    ids = [hook["id"] for repo in repos for hook in repo["hooks"]]
    assert ids[:2] == ["ruff", "ruff-format"]
    assert repos[0]["hooks"][0]["args"] == ["--fix"]
    ours = {hook["id"] for hook in yaml.safe_load((root / ".pre-commit-hooks.yaml").read_text())}
    assert set(ids[2:]) == ours  # every hook of ours, each one that exists


# -- the hook's own logic, in this process -------------------------------------------


def repository(root: Path) -> Path:
    (root / "src" / "app").mkdir(parents=True)
    (root / "tests").mkdir()
    (root / "pyproject.toml").write_text(PYPROJECT)
    (root / "src" / "app" / "__init__.py").write_text("VALUE = 1\n")
    (root / "src" / "app" / "_version.py").write_text("VERSION = '1'\n")
    (root / "src" / "app" / "test_inline.py").write_text("def test_x():\n    pass\n")
    (root / "notes.py").write_text("X = 1\n")  # Python, but not measured source
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "start")
    return root


def hook(root: Path, monkeypatch: pytest.MonkeyPatch, message: str = "A change") -> tuple[int, str]:
    from pytest_healthgate.precommit import healthgate_changelog

    monkeypatch.chdir(root)
    message_file = root / ".git" / "COMMIT_EDITMSG"
    message_file.write_text(message)
    return healthgate_changelog.main([str(message_file)])


def test_in_process_only_measured_source_needs_an_entry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = repository(tmp_path)
    for name in ("src/app/_version.py", "src/app/test_inline.py", "notes.py"):
        change(root, name, "# changed\n")
        assert hook(root, monkeypatch) == 0, name
    assert capsys.readouterr().out == ""
    for index in range(5):
        change(root, f"src/app/mod{index}.py", "VALUE = 1\n")
    assert hook(root, monkeypatch) == 1
    out = capsys.readouterr().out
    assert "(src/app/mod0.py, src/app/mod1.py, src/app/mod2.py and 2 more)" in out
    assert (
        "no changelog (CHANGELOG*, CHANGES*, HISTORY*, NEWS*, changelog.d/, newsfragments/)" in out
    )
    assert hook(root, monkeypatch, "Add modules\n\n[skip changelog]\n") == 0
    change(root, "newsfragments/1.feature", "Five modules.\n")
    assert hook(root, monkeypatch) == 0


def test_in_process_a_merge_and_a_bad_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = repository(tmp_path)
    change(root, "src/app/__init__.py", "VALUE = 2\n")
    (root / ".git" / "MERGE_HEAD").write_text(git(root, "rev-parse", "HEAD") + "\n")
    assert hook(root, monkeypatch) == 0  # a merge: judged on its branches
    (root / ".git" / "MERGE_HEAD").unlink()
    (root / "pyproject.toml").write_text(PYPROJECT + 'skip = "("\n')
    assert hook(root, monkeypatch) == 2
    assert "[tool.healthgate.changelog] skip" in capsys.readouterr().err


def test_in_process_outside_a_repository(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from pytest_healthgate.precommit import healthgate_changelog

    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    (tmp_path / "src" / "app").mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    assert healthgate_changelog.main([]) == 2
    assert "ERROR: git could not list the staged files" in capsys.readouterr().err
