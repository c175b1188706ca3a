"""The transfer reminder is a rule of the reminder scan: a file due within 30 days is reminded once per person
and due date to its owner and the agency's clerks (ledger ``reminder_sent``), a keep-back that moves the date
is reminded afresh, files far from due or kept under five years are not; notices go out through the worker."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import sqlalchemy as sa

from backend.db.models import Notification, OutboxJob, ReminderSent
from backend.domain.notifications.kinds import NOTIFY
from backend.domain.reminders.deadlines import scan
from backend.domain.workfiles.transfer import add_months
from backend.lib import clock
from backend.lib.clock import VN_TZ
from backend.lib.urls import RouteUrls
from backend.worker_app import run_once
from tests.support.workfiles import arrange_incoming


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=VN_TZ).astimezone(dt.UTC)


async def _scan(sessions: Any, settings: Any, now: dt.datetime) -> int:
    async with sessions() as db:
        result = await scan(db, settings, RouteUrls(), now)
        await db.commit()
    return result.counts["transfer_due"]


async def _notes(sessions: Any) -> list[dict[str, Any]]:
    """The transfer-reminder notification jobs."""
    async with sessions() as db:
        payloads = (await db.scalars(sa.select(OutboxJob.payload).where(OutboxJob.kind == NOTIFY.name)
                                     .order_by(OutboxJob.id))).all()
    return [n for n in map(json.loads, payloads) if "đến hạn nộp lưu" in n["title"]]


async def _file(api: Any, demo: Any, sessions: Any, settings: Any, title: str, end_days_ago: int,
                retention: str = "10 năm") -> int:
    specialist = await api("chuyenvien.tinh")
    me = await specialist.user_id(sessions, "chuyenvien.tinh")
    file_id = (await specialist.call("POST", "/api/v1/work-files/", {
        "title": title, "file_notation": "11.VP", "retention": retention,
        "start_date": (clock.today() - dt.timedelta(days=end_days_ago + 5)).isoformat()})).json()["id"]
    doc = await arrange_incoming(sessions, settings, await demo.agency_id("000.00.00.H41"), number=600 + file_id,
                                 summary=title, issued_on=clock.today() - dt.timedelta(days=end_days_ago), assign_to=me)
    await specialist.call("POST", f"/api/v1/work-files/{file_id}/documents", {"kind": "incoming", "document_id": doc})
    closed = await specialist.call("POST", f"/api/v1/work-files/{file_id}/close",
                                   {"end_date": (clock.today() - dt.timedelta(days=end_days_ago)).isoformat()})
    assert closed.status_code == 200, closed.text
    return int(file_id)


async def test_reminded_once_per_person_and_due_date_by_the_scan(api: Any, demo: Any, db_sessionmaker: Any,
                                                                 settings: Any) -> None:
    soon = await _file(api, demo, db_sessionmaker, settings, "Hồ sơ sắp đến hạn", 350)  # due in about 15 days
    await _file(api, demo, db_sessionmaker, settings, "Hồ sơ còn xa hạn", 100)
    await _file(api, demo, db_sessionmaker, settings, "Hồ sơ ngắn hạn", 350, retention="2 năm")
    owner = await (await api("chuyenvien.tinh")).user_id(db_sessionmaker, "chuyenvien.tinh")
    clerk = await (await api("vanthu.tinh")).user_id(db_sessionmaker, "vanthu.tinh")
    due = add_months(clock.today() - dt.timedelta(days=350), 12)

    reminded = await _scan(db_sessionmaker, settings, _at(clock.today(), 22))  # in quiet hours: in-app now, push waits
    [note] = await _notes(db_sessionmaker)
    assert note["title"] == f"Hồ sơ “Hồ sơ sắp đến hạn” đến hạn nộp lưu ngày {due.strftime('%d/%m/%Y')}."
    assert note["url"] == f"/work-files/{soon}" and "11.VP" in note["body"] and not note["urgent"]
    assert {owner, clerk} <= set(note["user_ids"]) and reminded == len(note["user_ids"])
    async with db_sessionmaker() as db:
        rows = (await db.execute(sa.select(ReminderSent.subject_id, ReminderSent.user_id, ReminderSent.marker)
                                 .where(ReminderSent.kind == "transfer_due"))).all()
    assert {(s, m) for s, _u, m in rows} == {(soon, due.isoformat())} and {owner, clerk} <= {u for _s, u, _m in rows}

    await run_once(settings, db_sessionmaker)  # the worker delivers the in-app notifications
    async with db_sessionmaker() as db:
        assert {owner, clerk} <= set((await db.scalars(sa.select(Notification.user_id))).all())

    # the next runs (every 15 minutes, the next days) remind nobody again
    assert await _scan(db_sessionmaker, settings, _at(clock.today(), 22) + dt.timedelta(minutes=15)) == 0
    assert await _scan(db_sessionmaker, settings, _at(clock.today() + dt.timedelta(days=3), 9)) == 0
    assert len(await _notes(db_sessionmaker)) == 1

    # a leader keeps it back: the new date is reminded once more when it comes near
    leader = await api("lanhdao.tinh")
    until = clock.today() + dt.timedelta(days=10)
    kept = await leader.call("POST", f"/api/v1/work-files/{soon}/retain",
                             {"until": until.isoformat(), "reason": "Còn dùng để tổng kết"})
    assert kept.status_code == 200, kept.text
    assert await _scan(db_sessionmaker, settings, _at(clock.today(), 23)) == reminded
    later = (await _notes(db_sessionmaker))[-1]
    assert until.strftime("%d/%m/%Y") in later["title"]
    assert await _scan(db_sessionmaker, settings, _at(clock.today() + dt.timedelta(days=1), 8)) == 0
