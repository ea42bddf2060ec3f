"""Why a gate's points moved, named by file (``moves``) and worded by ``score``."""

from __future__ import annotations

from typing import Any

import pytest

from pytest_healthgate.builtin import builtin_catalogue
from pytest_healthgate.model import Bounds, Direction, Finding, GateResult, RunResult, Verdict
from pytest_healthgate.moves import baseline_reasons, file_figures, reasons
from pytest_healthgate.score import baseline_health, health, why_it_moved
from pytest_healthgate.units import Unit


def gate(name: str, value: float, **extra: Any) -> GateResult:
    higher = name == "coverage"
    return GateResult(
        name=name,
        unit=Unit.PERCENT if higher else Unit.DURATION,
        direction=Direction.HIGHER if higher else Direction.LOWER,
        value=value,
        bounds=Bounds(fail=50.0 if higher else 36000.0),
        verdict=Verdict.PASS,
        reason="",
        hint="",
        precision=1,
        extra=extra.pop("extra", {}),
        baseline=extra.pop("baseline", None),
    )


def units(**files: tuple[int, int]) -> dict[str, dict[str, int]]:
    return {
        path.replace("_", "/") + ".py": {"units": u, "missing": m} for path, (u, m) in files.items()
    }


def finding(path: str, line: int, cost: float) -> Finding:
    return Finding(path, line, 1, "markers:TODO", "TODO", ["debt"], {"debt": cost})


def test_figures_come_from_file_units_and_from_the_findings_costs() -> None:
    result = RunResult(
        gates=[
            gate("coverage", 80.0, extra={"file_units": units(src_a=(10, 2))}),
            gate("debt", 900),
        ],
        findings=[finding("src/b.py", 1, 600.0), finding("src/b.py", 9, 300.0)],
    )
    assert file_figures(result) == {
        "coverage": {"src/a.py": (8.0, 10)},
        "debt": {"src/b.py": (900.0, 2)},
    }
    # A measured gate with no finding has an empty entry: "none", not "not kept".
    assert file_figures(RunResult(gates=[gate("debt", 0.0)])) == {"debt": {}}


def test_the_file_that_lost_most_covered_lines_is_named() -> None:
    before = {"coverage": {"src/io.py": (90.0, 100), "src/api.py": (50.0, 50)}}
    now = {"coverage": {"src/io.py": (50.0, 100), "src/api.py": (48.0, 50)}}
    result = RunResult(gates=[gate("coverage", 70.0, extra={"file_units": {}})])
    assert reasons(result, before, now) == {"coverage": "src/io.py lost 40 covered lines"}
    # Better: the file that gained most.
    assert reasons(result, now, before) == {"coverage": "src/io.py gained 40 covered lines"}


def test_branch_coverage_says_lines_and_branches() -> None:
    before = {"coverage": {"src/io.py": (2.0, 2)}}
    now = {"coverage": {"src/io.py": (1.0, 2)}}
    result = RunResult(gates=[gate("coverage", 50.0, extra={"file_units": {}, "branch": True})])
    assert reasons(result, before, now) == {"coverage": "src/io.py lost 1 covered line or branch"}


def test_the_file_with_most_new_findings_is_named_and_fixes_when_fewer() -> None:
    result = RunResult(gates=[gate("debt", 100.0)])
    before = {"debt": {"src/api.py": (300.0, 1), "src/io.py": (300.0, 1)}}
    now = {"debt": {"src/api.py": (1200.0, 4), "src/io.py": (600.0, 2)}}
    assert reasons(result, before, now) == {"debt": "3 new findings in src/api.py"}
    assert reasons(result, now, {"debt": {}}) == {"debt": "4 findings fixed in src/api.py"}
    # A previous run with no findings in the gate: every finding is new.
    assert reasons(result, {"coverage": {}}, now) == {"debt": "4 new findings in src/api.py"}
    # A run kept before the history had per-file figures names no file.
    assert reasons(result, {}, now) == {}


