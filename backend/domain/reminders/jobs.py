"""The reminder job kinds and their schedules: ``reminders.scan`` every 15 minutes and
``reminders.digest`` every morning at 07:30 Vietnam time.

Each run enqueues its own next run in the same transaction (one pending instance per kind at any
time, like the certificate reminder); a worker starting with none pending or running creates one
(:func:`ensure_scheduled`). A failing run is retried by the outbox; after its last attempt the chain
is not lost either, because the next start-up or a later run schedules again. Handlers use the
job's clock (``ctx.now()``), so tests run them at any moment they like.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import msgspec
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.config.settings import Settings
from backend.db.models import JobStatus, OutboxJob
from backend.domain.reminders.deadlines import scan
from backend.domain.reminders.digest import send_digests
from backend.lib.clock import VN_TZ
from backend.lib.clock import now as utc_now
from backend.tasks.bus import Handles, JobContext, JobKind
from backend.tasks.outbox import enqueue

__all__ = ["DIGEST", "DIGEST_AT", "HANDLERS", "SCAN", "SCAN_EVERY", "STARTUP", "Digest", "Scan", "ensure_scheduled",
           "next_digest_at", "schedule_next"]

log = logging.getLogger("congvan.reminders")


class Scan(msgspec.Struct, frozen=True):
    """No payload: the scan reads the documents."""


class Digest(msgspec.Struct, frozen=True):
    """No payload: the digest reads each leader's figures."""


SCAN: JobKind[Scan] = JobKind("reminders.scan", Scan)
DIGEST: JobKind[Digest] = JobKind("reminders.digest", Digest)
SCAN_EVERY = dt.timedelta(minutes=15)
DIGEST_AT = dt.time(7, 30)
"""Local (Asia/Ho_Chi_Minh) time of the morning digest."""


def next_digest_at(now: dt.datetime) -> dt.datetime:
    """The next 07:30 Vietnam time strictly after ``now``, in UTC."""
    local = now.astimezone(VN_TZ)
    candidate = dt.datetime.combine(local.date(), DIGEST_AT, tzinfo=VN_TZ)
    if candidate <= local:
        candidate += dt.timedelta(days=1)
    return candidate.astimezone(dt.UTC)


def _next_run(kind: JobKind[Any], now: dt.datetime) -> dt.datetime:
    return now + SCAN_EVERY if kind is SCAN else next_digest_at(now)


async def _exists(db: AsyncSession, kind: JobKind[Any], statuses: tuple[JobStatus, ...]) -> bool:
    found = await db.scalar(sa.select(OutboxJob.id).where(OutboxJob.kind == kind.name,
                                                          OutboxJob.status.in_(statuses)).limit(1))
    return found is not None


async def schedule_next(db: AsyncSession, kind: JobKind[Any], now: dt.datetime) -> bool:
    """Enqueue the next run of ``kind`` unless one is already pending; True if one was enqueued."""
    if await _exists(db, kind, (JobStatus.PENDING,)):
        return False
    if kind is SCAN:
        await enqueue(db, SCAN, Scan(), run_after=_next_run(SCAN, now))
    else:
        await enqueue(db, DIGEST, Digest(), run_after=_next_run(DIGEST, now))
    return True


async def scan_job(ctx: JobContext, payload: Scan) -> None:
    """Handler of ``reminders.scan``."""
    result = await scan(ctx.db, ctx.settings, ctx.urls, ctx.now())
    if result.total:
        log.info("reminders: %s", result.counts)
    await schedule_next(ctx.db, SCAN, ctx.now())


async def digest_job(ctx: JobContext, payload: Digest) -> None:
    """Handler of ``reminders.digest``."""
    sent = await send_digests(ctx.db, ctx.urls, ctx.now())
    log.info("morning digest sent to %s leader(s)", sent)
    await schedule_next(ctx.db, DIGEST, ctx.now())


async def ensure_scheduled(sessions: async_sessionmaker[AsyncSession], settings: Settings | None = None) -> None:
    """Worker start-up: one pending (or running) scan and digest. Never raises."""
    try:
        async with sessions() as db:
            if not await _exists(db, SCAN, (JobStatus.PENDING, JobStatus.RUNNING)):
                await enqueue(db, SCAN, Scan(), run_after=_next_run(SCAN, utc_now()))
            if not await _exists(db, DIGEST, (JobStatus.PENDING, JobStatus.RUNNING)):
                await enqueue(db, DIGEST, Digest(), run_after=_next_run(DIGEST, utc_now()))
            await db.commit()
    except Exception as exc:  # noqa: BLE001 - reminders must never keep the worker from starting
        log.warning("could not schedule the reminders: %r", exc)


HANDLERS = (Handles(SCAN, scan_job), Handles(DIGEST, digest_job))
STARTUP = (ensure_scheduled,)
