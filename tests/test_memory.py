"""The memory gate (peak RSS of every process) and per-test allocation limits."""

from __future__ import annotations

import sys
from typing import Any

import pytest

from pytest_healthgate.collect import memory
from pytest_healthgate.config import load
from tests.helpers import collector_context, gate
from tests.helpers import run_with_report as run

XDIST = [pytest.param((), id="serial"), pytest.param(("-n", "2"), id="xdist")]


def make_project(pytester: pytest.Pytester, *, gates: str, tests: str) -> None:
    pytester.makepyprojecttoml(
        f"""
        [tool.pytest.ini_options]
        addopts = ["--strict-markers"]

        [tool.healthgate]
        default_gates = false  # only the gates under test
        source = ["test_project.py"]
        packages = []

        [tool.healthgate.gates]
        {gates}
        """
    )
    pytester.makepyfile(test_project=tests)


@pytest.mark.parametrize("xdist", XDIST)
def test_a_test_over_its_marker_limit_fails_with_the_measured_peak(
    pytester: pytest.Pytester, xdist: tuple[str, ...]
) -> None:
    make_project(
        pytester,
        gates='memory = { fail = "2GB" }',
        tests="""
            import pytest

            @pytest.mark.healthgate_memory("50MB")
            def test_builds_a_big_buffer():
                buffer = bytearray(100 * 1000**2)
                assert len(buffer) == 100 * 1000**2

            @pytest.mark.healthgate_memory("150MB")
            def test_builds_a_big_buffer_within_its_limit():
                buffer = bytearray(100 * 1000**2)
                assert len(buffer) == 100 * 1000**2
            """,
    )
    result, _ = run(pytester, *xdist)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*healthgate: test_project.py::test_builds_a_big_buffer allocated a peak of 10?.?MB "
            "(* bytes) during the call, above its limit of 50.0MB (50,000,000 bytes) set by "
            "@pytest.mark.healthgate_memory('50MB')",
        ]
    )


def test_a_100MB_buffer_reads_a_peak_between_100_and_110MB(pytester: pytest.Pytester) -> None:  # noqa: N802
    make_project(
        pytester,
        gates='test_memory = { fail = "1GB" }',
        tests="""
            def test_builds_a_big_buffer():
                buffer = bytearray(100 * 1000**2)
                del buffer
            """,
    )
    result, document = run(pytester)
    assert result.ret == 0
    test_memory = gate(document, "test_memory")
    peak = test_memory["extra"]["tests"]["test_project.py::test_builds_a_big_buffer"]
    assert 100 * 1000**2 <= peak <= 110 * 1000**2
    assert test_memory["value"] == peak
    assert test_memory["verdict"] == "PASS"


@pytest.mark.parametrize("xdist", XDIST)
def test_the_suite_wide_default_applies_to_unmarked_tests_and_a_marker_overrides_it(
    pytester: pytest.Pytester, xdist: tuple[str, ...]
) -> None:
    make_project(
        pytester,
        gates='test_memory = { fail = "20MB" }',
        tests="""
            import pytest

            def test_unmarked_and_too_big():
                buffer = bytearray(30 * 1000**2)

            @pytest.mark.healthgate_memory("50MB")
            def test_marked_and_allowed():
                buffer = bytearray(30 * 1000**2)

            def test_unmarked_and_small():
                buffer = bytearray(1000)
            """,
    )
    result, document = run(pytester, *xdist)
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*test_unmarked_and_too_big allocated a peak of 30.?MB*set by "
            "[[]tool.healthgate.gates.test_memory[]] fail"
        ]
    )
    test_memory = gate(document, "test_memory")
    peaks = test_memory["extra"]["tests"]
    assert test_memory["verdict"] == "FAIL"
    assert test_memory["value"] == peaks["test_project.py::test_unmarked_and_too_big"]


def test_a_warn_only_default_warns_without_failing_any_test(pytester: pytest.Pytester) -> None:
    make_project(
        pytester,
        gates='test_memory = { warn = "5MB" }',
        tests="""
            def test_somewhat_big():
                buffer = bytearray(10 * 1000**2)
            """,
    )
    result, document = run(pytester)
    assert result.ret == 0
    result.assert_outcomes(passed=1)
    assert gate(document, "test_memory")["verdict"] == "WARN"


