"""`healthgate trend` and `healthgate history --export`, read from a real history file."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from pytest_healthgate.cli import main
from pytest_healthgate.report.sparkline import sparkline
from pytest_healthgate.store import history
from pytest_healthgate.store.history import MetricRow, RunRow

COVERAGE = [90.0, 88.0, 85.0, 85.0]
DEBT = [3600.0, 7200.0, None, 10800.0]  # the third run could not measure debt


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "pyproject.toml").write_text("[tool.healthgate.gates]\ncoverage = { fail = 80 }\n")
    for number, (coverage, debt) in enumerate(zip(COVERAGE, DEBT, strict=True)):
        history.append(
            tmp_path,
            RunRow(
                run_id=f"run{number}",
                time=f"2026-11-2{number}T10:00:00+00:00",
                verdict="PASS",
                commit=f"{number}" * 40,
                branch="main",
                dirty=number == 3,
                surface="pytest",
                score=100.0 - number * 5,
                formula=1,
                metrics={
                    "coverage": MetricRow("coverage", coverage, "PASS", 90.0, 1.0),
                    "debt": MetricRow("debt", debt, "PASS" if debt else "ERROR"),
                },
            ),
        )
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_sparkline_scales_from_lowest_to_highest() -> None:
    assert sparkline([1.0, 2.0, 3.0]) == "▁▅█"
    assert sparkline([5.0, 5.0]) == "▅▅"
    assert sparkline([1.0, None, 8.0]) == "▁ █"
    assert sparkline([None]) == " "


def test_trend_shows_each_metric_with_its_change_and_sparkline(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["trend"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "healthgate trend: the last 4 runs, oldest first"
    rows = {line.split()[0]: line.split() for line in lines[2:]}
    assert rows["health"] == ["health", "100.0", "85.0", "-15.0", "█▆▃▁"]
    assert rows["coverage"] == ["coverage", "90.0%", "85.0%", "-5.0%", "█▅▁▁"]
    assert rows["debt"][1:4] == ["1.0h", "3.0h", "+2.0h"]
    assert rows["debt"][4:] == ["▁▅", "█"]  # a gap where the run had no figure


def test_trend_last_n_and_one_metric_run_by_run(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["trend", "--last", "2", "--metric", "coverage"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1] == "coverage: ▅▅"
    assert lines[2].split() == ["2026-11-22T10:00:00+00:00", "2222222222", "main", "PASS", "85.0%"]
    assert lines[3].endswith("85.0% (dirty)")


def test_an_unknown_metric_names_the_known_ones(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["trend", "--metric", "coverag"]) == 2
    assert "--metric coverag: not in the history; one of health, coverage, debt" in (
        capsys.readouterr().err
    )


def test_no_history_says_how_to_get_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.healthgate]\n")
    monkeypatch.chdir(tmp_path)
    assert main(["trend"]) == 0
    assert "no run recorded yet" in capsys.readouterr().out
    assert not (tmp_path / ".healthgate").exists()


def test_history_exports_every_run_as_csv_and_json(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["history", "--export", "csv"]) == 0
    table = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [row["coverage"] for row in table] == ["90.0", "88.0", "85.0", "85.0"]
    assert [row["debt"] for row in table] == ["3600.0", "7200.0", "", "10800.0"]
    assert table[3]["dirty"] == "True"
    assert table[0]["commit"] == "0" * 40
    assert main(["history", "--export", "json", "--last", "1"]) == 0
    (run,) = json.loads(capsys.readouterr().out)
    assert run["score"] == 85.0
    assert run["metrics"]["coverage"] == {
        "value": 85.0,
        "verdict": "PASS",
        "points": 90.0,
        "weight": 1.0,
    }
