"""The one-pass raw metrics give radon.raw.analyze's figures, file by file.

radon is the reference: each text is counted by ``radon.raw.analyze`` and by the
single pass (``_one_pass``, asserted to have been taken, not the fallback), and
the two namedtuples must be equal. The corpora are real code: every module of
the standard library's top level and of a few of its packages, this project's
source and tests, and the installed radon, bandit and coverage packages.
"""

from __future__ import annotations

import io
import sys
import sysconfig
import tokenize
from pathlib import Path

import pytest
from radon.raw import Module, analyze

from pytest_healthgate.collect.static import raw_metrics
from pytest_healthgate.collect.static.raw_metrics import OTHER_LINE_BREAKS, _one_pass
from pytest_healthgate.collect.static.results import SourceProblem
from pytest_healthgate.collect.static.source import read_python

ROOT = Path(__file__).resolve().parents[1]
STDLIB = Path(sysconfig.get_paths()["stdlib"])
PURELIB = Path(sysconfig.get_paths()["purelib"])
STDLIB_PACKAGES = ("json", "email", "asyncio", "importlib", "logging", "unittest", "xml")

TRICKY = {
    "empty": "",
    "blank lines only": "\n\n   \n\t\n",
    "no final newline": "x = 1",
    "whitespace last line": "x = 1\n   ",
    "comments": "# one\n  # two\nx = 1  # three\n",
    "docstrings": '"""Module."""\n\n\ndef f():\n    """Two\n\n    lines."""\n    return 1\n',
    "string statements": "'one'\n'''a\n\nb'''\nx = '''c\nd'''\n'''e''' # f\n",
    "semicolons": "a = 1; b = 2;\nif a: b = 3; c = {1: 2}\nx = 1;  # c\n",
    "colons": "y = d[1:2]\nf = lambda v: v\nclass A: pass\nif x:  # c\n    pass\n"
    "z: int = 3\nwhile (n := 1): break\n",
    "brackets": "x = [\n    1,\n\n    # inside\n    2,\n]\ncall(a,\n     b)  # end\n",
    "continuations": "x = 1 + \\\n    2\ny = 'a' \\\n    'b'\nassert x, \\\n  'm'\n",
    "string continuation": "s = 'abc\\\n   def'\nt = 1\n",
    "f-strings": "name = 1\ns = f'{name!r:>10}: {name}'\nt = f'''{name}\n  {name:{name}}'''\n",
    "decorators and async": "@dec\n@dec2(1)\nasync def f():\n    await g()\n"
    "    async with a: pass\n",
    "nested blocks": "for i in r:\n    if i:\n        continue\n    else:\n        break\n"
    "try:\n    x\nexcept E as e:  # why\n    raise\nfinally: pass\n",
    "comment after dedent": "def f():\n    return 1\n# trailing\n\n# more\n",
    "match": "match p:\n    case [x, y]:\n        pass\n    case {'k': v}: pass\n",
    "unicode": "# é\nnamé = '日本'  # 注\n",
}


def _corpus() -> list[Path]:
    files = sorted(STDLIB.glob("*.py"))
    for package in STDLIB_PACKAGES:
        files += sorted((STDLIB / package).rglob("*.py"))
    files += sorted((ROOT / "src").rglob("*.py")) + sorted((ROOT / "tests").rglob("*.py"))
    for package in ("radon", "bandit", "coverage"):
        files += sorted((PURELIB / package).rglob("*.py"))
    return files


def _comment_tokens(text: str) -> list[tuple[int, str]]:
    tokens = tokenize.generate_tokens(io.StringIO(text).readline)
    return [(token.start[0], token.string) for token in tokens if token.type == tokenize.COMMENT]


def _radon(text: str) -> Module | str:
    try:
        return analyze(text)
    except Exception as exc:  # radon fails on some valid code: the pass must then fall back
        return type(exc).__name__


def _counted(text: str) -> Module | None:
    counted = _one_pass(text)
    if counted is None:
        return None
    module: Module = counted.counts.as_module()
    return module


@pytest.mark.parametrize("name", sorted(TRICKY))
def test_each_shape_is_counted_as_radon_counts_it(name: str) -> None:
    text = TRICKY[name]
    compile(text, name, "exec")  # the shapes are valid Python, as analysed files are
    counted = _counted(text)
    assert counted is not None, "the single pass fell back to radon"
    assert counted == analyze(text)


def test_a_real_corpus_is_counted_as_radon_counts_it_file_by_file() -> None:
    compared = fallen_back = 0
    differ = []
    for path in _corpus():
        parsed = read_python(path.read_bytes(), str(path))
        if isinstance(parsed, SourceProblem):
            continue  # not Python this interpreter parses: never counted
        text = parsed.text
        expected = _radon(text)
        if OTHER_LINE_BREAKS.search(text):
            assert raw_metrics.raw_metrics(text) == expected or isinstance(expected, str)
            fallen_back += 1
            continue
        counted = _counted(text)
        if counted is None:
            fallen_back += 1
            continue
        compared += 1
        if counted != expected:
            differ.append(f"{path}: radon {expected}, one pass {counted}")
        if raw_metrics.raw_metrics_and_comments(text)[1] != _comment_tokens(text):
            differ.append(f"{path}: the comments kept are not the tokenizer's")
    assert not differ, "\n".join(differ[:10])
    # The comparison is of the single pass, not of radon with itself.
    assert compared > 500
    assert fallen_back < compared // 50


def test_other_line_breaks_and_carriage_returns_are_left_to_radon() -> None:
    for text in ("x = 1\r\ny = 2\r\n", "x = 1\ry = 2\n", "x = 1\n\x0c\ny = 2\n"):
        assert raw_metrics.raw_metrics(text) == analyze(text)
    # radon splits this string at U+2028 and then fails: so must the figures.
    text = "s = 'a\u2028b'\n"
    with pytest.raises(SyntaxError):
        analyze(text)
    with pytest.raises(SyntaxError):
        raw_metrics.raw_metrics(text)


def test_an_unproven_python_version_is_counted_by_radon(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    monkeypatch.setattr(raw_metrics, "PROVEN_VERSIONS", frozenset({(2, 7)}))
    monkeypatch.setattr(raw_metrics, "_one_pass", calls.append)
    text = TRICKY["semicolons"]
    assert raw_metrics.raw_metrics(text) == analyze(text)
    assert calls == []
    assert sys.version_info[:2] != (2, 7)


def test_the_marker_scan_finds_the_same_markers_in_the_passs_comments() -> None:
    from pytest_healthgate.collect.static.analysers.file_analyser import (
        find_markers,
        marker_pattern,
    )

    markers = ("TODO", "FIXME", "HACK", "XXX")
    pattern = marker_pattern(markers)
    text = (
        '"""TODO in a docstring is no marker."""\n'
        "x = 1  # TODO: one\n"
        "s = '# FIXME in a string'\n"
        "# hack: two\n"
        "call(a,  # XXX three\n"
        "     b)\n"
    )
    _, comments = raw_metrics.raw_metrics_and_comments(text)
    assert comments is not None
    found = find_markers(text, pattern, markers, comments)
    assert [(hit.line, hit.word) for hit in found] == [(2, "TODO"), (4, "HACK"), (5, "XXX")]
    assert found == find_markers(text, pattern, markers)
