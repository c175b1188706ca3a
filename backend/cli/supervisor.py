"""Keeps the child processes of ``up`` running: a dead child is restarted with backoff, not fatal.

``make run`` starts the signing server, the web process and the outbox worker as children of one
supervisor. Any one of them can die (a crash, an operator's ``kill -9``, the OOM killer); the others
keep serving while the dead one is started again after a delay that doubles on every consecutive
failure (``base_delay`` … ``max_delay``) and resets once the child has stayed up for
``stable_after`` seconds. Every exit and restart is reported on stderr, in Vietnamese and English,
so an operator watching the console sees what happened. Only SIGINT/SIGTERM stop the supervisor.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TextIO

__all__ = ["Child", "Start", "Supervisor"]

Start = Callable[[], "subprocess.Popen[bytes]"]
"""Starts one child process (a new one on every call)."""


@dataclass
class Child:
    """One supervised process: how to start it, the running process and its restart bookkeeping."""

    name: str
    start: Start
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    failures: int = 0
    restart_at: float | None = None
    restarts: int = 0


class Supervisor:
    """Starts children, restarts the dead ones with exponential backoff, stops them all on request.

    Args:
        children: child name → the function that starts it.
        clock: monotonic seconds (injectable for tests).
        base_delay / max_delay: the first and the largest wait before a restart.
        stable_after: a child that ran this long before dying is restarted after ``base_delay`` again.
        report: where exits and restarts are written.
    """

    def __init__(self, children: Mapping[str, Start], *,
                 clock: Callable[[], float] = time.monotonic, base_delay: float = 1.0, max_delay: float = 30.0,
                 stable_after: float = 60.0, report: TextIO | None = None) -> None:
        self.children = {name: Child(name, start) for name, start in children.items()}
        self._clock = clock
        self.base_delay, self.max_delay, self.stable_after = base_delay, max_delay, stable_after
        self._report = report or sys.stderr

    def start(self) -> None:
        """Start every child."""
        for child in self.children.values():
            self._start(child)

    def _start(self, child: Child) -> None:
        child.process = child.start()
        child.started_at = self._clock()
        child.restart_at = None

    def _say(self, text: str) -> None:
        print(text, file=self._report, flush=True)

    def delay_for(self, failures: int) -> float:
        """The wait before restarting a child that has failed ``failures`` times in a row (≥ 1)."""
        return min(self.max_delay, self.base_delay * 2.0 ** max(0, failures - 1))

    def tick(self) -> None:
        """Notice dead children and schedule their restart; restart those whose delay has passed."""
        now = self._clock()
        for child in self.children.values():
            if child.restart_at is not None:
                if now >= child.restart_at:
                    child.restarts += 1
                    self._say(f"Khởi động lại tiến trình {child.name} (lần {child.restarts}) / "
                              f"restarting the {child.name} process (restart {child.restarts}).")
                    self._start(child)
                continue
            if child.process is None or child.process.poll() is None:
                continue
            code = child.process.returncode
            child.failures = 1 if now - child.started_at >= self.stable_after else child.failures + 1
            delay = self.delay_for(child.failures)
            child.restart_at = now + delay
            self._say(f"Tiến trình {child.name} đã dừng (mã {code}); khởi động lại sau {delay:g} giây / "
                      f"the {child.name} process exited with code {code}; restarting in {delay:g} s.")

    def stop(self, timeout: float = 10.0) -> None:
        """Terminate every running child; kill those still alive after ``timeout`` seconds."""
        running = [c.process for c in self.children.values() if c.process is not None and c.process.poll() is None]
        for process in running:
            process.terminate()
        for process in running:
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def run(self, should_stop: Callable[[], bool], interval: float = 0.5) -> None:
        """Supervise until ``should_stop()`` is true, then stop the children."""
        self.start()
        try:
            while not should_stop():
                self.tick()
                time.sleep(interval)
        finally:
            self.stop()
