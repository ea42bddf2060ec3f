"""A project's own metrics: values tests record with the ``healthgate_record`` fixture.

``healthgate_record("fps", 12.3)`` stores one value for the running test. At the
end of the run the values of each name are combined as its
``[tool.healthgate.metrics.NAME]`` table says (``aggregate``) and judged like a
built-in gate. Under pytest-xdist the workers ship their values to the
controller, and every aggregate is computed from the values sorted by test id,
so a run gives the same figure serially and with ``-n``:

* ``min``, ``max``, ``sum`` (``math.fsum``: exact, whatever the order), ``mean``
  (the exact sum over the count);
* ``p95``: the nearest-rank 95th percentile, the smallest value at or above
  95 % of all values (of 20 values, the 19th smallest);
* ``last``: the value recorded last in wall-clock time, across all workers.

A value recorded under a name nobody declared is reported with its mean, never
judged; a declared metric that no test recorded is ERROR, never PASS.
"""

from __future__ import annotations

import difflib
import math
from collections import defaultdict
from dataclasses import dataclass

from pytest_healthgate import clock
from pytest_healthgate.collect.lifecycle import Collector, CollectorContext
from pytest_healthgate.declared import NAME
from pytest_healthgate.model import Detail, Direction, Measurement

PRECISION = 2
DETAILS_SHOWN = 5


@dataclass(frozen=True)
class Recording:
    """One value one test recorded."""

    nodeid: str
    value: float
    stamp: float  # clock.now() when recorded, for "last"


def check_recording(name: object, value: object) -> float:
    """The value as a float; a TypeError or ValueError telling the test what is wrong."""
    if not isinstance(name, str) or not NAME.match(name):
        raise ValueError(
            f"healthgate_record: the metric name {name!r} must be letters, digits and "
            f"underscores, starting with a letter, such as 'fps'"
        )
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"healthgate_record({name!r}, {value!r}): the value must be a number")
    try:
        number = float(value)
    except OverflowError:
        number = math.inf  # an int too large for a float: refused below like infinity
    if not math.isfinite(number):
        raise ValueError(f"healthgate_record({name!r}, ...): the value must be a finite number")
    return number


def aggregate(how: str, recordings: list[Recording]) -> float:
    """Combine the values of one metric; ``recordings`` must not be empty."""
    values = sorted(r.value for r in sorted(recordings, key=lambda r: r.nodeid))
    if how == "min":
        return values[0]
    if how == "max":
        return values[-1]
    if how == "sum":
        return math.fsum(values)
    if how == "p95":
        return values[math.ceil(0.95 * len(values)) - 1]
    if how == "last":
        return max(recordings, key=lambda r: (r.stamp, r.nodeid)).value
    return math.fsum(values) / len(values)  # mean


class RecordedCollector(Collector):
    """Values recorded by tests, by metric name."""

    def __init__(self, context: CollectorContext) -> None:
        super().__init__(context)
        self.recordings: dict[str, list[Recording]] = defaultdict(list)

    def record(self, nodeid: str, name: str, value: float) -> None:
        number = check_recording(name, value)
        spec = self.settings.catalogue.metrics.get(name)
        if spec is not None and spec.collector != "recorded":
            # Its value would stand in for the real measurement of that gate.
            raise ValueError(
                f"healthgate_record({name!r}, ...): {name} is a gate healthgate measures "
                f"itself; record your figure under another name"
            )
        self.recordings[name].append(Recording(nodeid, number, clock.now()))

    def worker_payload(self) -> object:
        return [
            [name, r.nodeid, r.value, r.stamp]
            for name, recordings in self.recordings.items()
            for r in recordings
        ]

    def merge(self, payload: object) -> None:
        if not isinstance(payload, list):
            return
        for name, nodeid, value, stamp in payload:
            self.recordings[str(name)].append(Recording(str(nodeid), float(value), float(stamp)))

    def finish(self) -> list[Measurement]:
        measurements = [self._declared(name) for name in self.context.gates]
        for name in sorted(self.recordings.keys() - set(self.settings.aggregates)):
            measurements.append(self._undeclared(name))
        return measurements

    def _declared(self, name: str) -> Measurement:
        recordings = self.recordings.get(name)
        how = self.settings.aggregates.get(name, "mean")
        if not recordings:
            return Measurement(
                name,
                error=f"no test recorded {name}; record it with healthgate_record({name!r}, "
                f"value) in a test, or remove [tool.healthgate.metrics.{name}]",
            )
        spec = self.context.specs[name]
        worst_first = sorted(
            recordings,
            key=lambda r: (r.value if spec.direction is Direction.HIGHER else -r.value, r.nodeid),
        )
        return Measurement(
            name,
            value=aggregate(how, recordings),
            precision=PRECISION,
            details=[Detail(r.nodeid, r.value, spec.unit) for r in worst_first[:DETAILS_SHOWN]],
            extra={"aggregate": how, "values": len(recordings)},
        )

    def _undeclared(self, name: str) -> Measurement:
        recordings = self.recordings[name]
        reason = f"recorded by tests ({_values(len(recordings))}, mean shown) but not declared; "
        close = difflib.get_close_matches(name, list(self.settings.aggregates), n=1)
        if close:
            reason += f"did you mean {close[0]!r}? Else "
        reason += (
            f"add [tool.healthgate.metrics.{name}] with better = "
            f'"higher" or "lower" and a fail bound to gate it'
        )
        return Measurement(
            name,
            value=aggregate("mean", recordings),
            precision=PRECISION,
            skip_reason=reason,
            extra={"aggregate": "mean", "values": len(recordings)},
        )


def create(context: CollectorContext) -> RecordedCollector:
    return RecordedCollector(context)


def _values(count: int) -> str:
    return f"{count} value" + ("" if count == 1 else "s")
