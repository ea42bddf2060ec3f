"""bandit's scan on the tree the analysis parsed gives bandit's own issues, file by file.

bandit is the reference: each file is scanned as ``BanditManager.run_tests`` scans
it (bandit reads and parses the file itself) and through ``scan_parsed`` on the
tree ``read_python`` made, and the issues (test, severity, confidence, line,
text) and errors must be equal. The corpora are real code: a share of the
standard library's top level and two of its packages, this project's source,
and the installed bandit; plus hand-written files for bandit's whole-file test,
coding cookies, a byte-order mark and ``# nosec`` comments.
"""

from __future__ import annotations

import sysconfig
import warnings
from pathlib import Path

import pytest

from pytest_healthgate.collect.static.analysers import file_analyser
from pytest_healthgate.collect.static.analysers.file_analyser import FileAnalyser
from pytest_healthgate.collect.static.results import SecurityIssue, SourceProblem
from pytest_healthgate.collect.static.source import read_python

ROOT = Path(__file__).resolve().parents[1]
STDLIB = Path(sysconfig.get_paths()["stdlib"])
PURELIB = Path(sysconfig.get_paths()["purelib"])
SHARES = 4  # the corpus in parts, so the runs spread over the workers

HAND_WRITTEN = {
    "bidi.py": "# the whole-file test B613\ns = 'abc\u202edef'\n".encode(),
    "latin.py": b"# -*- coding: latin-1 -*-\nimport pickle\nname = '\xe9'\npickle.loads(name)\n",
    "bom.py": b"\xef\xbb\xbfimport subprocess\nsubprocess.call('ls', shell=True)\n",
    "crlf.py": b"import os\r\nos.system('ls')\r\nexec('1')\r\n",
    "nosec.py": b"import os\nos.system('a')  # nosec\nos.system('b')  # nosec B605\n",
    "mentions_nosec.py": b"'''nosec in a docstring'''\nimport os\nos.system('a')\n",
    "clean.py": b"def f(x):\n    return x + 1\n",
}


def _corpus() -> list[Path]:
    files = sorted(STDLIB.glob("*.py"))[::3]  # every third: bandit is slow
    for package in ("json", "email"):
        files += sorted((STDLIB / package).rglob("*.py"))
    files += sorted((ROOT / "src").rglob("*.py"))
    files += sorted((PURELIB / "bandit").rglob("*.py"))
    return files


Scanned = tuple[tuple[SecurityIssue, ...], dict[str, str]]


def _both_ways(analyser: FileAnalyser, path: Path) -> tuple[Scanned, Scanned] | None:
    """bandit's own scan of the file and the scan of the analysis's tree; None: no Python."""
    data = path.read_bytes()
    parsed = read_python(data, str(path))
    if isinstance(parsed, SourceProblem):
        return None
    nosec = "nosec" in parsed.text
    own: dict[str, str] = {}
    given: dict[str, str] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = analyser._security(path, nosec, own, str(path))
        ours = analyser._security(path, nosec, given, str(path), (data, parsed.tree))
    return (theirs, own), (ours, given)


@pytest.fixture(scope="module")
def analyser() -> FileAnalyser:
    analyser = FileAnalyser((), None, ("bandit",))
    with warnings.catch_warnings():  # as the analysis imports it: bandit's own warnings
        warnings.simplefilter("ignore")
        setup = analyser.bandit_setup()
    assert setup is not None, analyser._bandit_problem
    # The installed bandit is the one this suite proves; a new one must be added here.
    assert setup.takes_tree, "bandit's version is not in TREE_PROVEN_BANDIT"
    return analyser


@pytest.mark.parametrize("share", range(SHARES))
def test_the_tree_scan_gives_bandits_issues_on_real_code(
    analyser: FileAnalyser, share: int
) -> None:
    compared = issues = 0
    for path in _corpus()[share::SHARES]:
        both = _both_ways(analyser, path)
        if both is None:
            continue
        theirs, ours = both
        assert ours == theirs, path
        compared += 1
        issues += len(theirs[0])
    assert compared > 40
    assert issues > 10  # the corpus has findings to compare, not only clean files


def test_the_tree_scan_gives_bandits_issues_on_awkward_files(
    analyser: FileAnalyser, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scanned: list[str] = []
    real = file_analyser.scan_parsed

    def counting(manager: object, name: str, data: bytes, tree: object) -> None:
        scanned.append(Path(name).name)
        real(manager, name, data, tree)  # type: ignore[arg-type]

    monkeypatch.setattr(file_analyser, "scan_parsed", counting)
    found = {}
    for name, content in HAND_WRITTEN.items():
        (tmp_path / name).write_bytes(content)
        both = _both_ways(analyser, tmp_path / name)
        assert both is not None, name
        theirs, ours = both
        assert ours == theirs, name
        found[name] = {issue.test_id for issue in ours[0]}
    assert found["bidi.py"] == {"B613"}
    assert found["latin.py"] == {"B403", "B301"}
    assert found["bom.py"] == {"B404", "B602", "B607"}
    assert found["crlf.py"] == {"B605", "B607", "B102"}
    # Silenced by bandit's own reading of the comments: all of line 2, B605 of line 3.
    assert found["nosec.py"] == {"B607"}
    assert found["clean.py"] == set()
    # Files that mention nosec are left to bandit, which reads their comments itself.
    assert "nosec.py" not in scanned
    assert "mentions_nosec.py" not in scanned
    assert "bidi.py" in scanned


def test_a_test_that_raises_skips_the_file_as_bandit_does(
    analyser: FileAnalyser, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bandit.core import tester

    path = tmp_path / "risky.py"
    path.write_bytes(b"import os\nos.system('ls')\n")

    def broken(self: object, context: object, test_set: str) -> object:
        raise RuntimeError("a plugin broke")

    monkeypatch.setattr(tester.BanditTester, "run_tests", broken)
    both = _both_ways(analyser, path)
    assert both is not None
    theirs, ours = both
    assert ours == theirs
    assert ours[1] == {"bandit": f"bandit could not scan {path}: exception while scanning file"}
