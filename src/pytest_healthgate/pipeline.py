"""The one run path: measurements -> verdicts -> reports and stores -> exit status.

Every surface ends here - the pytest session, ``healthgate check``, the
pre-commit entries - so a figure is judged, written, printed and turned into
an exit status the same way whichever flow produced it.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, ClassVar

from pytest_healthgate import __version__
from pytest_healthgate.config import ConfigError, HealthgateConfig
from pytest_healthgate.gates import evaluate
from pytest_healthgate.model import Bounds, Measurement, RunResult
from pytest_healthgate.report import json_report, lines, terminal
from pytest_healthgate.store.files import state_dir, write_atomic

if TYPE_CHECKING:
    from pytest_healthgate.score import Health
    from pytest_healthgate.store.history import RunRow

LAST_RUN = "last-run.json"


class _Renderers(Mapping[str, Callable[[RunResult], str]]):
    """Report format -> its renderer, each module imported when its format is asked for
    (a commit hook renders none of them and should not pay for their imports)."""

    MODULES: ClassVar[dict[str, str]] = {
        "json": "json_report",
        "md": "markdown",
        "badge": "badge",
        "sarif": "sarif",
        "html": "html",
    }

    def __getitem__(self, fmt: str) -> Callable[[RunResult], str]:
        import importlib

        module = importlib.import_module(f"pytest_healthgate.report.{self.MODULES[fmt]}")
        renderer: Callable[[RunResult], str] = module.render
        return renderer

    def __iter__(self) -> Iterator[str]:
        return iter(self.MODULES)

    def __len__(self) -> int:
        return len(self.MODULES)


RENDERERS: Mapping[str, Callable[[RunResult], str]] = _Renderers()
ReportTarget = tuple[str, Path]  # (format, where)


class NoGateError(ConfigError):
    """A surface was asked to judge a set of gates of which none is configured."""


DEFAULT_REPORT = {
    "json": "report.json",
    "md": "report.md",
    "badge": "badge.svg",
    "sarif": "report.sarif",
    "html": "report.html",
}


def report_targets(texts: Iterable[str], root: Path) -> list[ReportTarget]:
    """Read every ``FORMAT[:PATH]`` of ``--healthgate-report``; relative paths are from
    ``root``; without a path, the format's file in ``.healthgate/``."""
    targets = []
    for text in texts:
        fmt, separator, where = text.partition(":")
        if fmt not in RENDERERS or (separator and not where):
            formats = ", ".join(sorted(RENDERERS))
            raise ConfigError(
                f"--healthgate-report={text}: expected FORMAT[:PATH] with FORMAT one of "
                f"{formats}, for example --healthgate-report=json:reports/healthgate.json."
            )
        path = Path(where) if where else Path(".healthgate") / DEFAULT_REPORT[fmt]
        targets.append((fmt, path if path.is_absolute() else root / path))
    return targets


def git_commit(root: Path) -> str | None:
    return git_text(root, "rev-parse", "HEAD") or None


def pytest_version() -> str:
    """pytest's version, without importing pytest outside a pytest run (about 50 ms)."""
    loaded = sys.modules.get("pytest")
    if loaded is not None:
        return str(loaded.__version__)
    # From its dist-info folder's name where it can (importlib.metadata: 15-25 ms).
    from pytest_healthgate.collect.static.analysers.tool_info import package_version

    return package_version("pytest") or "unknown"


def run_metadata(settings: HealthgateConfig, surface: str, **extra: Any) -> dict[str, Any]:
    import platform
    import uuid

    return {
        "run_id": uuid.uuid4().hex,
        "time": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "surface": surface,
        "python": platform.python_version(),
        "implementation": sys.implementation.name,
        "platform": sys.platform,
        "pytest": pytest_version(),
        "healthgate": __version__,
        "git_commit": git_commit(settings.root),
        "root": str(settings.root),
        "config_file": str(settings.path) if settings.path else None,
        "source": list(settings.source),
        **extra,
    }


def gates_off(settings: HealthgateConfig) -> list[str]:
    """Known gates this configuration leaves off (the report says how to turn them on)."""
    return [name for name in settings.catalogue.metrics if name not in settings.gates]


