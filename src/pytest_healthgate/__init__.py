"""pytest-healthgate: a project's maintenance playbook as gates in the test run."""

from __future__ import annotations

__version__ = "0.1.0"