def test_why_it_moved_puts_each_gates_file_in_brackets() -> None:
    specs = builtin_catalogue().metrics
    before = health([gate("coverage", 90.0), gate("debt", 0.0)], specs)
    after = health([gate("coverage", 70.0), gate("debt", 3600.0)], specs)
    text = why_it_moved(
        before,
        after,
        where={"coverage": "src/io.py lost 40 covered lines", "debt": "3 new findings in a.py"},
    )
    assert text.startswith(f"health {before.score:g} -> {after.score:g}: coverage -")
    assert "points (src/io.py lost 40 covered lines)" in text
    assert "debt -" in text
    assert "points (3 new findings in a.py)" in text


def test_the_baseline_figures_are_scored_under_todays_bounds() -> None:
    specs = builtin_catalogue().metrics
    compared = {"value": 90.0, "files": ["src/io.py +12 uncovered (lines 3-14)"]}
    debt_compared = {
        "value": 0.0,
        "added_at": [{"path": "a.py"}, {"path": "b.py"}, {"path": "a.py"}],
    }
    now = [gate("coverage", 70.0, baseline=compared), gate("debt", 3600.0, baseline=debt_compared)]
    then = baseline_health(now, specs, {})
    assert then is not None
    assert then.score == health([gate("coverage", 90.0), gate("debt", 0.0)], specs).score
    assert baseline_reasons(RunResult(gates=now)) == {
        "coverage": "src/io.py +12 uncovered (lines 3-14)",
        "debt": "2 new findings in a.py",
    }
    assert baseline_health([gate("coverage", 70.0)], specs, {}) is None  # no baseline figure


def test_a_move_too_small_for_one_decimal_is_shown_with_two() -> None:
    from pytest_healthgate.score import GateScore, Health

    before = Health(97.6, (GateScore("duration", 1.0, 97.60), GateScore("memory", 1.0, 97.6)))
    after = Health(97.7, (GateScore("duration", 1.0, 97.66), GateScore("memory", 1.0, 97.6)))
    assert why_it_moved(before, after) == "health 97.6 -> 97.7: duration +0.03 points"
    still = Health(97.6, (GateScore("duration", 1.0, 97.604), GateScore("memory", 1.0, 97.6)))
    assert why_it_moved(before, still) == "health 97.6 -> 97.6: no gate moved"


def test_a_gate_entering_the_score_is_not_read_as_the_others_losing_points() -> None:
    from pytest_healthgate.score import GateScore, Health, point_moves

    before = Health(90.0, (GateScore("coverage", 1.0, 80.0), GateScore("debt", 1.0, 100.0)))
    after = Health(
        93.3,
        (
            GateScore("coverage", 1.0, 80.0),
            GateScore("debt", 1.0, 100.0),
            GateScore("structure", 1.0, 100.0),
        ),
    )
    moves = point_moves(before, after)
    assert moves == pytest.approx({"coverage": 0.0, "debt": 0.0, "structure": 10 / 3})
    assert sum(moves.values()) == pytest.approx(100 * 2 / 3 + 80 / 3 - 90)  # the whole move
    assert why_it_moved(before, after) == "health 90 -> 93.3: structure scored now (+3.3 points)"
    # And leaving: the mirror image.
    back = point_moves(after, before)
    assert back == pytest.approx({"coverage": 0.0, "debt": 0.0, "structure": -10 / 3})


def test_moves_add_up_to_the_score_whatever_enters_leaves_or_moves() -> None:
    from pytest_healthgate.score import GateScore, Health, point_moves

    before = Health(
        0, (GateScore("a", 2.0, 50.0), GateScore("b", 1.0, 90.0), GateScore("c", 1.0, 70.0))
    )
    after = Health(
        0, (GateScore("a", 2.0, 60.0), GateScore("b", 1.0, 40.0), GateScore("d", 3.0, 100.0))
    )
    then = (2 * 50 + 90 + 70) / 4
    now = (2 * 60 + 40 + 3 * 100) / 6
    assert sum(point_moves(before, after).values()) == pytest.approx(now - then)
