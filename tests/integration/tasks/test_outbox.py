"""The transactional outbox and its worker: commit-bound enqueueing, crash recovery, retries."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from datetime import timedelta

import msgspec
import sqlalchemy as sa

from backend.db.base import utcnow
from backend.db.models import JobStatus, Notification, OutboxJob, User
from backend.domain.notifications.kinds import NOTIFY, Notify
from backend.tasks.bus import JobKind
from backend.tasks.outbox import claim_due, enqueue
from backend.worker_app import run_once


class _Nothing(msgspec.Struct, frozen=True):
    pass


_UNREGISTERED = JobKind("no.such.kind", _Nothing)
"""A kind no context registers: the worker must fail it, retry it, then give up."""


async def _user_id(db_sessionmaker, username: str = "vanthu.xanghiphong") -> int:
    async with db_sessionmaker() as db:
        return (await db.scalars(sa.select(User.id).where(User.username == username))).one()


def _run_worker_once(settings_env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "backend", "worker", "--once"], env={**os.environ, **settings_env},
                          capture_output=True, text=True, timeout=120)


async def test_job_from_rolled_back_transaction_never_runs(db_sessionmaker, settings) -> None:
    uid = await _user_id(db_sessionmaker)
    async with db_sessionmaker() as db:
        await enqueue(db, NOTIFY, Notify(user_ids=[uid], title="không bao giờ"))
        await db.rollback()
    assert await run_once(settings, db_sessionmaker) == 0


async def test_job_survives_worker_crash_and_runs_exactly_once(db_sessionmaker, settings_env) -> None:
    uid = await _user_id(db_sessionmaker)
    async with db_sessionmaker() as db:
        job = await enqueue(db, NOTIFY, Notify(user_ids=[uid], title="Văn bản hỏa tốc", urgent=True))
        await db.commit()
    # A worker claims the job and dies before finishing it. The lease outlasts a worker process's
    # start-up on a loaded machine, so the first worker below always finds it still held.
    lease = 8
    async with db_sessionmaker() as db:
        [claimed] = await claim_due(db, "crashed-worker:1", limit=10, lease_seconds=lease)
    expires = time.monotonic() + lease
    assert claimed.id == job.id

    first = _run_worker_once(settings_env)  # lease still held: the job must not run twice meanwhile
    assert first.returncode == 0, first.stderr
    async with db_sessionmaker() as db:
        assert await db.scalar(sa.select(sa.func.count()).select_from(Notification)) == 0

    await asyncio.sleep(max(0.0, expires - time.monotonic()) + 0.2)
    second = _run_worker_once(settings_env)  # lease expired: a new worker reclaims and completes it
    assert second.returncode == 0, second.stderr
    third = _run_worker_once(settings_env)
    assert third.returncode == 0, third.stderr
    async with db_sessionmaker() as db:
        notes = (await db.scalars(sa.select(Notification).where(Notification.user_id == uid))).all()
        row = await db.get(OutboxJob, job.id)
    assert [n.title for n in notes] == ["Văn bản hỏa tốc"] and notes[0].urgent
    assert row.status == JobStatus.DONE and row.attempts == 2 and row.claimed_by != "crashed-worker:1"


async def test_worker_killed_mid_run_leaves_job_reclaimable(db_sessionmaker, settings_env) -> None:
    uid = await _user_id(db_sessionmaker)
    async with db_sessionmaker() as db:
        await enqueue(db, NOTIFY, Notify(user_ids=[uid], title="Phân công mới"))
        await db.commit()
    env = {**os.environ, **settings_env}
    worker = subprocess.Popen([sys.executable, "-m", "backend", "worker"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            async with db_sessionmaker() as db:
                if await db.scalar(sa.select(sa.func.count()).select_from(Notification)):
                    break
            await asyncio.sleep(0.1)
    finally:
        worker.kill()
        worker.wait()
    assert _run_worker_once(settings_env).returncode == 0
    async with db_sessionmaker() as db:
        count = await db.scalar(sa.select(sa.func.count()).select_from(Notification).where(Notification.user_id == uid))
    assert count == 1


async def test_failing_job_is_retried_with_backoff_then_marked_failed(db_sessionmaker, settings) -> None:
    async with db_sessionmaker() as db:
        job = await enqueue(db, _UNREGISTERED, _Nothing(), max_attempts=2)
        await db.commit()
    assert await run_once(settings, db_sessionmaker) == 1
    async with db_sessionmaker() as db:
        row = await db.get(OutboxJob, job.id)
        assert row.status == JobStatus.PENDING and row.attempts == 1
        assert "no handler" in row.last_error and row.run_after > utcnow() + timedelta(seconds=3)
        row.run_after = utcnow()
        await db.commit()
    assert await run_once(settings, db_sessionmaker) == 1
    async with db_sessionmaker() as db:
        row = await db.get(OutboxJob, job.id)
    assert row.status == JobStatus.FAILED and row.attempts == 2 and row.finished_at is not None
