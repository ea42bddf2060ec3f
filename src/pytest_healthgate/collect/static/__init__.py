"""Static gates: technical debt, debt ratio, rating, complexity and critical issues.

Findings come from ruff, radon, bandit, comment markers and (opt-in) mypy; see
``docs/debt.md``. ``collector`` is the gates' collector; ``engine`` analyses.

This package's own import loads nothing: a commit hook imports only the modules
it uses (``remediation``, ``engine``), not the collector framework.
"""
