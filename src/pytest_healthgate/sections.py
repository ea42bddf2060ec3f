"""Extra configuration tables beside ``gates``: ``[tool.healthgate.<name>]``.

Each entry maps a table name to its Options; config.py validates them with the
same rules as the top level and ``HealthgateConfig.section(name)`` returns the
values with defaults filled in. The configuration reference is generated from
this table too.
"""

from __future__ import annotations

from pytest_healthgate.schema import (
    DEFAULT_LEVEL_MINUTES,
    Option,
    boolean,
    duration,
    level_minutes,
    minutes_table,
    minutes_value,
    project_paths,
    regex,
    strings,
    text,
    unit,
    whole_number,
)
from pytest_healthgate.units import Unit

# Sane maximums: beyond them a value is a typo, and would hang the run or
# overflow a timer rather than do what was meant.
ONE_DAY = 24 * 3600.0
MAX_JOBS = 256
MAX_SAMPLES = 100

SECTIONS: dict[str, dict[str, Option]] = {
    "docstrings": {
        "minutes": Option(
            "a number of minutes from 0 to 1000000",
            minutes_value,
            0.0,
            "Remediation minutes of each public name without a docstring, counted in "
            "debt; 0 (the default) leaves docstrings out of debt.",
        ),
    },
    "dead_code": {
        "enabled": Option(
            "true or false",
            boolean,
            False,
            "Count vulture's findings as debt (needs pytest-healthgate[dead-code]).",
        ),
        "min_confidence": Option(
            "a whole number from 0 to 100",
            whole_number(0, 100),
            80,
            "The lowest confidence (vulture's, in %) a finding needs to count.",
        ),
        "minutes": Option(
            "a number of minutes from 0 to 1000000",
            minutes_value,
            5.0,
            "Remediation minutes of each dead-code finding.",
        ),
    },
    "vulnerabilities": {
        "requirements": Option(
            "a list of paths relative to the project root",
            project_paths,
            (),
            "Requirement files for pip-audit to audit; without them, the environment the run uses.",
        ),
        "max_age": Option(
            'a duration such as "7d", above 0 and at most "365d"',
            duration(365 * ONE_DAY),
            7 * ONE_DAY,
            "How old the last successful audit may be to stand in when pip-audit cannot "
            "reach PyPI's vulnerability service (the details say it was reused).",
        ),
        "timeout": Option(
            'a duration such as "5m", above 0 and at most "1d"',
            duration(ONE_DAY),
            300.0,
            "How long pip-audit may run.",
        ),
    },
    "sarif": {
        "files": Option(
            "a list of paths relative to the project root",
            project_paths,
            (),
            "SARIF 2.1.0 files of other tools whose results count as findings (gate "
            "`external`), in `debt` and, for `error` level, in `critical`.",
        ),
        "minutes": Option(
            "a table of SARIF level = minutes",
            level_minutes,
            DEFAULT_LEVEL_MINUTES,
            "Remediation minutes of a result by its level.",
        ),
        "rule_minutes": Option(
            "a table of rule id (or TOOL/rule id) = minutes",
            minutes_table,
            {},
            "Remediation minutes by rule, overriding its level's.",
        ),
    },
    "duplication": {
        "min_lines": Option(
            "a whole number from 2 to 1000",
            whole_number(2, 1000),
            6,
            "The fewest similar lines that make a clone (symilar's `--duplicates`).",
        ),
        **{
            f"ignore_{what}": Option(
                "true or false",
                boolean,
                True,
                f"Whether symilar leaves {what} out when it compares lines.",
            )
            for what in ("comments", "docstrings")
        },
        # Off by default: symilar parses every file with astroid to find imports and
        # signatures, which takes it from 1.6 s to 22 s on Django (docs/performance.md).
        **{
            f"ignore_{what}": Option(
                "true or false",
                boolean,
                False,
                f"Whether symilar leaves {what} out when it compares lines (slow: "
                "symilar then parses every file with astroid).",
            )
            for what in ("imports", "signatures")
        },
    },
    "new_code": {
        "base": Option(
            "a git ref, such as origin/main",
            text,
            "",
            "What a branch is compared with for the new-code gates (`new_coverage`, "
            "`new_debt`, `new_complexity`): its merge base with HEAD. Setting it (or "
            "`--healthgate-diff=REF`) turns those gates on, with fail bounds 80 %, 0 "
            "and 0 unless written.",
        ),
        "min_lines": Option(
            "a whole number from 0",
            whole_number(0),
            5,
            "A change with fewer new statements skips `new_coverage`, with the reason.",
        ),
    },
    "changelog": {
        "paths": Option(
            "a list of paths or globs relative to the project root",
            project_paths,
            ("CHANGELOG*", "CHANGES*", "HISTORY*", "NEWS*", "changelog.d/", "newsfragments/"),
            "What counts as the changelog for `healthgate-changelog`: files, globs, or "
            "folders of news fragments (anything staged below them counts).",
        ),
        "skip": Option(
            "a regular expression",
            regex,
            r"\[skip changelog\]",
            "A commit message matching this pattern needs no changelog entry.",
        ),
        "exempt": Option(
            "a list of paths or globs relative to the project root",
            project_paths,
            (),
            "Measured source files whose changes never need a changelog entry.",
        ),
    },
    "structure": {
        "required": Option(
            "a list of paths or globs relative to the project root",
            project_paths,
            ("README*", "LICENSE*"),
            "Files and folders the project must have (`structure` gate). A glob matches "
            "without regard to case (`README*` finds `readme.rst`); an entry ending in `/` "
            'must be a folder, such as `"tests/"`.',
        ),
    },
    "debt": {
        "mypy": Option("true or false", boolean, False, "Run mypy and count each error as debt."),
        "markers": Option(
            "a list of words",
            strings,
            ("TODO", "FIXME", "HACK", "XXX"),
            "Comment markers that count as debt.",
        ),
        "minutes": Option(
            "a table of rule code or prefix = minutes (from 0 to 1000000)",
            minutes_table,
            {},
            "Remediation minutes per finding, overriding the defaults by rule code or prefix.",
        ),
        "cost_per_line": Option(
            'a duration such as "30m", above 0 and at most "1d"',
            duration(ONE_DAY),
            30 * 60.0,
            "Development cost of one line of code, for the debt ratio.",
        ),
        "marker_reference": Option(
            "a regular expression",
            regex,
            r"\(#\d+\)",
            "A marker whose comment matches this pattern is tracked elsewhere (default: an "
            "issue reference such as `TODO(#123)`): it is no finding and costs no debt, in "
            "`pytest --healthgate`, `healthgate check` and every hook alike.",
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
            f"a whole number >= 0 and <= {MAX_JOBS}",
            whole_number(0, MAX_JOBS),
            0,
            "Worker processes for the analysis; 0 means one per available core.",
        ),
        "timeout": Option(
            'a duration such as "10m", above 0 and at most "1d"',
            duration(ONE_DAY),
            10 * 60.0,
            "Time the static analysis and each tool run may take before it is killed "
            "and its gates are ERROR.",
        ),
    },
    "imports": {
        "samples": Option(
            f"a whole number >= 1 and <= {MAX_SAMPLES}",
            whole_number(1, MAX_SAMPLES),
            5,
            "Fresh interpreters per package; best wins.",
        ),
        "timeout": Option(
            'a duration such as "60s", above 0 and at most "1d"',
            duration(ONE_DAY),
            60.0,
            "Time one import may take before it is killed and reported as ERROR.",
        ),
        "keep": Option(
            'a duration such as "1h", at most "1d"; "0s" measures every run',
            duration(ONE_DAY, zero=True),
            60 * 60.0,
            "How long a package's figures are kept and used again while its code, "
            "interpreter and installed packages are unchanged (the report says so).",
        ),
    },
}

# Tables read by a hook rather than a collector (``healthgate-changelog``).
HOOK_TABLES = ("changelog",)