def test_a_test_over_its_marker_limit_also_fails_the_test_memory_gate(
    pytester: pytest.Pytester,
) -> None:
    make_project(
        pytester,
        gates='test_memory = { fail = "1GB" }',
        tests="""
            import pytest

            @pytest.mark.healthgate_memory("1MB")
            def test_builds_a_buffer():
                buffer = bytearray(5 * 1000**2)
            """,
    )
    _, document = run(pytester)
    test_memory = gate(document, "test_memory")
    assert test_memory["verdict"] == "FAIL"
    assert "test_builds_a_buffer allocated a peak of 5.0MB" in test_memory["reason"]


def test_tracing_is_on_only_for_tests_under_a_limit(pytester: pytest.Pytester) -> None:
    make_project(
        pytester,
        gates='memory = { fail = "2GB" }',
        tests="""
            import tracemalloc
            import pytest

            def test_without_a_limit():
                assert not tracemalloc.is_tracing()

            @pytest.mark.healthgate_memory("50MB")
            def test_with_a_limit():
                assert tracemalloc.is_tracing()

            def test_after_a_limited_test():
                assert not tracemalloc.is_tracing()
            """,
    )
    result, _ = run(pytester, "-p", "no:randomly")
    result.assert_outcomes(passed=3)


def test_a_failing_test_keeps_its_own_failure(pytester: pytest.Pytester) -> None:
    make_project(
        pytester,
        gates='test_memory = { fail = "1MB" }',
        tests="""
            def test_big_and_wrong():
                buffer = bytearray(5 * 1000**2)
                assert len(buffer) == 1, "the real failure"
            """,
    )
    result, _ = run(pytester)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*AssertionError: the real failure*"])


def test_without_healthgate_the_marker_is_accepted_but_not_enforced(
    pytester: pytest.Pytester,
) -> None:
    make_project(
        pytester,
        gates='memory = { fail = "2GB" }',
        tests="""
            import pytest

            @pytest.mark.healthgate_memory("1MB")
            def test_builds_a_buffer():
                buffer = bytearray(5 * 1000**2)
            """,
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


@pytest.mark.parametrize(
    ("marker", "problem"),
    [
        ('"fifty"', "'fifty' is not a size"),
        ("", "expected exactly one limit"),
        ('"1MB", "2MB"', "expected exactly one limit"),
        ('size="1MB"', "expected exactly one limit"),
        ("-5", "-5 is not a size"),
        ('"5 parsecs"', "'5 parsecs' is not a size"),
    ],
)
def test_a_malformed_marker_is_a_usage_error_naming_the_test(
    pytester: pytest.Pytester, marker: str, problem: str
) -> None:
    make_project(
        pytester,
        gates='memory = { fail = "2GB" }',
        tests=f"""
            import pytest

            @pytest.mark.healthgate_memory({marker})
            def test_with_a_bad_marker():
                pass
            """,
    )
    result, _ = run(pytester)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            f"ERROR: healthgate: test_project.py::test_with_a_bad_marker: "
            f"@pytest.mark.healthgate_memory(*): {problem}*"
        ]
    )


def test_a_malformed_marker_stops_an_xdist_run_naming_the_test(
    pytester: pytest.Pytester,
) -> None:
    # A worker cannot raise a usage error without crashing the run, so the same
    # message arrives as a collection error; the controller makes it exit status 4.
    make_project(
        pytester,
        gates='memory = { fail = "2GB" }',
        tests="""
            import pytest

            @pytest.mark.healthgate_memory("fifty")
            def test_with_a_bad_marker():
                pass

            def test_fine():
                pass
            """,
    )
    result, _ = run(pytester, "-n", "2")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stdout.fnmatch_lines(
        [
            "*healthgate: test_project.py::test_with_a_bad_marker: "
            "@pytest.mark.healthgate_memory('fifty'): 'fifty' is not a size*"
        ]
    )
    result.assert_outcomes(errors=1)


