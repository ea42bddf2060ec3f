"""What the engine is asked to analyse: plain data that crosses the process boundary.

``StaticCollector`` writes it as ``request.json`` for ``python -m
pytest_healthgate.collect.static.engine REQUEST RESULT``; ``healthgate check``
and the hooks hand it to ``engine.analyse`` directly.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from pytest_healthgate.launcher import TimeLimit

DEFAULT_MARKERS = ("TODO", "FIXME", "HACK", "XXX")
DEFAULT_TIMEOUT = 600.0  # seconds
TIMEOUT_SETTING = "[tool.healthgate.debt] timeout"
_TUPLES = ("entries", "exclude", "markers")


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
    full_scope: bool = True  # the whole configured source: stale cache entries are dropped
    timeout: float = DEFAULT_TIMEOUT  # seconds each tool run may take before it is killed

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
