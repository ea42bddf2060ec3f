"""A project's own metrics: recorded by tests, declared in config, gated like the rest."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_healthgate.collect.recorded import Recording, aggregate, check_recording
from pytest_healthgate.config import ConfigError, load
from tests.helpers import gate, run_with_report, write, write_project

TWENTY = [Recording(f"t{n:02d}", float(n), stamp=100.0 - n) for n in range(1, 21)]


@pytest.mark.parametrize(
    ("how", "expected"),
    [
        ("min", 1.0),
        ("max", 20.0),
        ("sum", 210.0),
        ("mean", 10.5),
        ("p95", 19.0),  # nearest rank: the 19th smallest of 20
        ("last", 1.0),  # t01 was recorded last (largest stamp)
    ],
)
def test_each_aggregate_combines_the_values_as_documented(how: str, expected: float) -> None:
    assert aggregate(how, TWENTY) == expected


def test_the_exact_sum_does_not_depend_on_the_order_of_the_values() -> None:
    values = [Recording(f"t{n}", v, 0) for n, v in enumerate([1e16, 1.0, -1e16, 0.1] * 3)]
    assert aggregate("sum", values) == aggregate("sum", values[::-1]) == pytest.approx(3.3)


@pytest.mark.parametrize(
    ("name", "value", "error"),
    [
        ("fps", "12", TypeError),
        ("fps", True, TypeError),
        ("fps", float("nan"), ValueError),
        ("fps", 10**400, ValueError),
        ("frames per second", 1.0, ValueError),
    ],
)
def test_a_bad_recording_fails_the_test_that_made_it(
    name: str, value: object, error: type[Exception]
) -> None:
    with pytest.raises(error, match="healthgate_record"):
        check_recording(name, value)


TESTS = """
import pytest

AGGREGATES = ("min", "mean", "p95", "sum", "max")

@pytest.mark.parametrize("n", range(12))
def test_frame(healthgate_record, n):
    healthgate_record("fps", 10 + n * 0.1)
    for how in AGGREGATES:
        healthgate_record(f"fps_{how}", 10 + n * 0.1)
    healthgate_record("latency", 0.001 * (n + 1))
"""

DECLARED = """
[tool.healthgate]
default_gates = false  # only the metrics tests record

[tool.healthgate.metrics.fps]
better = "higher"
aggregate = "AGGREGATE"
fail = 10
warn = 10.5

[tool.healthgate.metrics.latency]
better = "lower"
aggregate = "p95"
unit = "duration"
fail = "20ms"
"""
AGGREGATES = ("min", "mean", "p95", "sum", "max")


def declare_every_aggregate() -> str:
    tables = DECLARED.split("[tool.healthgate.metrics.latency]")
    fps = tables[0].split("[tool.healthgate.metrics.fps]")
    per_aggregate = "".join(
        f"[tool.healthgate.metrics.fps_{how}]" + fps[1].replace("AGGREGATE", how)
        for how in AGGREGATES
    )
    return fps[0] + per_aggregate + "[tool.healthgate.metrics.latency]" + tables[1]


def test_every_aggregate_is_exactly_the_same_serially_and_under_xdist(
    pytester: pytest.Pytester,
) -> None:
    write_project(pytester, declare_every_aggregate())
    write(pytester, "tests/test_frames.py", TESTS)
    figures = []
    for args in ([], ["-n", "2"]):
        result, document = run_with_report(pytester, *args)
        assert result.ret == 0, result.stdout.str()
        names = [f"fps_{how}" for how in AGGREGATES] + ["latency"]
        figures.append(
            {
                name: (gate(document, name)["value"], gate(document, name)["verdict"])
                for name in names
            }
        )
        for how in AGGREGATES:
            assert gate(document, f"fps_{how}")["extra"] == {"aggregate": how, "values": 12}
        # Recorded but declared nowhere: reported with its mean and the table to add.
        fps = gate(document, "fps")
        assert (fps["verdict"], fps["value"]) == ("SKIP", pytest.approx(10.55))
        assert "add [tool.healthgate.metrics.fps]" in fps["reason"]
    assert figures[0] == figures[1]
    assert figures[0]["latency"][0] == pytest.approx(0.012)  # p95 of 1..12 ms: the 12th smallest
    assert figures[0]["fps_min"][0] == 10.0
    assert figures[0]["fps_max"][0] == pytest.approx(11.1)


def test_a_metric_past_its_bound_fails_the_run_with_the_worst_tests_listed(
    pytester: pytest.Pytester,
) -> None:
    write_project(
        pytester,
        DECLARED.replace("AGGREGATE", "min")
        .replace("fail = 10\n", "fail = 10.05\n")
        .replace("warn = 10.5", "warn = 11"),
    )
    write(pytester, "tests/test_frames.py", TESTS)
    result, document = run_with_report(pytester, inprocess=True)
    assert result.ret == 1
    result.stdout.fnmatch_lines(
        [
            "fps: tests that recorded fps (worst first)",
            "*10.00  tests/test_frames.py::test_frame[[]0[]]",
            "healthgate: FAIL fps = 10.00: fps 10.00 is below 10.05",
        ]
    )
    assert gate(document, "fps")["verdict"] == "FAIL"


def test_without_healthgate_recording_does_nothing_but_still_checks_values(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        test_rec="""
        import pytest

        def test_ok(healthgate_record):
            healthgate_record("fps", 3)

        def test_bad(healthgate_record):
            with pytest.raises(TypeError):
                healthgate_record("fps", "fast")
        """
    )
    result = pytester.runpytest_inprocess()
    assert result.ret == 0
    assert not (pytester.path / ".healthgate").exists()


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ("[tool.healthgate.metrics.fps]\nfail = 3\n", 'needs better = "higher" or "lower"'),
        (
            '[tool.healthgate.metrics.fps]\nbetter = "up"\n',
            'better = "up": expected one of "higher", "lower"',
        ),
        (
            '[tool.healthgate.metrics.fps]\nbetter = "higher"\naggregate = "median"\n',
            'aggregate = "median": expected one of "min", "max", "mean", "last", "p95", "sum"',
        ),
        (
            '[tool.healthgate.metrics.fps]\nbetter = "higher"\nunit = "furlongs"\n',
            'unit = "furlongs": expected one of',
        ),
        (
            '[tool.healthgate.metrics.fps]\nbetter = "higher"\nfaill = 3\n',
            "Did you mean 'fail'?",
        ),
        (
            '[tool.healthgate.metrics.fps]\nbetter = "higher"\nfail = 10\nwarn = 5\n',
            "warn = 5 is on the wrong side of fail = 10",
        ),
        (
            '[tool.healthgate.metrics.coverage]\nbetter = "higher"\n',
            "coverage is already a gate",
        ),
        (
            '[tool.healthgate.metrics."frames/s"]\nbetter = "higher"\n',
            "a metric name is letters, digits and underscores",
        ),
        (
            '[tool.healthgate.metrics.wait]\nbetter = "lower"\nunit = "duration"\n'
            'fail = "2 fortnights"\n',
            'fail = "2 fortnights"',
        ),
    ],
)
def test_a_bad_metric_declaration_names_the_table_and_the_fix(
    tmp_path: Path, table: str, message: str
) -> None:
    (tmp_path / "pyproject.toml").write_text(table)
    with pytest.raises(ConfigError) as raised:
        load(tmp_path, tmp_path / "pyproject.toml")
    assert message in str(raised.value)
    assert "[tool.healthgate.metrics" in str(raised.value)


CONFTEST_PLUGIN = """
from pytest_healthgate.api import (
    Collector, CollectorSpec, Direction, Measurement, MetricSpec, Option, Unit, whole_number,
)


