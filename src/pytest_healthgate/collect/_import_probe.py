"""Child-interpreter script: import one package and report what it cost.

Run as ``python _import_probe.py NAME RESULT_FILE PATH...`` by ``collect/imports.py``,
never imported by the plugin. It replaces ``sys.path`` with the test run's, times
the import around ``__import__`` (interpreter start-up is outside the window),
measures the peak resident memory the import added, writes one JSON object to
RESULT_FILE and leaves with ``os._exit`` so that threads or exit handlers of the
package cannot hold it up.

Three clocks are read around the import: ``time.perf_counter`` (wall clock),
``time.process_time`` (CPU time of the process, all threads, user and system) and,
on Linux, the time this thread spent runnable but waiting for a CPU (the run-queue
delay of ``/proc/thread-self/schedstat``), which is what other processes on a busy
machine add to the wall clock. The parent judges wall clock less that wait.

Before the import it loads nothing the interpreter has not loaded at start-up
(``os``, ``sys`` and ``time`` only); ``json`` and ``traceback`` come after the
measurement. ``BEGIN`` and ``END`` lines on stderr delimit the import for
``-X importtime`` attribution.

Peak memory: on Linux the kernel's high-water mark (VmHWM) is reset to the current
size just before the import (``/proc/self/clear_refs``), so VmHWM minus VmRSS is
exactly the peak the import added. Elsewhere ``ru_maxrss`` (macOS, BSD) or psutil's
peak working set (Windows) is compared with the figure before the import.
"""

from __future__ import annotations

import os
import sys
import time

# Nothing else is imported before the measured import: a module this script loaded
# first would be missing from the package's own cost (json alone pulls in re).
BEGIN = "healthgate-probe: begin"
END = "healthgate-probe: end"


def _proc_status_bytes(field: str) -> int | None:
    try:
        with open("/proc/self/status", encoding="ascii") as handle:  # noqa: PTH123
            for line in handle:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def _waiting() -> int | None:
    """Nanoseconds this thread has spent runnable but waiting for a CPU, if Linux says.

    The second field of ``/proc/thread-self/schedstat`` (``run_delay``). A kernel
    without scheduler statistics prints zeros; its slice count (third field) is 0
    then, which no running thread has, so that reads as unknown, not as no wait.
    """
    try:
        fd = os.open("/proc/thread-self/schedstat", os.O_RDONLY)
    except OSError:  # not Linux, or /proc is not mounted
        return None
    try:
        fields = os.read(fd, 256).split()
        return int(fields[1]) if int(fields[2]) > 0 else None
    except (OSError, ValueError, IndexError):
        return None
    finally:
        os.close(fd)


def _maxrss() -> int:
    import resource  # a built-in module on POSIX: no file is read, nothing is hidden

    peak = int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    return peak if sys.platform == "darwin" else peak * 1024  # macOS: bytes; else KiB


class _Memory:
    """Peak resident memory added between ``before()`` and ``after()``."""

    def __init__(self) -> None:
        self.method = ""
        self.baseline = 0
        self.unavailable = ""
        self._psutil: object = None

    def before(self) -> None:
        rss = _proc_status_bytes("VmRSS")
        if rss is not None:
            # Linux: reset the high-water mark to the current size, so VmHWM read
            # afterwards is the peak reached during the import (Linux >= 4.0).
            try:
                with open("/proc/self/clear_refs", "w", encoding="ascii") as handle:  # noqa: PTH123
                    handle.write("5")
                self.method = "VmHWM after reset"
            except OSError:
                self.method = "VmHWM"
            self.baseline = rss
            return
        if sys.platform == "win32":
            try:
                import psutil
            except ImportError:
                self.unavailable = "psutil is not installed, and Windows has no resource module"
                return
            process = psutil.Process()
            self._psutil = process
            self.method = "peak working set"
            self.baseline = int(process.memory_info().rss)
            return
        try:
            self.baseline = _maxrss()
        except (ImportError, OSError):
            self.unavailable = f"no way to read peak memory on {sys.platform}"
            return
        self.method = "ru_maxrss"

    def after(self) -> int | None:
        if self.unavailable:
            return None
        if self.method.startswith("VmHWM"):
            peak = _proc_status_bytes("VmHWM")
        elif self._psutil is not None:
            peak = int(getattr(self._psutil, "memory_info")().peak_wset)  # noqa: B009
        else:
            peak = _maxrss()
        return None if peak is None else max(0, peak - self.baseline)


def _describe(exc: BaseException) -> dict[str, object]:
    import traceback  # after the measurement, so it costs the package nothing

    where = ""
    # The innermost frame outside the import machinery says where it went wrong.
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if "importlib" not in frame.filename and frame.filename != __file__:
            where = f"{frame.filename}:{frame.lineno}"
            break
    return {
        "type": type(exc).__name__,
        "message": str(exc),
        "missing": exc.name if isinstance(exc, ModuleNotFoundError) else None,
        "where": where,
    }


def main(argv: list[str]) -> None:
    """``argv``: script, package name, result file, then the sys.path entries to use."""
    name, result_file, path = argv[1], argv[2], argv[3:]
    sys.path[:] = path
    memory = _Memory()
    memory.before()
    sys.stderr.write(BEGIN + "\n")
    sys.stderr.flush()
    failure: BaseException | None = None
    # The wall-clock window encloses the other two, so a wait can never be
    # counted that the wall clock did not see.
    started = time.perf_counter()
    waited_before = _waiting()
    cpu_before = time.process_time()
    try:
        __import__(name)
    except BaseException as exc:  # SystemExit from a package is an error too
        failure = exc
    cpu = time.process_time() - cpu_before
    waited_after = _waiting()
    wall = time.perf_counter() - started
    waiting = None
    if waited_before is not None and waited_after is not None:
        waiting = (waited_after - waited_before) / 1e9
    sys.stderr.write("\n" + END + "\n")
    sys.stderr.flush()
    added = memory.after()
    import json

    result = {
        "wall": wall,
        "cpu": cpu,
        "waiting": waiting,
        "memory": added,
        "memory_method": memory.method,
        "memory_unavailable": memory.unavailable,
        "error": None if failure is None else _describe(failure),
    }
    with open(result_file, "w", encoding="utf-8") as handle:  # noqa: PTH123
        json.dump(result, handle)


if __name__ == "__main__":
    status = 0
    try:
        main(sys.argv)
    except BaseException:  # reported to the parent: traceback on stderr, status 1
        import traceback

        traceback.print_exc()
        status = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)  # neither threads nor exit handlers of the package may hold us up
