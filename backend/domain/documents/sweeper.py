"""The daily outbox job ``documents.sweep_blobs``: delete stored files no row references, after a grace period.

An upload is stored before its row commits (the row needs the file's hash and page count), so a
request that fails after storing it — refused metadata, a lost race, a crash — leaves a blob no row
references. The job (03:00 Vietnam time) deletes those older than ``BLOB_ORPHAN_GRACE_HOURS``
(:func:`~backend.domain.documents.blob_hygiene.sweep`), writes one audit row when it deleted
anything, and enqueues its next run in the same transaction, so one pending instance exists at any
time. It reads through its own read-only sessions, one shard at a time, so on SQLite it never holds
the write lock while it lists the store.
"""

from __future__ import annotations

import datetime as dt
import logging

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from backend.config.settings import Settings
from backend.db.engine import create_read_sessionmaker
from backend.db.models import JobStatus, OutboxJob
from backend.domain.audit.services import record
from backend.domain.documents.blob_hygiene import sweep
from backend.domain.documents.files import blob_store
from backend.domain.documents.kinds import SWEEP_BLOBS, SweepBlobs
from backend.lib import clock
from backend.tasks.bus import Handles, JobContext
from backend.tasks.outbox import enqueue

__all__ = ["HANDLERS", "STARTUP", "SWEEP_AT", "ensure_sweep_scheduled", "sweep_blobs_job"]

log = logging.getLogger("congvan.documents")

SWEEP_AT = dt.time(3, 0)
"""Local (Asia/Ho_Chi_Minh) time of the daily sweep."""
JOB_ACTOR = "job:documents.sweep_blobs"


async def _pending(db: AsyncSession, statuses: tuple[JobStatus, ...]) -> bool:
    found = await db.scalar(sa.select(OutboxJob.id).where(OutboxJob.kind == SWEEP_BLOBS.name,
                                                          OutboxJob.status.in_(statuses)).limit(1))
    return found is not None


async def sweep_blobs_job(ctx: JobContext, payload: SweepBlobs) -> None:
    """Handler of ``documents.sweep_blobs``: sweep, audit what went, schedule tomorrow's run."""
    now = ctx.now()
    engine = ctx.db.bind
    assert isinstance(engine, AsyncEngine)
    result = await sweep(create_read_sessionmaker(engine), blob_store(ctx.settings), now=now,
                         grace=dt.timedelta(hours=ctx.settings.blob_orphan_grace_hours))
    log.info("blob sweep: %s orphan(s) deleted (%s bytes), %s younger than the grace period kept",
             result.deleted, result.deleted_bytes, result.young)
    if result.deleted:
        await record(ctx.db, "documents.orphan_blobs_deleted", actor_name=JOB_ACTOR, object_type="blob_store",
                     detail={"deleted": result.deleted, "bytes": result.deleted_bytes, "kept_young": result.young,
                             "grace_hours": ctx.settings.blob_orphan_grace_hours})
    if not await _pending(ctx.db, (JobStatus.PENDING,)):
        await enqueue(ctx.db, SWEEP_BLOBS, SweepBlobs(), run_after=clock.next_local_time(now, SWEEP_AT))


async def ensure_sweep_scheduled(sessions: async_sessionmaker[AsyncSession], settings: Settings | None = None) -> None:
    """Worker start-up: make sure one pending (or running) sweep exists. Never raises."""
    try:
        async with sessions() as db:
            if not await _pending(db, (JobStatus.PENDING, JobStatus.RUNNING)):
                await enqueue(db, SWEEP_BLOBS, SweepBlobs(), run_after=clock.next_local_time(clock.now(), SWEEP_AT))
            await db.commit()
    except Exception as exc:  # noqa: BLE001 - the sweep must never keep the worker from starting
        log.warning("could not schedule %s: %r", SWEEP_BLOBS.name, exc)


HANDLERS = (Handles(SWEEP_BLOBS, sweep_blobs_job),)
STARTUP = (ensure_sweep_scheduled,)
