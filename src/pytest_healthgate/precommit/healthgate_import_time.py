"""``healthgate-import-time``: the gates of the import collector, without tests.

Repository-wide (``pass_filenames: false``). It imports the project's packages in
fresh interpreters, so it must run in the project's own environment, where they
and their dependencies are installed: the manifest declares it ``language:
system``. The search path is this interpreter's, plus the ``pythonpath`` entries
of ``[tool.pytest.ini_options]``, as under pytest. When none of the packages can
be found there (the project's environment is not active), it says so in one line
and fails, rather than printing a table of errors.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from pytest_healthgate import pipeline
from pytest_healthgate.config import HealthgateConfig
from pytest_healthgate.environment import cannot_run, pytest_pythonpath
from pytest_healthgate.precommit import entry

NAME = "healthgate-import-time"
COLLECTOR = "imports"  # the hook judges every gate this collector measures


def run_import_gates(settings: HealthgateConfig) -> int:
    """Measure and judge the import gates; print the table; the exit status."""
    try:
        gates = pipeline.select_gates(
            settings, settings.catalogue.gates_of(COLLECTOR), "import gate"
        )
    except pipeline.NoGateError as exc:
        print(f"{NAME}: {exc}", file=sys.stderr)
        return entry.USAGE_ERROR
    sys.path[:0] = [path for path in pytest_pythonpath(settings) if path not in sys.path]
    problem = cannot_run(settings, NAME)
    if problem is not None:
        print(problem)
        return 1
    result = pipeline.judge_run(
        settings, pipeline.measure(settings, gates), surface="hook", gates=gates
    )
    return pipeline.print_result(result)


def main(argv: Sequence[str] | None = None) -> int:
    help_text = "ignored; every package is timed"
    _files, settings = entry.parse_hook_args(NAME, __doc__, help_text, argv)
    return entry.USAGE_ERROR if settings is None else run_import_gates(settings)


if __name__ == "__main__":
    raise SystemExit(main())
