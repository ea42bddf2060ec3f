"""interrogate's per-file findings, cached by file content like the static analysis.

interrogate is configured exactly as its own command line configures it: its
options are parsed by interrogate's own click command, so ``[tool.interrogate]``
in pyproject.toml (``ignore-init-method``, ``ignore-regex``, ``exclude``,
``style``, ...) means here what it means to ``interrogate``.

interrogate walks the paths and picks the files (its excludes and extensions);
each file's documentable names are then looked up in the analysis cache
(``.healthgate/cache``), keyed by the file's name and content, interrogate's
version and its configuration, and only the files it lacks are given to
interrogate, as an explicit list. Both steps go through interrogate's public
``InterrogateCoverage``; the per-file counting below repeats its one rule (a
module's own docstring does not count under ``ignore-module``), and the tests
compare the total with what ``interrogate`` prints.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pytest_healthgate.store.cache import (
    AnalysisCache,
    CacheStats,
    CacheStore,
    Codec,
    cache_key,
    content_digest,
)

ANALYSER = "docstrings"
FORMAT = 1  # bump when a cached entry changes shape or meaning


class NothingToDocumentError(Exception):
    """interrogate found no Python file in the paths (it would exit, not return)."""


@dataclass(frozen=True)
class Name:
    """One module, class or function interrogate counts in a file."""

    kind: str  # interrogate's node type: Module, ClassDef, FunctionDef, AsyncFunctionDef
    name: str  # as interrogate names it: "module" for the module, else dotted within it
    line: int
    documented: bool


@dataclass(frozen=True)
class FileNames:
    """A file's counted names (a module ignored under ``ignore-module`` left out)."""

    path: str  # as interrogate found it
    names: tuple[Name, ...]

    @property
    def total(self) -> int:
        return len(self.names)

    @property
    def covered(self) -> int:
        return sum(1 for name in self.names if name.documented)

    @property
    def missing(self) -> int:
        return self.total - self.covered

    @property
    def percent(self) -> float:
        return 100.0 * self.covered / self.total if self.total else 100.0


@dataclass(frozen=True)
class Interrogated:
    files: list[FileNames]  # files with at least one counted name, as interrogate lists them
    cache: CacheStats

    @property
    def total(self) -> int:
        return sum(result.total for result in self.files)

    @property
    def covered(self) -> int:
        return sum(result.covered for result in self.files)

    @property
    def percent(self) -> float:
        """interrogate's own figure: documented over counted, in percent."""
        return 100.0 * self.covered / self.total if self.total else 100.0


def _names_to_json(names: list[Name]) -> object:
    return [[name.kind, name.name, name.line, name.documented] for name in names]


def _names_from_json(raw: object) -> list[Name]:
    if not isinstance(raw, list):
        raise ValueError("not a list of names")
    names = []
    for entry in raw:
        if not (isinstance(entry, list) and len(entry) == 4):
            raise ValueError("not a name")
        kind, name, line, documented = entry
        if not (
            isinstance(kind, str)
            and isinstance(name, str)
            and isinstance(line, int)
            and line >= 0
            and isinstance(documented, bool)
        ):
            raise ValueError("a name of the wrong shape")
        names.append(Name(kind, name, line, documented))
    return names


CODEC: Codec[list[Name]] = Codec(_names_from_json, _names_to_json)


def settings(root: Path, paths: list[str]) -> dict[str, Any]:
    """interrogate's own reading of its command line and ``[tool.interrogate]``."""
    from interrogate import cli

    arguments = [*paths]
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        arguments += ["--config", str(pyproject)]
        # interrogate resolves `exclude` against the current folder, which is the
        # project root when it runs there; here the folder may be any, so the
        # table's entries are given from the root (the command line wins over it).
        for entry in _table_excludes(pyproject):
            arguments += ["--exclude", str(root / entry)]
    with cli.main.make_context("interrogate", arguments) as context:
        return dict(context.params)


