"""The work-files jobs: the daily ``workfiles.remind_transfer`` (with its start-up hook) and
``workfiles.transfer_package`` (:mod:`.transfer_package`).

The reminder, like the certificate reminder, runs at 07:00 Vietnam time (the same :func:`next_run_at`),
reminds the files due within 30 days (:mod:`.reminders`, idempotent per file and due date) and
enqueues its own next run in the same transaction, so one pending instance exists at any time.
"""

from __future__ import annotations

import logging

import msgspec
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.config.settings import Settings
from backend.db.models import JobStatus, OutboxJob
from backend.domain.certificates.jobs import next_run_at
from backend.domain.workfiles.reminders import remind_due
from backend.domain.workfiles.transfer_package import TRANSFER_PACKAGE, make_package
from backend.lib.clock import now as utc_now
from backend.lib.clock import to_local
from backend.tasks.bus import Handles, JobContext, JobKind
from backend.tasks.outbox import enqueue

__all__ = ["HANDLERS", "REMIND_TRANSFER", "RemindTransfer", "STARTUP", "ensure_scheduled", "remind_transfer_job"]

log = logging.getLogger("congvan.workfiles")


class RemindTransfer(msgspec.Struct, frozen=True):
    """No payload: the run reads the files."""


REMIND_TRANSFER: JobKind[RemindTransfer] = JobKind("workfiles.remind_transfer", RemindTransfer)


async def _pending(db: AsyncSession, statuses: tuple[JobStatus, ...]) -> bool:
    found = await db.scalar(sa.select(OutboxJob.id).where(OutboxJob.kind == REMIND_TRANSFER.name,
                                                          OutboxJob.status.in_(statuses)).limit(1))
    return found is not None


async def remind_transfer_job(ctx: JobContext, _payload: RemindTransfer) -> None:
    """Handler of ``workfiles.remind_transfer``: remind, then schedule tomorrow's run."""
    now = ctx.now()
    count = await remind_due(ctx.db, ctx.urls, to_local(now).date())
    log.info("transfer reminders: %s file(s) reminded", count)
    if not await _pending(ctx.db, (JobStatus.PENDING,)):
        await enqueue(ctx.db, REMIND_TRANSFER, RemindTransfer(), run_after=next_run_at(now))


async def ensure_scheduled(sessions: async_sessionmaker[AsyncSession], settings: Settings | None = None) -> None:
    """Worker start-up: make sure one pending (or running) reminder job exists. Never raises."""
    try:
        async with sessions() as db:
            if not await _pending(db, (JobStatus.PENDING, JobStatus.RUNNING)):
                await enqueue(db, REMIND_TRANSFER, RemindTransfer(), run_after=next_run_at(utc_now()))
            await db.commit()
    except Exception as exc:  # noqa: BLE001 - reminders must never keep the worker from starting
        log.warning("could not schedule %s: %r", REMIND_TRANSFER.name, exc)


HANDLERS = (Handles(REMIND_TRANSFER, remind_transfer_job), Handles(TRANSFER_PACKAGE, make_package))
STARTUP = (ensure_scheduled,)
