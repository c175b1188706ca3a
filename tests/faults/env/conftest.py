"""Fixtures of the environmental fault tests: throwaway Redis and PostgreSQL servers this suite may stop.

The shared servers of ``make test`` (Redis on 6379, PostgreSQL on 5432) are never touched: each test that
takes a service down starts its own on a free loopback port. Which pass collects which module:
the Redis and PostgreSQL faults only where that service is in use (the PostgreSQL + Redis pass); the
clock skew (no database involved) once, in the SQLite pass; the full disk in both.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis

from tests.conftest import ON_POSTGRES
from tests.integration.incoming.conftest import clients
from tests.integration.push.conftest import drain, receiver, subscribe, user_id
from tests.support.live import live_server
from tests.support.signing import free_port

__all__ = ["ThrowawayPostgres", "ThrowawayRedis", "clients", "drain", "live_server", "receiver", "subscribe",
           "throwaway_postgres", "throwaway_redis", "user_id"]

collect_ignore = ["test_clock_skew.py"] if ON_POSTGRES else ["test_redis_down.py", "test_postgres_restart.py"]


@dataclass
class ThrowawayRedis:
    """A ``redis-server`` of this test only (append-only file on, so a restart keeps its data)."""

    directory: Path
    port: int
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.directory),
             "--save", "", "--appendonly", "yes", "--appendfsync", "always"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                redis.Redis.from_url(self.url).ping()
                return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        """SIGTERM (Redis flushes its append-only file and exits); waits until the port refuses."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(10)
        self.process = None


@pytest.fixture
def throwaway_redis(tmp_path: Path) -> Iterator[ThrowawayRedis]:
    assert shutil.which("redis-server"), "redis-server is required (apt-get install redis-server)"
    directory = tmp_path / "redis"
    directory.mkdir()
    server = ThrowawayRedis(directory, free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _as_postgres_user() -> list[str]:
    """PostgreSQL refuses to run as root: run its binaries as ``postgres`` then."""
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


@dataclass
class ThrowawayPostgres:
    """A PostgreSQL cluster of this test only (``initdb`` into a temporary directory), which it may restart."""

    directory: Path
    port: int

    def _ctl(self, *args: str) -> None:
        subprocess.run([*_as_postgres_user(), "pg_ctl", "-D", str(self.directory / "data"), "-w", "-l",
                        str(self.directory / "pg.log"), *args], check=True, stdout=subprocess.DEVNULL)

    @property
    def server_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}"

    def start(self) -> None:
        self._ctl("-o", f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1", "start")

    def restart(self) -> None:
        """``pg_ctl restart -m fast``: every connection is terminated, in-flight transactions roll back."""
        self._ctl("-m", "fast", "-o", f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1",
                  "restart")

    def stop(self) -> None:
        self._ctl("-m", "immediate", "stop")


@pytest.fixture
def throwaway_postgres() -> Iterator[ThrowawayPostgres]:
    # not under pytest's tmp_path: the postgres user must be able to reach the directory
    directory = Path(tempfile.mkdtemp(prefix="cv-faults-pg-"))
    if os.geteuid() == 0:
        shutil.chown(directory, "postgres", "postgres")
    server = ThrowawayPostgres(directory, free_port())
    subprocess.run([*_as_postgres_user(), "initdb", "-D", str(directory / "data"), "-U", "postgres",
                    "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"], check=True, stdout=subprocess.DEVNULL)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(directory, ignore_errors=True)
