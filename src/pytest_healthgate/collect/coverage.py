"""Coverage measured with coverage.py's documented API.

One tracer per process, tracing in memory. Under pytest-xdist every worker
hands its data back as ``CoverageData.dumps()``; the controller merges it with
``CoverageData.update``. The run's data lives in files of its own until the
end: the merged data is written to a private data file in a scratch folder,
measured there, and then copied over the project's data file (``[tool.coverage.run]
data_file``, default ``.coverage``) in one atomic rename, so ``coverage report``
run afterwards prints exactly the total this gate judged, and two runs of one
project at the same time never read, erase or combine each other's data: each
sees its own figure, and the data file holds one run's complete data.

Subprocesses measured through ``[run] patch`` (coverage.py hands them the
tracer's settings) write their parallel data files into the tracing process's
scratch folder; the controller combines its own and every worker's. Parallel
data files that other means put beside the project's data file (a subprocess
started with ``COVERAGE_PROCESS_START``) are combined as ``coverage combine``
would, but only those written while this run ran.

When pytest-cov is active it owns the tracer and the data file; this module
then only reads that file.
"""

from __future__ import annotations

import ast
import glob
import os
import shutil
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import coverage
from coverage.exceptions import CoverageException, CoverageWarning
from coverage.results import should_fail_under

from pytest_healthgate import clock
from pytest_healthgate.collect import coverage_files
from pytest_healthgate.collect.lifecycle import Collector, CollectorContext, Role
from pytest_healthgate.config import NO_SOURCE, HealthgateConfig
from pytest_healthgate.gates import floor_violations
from pytest_healthgate.model import Detail, Measurement
from pytest_healthgate.store import scratch
from pytest_healthgate.store.files import copy_atomic, sweep_temporaries
from pytest_healthgate.units import Unit

MOST_MISSED_SHOWN = 5
SCRATCH = "coverage"  # the kind of scratch folder (store.scratch) this module makes
# Parallel data files beside the project's data file modified this long before
# the run started still count as the run's own (file systems with coarse times).
MTIME_SLACK = 2.0
MODULES_NAMED = 5
COVERAGE_RUN = "coverage run -m pytest --healthgate"
# Where coverage.py looks for its settings, in its own order, and what marks a
# file that holds some (None: the file is coverage.py's own).
CONFIG_FILES = (
    (".coveragerc", None),
    (".coveragerc.toml", None),
    ("setup.cfg", b"[coverage:"),
    ("tox.ini", b"[coverage:"),
    ("pyproject.toml", b"[tool.coverage"),
)


class CoverageSettingsError(Exception):
    """coverage.py cannot use the project's coverage settings; the message is coverage.py's."""


def coverage_config_file(root: Path) -> str | bool:
    """coverage.py's own config file for the project at ``root``, or False for none.

    coverage.py would look in the current directory; pytest's root is the right
    place when pytest is started from elsewhere. Never ``True``: that would let
    coverage.py open whatever ``pyproject.toml`` the current directory holds (a
    FIFO hangs it, a link to /dev/zero eats memory). Only regular files count.
    ``COVERAGE_RCFILE`` is honoured as coverage.py honours it.
    """
    named = os.environ.get("COVERAGE_RCFILE")
    if named:
        return named
    for name, marker in CONFIG_FILES:
        path = root / name
        if not path.is_file():
            continue
        try:
            if marker is None or marker in path.read_bytes():
                return str(path)
        except OSError:
            continue
    return False


