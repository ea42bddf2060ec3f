"""The baseline's pieces: its file, the ratchet table, matching items, the comparisons."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from pytest_healthgate.config import ConfigError, load
from pytest_healthgate.model import Item
from pytest_healthgate.ratchet import _ranges, changed_lines, match_items
from pytest_healthgate.snapshot import SourceLines, fingerprint, normalised, stored
from pytest_healthgate.store import baseline as store
from pytest_healthgate.units import Unit, config_text, parse


def project(root: Path, table: str) -> Path:
    (root / "pyproject.toml").write_text(table)
    (root / "pkg").mkdir(exist_ok=True)
    (root / "pkg" / "__init__.py").write_text("")
    return root


def snapshot_with_items() -> store.Snapshot:
    items = [store.StoredItem("ruff:E501", "pkg/a.py", "abc", 3, 120.0, "pkg/a.py:3: E501 long")]
    return store.Snapshot(
        gates={
            "debt": store.GateFigure(120.0, "2.0m", items=items),
            "coverage": store.GateFigure(
                50.0, "50%", files={"pkg/a.py": {"units": 10, "missing": 5}}
            ),
        },
        sources={"pkg/a.py": "0" * 64},
        tools={"ruff": "0.17.6"},
        written="2026-11-23T00:00:00+00:00",
        commit="a" * 40,
        loosened=[{"date": "2026-11-23", "reason": "why", "gates": ["debt"]}],
    )


def test_a_baseline_reads_back_as_written(tmp_path: Path) -> None:
    snapshot = snapshot_with_items()
    store.save(tmp_path, snapshot)
    text = (tmp_path / ".healthgate" / "baseline.toml").read_text()
    assert text.startswith("# pytest-healthgate baseline")
    loaded = store.load(tmp_path)
    assert loaded == snapshot


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (lambda text: text.replace("format = 1", "format = 2"), "format"),
        (lambda text: text.replace("value = 120.0", 'value = "lots"'), "gates.debt.value"),
        (lambda text: text.replace("line = 3", "line = 3.5"), "line"),
        (lambda text: text.replace("cost = 120.0", "cost = nan"), "cost"),
        (lambda text: text.replace('rule = "ruff:E501"', "rule = 1"), "rule"),
        (lambda text: text.replace('commit = "', 'partial = 3\ncommit = "'), "partial"),
        (lambda text: text[: len(text) // 2] + "[[[", "cannot be read"),
    ],
)
def test_a_damaged_baseline_is_refused_naming_the_field_and_the_fix(
    tmp_path: Path, change: object, named: str
) -> None:
    store.save(tmp_path, snapshot_with_items())
    path = tmp_path / ".healthgate" / "baseline.toml"
    assert callable(change)
    path.write_text(change(path.read_text()))
    with pytest.raises(store.BaselineError) as caught:
        store.load(tmp_path)
    assert named in str(caught.value)
    assert "healthgate baseline --update" in str(caught.value)


def test_no_baseline_is_none(tmp_path: Path) -> None:
    assert store.load(tmp_path) is None


def test_the_ratchet_table_reads_tolerances_in_each_gates_unit(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        '[tool.healthgate]\nlegacy = "fail"\n'
        '[tool.healthgate.ratchet]\ncoverage = 0.1\ndebt = "30m"\ncritical = true\n'
        "complexity = true\nduration = false\n",
    )
    settings = load(root, root / "pyproject.toml")
    assert settings.ratchet == {"coverage": 0.1, "debt": 1800.0, "critical": 0.0, "complexity": 0.0}
    assert settings.legacy == "fail"


@pytest.mark.parametrize(
    ("table", "named"),
    [
        ("[tool.healthgate.ratchet]\ncoverag = 0.1\n", "coverage"),
        ('[tool.healthgate.ratchet]\ndebt = "30 parsecs"\n', "debt"),
        ('[tool.healthgate.ratchet]\ncomplexity = "B"\n', "complexity"),
        ("[tool.healthgate.ratchet]\ncoverage = -1\n", "coverage"),
        ("[tool.healthgate]\nratchet = 3\n", "ratchet"),
        ('[tool.healthgate]\nlegacy = "sometimes"\n', "legacy"),
    ],
)
def test_a_bad_ratchet_table_is_a_usage_error_naming_the_key(
    tmp_path: Path, table: str, named: str
) -> None:
    root = project(tmp_path, table)
    with pytest.raises(ConfigError) as caught:
        load(root, root / "pyproject.toml")
    assert named in str(caught.value)


def item(path: str, line: int, rule: str = "ruff:E501", cost: float = 60.0) -> Item:
    return Item(rule, path, line, cost, f"{path}:{line}")


def test_items_are_matched_by_their_line_not_its_number_and_found_again_when_moved(
    tmp_path: Path,
) -> None:
    (tmp_path / "a.py").write_text("x = 1\nlong_line = 2\nlong_line = 2\n")
    lines = SourceLines(tmp_path)
    before = [stored(item("a.py", 2), lines), stored(item("a.py", 3), lines)]
    # Two lines inserted above, and one of the two equal lines moved to b.py.
    (tmp_path / "a.py").write_text("import os\nimport re\nx = 1\n    long_line  =  2\n")
    (tmp_path / "b.py").write_text("long_line = 2\n")
    lines = SourceLines(tmp_path)
    now = [item("a.py", 4), item("b.py", 1), item("b.py", 1, rule="ruff:F401")]
    pairs, fixed = match_items(now, before, lines)
    matched = [(found.path, old is not None) for found, old in pairs]
    assert matched == [("a.py", True), ("b.py", True), ("b.py", False)]
    assert fixed == 0


def test_a_fixed_item_is_counted_and_equal_lines_count_once_each(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("y = 1\ny = 1\n")
    lines = SourceLines(tmp_path)
    before = [stored(item("a.py", 1), lines), stored(item("a.py", 2), lines)]
    pairs, fixed = match_items([item("a.py", 1)], before, lines)
    assert [old is not None for _found, old in pairs] == [True]
    assert fixed == 1
    # Three equal findings where the baseline had two: one is new.
    (tmp_path / "a.py").write_text("y = 1\ny = 1\ny = 1\n")
    lines = SourceLines(tmp_path)
    now = [item("a.py", 1), item("a.py", 2), item("a.py", 3)]
    pairs, _fixed = match_items(now, before, lines)
    assert sum(old is None for _found, old in pairs) == 1


def test_fingerprints_ignore_whitespace_but_not_the_rule() -> None:
    assert normalised("  a  =   1  ") == "a = 1"
    assert fingerprint("ruff:E501", "a = 1") != fingerprint("ruff:E711", "a = 1")
    assert fingerprint("ruff:E501", normalised("a =  1")) == fingerprint("ruff:E501", "a = 1")


def test_changed_lines_come_from_git_since_the_baseline_commit(tmp_path: Path) -> None:
    def git(*args: str) -> str:
        return subprocess.run(
            ["git", "-c", "user.email=a@b.c", "-c", "user.name=a", *args],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()

    git("init", "-q")
    (tmp_path / "m.py").write_text("a = 1\nb = 2\nc = 3\n")
    git("add", "m.py")
    git("commit", "-qm", "one")
    commit = git("rev-parse", "HEAD")
    (tmp_path / "m.py").write_text("a = 1\nnew = 0\nb = 2\nc = 4\nd = 5\n")
    assert changed_lines(tmp_path, commit, "m.py") == {2, 4, 5}
    assert changed_lines(tmp_path, None, "m.py") is None
    assert changed_lines(tmp_path, "f" * 40, "m.py") is None  # unknown commit: cannot tell


def test_line_ranges_are_short() -> None:
    assert _ranges([9, 3, 4, 5, 7]) == "3-5, 7, 9"
    assert _ranges(range(1, 100, 2)).endswith(", ...")


@pytest.mark.parametrize(
    ("value", "unit", "written"),
    [
        (720_000.0, Unit.DURATION, "200h"),
        (900.0, Unit.DURATION, "15m"),
        (2.0, Unit.DURATION, "2s"),
        (0.35, Unit.DURATION, "350ms"),
        (500_000_000.0, Unit.SIZE, "500MB"),
        (1234.0, Unit.SIZE, 1234),
        (80.0, Unit.PERCENT, 80),
        (83.2, Unit.PERCENT, 83.2),
        (4.0, Unit.RANK, "D"),
        (0.0, Unit.COUNT, 0),
    ],
)
def test_init_writes_bounds_that_read_back_as_the_same_value(
    value: float, unit: Unit, written: object
) -> None:
    assert config_text(value, unit) == written
    assert parse(written, unit) == pytest.approx(value)
