"""The figures are the tools' own: radon, ruff and bandit run by hand agree with ours.

Each tool's command line runs on exactly the files the engine analysed, and its
JSON output is compared finding by finding (radon: every function's name, line,
complexity and rank; ruff and bandit: every finding's file, code and line).
Real code: this repository's own package, and a small project full of findings.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from pytest_healthgate.collect.static.engine import analyse
from pytest_healthgate.collect.static.request import AnalysisRequest
from pytest_healthgate.collect.static.results import AnalysisResult

REPOSITORY = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

MESSY = {
    # `# nosec` comments must silence bandit exactly as bandit itself does.
    "messy/silenced.py": """
        import subprocess


        def quiet(cmd):
            subprocess.call(cmd, shell=True)  # nosec
            subprocess.call(cmd, shell=True)  # nosec B602
            subprocess.call(cmd, shell=True)  # nosec B101
            return subprocess.call(cmd, shell=True)
    """,
    "messy/__init__.py": """
        import os, sys
        import subprocess
        import pickle


        def load(blob):
            return pickle.loads(blob)


        def run(cmd, password="hunter2"):
            if cmd == None:
                return subprocess.call("ls " + cmd, shell=True)
            assert cmd
            exec(cmd)
            return os.system(cmd)
    """,
    "messy/deep.py": """
        import hashlib
        import random
        import tempfile


        def token():
            return hashlib.md5(str(random.random()).encode()).hexdigest()


        def grade(score, bonus, strict):
            result = ""
            if score > 90 and bonus:
                result = "A+"
            elif score > 90:
                result = "A"
            elif score > 80 or (bonus and not strict):
                result = "B"
            elif score > 70:
                result = "C"
            elif score > 60:
                result = "D"
            else:
                result = "F"
            for step in range(score):
                if step % 7 == 0 and strict:
                    continue
                while bonus and step:
                    step -= 1
                    if step == 3 or step == 5:
                        break
            try:
                open(tempfile.mktemp()).close()
            except OSError:
                pass
            return [x for x in result if x] if strict else result


        class Report:
            def render(self, rows):
                def cell(value):
                    return str(value) if value is not None else "-"

                return [[cell(item) for item in row] for row in rows if row]
    """,
}


def tool(name: str) -> str:
    return str(BIN / name)


def run_json(command: list[str], cwd: Path) -> Any:
    completed = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    assert completed.stdout, completed.stderr
    return json.loads(completed.stdout)


@pytest.fixture(scope="module")
def messy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("messy")
    (root / "pyproject.toml").write_text('[tool.ruff.lint]\nselect = ["E", "F", "B", "S"]\n')
    for relative, source in MESSY.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source).lstrip())
    return root


def cases(messy: Path) -> list[tuple[Path, str]]:
    return [(REPOSITORY, "src/pytest_healthgate"), (messy, "messy")]


@pytest.fixture(scope="module", params=["repository", "messy"])
def analysed(request: pytest.FixtureRequest, messy: Path) -> tuple[Path, AnalysisResult]:
    root, entry = cases(messy)[0 if request.param == "repository" else 1]
    # use_cache=False: nothing is read from or written to the project's .healthgate/.
    result = analyse(AnalysisRequest(root=str(root), entries=(entry,), use_cache=False))
    assert result.errors == {}
    assert result.files
    return root, result


def test_every_function_has_the_complexity_and_rank_radon_reports(
    analysed: tuple[Path, AnalysisResult],
) -> None:
    root, result = analysed
    files = sorted(result.files)
    report = run_json([tool("radon"), "cc", "--json", "--show-closures", *files], root)
    theirs = Counter(
        (
            path,
            block["name"]
            if not block.get("classname")
            else f"{block['classname']}.{block['name']}",
            block["lineno"],
            block["complexity"],
            block["rank"],
        )
        for path, blocks in report.items()
        for block in blocks
        if block["type"] != "class"
    )
    ours = Counter(
        (path, function.name, function.line, function.complexity, function.rank)
        for path, data in result.files.items()
        for function in data.functions
    )
    assert ours == theirs
    assert sum(ours.values()) > 5


def test_every_ruff_finding_matches_ruffs_own_json_output(
    analysed: tuple[Path, AnalysisResult],
) -> None:
    root, result = analysed
    files = sorted(result.files)
    report = run_json(
        [tool("ruff"), "check", "--output-format", "json", "--no-cache", "--exit-zero", *files],
        root,
    )
    theirs = Counter(
        (Path(item["filename"]).relative_to(root).as_posix(), item["code"], item["location"]["row"])
        for item in report
    )
    ours = Counter(
        (path, finding.code, finding.line)
        for path, found in result.lint.items()
        for finding in found
    )
    assert ours == theirs


def test_every_bandit_finding_matches_bandits_own_json_output(
    analysed: tuple[Path, AnalysisResult],
) -> None:
    root, result = analysed
    files = sorted(result.files)
    report = run_json([tool("bandit"), "-f", "json", "-q", *files], root)
    theirs = Counter(
        (
            os.path.normpath(item["filename"]),
            item["test_id"],
            item["issue_severity"],
            item["line_number"],
        )
        for item in report["results"]
    )
    ours = Counter(
        (path, issue.test_id, issue.severity, issue.line)
        for path, data in result.files.items()
        for issue in data.security
    )
    assert ours == theirs
    assert sum(ours.values()) > 0


def test_the_messy_project_really_has_findings_of_every_tool(messy: Path) -> None:
    result = analyse(AnalysisRequest(root=str(messy), entries=("messy",), use_cache=False))
    lint = sum(len(found) for found in result.lint.values())
    security = [issue for data in result.files.values() for issue in data.security]
    worst = max(f.complexity for data in result.files.values() for f in data.functions)
    assert lint >= 5
    assert any(issue.severity == "HIGH" for issue in security)
    assert worst > 10