def select_gates(settings: HealthgateConfig, candidates: Sequence[str], noun: str) -> list[str]:
    """The configured gates among ``candidates``; none is a usage error naming them."""
    chosen = [name for name in candidates if name in settings.gates]
    if not chosen:
        where = settings.path or f"a pyproject.toml (none found at or above {settings.root})"
        first = settings.catalogue.metrics[candidates[0]] if candidates else None
        example = f"{first.name} = {first.example}" if first else ""
        raise NoGateError(
            f"no {noun} is configured in [tool.healthgate.gates] of {where}; add one of "
            f"{', '.join(candidates) or 'the gates of docs/gates.md'}, for example {example}."
        )
    return chosen


def measure(
    settings: HealthgateConfig,
    gates: Sequence[str],
    *,
    paths: Sequence[str] = (),
    use_cache: bool = True,
) -> list[Measurement]:
    """Measure ``gates`` outside pytest: their collectors start and finish here."""
    from pytest_healthgate.collect.lifecycle import CollectorSet

    collectors = CollectorSet(settings, only=gates, paths=tuple(paths), use_cache=use_cache)
    try:
        collectors.create()
        collectors.start()
        return collectors.finish()
    finally:
        collectors.close()


def judge_run(
    settings: HealthgateConfig,
    measurements: Iterable[Measurement],
    *,
    surface: str,
    gates: Iterable[str] | None = None,
    publish: bool = False,
    report_targets: Iterable[ReportTarget] = (),
    metadata: dict[str, Any] | None = None,
    partial: Sequence[str] = (),
    snapshot_to: Path | None = None,
    **extra: Any,
) -> RunResult:
    """Judge ``gates`` (default: every configured gate), then write what the surface keeps.

    ``publish`` records the run in ``.healthgate/`` (last-run.json and the digests
    of the sources it measured); ``report_targets`` are written either way.
    ``partial`` says why the run saw less than the whole suite: the record keeps
    the reasons, and the gates whose figures depend on the tests that ran say so.
    With a committed baseline (``.healthgate/baseline.toml``) each gate is also
    judged against it (``ratchet``). ``snapshot_to`` writes this run's figures in
    the baseline's format there (``healthgate init`` and ``baseline --update``).
    """
    measurements = list(measurements)
    wanted = None if gates is None else set(gates)
    bounds = {
        name: bound for name, bound in settings.gates.items() if wanted is None or name in wanted
    }
    if metadata is None:
        metadata = run_metadata(settings, surface, **extra)
        metadata["partial"] = list(partial)
    result, measurements = _judged(settings, bounds, measurements, metadata)
    from pytest_healthgate import ratchet

    result = ratchet.apply(
        result,
        measurements,
        settings,
        partial=partial,
        taking_baseline=snapshot_to is not None,
        subset=bool(extra.get("paths")),
    )
    if snapshot_to is not None:
        _write_snapshot(snapshot_to, settings, measurements, result, partial)
    if partial:
        result = _marked_partial(result, settings, partial)
    result = _with_health(result, settings, settings.gates)
    result.findings = lines.findings(measurements, bounds, settings.catalogue.metrics)
    if publish:
        _remember(result, settings)
        _record(result, settings)
        _summarise_on_github(result)
    _write_reports(result, settings, report_targets)
    return result


def _write_reports(
    result: RunResult, settings: HealthgateConfig, targets: Iterable[ReportTarget]
) -> None:
    for fmt, path in targets:
        if path.parent == settings.root / ".healthgate":
            state_dir(settings.root)  # refuses a .healthgate that is a symlink
        write_atomic(path, RENDERERS[fmt](result))


