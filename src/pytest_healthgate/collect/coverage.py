"""Coverage measured with coverage.py's documented API.

One tracer per process. Serially the controller traces and saves the project's
data file (``[tool.coverage.run] data_file``, default ``.coverage``). Under
pytest-xdist every worker traces in memory and hands its data back as
``CoverageData.dumps()``; the controller merges it with ``CoverageData.update``
and saves one data file, so ``coverage report`` run afterwards prints exactly
the total this gate judged. When pytest-cov is active it owns the tracer and
the data file; this module then only reads that file.
"""

from __future__ import annotations

import io
import json
import tempfile
from pathlib import Path
from typing import Any

import coverage
from coverage.exceptions import CoverageException

from pytest_healthgate.collect.lifecycle import Collector, CollectorContext
from pytest_healthgate.config import HealthgateConfig
from pytest_healthgate.gates import floor_violations
from pytest_healthgate.model import Detail, Measurement
from pytest_healthgate.units import Unit

MOST_MISSED_SHOWN = 5


def coverage_config_file(root: Path) -> str | bool:
    """coverage.py's own config file for the project at ``root``.

    coverage.py looks in the current directory; pytest's root is the right place
    when pytest is started from elsewhere. ``True`` keeps coverage's own search.
    """
    rcfile = root / ".coveragerc"
    if rcfile.is_file():
        return str(rcfile)
    pyproject = root / "pyproject.toml"
    if pyproject.is_file() and b"[tool.coverage" in pyproject.read_bytes():
        return str(pyproject)
    return True


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


class CoverageTracer:
    """Traces one process in memory; the controller writes the session's data file.

    Every process traces into memory because whether a process is an xdist worker
    is only known after tracing must already have started. At the end the
    controller merges all data and writes it through a second, untraced
    ``Coverage`` object, exactly where `coverage report` will look for it.
    """

    def __init__(self, config: HealthgateConfig) -> None:
        self.config = config
        # Under `coverage run -m pytest --healthgate` coverage.py already traces
        # this process: use that tracer rather than pause it with a second one.
        self.external = _started_by_coverage_run()
        self.options: dict[str, Any] = {"config_file": coverage_config_file(config.root)}
        if config.source_from_healthgate or not _coverage_has_source(config):
            self.options["source"] = [_absolute(config.root, entry) for entry in config.source]
        self.cov = coverage.Coverage(data_file=None, **self.options)
        # An empty controller under xdist, or nothing imported yet, is judged by the
        # gate itself (ERROR "no data"), so coverage.py's own warning adds nothing.
        silenced = _strings(self.cov.get_option("run:disable_warnings"))
        self.cov.set_option("run:disable_warnings", [*silenced, "no-data-collected"])
        if config.exclude:
            omit = _strings(self.cov.get_option("run:omit"))
            omit += [str(config.root / pattern) for pattern in config.exclude]
            self.cov.set_option("run:omit", omit)
        self.started = False

    def start(self) -> None:
        if self.external is None:
            self.cov.start()
            self.started = True

    def _writer(self) -> coverage.Coverage:
        writer = coverage.Coverage(**self.options)
        writer.set_option("run:omit", self.cov.get_option("run:omit"))
        return writer

    def clear_data_file(self) -> None:
        """Remove the last session's data files (controller, before any test runs)."""
        if self.external is None:
            self._writer().erase()

    def stop(self) -> None:
        if self.started:
            self.cov.stop()
            self.started = False

    def dumps(self) -> bytes:
        """This process's data, for a worker to send to the controller."""
        self.stop()
        return (self.external or self.cov).get_data().dumps()

    def save_and_measure(self, worker_payloads: list[bytes]) -> Measurement:
        """Merge this process's and the workers' data, write it, and measure it (controller)."""
        self.stop()
        if self.external is not None:
            # `coverage run` writes its data file itself when the process exits.
            _merge(self.external.get_data(), worker_payloads)
            return measure(self.external, self.config)
        writer = self._writer()
        data = writer.get_data()
        data.update(self.cov.get_data())
        _merge(data, worker_payloads)
        writer.save()
        if writer.get_option("run:parallel"):
            # Parallel mode (what `patch = ["subprocess"]` relies on): fold this file
            # and the subprocesses' files into the plain data file, as
            # `coverage combine` does.
            writer.combine()
            writer.save()
        return measure(writer, self.config)


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


def _coverage_has_source(config: HealthgateConfig) -> bool:
    probe = coverage.Coverage(config_file=coverage_config_file(config.root), data_file=None)
    return bool(probe.get_option("run:source") or probe.get_option("run:source_pkgs"))


def _absolute(root: Path, entry: str) -> str:
    path = root / entry
    return str(path) if path.exists() else entry


def measure_saved_data(config: HealthgateConfig, config_file: str | None) -> Measurement:
    """Read the data file another tracer (pytest-cov) saved, as `coverage report` would."""
    cov = coverage.Coverage(config_file=config_file or coverage_config_file(config.root))
    cov.load()
    return measure(cov, config)


def measure(cov: coverage.Coverage, config: HealthgateConfig) -> Measurement:
    setting = cov.get_option("report:precision")
    precision = setting if isinstance(setting, int) else 0
    try:
        total = cov.report(file=io.StringIO())
        files = _per_file(cov)
    except CoverageException as exc:
        return Measurement("coverage", error=f"coverage.py: {exc}")
    measurement = Measurement(
        "coverage",
        value=display_total(total, precision),
        precision=precision,
        extra={"raw_total": total, "branch": bool(cov.get_option("run:branch"))},
    )
    measurement.details = _most_missed(files, config.root)
    percents = per_file_percent(files, config.root, precision)
    measurement.extra["files"] = percents
    measurement.violations = floor_violations(percents, config.coverage_paths, precision)
    return measurement


def _per_file(cov: coverage.Coverage) -> dict[str, dict[str, Any]]:
    with tempfile.TemporaryDirectory(prefix="healthgate-") as folder:
        outfile = Path(folder) / "coverage.json"
        cov.json_report(outfile=str(outfile))
        report = json.loads(outfile.read_text(encoding="utf-8"))
    files: dict[str, dict[str, Any]] = report.get("files", {})
    return files


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
        if not _pytest_cov_active(context.pytest_config):
            self.tracer = CoverageTracer(context.settings)
            self.tracer.start()

    def start(self) -> None:
        if self.tracer is not None and self.role.judges:
            self.tracer.clear_data_file()  # before any test runs: no stale data counts

    def worker_payload(self) -> object:
        return self.tracer.dumps() if self.tracer is not None else None

    def merge(self, payload: object) -> None:
        if isinstance(payload, bytes):
            self.payloads.append(payload)

    def finish(self) -> list[Measurement]:
        if self.tracer is not None:
            return [self.tracer.save_and_measure(self.payloads)]
        config = self.context.pytest_config
        cov_config = getattr(config.known_args_namespace, "cov_config", None) if config else None
        if cov_config and not Path(cov_config).is_file():
            cov_config = None
        return [measure_saved_data(self.settings, cov_config)]

    def close(self) -> None:
        if self.tracer is not None:
            self.tracer.stop()


def _pytest_cov_active(config: object) -> bool:
    """True when pytest-cov measures this run (``--cov``): it owns the only tracer then."""
    namespace = getattr(config, "known_args_namespace", None)
    return bool(getattr(namespace, "cov_source", None)) and not getattr(namespace, "no_cov", False)


def create(context: CollectorContext) -> CoverageCollector:
    return CoverageCollector(context)
