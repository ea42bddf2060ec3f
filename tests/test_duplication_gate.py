"""The duplication gate: pylint's symilar on the source, its own figures and clone pairs."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from pytest_healthgate.collect.duplication import Clone, command, measure_duplication, parse
from pytest_healthgate.collect.lifecycle import CollectorContext
from pytest_healthgate.config import load
from tests.helpers import gate, last_run, write, write_project

ROOT = Path(__file__).resolve().parent.parent
EXACT = {
    "min_lines": 4,
    "ignore_comments": False,
    "ignore_docstrings": False,
    "ignore_imports": False,
    "ignore_signatures": False,
}


def context(root: Path, options: dict[str, object]) -> CollectorContext:
    settings = load(root, root / "pyproject.toml" if (root / "pyproject.toml").is_file() else None)
    return CollectorContext(settings, specs={}, options=options)


def symilar_by_hand(root: Path, arguments: list[str]) -> tuple[int, int, float, list[Clone]]:
    done = subprocess.run(
        [sys.executable, "-m", "pylint.checkers.symilar", *arguments],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    return parse(done.stdout)


def test_this_repository_figures_are_symilars() -> None:
    measured = measure_duplication(context(ROOT, EXACT))
    assert measured.error is None, measured.error
    files = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "src").rglob("*.py"))
    lines, duplicated, percent, clones = symilar_by_hand(ROOT, ["-d", "4", *files])
    assert (measured.extra["lines"], measured.extra["duplicated_lines"]) == (lines, duplicated)
    assert measured.value == percent
    assert duplicated > 0  # the comparison is not on nothing
    assert measured.extra["clones"] == [
        c.label() for c in sorted(clones, key=lambda c: (-c.lines, c.label()))
    ]


BLOCK = """
def total(items):
    result = 0
    for item in items:
        if item > 0:
            result += item
        else:
            result -= item
    return result
"""


def test_a_clone_is_named_by_both_places_and_the_defaults_count_code_only(
    tmp_path: Path,
) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "a.py").write_text('"""A."""\n' + BLOCK)
    (tmp_path / "pkg" / "b.py").write_text("import os\n\nX = os.sep\n" + BLOCK)
    (tmp_path / "pyproject.toml").write_text('[tool.healthgate]\nsource = ["pkg"]\n')
    defaults = {"min_lines": 6}  # comments and docstrings ignored, imports and signatures not
    measured = measure_duplication(context(tmp_path, defaults))
    # The whole function, signature included (the line before it is the blank one).
    assert measured.details[0].label == "pkg/a.py:3-10 ~ pkg/b.py:5-12"
    assert measured.extra["duplicated_lines"] == measured.details[0].value == 8
    files = ["pkg/__init__.py", "pkg/a.py", "pkg/b.py"]
    arguments = command(defaults, files)
    assert arguments[1:] == [
        "-m",
        "pylint.checkers.symilar",
        "-d",
        "6",
        "--ignore-comments",
        "--ignore-docstrings",
        *files,
    ]
    # Signatures left out on request: the clone is one line shorter.
    ignoring = measure_duplication(context(tmp_path, {**defaults, "ignore_signatures": True}))
    assert ignoring.details[0].label == "pkg/a.py:4-10 ~ pkg/b.py:6-12"
    assert ignoring.extra["duplicated_lines"] == 7
    assert measured.value == symilar_by_hand(tmp_path, arguments[3:])[2]


def test_the_zero_config_run_warns_past_three_percent_and_a_written_bound_fails(
    pytester: pytest.Pytester,
) -> None:
    root = write_project(pytester)
    write(pytester, "src/calc/a.py", BLOCK)
    write(pytester, "src/calc/b.py", BLOCK)
    write(pytester, "tests/test_it.py", "def test_it():\n    assert True\n")
    pytester.runpytest_subprocess("--healthgate")
    figure = gate(last_run(root), "duplication")
    assert (figure["verdict"], figure["adopted"]) == ("WARN", False)
    pyproject = root / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text()
        + textwrap.dedent(
            """
            [tool.healthgate.gates]
            duplication = { fail = 3 }
            """
        )
    )
    result = pytester.runpytest_subprocess("--healthgate")
    assert result.ret == 1
    result.stdout.fnmatch_lines(["duplication*FAIL*factor out the clones*"])


def test_without_pylint_it_skips_and_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # An absent package cannot be uninstalled from a shared environment for one test:
    # a None entry in sys.modules makes it look missing, as find_spec sees it.
    monkeypatch.setitem(sys.modules, "pylint", None)
    (tmp_path / "m.py").write_text("X = 1\n")
    measured = measure_duplication(context(tmp_path, {}))
    assert measured.skip_reason == (
        "pylint is not installed; pip install 'pytest-healthgate[duplication]' (pylint's symilar)"
    )


def test_a_tree_already_measured_is_not_measured_again(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "a.py").write_text(BLOCK)
    (tmp_path / "pkg" / "b.py").write_text(BLOCK)
    (tmp_path / "pyproject.toml").write_text('[tool.healthgate]\nsource = ["pkg"]\n')
    first = measure_duplication(context(tmp_path, {"min_lines": 4}))
    assert first.extra["cache"] == {"hits": 0, "misses": 1}
    again = measure_duplication(context(tmp_path, {"min_lines": 4}))
    assert again.extra["cache"] == {"hits": 1, "misses": 0}
    assert (again.value, again.details, again.extra["clones"]) == (
        first.value,
        first.details,
        first.extra["clones"],
    )
    # Other options, or any file changed: symilar runs again, and its figure is the new one.
    other = measure_duplication(context(tmp_path, {"min_lines": 5}))
    assert other.extra["cache"] == {"hits": 0, "misses": 1}
    (tmp_path / "pkg" / "b.py").write_text("X = 1\n")
    changed = measure_duplication(context(tmp_path, {"min_lines": 4}))
    assert changed.extra["cache"] == {"hits": 0, "misses": 1}
    assert changed.value == 0
    unkept = context(tmp_path, {"min_lines": 4})
    unkept.use_cache = False
    assert "cache" not in measure_duplication(unkept).extra
