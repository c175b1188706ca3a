"""The worker process: drains the outbox, retrying failed jobs with backoff.

Start it with ``python -m backend worker`` (``make run`` does). Several workers may run at once:
on PostgreSQL they claim with ``FOR UPDATE SKIP LOCKED``; on SQLite the write lock serialises them.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.config.settings import Settings
from backend.db.engine import create_engine, create_sessionmaker
from backend.tasks.certificates import ensure_reminder_scheduled
from backend.tasks.context import bind_settings
from backend.tasks.jobs import HANDLERS
from backend.tasks.outbox import ClaimedJob, claim_due, complete, fail

__all__ = ["run_job", "run_once", "run_worker", "worker_id"]

log = logging.getLogger("congvan.worker")


def worker_id() -> str:
    """Identifies this process in ``claimed_by``."""
    return f"{socket.gethostname()}:{os.getpid()}"


async def run_job(sessions: async_sessionmaker[AsyncSession], job: ClaimedJob) -> bool:
    """Run one claimed job; True when it completed."""
    handler = HANDLERS.get(job.kind)
    try:
        if handler is None:
            raise LookupError(f"no handler for job kind {job.kind!r}")
        async with sessions() as db:
            await handler(db, job)
            if not await complete(db, job):
                await db.rollback()
                log.warning("job %s lost its lease before completing; left to its new owner", job.id)
                return False
            await db.commit()
            return True
    except Exception as exc:  # noqa: BLE001 - any handler failure is recorded and retried
        log.warning("job %s (%s) attempt %s failed: %r", job.id, job.kind, job.attempts, exc)
        async with sessions() as db:
            await fail(db, job, repr(exc))
        return False


async def run_once(settings: Settings, sessions: async_sessionmaker[AsyncSession], batch: int = 20) -> int:
    """Claim and run one batch of due jobs; returns how many were claimed."""
    bind_settings(settings)
    async with sessions() as db:
        jobs = await claim_due(db, worker_id(), limit=batch, lease_seconds=settings.outbox_lease_seconds)
    for job in jobs:
        await run_job(sessions, job)
    return len(jobs)


async def run_worker(settings: Settings, *, once: bool = False) -> None:
    """Poll the outbox until SIGTERM/SIGINT (or, with ``once``, until no job is due)."""
    engine = create_engine(settings.database_url)
    sessions = create_sessionmaker(engine)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    log.info("worker %s started", worker_id())
    await ensure_reminder_scheduled(sessions)  # one pending daily certificate-expiry reminder job
    try:
        while not stop.is_set():
            claimed = await run_once(settings, sessions)
            if once and claimed == 0:
                break
            if claimed == 0:
                try:
                    await asyncio.wait_for(stop.wait(), timeout=settings.worker_poll_seconds)
                except TimeoutError:
                    pass
    finally:
        await engine.dispose()
        log.info("worker %s stopped", worker_id())