class Answers(Collector):
    def finish(self):
        return [Measurement("answers", value=float(self.context.options["count"]))]


def pytest_healthgate_register(catalogue):
    catalogue.add(
        CollectorSpec(
            "answers",
            Answers,
            options={"count": Option("a whole number", whole_number(0), 42, "how many")},
        ),
        MetricSpec("answers", Unit.COUNT, Direction.LOWER, "answers", "ask fewer", "answers"),
    )
"""


def test_a_conftest_plugin_adds_a_gate_with_its_own_validated_table(
    pytester: pytest.Pytester,
) -> None:
    write_project(
        pytester,
        "[tool.healthgate]\ndefault_gates = false\n"
        "[tool.healthgate.gates]\nanswers = { fail = 40 }\n"
        "[tool.healthgate.plugins.answers]\ncount = 41\n",
    )
    pytester.makeconftest(CONFTEST_PLUGIN)
    write(pytester, "tests/test_x.py", "def test_x():\n    pass\n")
    result, document = run_with_report(pytester, "-n", "2")
    assert result.ret == 1
    result.stdout.fnmatch_lines(["answers *41 *-*40 *FAIL*"])
    assert gate(document, "answers")["value"] == 41
    broken = pytester.path / "pyproject.toml"
    broken.write_text(broken.read_text().replace("count = 41", "cuont = 41"))
    result, _document = run_with_report(pytester, inprocess=True)
    assert result.ret == 4
    result.stderr.fnmatch_lines(
        ["*[[]tool.healthgate.plugins.answers[]] cuont*Did you mean 'count'?*"]
    )


def test_a_test_cannot_record_a_figure_under_a_gate_healthgate_measures(
    pytester: pytest.Pytester,
) -> None:
    write_project(
        pytester,
        "[tool.healthgate]\ndefault_gates = false\n"
        "[tool.healthgate.gates]\ncoverage = { fail = 90 }\n",
    )
    write(pytester, "src/calc/__init__.py", "def never():\n    return 1\n")
    write(
        pytester,
        "tests/test_hijack.py",
        """
        def test_hijack(healthgate_record):
            healthgate_record("coverage", 100)
        """,
    )
    result, document = run_with_report(pytester)
    assert result.ret == 1
    result.stdout.fnmatch_lines(["*coverage is a gate healthgate measures itself*"])
    assert gate(document, "coverage")["verdict"] == "FAIL"
    assert [m["name"] for m in document["metrics"]].count("coverage") == 1


def test_a_declared_metric_nobody_recorded_is_an_error_and_a_misspelling_is_pointed_out(
    pytester: pytest.Pytester,
) -> None:
    write_project(pytester, DECLARED.replace("AGGREGATE", "min"))
    write(
        pytester,
        "tests/test_typo.py",
        """
        def test_typo(healthgate_record):
            healthgate_record("fsp", 12)
            healthgate_record("latency", 0.001)
        """,
    )
    result, document = run_with_report(pytester, inprocess=True)
    # fps is declared but nobody recorded it: ERROR, never PASS, and the run fails.
    assert result.ret == 1
    assert gate(document, "fps")["verdict"] == "ERROR"
    assert "no test recorded fps" in gate(document, "fps")["reason"]
    assert "did you mean 'fps'?" in gate(document, "fsp")["reason"]
