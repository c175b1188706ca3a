"""The ``up`` supervisor restarts a dead child with backoff and keeps the others running."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time

from backend.cli.supervisor import Supervisor

SLEEPER = [sys.executable, "-c", "import time; time.sleep(60)"]
CRASHER = [sys.executable, "-c", "raise SystemExit(3)"]


def _starts(argv):
    return lambda: subprocess.Popen(argv)


def _wait_for(predicate, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("condition not reached in time")


def test_supervisor_restarts_a_killed_child_and_leaves_the_others_running() -> None:
    report = io.StringIO()
    supervisor = Supervisor({"web": _starts(SLEEPER), "worker": _starts(SLEEPER)}, base_delay=0.1, report=report)
    supervisor.start()
    try:
        web_pid = supervisor.children["web"].process.pid
        worker = supervisor.children["worker"].process
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait()

        def restarted() -> bool:
            supervisor.tick()
            child = supervisor.children["worker"]
            return child.process is not worker and child.process.poll() is None

        _wait_for(restarted)
        assert supervisor.children["web"].process.pid == web_pid
        assert supervisor.children["web"].process.poll() is None
        assert supervisor.children["worker"].restarts == 1
        assert "the worker process exited with code -9" in report.getvalue()
        assert "restarting the worker process" in report.getvalue()
    finally:
        supervisor.stop()
    assert all(c.process.poll() is not None for c in supervisor.children.values())


def test_supervisor_backs_off_exponentially_for_a_child_that_keeps_crashing() -> None:
    now = [0.0]
    spawned: list[subprocess.Popen[bytes]] = []

    def start():
        process = _exited(CRASHER)
        spawned.append(process)
        return process

    supervisor = Supervisor({"signing": start}, clock=lambda: now[0], base_delay=1, max_delay=8,
                            stable_after=60, report=io.StringIO())
    supervisor.start()
    delays = []
    for _ in range(5):
        supervisor.tick()  # notices the exit and schedules the restart
        child = supervisor.children["signing"]
        delays.append(child.restart_at - now[0])
        now[0] = child.restart_at
        supervisor.tick()  # restarts it
    assert delays == [1, 2, 4, 8, 8]
    assert len(spawned) == 6


def test_supervisor_resets_the_backoff_after_a_stable_run() -> None:
    now = [0.0]
    supervisor = Supervisor({"worker": lambda: _exited(CRASHER)}, clock=lambda: now[0],
                            base_delay=1, max_delay=30, stable_after=60, report=io.StringIO())
    supervisor.start()
    for _ in range(3):
        supervisor.tick()
        now[0] = supervisor.children["worker"].restart_at
        supervisor.tick()
    now[0] += 120  # the fourth run lasted two minutes before dying
    supervisor.tick()
    child = supervisor.children["worker"]
    assert child.restart_at - now[0] == 1


def _exited(argv) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(list(argv))
    process.wait()
    return process
