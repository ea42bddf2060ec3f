"""bandit's forked worker: the same issues as bandit here, forked early, never left running.

Real processes and real bandit throughout: the worker is what a changed file's
analysis waits on, so each test forks one and looks at what it did.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import Any

import pytest

from pytest_healthgate.collect.static.analysers import file_analyser, per_file, security_worker
from pytest_healthgate.collect.static.analysers.ruff import RuffAnalyser
from pytest_healthgate.collect.static.analysers.security_worker import SecurityWorker
from pytest_healthgate.collect.static.request import PER_FILE_TOOLS
from tests.test_static_engine import SIMPLE, project, run

BIG = "".join(f"def f{i}(a):\n    return a or {i}\n" for i in range(900))  # > SPLIT_BYTES
RISKY = "import subprocess\n\ndef run(cmd):\n    return subprocess.call(cmd, shell=True)\n"


def _wait_until_gone(worker: SecurityWorker) -> None:
    deadline = time.monotonic() + 30
    while worker.running and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not worker.running


def test_the_worker_finds_what_bandit_finds_in_this_process(tmp_path: Path) -> None:
    """The worker imports bandit itself, under this suite's warnings-as-errors (as a
    project's may be): bandit's plugin loader warns, and that must not break it."""
    root = project(tmp_path, {**SIMPLE, "pkg/broken.py": "def broken(:\n"})
    tasks = [(key, str(root / key)) for key in ("pkg/a.py", "pkg/b.py", "pkg/broken.py")]
    parsing = per_file._parsing(tasks)
    worker = SecurityWorker((), None, PER_FILE_TOOLS, os.devnull)
    worker.submit(parsing)
    found = dict(worker.result())
    assert not worker.running  # one scan, then it is gone
    here = file_analyser.FileAnalyser((), None)
    assert set(found) == {"pkg/a.py", "pkg/b.py"}  # the file that does not parse is not sent
    for key, path, _nosec in parsing:
        assert found[key] == (here.analyse(key, Path(path)).result.security, {})
    assert [issue.test_id for issue in found["pkg/b.py"][0]] == ["B404", "B602"]


def test_a_worker_sent_nothing_is_stopped_by_close() -> None:
    worker = SecurityWorker((), None, PER_FILE_TOOLS, os.devnull)
    assert worker.running
    worker.close()
    assert not worker.running
    worker.close()  # twice is harmless: the engine closes whatever is left
    with pytest.raises(RuntimeError, match="nothing was submitted"):
        worker.result()


def test_a_worker_that_dies_is_an_error_with_its_exit_status(tmp_path: Path) -> None:
    root = project(tmp_path, SIMPLE)
    worker = SecurityWorker((), None, PER_FILE_TOOLS, os.devnull)
    assert worker.pid is not None
    os.kill(worker.pid, signal.SIGKILL)
    _wait_until_gone(worker)
    worker.submit(per_file._parsing([("pkg/b.py", str(root / "pkg/b.py"))]))
    with pytest.raises(RuntimeError, match=r"ended without a result \(exit status -9\)"):
        worker.result()


def test_ctrl_c_in_the_worker_ends_it_quietly(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C reaches the whole process group: the worker returns, no traceback of its own.

    The worker's loop is run here, as the forked process runs it: a real SIGINT
    sent right after the fork can be lost (Python clears signals pending at the
    fork), which would make a test with a real process a race.
    """

    class Interrupted:
        def recv(self) -> Any:
            raise KeyboardInterrupt

        def send(self, reply: Any) -> None:
            raise AssertionError(f"nothing to send: {reply!r}")

    monkeypatch.setattr(file_analyser, "_ANALYSER", None)  # _serve sets this process's
    security_worker._serve(Interrupted(), (), None, PER_FILE_TOOLS, os.devnull)  # type: ignore[arg-type]


