"""``healthgate combine DIR... [--expect N]``: the shards of a split suite, judged as one run.

Each CI machine runs its part with ``pytest --healthgate --healthgate-shard=DIR``
(``record_shard``: no gate judged, the tests' own exit status kept). The combine
checks that the shards belong to one run (same commit, configuration, Python,
healthgate and coverage versions, and the commit checked out here) and that as
many as ``--expect`` arrived, naming the missing ones; then it merges them the
way the xdist controller merges its workers (the collectors' own ``merge``):
coverage through coverage.py's own combine, outcomes and test files united,
memory as the largest process, duration as the slowest shard (the sum is kept
beside it); the static analysis and import figures are the first shard's (one
commit, one analysis). Then it judges once, through the same pipeline as
``pytest --healthgate``: the same table, reports, history row and last-run record.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from pytest_healthgate.config import ConfigError, find_project, load

if TYPE_CHECKING:
    import pytest

    from pytest_healthgate.collect.lifecycle import CollectorSet
    from pytest_healthgate.config import HealthgateConfig
    from pytest_healthgate.model import Measurement
    from pytest_healthgate.store.shard import Shard

USAGE_ERROR = 2
COVERAGE = "coverage"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("shards", nargs="+", type=Path, metavar="DIR", help="the shards' folders")
    parser.add_argument(
        "--expect",
        type=int,
        metavar="N",
        help="the number of shards the suite was split into; fewer is an error naming "
        "the missing ones",
    )
    parser.add_argument(
        "--report",
        action="append",
        default=[],
        metavar="FORMAT[:PATH]",
        help="also write the result as FORMAT, like pytest's --healthgate-report",
    )


# -- the shard's side: pytest --healthgate --healthgate-shard=DIR -------------------


def _observes_tests(settings: HealthgateConfig, collector: str) -> bool:
    spec = settings.catalogue.collectors.get(collector)
    return spec is not None and spec.observes_tests


def _measured_once(settings: HealthgateConfig, measurement: Measurement) -> bool:
    """A figure every shard of the commit measures alike (static analysis, imports)."""
    spec = settings.catalogue.metrics.get(measurement.name)
    return spec is not None and not spec.derived and not _observes_tests(settings, spec.collector)


def _states(
    settings: HealthgateConfig, collectors: CollectorSet, measurements: list[Measurement]
) -> dict[str, object]:
    """Each test-observing collector's state; coverage as the data file it saved."""
    from pytest_healthgate.collect.coverage import shard_data

    states: dict[str, object] = {
        name: collector.shard_state()
        for name, collector in collectors.collectors.items()
        if name != COVERAGE and _observes_tests(settings, name)
    }
    covered = next((m for m in measurements if m.name == COVERAGE), None)
    if covered is not None:
        states[COVERAGE] = {"data": shard_data(covered), "error": covered.error}
    return states


def record_shard(
    folder: Path,
    config: pytest.Config,
    settings: HealthgateConfig,
    collectors: CollectorSet,
    tests_status: int,
) -> str:
    """Write this run as a shard in ``folder``; the line to print."""
    from pytest_healthgate.collect.outcomes import is_selection
    from pytest_healthgate.pipeline import git_commit
    from pytest_healthgate.store import shard

    measurements = collectors.finish()
    shard_id = str(config.getoption("healthgate_shard_id") or folder.name)
    record = shard.Shard(
        shard_id=shard_id,
        identity=shard.identity(git_commit(settings.root), settings.path),
        tests_status=tests_status,
        partial=[r for r in collectors.partial_reasons() if not is_selection(r)],
        states=_states(settings, collectors, measurements),
        measurements=[m for m in measurements if _measured_once(settings, m)],
    )
    try:
        path = shard.write(folder, record)
    except OSError as exc:
        return f"healthgate: ERROR: shard {shard_id} could not be written to {folder}: {exc}"
    return (
        f"healthgate: shard {shard_id} recorded in {path} (no gate judged here; "
        f"`healthgate combine` judges every shard as one run)"
    )


