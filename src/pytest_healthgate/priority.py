"""How the measuring children stay out of the tests' way: a lower CPU priority.

The static analysis and the import probes run beside the test session. While
tests run, they are started with a raised nice value (``BACKGROUND``), so on a
machine whose cores are busy the kernel gives the CPU to the tests first and the
children take what is left; on an idle core they run at full speed anyway. Once
the tests are over nothing is left to protect, and the children started from then
on run at the test run's own priority (``FOREGROUND``), so a run that waits for
them does not wait longer than it must.

The import figure does not move with the priority: it is the wall clock less the
time the probe's thread waited for a CPU (see ``collect/imports.py``), and a
lower priority only lengthens that wait.

A nice value is raised without any privilege, and only raised: where the
operating system refuses (or has no nice values), the child runs as it is.
"""

from __future__ import annotations

import os

BACKGROUND = 10  # added to the child's nice value while tests run (0 = unchanged, 19 = least)
FOREGROUND = 0


def lower(pid: int, increment: int) -> bool:
    """Add ``increment`` to the nice value of process ``pid``; False where it cannot be done."""
    if increment <= 0 or not hasattr(os, "setpriority"):
        return False
    try:
        current = os.getpriority(os.PRIO_PROCESS, pid)
        os.setpriority(os.PRIO_PROCESS, pid, min(19, current + increment))
    except OSError:  # the child already exited, or the system refuses
        return False
    return True


def nice_of(pid: int) -> int | None:
    """The nice value of process ``pid`` (None where it cannot be read)."""
    if not hasattr(os, "getpriority"):
        return None
    try:
        return os.getpriority(os.PRIO_PROCESS, pid)
    except OSError:
        return None