@contextmanager
def _warnings_shown() -> Iterator[None]:
    """coverage.py's warnings are shown, never raised.

    A project whose pytest configuration turns warnings into errors
    (``filterwarnings = ["error"]``) must not have its run crash on one.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("always", CoverageWarning)
        yield


def project_settings(root: Path) -> coverage.Coverage:
    """coverage.py's reading of the project's settings: nothing started, no data file."""
    try:
        with _warnings_shown():
            return coverage.Coverage(config_file=coverage_config_file(root), data_file=None)
    except (CoverageException, ValueError, OSError, RecursionError) as exc:
        raise CoverageSettingsError(
            f"coverage.py cannot use the project's coverage settings: {exc}"
        ) from None


def project_fail_under(root: Path) -> float | None:
    """``[report] fail_under`` when set (above 0); bad settings raise CoverageSettingsError."""
    probe = project_settings(root)
    precision = probe.get_option("report:precision")
    if not isinstance(precision, int) or precision < 0:
        raise CoverageSettingsError(
            f"coverage.py: precision={precision} is invalid. Must not be negative."
        )
    fail_under = probe.get_option("report:fail_under")
    if not isinstance(fail_under, int | float) or not 0 <= fail_under <= 100:
        raise CoverageSettingsError(
            f"coverage.py: fail_under={fail_under} is invalid. Must be between 0 and 100."
        )
    return float(fail_under) if fail_under > 0 else None


def display_total(percent: float, precision: int) -> float:
    """The total as coverage.py prints it: rounded, but never to 0 or 100 unless exact."""
    near_zero = 1.0 / 10**precision
    if 0 < percent < near_zero:
        shown = near_zero
    elif 100.0 - near_zero < percent < 100:
        shown = 100.0 - near_zero
    else:
        shown = round(percent, precision)
    return float(f"{shown:.{precision}f}")


def decimals(value: float) -> int:
    """Decimals a bound is written with (83.2 -> 1), as `coverage report --fail-under` counts."""
    if value == int(value):
        return 0
    exponent = Decimal(str(value)).as_tuple().exponent
    return -exponent if isinstance(exponent, int) else 0


class CoverageTracer:
    """Traces one process in memory; the controller writes the session's data file.

    Every process traces into memory because whether a process is an xdist worker
    is only known after tracing must already have started. At the end the
    controller merges all data into a private data file through a second,
    untraced ``Coverage`` object, measures it, and copies it atomically to where
    `coverage report` will look for it.
    """

    def __init__(self, config: HealthgateConfig) -> None:
        self.config = config
        # Under `coverage run -m pytest --healthgate` coverage.py already traces
        # this process: use that tracer rather than pause it with a second one.
        self.external = _started_by_coverage_run()
        self.options: dict[str, Any] = {"config_file": coverage_config_file(config.root)}
        self.started_at = clock.now()
        self.folder: Path | None = None  # where this process's subprocesses write their data
        self.older: list[str] = []  # parallel data files older than this run, left alone
        with _warnings_shown():
            if config.source_from_healthgate or not _coverage_chooses_files(self.options):
                self.options["source"] = [_absolute(config.root, entry) for entry in config.source]
            self.cov = coverage.Coverage(data_file=None, **self.options)
            # The project's data file, resolved now, from the folder pytest started in,
            # as coverage.py resolves it (`COVERAGE_FILE` included).
            self.data_file = Path(str(self.cov.get_option("run:data_file"))).absolute()
            # An empty controller under xdist, or nothing imported yet, is judged by the
            # gate itself (ERROR "no data"), so coverage.py's own warning adds nothing.
            silenced = _strings(self.cov.get_option("run:disable_warnings"))
            self.cov.set_option("run:disable_warnings", [*silenced, "no-data-collected"])
            if config.exclude:
                omit = _strings(self.cov.get_option("run:omit"))
                omit += omit_patterns(config.root, config.exclude)
                self.cov.set_option("run:omit", omit)
            if self.external is None and self.cov.get_option("run:patch"):
                self._private_subprocess_data()
        self.measured = MeasuredSource.of(self.external or self.cov)
        self.early: list[str] = []  # measured files imported before this tracer started
        self.started = False

    def _private_subprocess_data(self) -> None:
        """Subprocesses measured through ``[run] patch`` write into a scratch folder of ours.

        coverage.py hands them this tracer's settings, data file included, when
        tracing starts; their parallel data files then never mix with another
        run's. A worker's folder is named after the controller, which combines
        and removes it once the worker has exited.
        """
        owner = os.getppid() if os.environ.get("PYTEST_XDIST_WORKER") else None
        self.folder = scratch.make(SCRATCH, owner)
        self.cov.set_option("run:data_file", str(self.folder / self.data_file.name))

    def start(self) -> None:
        if self.external is None:
            self.early = self.measured.imported_files()
            with _warnings_shown():
                self.cov.start()
            self.started = True

    def _writer(self, data_file: Path) -> coverage.Coverage:
        writer = coverage.Coverage(data_file=str(data_file), **self.options)
        writer.set_option("run:omit", self.cov.get_option("run:omit"))
        return writer

    def stop(self) -> None:
        if self.started:
            with _warnings_shown():
                self.cov.stop()
            self.started = False

    def discard(self, folders: list[Path]) -> None:
        """Remove this process's scratch folder and ``folders`` (the workers')."""
        for folder in [self.folder, *folders]:
            if folder is not None:
                shutil.rmtree(folder, ignore_errors=True)
        self.folder = None

    def findings(self) -> Findings:
        """What this process knows that the data cannot tell."""
        return Findings(self.early, self.measured.imported_elsewhere())

    def dumps(self) -> dict[str, object]:
        """This process's data and findings, for a worker to send to the controller."""
        self.stop()
        with _warnings_shown():
            data = (self.external or self.cov).get_data().dumps()
        folder = None if self.folder is None else str(self.folder)
        return {"data": data, "folder": folder, **self.findings().payload()}

    def save_and_measure(
        self, worker_payloads: list[bytes], found: Findings, worker_folders: list[Path]
    ) -> Measurement:
        """Merge this process's and the workers' data, write it, and measure it (controller)."""
        self.stop()
        found = found.plus(self.findings())
        with _warnings_shown():
            if self.external is not None:
                # `coverage run` writes its data file itself when the process exits.
                _merge(self.external.get_data(), worker_payloads)
                return measure(self.external, self.config, found)
            with scratch.folder(SCRATCH) as work:
                private = work / self.data_file.name
                writer = self._writer(private)
                data = writer.get_data()
                data.update(self.cov.get_data())
                _merge(data, worker_payloads)
                parallel = self._parallel_data(writer, worker_folders)
                if parallel:
                    # Fold the subprocesses' files in, as `coverage combine` does.
                    writer.combine(data_paths=parallel)
                writer.save()
                problem = self._publish(private)
                measurement = measure(writer, self.config, found)
        self.discard(worker_folders)
        measurement.extra["data_file"] = str(self.data_file)
        if problem is not None:
            measurement.extra["data_file_problem"] = problem
            print(f"healthgate: ERROR: {problem}", file=sys.stderr)
        if self.older:
            # `coverage report` combines every parallel file beside the data file.
            measurement.extra["parallel_files_left"] = self.older
            print(
                f"healthgate: {len(self.older)} parallel data file(s) from before this run "
                f"left beside {self.data_file} (another run's, or one a killed run left), "
                f"not counted; `coverage report` would combine them: {', '.join(self.older)}",
                file=sys.stderr,
            )
        return measurement

    def _parallel_data(self, writer: coverage.Coverage, worker_folders: list[Path]) -> list[str]:
        """The folders and files whose parallel data files belong to this run.

        Parallel files beside the project's data file count when written while
        this run ran; older ones are left alone (another run's, or a killed
        run's) and listed in ``self.older``.
        """
        found = [str(folder) for folder in [self.folder, *worker_folders] if folder is not None]
        self.older = []
        if writer.get_option("run:parallel"):
            pattern = f"{glob.escape(self.data_file.name)}.*"
            for path in sorted(self.data_file.parent.glob(pattern)):
                try:
                    written = path.stat().st_mtime
                except OSError:
                    continue
                if not path.is_file() or path.name.endswith("-journal"):  # SQLite's, not data
                    continue
                if written >= self.started_at - MTIME_SLACK:
                    found.append(str(path))
                else:
                    self.older.append(path.name)
        return [entry for entry in found if Path(entry).exists()]

    def _publish(self, private: Path) -> str | None:
        """Replace the project's data file with this run's in one rename; why not, if not."""
        try:
            sweep_temporaries(self.data_file.parent, self.data_file.name)
            copy_atomic(private, self.data_file)
        except OSError as exc:
            return (
                f"the coverage data of this run was not saved to {self.data_file} "
                f"({exc.strerror or exc}), so `coverage report` cannot show it"
            )
        return None


