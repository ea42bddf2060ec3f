"""Child processes: output through temporary files, a time limit, clear error messages."""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path
from typing import Any

import psutil
import pytest

from pytest_healthgate.launcher import (
    ChildStartError,
    ChildTimeoutError,
    TimeLimit,
    launch,
    one_line,
    run,
)

LIMIT = TimeLimit(60, "[tool.example] timeout")
HALF_SECOND = TimeLimit(0.5, "[tool.example] timeout")


def python(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def test_a_finished_child_hands_back_its_status_and_both_outputs(tmp_path: Path) -> None:
    code = "import sys, os; print(os.getcwd()); sys.stderr.write('warn\\n'); sys.exit(3)"
    finished = run(python(code), label="a child", limit=LIMIT, cwd=tmp_path)
    assert finished.status == 3
    assert finished.stdout.strip() == str(tmp_path)
    assert finished.stderr == "warn\n"


def test_output_larger_than_a_pipe_buffer_cannot_block_the_child() -> None:
    code = "import sys; sys.stdout.write('x' * 1_000_000); sys.stderr.write('y' * 1_000_000)"
    finished = run(python(code), label="a chatty child", limit=LIMIT)
    assert (len(finished.stdout), len(finished.stderr)) == (1_000_000, 1_000_000)


def test_the_environment_given_is_the_childs_whole_environment() -> None:
    code = "import os; print(sorted(k for k in os.environ if k.startswith('HG_')))"
    finished = run(python(code), label="a child", limit=LIMIT, env={"HG_ONLY": "1"})
    assert finished.stdout.strip() == "['HG_ONLY']"


def test_a_child_past_its_limit_is_killed_and_the_error_says_which_setting_raises_it() -> None:
    # The child's pid is Popen's: on a loaded machine the limit can pass before the
    # interpreter has even started, so the child cannot be asked to write it.
    child = launch(
        python("import time; time.sleep(60)"),
        label="sleeping",
        limit=TimeLimit(0.5, "[tool.example] timeout"),
        killed="the sleeper",
    )
    started = time.monotonic()
    with pytest.raises(ChildTimeoutError) as raised:
        child.wait()
    child.close()
    assert time.monotonic() - started < 30
    assert str(raised.value) == (
        "sleeping did not finish within 500ms; the sleeper was killed "
        "(raise [tool.example] timeout if this is expected)"
    )
    assert not psutil.pid_exists(child.pid)


def test_the_limit_counts_from_the_launch_not_from_the_wait() -> None:
    child = launch(python("import time; time.sleep(60)"), label="slow", limit=TimeLimit(0.3, "x"))
    time.sleep(0.5)
    started = time.monotonic()
    with pytest.raises(ChildTimeoutError):
        child.wait()
    child.close()
    assert time.monotonic() - started < 5


def test_a_command_that_cannot_start_says_why(tmp_path: Path) -> None:
    with pytest.raises(ChildStartError) as raised:
        launch([str(tmp_path / "missing-tool")], label="missing-tool", limit=LIMIT)
    assert str(raised.value).startswith("missing-tool could not start: [Errno 2]")
    assert raised.value.reason.startswith("[Errno 2]")


def test_killing_from_another_thread_ends_the_wait() -> None:
    child = launch(python("import time; time.sleep(60)"), label="slow", limit=LIMIT)
    killer = threading.Timer(0.2, child.kill)
    killer.start()
    finished = child.wait()
    child.close()
    killer.join()
    assert finished.status != 0


def test_close_kills_a_running_child() -> None:
    child = launch(python("import time; time.sleep(60)"), label="slow", limit=None)
    child.close()
    assert child.poll() is not None


@pytest.mark.parametrize(
    ("text", "options", "expected"),
    [
        ("Traceback ...\n\n  File x\nMemoryError\n", {}, "Traceback ... | File x | MemoryError"),
        ("a\nb\nc\nd\n", {"last_lines": 2}, "c | d"),
        ("", {}, ""),
        ("x" * 30, {"limit": 10}, "..." + "x" * 10),
    ],
)
def test_output_becomes_one_line_keeping_its_end(
    text: str, options: dict[str, Any], expected: str
) -> None:
    assert one_line(text, **options) == expected


def test_a_test_that_freezes_the_time_neither_fires_nor_stops_a_childs_timeout() -> None:
    """freezegun (real, as projects use it) stops time.monotonic while a test runs;
    healthgate's children are timed beside such tests (the import sampler)."""
    from freezegun import freeze_time

    with freeze_time("2020-02-02"):
        quick = launch(python("import time; time.sleep(0.3)"), label="quick", limit=LIMIT)
        slow = launch(python("import time; time.sleep(60)"), label="slow", limit=HALF_SECOND)
        try:
            assert quick.wait().status == 0  # a frozen clock did not fire the 60 s limit
            with pytest.raises(ChildTimeoutError):
                slow.wait()  # ...and did not stop the 0.5 s limit either
            assert slow.poll() is not None  # killed at its limit, not left running
        finally:
            quick.close()
            slow.close()
