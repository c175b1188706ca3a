"""The transactional outbox and its worker: commit-bound enqueueing, crash recovery, retries."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from datetime import datetime, timedelta

import msgspec
import sqlalchemy as sa

from backend.db.base import utcnow
from backend.db.models import JobStatus, Notification, OutboxJob, Role, User
from backend.domain.notifications.kinds import NOTIFY, Notify
from backend.domain.push.jobs import PUSH_SEND
from backend.tasks.bus import JobKind
from backend.tasks.outbox import claim_due, enqueue
from backend.tasks.worker import worker_id
from backend.worker_app import run_once
from tests import factories
from tests.conftest import CSRF_RE
from tests.support.push_receiver import PushReceiver, TestDevice


class _Nothing(msgspec.Struct, frozen=True):
    pass


_UNREGISTERED = JobKind("no.such.kind", _Nothing)
"""A kind no context registers: the worker must fail it, retry it, then give up."""


async def _user_id(db_sessionmaker) -> int:
    """A clerk of a new agency (tests.factories), not a demo-seed account."""
    async with db_sessionmaker() as db:
        clerk = await factories.user(db, await factories.agency(db), Role.CLERK)
        await db.commit()
        return clerk.id


async def _username(db_sessionmaker, uid: int) -> str:
    async with db_sessionmaker() as db:
        return (await db.get(User, uid)).username


def _run_worker_once(settings_env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "backend", "worker", "--once"], env={**os.environ, **settings_env},
                          capture_output=True, text=True, timeout=120)


async def test_job_from_rolled_back_transaction_never_runs(db_sessionmaker, settings) -> None:
    uid = await _user_id(db_sessionmaker)
    async with db_sessionmaker() as db:
        await enqueue(db, NOTIFY, Notify(user_ids=[uid], title="không bao giờ"))
        await db.rollback()
    assert await run_once(settings, db_sessionmaker) == 0


def _after_lease(settings) -> Callable[[], datetime]:
    """A worker clock just past every lease taken now (instead of sleeping until the lease runs out)."""
    return lambda: utcnow() + timedelta(seconds=settings.outbox_lease_seconds + 1)


async def test_job_survives_worker_crash_and_runs_exactly_once(db_sessionmaker, settings, settings_env) -> None:
    uid = await _user_id(db_sessionmaker)
    async with db_sessionmaker() as db:
        job = await enqueue(db, NOTIFY, Notify(user_ids=[uid], title="Văn bản hỏa tốc", urgent=True))
        await db.commit()
    # A worker claims the job and dies before finishing it; its lease is far longer than any start-up.
    async with db_sessionmaker() as db:
        [claimed] = await claim_due(db, "crashed-worker:1", limit=10, lease_seconds=600)
    assert claimed.id == job.id

    first = _run_worker_once(settings_env)  # lease still held: the job must not run twice meanwhile
    assert first.returncode == 0, first.stderr
    async with db_sessionmaker() as db:
        assert await db.scalar(sa.select(sa.func.count()).select_from(Notification)) == 0
        assert (await db.get(OutboxJob, job.id)).claimed_by == "crashed-worker:1"

    ten_minutes_later = lambda: utcnow() + timedelta(seconds=601)  # noqa: E731 - the lease has run out
    assert await run_once(settings, db_sessionmaker, now=ten_minutes_later) >= 1  # reclaimed and completed
    await run_once(settings, db_sessionmaker, now=ten_minutes_later)  # nothing left of it to run again
    async with db_sessionmaker() as db:
        notes = (await db.scalars(sa.select(Notification).where(Notification.user_id == uid))).all()
        row = await db.get(OutboxJob, job.id)
    assert [n.title for n in notes] == ["Văn bản hỏa tốc"] and notes[0].urgent
    assert row.status == JobStatus.DONE and row.attempts == 2 and row.claimed_by == worker_id()


async def _subscribe(client, login, username: str, endpoint: str) -> None:
    await login(client, username, factories.PASSWORD)
    token = CSRF_RE.search((await client.get("/account/devices")).text).group(1)
    response = await client.post("/account/devices/subscribe", json=TestDevice().subscription(endpoint),
                                 headers={"X-CSRFToken": token})
    assert response.status_code == 201, response.text


async def _wait_for_request(receiver: PushReceiver, worker: subprocess.Popen[bytes]) -> None:
    for _ in range(600):
        if receiver.requests or worker.poll() is not None:
            return
        await asyncio.sleep(0.05)


async def test_worker_killed_mid_run_leaves_job_reclaimable(db_sessionmaker, settings, settings_env, client,
                                                             login, tmp_path) -> None:
    """kill -9 of a real worker process while it is inside a job; another worker then completes it once.

    The job is a push delivery whose push service holds its answer, so the first worker is provably
    in the middle of the job (request sent, no answer yet) when it is killed.
    """
    uid = await _user_id(db_sessionmaker)
    log = tmp_path / "worker.log"
    with PushReceiver() as receiver:
        await _subscribe(client, login, await _username(db_sessionmaker, uid), receiver.endpoint("phone"))
        gate = receiver.hold("phone")
        async with db_sessionmaker() as db:
            await enqueue(db, NOTIFY, Notify(user_ids=[uid], title="Phân công mới", urgent=True))
            await db.commit()
        worker = subprocess.Popen([sys.executable, "-m", "backend", "worker"], env={**os.environ, **settings_env},
                                  stdout=subprocess.DEVNULL, stderr=log.open("wb"))
        try:
            await _wait_for_request(receiver, worker)
            assert len(receiver.requests) == 1, f"the worker never reached the push service: {log.read_text()}"
            # The request is held unanswered: the worker is inside the job (and, on SQLite, inside its
            # write transaction, so the database is only read once the worker is gone).
            os.kill(worker.pid, signal.SIGKILL)
            assert worker.wait(timeout=30) == -signal.SIGKILL
        finally:
            if worker.poll() is None:
                worker.kill()
                worker.wait()
            gate.set()
        async with db_sessionmaker() as db:
            push = (await db.scalars(sa.select(OutboxJob).where(OutboxJob.kind == PUSH_SEND.name))).one()
        assert push.status == JobStatus.RUNNING and push.attempts == 1 and push.finished_at is None
        assert push.claimed_by.endswith(f":{worker.pid}")  # the killed worker held it and never finished it

        assert await run_once(settings, db_sessionmaker, now=_after_lease(settings)) >= 1
        assert await run_once(settings, db_sessionmaker, now=_after_lease(settings)) == 0
        async with db_sessionmaker() as db:
            push = await db.get(OutboxJob, push.id)
            notes = await db.scalar(sa.select(sa.func.count()).select_from(Notification)
                                    .where(Notification.user_id == uid))
            pushes = await db.scalar(sa.select(sa.func.count()).select_from(OutboxJob)
                                     .where(OutboxJob.kind == PUSH_SEND.name))
        assert push.status == JobStatus.DONE and push.attempts == 2 and push.claimed_by == worker_id()
        assert notes == 1 and pushes == 1
        assert len(receiver.to("phone")) == 2  # the unanswered attempt, then the one that completed


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