def omit_patterns(root: Path, exclude: tuple[str, ...]) -> list[str]:
    """coverage.py ``omit`` patterns leaving out the files healthgate's ``exclude`` leaves out.

    As in the static gates, a pattern excludes the files it matches and every
    file below a folder it matches, so a bare folder (``pkg/legacy``) excludes
    its whole tree.
    """
    base = root.as_posix().rstrip("/")
    patterns = []
    for pattern in exclude:
        glob = _coverage_glob(pattern.strip("/").removeprefix("./"))
        patterns += [f"{base}/{glob}", f"{base}/{glob}/*"]
    return patterns


def _coverage_glob(pattern: str) -> str:
    """A healthgate glob in coverage.py's syntax: ``**`` only as a whole segment, no classes."""
    parts = []
    for segment in pattern.split("/"):
        glob = segment if segment == "**" else segment.replace("**", "*")
        parts.append(glob.replace("[", "?").replace("]", "?"))
    return "/".join(parts)


@dataclass
class Findings:
    """Why a figure would be wrong: code measured only in part, or not at all."""

    # Measured files imported before a tracer started: their module-level lines ran untraced.
    early: list[str] = field(default_factory=list)
    # (module, the file it was imported from, the measured source it should have come from)
    elsewhere: list[tuple[str, str, str]] = field(default_factory=list)

    def payload(self) -> dict[str, object]:
        return {"early": self.early, "elsewhere": self.elsewhere}

    def add(self, payload: dict[str, Any]) -> None:
        self.early += [str(item) for item in payload.get("early", [])]
        self.elsewhere += [(str(a), str(b), str(c)) for a, b, c in payload.get("elsewhere", [])]

    def plus(self, other: Findings) -> Findings:
        return Findings([*self.early, *other.early], [*self.elsewhere, *other.elsewhere])

    def problem(self, files: dict[str, dict[str, Any]]) -> str | None:
        """Why the figure of ``files`` (coverage.py's JSON report) cannot be trusted, if so."""
        return self.elsewhere_problem() or self.early_problem(files)

    def elsewhere_problem(self) -> str | None:
        if not self.elsewhere:
            return None
        module, found, expected = sorted(set(self.elsewhere))[0]
        return (
            f"{module} was imported from {found}, outside the measured source {expected}, "
            f"so its lines were never measured; set [tool.healthgate] source = "
            f'["{module}"] (the importable package name) or install the project '
            f"editable (pip install -e .)"
        )

    def early_problem(self, files: dict[str, dict[str, Any]]) -> str | None:
        """Early imports whose module-level lines no process of the run measured."""
        executed = {_real(name): info.get("executed_lines", []) for name, info in files.items()}
        missed = sorted(
            {
                path
                for path in self.early
                if path in executed and _unmeasured(module_level_lines(path), executed[path])
            }
        )
        if not missed:
            return None
        names = ", ".join(_module_name(path) for path in missed[:MODULES_NAMED])
        more = f" and {len(missed) - MODULES_NAMED} more" if len(missed) > MODULES_NAMED else ""
        return (
            f"measured modules were imported before coverage started, so their "
            f"module-level lines were never measured: {names}{more} (a pytest plugin, "
            f"or a package pytest imports itself); run `{COVERAGE_RUN}` to measure them "
            f"from the start"
        )