def _judged(
    settings: HealthgateConfig,
    bounds: Mapping[str, Bounds],
    measurements: list[Measurement],
    metadata: dict[str, Any],
) -> tuple[RunResult, list[Measurement]]:
    """Every gate judged; a derived gate (the health score) from the others' results."""
    from pytest_healthgate.parts import combined

    specs = settings.catalogue.metrics
    measurements = combined(measurements, specs)  # a gate measured in parts: one figure
    derived = [name for name in bounds if specs[name].derived]
    plain = {name: bound for name, bound in bounds.items() if name not in derived}
    result = evaluate(plain, specs, measurements, metadata)
    if not derived:
        return result, measurements
    from pytest_healthgate import score

    health = score.health(result.gates, specs, settings.score_weights)
    measurements = [*measurements, score.measurement(health)]
    return evaluate(bounds, specs, measurements, metadata), measurements


def _write_snapshot(
    path: Path,
    settings: HealthgateConfig,
    measurements: list[Measurement],
    result: RunResult,
    partial: Sequence[str],
) -> None:
    from pytest_healthgate import snapshot
    from pytest_healthgate.store import baseline

    commit = result.metadata.get("git_commit")
    taken = snapshot.snapshot(
        settings, measurements, commit=commit if isinstance(commit, str) else None
    )
    taken.partial = list(partial)
    write_atomic(path, baseline.render(taken))


def _marked_partial(
    result: RunResult, settings: HealthgateConfig, partial: Sequence[str]
) -> RunResult:
    """Each gate that depends on the tests that ran says the run was partial."""
    from dataclasses import replace

    note = f"partial run ({'; '.join(partial)}): the figure covers only what ran"
    catalogue = settings.catalogue
    marked = []
    for gate in result.gates:
        spec = catalogue.metrics.get(gate.name)
        collector = catalogue.collectors.get(spec.collector) if spec is not None else None
        if collector is not None and collector.observes_tests:
            reason = f"{gate.reason}; {note}" if gate.reason else note
            marked.append(replace(gate, reason=reason))
        else:
            marked.append(gate)
    return RunResult(gates=marked, metadata=result.metadata)


def _with_health(result: RunResult, settings: HealthgateConfig, bounds: Iterable[str]) -> RunResult:
    """The run with its health score; configured gates it did not judge are left out."""
    from pytest_healthgate import score

    judged = {gate.name for gate in result.gates}
    absent = [name for name in bounds if name not in judged]
    specs, weights = settings.catalogue.metrics, settings.score_weights
    health = score.health(result.gates, specs, weights, absent=absent)
    then = score.baseline_health(result.gates, specs, weights)
    if then is not None and then.score != health.score:
        from dataclasses import replace

        from pytest_healthgate import moves

        where = moves.baseline_reasons(result)
        since = score.why_it_moved(then, health, where=where, since="since the baseline")
        health = replace(health, since_baseline=since)
    return RunResult(gates=result.gates, metadata=result.metadata, health=health)


def _remember(result: RunResult, settings: HealthgateConfig) -> None:
    """Judge steady worsening and explain the score against the history, then add this run.

    A history that cannot be used is named on stderr; the run itself goes on.
    """
    import sqlite3
    from dataclasses import replace

    from pytest_healthgate import drift, moves, score
    from pytest_healthgate.store import history

    try:
        previous, notes = history.read(settings.root, last=settings.trend_runs)
        result.gates = [
            drift.drifted(gate, previous, settings.trend_runs, settings.trend_share)
            for gate in result.gates
        ]
        figures = moves.file_figures(result)
        if previous and result.health is not None:
            before = history.files_of(settings.root, previous[-1].run_id)
            where = moves.reasons(result, before, figures)
            moved = score.why_it_moved(_past_health(previous[-1]), result.health, where=where)
            trend = score.trend_line([*(run.score for run in previous), result.health.score])
            result.health = replace(result.health, moved=moved, trend=trend)
        notes += history.append(settings.root, _history_row(result, settings.root, figures))
    except (history.HistoryError, OSError, sqlite3.Error) as exc:
        notes = [f"healthgate: ERROR: this run was not added to the history: {exc}"]
    for note in notes:
        print(note, file=sys.stderr)


def _past_health(row: RunRow) -> Health:
    from pytest_healthgate import score

    gates = {name: (metric.points, metric.weight) for name, metric in row.metrics.items()}
    return score.from_history(row.score, row.formula, gates)


