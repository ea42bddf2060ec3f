"""The analysers' tool versions: the quick reading of a dist-info folder is the library's."""

from __future__ import annotations

import importlib.metadata

from pytest_healthgate.collect.static.analysers import tool_info


def test_every_installed_distribution_reads_as_importlib_metadata_reads_it() -> None:
    names = {dist.metadata["Name"] for dist in importlib.metadata.distributions()}
    assert len(names) > 20  # the test environment: pytest, radon, bandit, ...
    for name in sorted(names):
        assert tool_info.package_version(name) == importlib.metadata.version(name), name
    for name in ("radon", "bandit", "Radon", "import-linter", "import_linter", "tomli-w"):
        assert tool_info.package_version(name) == importlib.metadata.version(name), name


def test_a_distribution_not_installed_has_no_version() -> None:
    assert tool_info.package_version("healthgate-no-such-distribution") is None


def test_the_reports_tool_versions_are_importlib_metadatas() -> None:
    import platform

    from pytest_healthgate.snapshot import TOOLS, tool_versions

    expected = {"python": platform.python_version()}
    for name in TOOLS:
        try:
            expected[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    assert tool_versions() == expected
    assert {"coverage", "ruff", "radon", "bandit", "pytest-healthgate"} <= set(expected)