def module_level_lines(path: str) -> set[int]:
    """Lines of the module-level statements of ``path`` (its docstring left out)."""
    try:
        tree = ast.parse(Path(path).read_bytes())
    except (OSError, SyntaxError, ValueError):
        return set()
    body = tree.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]
    lines = set()
    for node in body:
        lines.add(node.lineno)
        lines.update(d.lineno for d in getattr(node, "decorator_list", []))
    return lines


def _unmeasured(module_level: set[int], executed: list[int]) -> bool:
    """None of the module-level lines ran (a module without statements has none to miss)."""
    return bool(module_level) and not module_level & set(executed)


def _module_name(path: str) -> str:
    for name, module in list(sys.modules.items()):
        filename = getattr(module, "__file__", None)
        if isinstance(filename, str) and _real(filename) == path:
            return name
    return path


def _real(path: str) -> str:
    try:
        return str(Path(path).resolve())
    except (OSError, RuntimeError):  # a symlink loop
        return str(Path(path).absolute())


@dataclass
class MeasuredSource:
    """What coverage.py measures, as far as ``source`` says: folders, files, packages."""

    folders: list[str]
    packages: list[str]

    @classmethod
    def of(cls, cov: coverage.Coverage) -> MeasuredSource:
        entries = _strings(cov.get_option("run:source"))
        packages = _strings(cov.get_option("run:source_pkgs"))
        folders = []
        for entry in entries:
            if Path(entry).exists():
                folders.append(_real(entry))
            else:
                packages.append(entry)
        return cls(folders, packages)

    def measures(self, name: str, filename: str) -> bool:
        if any(name == package or name.startswith(package + ".") for package in self.packages):
            return True
        return any(_within(filename, folder) for folder in self.folders)

    def names(self) -> set[str]:
        """Every name part a measured module's dotted name must contain (a cheap filter)."""
        parts = {part for package in self.packages for part in package.split(".")}
        for folder in self.folders:
            parts.add(Path(folder).stem)
            parts.update(_importable(folder))
        return parts

    def imported_files(self) -> list[str]:
        """Measured files already imported (before a tracer starts)."""
        found = []
        names = self.names()
        for name, module in list(sys.modules.items()):
            if names.isdisjoint(name.split(".")):
                continue  # cannot be measured: no need to look at its file
            filename = getattr(module, "__file__", None)
            if not isinstance(filename, str) or len(getattr(module, "__path__", ())) > 1:
                continue  # a built-in module, or a namespace package
            real = _real(filename)
            if self.measures(name, real):
                found.append(real)
        return found

    def imported_elsewhere(self) -> list[tuple[str, str, str]]:
        """Packages of a measured folder that this process imported from somewhere else."""
        found = []
        for folder in self.folders:
            for name, expected in _importable(folder).items():
                module = sys.modules.get(name)
                filename = getattr(module, "__file__", None)
                if isinstance(filename, str) and not _within(_real(filename), expected):
                    found.append((name, filename, expected))
        return found


