"""The transfer reminder on the job bus: a file due within 30 days is reminded once (owner and
clerks get an in-app notification), the run reschedules itself, and a second run reminds nobody."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import sqlalchemy as sa

from backend.db.models import AuditEvent, JobStatus, Notification, OutboxJob
from backend.domain.notifications.kinds import NOTIFY
from backend.domain.workfiles.jobs import REMIND_TRANSFER, RemindTransfer, ensure_scheduled
from backend.tasks.outbox import enqueue
from backend.worker_app import run_once
from tests.support.workfiles import arrange_incoming

TODAY = dt.date.today()


async def _jobs(sessions: Any, kind: str) -> list[OutboxJob]:
    async with sessions() as db:
        return list((await db.scalars(sa.select(OutboxJob).where(OutboxJob.kind == kind).order_by(OutboxJob.id))).all())


async def _notes(sessions: Any) -> list[dict[str, Any]]:
    """The transfer-reminder notification jobs."""
    notes = [json.loads(j.payload) for j in await _jobs(sessions, NOTIFY.name)]
    return [n for n in notes if "đến hạn nộp lưu" in n["title"]]


async def _file(api: Any, demo: Any, sessions: Any, settings: Any, title: str, end_days_ago: int,
                retention: str = "10 năm") -> int:
    specialist = await api("chuyenvien.tinh")
    me = await specialist.user_id(sessions, "chuyenvien.tinh")
    file_id = (await specialist.call("POST", "/api/v1/work-files/", {
        "title": title, "file_notation": "11.VP", "retention": retention,
        "start_date": (TODAY - dt.timedelta(days=end_days_ago + 5)).isoformat()})).json()["id"]
    doc = await arrange_incoming(sessions, settings, await demo.agency_id("000.00.00.H41"), number=600 + file_id,
                                 summary=title, issued_on=TODAY - dt.timedelta(days=end_days_ago), assign_to=me)
    await specialist.call("POST", f"/api/v1/work-files/{file_id}/documents", {"kind": "incoming", "document_id": doc})
    closed = await specialist.call("POST", f"/api/v1/work-files/{file_id}/close",
                                   {"end_date": (TODAY - dt.timedelta(days=end_days_ago)).isoformat()})
    assert closed.status_code == 200, closed.text
    return int(file_id)


async def test_reminder_once_per_file_and_rescheduled(api: Any, demo: Any, db_sessionmaker: Any,
                                                      settings: Any) -> None:
    soon = await _file(api, demo, db_sessionmaker, settings, "Hồ sơ sắp đến hạn", 350)  # due in about 15 days
    await _file(api, demo, db_sessionmaker, settings, "Hồ sơ còn xa hạn", 100)
    await _file(api, demo, db_sessionmaker, settings, "Hồ sơ ngắn hạn", 350, retention="2 năm")
    async with db_sessionmaker() as db:
        await enqueue(db, REMIND_TRANSFER, RemindTransfer())
        await db.commit()
    assert await run_once(settings, db_sessionmaker) >= 1  # (other contexts' jobs may be due too)
    [note] = await _notes(db_sessionmaker)
    assert note["title"].startswith("Hồ sơ “Hồ sơ sắp đến hạn” đến hạn nộp lưu ngày")
    assert note["url"] == f"/work-files/{soon}"
    owner = await (await api("chuyenvien.tinh")).user_id(db_sessionmaker, "chuyenvien.tinh")
    clerk = await (await api("vanthu.tinh")).user_id(db_sessionmaker, "vanthu.tinh")
    assert {owner, clerk} <= set(note["user_ids"])
    runs = await _jobs(db_sessionmaker, REMIND_TRANSFER.name)
    assert [j.status for j in runs] == [JobStatus.DONE, JobStatus.PENDING]

    await run_once(settings, db_sessionmaker)  # delivers the notification
    async with db_sessionmaker() as db:
        users = set((await db.scalars(sa.select(Notification.user_id))).all())
    assert {owner, clerk} <= users

    async with db_sessionmaker() as db:  # again the same day: nobody is reminded twice
        await enqueue(db, REMIND_TRANSFER, RemindTransfer())
        await db.commit()
    await run_once(settings, db_sessionmaker)
    assert len(await _notes(db_sessionmaker)) == 1
    async with db_sessionmaker() as db:
        rows = (await db.scalars(sa.select(AuditEvent.object_id).where(
            AuditEvent.action == "workfiles.transfer_reminded"))).all()
    assert rows == [str(soon)]
    await ensure_scheduled(db_sessionmaker)
    assert [j.status for j in await _jobs(db_sessionmaker, REMIND_TRANSFER.name)].count(JobStatus.PENDING) == 1
