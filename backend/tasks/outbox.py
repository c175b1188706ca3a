"""Enqueue side effects in the caller's transaction, and claim/settle them for the worker.

A job is visible to the worker only once the transaction that wrote it commits, so a rolled-back
change never notifies anyone and a committed one always does. Claiming sets a lease; a worker
that dies mid-job loses its lease and another worker reclaims the job. Completion is fenced on
the claim (``claimed_by`` and ``attempts``), so a job whose lease was taken over cannot be
completed twice.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar, cast

import msgspec
import sqlalchemy as sa
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.base import utcnow
from backend.db.models import JobStatus, OutboxJob
from backend.tasks.bus import ClaimedJob, JobKind

__all__ = ["ClaimedJob", "backoff", "claim_due", "complete", "enqueue", "fail", "new_job"]

P = TypeVar("P", bound=msgspec.Struct)


def new_job(kind: JobKind[P], payload: P, *, run_after: datetime | None = None,
            max_attempts: int | None = None) -> OutboxJob:
    """A pending job row of ``kind`` (not yet added to any session; synchronous code adds it itself)."""
    return OutboxJob(kind=kind.name, payload=json.dumps(kind.encode(payload), ensure_ascii=False),
                     status=JobStatus.PENDING, run_after=run_after or utcnow(),
                     max_attempts=max_attempts or kind.max_attempts)


async def enqueue(
    db: AsyncSession, kind: JobKind[P], payload: P, *, run_after: datetime | None = None,
    max_attempts: int | None = None,
) -> OutboxJob:
    """Add a job of ``kind`` in the current transaction (it runs only if that transaction commits)."""
    job = new_job(kind, payload, run_after=run_after, max_attempts=max_attempts)
    db.add(job)
    await db.flush()
    return job


def backoff(attempts: int) -> timedelta:
    """Delay before retry number ``attempts``: exponential from 5 s, capped at one hour, ±20 % jitter."""
    base = min(5 * 2 ** max(attempts - 1, 0), 3600)
    return timedelta(seconds=base * random.uniform(0.8, 1.2))


async def claim_due(db: AsyncSession, worker_id: str, *, limit: int, lease_seconds: int,
                    clock: Callable[[], datetime] = utcnow) -> list[ClaimedJob]:
    """Claim up to ``limit`` due jobs (pending and due, or running with an expired lease). Commits.

    ``clock`` tells the time that decides what is due and when the new leases end (the worker's
    clock; tests pass one ahead of the wall clock instead of waiting for a lease to run out).
    """
    now = clock()
    due = sa.or_(
        sa.and_(OutboxJob.status == JobStatus.PENDING, OutboxJob.run_after <= now),
        sa.and_(OutboxJob.status == JobStatus.RUNNING, OutboxJob.lease_until < now),
    )
    query = sa.select(OutboxJob).where(due).order_by(OutboxJob.run_after, OutboxJob.id).limit(limit)
    if db.bind.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    jobs = (await db.scalars(query)).all()
    claimed = []
    for job in jobs:
        job.status = JobStatus.RUNNING
        job.attempts += 1
        job.lease_until = now + timedelta(seconds=lease_seconds)
        job.claimed_by = worker_id
        claimed.append(ClaimedJob(job.id, job.kind, json.loads(job.payload), job.attempts, job.max_attempts,
                                  worker_id))
    await db.commit()
    return claimed


def _fenced(job: ClaimedJob) -> sa.ColumnElement[bool]:
    return sa.and_(OutboxJob.id == job.id, OutboxJob.status == JobStatus.RUNNING,
                   OutboxJob.claimed_by == job.claimed_by, OutboxJob.attempts == job.attempts)


async def complete(db: AsyncSession, job: ClaimedJob) -> bool:
    """Mark ``job`` done in the caller's transaction; False if the claim was lost meanwhile."""
    result = cast("CursorResult[Any]", await db.execute(
        sa.update(OutboxJob).where(_fenced(job))
        .values(status=JobStatus.DONE, finished_at=utcnow(), lease_until=None, last_error=None)
        .execution_options(synchronize_session=False)
    ))
    return result.rowcount == 1


async def fail(db: AsyncSession, job: ClaimedJob, error: str) -> None:
    """Record a failure: retry later with backoff, or give up after ``max_attempts``. Commits."""
    final = job.attempts >= job.max_attempts
    await db.execute(
        sa.update(OutboxJob).where(_fenced(job)).values(
            status=JobStatus.FAILED if final else JobStatus.PENDING,
            run_after=utcnow() + backoff(job.attempts),
            lease_until=None,
            last_error=error[:2000],
            finished_at=utcnow() if final else None,
        ).execution_options(synchronize_session=False)
    )
    await db.commit()
