"""Import figures kept between runs while nothing they depend on has changed.

Measuring a package's import starts seven interpreters (a warm-up, five samples,
one ``-X importtime`` run): about half a second of CPU for a small package,
which under ``pytest -n 2`` on two cores comes straight out of the tests' time.
A run whose inputs are those of a recent measurement uses that measurement
instead, and says so in the report.

The inputs (``inputs_digest``): the package's own files (name, size and
modification time of every file under the folders Python's path finder gives
for its top-level name, ``__pycache__`` left out), the interpreter and its
version, the test run's ``sys.path`` and what each of its folders holds (the
names of installed distributions, with their versions, and of modules), the
``PYTHON*`` environment variables the children get, and the number of samples.
A package the path finder cannot locate (an import hook of its own) has no
digest and is measured every run.

What the digest cannot see - the code of another project installed editable,
changed in its own folder; a machine that became slower - ages out: a kept
figure is used for at most ``[tool.healthgate.imports] keep`` (default one
hour; ``"0s"`` measures every run). A figure past a bound of its gate is never
kept: it is measured again, with the extra samples such a figure gets.
"""

from __future__ import annotations

import json
import os
import sys
from importlib.machinery import PathFinder
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pytest_healthgate.store.cache import (
    AnalysisCache,
    CacheStore,
    Codec,
    cache_key,
    content_digest,
)

if TYPE_CHECKING:
    from pytest_healthgate.collect.imports import PackageResult

NAME = "imports-kept"
FORMAT = 1
# What in a sys.path folder an import can use (the folder of a package: an identifier).
DISTRIBUTION_FOLDERS = (".dist-info", ".egg-info", ".egg")
MODULE_FILES = (".py", ".pyc", ".pth", ".so", ".pyd", ".egg-link", ".zip", ".egg")


def inputs_digest(name: str, samples: int, path: list[str], env: dict[str, str]) -> str | None:
    """A digest of what the package's figures depend on; None when it cannot be told."""
    spec = PathFinder.find_spec(name.partition(".")[0], path)
    if spec is None:
        return None
    locations = list(spec.submodule_search_locations or [])
    if not locations and spec.origin:
        locations = [spec.origin]
    if not locations:
        return None
    inputs: list[Any] = [FORMAT, sys.executable, sys.version, samples, name, path]
    inputs.append([_files(location) for location in locations])
    inputs.append([_importable_names(entry) for entry in path])
    inputs.append(sorted((key, value) for key, value in env.items() if key.startswith("PYTHON")))
    return content_digest(json.dumps(inputs).encode())


def _files(location: str) -> list[tuple[str, int, int]]:
    """Every file of a package (or its one module): name, size, modification time."""
    if os.path.isfile(location):  # noqa: PTH113 - a string from the path finder
        return [_stamp(location)]
    found = []
    for folder, folders, names in os.walk(location):
        folders[:] = sorted(f for f in folders if f != "__pycache__")
        found += [_stamp(os.path.join(folder, name)) for name in sorted(names)]  # noqa: PTH118
    return found


def _stamp(path: str) -> tuple[str, int, int]:
    try:
        status = os.stat(path)  # noqa: PTH116 - one call for both fields
    except OSError:
        return (path, -1, -1)
    return (path, status.st_size, status.st_mtime_ns)


def _importable_names(entry: str) -> list[str]:
    """What a sys.path folder offers an import: packages, modules, distributions.

    Other names (a report, a log, a coverage file, ``build-1``) cannot be imported,
    and often change from run to run: they are left out.
    """
    found = []
    try:
        with os.scandir(entry or ".") as entries:
            for item in entries:
                if _importable(item):
                    found.append(item.name)
    except OSError:
        return []
    return sorted(found)


def _importable(item: os.DirEntry[str]) -> bool:
    name = item.name
    try:
        folder = item.is_dir()
    except OSError:
        return False
    if folder:
        return (name.isidentifier() and name != "__pycache__") or name.endswith(
            DISTRIBUTION_FOLDERS
        )
    return name.endswith(MODULE_FILES) and not name.startswith(".")


def _from_json(raw: object) -> dict[str, Any]:
    from pytest_healthgate.collect.imports import result_from_json

    if not isinstance(raw, dict) or not isinstance(raw.get("measured_at"), float):
        raise ValueError("not a kept import figure")
    result_from_json(raw.get("result"))  # raises ValueError on another shape
    return raw


CODEC: Codec[dict[str, Any]] = Codec(_from_json, lambda kept: kept)


class KeptImports:
    """The kept figures of a project's packages, in its analysis cache."""

    def __init__(self, root: Path) -> None:
        self.store = CacheStore(root)
        self.cache = AnalysisCache(self.store, NAME, cache_key(NAME, FORMAT), CODEC)

    def find(self, digests: dict[str, str], keep: float, now: float) -> dict[str, PackageResult]:
        """The packages whose figures were measured from these inputs less than ``keep`` ago."""
        from pytest_healthgate.collect.imports import result_from_json

        self.cache.lookup(digests)
        found = {}
        for name in digests:
            kept = self.cache.value(name)
            if kept is not None and 0 <= now - kept["measured_at"] <= keep:
                result = result_from_json(kept["result"])
                result.kept_at = kept["measured_at"]
                found[name] = result
        return found

    def put(self, name: str, digest: str, result: PackageResult, measured_at: float) -> None:
        from pytest_healthgate.collect.imports import result_to_json

        self.cache.put(name, digest, {"measured_at": measured_at, "result": result_to_json(result)})

    def save(self) -> None:
        self.cache.save()
        self.store.close()