def _history_row(
    result: RunResult, root: Path, files: dict[str, dict[str, tuple[float, int]]]
) -> RunRow:
    from pytest_healthgate.store.history import MetricRow, RunRow

    health = result.health
    points = {gate.name: gate for gate in health.gates} if health is not None else {}
    metrics = {
        gate.name: MetricRow(
            gate.name,
            gate.value,
            gate.verdict.value,
            points[gate.name].points if gate.name in points else None,
            points[gate.name].weight if gate.name in points else None,
        )
        for gate in result.gates
    }
    branch, dirty = git_state(root)
    commit = result.metadata.get("git_commit")
    return RunRow(
        run_id=str(result.metadata.get("run_id", "")),
        time=str(result.metadata.get("time", "")),
        verdict="PASS" if result.ok else "FAIL",
        commit=commit if isinstance(commit, str) else None,
        branch=branch,
        dirty=dirty,
        partial=bool(result.metadata.get("partial")),
        surface=str(result.metadata.get("surface", "")),
        score=health.score if health is not None else None,
        formula=health.formula if health is not None else None,
        metrics=metrics,
        files=files,
    )


def git_state(root: Path) -> tuple[str | None, bool | None]:
    """The checked-out branch (None when detached or not a repository) and whether
    tracked files have changes not committed."""
    branch = git_text(root, "rev-parse", "--abbrev-ref", "HEAD")
    status = git_text(root, "status", "--porcelain", "--untracked-files=no")
    return (branch if branch and branch != "HEAD" else None), (
        None if status is None else bool(status)
    )


def git_text(root: Path, *arguments: str, timeout: float = 10) -> str | None:
    """What git prints, stripped; None when it fails (no repository, no commit yet)."""
    try:
        completed = subprocess.run(
            ["git", *arguments],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return completed.stdout.strip() if completed.returncode == 0 else None


def _summarise_on_github(result: RunResult) -> None:
    from pytest_healthgate.report import github

    problem = github.append_step_summary(result)
    if problem is not None:
        print(problem, file=sys.stderr)


def _record(result: RunResult, settings: HealthgateConfig) -> None:
    """Write last-run.json and its source digests; when .healthgate/ is refused or cannot
    be written (a symlink, a regular file, no permission), say so and write nothing."""
    from pytest_healthgate.store import sources

    try:
        folder = state_dir(settings.root)
        digests, skipped = sources.source_snapshot(settings)
        run_id = str(result.metadata.get("run_id", ""))
        # Digests first, the record last: a run killed between the two writes
        # leaves the old record beside digests of another run id, which the
        # last-run hook refuses, never a new record with old digests.
        write_atomic(folder / sources.SOURCES_FILE, sources.render(digests, skipped, run_id))
        write_atomic(folder / LAST_RUN, json_report.render(result))
    except OSError as exc:
        print(f"healthgate: ERROR: this run was not recorded: {exc}", file=sys.stderr)


def exit_status(result: RunResult, tests_status: int = 0) -> int:
    """The run's status: the tests' own when they did not pass, else 1 for a failed gate.

    FAIL and ERROR fail a run; WARN and SKIP never do.
    """
    if tests_status != 0:
        return tests_status
    return 0 if result.ok else 1


def change_status(problems: Sequence[str], *, could_not_run: bool = False) -> int:
    """The status of a hook that judges what a change adds: 1 for any problem.

    A change that could not be analysed fails too: never a silent pass.
    """
    return 1 if problems or could_not_run else 0


def render_text(result: RunResult, *, quiet: bool = False) -> list[terminal.Line]:
    return terminal.render(result, quiet=quiet)


def print_result(
    result: RunResult, fmt: str = "text", *, quiet: bool = False, stream: IO[str] | None = None
) -> int:
    """Print ``result`` as a table (text) or the JSON document; return the exit status."""
    out = stream if stream is not None else sys.stdout
    if fmt == "json":
        out.write(json_report.render(result))
    else:
        for text, _markup in render_text(result, quiet=quiet):
            out.write(text + "\n")
    return exit_status(result)
