"""What the engine is asked to analyse: plain data that crosses the process boundary.

``StaticCollector`` writes it as ``request.json`` for ``python -m
pytest_healthgate.collect.static.engine REQUEST RESULT``; ``healthgate check``
and the hooks hand it to ``engine.analyse`` directly.

The engine process also tells its parent on stderr what it is doing (a
``STAGE`` line before each stage) and, when it fails, why (one ``FAILED`` line,
naming the tool or stage); ``engine_failure`` turns that into the gates' error.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from pytest_healthgate.launcher import TimeLimit, one_line

if TYPE_CHECKING:
    from pytest_healthgate.config import HealthgateConfig

DEFAULT_MARKERS = ("TODO", "FIXME", "HACK", "XXX")
# The tools run on each file on its own, and every tool of the engine but mypy.
PER_FILE_TOOLS = ("radon", "markers", "bandit")
ALL_TOOLS = ("ruff", *PER_FILE_TOOLS)
DEFAULT_TIMEOUT = 600.0  # seconds
TIMEOUT_SETTING = "[tool.healthgate.debt] timeout"
_TUPLES = ("entries", "exclude", "markers", "tools")
STAGE = "healthgate-engine: now "
FAILED = "healthgate-engine: failed: "


@dataclass(frozen=True)
class AnalysisRequest:
    """What to analyse and how."""

    root: str
    entries: tuple[str, ...]
    exclude: tuple[str, ...] = ()
    include_tests: bool = False
    markers: tuple[str, ...] = DEFAULT_MARKERS
    mypy: bool = False
    jobs: int = 0  # 0: one worker per available core
    use_cache: bool = True  # False: neither read nor write .healthgate/cache/
    full_scope: bool = True  # the whole configured source, not the files of a check PATH
    timeout: float = DEFAULT_TIMEOUT  # seconds each tool run may take before it is killed
    # The project whose .healthgate/cache/ is used, when not ``root``: the hooks analyse
    # the version before a change in a temporary folder, with the project's cache.
    cache_root: str = ""
    # The tools whose results are wanted: a hook that judges markers alone runs no
    # radon, bandit or ruff. mypy has its own switch.
    tools: tuple[str, ...] = ALL_TOOLS

    @property
    def time_limit(self) -> TimeLimit:
        return TimeLimit(self.timeout, TIMEOUT_SETTING)

    def to_json(self) -> str:
        import json  # here: the collector imports this module when the plugin loads

        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> AnalysisRequest:
        import json

        raw = json.loads(text)
        for name in _TUPLES:
            raw[name] = tuple(raw[name])
        return cls(**raw)


def engine_failure(stderr: str, status: int, last_lines: int) -> str:
    """Why the engine process gave no result, naming the tool or stage when it said so.

    A process that died without saying (a crash, a kill) is described by the
    stage it was in and the last ``last_lines`` lines of its other output.
    """
    failed, stages, other = [], [], []
    for line in stderr.splitlines():
        if line.startswith(FAILED):
            failed.append(line[len(FAILED) :])
        elif line.startswith(STAGE):
            stages.append(line[len(STAGE) :])
        else:
            other.append(line)
    if failed:
        return f"static analysis failed: {failed[-1]}"
    where = f" while {stages[-1]}" if stages else ""
    last_words = one_line("\n".join(other), last_lines=last_lines) or "no output"
    return f"static analysis failed (exit status {status}){where}: {last_words}"


def analysis_request(
    settings: HealthgateConfig,
    debt: Mapping[str, Any],
    entries: Sequence[str] = (),
    use_cache: bool = True,
) -> AnalysisRequest:
    """What to analyse: ``entries`` (PATHs given to ``check``) or the configured source."""
    return AnalysisRequest(
        root=str(settings.root),
        entries=tuple(entries) if entries else tuple(settings.source),
        exclude=tuple(settings.exclude),
        include_tests=bool(debt["include_tests"]),
        markers=tuple(debt["markers"]),
        mypy=bool(debt["mypy"]),
        jobs=int(debt["jobs"]),
        use_cache=use_cache,
        full_scope=not entries,
        timeout=float(debt["timeout"]),
    )