def _within(filename: str, location: str) -> bool:
    return filename == location or filename.startswith(location.rstrip(os.sep) + os.sep)


def _importable(folder: str) -> dict[str, str]:
    """The top-level names a measured folder provides, each with its location."""
    path = Path(folder)
    if path.is_file():
        return {path.stem: folder} if path.suffix == ".py" else {}
    if (path / "__init__.py").is_file():
        return {path.name: folder}
    try:
        children = sorted(path.iterdir())
    except OSError:
        return {}
    return {
        child.stem if child.suffix == ".py" else child.name: str(child)
        for child in children
        if (child.is_dir() and (child / "__init__.py").is_file())
        or (child.suffix == ".py" and child.is_file() and child.stem.isidentifier())
    }


def _started_by_coverage_run() -> coverage.Coverage | None:
    """The Coverage tracing this process, unless coverage.py started it on its own.

    coverage.py starts a tracer in subprocesses by itself (``patch = ["subprocess"]``,
    ``COVERAGE_PROCESS_START``) and records it on ``process_startup``; that one
    measures the parent's project, not this one, and yields to an explicit tracer.
    """
    current = coverage.Coverage.current()
    if current is None or current is getattr(coverage.process_startup, "coverage", None):
        return None
    return current


def _merge(data: coverage.CoverageData, worker_payloads: list[bytes]) -> None:
    for payload in worker_payloads:
        other = coverage.CoverageData(no_disk=True)
        other.loads(payload)
        data.update(other)


