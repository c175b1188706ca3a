"""The worker keeps running when the database is busy (another writer holds the lock past the timeout)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time

import sqlalchemy as sa

from backend.db.models import JobStatus, OutboxJob, User
from backend.domain.notifications.kinds import NOTIFY, Notify
from backend.tasks.outbox import enqueue
from tests.support.locks import writer_holding_lock


async def _started(db_sessionmaker, worker: subprocess.Popen[str]) -> None:
    """Wait until the worker has run its start-up hooks (it schedules the daily certificate reminder)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        async with db_sessionmaker() as db:
            if await db.scalar(sa.select(sa.func.count()).select_from(OutboxJob)
                               .where(OutboxJob.kind == "certificates.remind_expiring")):
                return
        assert worker.poll() is None, worker.stdout.read() if worker.stdout else ""
        await asyncio.sleep(0.2)
    raise AssertionError("the worker did not start")


async def test_worker_survives_a_busy_database_and_then_runs_the_job(db_sessionmaker, settings, settings_env) -> None:
    env = {**os.environ, **settings_env, "DB_LOCK_TIMEOUT_SECONDS": "2",
           "WORKER_POLL_MS": "100", "PAGE_RENDER_TIMEOUT_SECONDS": "1"}
    worker = subprocess.Popen([sys.executable, "-m", "backend", "worker"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        await _started(db_sessionmaker, worker)
        async with writer_holding_lock(settings.database_url, "outbox_job", "ACCESS EXCLUSIVE"):
            await asyncio.sleep(5)  # claims time out time out while the lock is held
            assert worker.poll() is None, worker.stdout.read() if worker.stdout else ""
        async with db_sessionmaker() as db:
            uid = (await db.scalars(sa.select(User.id).where(User.username == "vanthu.xanghiphong"))).one()
            job = await enqueue(db, NOTIFY, Notify(user_ids=[uid], title="Sau khi hết bận"))
            await db.commit()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            async with db_sessionmaker() as db:
                status = (await db.get(OutboxJob, job.id)).status
            if status == JobStatus.DONE:
                break
            await asyncio.sleep(0.2)
        assert status == JobStatus.DONE
        assert worker.poll() is None
    finally:
        worker.terminate()
        output, _ = worker.communicate(timeout=15)
    assert "cannot claim jobs" in output
