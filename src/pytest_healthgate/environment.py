"""Is this interpreter the project's environment? One line when it is not.

The full gate (``healthgate run``) and the import-time hook need the project and
its dependencies importable by the interpreter they run with. Run from another
environment (a tool installed with pipx, a hosted pre-commit service), they
would print a wall of import errors; this module finds that case and words it
in one line with the two ways out: activate the project's environment, or skip
the hook.

The search path is this interpreter's, the project's folder (the current folder
of ``python -m pytest`` and of the import probes), and the ``pythonpath``
entries of ``[tool.pytest.ini_options]``, as under pytest.
"""

from __future__ import annotations

import importlib.machinery
import sys
import tomllib

from pytest_healthgate.config import HealthgateConfig


def pytest_pythonpath(settings: HealthgateConfig) -> list[str]:
    """The ``pythonpath`` entries of ``[tool.pytest.ini_options]``, absolute."""
    if settings.path is None:
        return []
    try:
        document = tomllib.loads(settings.path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return []
    entries: object = document
    for key in ("tool", "pytest", "ini_options", "pythonpath"):
        # Any level may be something other than a table (`[tool] pytest = "legacy"`).
        entries = entries.get(key) if isinstance(entries, dict) else None
    if isinstance(entries, str):
        entries = entries.split()
    if not isinstance(entries, list):
        return []
    return [str(settings.root / str(entry)) for entry in entries]


def _findable(name: str, search_path: list[str]) -> bool:
    """Whether the top-level package of ``name`` is on ``search_path`` (nothing imported)."""
    try:
        top = name.partition(".")[0]
        return importlib.machinery.PathFinder.find_spec(top, search_path) is not None or (
            top in sys.builtin_module_names
        )
    except (ImportError, ValueError):
        return False


def search_path(settings: HealthgateConfig) -> list[str]:
    """Where pytest, run in the project, would look for the project's packages."""
    return [*pytest_pythonpath(settings), str(settings.root), *sys.path]


def cannot_run(settings: HealthgateConfig, name: str) -> str | None:
    """Why ``name`` cannot run in this interpreter (none of the packages is importable)."""
    packages = list(settings.packages)
    path = search_path(settings)
    if not packages or any(_findable(package, path) for package in packages):
        return None
    return (
        f"{name}: cannot run: {', '.join(packages)} cannot be imported by {sys.executable}; "
        f"run it with the project's environment active (the project and pytest-healthgate "
        f"installed), or skip it (SKIP={name})"
    )