def _strings(option: object) -> list[str]:
    return [str(item) for item in option] if isinstance(option, list) else []


def _coverage_chooses_files(options: dict[str, Any]) -> bool:
    """coverage.py's own settings say what to measure: ``source``, ``source_pkgs`` or ``include``.

    Then healthgate's derived source is not handed over: it would replace them
    (coverage.py ignores ``include`` when ``source`` is given).
    """
    probe = coverage.Coverage(data_file=None, **options)
    return any(
        probe.get_option(option) for option in ("run:source", "run:source_pkgs", "run:include")
    )


def nothing_to_measure(config: HealthgateConfig) -> str | None:
    """Why coverage does not apply: no source was found and coverage.py's settings name none.

    Tracing everything instead would measure the installed tools, not the project.
    Under `coverage run`, its own settings decide what is measured.
    """
    if config.source or _started_by_coverage_run() is not None:
        return None
    with _warnings_shown():
        if _coverage_chooses_files({"config_file": coverage_config_file(config.root)}):
            return None
    return NO_SOURCE


def _absolute(root: Path, entry: str) -> str:
    path = root / entry
    return str(path) if path.exists() else entry


def measure_saved_data(
    config: HealthgateConfig, config_file: str | None, precision: int | None = None
) -> Measurement:
    """Read the data file another tracer (pytest-cov) saved, as `coverage report` would.

    ``precision``: pytest-cov's ``--cov-precision``, which overrides coverage.py's.
    """
    with _warnings_shown():
        cov = coverage.Coverage(config_file=config_file or coverage_config_file(config.root))
        if precision is not None:
            cov.set_option("report:precision", precision)
        cov.load()
        return measure(cov, config)


def shard_data(measurement: Measurement) -> bytes | None:
    """The coverage data a run saved (its data file), as coverage.py serialises it."""
    path = measurement.extra.get("data_file")
    if not isinstance(path, str) or not Path(path).is_file():
        return None
    with _warnings_shown():
        data = coverage.CoverageData(basename=path)
        data.read()
        return data.dumps()


def combine_shards(config: HealthgateConfig, blobs: list[bytes]) -> Measurement:
    """Every shard's data, combined by coverage.py (``[paths]`` remapping included) into
    the project's data file, and measured as ``coverage report`` would measure it."""
    options: dict[str, Any] = {"config_file": coverage_config_file(config.root)}
    if config.source_from_healthgate or not _coverage_chooses_files(options):
        options["source"] = [_absolute(config.root, entry) for entry in config.source]
    try:
        with _warnings_shown(), scratch.folder(SCRATCH) as work:
            cov = coverage.Coverage(**options)
            if config.exclude:
                omit = _strings(cov.get_option("run:omit")) + omit_patterns(
                    config.root, config.exclude
                )
                cov.set_option("run:omit", omit)
            # Named as parallel data files of the project's, which `combine` looks for.
            stem = Path(str(cov.get_option("run:data_file"))).name
            for index, blob in enumerate(blobs):
                part = coverage.CoverageData(basename=str(work / f"{stem}.shard{index}"))
                part.loads(blob)
                part.write()
            cov.erase()
            cov.combine(data_paths=[str(work)], strict=True, keep=True)
            cov.save()
            measurement = measure(cov, config)
    except CoverageException as exc:
        return Measurement("coverage", error=f"coverage.py could not combine the shards: {exc}")
    measurement.extra["data_file"] = str(cov.get_option("run:data_file"))
    return measurement


