"""Import time and import memory of each package, measured in fresh interpreters.

For every package in ``packages`` a background thread on the controller runs, one
after another and while the tests run:

1. one unmeasured child, which compiles and caches the bytecode;
2. ``samples`` measured children; each times the import from the inside (start-up
   excluded) and reads the peak memory it added (see ``_import_probe.py``);
3. one child under ``-X importtime``, whose report names the slowest modules
   (wall clock of that one run, reported with the time it waited for a CPU).

A sample's figure is the import's wall-clock time less the time its thread spent
runnable but waiting for a CPU (Linux's run-queue delay; where that cannot be read,
the wall-clock time). Time spent sleeping, waiting on disk or on a subprocess
counts, as it does for a user; time other processes held the CPU does not, so a
machine with every core busy does not flip the verdict. The wall-clock time, the
wait and the CPU time of each sample are reported beside it.

A package's figure is the best (smallest) of its samples: what noise is left (a
cache or a core slowed by its neighbours) only ever adds time, so the minimum is
the most repeatable estimate of what the import itself costs. When that best is
past the gate's warn or fail bound, up to ``samples`` more are drawn (stopping as
soon as one comes in under it), spaced out by growing pauses, so a burst of load
does not decide the verdict. Each gate's value is the worst package's figure.

Children use the test run's interpreter, ``sys.path`` (as it is when the session
starts), working directory and environment, minus the variables that would
measure the child instead of the import (subprocess coverage, import profiling,
tracemalloc). They read and write bytecode where the test run does; where the
test run writes none (``PYTHONDONTWRITEBYTECODE``, ``-B``), their bytecode goes to
a private cache (``PYTHONPYCACHEPREFIX``), so the first child's compilation
serves the samples and nothing is written into the project.
"""

from __future__ import annotations

import json
import os
import re
import statistics
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pytest_healthgate import priority
from pytest_healthgate.collect._import_probe import BEGIN, END
from pytest_healthgate.collect.lifecycle import Collector, CollectorContext, Role
from pytest_healthgate.launcher import (
    Child,
    ChildError,
    ChildStartError,
    Finished,
    TimeLimit,
    child_environment,
    launch,
    one_line,
)
from pytest_healthgate.model import Detail, Measurement
from pytest_healthgate.store.scratch import folder as scratch_folder
from pytest_healthgate.units import Unit, format_value

PROBE = Path(__file__).with_name("_import_probe.py")
SLOWEST_SHOWN = 10
RECHECK_PAUSE = 0.25  # seconds before the first extra sample; grows with each one
TIMEOUT_SETTING = "[tool.healthgate.imports] timeout"
CANCELLED = "the measurement was cancelled"
NOT_FOUND = "is not importable: there is no module named"  # the package itself is absent
_MODULE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
_IMPORTTIME_LINE = re.compile(r"^import time:\s*(\d+)\s*\|\s*(\d+)\s*\|(\s*)(\S+)\s*$")


@dataclass(frozen=True)
class ModuleCost:
    """One module's line of ``-X importtime``: seconds spent in it, and with its imports."""

    module: str
    self_seconds: float
    cumulative_seconds: float


@dataclass(frozen=True)
class Sample:
    """The clocks one child read around its import, in seconds."""

    wall: float
    cpu: float  # user and system time of the child, all threads
    waiting: float | None  # runnable but without a CPU; None where it cannot be read

    @classmethod
    def from_result(cls, result: dict[str, Any]) -> Sample:
        waiting = result["waiting"]
        return cls(
            float(result["wall"]), float(result["cpu"]), None if waiting is None else float(waiting)
        )

    @property
    def seconds(self) -> float:
        """The judged figure: wall clock less the time other processes held the CPU."""
        if self.waiting is None:
            return self.wall
        return max(0.0, self.wall - self.waiting)

    def as_dict(self) -> dict[str, float | None]:
        return {
            "seconds": self.seconds,
            "wall": self.wall,
            "cpu": self.cpu,
            "waiting": self.waiting,
        }


