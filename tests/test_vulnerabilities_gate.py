"""The vulnerabilities gate: pip-audit's findings, and never a pass on an audit that did not happen.

pip-audit needs PyPI's vulnerability service. Where it answers, the gate's figure
must equal pip-audit's own count; where it does not (as on this project's CI
machines), pip-audit still exits 0 with every dependency skipped, and the gate
must say it could not audit. The first test asserts whichever of the two this
machine allows, against pip-audit run by hand in the same run. The success path
is also checked everywhere: real pip-audit against a stand-in of the feed
(tests/pypi_standin.py), by hand and through the gate, with the same answer.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

from pytest_healthgate.collect.vulnerabilities import RECORD, measure_vulnerabilities
from tests.pypi_standin import vulnerability_feed

OPTIONS = {"requirements": (), "max_age": 7 * 86400.0, "timeout": 300.0}
VULNERABLE = {
    "dependencies": [
        {
            "name": "oldlib",
            "version": "1.0",
            "vulns": [
                {"id": "PYSEC-2099-1", "fix_versions": ["1.1"], "aliases": [], "description": "x"},
                {"id": "GHSA-xxxx", "fix_versions": [], "aliases": [], "description": "y"},
            ],
        },
        {"name": "fine", "version": "2.0", "vulns": []},
        {"name": "local", "skip_reason": "Dependency not found on PyPI"},
    ],
    "fixes": [],
}


def test_the_figure_is_pip_audits_or_an_error_when_it_audited_nothing(tmp_path: Path) -> None:
    by_hand = subprocess.run(
        [sys.executable, "-m", "pip_audit", "--format", "json", "--progress-spinner", "off"],
        capture_output=True,
        text=True,
        check=False,
    )
    report = json.loads(by_hand.stdout)
    dependencies = report["dependencies"]
    audited = [d for d in dependencies if "skip_reason" not in d]
    measured = measure_vulnerabilities(tmp_path, OPTIONS)
    if audited:  # PyPI answered: the same vulnerabilities
        assert measured.value == sum(len(d.get("vulns", [])) for d in audited)
        assert (tmp_path / ".healthgate" / RECORD).is_file()  # kept for an offline day
    else:  # no network: pip-audit said "No known vulnerabilities found"; we do not
        assert by_hand.returncode == 0
        assert measured.value is None
        assert measured.error == (
            f"pip-audit could audit none of {len(dependencies)} dependencies (PyPI's "
            f"vulnerability service did not answer: no network?); no earlier audit to reuse"
        )


def record(root: Path, days_ago: float) -> None:
    taken = dt.datetime.now(dt.UTC) - dt.timedelta(days=days_ago)
    (root / ".healthgate").mkdir(exist_ok=True)
    (root / ".healthgate" / RECORD).write_text(
        json.dumps({"time": taken.isoformat(), "report": VULNERABLE})
    )


def failing(root: Path) -> dict[str, object]:
    """Options whose audit fails wherever it runs: a requirement file that is not there."""
    return {**OPTIONS, "requirements": ("requirements-that-do-not-exist.txt",)}


def test_a_recent_audit_stands_in_when_pip_audit_fails_and_says_so(tmp_path: Path) -> None:
    record(tmp_path, days_ago=2)
    measured = measure_vulnerabilities(tmp_path, failing(tmp_path))
    assert measured.error is None, measured.error
    assert measured.value == 2
    assert measured.details[0].label.startswith("reused the audit of ")
    assert "pip-audit failed" in measured.details[0].label
    assert (measured.details[1].label, measured.details[1].note) == (
        "oldlib 1.0",
        "PYSEC-2099-1 (fix: 1.1); GHSA-xxxx (fix: none)",
    )
    assert measured.extra["by_severity"] == {"unknown": 2}
    assert measured.extra["skipped"] == ["local"]


@pytest.mark.parametrize(("days_ago", "why"), [(8, "older than max_age"), (None, "no earlier")])
def test_an_old_or_missing_audit_is_an_error_never_a_pass(
    tmp_path: Path, days_ago: float | None, why: str
) -> None:
    if days_ago is not None:
        record(tmp_path, days_ago)
    measured = measure_vulnerabilities(tmp_path, failing(tmp_path))
    assert measured.value is None
    assert measured.error is not None
    assert why in measured.error
    assert measured.error.startswith("pip-audit failed")


def test_without_pip_audit_it_skips_and_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # An absent package cannot be uninstalled from a shared environment for one test:
    # a None entry in sys.modules makes it look missing, as find_spec sees it.
    monkeypatch.setitem(sys.modules, "pip_audit", None)
    measured = measure_vulnerabilities(tmp_path, OPTIONS)
    assert measured.skip_reason == (
        "pip-audit is not installed; pip install 'pytest-healthgate[audit]' (pip-audit)"
    )


def _installed(name: str) -> str:
    from importlib.metadata import version

    return version(name)


FEED = {
    "jsonschema": [
        {
            "id": "PYSEC-2099-10",
            "aliases": ["CVE-2099-10"],
            "fixed_in": ["99.0"],
            "summary": "a schema that runs code",
        },
        {"id": "PYSEC-2099-11", "aliases": [], "fixed_in": [], "details": "no fix\nyet"},
        {"id": "PYSEC-2099-12", "aliases": [], "fixed_in": ["99.1"], "withdrawn": "2099-01-01"},
    ],
    "tomli-w": [{"id": "GHSA-2099-0001", "aliases": [], "fixed_in": ["99.0"], "summary": "s"}],
}


def test_with_a_feed_that_answers_the_figure_is_pip_audits_and_the_audit_is_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # pip-audit runs for real; only PyPI's vulnerability feed is a stand-in
    # (tests/pypi_standin.py says why), answering from FEED.
    (tmp_path / "ca").mkdir()
    project = tmp_path / "project"
    project.mkdir()
    with vulnerability_feed(tmp_path / "ca", FEED) as (environment, queries):
        for key, value in environment.items():
            monkeypatch.setenv(key, value)
        by_hand = subprocess.run(
            [sys.executable, "-m", "pip_audit", "--format", "json", "--progress-spinner", "off"],
            capture_output=True,
            text=True,
            check=False,
        )
        measured = measure_vulnerabilities(project, OPTIONS)
    report = json.loads(by_hand.stdout)
    vulnerable = {d["name"]: d["vulns"] for d in report["dependencies"] if d.get("vulns")}
    assert sorted(vulnerable) == ["jsonschema", "tomli-w"]
    counted = sum(len(vulns) for vulns in vulnerable.values())
    assert counted == 3  # the withdrawn one is not a vulnerability
    assert by_hand.returncode == 1  # pip-audit's own verdict: vulnerabilities found
    assert measured.error is None
    assert measured.value == counted
    assert measured.extra["by_severity"] == {"unknown": counted}
    assert measured.extra["reused"] is False
    audited = [d for d in report["dependencies"] if "skip_reason" not in d]
    assert measured.extra["looked_at"] == {"dependencies audited": len(audited)}
    assert [(d.label, d.value, d.note) for d in measured.details] == [
        (
            f"jsonschema {_installed('jsonschema')}",
            2,
            "PYSEC-2099-10 (fix: 99.0); PYSEC-2099-11 (fix: none)",
        ),
        (f"tomli-w {_installed('tomli-w')}", 1, "GHSA-2099-0001 (fix: 99.0)"),
    ]
    assert any(query.startswith("GET /pypi/jsonschema/") for query in queries)
    assert (project / ".healthgate" / RECORD).is_file()

    # The next day the feed cannot be reached (a proxy that refuses): the kept audit
    # stands in, and the first detail says so.
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("https_proxy", "http://127.0.0.1:9")
    offline = measure_vulnerabilities(project, OPTIONS)
    assert offline.value == counted
    assert offline.extra["reused"] is True
    assert offline.details[0].label.startswith("reused the audit of ")
