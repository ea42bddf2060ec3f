"""healthgate hotspots: changes in the window times debt hours, from real git history."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pytest_healthgate.hotspots import Hotspot, rank

GIT = ["git", "-c", "user.name=healthgate", "-c", "user.email=hg@example.invalid"]


def commit(root: Path, message: str, days_ago: int = 0) -> None:
    env = dict(os.environ)
    if days_ago:
        when = dt.datetime.now(dt.UTC) - dt.timedelta(days=days_ago)
        stamp = when.strftime("%Y-%m-%dT%H:%M:%S+0000")
        env.update(GIT_AUTHOR_DATE=stamp, GIT_COMMITTER_DATE=stamp)
    subprocess.run([*GIT, "add", "-A"], cwd=root, check=True)
    subprocess.run([*GIT, "commit", "-qm", message], cwd=root, check=True, env=env)


def todos(count: int) -> str:
    return "".join(f"# TODO: item {n}\nX{n} = {n}\n" for n in range(count))


@pytest.fixture
def history(tmp_path: Path) -> Path:
    root = tmp_path / "app"
    (root / "src" / "app").mkdir(parents=True)
    (root / "pyproject.toml").write_text('[tool.healthgate]\nsource = ["src/app"]\n')
    (root / "src" / "app" / "busy.py").write_text(todos(1))  # 10 min, changed 3 times
    (root / "src" / "app" / "heavy.py").write_text(todos(6))  # 1 h, changed once
    (root / "src" / "app" / "old.py").write_text(todos(18))  # 3 h, not changed lately
    subprocess.run([*GIT, "init", "-q"], cwd=root, check=True)
    commit(root, "start", days_ago=400)
    for number in range(3):
        (root / "src" / "app" / "busy.py").write_text(todos(1) + f"Y = {number}\n")
        commit(root, f"busy {number}")
    (root / "src" / "app" / "heavy.py").write_text(todos(6) + "Z = 1\n")
    commit(root, "heavy")
    return root


def hotspots(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest_healthgate.cli", "hotspots", *args],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )


def test_files_rank_by_changes_times_debt_hours(history: Path) -> None:
    done = hotspots(history, "--days", "90")
    assert done.returncode == 0, done.stderr
    rows = [line.split() for line in done.stdout.splitlines()[2:]]
    assert rows == [
        ["1.0", "1", "1.0h", "src/app/heavy.py"],  # 1 change x 1 h
        ["0.5", "3", "10.0m", "src/app/busy.py"],  # 3 changes x 1/6 h
    ]  # old.py: most debt, but untouched in the window
    wide = hotspots(history, "--days", "1000")
    assert [line.split()[-1] for line in wide.stdout.splitlines()[2:]] == [
        "src/app/old.py",  # 1 change (the first commit) x 3 h
        "src/app/heavy.py",  # 2 x 1 h
        "src/app/busy.py",  # 4 x 1/6 h
    ]


def test_ties_break_by_changes_then_path() -> None:
    from collections import Counter

    spots = rank(
        Counter({"b.py": 2, "a.py": 1, "c.py": 1}), {"a.py": 7200.0, "b.py": 3600.0, "c.py": 7200.0}
    )
    assert spots == [
        Hotspot("b.py", 2.0, 2, 3600.0),
        Hotspot("a.py", 2.0, 1, 7200.0),
        Hotspot("c.py", 2.0, 1, 7200.0),
    ]


def test_outside_git_or_with_bad_arguments_it_says_what_to_do(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.healthgate]\nsource = ["."]\n')
    env_free = hotspots(tmp_path)
    assert env_free.returncode == 2
    assert "run it inside the project's git repository" in env_free.stderr
    assert hotspots(tmp_path, "--days", "0").returncode == 2


def test_the_html_report_has_a_hotspots_section(history: Path) -> None:
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--healthgate",
            "-p",
            "no:cacheprovider",
            "--healthgate-report=html",
        ],
        cwd=history,
        capture_output=True,
        text=True,
        check=False,
    )
    page = (history / ".healthgate" / "report.html").read_text()
    assert '<section id="hotspots">' in page, run.stdout
    assert page.index("src/app/heavy.py", page.index('id="hotspots"')) < page.index(
        "src/app/busy.py", page.index('id="hotspots"')
    )