def _table_excludes(pyproject: Path) -> list[str]:
    import tomllib

    table = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("tool", {})
    excluded = table.get("interrogate", {}).get("exclude", [])
    return [str(entry) for entry in excluded] if isinstance(excluded, list) else []


def _config(options: dict[str, Any]) -> Any:
    from interrogate import config

    return config.InterrogateConfig(
        docstring_style=options["style"],
        fail_under=options["fail_under"],
        ignore_regex=options["ignore_regex"],
        ignore_magic=options["ignore_magic"],
        ignore_module=options["ignore_module"],
        ignore_private=options["ignore_private"],
        ignore_semiprivate=options["ignore_semiprivate"],
        ignore_init_method=options["ignore_init_method"],
        ignore_init_module=options["ignore_init_module"],
        ignore_nested_classes=options["ignore_nested_classes"],
        ignore_nested_functions=options["ignore_nested_functions"],
        ignore_overloaded_functions=options["ignore_overloaded_functions"],
        ignore_property_setters=options["ignore_setters"],
        ignore_property_decorators=options["ignore_property_decorators"],
        include_regex=options["whitelist_regex"],
    )


def _run(paths: list[str], conf: Any, **walk: Any) -> Any:
    """An ``InterrogateCoverage`` over ``paths``; interrogate exits when it finds no file."""
    from interrogate import coverage

    return coverage.InterrogateCoverage(paths=paths, conf=conf, **walk)


def _filenames(finder: Any) -> list[str]:
    try:
        found: list[str] = finder.get_filenames_from_paths()
    except SystemExit:
        raise NothingToDocumentError from None
    return found


def _read_names(result: Any, ignore_module: bool) -> list[Name]:
    if result is None:  # interrogate counted nothing in the file
        return []
    return [
        Name(
            node.node_type,
            "module" if node.node_type == "Module" else str(node.name),
            int(node.lineno or 0),
            bool(node.covered),
        )
        for node in result.nodes
        if not (node.node_type == "Module" and ignore_module)
    ]


def _digests(filenames: list[str]) -> dict[str, str]:
    """Each file's cache digest: its base name (the module's name) and its content."""
    return {
        name: content_digest(Path(name).name.encode() + b"\0" + Path(name).read_bytes())
        for name in filenames
    }


def _fill(
    cache: AnalysisCache[list[Name]], missed: list[str], conf: Any, digests: dict[str, str]
) -> None:
    """interrogate on the files the cache lacks, given as an explicit list; cached."""
    computed = _run(missed, conf).get_coverage()
    by_file = {result.filename: result for result in computed.file_results}
    for filename in missed:
        cache.put(
            filename, digests[filename], _read_names(by_file.get(filename), conf.ignore_module)
        )


def interrogate(root: Path, paths: list[str], use_cache: bool) -> Interrogated:
    """Each file's counted names; raises NothingToDocumentError, OSError or interrogate's errors."""
    from interrogate import __version__

    options = settings(root, paths)
    conf = _config(options)
    finder = _run(paths, conf, excluded=options["exclude"], extensions=options["ext"])
    filenames = _filenames(finder)
    digests = _digests(filenames)
    store = CacheStore(root) if use_cache else None
    cache = AnalysisCache(
        store, ANALYSER, cache_key(ANALYSER, FORMAT, __version__, repr(conf)), CODEC
    )
    try:
        missed = cache.lookup(digests)
        if missed:
            _fill(cache, missed, conf, digests)
        cache.save()
    finally:
        if store is not None:
            store.close()
    files = [FileNames(name, tuple(cache.value(name) or [])) for name in filenames]
    return Interrogated([result for result in files if result.total], cache.stats())


def to_json(found: Interrogated) -> dict[str, Any]:
    return {
        "files": [[result.path, _names_to_json(list(result.names))] for result in found.files],
        "cache": dict(found.cache),
    }


