"""Clocks the project's tests cannot stop.

healthgate's timeouts, durations and time stamps are taken in the test process,
beside tests that fake the time (freezegun, time-machine patch ``time.time``,
``time.monotonic`` and ``time.perf_counter`` - also as other modules hold
them). A child's timeout measured with a frozen clock fires at once, or never.
``clock_gettime`` reads the kernel's clocks directly, and no time-faking
library replaces it.
"""

from __future__ import annotations

import time


def monotonic() -> float:
    """Seconds of a clock that only moves forward (for timeouts and durations)."""
    return time.clock_gettime(time.CLOCK_MONOTONIC)


def now() -> float:
    """Seconds since the epoch, as the kernel has them (for time stamps)."""
    return time.clock_gettime(time.CLOCK_REALTIME)
