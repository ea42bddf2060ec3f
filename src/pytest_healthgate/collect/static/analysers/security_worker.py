"""bandit's part of a few files' analysis, in a forked process of its own.

When a handful of files miss the cache (the one file changed in a large
project, a hook's staged files), bandit takes about as long as radon and the
markers together, and importing bandit alone takes 0.1 s (its plugins are found
through stevedore's entry-point scan). A worker forked for bandit runs beside
this process, which analyses the rest meanwhile.

The per-file analyser forks it as soon as its cache lookup knows which files
miss (``PerFileAnalyser.warm_up``): it imports bandit while this process looks
up ruff's cache, starts ruff and parses the files. If the plan changes (a
cached entry that turned out bad adds files, too many for one worker), the
worker is stopped unused, as it is when the analysis ends early. One worker
serves one scan.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from pytest_healthgate.collect.static.analysers.file_analyser import Security

FILE_ANALYSER = "pytest_healthgate.collect.static.analysers.file_analyser"
Task = tuple[str, str, bool]  # key, path, whether the file may hold a `# nosec` comment


class SecurityWorker:
    """A forked process that imports bandit at once and scans the files it is sent."""

    def __init__(
        self,
        markers: tuple[str, ...],
        bandit_config: str | None,
        tools: tuple[str, ...],
        entry_points: str,
    ) -> None:
        import multiprocessing  # here: a run that finds every file cached forks nothing

        context = multiprocessing.get_context("fork")
        self._connection, theirs = context.Pipe()
        self._process = context.Process(
            target=_serve,
            args=(theirs, markers, bandit_config, tools, entry_points),
            name="healthgate-bandit",
            daemon=True,  # never outlives this process
        )
        self._process.start()
        theirs.close()
        self._sent = False

    @property
    def pid(self) -> int | None:
        return self._process.pid

    @property
    def running(self) -> bool:
        return self._process.is_alive()

    def submit(self, tasks: list[Task]) -> None:
        """Send the files to scan; ``result`` waits for the issues."""
        self._sent = True
        # A worker that died before reading them: ``result`` says how it ended.
        with contextlib.suppress(OSError):
            self._connection.send(tasks)

    def result(self) -> list[tuple[str, Security]]:
        """Each file's issues and errors; what the worker raised is raised here."""
        if not self._sent:
            raise RuntimeError("nothing was submitted to the bandit worker")
        try:
            failed, payload = self._connection.recv()
        except EOFError:
            self._process.join()
            raise RuntimeError(
                f"bandit's worker process ended without a result "
                f"(exit status {self._process.exitcode})"
            ) from None
        finally:
            self.close()
        if failed:
            raise payload
        return list(payload)

    def close(self) -> None:
        """Stop the worker, done or not; its result, if any, is not wanted."""
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()
        self._connection.close()


def _serve(
    connection: Connection,
    markers: tuple[str, ...],
    bandit_config: str | None,
    tools: tuple[str, ...],
    entry_points: str,
) -> None:
    """The worker: import bandit, wait for one list of files, send back their issues."""
    import importlib

    try:
        file_analyser = importlib.import_module(FILE_ANALYSER)
        file_analyser.init_worker(markers, bandit_config, tools, entry_points)
        file_analyser.prepare_security()
        tasks = connection.recv()
        _reply(connection, file_analyser, tasks)
    except (EOFError, BrokenPipeError):  # not wanted after all, or the run is gone
        return
    except KeyboardInterrupt:
        # Ctrl-C reaches the whole process group: the run says it was interrupted,
        # and this worker leaves quietly instead of printing a traceback of its own.
        return


def _reply(connection: Connection, file_analyser: Any, tasks: list[Task]) -> None:
    reply: tuple[bool, Any]
    try:
        reply = (False, file_analyser.security_in_worker(tasks))
    except Exception as exc:  # raised again in the parent, as a process pool would
        reply = (True, exc)
    try:
        connection.send(reply)
    except Exception as exc:  # an exception that does not pickle
        connection.send((True, RuntimeError(f"bandit's worker failed: {exc!r}")))