def from_json(raw: object) -> Interrogated:
    """What the child printed; ValueError when it is not of that shape."""
    if not isinstance(raw, dict) or not isinstance(raw.get("files"), list):
        raise ValueError("not interrogate's findings")
    files = []
    for entry in raw["files"]:
        if not (isinstance(entry, list) and len(entry) == 2 and isinstance(entry[0], str)):
            raise ValueError("not a file's names")
        files.append(FileNames(entry[0], tuple(_names_from_json(entry[1]))))
    cache = raw.get("cache")
    counts = cache if isinstance(cache, dict) else {}
    stats = CacheStats(hits=int(counts.get("hits", 0)), misses=int(counts.get("misses", 0)))
    if counts.get("discarded"):
        stats["discarded"] = int(counts["discarded"])
    if counts.get("problem"):
        stats["problem"] = str(counts["problem"])
    return Interrogated(files, stats)


TREE = "docstrings-tree"  # whole outcomes, by the digest of everything they depend on
# What interrogate itself leaves out, directly under each path it is given.
COMMON_EXCLUDE = (".tox", ".venv", "venv", ".git", ".hg")
SUFFIXES = (".py", ".pyi")


def tree_digest(root: Path, paths: list[str]) -> str:
    """A digest of every input of interrogate's outcome, computed without interrogate.

    Every ``.py`` and ``.pyi`` file under the paths (name and content; a superset of
    what interrogate reads, so any change it would see changes the digest),
    pyproject.toml and setup.cfg (its options) and interrogate's version.
    """
    from pytest_healthgate.collect.static.analysers.tool_info import package_version
    from pytest_healthgate.store.cache import file_digest

    entries = []
    for given in paths:
        skipped = {str(Path(given) / name) for name in COMMON_EXCLUDE}
        for folder, folders, names in os.walk(given):
            folders[:] = sorted(f for f in folders if str(Path(folder) / f) not in skipped)
            entries += [
                (str(Path(folder) / name), file_digest(Path(folder) / name))
                for name in sorted(names)
                if name.endswith(SUFFIXES)
            ]
    inputs = [FORMAT, package_version("interrogate"), paths, entries]
    # Where interrogate may read its options: pyproject.toml, else setup.cfg.
    inputs += [file_digest(root / "pyproject.toml"), file_digest(root / "setup.cfg")]
    return content_digest(json.dumps(inputs).encode())


def _outcome_from_json(raw: object) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise ValueError("not an outcome")
    if raw.get("nothing") is not True:
        from_json(raw)  # raises ValueError when it is not of the findings' shape
    return raw


def tree_cache(root: Path) -> AnalysisCache[dict[str, Any]]:
    """Whole outcomes by ``tree_digest``: a run where nothing changed starts no interrogate."""
    return AnalysisCache(CacheStore(root), TREE, cache_key(TREE, FORMAT), OUTCOME_CODEC)


OUTCOME_CODEC: Codec[dict[str, Any]] = Codec(_outcome_from_json, lambda outcome: outcome)


def outcome(root: Path, paths: list[str], use_cache: bool) -> dict[str, Any]:
    """The findings as JSON-ready data, or ``{"nothing": true}``, or ``{"error": why}``.

    One shape for both ways the gate runs it: in-process, and in a child beside the tests.
    """
    try:
        return to_json(interrogate(root, paths, use_cache))
    except NothingToDocumentError:
        return {"nothing": True}
    except OSError as exc:
        return {"error": f"interrogate could not read a file: {exc}"}
    except Exception as exc:  # a file interrogate cannot parse, a bad [tool.interrogate]
        return {"error": f"interrogate failed: {exc}"}


def main(argv: list[str]) -> int:
    """``python -P -m pytest_healthgate.collect.interrogated ROOT 1|0 PATH...``: the outcome."""
    root, use_cache, *paths = argv
    print(json.dumps(outcome(Path(root), paths, use_cache == "1")))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
