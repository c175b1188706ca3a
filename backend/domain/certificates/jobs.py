"""The daily outbox job ``certificates.remind_expiring`` and the worker's start-up hook for it.

The job runs at 07:00 Vietnam time: it reminds owners and administrators of certificates that
end soon (:mod:`backend.domain.certificates.reminders`), then enqueues its own next run for the next
07:00 in the same transaction, so exactly one pending instance exists at any time. If the signing
server is unreachable the job fails and the outbox retries it with backoff; on its last attempt it
gives up for the day but still schedules tomorrow's run, so the chain never breaks. A worker starting
with no pending or running instance (first start, or a chain broken by hand) creates one
(:func:`ensure_reminder_scheduled`).
"""

from __future__ import annotations

import datetime as dt
import logging

import msgspec
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.config.settings import Settings
from backend.db.models import JobStatus, OutboxJob
from backend.domain.certificates.reminders import remind_expiring
from backend.domain.signing import SigningServiceError
from backend.lib.clock import VN_TZ
from backend.lib.clock import now as utc_now
from backend.tasks.bus import Handles, JobContext, JobKind
from backend.tasks.outbox import enqueue

__all__ = ["HANDLERS", "REMIND_AT", "REMIND_EXPIRING", "RemindExpiring", "STARTUP", "ensure_reminder_scheduled",
           "next_run_at", "remind_expiring_job", "schedule_next_reminder"]

log = logging.getLogger("congvan.certificates")


class RemindExpiring(msgspec.Struct, frozen=True):
    """No payload: the run reads the certificates from the signing server."""


REMIND_EXPIRING: JobKind[RemindExpiring] = JobKind("certificates.remind_expiring", RemindExpiring)
REMIND_AT = dt.time(7, 0)
"""Local (Asia/Ho_Chi_Minh) time of the daily run."""


def next_run_at(now: dt.datetime) -> dt.datetime:
    """The next 07:00 Vietnam time strictly after *now*, in UTC."""
    local = now.astimezone(VN_TZ)
    candidate = dt.datetime.combine(local.date(), REMIND_AT, tzinfo=VN_TZ)
    if candidate <= local:
        candidate += dt.timedelta(days=1)
    return candidate.astimezone(dt.UTC)


async def _pending_exists(db: AsyncSession, statuses: tuple[JobStatus, ...]) -> bool:
    found = await db.scalar(sa.select(OutboxJob.id).where(OutboxJob.kind == REMIND_EXPIRING.name,
                                                          OutboxJob.status.in_(statuses)).limit(1))
    return found is not None


async def schedule_next_reminder(db: AsyncSession, now: dt.datetime | None = None) -> bool:
    """Enqueue the next run (next 07:00) unless one is already pending; True if one was enqueued."""
    if await _pending_exists(db, (JobStatus.PENDING,)):
        return False
    await enqueue(db, REMIND_EXPIRING, RemindExpiring(), run_after=next_run_at(now or utc_now()))
    return True


async def remind_expiring_job(ctx: JobContext, payload: RemindExpiring) -> None:
    """Handler of ``certificates.remind_expiring``."""
    job = ctx.job
    try:
        count = await remind_expiring(ctx.db, ctx.settings, ctx.urls, ctx.now())
        log.info("certificate expiry reminders: %s certificate(s) reminded", count)
    except SigningServiceError as exc:
        if job.attempts < job.max_attempts:
            raise
        log.error("certificate expiry reminders skipped today after %s attempts: %s", job.attempts, exc)
    await schedule_next_reminder(ctx.db, ctx.now())


async def ensure_reminder_scheduled(sessions: async_sessionmaker[AsyncSession], settings: Settings | None = None,
                                    ) -> None:
    """Worker start-up: make sure one pending (or running) reminder job exists. Never raises."""
    name = REMIND_EXPIRING.name
    try:
        async with sessions() as db:
            if not await _pending_exists(db, (JobStatus.PENDING, JobStatus.RUNNING)):
                await enqueue(db, REMIND_EXPIRING, RemindExpiring(), run_after=next_run_at(utc_now()))
                log.info("scheduled %s for %s", name, next_run_at(utc_now()).isoformat())
            await db.commit()
    except Exception as exc:  # noqa: BLE001 - reminders must never keep the worker from starting
        log.warning("could not schedule %s: %r", name, exc)


HANDLERS = (Handles(REMIND_EXPIRING, remind_expiring_job),)
STARTUP = (ensure_reminder_scheduled,)
