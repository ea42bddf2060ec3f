"""A request for part of the tools runs only those, and shares the whole analysis's cache.

Each file hook judges one tool's findings (``TOOLS`` in its module): the markers
hook runs the marker scan alone, the complexity hook radon, the security hook
bandit, the debt hook ruff and radon. These tests check, on real runs of the
engine, that a part's results are exactly the whole analysis's results cut to
that part, computed or read from the cache, and that the part's entries never
stand in for the whole's.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from pytest_healthgate.collect.static.engine import analyse
from pytest_healthgate.collect.static.request import ALL_TOOLS, AnalysisRequest
from pytest_healthgate.collect.static.results import AnalysisResult, part_of
from pytest_healthgate.precommit import (
    healthgate_complexity,
    healthgate_debt,
    healthgate_markers,
    healthgate_security,
)
from tests.test_static_engine import SIMPLE, hide_bandit, project

HOOK_TOOLS = [
    healthgate_markers.TOOLS,
    healthgate_complexity.TOOLS,
    healthgate_security.TOOLS,
    healthgate_debt.TOOLS,
]


def request(
    root: Path, tools: tuple[str, ...] = ALL_TOOLS, *, use_cache: bool = True
) -> AnalysisRequest:
    return AnalysisRequest(root=str(root), entries=("pkg",), tools=tools, use_cache=use_cache)


def cut(whole: AnalysisResult, tools: tuple[str, ...]) -> dict[str, object]:
    return {key: part_of(result, tools) for key, result in whole.files.items()}


def test_the_hooks_parts_are_what_each_hook_judges() -> None:
    assert healthgate_markers.TOOLS == ("markers",)
    assert healthgate_complexity.TOOLS == ("radon",)
    assert healthgate_security.TOOLS == ("bandit",)
    assert healthgate_debt.TOOLS == ("ruff", "radon")


@pytest.mark.parametrize("tools", HOOK_TOOLS, ids="+".join)
def test_a_part_computed_alone_is_the_whole_cut_to_it(
    tmp_path: Path, tools: tuple[str, ...]
) -> None:
    root = project(tmp_path, SIMPLE)
    whole = analyse(request(root, use_cache=False))
    part = analyse(request(root, tools, use_cache=False))
    assert whole.files["pkg/b.py"].security  # there is something to cut away
    assert whole.files["pkg/__init__.py"].markers
    assert part.files == cut(whole, tools)
    assert bool(part.lint) == ("ruff" in tools)
    assert part.lint == (whole.lint if "ruff" in tools else {})
    assert set(part.tools) == {tool for tool in ("ruff", "radon", "bandit") if tool in tools}


@pytest.mark.parametrize("tools", HOOK_TOOLS, ids="+".join)
def test_a_part_reads_the_whole_analysiss_entries(tmp_path: Path, tools: tuple[str, ...]) -> None:
    root = project(tmp_path, SIMPLE)
    whole = analyse(request(root))
    part = analyse(request(root, tools))
    assert part.cache["files"] == {"hits": 3, "misses": 0}
    assert part.files == cut(whole, tools)


def test_a_parts_entries_never_stand_in_for_the_whole(tmp_path: Path) -> None:
    root = project(tmp_path, SIMPLE)
    markers_only = analyse(request(root, ("markers",)))
    assert markers_only.cache["files"] == {"hits": 0, "misses": 3}
    assert analyse(request(root, ("markers",))).cache["files"] == {"hits": 3, "misses": 0}
    whole = analyse(request(root))
    assert whole.cache["files"] == {"hits": 0, "misses": 3}  # computed again, whole
    assert whole.files["pkg/b.py"].security
    assert whole.files["pkg/a.py"].functions


def test_a_part_without_bandit_runs_where_bandit_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project(tmp_path, SIMPLE)
    hide_bandit(monkeypatch)
    whole = analyse(request(root, use_cache=False))
    assert "bandit" in whole.errors
    for tools in (("markers",), ("radon",), ("ruff", "radon")):
        part = analyse(request(root, tools, use_cache=False))
        assert part.errors == {}, tools
        assert part.files == cut(whole, tools)


def test_a_request_keeps_its_tools_across_the_process_boundary(tmp_path: Path) -> None:
    asked = replace(request(tmp_path), tools=("markers",))
    assert AnalysisRequest.from_json(asked.to_json()) == asked
