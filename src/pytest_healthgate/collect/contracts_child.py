"""``python -m pytest_healthgate.collect.contracts_child CONFIG``: import-linter's verdict as JSON.

Run by the ``contracts`` gate as a child process, with the project's ``src/`` and
root first on ``PYTHONPATH``: grimp finds a root package through the import
system, and in the process that runs the tests the package is usually imported
already - perhaps from an installed copy - so only a fresh interpreter finds
the project's own files. Nothing is imported from them (the graph is read from
the files) and import-linter's cache is not used, so nothing is written.
Prints ``{"broken": [...], "kept": N}`` or ``{"error": "..."}``.
"""

from __future__ import annotations

import json
import sys
from typing import Any


def check(config: str) -> dict[str, Any]:
    from importlinter import configuration
    from importlinter.application import use_cases

    try:
        configuration.configure()
        options = use_cases.read_user_options(config_filename=config)
        # lint-imports registers the contract types this way; import-linter has no
        # public call for it (the tests compare with lint-imports, so a change shows).
        use_cases._register_contract_types(options)
        report = use_cases.create_report(options, cache_dir=None)
    except Exception as exc:
        return {"error": f"import-linter could not check the contracts: {exc}"}
    if report.could_not_run:
        invalid = report.invalid_contract_options.items()
        problems = "; ".join(f"{name}: {exc}" for name, exc in invalid)
        return {"error": f"import-linter: invalid contract options: {problems}"}
    checks = report.get_contracts_and_checks()
    broken = [contract.name for contract, verdict in checks if not verdict.kept]
    return {"broken": broken, "kept": report.kept_count}


if __name__ == "__main__":
    print(json.dumps(check(sys.argv[1])))