def measure(
    cov: coverage.Coverage, config: HealthgateConfig, found: Findings | None = None
) -> Measurement:
    """The total and per-file figures, at coverage.py's precision (or a bound's, if finer).

    ``found``: what the tracing processes saw that makes the figure untrustworthy;
    the gate is then ERROR.
    """
    setting = cov.get_option("report:precision")
    precision = setting if isinstance(setting, int) and setting >= 0 else 0
    bounds = config.bounds("coverage")
    written = [bound for bound in (bounds.fail, bounds.warn) if bound is not None] if bounds else []
    judged = max([precision, *(decimals(bound) for bound in written)])
    floors = max([precision, *(decimals(floor) for floor in config.coverage_paths.values())])
    try:
        with _warnings_shown():
            # One analysis of the data yields the total and every file's figures.
            analysed = coverage_files.analyse(cov, config.root)
            branch = bool(cov.get_option("run:branch")) or cov.get_data().has_arcs()
    except CoverageException as exc:
        return Measurement("coverage", error=f"coverage.py: {exc}")
    total, files = analysed.total, analysed.files
    measurement = Measurement(
        "coverage",
        value=display_total(total, judged),
        precision=judged,
        extra=_extra(analysed, branch),
    )
    measurement.details = _most_missed(files, config.root)
    percents = per_file_percent(files, config.root, floors)
    measurement.extra["files"] = percents
    measurement.parts = coverage_parts(files, config.root)
    measurement.extra.update(_counts(measurement.parts))
    measurement.violations = floor_violations(percents, config.coverage_paths, floors)
    if bounds is not None and bounds.fail is not None and bounds.adopted:
        measurement.violations[:0] = _fails_under(total, bounds.fail, judged)
    if found is not None:
        measurement.error = found.problem(files)
    return measurement


