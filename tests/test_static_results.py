"""The typed shapes of the analysis cross JSON unchanged, and foreign JSON is refused."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pytest_healthgate.collect.static.results import (
    AnalysisResult,
    FileResult,
    FunctionComplexity,
    LintFinding,
    MarkerHit,
    SecurityIssue,
    ShapeError,
    SkippedFile,
    SourceProblem,
    TypingError,
    analysis_from_json,
    analysis_to_json,
    file_result_from_json,
    file_result_to_json,
    lint_from_json,
)

RESULT = AnalysisResult(
    root="/project",
    entries=("pkg",),
    files={
        "pkg/a.py": FileResult(
            lines=12,
            functions=(FunctionComplexity("Thing.method", 3, 4, "A"),),
            mi=71.5,
            mi_rank="A",
            markers=(MarkerHit(7, "TODO", "# TODO: later"),),
            security=(SecurityIssue("B602", "HIGH", "HIGH", 9, "shell"),),
        ),
        "pkg/bad.py": FileResult(lines=2, error=SourceProblem(1, "does not parse: oops")),
    },
    lint={"pkg/a.py": (LintFinding("F401", 1, "unused"),), "pkg/bad.py": ()},
    types=(TypingError("pkg/a.py", 4, "assignment", "incompatible"),),
    errors={"scope": "source not found: gone"},
    skipped=(SkippedFile("pkg/loop", "symlink loop; not followed"),),
    tools={"ruff": "ruff 0.5.0", "mypy": None},
    cache={"files": {"hits": 1, "misses": 1, "discarded": 1}},
    jobs=2,
    seconds=0.25,
)


def test_an_analysis_survives_the_trip_through_the_result_file() -> None:
    document = json.loads(json.dumps(analysis_to_json(RESULT)))
    assert analysis_from_json(document) == RESULT


def test_a_file_result_is_stored_as_the_documented_object() -> None:
    stored = file_result_to_json(RESULT.files["pkg/a.py"])
    assert stored == {
        "lines": 12,
        "error": None,
        "functions": [["Thing.method", 3, 4, "A"]],
        "mi": 71.5,
        "mi_rank": "A",
        "markers": [[7, "TODO", "# TODO: later"]],
        "security": [["B602", "HIGH", "HIGH", 9, "shell"]],
    }
    assert file_result_from_json(json.loads(json.dumps(stored))) == RESULT.files["pkg/a.py"]


def stored_file(**changes: Any) -> dict[str, Any]:
    stored = file_result_to_json(RESULT.files["pkg/a.py"])
    stored.update(changes)
    return stored


@pytest.mark.parametrize(
    "value",
    [
        None,
        [],
        stored_file(lines="many"),
        stored_file(functions=[["f", 1, 2]]),
        stored_file(functions=[["f", "1", 2, "A"]]),
        stored_file(markers=[[1, "TODO", None]]),
        stored_file(security="none"),
        stored_file(error=[1]),
        stored_file(mi="high"),
        stored_file(tool_errors={"bandit": "boom"}),
        {key: value for key, value in stored_file().items() if key != "mi"},
    ],
)
def test_a_file_result_of_another_shape_is_refused(value: object) -> None:
    with pytest.raises(ShapeError):
        file_result_from_json(value)


def test_booleans_are_not_line_numbers() -> None:
    with pytest.raises(ShapeError):
        lint_from_json([["E501", True, "long"]])


@pytest.mark.parametrize(
    "change",
    [
        {"format": 99},
        {"files": []},
        {"cache": {"files": {"hits": "all"}}},
        {"skipped": [["only a path"]]},
        {"root": None, "entries": None},
    ],
)
def test_an_analysis_document_of_another_shape_is_refused(change: dict[str, Any]) -> None:
    document = {**analysis_to_json(RESULT), **change}
    with pytest.raises(ShapeError):
        analysis_from_json(document)
