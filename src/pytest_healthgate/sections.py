"""Extra configuration tables beside ``gates``: ``[tool.healthgate.<name>]``.

Each entry maps a table name to its Options; config.py validates them with the
same rules as the top level and ``HealthgateConfig.section(name)`` returns the
values with defaults filled in. The configuration reference is generated from
this table too.
"""

from __future__ import annotations

from pytest_healthgate.schema import (
    Option,
    boolean,
    minutes_table,
    regex,
    strings,
    unit,
    whole_number,
)
from pytest_healthgate.units import Unit

SECTIONS: dict[str, dict[str, Option]] = {
    "debt": {
        "mypy": Option("true or false", boolean, False, "Run mypy and count each error as debt."),
        "markers": Option(
            "a list of words",
            strings,
            ("TODO", "FIXME", "HACK", "XXX"),
            "Comment markers that count as debt.",
        ),
        "minutes": Option(
            "a table of rule code or prefix = minutes",
            minutes_table,
            {},
            "Remediation minutes per finding, overriding the defaults by rule code or prefix.",
        ),
        "cost_per_line": Option(
            'a duration such as "30m"',
            unit(Unit.DURATION),
            30 * 60.0,
            "Development cost of one line of code, for the debt ratio.",
        ),
        "marker_reference": Option(
            "a regular expression",
            regex,
            r"\(#\d+\)",
            "A new marker whose comment matches this pattern is allowed by the "
            "healthgate-markers hook (default: an issue reference such as `TODO(#123)`).",
        ),
        "allowed_complexity": Option(
            'a rank letter from "A" to "F"',
            unit(Unit.RANK),
            2.0,
            "Worst cyclomatic-complexity rank that carries no debt; each point above "
            "its ceiling costs the `complexity` minutes. Default B (complexity 10).",
        ),
        "include_tests": Option(
            "true or false",
            boolean,
            False,
            "Analyse test files and test directories found under the source too.",
        ),
        "jobs": Option(
            "a whole number >= 0",
            whole_number(0),
            0,
            "Worker processes for the analysis; 0 means one per available core.",
        ),
        "timeout": Option(
            'a duration such as "10m"',
            unit(Unit.DURATION),
            10 * 60.0,
            "Time the static analysis and each tool run may take before it is killed "
            "and its gates are ERROR.",
        ),
    },
    "imports": {
        "samples": Option(
            "a whole number >= 1", whole_number(1), 5, "Fresh interpreters per package; best wins."
        ),
        "timeout": Option(
            'a duration such as "60s"',
            unit(Unit.DURATION),
            60.0,
            "Time one import may take before it is killed and reported as ERROR.",
        ),
    },
}