def _counts(parts: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Each file's coverable and missed units, and how much was looked at.

    Reports chart coverage by file and explain a moved score by the covered lines
    a file lost: both need the counts, which the percentages hide.
    """
    return {
        "file_units": {
            path: {"units": part["units"], "missing": part["missing"]}
            for path, part in parts.items()
        },
        "looked_at": {
            "files": len(parts),
            "coverable lines and branches": sum(part["units"] for part in parts.values()),
        },
    }


def _extra(analysed: coverage_files.CoverageFiles, branch: bool) -> dict[str, Any]:
    extra: dict[str, Any] = {"raw_total": analysed.total, "branch": branch}
    if analysed.cache is not None:
        extra["cache"] = {"files": analysed.cache}
    return extra


def _fails_under(total: float, fail: float, precision: int) -> list[str]:
    """`coverage report --fail-under`'s verdict where the shown total hides it.

    coverage.py never shows a total as 0 unless it is 0, but judges the rounded
    total: 0.004% against a bound of 0.01 fails there, and so here.
    """
    shown = display_total(total, precision)
    if shown >= fail and should_fail_under(total, fail, precision):
        return [
            f"coverage {total:.{precision + 2}f}% rounds below {fail:g}%, "
            f"as `coverage report --fail-under` judges it"
        ]
    return []


def _relative(root: Path, name: str) -> str:
    path = Path(name)
    if path.is_absolute():
        try:
            return path.relative_to(root).as_posix()
        except ValueError:
            return path.as_posix()
    return path.as_posix()


def _most_missed(files: dict[str, dict[str, Any]], root: Path) -> list[Detail]:
    ranked = sorted(
        files.items(),
        key=lambda item: (-int(item[1]["summary"].get("missing_lines", 0)), item[0]),
    )
    return [
        Detail(
            label=_relative(root, name),
            value=float(info["summary"]["percent_covered"]),
            unit=Unit.PERCENT,
            note=f"missing lines: {info['summary'].get('missing_lines', 0)}",
        )
        for name, info in ranked[:MOST_MISSED_SHOWN]
        if int(info["summary"].get("missing_lines", 0)) > 0
    ]


def coverage_parts(files: dict[str, dict[str, Any]], root: Path) -> dict[str, dict[str, Any]]:
    """Each file's coverable units (statements and branches) and how many were missed,
    with the missed line numbers: what the ratchet compares with the baseline."""
    parts = {}
    for name, info in files.items():
        summary = info["summary"]
        units = int(summary.get("num_statements", 0)) + int(summary.get("num_branches", 0))
        missing = int(summary.get("missing_lines", 0)) + int(summary.get("missing_branches", 0))
        parts[_relative(root, name)] = {
            "units": units,
            "missing": missing,
            "missing_lines": sorted(int(line) for line in info.get("missing_lines", [])),
        }
    return parts


def per_file_percent(
    files: dict[str, dict[str, Any]], root: Path, precision: int
) -> dict[str, float]:
    """Each measured file's coverage as `coverage report` shows it, by project-relative path."""
    return {
        _relative(root, name): display_total(float(info["summary"]["percent_covered"]), precision)
        for name, info in sorted(files.items())
    }


class CoverageCollector(Collector):
    """The ``coverage`` gate: our own tracer, or the data pytest-cov saved.

    Created before conftest files import the project (the catalogue marks it
    ``early``), and the tracer starts right away, so module-level lines count.
    """

    def __init__(self, context: CollectorContext) -> None:
        super().__init__(context)
        self.tracer: CoverageTracer | None = None
        self.payloads: list[bytes] = []
        self.worker_folders: list[Path] = []  # where the workers' subprocesses wrote data
        self.found = Findings()
        self.skip_reason: str | None = None
        if not _pytest_cov_active(context.pytest_config):
            try:
                self.skip_reason = nothing_to_measure(context.settings)
                if self.skip_reason is None:
                    self.tracer = CoverageTracer(context.settings)
                    self.tracer.start()
            except (CoverageException, ImportError, OSError) as exc:  # plugins = ["missing"], ...
                raise _usage_error(f"coverage.py cannot start: {exc}") from None

    def worker_payload(self) -> object:
        return self.tracer.dumps() if self.tracer is not None else None

    def merge(self, payload: object) -> None:
        if isinstance(payload, dict) and isinstance(payload.get("data"), bytes):
            self.payloads.append(payload["data"])
            self.found.add(payload)
            folder = payload.get("folder")
            # Only a folder a worker of this run made is combined, and later removed.
            if isinstance(folder, str) and scratch.made_by(Path(folder), SCRATCH, os.getpid()):
                self.worker_folders.append(Path(folder))

    def finish(self) -> list[Measurement]:
        if self.skip_reason is not None:
            return [Measurement("coverage", skip_reason=self.skip_reason)]
        if self.tracer is not None:
            return [self.tracer.save_and_measure(self.payloads, self.found, self.worker_folders)]
        config = self.context.pytest_config
        namespace = getattr(config, "known_args_namespace", None)
        cov_config = getattr(namespace, "cov_config", None)
        if cov_config and not Path(cov_config).is_file():
            cov_config = None
        precision = getattr(namespace, "cov_precision", None)
        precision = precision if isinstance(precision, int) else None
        return [measure_saved_data(self.settings, cov_config, precision)]

    def close(self) -> None:
        if self.tracer is not None:
            self.tracer.stop()
            if self.role.judges:  # a worker's folder is the controller's to remove
                self.tracer.discard(self.worker_folders)
            if self.role is Role.CONTROLLER:
                # Also the folders of workers whose payload never came (an interrupted run).
                scratch.sweep(SCRATCH, owner=os.getpid())


def _usage_error(message: str) -> Exception:
    """A usage error of the pytest run (exit status 4), before any test runs."""
    import pytest

    return pytest.UsageError(f"healthgate: {message}")


def _pytest_cov_active(config: object) -> bool:
    """True when pytest-cov measures this run (``--cov``): it owns the only tracer then."""
    namespace = getattr(config, "known_args_namespace", None)
    return bool(getattr(namespace, "cov_source", None)) and not getattr(namespace, "no_cov", False)


def create(context: CollectorContext) -> CoverageCollector:
    return CoverageCollector(context)
