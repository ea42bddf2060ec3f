"""pytest-healthgate: a project's maintenance playbook as gates in the test run."""

from __future__ import annotations

import sys
from types import ModuleType

__version__ = "0.1.0"


def forget_removed_submodules() -> None:
    """Drop this package's attributes that name submodules ``sys.modules`` no longer holds.

    A test runner that restores ``sys.modules`` after an in-process run (pytester's
    ``runpytest_inprocess``) removes the modules the run imported, but this package,
    imported before, keeps them as attributes. ``from pytest_healthgate import
    pipeline`` would then return the removed copy, whose classes are not those of
    the modules imported afresh: a plugin's ``Unit.COUNT`` would not be the one the
    gates compare with, and its figure would be shown as a size. Called where a
    run starts (a gated session, a ``healthgate`` command), so each run imports afresh.
    """
    package = sys.modules[__name__]
    for name, value in list(vars(package).items()):
        if isinstance(value, ModuleType) and sys.modules.get(value.__name__) is not value:
            delattr(package, name)
