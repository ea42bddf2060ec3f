"""One file on its own: decoding, parsing, radon figures, debt markers and bandit."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from radon.complexity import add_inner_blocks, cc_rank, cc_visit
from radon.metrics import mi_rank, mi_visit
from radon.raw import analyze
from radon.visitors import Function

from pytest_healthgate.collect.static.analysers.file_analyser import FileAnalyser
from pytest_healthgate.collect.static.results import FileResult, SourceProblem

MARKERS = ("TODO", "FIXME", "HACK", "XXX")


def analyse(tmp_path: Path, source: str | bytes, markers: tuple[str, ...] = MARKERS) -> FileResult:
    path = tmp_path / "mod.py"
    if isinstance(source, str):
        path.write_text(textwrap.dedent(source), encoding="utf-8")
    else:
        path.write_bytes(source)
    outcome = FileAnalyser(markers, None).analyse("mod.py", path)
    assert outcome.tool_errors == {}
    return outcome.result


COMPLEX = """
    import subprocess

    def branchy(a, b):
        def inner(x):
            return 1 if x else 2
        if a and b:
            return 1
        for i in range(a):
            if i % 2 or b:
                continue
        while b:
            b -= 1
        return inner(a)

    class Thing:
        def method(self, value):
            try:
                return value.x
            except AttributeError:
                return None

    def shell(cmd):
        return subprocess.call(cmd, shell=True)
"""


def test_functions_methods_and_closures_carry_radons_own_complexity_and_rank(
    tmp_path: Path,
) -> None:
    result = analyse(tmp_path, COMPLEX)
    expected = sorted(
        [block.fullname, block.lineno, block.complexity, cc_rank(block.complexity)]
        for block in add_inner_blocks(cc_visit(textwrap.dedent(COMPLEX)))
        if isinstance(block, Function)
    )
    assert sorted(list(function) for function in result.functions) == expected
    names = {function.name for function in result.functions}
    assert names == {"branchy", "branchy.inner", "Thing.method", "shell"}


def test_maintainability_index_and_lines_are_radons(tmp_path: Path) -> None:
    source = textwrap.dedent(COMPLEX)
    result = analyse(tmp_path, COMPLEX)
    assert result.mi == pytest.approx(mi_visit(source, multi=True))
    assert result.mi_rank == mi_rank(mi_visit(source, multi=True))
    assert result.lines == analyze(source).sloc


def test_bandit_findings_carry_test_id_severity_confidence_and_line(tmp_path: Path) -> None:
    result = analyse(tmp_path, COMPLEX)
    codes = {(issue.test_id, issue.severity, issue.line) for issue in result.security}
    assert ("B602", "HIGH", 24) in codes
    assert ("B404", "LOW", 2) in codes


def test_markers_count_in_comments_but_not_in_strings_or_docstrings(tmp_path: Path) -> None:
    result = analyse(
        tmp_path,
        '''
        """TODO: this docstring is not debt."""
        text = "FIXME inside a string is not debt"
        # TODO: real debt
        value = 1  # hack around the thing
        # todoist is a word, not a marker
        # XXX
        ''',
    )
    assert [(hit.line, hit.word) for hit in result.markers] == [
        (4, "TODO"),
        (5, "HACK"),
        (7, "XXX"),
    ]
    assert result.markers[0].text == "# TODO: real debt"


def test_configured_markers_replace_the_defaults(tmp_path: Path) -> None:
    result = analyse(tmp_path, "# TODO: no\n# NOTE(debt): yes\n", markers=("NOTE(debt)",))
    assert [hit.word for hit in result.markers] == ["NOTE(debt)"]


def test_a_file_that_does_not_parse_is_an_error_with_its_line(tmp_path: Path) -> None:
    result = analyse(tmp_path, "x = 1\n\ndef broken(:\n    pass\n")
    assert result.error is not None
    assert result.error.line == 3
    assert result.error.message.startswith("does not parse")
    assert result.functions == ()
    assert result.lines == 3


def test_a_file_that_is_not_utf8_is_an_error_naming_the_line_and_byte(tmp_path: Path) -> None:
    result = analyse(tmp_path, b"x = 1\ny = '\xff\xfe'\n")
    assert result.error == SourceProblem(2, "cannot be decoded as utf-8: byte 0xff is not valid")


def test_a_file_that_declares_its_encoding_is_read_in_it(tmp_path: Path) -> None:
    source = "# -*- coding: latin-1 -*-\nname = 'caf\xe9'  # TODO: rename\n".encode("latin-1")
    result = analyse(tmp_path, source)
    assert result.error is None
    assert [hit.word for hit in result.markers] == ["TODO"]


def test_a_file_with_a_null_byte_is_an_error_not_a_crash(tmp_path: Path) -> None:
    result = analyse(tmp_path, b"x = 1\x00\n")
    assert result.error is not None
    assert result.error.message.startswith("does not parse")


def test_an_empty_file_has_no_findings_and_full_maintainability(tmp_path: Path) -> None:
    result = analyse(tmp_path, "")
    assert result.error is None
    assert result.lines == 0
    assert result.functions == result.markers == result.security == ()
    assert result.mi == 100.0