# -- the combine ----------------------------------------------------------------------


def _missing(shards: list[Shard], expect: int) -> str | None:
    if len(shards) >= expect:
        return None
    ids = [s.shard_id for s in shards]
    if all(shard_id.isdigit() for shard_id in ids):
        gone = sorted(set(range(1, expect + 1)) - {int(shard_id) for shard_id in ids})
        named = ", ".join(str(number) for number in gone) if gone else "unknown"
        return (
            f"expected {expect} shards, got {len(shards)} ({', '.join(ids)}): missing "
            f"shard {named}; wait for every shard's job, or download its artifact"
        )
    return (
        f"expected {expect} shards, got {len(shards)} ({', '.join(ids)}); wait for every "
        f"shard's job, or download its artifact"
    )


def _local_mismatch(shards: list[Shard], settings: HealthgateConfig) -> str | None:
    """The shards must have run on what is checked out here (the combine reads its sources)."""
    from pytest_healthgate.pipeline import git_commit
    from pytest_healthgate.store.shard import config_digest

    first = shards[0]
    here = {"commit": git_commit(settings.root), "config": config_digest(settings.path)}
    for key, value in here.items():
        if first.identity.get(key) != value:
            return (
                f"the shards ran with {key} {first.identity.get(key)!r}, this checkout has "
                f"{value!r}; run the combine on the commit and configuration the shards ran"
            )
    return None


def _problem(shards: list[Shard], settings: HealthgateConfig, expect: int | None) -> str | None:
    from pytest_healthgate.store.shard import mismatches

    if expect is not None:
        missing = _missing(shards, expect)
        if missing:
            return missing
    return mismatches(shards) or _local_mismatch(shards, settings)


def _merged(settings: HealthgateConfig, shards: list[Shard]) -> list[Measurement]:
    from pytest_healthgate.collect.coverage import combine_shards
    from pytest_healthgate.collect.lifecycle import CollectorSet, Role

    observed = [
        gate
        for gate in settings.gates
        if gate != COVERAGE
        and _observes_tests(settings, settings.catalogue.metrics[gate].collector)
    ]
    collectors = CollectorSet(settings, only=observed)
    collectors.role = Role.COMBINER
    collectors.create()
    for shard in shards:
        states = dict(shard.states)
        memory = states.get("memory")
        if isinstance(memory, dict):  # one process per shard, by its name
            states["memory"] = {**memory, "process": f"shard {shard.shard_id}"}
        collectors.merge(states)
    measurements = collectors.finish()
    if COVERAGE in settings.gates:
        blobs = [
            blob
            for shard in shards
            if isinstance(shard.states.get(COVERAGE), dict)
            and isinstance(blob := shard.states[COVERAGE].get("data"), bytes)
        ]
        measurements.append(combine_shards(settings, blobs))
    return [*measurements, *shards[0].measurements]


def run(arguments: argparse.Namespace) -> int:
    from pytest_healthgate import pipeline
    from pytest_healthgate.store.shard import ShardError, read

    try:
        settings = load(*find_project(Path.cwd()))
        targets = pipeline.report_targets(arguments.report, settings.root)
        shards = [read(folder) for folder in arguments.shards]
    except (ConfigError, ShardError) as exc:
        print(f"healthgate combine: {exc}", file=sys.stderr)
        return USAGE_ERROR
    problem = _problem(shards, settings, arguments.expect)
    if problem is not None:
        print(f"healthgate combine: {problem}", file=sys.stderr)
        return USAGE_ERROR
    tests_status = max(shard.tests_status for shard in shards)
    partial = [f"shard {s.shard_id}: {reason}" for s in shards for reason in s.partial]
    result = pipeline.judge_run(
        settings,
        _merged(settings, shards),
        surface="combine",
        publish=True,
        partial=partial,
        report_targets=targets,
        shards=[shard.shard_id for shard in shards],
        exit_status_of_tests=tests_status,
        gates_off=pipeline.gates_off(settings),
    )
    pipeline.print_result(result)
    return pipeline.exit_status(result, tests_status)
