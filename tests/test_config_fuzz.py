"""Invalid [tool.healthgate] tables, generated: always a ConfigError naming the key.

Each generated configuration has exactly one problem, and the test knows where:
loading it must raise ``ConfigError`` whose message names that table and key -
never another exception (OverflowError, TypeError, RecursionError...).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_healthgate.builtin import builtin_catalogue
from pytest_healthgate.cli import main as healthgate
from pytest_healthgate.config import TOP_LEVEL, ConfigError, load
from pytest_healthgate.declared import KEYS as METRIC_KEYS
from pytest_healthgate.sections import SECTIONS
from pytest_healthgate.units import Unit

T = "tool.healthgate"
CATALOGUE = builtin_catalogue()
GATES = sorted(CATALOGUE.metrics)
Case = tuple[dict[str, Any], str]  # the [tool.healthgate] table, what its error names

names = st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True)
huge = st.integers(min_value=10**309, max_value=10**1000) | st.integers(
    max_value=-(10**309), min_value=-(10**1000)
)
not_finite = st.sampled_from([math.nan, math.inf, -math.inf])
scalars = st.one_of(
    st.integers(-(10**6), 10**6), st.floats(allow_nan=True), st.text(max_size=8), st.booleans()
)
junk = st.one_of(
    scalars,
    huge,
    st.lists(scalars, max_size=3),
    st.dictionaries(names, scalars, max_size=2),
)


def unknown(known: list[str]) -> st.SearchStrategy[str]:
    return names.filter(lambda name: name not in known)


def not_strings() -> st.SearchStrategy[object]:
    """Anything but a list of strings."""
    return st.one_of(scalars, huge, st.dictionaries(names, scalars, max_size=2)) | st.lists(
        scalars, min_size=1, max_size=3
    ).filter(lambda items: not all(isinstance(item, str) for item in items))


def not_boolean() -> st.SearchStrategy[object]:
    return st.one_of(st.integers(), st.floats(), st.text(max_size=5), st.lists(st.booleans()))


def bad_count(low: int, high: int) -> st.SearchStrategy[object]:
    return st.one_of(
        st.integers(max_value=low - 1),
        st.integers(min_value=high + 1),
        huge,
        st.floats(),
        st.booleans(),
        st.text(max_size=5),
    )


BAD_DURATION = st.one_of(
    st.sampled_from(["0s", "0ms", 0, 0.0, "2d", "100h", 86401, "5", "5 parsecs", "fast", "-1s"]),
    st.integers(max_value=-1),
    not_finite,
    huge,
    st.booleans(),
    st.lists(st.integers(), max_size=2),
)
BAD_MINUTES = st.one_of(
    st.floats(max_value=-0.001),
    st.floats(min_value=1_000_001),
    not_finite,
    huge,
    st.text(max_size=5),
    st.booleans(),
    st.lists(st.integers(), max_size=2),
)
BAD_BY_UNIT: dict[Unit, st.SearchStrategy[object]] = {
    Unit.PERCENT: st.one_of(
        st.floats(min_value=100.001, allow_infinity=False, allow_nan=False),
        st.floats(max_value=-0.001),
        st.sampled_from(["80ms", "80 percent", "101%", "-5%"]),
    ),
    Unit.DURATION: st.one_of(st.integers(max_value=-1), st.sampled_from(["5", "5 parsecs", "1y"])),
    Unit.SIZE: st.one_of(st.floats(max_value=-0.001), st.sampled_from(["5 bananas", "1TB?"])),
    Unit.COUNT: st.one_of(st.sampled_from([1.5, "3x", "three"]), st.integers(max_value=-1)),
    Unit.RANK: st.one_of(st.sampled_from(["G", "AB", "", "a+"]), st.integers(), st.floats()),
    Unit.NUMBER: st.one_of(st.text(max_size=5), st.lists(st.integers(), max_size=2)),
}
COMMON_BAD_BOUND = st.one_of(not_finite, huge, st.booleans(), st.dictionaries(names, scalars))

# Not a list of strings, or a path that leaves the project (absolute, "..", blank).
BAD_PROJECT_PATHS = not_strings() | st.lists(
    st.sampled_from(["../LICENSE", "/etc/passwd", "docs/../../x", " ", ""]), min_size=1, max_size=2
)

OPTION_BAD: dict[str, st.SearchStrategy[object]] = {
    "mypy": not_boolean(),
    "include_tests": not_boolean(),
    "markers": not_strings(),
    # Bad both as a table (debt, sarif) and as one number (dead_code).
    "minutes": st.one_of(
        st.text(max_size=8),
        st.booleans(),
        BAD_MINUTES,
        st.dictionaries(names, BAD_MINUTES, min_size=1, max_size=2),
    ),
    "enabled": not_boolean(),
    "min_confidence": bad_count(0, 100),
    "cost_per_line": BAD_DURATION,
    "timeout": BAD_DURATION,
    "marker_reference": st.one_of(st.sampled_from(["(", "[a-", "*x", "a{2,1}"]), st.integers()),
    "allowed_complexity": BAD_BY_UNIT[Unit.RANK] | COMMON_BAD_BOUND,
    "required": BAD_PROJECT_PATHS,
    "paths": BAD_PROJECT_PATHS,
    "exempt": BAD_PROJECT_PATHS,
    "skip": st.one_of(st.sampled_from(["(", "[a-", "*x", "a{2,1}"]), st.integers()),
    "base": st.one_of(st.integers(), st.booleans(), st.lists(st.text(max_size=3), max_size=2)),
    "min_lines": st.one_of(
        st.integers(max_value=-1), st.floats(), st.booleans(), st.text(max_size=5)
    ),
    **{
        f"ignore_{what}": not_boolean()
        for what in ("comments", "docstrings", "imports", "signatures")
    },
    "files": BAD_PROJECT_PATHS,
    "requirements": BAD_PROJECT_PATHS,
    "max_age": BAD_DURATION,
    "rule_minutes": st.one_of(
        scalars, st.dictionaries(names, BAD_MINUTES, min_size=1, max_size=2)
    ).filter(lambda value: not isinstance(value, dict) or bool(value)),
    "jobs": bad_count(0, 256),
    "samples": bad_count(1, 100),
    # A duration like the others, except that zero is allowed ("0s": keep nothing).
    "keep": BAD_DURATION.filter(lambda value: value not in ("0s", "0ms", 0, 0.0)),
}


@st.composite
def top_level_case(draw: st.DrawFn) -> Case:
    key = draw(st.sampled_from(sorted(TOP_LEVEL)))
    if key == "default_gates":
        bad = not_boolean()
    else:
        bad = not_strings() | st.just([]) if key == "source" else not_strings()
    return {key: draw(bad)}, f"[{T}] {key} = "


@st.composite
def unknown_key_case(draw: st.DrawFn) -> Case:
    known = [*TOP_LEVEL, "gates", "metrics", "plugins", *SECTIONS]
    key = draw(unknown(known))
    return {key: draw(junk)}, f"[{T}] {key} = "


@st.composite
def section_case(draw: st.DrawFn) -> Case:
    section = draw(st.sampled_from(sorted(SECTIONS)))
    options = SECTIONS[section]
    choice = draw(st.sampled_from(["unknown", "value", "not a table"]))
    if choice == "not a table":
        value = draw(scalars | st.lists(scalars, max_size=2))
        return {section: value}, f"[{T}] {section} = "
    if choice == "unknown":
        key = draw(unknown(list(options)))
        return {section: {key: draw(junk)}}, f"[{T}.{section}] {key} = "
    key = draw(st.sampled_from(sorted(options)))
    return {section: {key: draw(OPTION_BAD[key])}}, f"[{T}.{section}] {key} = "


def bad_bound(unit: Unit) -> st.SearchStrategy[object]:
    return BAD_BY_UNIT[unit] | COMMON_BAD_BOUND


@st.composite
def gate_case(draw: st.DrawFn) -> Case:
    name = draw(st.sampled_from(GATES))
    spec = CATALOGUE.metrics[name]
    table = f"{T}.gates.{name}"
    choice = draw(
        st.sampled_from(["unknown gate", "not a table", "unknown key", "bound", "empty", "sides"])
    )
    if choice == "unknown gate":
        other = draw(unknown(GATES))
        return {"gates": {other: {"fail": 1}}}, f"[{T}.gates] {other} = "
    if choice == "not a table":
        value = draw(scalars.filter(lambda v: v is not False) | st.lists(scalars, max_size=2))
        return {"gates": {name: value}}, f"[{T}.gates] {name} = "
    if choice == "unknown key":
        key = draw(unknown(["fail", "warn", "paths"]))
        return {"gates": {name: {key: draw(junk)}}}, f"[{table}] {key} = "
    if choice == "bound":
        key = draw(st.sampled_from(["fail", "warn"]))
        return {"gates": {name: {key: draw(bad_bound(spec.unit))}}}, f"[{table}] {key} = "
    if choice == "empty":
        return {"gates": {name: {}}}, f"[{table}] sets no bound"
    return {"gates": {name: wrong_sides(spec.unit, spec.direction.value)}}, f"[{table}] warn = "


def wrong_sides(unit: Unit, better: str) -> dict[str, object]:
    """Valid bounds with warn on the failing side of fail."""
    low, high = {
        Unit.PERCENT: (10, 20),
        Unit.DURATION: ("1s", "2s"),
        Unit.SIZE: ("1MB", "2MB"),
        Unit.COUNT: (1, 2),
        Unit.RANK: ("B", "C"),
        Unit.NUMBER: (1, 2),
    }[unit]
    return {"fail": high, "warn": low} if better == "higher" else {"fail": low, "warn": high}


@st.composite
def floor_case(draw: st.DrawFn) -> Case:
    table = f"{T}.gates.coverage"
    if draw(st.booleans()):
        value = draw(scalars | st.lists(scalars, max_size=2))
        return {"gates": {"coverage": {"fail": 1, "paths": value}}}, f"[{table}] paths = "
    glob = draw(st.from_regex(r"src/[a-z]{1,6}/\*\*", fullmatch=True))
    floor = draw(bad_bound(Unit.PERCENT))
    return {"gates": {"coverage": {"paths": {glob: floor}}}}, f"[{table}.paths] {glob} = "


@st.composite
def metric_case(draw: st.DrawFn) -> Case:
    name = draw(names.filter(lambda n: n not in CATALOGUE.metrics))
    table = f"{T}.metrics.{name}"
    valid: dict[str, object] = {"better": "higher"}
    choice = draw(
        st.sampled_from(["bad name", "gate name", "no better", "choice", "unknown", "bound"])
    )
    if choice == "bad name":
        bad = draw(st.from_regex(r"[0-9-][a-z0-9-]{0,6}", fullmatch=True))
        return {"metrics": {bad: valid}}, f"[{T}.metrics.{bad}]: a metric name"
    if choice == "gate name":
        gate = draw(st.sampled_from(GATES))
        return {"metrics": {gate: valid}}, f"[{T}.metrics.{gate}]: {gate} is already a gate"
    if choice == "no better":
        return {"metrics": {name: {"aggregate": "mean"}}}, f"[{table}] needs better"
    if choice == "choice":
        key = draw(st.sampled_from(["better", "aggregate", "unit"]))
        value = draw(junk.filter(lambda v: v not in ("higher", "lower", "mean", "number")))
        return {"metrics": {name: {**valid, key: value}}}, f"[{table}] {key} = "
    if choice == "unknown":
        key = draw(unknown(list(METRIC_KEYS)))
        return {"metrics": {name: {**valid, key: draw(junk)}}}, f"[{table}] {key} = "
    bound = draw(bad_bound(Unit.NUMBER))
    return {"metrics": {name: {**valid, "fail": bound}}}, f"[{table}] fail = "


@st.composite
def plugin_case(draw: st.DrawFn) -> Case:
    name = draw(names)
    return {"plugins": {name: {}}}, f"[{T}.plugins.{name}]"


invalid_configs = st.one_of(
    top_level_case(),
    unknown_key_case(),
    section_case(),
    gate_case(),
    floor_case(),
    metric_case(),
    plugin_case(),
)


def write_config(root: Path, table: dict[str, Any]) -> Path:
    pyproject = root / "pyproject.toml"
    pyproject.write_text(tomli_w.dumps({"tool": {"healthgate": table}}))
    return pyproject


@pytest.fixture(scope="module")
def fuzz_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=invalid_configs)
def test_every_invalid_configuration_is_a_config_error_naming_its_key(
    fuzz_root: Path, case: Case
) -> None:
    table, names_the_key = case
    pyproject = write_config(fuzz_root, table)
    with pytest.raises(ConfigError) as caught:
        load(fuzz_root, pyproject, CATALOGUE)
    message = str(caught.value)
    assert message.startswith(f"{pyproject}: ")
    assert names_the_key in message, (table, message)


# A handful of them through the real entry points: usage errors, never a traceback.
THROUGH_ENTRY_POINTS = [
    pytest.param("[tool.healthgate.debt.minutes]\nlint = nan\n", id="NaN minutes"),
    pytest.param('[tool.healthgate.debt]\ncost_per_line = "0s"\n', id="zero cost per line"),
    pytest.param(
        "[tool.healthgate.gates]\ncritical = { fail = 1" + "0" * 400 + " }\n",
        id="integer beyond float range",
    ),
    pytest.param("[tool.healthgate.imports]\nsamples = 100000\n", id="absurd samples"),
    pytest.param("[tool.healthgate]\nsource = []\n", id="empty source"),
]


@pytest.mark.parametrize("toml", THROUGH_ENTRY_POINTS)
def test_invalid_configurations_stop_pytest_and_the_command_as_usage_errors(
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    toml: str,
) -> None:
    pytester.makepyprojecttoml(toml)
    pytester.makepyfile(test_x="def test_x():\n    open('ran', 'w').close()\n")
    result = pytester.runpytest_subprocess("--healthgate")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "healthgate:" in result.stderr.str()
    assert "Traceback" not in result.stdout.str() + result.stderr.str()
    assert not (pytester.path / "ran").exists()
    monkeypatch.chdir(pytester.path)
    assert healthgate(["check"]) == 2
    err = capsys.readouterr().err
    assert "healthgate check:" in err
    assert "Traceback" not in err
