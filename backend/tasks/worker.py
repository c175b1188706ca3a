"""The worker loop: drains the outbox through a job registry, retrying failed jobs with backoff.

This module knows no job kind: :mod:`backend.worker_app` assembles the registry from every
context's handlers and starts the loop (``python -m backend worker``). Several workers may run at
once: on PostgreSQL they claim with ``FOR UPDATE SKIP LOCKED``; on SQLite the write lock serialises them.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.config.settings import Settings
from backend.db.engine import create_engine, create_sessionmaker
from backend.lib import clock
from backend.lib.urls import RouteUrls, UrlBuilder
from backend.tasks.bus import ClaimedJob, JobContext, Registry
from backend.tasks.outbox import claim_due, complete, fail

__all__ = ["StartupHook", "Worker", "run_worker", "worker_id"]

log = logging.getLogger("congvan.worker")

StartupHook = Callable[[async_sessionmaker[AsyncSession], Settings], Awaitable[None]]
"""Run once when a worker starts (e.g. make sure a daily job is scheduled); must not raise."""


def worker_id() -> str:
    """Identifies this process in ``claimed_by``."""
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass(frozen=True, slots=True)
class Worker:
    """A registry bound to the settings, clock and URL builder its handlers receive."""

    registry: Registry
    settings: Settings
    sessions: async_sessionmaker[AsyncSession]
    now: Callable[[], datetime] = clock.now
    urls: UrlBuilder = field(default_factory=RouteUrls)

    async def run_job(self, job: ClaimedJob) -> bool:
        """Run one claimed job in the transaction that completes it; True when it completed."""
        try:
            entry = self.registry.entry(job.kind)
            async with self.sessions() as db:
                await entry.run(JobContext(db, self.settings, self.now, self.urls, job))
                if not await complete(db, job):
                    await db.rollback()
                    log.warning("job %s lost its lease before completing; left to its new owner", job.id)
                    return False
                await db.commit()
                return True
        except Exception as exc:  # noqa: BLE001 - any handler failure is recorded and retried
            log.warning("job %s (%s) attempt %s failed: %r", job.id, job.kind, job.attempts, exc)
            try:
                async with self.sessions() as db:
                    await fail(db, job, repr(exc))
            except Exception as again:  # noqa: BLE001 - e.g. the database is busy: the lease expires, the job returns
                log.error("job %s: the failure could not be recorded (%r); it runs again when its lease expires",
                          job.id, again)
            return False

    async def run_once(self, batch: int = 20) -> int:
        """Claim and run one batch of due jobs; returns how many were claimed."""
        async with self.sessions() as db:
            jobs = await claim_due(db, worker_id(), limit=batch, lease_seconds=self.settings.outbox_lease_seconds,
                                   clock=self.now)
        for job in jobs:
            await self.run_job(job)
        return len(jobs)


async def run_worker(settings: Settings, registry: Registry, startup: Sequence[StartupHook] = (), *,
                     once: bool = False) -> None:
    """Poll the outbox until SIGTERM/SIGINT (or, with ``once``, until no job is due)."""
    engine = create_engine(settings.database_url, pool_size=settings.db_pool_size,
                           pool_timeout=settings.db_pool_timeout_seconds, lock_timeout=settings.db_lock_timeout_seconds)
    worker = Worker(registry, settings, create_sessionmaker(engine))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    log.info("worker %s started", worker_id())
    for hook in startup:
        try:
            await hook(worker.sessions, settings)
        except Exception as exc:  # noqa: BLE001 - a failed start-up hook is retried at the next start
            log.error("worker %s: start-up hook %s failed: %r", worker_id(), getattr(hook, "__name__", hook), exc)
    log.info("worker %s ready: polling the outbox every %.1f s", worker_id(), settings.worker_poll_seconds)
    pause = settings.worker_poll_seconds
    try:
        while not stop.is_set():
            try:
                claimed = await worker.run_once()
                pause = settings.worker_poll_seconds
            except Exception as exc:  # noqa: BLE001 - a busy or unreachable database must not end the worker
                claimed = 0
                pause = min(30.0, max(pause * 2, 1.0))
                log.warning("worker %s: cannot claim jobs (%r); trying again in %.0f s", worker_id(), exc, pause)
            if once and claimed == 0:
                break
            if claimed == 0:
                try:
                    await asyncio.wait_for(stop.wait(), timeout=pause)
                except TimeoutError:
                    pass
    finally:
        await engine.dispose()
        log.info("worker %s stopped", worker_id())