def test_the_marker_can_name_its_limit_and_sit_on_a_class(pytester: pytest.Pytester) -> None:
    make_project(
        pytester,
        gates='memory = { fail = "2GB" }',
        tests="""
            import pytest

            @pytest.mark.healthgate_memory(limit="2MB")
            class TestBuffers:
                def test_small(self):
                    buffer = bytearray(1000)

                def test_big(self):
                    buffer = bytearray(5 * 1000**2)
            """,
    )
    result, _ = run(pytester)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*TestBuffers::test_big allocated a peak of 5.0MB*"])


def test_the_report_lists_the_five_tests_with_the_highest_peak(
    pytester: pytest.Pytester,
) -> None:
    make_project(
        pytester,
        gates='test_memory = { fail = "1GB" }',
        tests="""
            import pytest

            @pytest.mark.parametrize("megabytes", range(1, 8))
            def test_allocates(megabytes):
                buffer = bytearray(megabytes * 1000**2)
            """,
    )
    result, document = run(pytester)
    assert result.ret == 0
    labels = [detail["label"] for detail in gate(document, "test_memory")["details"]]
    assert labels == [f"test_project.py::test_allocates[{n}]" for n in (7, 6, 5, 4, 3)]
    result.stdout.fnmatch_lines(
        ["test_memory: *", "*7.0MB  test_project.py::test_allocates[[]7[]]*"]
    )


@pytest.mark.parametrize(
    ("xdist", "processes"),
    [
        pytest.param((), {"pytest"}, id="serial"),
        pytest.param(("-n", "2"), {"controller", "gw0", "gw1"}, id="xdist"),
    ],
)
def test_session_memory_is_the_largest_process_with_the_sum_beside_it(
    pytester: pytest.Pytester, xdist: tuple[str, ...], processes: set[str]
) -> None:
    make_project(
        pytester,
        gates='memory = { fail = "2GB" }',
        tests="""
            import pytest

            @pytest.mark.parametrize("n", range(4))
            def test_holds_memory(n):
                test_holds_memory.kept = b"x" * (60 * 1000**2)
            """,
    )
    result, document = run(pytester, *xdist)
    assert result.ret == 0
    session = gate(document, "memory")
    peaks = session["extra"]["processes"]
    assert set(peaks) == processes
    assert session["value"] == max(peaks.values())
    assert session["extra"]["sum"] == sum(peaks.values())
    worker_peaks = [peak for name, peak in peaks.items() if name != "controller"]
    assert all(peak >= 60 * 1000**2 for peak in worker_peaks)
    assert session["details"][0]["label"] == f"largest process ({session['extra']['largest']})"


def test_a_session_over_its_memory_budget_fails(pytester: pytest.Pytester) -> None:
    make_project(pytester, gates='memory = { fail = "1MB" }', tests="def test_ok():\n    pass\n")
    result, document = run(pytester)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    assert gate(document, "memory")["verdict"] == "FAIL"
    result.stdout.fnmatch_lines(["healthgate: FAIL memory = *MB: memory *MB is above 1.0MB"])


def test_peak_rss_reads_this_process_on_linux() -> None:
    peak, reason = memory.peak_rss()
    assert reason == ""
    assert peak is not None
    assert peak >= 10 * 1000**2


def test_without_psutil_on_windows_the_memory_gate_skips_with_the_reason(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    # Windows cannot run here: pretend to be Windows without psutil, the case the
    # collector must turn into SKIP rather than a crash.
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setitem(sys.modules, "psutil", None)
    peak, reason = memory.peak_rss()
    assert peak is None
    assert reason == "psutil is not installed and Windows has no resource module"
    (tmp_path / "pyproject.toml").write_text(
        '[tool.healthgate]\ndefault_gates = false\nsource = ["x"]\n'
        '[tool.healthgate.gates]\nmemory = { fail = "1GB" }\n'
    )
    settings = load(tmp_path, tmp_path / "pyproject.toml")
    collector = memory.create(collector_context(settings, "memory"))
    session, _ = collector.finish()
    assert session.skip_reason == f"peak memory cannot be read here: {reason}"
