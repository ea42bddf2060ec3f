"""What every hook's ``main`` starts with: its arguments and the project's settings.

Every hook takes, through ``args:`` in ``.pre-commit-config.yaml``:

* ``--config PATH``: the pyproject.toml to read (its folder is the project root);
  default: for the file hooks, each file's nearest pyproject.toml with a
  ``[tool.healthgate]`` table; for the repository hooks, the nearest one at or
  above the current folder;
* ``--version``: print the hook's name and pytest-healthgate's version.

A hook listed in ``GATE_OPTIONS`` also takes ``--GATE BOUND``, the gate's fail
bound for this run, read like ``[tool.healthgate.gates]`` (``healthgate-complexity
--complexity C``) and applied as ``pytest --healthgate-fail GATE=BOUND`` is.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pytest_healthgate import __version__
from pytest_healthgate.config import (
    ConfigError,
    HealthgateConfig,
    command_line_bounds,
    find_project,
    load,
)

USAGE_ERROR = 2
# hook -> the gates whose fail bound it takes on its command line.
GATE_OPTIONS: dict[str, tuple[str, ...]] = {"healthgate-complexity": ("complexity",)}


@dataclass(frozen=True)
class HookArgs:
    """A hook's command line: the files, ``--config`` and its gates' bounds."""

    filenames: list[str]
    config: Path | None
    bounds: list[str]  # GATE=BOUND fail bounds given as --GATE BOUND

    def settings_for(self, root: Path) -> HealthgateConfig:
        """The settings of the project at ``root`` with this command line's bounds."""
        from pytest_healthgate.builtin import builtin_catalogue

        # The file hooks judge no coverage: coverage.py's settings stay unread. They
        # judge only built-in gates from the static analysis, so installed plugins are
        # not looked for (a scan of every distribution's entry points): gates and
        # tables of plugins are left to the full gate to check.
        settings = load(
            root,
            root / "pyproject.toml",
            builtin_catalogue(),
            plugins_pending=True,
            coverage_settings=False,
        )
        return command_line_bounds(settings, self.bounds, prefix="--", spelled=_spelled)


CONFIG_DEFAULT = {
    True: "each file's nearest pyproject.toml with a [tool.healthgate] table",
    False: "the nearest pyproject.toml at or above the current folder",
}


def read_hook_args(
    name: str,
    description: str | None,
    files_help: str,
    argv: Sequence[str] | None,
    *,
    per_file: bool = False,
) -> HookArgs:
    """``per_file``: a file hook, whose files find their own projects without --config."""
    parser = argparse.ArgumentParser(prog=name, description=description)
    parser.add_argument("filenames", nargs="*", help=files_help)
    parser.add_argument(
        "--config",
        metavar="PATH",
        type=Path,
        help=f"the pyproject.toml to read (default: {CONFIG_DEFAULT[per_file]})",
    )
    parser.add_argument("--version", action="version", version=f"{name} {__version__}")
    gates = GATE_OPTIONS.get(name, ())
    for gate in gates:
        parser.add_argument(
            f"--{gate}",
            metavar="BOUND",
            help=f"the {gate} gate's fail bound, as in [tool.healthgate.gates] "
            f"(overrides the table's)",
        )
    arguments = parser.parse_args(argv)
    given = {gate: getattr(arguments, gate) for gate in gates}
    bounds = [f"{gate}={bound}" for gate, bound in given.items() if bound is not None]
    return HookArgs(list(arguments.filenames), arguments.config, bounds)


def parse_hook_args(
    name: str, description: str | None, files_help: str, argv: Sequence[str] | None
) -> tuple[list[str], HealthgateConfig | None]:
    """The file names pre-commit passed, and the settings; None after printing a config error."""
    hook = read_hook_args(name, description, files_help, argv)
    try:
        settings = _settings(hook.config)
        return hook.filenames, command_line_bounds(
            settings, hook.bounds, prefix="--", spelled=_spelled
        )
    except ConfigError as exc:
        print(f"{name}: {exc}", file=sys.stderr)
        return hook.filenames, None


def _spelled(_side: str, text: str) -> str:
    """``complexity=C`` as the hook's command line wrote it: ``--complexity C``."""
    gate, _, bound = text.partition("=")
    return f"--{gate} {bound}"


def _settings(config: Path | None) -> HealthgateConfig:
    if config is None:
        root, pyproject = find_project(Path.cwd())
        return load(root, pyproject)
    if not config.is_file():
        raise ConfigError(f"--config {config}: no such file; give the path of a pyproject.toml.")
    pyproject = config.resolve()
    return load(pyproject.parent, pyproject)
