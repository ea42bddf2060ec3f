"""The debt ratio and the rating count the debt other collectors add to ``debt``.

Missing docstrings priced in ``[tool.healthgate.docstrings] minutes`` are a part
of the debt measured by interrogate, not by the static analysis; the ratio and
the rating are figures of the whole debt, so they must move with it.
"""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from pytest_healthgate.cli import main
from pytest_healthgate.collect.static.remediation import RATINGS, debt_ratio, rating

# Three public functions without docstrings, and one TODO for the static analysis.
MODULE = '''\
"""Shapes."""


def area(size):
    # TODO: negative sizes
    return size * size


def perimeter(size):
    return 4 * size


def diagonal(size):
    return size * 2**0.5
'''


def project(root: Path, minutes: float | None) -> Path:
    table = textwrap.dedent(
        """
        [tool.healthgate]
        default_gates = false
        source = ["src/pkg"]

        [tool.healthgate.gates]
        debt_ratio = { fail = 100 }
        rating = { fail = "E" }
        """
    )
    if minutes is not None:
        table += f"\n[tool.healthgate.docstrings]\nminutes = {minutes}\n"
    (root / "pyproject.toml").write_text(table)
    package = root / "src" / "pkg"
    package.mkdir(parents=True, exist_ok=True)
    (package / "__init__.py").write_text('"""The package."""\n')
    (package / "shapes.py").write_text(MODULE)
    return root


def check_json(
    root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> dict[str, Any]:
    monkeypatch.chdir(root)
    main(["check", "--format", "json", "--no-cache"])
    document: dict[str, Any] = json.loads(capsys.readouterr().out)
    return document


def metric(document: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(m for m in document["metrics"] if m["name"] == name)
    return found


def test_ratio_and_rating_count_the_docstring_debt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    alone = check_json(project(tmp_path, None), monkeypatch, capsys)
    static = metric(alone, "debt_ratio")["extra"]
    lines, per_line = static["lines_of_code"], static["cost_per_line_minutes"]
    assert static["debt_minutes"] > 0  # the TODO
    assert metric(alone, "rating")["value"] == RATINGS.index(static["rating"]) + 1

    priced = check_json(project(tmp_path, 30), monkeypatch, capsys)
    ratio, graded = metric(priced, "debt_ratio"), metric(priced, "rating")
    whole = static["debt_minutes"] + 3 * 30  # area, perimeter, diagonal
    expected = round(debt_ratio(whole, lines, per_line), 1)
    assert ratio["value"] == expected
    assert ratio["extra"]["debt_minutes"] == whole
    assert ratio["extra"]["parts_minutes"] == 90
    assert graded["value"] == RATINGS.index(rating(expected)) + 1
    assert graded["extra"]["debt_ratio"] == expected
    # The parts moved the rating, not only the ratio: the test would see a stale one.
    assert graded["value"] > metric(alone, "rating")["value"]


def test_a_part_that_cannot_be_measured_leaves_them_without_a_figure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # interrogate cannot be uninstalled from the shared environment for one test:
    # a None entry in sys.modules makes its import fail as a missing one does.
    monkeypatch.setitem(sys.modules, "interrogate", None)
    document = check_json(project(tmp_path, 30), monkeypatch, capsys)
    for name in ("debt_ratio", "rating"):
        gate = metric(document, name)
        assert gate["verdict"] == "ERROR"
        assert gate["reason"].startswith("docstrings: interrogate is not installed")
