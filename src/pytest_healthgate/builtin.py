"""The built-in gates and collectors, registered through the same hook as any plugin.

Adding a built-in gate means one ``MetricSpec`` here (and, for a new source of
measurements, one ``CollectorSpec`` and its module under ``collect/``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

from pytest_healthgate.catalogue import CollectorSpec, MetricSpec
from pytest_healthgate.model import Bounds, Direction
from pytest_healthgate.sections import SECTIONS
from pytest_healthgate.units import Unit, parse

if TYPE_CHECKING:
    from pytest_healthgate.catalogue import Catalogue

HIGHER, LOWER = Direction.HIGHER, Direction.LOWER


def playbook(unit: Unit, *, fail: object = None, warn: object = None) -> Bounds:
    """Default-playbook bounds, written as in pyproject.toml; never adopted (see ``Bounds``)."""
    return Bounds(
        fail=None if fail is None else parse(fail, unit),
        warn=None if warn is None else parse(warn, unit),
        adopted=False,
    )


# Tools behind the debt figures: one failing turns these gates into ERROR.
DEBT_TOOLS = frozenset({"scope", "analysis", "ruff", "radon", "bandit", "mypy"})
# Gates of the whole debt: a collector adding findings to it measures a part of each.
DEBT_GATES = ("debt", "debt_ratio", "rating")
DEBT_HINT = "start with the files carrying most debt"
LIMITED_BY_MEMORY = "look at the tests with the highest peak"

COLLECTORS = (
    CollectorSpec(
        "coverage",
        "pytest_healthgate.collect.coverage:create",
        "coverage.py, started before conftest files import the project",
        early=True,
        observes_tests=True,
    ),
    CollectorSpec(
        "outcomes",
        "pytest_healthgate.collect.outcomes:create",
        "pytest's own reports: outcomes, collection errors, durations",
        observes_tests=True,
    ),
    CollectorSpec(
        "static",
        "pytest_healthgate.collect.static.collector:create",
        "ruff, radon, debt markers, bandit and (opt-in) mypy, cached per file content",
        static=True,
        options=SECTIONS["debt"],
        table="debt",
    ),
    CollectorSpec(
        "imports",
        "pytest_healthgate.collect.imports:create",
        "each package imported in fresh interpreters",
        options=SECTIONS["imports"],
        table="imports",
    ),
    CollectorSpec(
        "memory",
        "pytest_healthgate.collect.memory:create",
        "peak RSS of every process; per-test allocation limits",
        observes_tests=True,
        # Created even with no memory gate: it enforces healthgate_memory markers.
        always=True,
    ),
    CollectorSpec(
        "structure",
        "pytest_healthgate.collect.structure:create",
        "required project files and folders, looked for in the project root",
        static=True,
        options=SECTIONS["structure"],
        table="structure",
    ),
    CollectorSpec(
        "new_coverage",
        "pytest_healthgate.collect.new_code:create_new_coverage",
        "the run's coverage of the lines a branch changed (after the coverage data is saved)",
        observes_tests=True,
        options=SECTIONS["new_code"],
        table="new_code",
    ),
    CollectorSpec(
        "new_static",
        "pytest_healthgate.collect.new_code:create_new_static",
        "the static analysis of both sides of a branch's change",
        static=True,
        options=SECTIONS["new_code"],
        table="new_code",
    ),
    CollectorSpec(
        "docstrings",
        "pytest_healthgate.collect.docstrings:create",
        "interrogate's docstring coverage, with [tool.interrogate] as interrogate reads it",
        static=True,
        options=SECTIONS["docstrings"],
        table="docstrings",
        contributes_to=DEBT_GATES,
    ),
    CollectorSpec(
        "contracts",
        "pytest_healthgate.collect.contracts:create",
        "import-linter's contracts, checked on the import graph of the project's files",
        static=True,
    ),
    CollectorSpec(
        "duplication",
        "pytest_healthgate.collect.duplication:create",
        "pylint's symilar on the source files: duplicated lines and clone pairs",
        static=True,
        options=SECTIONS["duplication"],
        table="duplication",
    ),
    CollectorSpec(
        "sarif",
        "pytest_healthgate.collect.sarif_in:create",
        "SARIF 2.1.0 files other tools wrote ([tool.healthgate.sarif] files)",
        static=True,
        options=SECTIONS["sarif"],
        table="sarif",
    ),
    CollectorSpec(
        "vulnerabilities",
        "pytest_healthgate.collect.vulnerabilities:create",
        "pip-audit on the environment (or the listed requirement files)",
        static=True,
        options=SECTIONS["vulnerabilities"],
        table="vulnerabilities",
    ),
    CollectorSpec(
        "dead_code",
        "pytest_healthgate.collect.dead_code:create",
        "vulture's unused code, as debt ([tool.healthgate.dead_code] enabled = true)",
        static=True,
        options=SECTIONS["dead_code"],
        table="dead_code",
        contributes_to=DEBT_GATES,
    ),
    CollectorSpec(
        "score",
        "pytest_healthgate.score:create",
        "the health score, from the other gates' results (docs/score.md)",
    ),
    CollectorSpec(
        "recorded",
        "pytest_healthgate.collect.recorded:create",
        "values tests record with the healthgate_record fixture",
        observes_tests=True,
        # Created even with no metric declared, to report what tests recorded.
        always=True,
    ),
)

METRICS = (
    MetricSpec(
        "coverage",
        Unit.PERCENT,
        HIGHER,
        "Total coverage as `coverage report` prints it (lines, or lines and "
        "branches when coverage.py measures branches).",
        "run `coverage report -m` and cover the files with most missing lines",
        collector="coverage",
        detail_title="files with most missing lines",
        default=playbook(Unit.PERCENT, fail=65, warn=80),
        has_paths=True,
        ratchet=True,
        example="{ fail = 65, warn = 80 }",
    ),
    MetricSpec(
        "pass_rate",
        Unit.PERCENT,
        HIGHER,
        "passed / (passed + failed + errored) over executed tests; skipped "
        "and xfailed tests are left out, xpassed count as passed.",
        "fix the failing tests listed above",
        collector="outcomes",
        default=playbook(Unit.PERCENT, fail=98),
        fails_by_default=True,
        example="{ fail = 98 }",
    ),
    MetricSpec(
        "collection_errors",
        Unit.PERCENT,
        LOWER,
        "Share of test modules that failed to import during collection.",
        "fix the import errors pytest lists under ERRORS",
        collector="outcomes",
        detail_title="test modules that failed to import",
        default=playbook(Unit.PERCENT, fail=10),
        fails_by_default=True,
        example="{ fail = 10 }",
    ),
    MetricSpec(
        "duration",
        Unit.DURATION,
        LOWER,
        "Wall time of the test session.",
        "speed up the slowest tests listed below",
        collector="outcomes",
        detail_title="slowest tests",
        default=playbook(Unit.DURATION, warn="15m"),
        example='{ warn = "15m" }',
    ),
    MetricSpec(
        "debt",
        Unit.DURATION,
        LOWER,
        "Remediation time of all findings (ruff, radon, debt markers, bandit, "
        "mypy when enabled), SQALE-style; see docs/debt.md.",
        DEBT_HINT,
        collector="static",
        needs=DEBT_TOOLS,
        detail_title="files with most debt",
        default=playbook(Unit.DURATION, fail="300h", warn="200h"),
        ratchet=True,
        example='{ fail = "300h", warn = "200h" }',
    ),
    MetricSpec(
        "debt_ratio",
        Unit.PERCENT,
        LOWER,
        "Debt / (lines of code x development cost per line).",
        DEBT_HINT,
        collector="static",
        needs=DEBT_TOOLS,
        detail_title="debt by category",
        default=playbook(Unit.PERCENT, warn=5),
        example="{ fail = 10, warn = 5 }",
    ),
    MetricSpec(
        "rating",
        Unit.RANK,
        LOWER,
        "Maintainability rating A-E from the debt ratio (SonarQube's grid).",
        DEBT_HINT,
        collector="static",
        needs=DEBT_TOOLS,
        detail_title="debt by category",
        default=playbook(Unit.RANK, warn="A"),  # SonarQube's "maintainability rating A"
        example='{ fail = "C", warn = "B" }',
    ),
    MetricSpec(
        "complexity",
        Unit.RANK,
        LOWER,
        "Worst cyclomatic-complexity rank of any function, A-F as radon ranks.",
        "split the most complex functions listed below",
        collector="static",
        needs=frozenset({"scope", "analysis", "radon"}),
        detail_title="most complex functions",
        default=playbook(Unit.RANK, fail="D", warn="C"),
        ratchet=True,
        example='{ fail = "D", warn = "C" }',
    ),
    MetricSpec(
        "critical",
        Unit.COUNT,
        LOWER,
        "High-severity bandit findings and files that do not decode or parse.",
        "fix the critical findings listed below",
        collector="static",
        needs=frozenset({"scope", "analysis", "bandit"}),
        detail_title="critical findings",
        default=playbook(Unit.COUNT, fail=0),
        ratchet=True,
        caps_score=True,
        example="{ fail = 0 }",
    ),
    MetricSpec(
        "import_time",
        Unit.DURATION,
        LOWER,
        "Import time of each package, best of N fresh interpreters.",
        "make heavy imports lazy; see the slowest modules below",
        collector="imports",
        detail_title="best of N and slowest modules (cumulative, with self time)",
        # Each package's figure, then the ten slowest modules behind it.
        details_shown=15,
        default=playbook(Unit.DURATION, fail="2s", warn="1s"),
        example='{ fail = "2s", warn = "1s" }',
    ),
    MetricSpec(
        "import_memory",
        Unit.SIZE,
        LOWER,
        "Peak memory added by importing each package.",
        "make heavy imports lazy",
        collector="imports",
        detail_title="peak memory added by each import",
        default=playbook(Unit.SIZE, warn="100MB"),
        example='{ fail = "100MB" }',
    ),
    MetricSpec(
        "memory",
        Unit.SIZE,
        LOWER,
        "Peak resident memory of the largest process of the test session (the only "
        "one, or the xdist controller or a worker); the sum is shown beside it.",
        LIMITED_BY_MEMORY,
        collector="memory",
        detail_title="peak RSS per process",
        default=playbook(Unit.SIZE, fail="500MB"),
        example='{ fail = "500MB" }',
    ),
    MetricSpec(
        "test_memory",
        Unit.SIZE,
        LOWER,
        "Default per-test peak allocation limit.",
        LIMITED_BY_MEMORY,
        collector="memory",
        detail_title="tests with the highest peak Python allocation",
        example='{ fail = "50MB" }',
    ),
    MetricSpec(
        "structure",
        Unit.COUNT,
        LOWER,
        "Required files and folders ([tool.healthgate.structure] required; by default a "
        "README and a LICENSE) that the project does not have.",
        "add the missing files listed below, or change the list in [tool.healthgate.structure]",
        collector="structure",
        detail_title="missing required files and folders",
        default=playbook(Unit.COUNT, fail=0),
        ratchet=True,
        example="{ fail = 0 }",
    ),
    MetricSpec(
        "new_coverage",
        Unit.PERCENT,
        HIGHER,
        "Coverage of the statements on lines the branch added or changed since its merge "
        "base with [tool.healthgate.new_code] base (or --healthgate-diff=REF).",
        "cover the new lines listed below",
        collector="new_coverage",
        detail_title="new lines the tests did not run",
        details_shown=10,
        may_skip=True,
        example="{ fail = 80 }",
    ),
    MetricSpec(
        "new_debt",
        Unit.DURATION,
        LOWER,
        "Remediation time of the findings the branch adds (moved code is not new).",
        "fix the findings the branch added, listed below",
        collector="new_static",
        needs=DEBT_TOOLS,
        detail_title="findings the branch added",
        details_shown=10,
        example='{ fail = "0s" }',
    ),
    MetricSpec(
        "new_complexity",
        Unit.COUNT,
        LOWER,
        "Functions the branch made more complex to a worse rank, and new functions past "
        "the complexity gate's warn rank.",
        "split the functions listed below",
        collector="new_static",
        needs=frozenset({"scope", "analysis", "radon"}),
        detail_title="functions the branch made worse",
        details_shown=10,
        example="{ fail = 0 }",
    ),
    MetricSpec(
        "docstrings",
        Unit.PERCENT,
        HIGHER,
        "Docstring coverage of the source as interrogate reports it ([tool.interrogate] "
        "respected); needs pytest-healthgate[docstrings].",
        "document the public names of the files listed below",
        collector="docstrings",
        detail_title="files with most undocumented names",
        default=playbook(Unit.PERCENT, fail=80, warn=90),
        ratchet=True,
        has_paths=True,
        example="{ fail = 80, warn = 90 }",
    ),
    MetricSpec(
        "contracts",
        Unit.COUNT,
        LOWER,
        "Broken import-linter contracts ([tool.importlinter]); needs pytest-healthgate[contracts].",
        "run `lint-imports` for the imports that break the contracts listed below",
        collector="contracts",
        detail_title="broken contracts",
        example="{ fail = 0 }",
    ),
    MetricSpec(
        "duplication",
        Unit.PERCENT,
        LOWER,
        "Share of duplicated lines in the source as pylint's symilar counts them (code "
        "only by default); needs pytest-healthgate[duplication].",
        "factor out the clones listed below, largest first",
        collector="duplication",
        detail_title="largest clones",
        default=playbook(Unit.PERCENT, fail=3),
        example="{ fail = 3 }",
    ),
    MetricSpec(
        "external",
        Unit.COUNT,
        LOWER,
        "Results of the SARIF files [tool.healthgate.sarif] lists; on (without bounds) "
        "once files are listed. They also count in debt and, at error level, in critical.",
        "fix the external findings listed below, or raise their tools' baselines",
        collector="sarif",
        detail_title="external findings",
        example="{ fail = 0 }",
    ),
    MetricSpec(
        "vulnerabilities",
        Unit.COUNT,
        LOWER,
        "Known vulnerabilities of the installed dependencies, from pip-audit; needs "
        "pytest-healthgate[audit] and PyPI's vulnerability service (a recent audit "
        "stands in offline).",
        "upgrade the packages listed below to a fixed version",
        collector="vulnerabilities",
        detail_title="vulnerable packages",
        example="{ fail = 0 }",
    ),
    MetricSpec(
        "dead_code",
        Unit.COUNT,
        LOWER,
        "vulture's unused-code findings at or above min_confidence (they count in debt "
        "once [tool.healthgate.dead_code] enabled = true, with or without this gate).",
        "remove the unused code listed below, or whitelist it for vulture",
        collector="dead_code",
        detail_title="unused code",
        example="{ fail = 0 }",
    ),
    MetricSpec(
        "health",
        Unit.NUMBER,
        HIGHER,
        "The health score, 0-100, of the other gates' margins (docs/score.md); off "
        "unless written. With [tool.healthgate.ratchet] health = 0 a change may not "
        "lower it.",
        "raise the gates the score's lines name first",
        collector="score",
        derived=True,
        example="{ fail = 70, warn = 80 }",
    ),
)


# pytest.hookimpl is this marker; pluggy's own keeps pytest unimported outside pytest.
@pluggy.HookimplMarker("pytest")(tryfirst=True)  # built-ins first: they lead every table
def pytest_healthgate_register(catalogue: Catalogue) -> None:
    """Register the built-in collectors and gates."""
    catalogue.add(*COLLECTORS, *METRICS)


def builtin_catalogue() -> Catalogue:
    """The built-in gates alone (the reference in docs/ documents these)."""
    from pytest_healthgate.catalogue import Catalogue

    catalogue = Catalogue()
    pytest_healthgate_register(catalogue)
    return catalogue
