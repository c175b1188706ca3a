"""The real processes of one deployment on loopback, each of which can be killed with SIGKILL and restarted.

:class:`Stack` holds the web process (``python -m backend serve``), the outbox worker
(``python -m backend worker``) and the signing server (SoftHSM2, :mod:`tests.support.signing`),
all pointed at one database. :func:`fresh_database` makes that database outside pytest (a SQLite
file, or a new PostgreSQL database on the server ``TEST_DATABASE_URL`` names), migrated and seeded
with the demo province.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx

from backend.cli.seed import seed_demo_into
from backend.db.engine import create_engine, create_sessionmaker
from backend.db.migrate import upgrade
from tests.support.signing import (
    REPO,
    DemoOwner,
    SigningEnv,
    app_signing_env,
    free_port,
    running_signing_server,
    stop_process,
)

__all__ = ["PROCESSES", "Stack", "SIGNING_OWNERS", "fresh_database", "running_stack", "stack_env"]

PROCESSES = ("web", "worker", "signing")

SIGNING_OWNERS = (
    DemoOwner("lanhdao.xanghiphong", "user", "Võ Minh Nam", "Ủy ban nhân dân xã Nghi Phong"),
    DemoOwner("000.01.21.H41", "agency", "Ủy ban nhân dân xã Nghi Phong", "Ủy ban nhân dân xã Nghi Phong"),
)
"""The Nghi Phong leader's credential and the commune's seal: what the trial operations sign with."""


@dataclass
class AppProcess:
    """``python -m backend <args>`` in ``env``; ``health`` (a URL) makes :meth:`start` wait until it answers."""

    args: tuple[str, ...]
    env: dict[str, str]
    log_path: Path
    health: str = ""
    proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen([sys.executable, "-m", "backend", *self.args], env=self.env, cwd=REPO,
                                         stdout=log, stderr=subprocess.STDOUT)
        self.wait_healthy()

    def wait_healthy(self) -> None:
        """Wait until ``health`` answers 200 (at once when there is none); seconds idle, minutes on busy cores."""
        deadline = time.monotonic() + 120
        while self.health and time.monotonic() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.args} exited: {self.log_path.read_text()[-3000:]}")
            try:
                if httpx.get(self.health, timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        if self.health:
            raise RuntimeError(f"{self.args} did not become healthy in 120 s")

    def stop(self) -> None:
        stop_process(self.proc)
        self.proc = None


@dataclass
class Stack:
    """Web, worker and signing server of one deployment; :meth:`kill` sends SIGKILL, :meth:`restart` starts again."""

    env: dict[str, str]
    senv: SigningEnv
    web: AppProcess
    worker: AppProcess
    kills: dict[str, int] = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.env['PORT']}"

    def _popen(self, name: str) -> subprocess.Popen[bytes] | None:
        return {"web": self.web.proc, "worker": self.worker.proc, "signing": self.senv.server.proc}[name]

    def kill(self, name: str) -> None:
        """SIGKILL the process ``name`` (one of :data:`PROCESSES`) and reap it."""
        proc = self._popen(name)
        assert proc is not None and proc.poll() is None, f"{name} is not running"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        self.kills[name] = self.kills.get(name, 0) + 1

    def restart(self, name: str) -> None:
        """Start ``name`` again (waits until the web process and the signing server answer)."""
        {"web": self.web, "worker": self.worker, "signing": self.senv.server}[name].start()

    def ensure_running(self) -> None:
        """Start any process that is not running (a trial may have left one dead), wait for the web process."""
        for name in PROCESSES:
            proc = self._popen(name)
            if proc is None or proc.poll() is not None:
                self.restart(name)
        self.web.wait_healthy()


def stack_env(base: dict[str, str], senv: SigningEnv, root: Path) -> dict[str, str]:
    """The deployment's environment: ``base`` (database, data dir, secrets) plus the signing server, a port."""
    return {**os.environ, **base, **app_signing_env(senv, root), "PORT": str(free_port()), "HOST": "127.0.0.1",
            "OUTBOX_LEASE_SECONDS": "2", "WORKER_POLL_MS": "100", "PYTHONUNBUFFERED": "1"}


@contextmanager
def running_stack(base_env: dict[str, str], root: Path) -> Iterator[Stack]:
    """Start the signing server (TOTP step 10 s), the web process and the worker; stop them all on exit."""
    with running_signing_server(root, SIGNING_OWNERS, otp_step_seconds=10) as senv:
        env = stack_env(base_env, senv, root)
        web = AppProcess(("serve",), env, root / "web.log", health=f"http://127.0.0.1:{env['PORT']}/healthz")
        stack = Stack(env, senv, web, AppProcess(("worker",), env, root / "worker.log"))
        try:
            web.start()
            stack.worker.start()
            yield stack
        finally:
            stack.worker.stop()
            stack.web.stop()


def _seed(url: str) -> None:
    async def run() -> None:
        engine = create_engine(url)
        async with create_sessionmaker(engine)() as db:
            await seed_demo_into(db)
            await db.commit()
        await engine.dispose()

    upgrade(url)
    asyncio.run(run())


async def _pg_admin(dsn: str, sql: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@contextmanager
def fresh_database(root: Path, postgres_url: str = "") -> Iterator[str]:
    """A migrated, demo-seeded database: a SQLite file under ``root``, or (given ``postgres_url``, any
    database on the server) a new PostgreSQL database dropped on exit. Yields its SQLAlchemy URL."""
    if not postgres_url.startswith("postgres"):
        url = f"sqlite+aiosqlite:///{root / 'faults.db'}"
        _seed(url)
        yield url
        return
    plain = postgres_url.replace("postgresql+asyncpg://", "postgresql://")
    server = plain.rpartition("/")[0]
    name = f"cv_fault_{uuid.uuid4().hex[:10]}"
    asyncio.run(_pg_admin(plain, f'CREATE DATABASE "{name}"'))
    try:
        url = f"{server}/{name}".replace("postgresql://", "postgresql+asyncpg://")
        _seed(url)
        yield url
    finally:
        asyncio.run(_pg_admin(plain, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