def test_a_worker_that_exits_while_scanning_makes_the_analysis_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Never a silent pass: the static gates say the analysis failed, and why."""
    root = project(tmp_path, {**SIMPLE, "pkg/big.py": BIG})
    monkeypatch.setattr(file_analyser, "security_in_worker", lambda tasks: os._exit(3))
    result = run(root, use_cache=False, jobs=2)
    assert "exit status 3" in result.errors["analysis"]
    assert "analysis" not in run(root, use_cache=False, jobs=1).errors  # bandit here: fine


def test_what_the_worker_raises_is_raised_in_the_analysis(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project(tmp_path, {**SIMPLE, "pkg/big.py": BIG})

    def broken(tasks: Any) -> Any:
        raise ValueError("the scan broke")

    monkeypatch.setattr(file_analyser, "security_in_worker", broken)
    result = run(root, use_cache=False, jobs=2)
    assert "ValueError" in result.errors["analysis"]
    assert "the scan broke" in result.errors["analysis"]


class _Spied:
    """The order in which the worker was forked and ruff was asked for its version."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.events: list[str] = []
        self.workers: list[SecurityWorker] = []
        forking, versions = SecurityWorker.__init__, RuffAnalyser.versions

        def forked(worker: SecurityWorker, *arguments: Any) -> None:
            self.events.append("worker forked")
            forking(worker, *arguments)
            self.workers.append(worker)

        def asked(analyser: RuffAnalyser) -> dict[str, str | None]:
            self.events.append("ruff looked up")
            return versions(analyser)

        monkeypatch.setattr(SecurityWorker, "__init__", forked)
        monkeypatch.setattr(RuffAnalyser, "versions", asked)


def test_one_changed_file_forks_bandits_worker_before_ruff_is_looked_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project(tmp_path, {**SIMPLE, "pkg/big.py": BIG})
    run(root, jobs=2)
    (root / "pkg/big.py").write_text(BIG + RISKY)
    spied = _Spied(monkeypatch)
    changed = run(root, jobs=2)
    assert spied.events == ["worker forked", "ruff looked up"]
    assert changed.cache["files"] == {"hits": 3, "misses": 1}
    assert not any(worker.running for worker in spied.workers)
    cold = run(root, use_cache=False, jobs=1)
    assert (changed.files, changed.lint, changed.errors) == (cold.files, cold.lint, cold.errors)
    assert [issue.test_id for issue in changed.files["pkg/big.py"].security] == ["B404", "B602"]


def test_nothing_is_forked_when_every_file_is_cached_or_there_is_one_core(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project(tmp_path, {**SIMPLE, "pkg/big.py": BIG})
    run(root, jobs=2)
    spied = _Spied(monkeypatch)
    assert run(root, jobs=2).cache["files"] == {"hits": 4, "misses": 0}
    (root / "pkg/big.py").write_text(BIG + RISKY)
    assert run(root, jobs=1).cache["files"] == {"hits": 3, "misses": 1}
    assert "worker forked" not in spied.events


def test_an_analysis_that_breaks_stops_the_worker_it_forked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project(tmp_path, {**SIMPLE, "pkg/big.py": BIG})
    spied = _Spied(monkeypatch)

    def interrupted(analyser: RuffAnalyser, *arguments: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(RuffAnalyser, "start", interrupted)
    with pytest.raises(KeyboardInterrupt):
        run(root, use_cache=False, jobs=2)
    assert spied.events[0] == "worker forked"
    assert spied.workers
    assert not any(worker.running for worker in spied.workers)


def test_a_worker_forked_for_files_that_then_go_to_the_pool_is_stopped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The plan is made again when the files are analysed; the worker goes if unused."""
    root = project(tmp_path, {**SIMPLE, "pkg/big.py": BIG})
    spied = _Spied(monkeypatch)
    plans = iter(["split", "pool"])
    monkeypatch.setattr(per_file.PerFileAnalyser, "_plan", lambda self, tasks: next(plans))
    result = run(root, use_cache=False, jobs=2)
    assert spied.events[0] == "worker forked"
    assert not any(worker.running for worker in spied.workers)
    assert result.errors == {}
    assert [issue.test_id for issue in result.files["pkg/b.py"].security] == ["B404", "B602"]
