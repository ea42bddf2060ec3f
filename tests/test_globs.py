"""Path globs in configuration: `*` stays in a segment, `**` crosses segments."""

from __future__ import annotations

import pytest

from pytest_healthgate.globs import matches


@pytest.mark.parametrize(
    ("path", "pattern", "expected"),
    [
        ("src/pkg/core/a.py", "src/pkg/core/**", True),
        ("src/pkg/core/deep/b.py", "src/pkg/core/**", True),
        ("src/pkg/corex/a.py", "src/pkg/core/**", False),
        ("src/pkg/a.py", "src/pkg/*.py", True),
        ("src/pkg/sub/a.py", "src/pkg/*.py", False),
        ("src/pkg/sub/test_a.py", "**/test_*.py", True),
        ("test_a.py", "**/test_*.py", True),
        ("src/pkg/legacy/x.py", "src/pkg/legacy", True),
        ("src/pkg/a1.py", "src/pkg/a?.py", True),
        ("src/pkg/a.py", "./src/pkg/a.py", True),
    ],
)
def test_globs_match_project_relative_paths(path: str, pattern: str, expected: bool) -> None:
    assert matches(path, pattern) is expected
