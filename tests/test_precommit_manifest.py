"""The hook manifest, the console scripts, the modules and the docs stay in step."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def manifest() -> list[dict[str, object]]:
    # pre-commit's own loader (a dependency of the test extra) validates the schema too.
    from pre_commit.clientlib import load_manifest

    hooks: list[dict[str, object]] = load_manifest(str(ROOT / ".pre-commit-hooks.yaml"))
    return hooks


SCRIPTS = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
HOOKS = manifest()


@pytest.mark.parametrize("hook", HOOKS, ids=[str(h["id"]) for h in HOOKS])
def test_each_hook_has_a_script_and_a_module_of_its_name(hook: dict[str, object]) -> None:
    hook_id = str(hook["id"])
    command = str(hook["entry"]).split()[0]
    assert command in SCRIPTS, f"{command} is not in [project.scripts]"
    if hook_id == "healthgate":
        assert hook["entry"] == "healthgate run"  # a subcommand of the healthgate command
        assert hasattr(importlib.import_module("pytest_healthgate.commands.run"), "run")
    else:
        module_name = f"pytest_healthgate.precommit.{hook_id.replace('-', '_')}"
        importlib.import_module(module_name)
        assert command == hook_id
        assert SCRIPTS[hook_id] == f"{module_name}:main"


REPOSITORY_WIDE = ("healthgate-import-time", "healthgate-last-run", "healthgate")
# Hooks that read the commit message (pre-commit passes its file) beside the index.
MESSAGE = ("healthgate-changelog",)


def test_file_scoped_hooks_take_python_files_and_the_rest_take_none() -> None:
    for hook in HOOKS:
        if hook["id"] == "healthgate-last-run":
            # It measures nothing itself: the changed files (any type: pyproject.toml
            # too) only tell it whether the change touches what the record depends on.
            assert hook["pass_filenames"] is True
            assert hook["always_run"] is False
            assert hook["types"] == ["file"]
        elif hook["id"] in REPOSITORY_WIDE:
            assert hook["pass_filenames"] is False
            assert hook["always_run"] is True
        elif hook["id"] in MESSAGE:
            assert hook.get("pass_filenames", True) is True  # the message file
            assert hook["always_run"] is True
            assert hook["language"] == "python"
        else:
            assert hook["types"] == ["python"]
            assert hook["language"] == "python"


def test_file_hooks_run_at_commit_and_repository_hooks_at_push() -> None:
    from pre_commit.clientlib import STAGES

    stages = {hook["id"]: hook["stages"] for hook in HOOKS}
    for hook_id, hook_stages in stages.items():
        assert set(hook_stages) <= set(STAGES), hook_id  # names pre-commit accepts
        if hook_id in REPOSITORY_WIDE:
            assert hook_stages == ["pre-push", "manual"], hook_id
        elif hook_id in MESSAGE:
            assert hook_stages == ["commit-msg"], hook_id
        else:
            assert hook_stages == ["pre-commit", "pre-merge-commit", "manual"], hook_id


def test_hooks_that_import_the_project_run_in_its_own_environment() -> None:
    # The manifest says `system`; pre-commit 4.4+ loads it as its new name `unsupported`.
    languages = {hook["id"]: hook["language"] for hook in HOOKS}
    assert languages["healthgate-import-time"] in ("system", "unsupported")
    assert languages["healthgate"] in ("system", "unsupported")


def test_every_hook_is_documented_and_in_the_sample_config() -> None:
    page = (ROOT / "docs" / "pre-commit.md").read_text()
    for hook in HOOKS:
        assert f"| `{hook['id']}` |" in page
        assert f"- id: {hook['id']}\n" in page


def test_every_precommit_module_is_a_hook() -> None:
    folder = ROOT / "src" / "pytest_healthgate" / "precommit"
    modules = {path.stem for path in folder.glob("healthgate*.py")}
    # The full gate `healthgate` is the `healthgate run` subcommand (commands/run.py).
    assert modules == {str(hook["id"]).replace("-", "_") for hook in HOOKS} - {"healthgate"}


def test_the_plain_git_pre_push_hook_refuses_a_push_when_a_gate_fails(tmp_path: Path) -> None:
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    remote, work = tmp_path / "remote.git", tmp_path / "work"
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True)
    work.mkdir()
    (work / "pyproject.toml").write_text(
        '[tool.healthgate.gates]\ncoverage = false\nduration = { fail = "1ms" }\n'
    )
    (work / "test_slow.py").write_text("import time\n\ndef test_slow():\n    time.sleep(0.05)\n")
    hook = work / ".git" / "hooks" / "pre-push"
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "start"]):
        subprocess.run([*git, *command], cwd=work, check=True, capture_output=True)
    hook.write_text((ROOT / "hooks" / "pre-push").read_text())
    hook.chmod(0o755)
    env = {**os.environ, "HEALTHGATE_PYTHON": sys.executable}
    push = [*git, "push", "-q", str(remote), "HEAD:main"]
    refused = subprocess.run(push, cwd=work, env=env, capture_output=True, text=True, check=False)
    assert refused.returncode != 0
    assert "push refused" in refused.stderr
    (work / "pyproject.toml").write_text("[tool.healthgate.gates]\ncoverage = false\n")
    subprocess.run([*git, "commit", "-qam", "relax"], cwd=work, check=True, capture_output=True)
    accepted = subprocess.run(push, cwd=work, env=env, capture_output=True, text=True, check=False)
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
