"""``healthgate-import-time``: the import-time (and import-memory) gates without tests.

Repository-wide (``pass_filenames: false``). It imports the project's packages in
fresh interpreters, so it must run in the project's own environment, where they
and their dependencies are installed: the manifest declares it ``language:
system``. The search path is this interpreter's, plus the ``pythonpath`` entries
of ``[tool.pytest.ini_options]``, as under pytest.
"""

from __future__ import annotations

import sys
import tomllib
from collections.abc import Sequence

from pytest_healthgate.config import HealthgateConfig
from pytest_healthgate.gates import evaluate
from pytest_healthgate.pipeline import run_metadata
from pytest_healthgate.precommit import entry
from pytest_healthgate.report import terminal

GATES = ("import_time", "import_memory")


def _pytest_pythonpath(settings: HealthgateConfig) -> list[str]:
    if settings.path is None:
        return []
    try:
        document = tomllib.loads(settings.path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    entries = document.get("tool", {}).get("pytest", {}).get("ini_options", {}).get("pythonpath")
    if isinstance(entries, str):
        entries = entries.split()
    if not isinstance(entries, list):
        return []
    return [str(settings.root / str(entry)) for entry in entries]


def check(settings: HealthgateConfig) -> int:
    from pytest_healthgate.collect.imports import create
    from pytest_healthgate.collect.registry import collector_context

    gates = {name: bounds for name, bounds in settings.gates.items() if name in GATES}
    if not gates:
        print(
            "healthgate-import-time: no import gate is configured; add "
            'import_time = { fail = "2s" } to [tool.healthgate.gates]',
            file=sys.stderr,
        )
        return 2
    sys.path[:0] = [entry for entry in _pytest_pythonpath(settings) if entry not in sys.path]
    collector = create(collector_context(settings, "imports", "imports"))
    collector.start()
    try:
        measured = collector.finish()
    finally:
        collector.close()
    result = evaluate(gates, measured, run_metadata(settings, "hook"))
    for text, _markup in terminal.render(result):
        print(text)
    return 0 if result.ok else 1


def main(argv: Sequence[str] | None = None) -> int:
    help_text = "ignored; every package is timed"
    _files, settings = entry.start("healthgate-import-time", __doc__, help_text, argv)
    return entry.USAGE_ERROR if settings is None else check(settings)


if __name__ == "__main__":
    raise SystemExit(main())
