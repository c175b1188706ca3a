"""The worker keeps running when the database is busy (another writer holds the lock past the timeout)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa

from backend.db.models import JobStatus, OutboxJob, User
from backend.domain.notifications.kinds import NOTIFY, Notify
from backend.tasks.outbox import enqueue
from tests.support.locks import writer_holding_lock


async def _ready(worker: subprocess.Popen[str], log: Path) -> None:
    """Wait until the worker has run its start-up hooks and polls the outbox."""
    deadline = time.monotonic() + 120  # CI runs two suites side by side on two cores
    while time.monotonic() < deadline:
        if "ready: polling the outbox" in log.read_text():
            return
        assert worker.poll() is None, "the worker exited"
        await asyncio.sleep(0.2)
    raise AssertionError("the worker did not start")


async def _exercise(db_sessionmaker, settings, worker: subprocess.Popen[str], log: Path) -> None:
    """Hold the outbox locked past the timeout, then check a job enqueued afterwards is run."""
    await _ready(worker, log)
    async with writer_holding_lock(settings.database_url, "outbox_job", "ACCESS EXCLUSIVE"):
        await asyncio.sleep(5)  # claims time out while the lock is held
        assert worker.poll() is None, "the worker exited while the database was busy"
    async with db_sessionmaker() as db:
        uid = (await db.scalars(sa.select(User.id).where(User.username == "vanthu.xanghiphong"))).one()
        job = await enqueue(db, NOTIFY, Notify(user_ids=[uid], title="Sau khi hết bận"))
        await db.commit()
    deadline = time.monotonic() + 90  # after the lock the worker may still sit out its back-off (≤ 30 s)
    while time.monotonic() < deadline:
        async with db_sessionmaker() as db:
            status = (await db.get(OutboxJob, job.id)).status
        if status == JobStatus.DONE:
            break
        await asyncio.sleep(0.2)
    assert status == JobStatus.DONE
    assert worker.poll() is None


async def test_worker_survives_a_busy_database_and_then_runs_the_job(db_sessionmaker, settings, settings_env,
                                                                    tmp_path) -> None:
    env = {**os.environ, **settings_env, "DB_LOCK_TIMEOUT_SECONDS": "2",
           "WORKER_POLL_MS": "100", "PAGE_RENDER_TIMEOUT_SECONDS": "1"}
    log = tmp_path / "worker.log"  # a file, not a pipe: a full pipe nobody reads would block the worker
    with log.open("w") as out:
        worker = subprocess.Popen([sys.executable, "-m", "backend", "worker"], env=env,
                                  stdout=out, stderr=subprocess.STDOUT, text=True)
        try:
            await _exercise(db_sessionmaker, settings, worker, log)
        finally:
            worker.terminate()
            worker.wait(timeout=15)
    output = log.read_text()
    print(output)  # shown by pytest when the test fails
    assert "cannot claim jobs" in output
