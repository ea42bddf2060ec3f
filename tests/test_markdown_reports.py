"""Markdown, badge and GitHub reports: written by real runs, re-rendered, escaped, cut."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest

from pytest_healthgate.model import Bounds, Direction, GateResult, RunResult, Verdict
from pytest_healthgate.report import github, markdown
from pytest_healthgate.units import Unit
from tests.helpers import write, write_project

PLAYBOOK = """
[tool.healthgate]
default_gates = false
source = ["src/calc"]

[tool.healthgate.gates]
coverage = { fail = 90 }
pass_rate = { fail = 90 }
debt = { fail = "1m" }
"""
HOSTILE = "<img src=x onerror=alert(1)>.py"


@pytest.fixture
def project(pytester: pytest.Pytester) -> Path:
    root = write_project(pytester, PLAYBOOK)
    write(
        pytester, "src/calc/__init__.py", "def one():\n    return 1\n\n\ndef two():\n    return 2\n"
    )
    write(
        pytester, f"src/calc/{HOSTILE}", "def never():\n    # TODO: <b>markup</b>\n    return 1\n"
    )
    write(
        pytester,
        "tests/test_calc.py",
        "from calc import one\n\n\ndef test_one():\n    assert one() == 1\n",
    )
    return root


def healthgate(root: Path, *args: str, env: dict[str, str] | None = None) -> str:
    completed = subprocess.run(
        [sys.executable, "-m", "pytest_healthgate.cli", *args],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    return completed.stdout


def test_a_run_writes_md_and_badge_and_the_report_command_renders_the_same(
    pytester: pytest.Pytester, project: Path
) -> None:
    result = pytester.runpytest_subprocess(
        "--healthgate",
        "--healthgate-report=md",
        "--healthgate-report=badge",
        "-p",
        "no:cacheprovider",
    )
    assert result.ret == 1  # coverage 75 % < 90 %
    written = (project / ".healthgate" / "report.md").read_text()
    assert written.startswith("## healthgate: FAIL - health ")
    assert "| coverage | 75% | \\- | 90% | **FAIL** |" in written
    assert "- FAIL coverage: " in written
    # The hostile file name is text in every format, never markup.
    assert "<img" not in written
    assert "&lt;img src=x onerror=alert\\(1\\)&gt;\\.py" in written
    assert healthgate(project, "report", "md") == written

    badge = (project / ".healthgate" / "badge.svg").read_text()
    svg = ElementTree.fromstring(badge)
    texts = [element.text for element in svg.iter("{http://www.w3.org/2000/svg}text")]
    assert texts[0] == "health"
    assert texts[1] is not None
    assert texts[1].endswith(("poor", "critical", "fair", "crisis"))
    assert healthgate(project, "report", "badge") == badge


def test_on_github_a_run_annotates_and_appends_its_summary(
    pytester: pytest.Pytester, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    summary = project / "summary.md"
    summary.write_text("earlier step\n")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    result = pytester.runpytest_subprocess("--healthgate", "-p", "no:cacheprovider")
    assert result.ret == 1
    result.stdout.fnmatch_lines(
        ["::error title=healthgate coverage::coverage: coverage 75%25 is below 90%25"]
    )
    text = summary.read_text()
    assert text.startswith("earlier step\n## healthgate: FAIL")


def test_the_report_command_without_a_record_says_what_to_run(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.healthgate]\n")
    completed = subprocess.run(
        [sys.executable, "-m", "pytest_healthgate.cli", "report", "md"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 1
    assert "no recorded run; run `pytest --healthgate` first" in completed.stderr


def gate(name: str, verdict: Verdict, reason: str, **extra: object) -> GateResult:
    return GateResult(
        name,
        Unit.COUNT,
        Direction.LOWER,
        3.0,
        Bounds(fail=1),
        verdict,
        reason,
        "",
        0,
        baseline=extra.get("baseline"),  # type: ignore[arg-type]
    )


def test_annotations_are_escaped_and_ordered_errors_first() -> None:
    sneaky = "bad%0A::error::forged\nsecond line"
    result = RunResult(
        [
            gate("debt", Verdict.WARN, "warned"),
            gate(
                "critical",
                Verdict.FAIL,
                sneaky,
                baseline={
                    "added": ["a,b.py:7: B602 shell"],
                    "added_at": [{"path": "a,b.py", "line": 7, "rule": "bandit:B602"}],
                },
            ),
        ]
    )
    lines = github.annotation_lines(result)
    assert lines == [
        "::error title=healthgate critical::critical: bad%250A::error::forged%0Asecond line",
        "::error file=a%2Cb.py,line=7,title=healthgate bandit%3AB602::critical: new since the "
        "baseline: a,b.py:7: B602 shell",
        "::warning title=healthgate debt::debt: warned",
    ]
    assert all("\n" not in line for line in lines)
    capped = github.annotation_lines(result, shown=1)
    assert (
        capped[-1]
        == "::notice::healthgate: 2 more annotations left out; see .healthgate/last-run.json"
    )


def test_markdown_escapes_markup_in_messages() -> None:
    result = RunResult([gate("debt", Verdict.FAIL, "<script>x</script> | *bold* [link](http://e)")])
    rendered = markdown.render(result)
    assert "<script>" not in rendered
    assert "&lt;script&gt;x&lt;/script&gt; \\| \\*bold\\* \\[link\\]\\(http://e\\)" in rendered


def test_the_step_summary_is_cut_deterministically_and_says_what_was_cut() -> None:
    from pytest_healthgate.model import Detail

    gates = [
        GateResult(
            f"metric{number}",
            Unit.COUNT,
            Direction.LOWER,
            3.0,
            Bounds(fail=1),
            Verdict.FAIL,
            "x" * 200,
            "",
            0,
            details=tuple(Detail(f"file{d}.py", 1.0, Unit.COUNT) for d in range(5)),
        )
        for number in range(20)
    ]
    result = RunResult(gates)
    whole = markdown.fitted(result, limit=None)
    cut = markdown.fitted(result, limit=len(whole.encode()) // 2)
    assert len(cut.encode()) <= len(whole.encode()) // 2
    assert cut == markdown.fitted(result, limit=len(whole.encode()) // 2)
    assert "_Cut to stay under GitHub's step summary limit: " in cut
    assert cut.count("<details>") < whole.count("<details>")
    assert "| metric19 |" in cut  # the table stays whole