@dataclass
class PackageResult:
    """Everything measured for one package."""

    name: str
    samples: list[Sample] = field(default_factory=list)
    memory: list[int] = field(default_factory=list)
    memory_unavailable: str = ""
    error: str | None = None
    modules: list[ModuleCost] = field(default_factory=list)
    attribution: Sample | None = None  # the clocks of the ``-X importtime`` run
    kept_at: float | None = None  # a figure kept from the run of that time (imports_kept)

    @property
    def seconds(self) -> list[float]:
        """Each sample's judged figure, in the order drawn."""
        return [sample.seconds for sample in self.samples]

    @property
    def best(self) -> float:
        return min(self.seconds)

    @property
    def best_sample(self) -> Sample:
        return min(self.samples, key=lambda sample: sample.seconds)

    def slowest(self, key: str) -> list[ModuleCost]:
        ranked = sorted(self.modules, key=lambda cost: (-getattr(cost, key), cost.module))
        return ranked[:SLOWEST_SHOWN]


def result_to_json(result: PackageResult) -> dict[str, Any]:
    """A measured package's figures, as kept between runs (``imports_kept``)."""
    return {
        "name": result.name,
        "samples": [[s.wall, s.cpu, s.waiting] for s in result.samples],
        "memory": result.memory,
        "memory_unavailable": result.memory_unavailable,
        "modules": [[c.module, c.self_seconds, c.cumulative_seconds] for c in result.modules],
        "attribution": None
        if result.attribution is None
        else [result.attribution.wall, result.attribution.cpu, result.attribution.waiting],
    }


def result_from_json(raw: object) -> PackageResult:
    """``result_to_json``'s inverse; ValueError for anything of another shape."""
    if not isinstance(raw, dict):
        raise ValueError("not a package's import figures")
    try:
        samples = [_sample(item) for item in raw["samples"]]
        memory = [int(size) for size in raw["memory"]]
        modules = [ModuleCost(str(m), float(own), float(total)) for m, own, total in raw["modules"]]
        attribution = None if raw["attribution"] is None else _sample(raw["attribution"])
        result = PackageResult(
            str(raw["name"]),
            samples,
            memory,
            str(raw["memory_unavailable"]),
            None,
            modules,
            attribution,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"not a package's import figures: {exc}") from None
    if not samples:
        raise ValueError("a package's import figures without samples")
    return result


def _sample(raw: object) -> Sample:
    if not isinstance(raw, list) or len(raw) != 3:
        raise ValueError("not a sample's three clocks")
    wall, cpu, waiting = raw
    return Sample(float(wall), float(cpu), None if waiting is None else float(waiting))


@dataclass(frozen=True)
class ChildOutcome:
    result: dict[str, Any] | None
    stderr: str
    problem: str | None  # why there is no result: a timeout, a crash


def parse_importtime(stderr: str, begin: str, end: str) -> list[ModuleCost]:
    """The ``-X importtime`` lines printed between the ``begin`` and ``end`` markers."""
    costs: list[ModuleCost] = []
    inside = False
    for line in stderr.splitlines():
        if line.strip() == begin:
            inside = True
        elif line.strip() == end:
            break
        elif inside:
            match = _IMPORTTIME_LINE.match(line)
            if match:
                own, cumulative, _indent, module = match.groups()
                costs.append(ModuleCost(module, int(own) / 1e6, int(cumulative) / 1e6))
    return costs


