"""The daily directory sync ``exchange.sync_directory`` on the job bus, and the worker's start-up hook for it.

The scheduled run (02:00 Vietnam time) syncs the directory (:func:`.directory.sync_directory`) and
enqueues its next run in the same transaction, so one pending instance exists at any time. An axis
that cannot be reached makes the job fail and the outbox retry it with backoff; on its last attempt,
or when the axis refuses the credentials (retrying cannot help), the platform entries are still
synced, the reason is logged (never the secret), and tomorrow's run is still scheduled.
"""

from __future__ import annotations

import datetime as dt
import logging

import msgspec
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.config.settings import Settings
from backend.db.models import JobStatus, OutboxJob
from backend.domain.audit.services import record
from backend.domain.exchange.axis_client import AxisError
from backend.domain.exchange.directory import sync_directory, sync_platform
from backend.lib import clock
from backend.tasks.bus import Handles, JobContext, JobKind
from backend.tasks.outbox import enqueue

__all__ = ["HANDLERS", "STARTUP", "SYNC_AT", "SYNC_DIRECTORY", "SyncDirectory", "ensure_sync_scheduled"]

log = logging.getLogger("congvan.exchange.directory")

SYNC_AT = dt.time(2, 0)
"""Local (Asia/Ho_Chi_Minh) time of the daily sync."""
JOB_ACTOR = "job:exchange.sync_directory"


class SyncDirectory(msgspec.Struct, frozen=True, kw_only=True):
    """No payload: the run reads the agencies and the axis's list."""


SYNC_DIRECTORY: JobKind[SyncDirectory] = JobKind("exchange.sync_directory", SyncDirectory)


async def _pending(db: AsyncSession, statuses: tuple[JobStatus, ...]) -> bool:
    found = await db.scalar(sa.select(OutboxJob.id).where(OutboxJob.kind == SYNC_DIRECTORY.name,
                                                          OutboxJob.status.in_(statuses)).limit(1))
    return found is not None


async def sync_directory_job(ctx: JobContext, payload: SyncDirectory) -> None:
    """Handler of ``exchange.sync_directory``."""
    now = ctx.now()
    try:
        await sync_directory(ctx.db, ctx.settings, now, actor_name=JOB_ACTOR)
    except AxisError as exc:
        if exc.transient and ctx.job.attempts < ctx.job.max_attempts:
            raise
        log.error("directory sync: the axis's list was not read today (%s); platform entries synced", exc)
        result = await sync_platform(ctx.db, now)
        await record(ctx.db, "exchange.directory_synced", actor_name=JOB_ACTOR, object_type="directory",
                     detail={"platform": {"added": result.added, "updated": result.updated,
                                          "deactivated": result.deactivated},
                             "axis": f"failed: {type(exc).__name__}"})
    if not await _pending(ctx.db, (JobStatus.PENDING,)):
        await enqueue(ctx.db, SYNC_DIRECTORY, SyncDirectory(), run_after=clock.next_local_time(now, SYNC_AT))


async def ensure_sync_scheduled(sessions: async_sessionmaker[AsyncSession], settings: Settings | None = None) -> None:
    """Worker start-up: make sure one pending (or running) sync exists. Never raises."""
    try:
        async with sessions() as db:
            if not await _pending(db, (JobStatus.PENDING, JobStatus.RUNNING)):
                await enqueue(db, SYNC_DIRECTORY, SyncDirectory(),
                              run_after=clock.next_local_time(clock.now(), SYNC_AT))
            await db.commit()
    except Exception as exc:  # noqa: BLE001 - the directory must never keep the worker from starting
        log.warning("could not schedule %s: %r", SYNC_DIRECTORY.name, exc)


HANDLERS = (Handles(SYNC_DIRECTORY, sync_directory_job),)
STARTUP = (ensure_sync_scheduled,)