def bytecode_environment(
    environ: dict[str, str], cache: Path, *, writes_bytecode: bool | None = None
) -> dict[str, str]:
    """Where the children read and write bytecode, so the first child's compilation serves the rest.

    Where the test run writes bytecode itself (the default on a developer's
    machine), the children use the same ``__pycache__`` folders: the modules the
    test run imported are compiled already, and the standard library's bytecode
    is read as it was installed. Where it does not (``PYTHONDONTWRITEBYTECODE``,
    common on CI, or ``python -B``), every sample would compile again; a private
    ``PYTHONPYCACHEPREFIX`` then lets the first child write bytecode outside the
    project, which stays untouched. A prefix the user set is kept either way.
    """
    if writes_bytecode is None:
        writes_bytecode = not sys.dont_write_bytecode
    if "PYTHONPYCACHEPREFIX" in environ or (
        writes_bytecode and "PYTHONDONTWRITEBYTECODE" not in environ
    ):
        return dict(environ)
    environment = {k: v for k, v in environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    environment["PYTHONPYCACHEPREFIX"] = str(cache)
    return environment


class ImportSampler:
    """Runs the child interpreters for a list of packages; ``cancel`` kills the current one."""

    def __init__(
        self,
        packages: list[str],
        *,
        samples: int,
        timeout: float,
        path: list[str],
        cwd: str,
        env: dict[str, str],
        recheck_above: float | None = None,
        nice: int = 0,
        writes_bytecode: bool | None = None,
    ) -> None:
        self.packages = packages
        # Whether the test run writes bytecode; None: as this process does.
        self.writes_bytecode = writes_bytecode
        self.nice = nice  # for the children started from now on (see priority.py)
        self.recheck_above = recheck_above
        self.samples = samples
        self.timeout = timeout
        self.path = path
        self.cwd = cwd
        self.env = env
        self.results: dict[str, PackageResult] = {}
        self._lock = threading.Lock()
        self._current: Child | None = None
        self._cancelled = False
        self._stop = threading.Event()

    def run(self) -> dict[str, PackageResult]:
        with scratch_folder("imports") as scratch:
            self.env = bytecode_environment(
                self.env, Path(scratch) / "bytecode", writes_bytecode=self.writes_bytecode
            )
            for name in self.packages:
                if self._cancelled:
                    break
                self.results[name] = self._measure(name, Path(scratch))
        return self.results

    def cancel(self) -> None:
        with self._lock:
            self._cancelled = True
            self._stop.set()
            if self._current is not None:
                self._current.kill()

    def _over_bound(self, package: PackageResult) -> bool:
        """True when the best so far is past a bound, so more samples are drawn."""
        return self.recheck_above is not None and package.best > self.recheck_above

    def _measure(self, name: str, scratch: Path) -> PackageResult:
        package = PackageResult(name)
        if not _MODULE_NAME.match(name):
            package.error = f"{name!r} is not importable: it is not a valid dotted module name"
            return package
        first = self._child(name, scratch)  # unmeasured: compiles and caches bytecode
        package.error = self._problem(name, first)
        self._draw_samples(package, scratch)
        self._attribute(package, scratch)
        return package

    def _draw_samples(self, package: PackageResult, scratch: Path) -> None:
        """``samples`` measured children, then up to as many more while past the bound."""
        for index in range(2 * self.samples):
            if package.error is not None or self._cancelled:
                return
            if index >= self.samples:
                if not self._over_bound(package):
                    return
                # Spread the extra samples out, so one burst of load cannot spoil them all.
                self._stop.wait(RECHECK_PAUSE * (index - self.samples + 1))
            self._sample(package, scratch)

    def _sample(self, package: PackageResult, scratch: Path) -> None:
        outcome = self._child(package.name, scratch)
        package.error = self._problem(package.name, outcome)
        if package.error is not None or outcome.result is None:
            return
        package.samples.append(Sample.from_result(outcome.result))
        if outcome.result["memory"] is None:
            package.memory_unavailable = str(outcome.result["memory_unavailable"])
        else:
            package.memory.append(int(outcome.result["memory"]))

    def _attribute(self, package: PackageResult, scratch: Path) -> None:
        """One child under ``-X importtime``: which modules the time went to."""
        if package.error is not None or self._cancelled:
            return
        attributed = self._child(package.name, scratch, importtime=True)
        if attributed.result is not None:
            package.modules = parse_importtime(attributed.stderr, BEGIN, END)
            package.attribution = Sample.from_result(attributed.result)

    def _child(self, name: str, scratch: Path, *, importtime: bool = False) -> ChildOutcome:
        result_file = scratch / "result.json"
        result_file.unlink(missing_ok=True)
        flags = ["-X", "importtime"] if importtime else []
        command = [sys.executable, *flags, str(PROBE), name, str(result_file), *self.path]
        with self._lock:
            if self._cancelled:
                return ChildOutcome(None, "", CANCELLED)
            try:
                child = self._current = launch(
                    command,
                    label=f"importing {name}",
                    limit=TimeLimit(self.timeout, TIMEOUT_SETTING),
                    cwd=self.cwd,
                    env=self.env,
                    killed="the child interpreter",
                    nice=self.nice,
                )
            except ChildStartError as exc:
                return ChildOutcome(None, "", str(exc))
        try:
            finished = child.wait()
        except ChildError as exc:
            return ChildOutcome(None, "", str(exc))
        finally:
            with self._lock:
                self._current = None
            child.close()
        return self._outcome(name, finished, result_file)

    def _outcome(self, name: str, finished: Finished, result_file: Path) -> ChildOutcome:
        if self._cancelled:
            return ChildOutcome(None, finished.stderr, CANCELLED)
        if finished.status != 0 or not result_file.is_file():
            last = one_line(finished.stderr, last_lines=1) or "no output"
            return ChildOutcome(
                None,
                finished.stderr,
                f"the interpreter importing {name} exited with status {finished.status} before "
                f"reporting ({last})",
            )
        result = json.loads(result_file.read_text(encoding="utf-8"))
        return ChildOutcome(result, finished.stderr, None)

    @staticmethod
    def _problem(name: str, outcome: ChildOutcome) -> str | None:
        if outcome.problem is not None:
            return outcome.problem
        error = outcome.result["error"] if outcome.result is not None else None
        if not error:
            return None
        missing = error.get("missing")
        if missing and (name == missing or name.startswith(missing + ".")):
            return (
                f"{name} {NOT_FOUND} {missing!r} on the "
                f"test run's sys.path (check [tool.healthgate] packages)"
            )
        where = f" at {error['where']}" if error.get("where") else ""
        return f"importing {name} raised {error['type']}: {error['message']}{where}"


class ImportCollector(Collector):
    """``import_time`` and ``import_memory``: sampled in a thread, beside the tests."""

    def __init__(self, context: CollectorContext) -> None:
        super().__init__(context)
        options = context.options
        self.packages = list(self.settings.packages)
        self.samples = int(options["samples"])
        self.timeout = float(options["timeout"])
        self.keep = float(options["keep"])  # seconds a figure is kept while its inputs hold
        self.kept: dict[str, PackageResult] = {}
        self.digests: dict[str, str] = {}  # package -> inputs_digest, for the ones measured
        self.started_at = 0.0
        # Measuring reads a bound here on purpose: a figure past it is sampled more.
        bounds = self.settings.gates.get("import_time")
        limits = [b for b in (bounds.warn, bounds.fail) if b is not None] if bounds else []
        self.recheck_above = min(limits) if limits else None
        self.sampler: ImportSampler | None = None
        self.thread: threading.Thread | None = None
        self.failure: str | None = None
        self.nice = priority.BACKGROUND  # FOREGROUND once the tests are over

    def start(self) -> None:
        """Start sampling in a thread and return at once; a worker samples nothing.

        Packages whose figures are kept from a recent run with the same inputs
        (``imports_kept``) are not measured again.
        """
        if self.role is Role.WORKER or not self.packages or self.thread is not None:
            return
        path, env = list(sys.path), child_environment(dict(os.environ))
        self.started_at = time.time()
        if self.context.use_cache and self.keep > 0:
            self._find_kept(path, env)
        self.sampler = ImportSampler(
            [name for name in self.packages if name not in self.kept],
            samples=self.samples,
            timeout=self.timeout,
            path=path,
            cwd=str(Path.cwd()),
            env=env,
            recheck_above=self.recheck_above,
            nice=self.nice,
        )
        if not self.sampler.packages:
            return  # every figure is kept: no interpreter to start
        self.thread = threading.Thread(
            target=self._run, name="healthgate-import-sampler", daemon=True
        )
        self.thread.start()

    def _find_kept(self, path: list[str], env: dict[str, str]) -> None:
        from pytest_healthgate.collect import imports_kept

        for name in self.packages:
            digest = imports_kept.inputs_digest(name, self.samples, path, env)
            if digest is not None:
                self.digests[name] = digest
        if not self.digests:
            return
        kept = imports_kept.KeptImports(self.settings.root)
        try:
            found = kept.find(self.digests, self.keep, self.started_at)
        finally:
            kept.save()
        # A figure past a bound is measured again, with the extra samples it gets.
        self.kept = {
            name: result
            for name, result in found.items()
            if self.recheck_above is None or result.best <= self.recheck_above
        }

    def _keep(self, results: list[PackageResult]) -> None:
        """Keep what this run measured without an error, for the next runs."""
        from pytest_healthgate.collect import imports_kept

        measured = [
            r for r in results if r.kept_at is None and r.error is None and r.name in self.digests
        ]
        if not measured:
            return
        kept = imports_kept.KeptImports(self.settings.root)
        for result in measured:
            kept.put(result.name, self.digests[result.name], result, self.started_at)
        kept.save()

    def tests_finished(self) -> None:
        """The next children run at the test run's priority: nothing is left to protect."""
        self.nice = priority.FOREGROUND
        if self.sampler is not None:
            self.sampler.nice = self.nice

    def _run(self) -> None:
        assert self.sampler is not None  # set by start() before the thread begins
        try:
            self.sampler.run()
        except Exception as exc:  # reported as the gates' ERROR
            self.failure = f"import sampling failed: {type(exc).__name__}: {exc}"

    def finish(self) -> list[Measurement]:
        if self.role is Role.WORKER:
            return []
        if not self.packages:
            reason = "no package to time; set packages in [tool.healthgate]"
            return [
                Measurement("import_time", skip_reason=reason),
                Measurement("import_memory", skip_reason=reason),
            ]
        if self.thread is not None:
            self.thread.join()
        if self.sampler is None:
            error = "import sampling did not run"
            return [
                Measurement("import_time", error=error),
                Measurement("import_memory", error=error),
            ]
        results = self._results(self.sampler)
        if self.failure is None and not self.settings.packages_from_healthgate:
            absent = _none_found(results)
            if absent is not None:
                return [
                    Measurement("import_time", skip_reason=absent),
                    Measurement("import_memory", skip_reason=absent),
                ]
        return measurements(results, self.samples, self.failure)

    def _results(self, sampler: ImportSampler) -> list[PackageResult]:
        """Every package's figures, kept or measured; what was measured is kept."""
        results = [
            self.kept.get(name)
            or sampler.results.get(name)
            or PackageResult(name, error=f"{name} was not measured")
            for name in self.packages
        ]
        if self.failure is None and self.context.use_cache and self.keep > 0:
            self._keep(results)
        return results

    def close(self) -> None:
        """An interrupted run must not leave a child interpreter behind."""
        if self.sampler is not None:
            self.sampler.cancel()


def _none_found(results: list[PackageResult]) -> str | None:
    """Why the import gates do not apply: no package derived from ``source`` can be found.

    Only for derived names (zero config): a package written in ``packages`` that
    cannot be imported is an ERROR.
    """
    if not all(
        r.error is not None and r.error.startswith(f"{r.name} {NOT_FOUND}") for r in results
    ):
        return None
    names = ", ".join(result.name for result in results)
    return (
        f"no importable package found (derived from source: {names}; not on the test "
        f'run\'s sys.path); set packages = ["..."] in [tool.healthgate]'
    )


def measurements(
    results: list[PackageResult], samples: int, failure: str | None = None
) -> list[Measurement]:
    """The two gates' measurements from every package's results."""
    errors = [result.error for result in results if result.error is not None]
    if failure is not None:
        errors.insert(0, failure)
    extra = {
        "samples": samples,
        "packages": {r.name: _package_extra(r) for r in results},
        "looked_at": {"packages imported": len(results)},
    }
    if errors:
        error = "; ".join(errors)
        return [
            Measurement("import_time", error=error, extra=extra),
            Measurement("import_memory", error=error, extra=extra),
        ]
    return [_time_measurement(results, extra), _memory_measurement(results, extra)]


def _time_measurement(results: list[PackageResult], extra: dict[str, Any]) -> Measurement:
    ranked = sorted(results, key=lambda result: (-result.best, result.name))
    details: list[Detail] = []
    for result in ranked:
        median = _duration(statistics.median(result.seconds))
        details.append(
            Detail(
                f"import {result.name}",
                result.best,
                Unit.DURATION,
                f"best of {len(result.seconds)}; median {median}; {_clocks(result.best_sample)}"
                f"{_kept_note(result)}",
            )
        )
    for result in ranked:
        if result.attribution is not None:
            details.append(
                Detail(
                    f"{result.name} under -X importtime",
                    result.attribution.wall,
                    Unit.DURATION,
                    f"one run, wall clock{_waited(result.attribution)}; "
                    "the modules below are its figures",
                )
            )
        for cost in result.slowest("cumulative_seconds"):
            note = f"self {format_value(cost.self_seconds, Unit.DURATION)}"
            if len(results) > 1:
                note += f"; importing {result.name}"
            details.append(Detail(cost.module, cost.cumulative_seconds, Unit.DURATION, note))
    return Measurement(
        "import_time",
        value=ranked[0].best,
        details=details,
        hint=f"make heavy imports of {ranked[0].name} lazy; see its slowest modules below",
        extra=extra,
    )


def _kept_note(result: PackageResult) -> str:
    if result.kept_at is None:
        return ""
    when = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(result.kept_at))
    return f"; measured at {when} and kept: nothing it depends on changed since"


def _duration(seconds: float) -> str:
    return format_value(seconds, Unit.DURATION)


def _clocks(sample: Sample) -> str:
    """What the judged figure was taken from, so no clock is hidden."""
    if sample.waiting is None:
        wall = f"wall clock {_duration(sample.wall)}; time waiting for a CPU cannot be read here"
    else:
        wall = f"wall {_duration(sample.wall)} less {_duration(sample.waiting)} waiting for a CPU"
    return f"{wall}; CPU {_duration(sample.cpu)}"


def _waited(sample: Sample) -> str:
    return (
        "" if sample.waiting is None else f", {_duration(sample.waiting)} of it waiting for a CPU"
    )


def _memory_measurement(results: list[PackageResult], extra: dict[str, Any]) -> Measurement:
    unavailable = [result.memory_unavailable for result in results if not result.memory]
    if unavailable:
        return Measurement(
            "import_memory",
            skip_reason=f"peak memory cannot be read here: {unavailable[0]}",
            extra=extra,
        )
    ranked = sorted(results, key=lambda result: (-min(result.memory), result.name))
    details = [
        Detail(
            f"import {result.name}",
            min(result.memory),
            Unit.SIZE,
            f"least of {len(result.memory)}{_kept_note(result)}",
        )
        for result in ranked
    ]
    return Measurement(
        "import_memory",
        value=float(min(ranked[0].memory)),
        details=details,
        hint=f"make heavy imports of {ranked[0].name} lazy",
        extra=extra,
    )


def _package_extra(result: PackageResult) -> dict[str, Any]:
    def costs(key: str) -> list[dict[str, Any]]:
        return [
            {"module": c.module, "self": c.self_seconds, "cumulative": c.cumulative_seconds}
            for c in result.slowest(key)
        ]

    waiting_known = bool(result.samples) and all(s.waiting is not None for s in result.samples)
    return {
        "error": result.error,
        "clock": "wall less waiting for a CPU" if waiting_known else "wall",
        "seconds": result.seconds,
        "best": min(result.seconds) if result.seconds else None,
        "wall": [sample.wall for sample in result.samples],
        "cpu": [sample.cpu for sample in result.samples],
        "waiting": [sample.waiting for sample in result.samples],
        "attribution": None if result.attribution is None else result.attribution.as_dict(),
        "kept_at": result.kept_at,
        "memory": result.memory,
        "least_memory": min(result.memory) if result.memory else None,
        "slowest_cumulative": costs("cumulative_seconds"),
        "slowest_self": costs("self_seconds"),
    }


def create(context: CollectorContext) -> ImportCollector:
    return ImportCollector(context)
