"""Reminders: each threshold is reminded once to the right people, quiet hours hold back all but Hỏa
tốc, the clerk's clock and the issue rule are reminded, and the leaders' morning digest says what
waits for them. The clock is injected (``now``); notifications are delivered by the real worker."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from backend.db.models import (
    Assignment,
    IncomingDocument,
    Notification,
    OutboxJob,
    OutgoingDocument,
    PushPreference,
    PushSubscription,
    User,
)
from backend.domain.reminders.deadlines import scan
from backend.domain.reminders.digest import send_digests
from backend.domain.reminders.jobs import DIGEST, SCAN, next_digest_at
from backend.lib import clock
from backend.lib.clock import VN_TZ
from backend.lib.urls import RouteUrls
from backend.worker_app import run_once
from tests.support.incoming import Clients, intake_fields, make_pdf, type_id, unit_id
from tests.support.outgoing import Api, create_draft, ids

CLERK, LEADER, HEAD, SPECIALIST = ("vanthu.xanghiphong", "lanhdao.xanghiphong", "truongphong.xanghiphong",
                                   "chuyenvien.xanghiphong")
COMMUNE = "000.01.21.H41"


@pytest.fixture
def clients(client, login) -> Clients:
    return Clients(client, login)


async def _csrf(client) -> dict[str, str]:
    return {"X-CSRFToken": (await client.get("/api/v1/session")).json()["csrf_token"]}


async def _submitted(clients: Clients, db_sessionmaker, urgency: str = "normal", n: int = 0) -> int:
    clerk = await clients(CLERK)
    headers = await _csrf(clerk)
    created = await clerk.post("/api/v1/incoming", headers=headers, files={
        "file": ("r.pdf", make_pdf(1), "application/pdf")},
        data=intake_fields(await type_id(db_sessionmaker), code_number=str(700 + n), urgency=urgency))
    assert created.status_code == 201, created.text
    doc_id = created.json()["id"]
    assert (await clerk.post(f"/api/v1/incoming/{doc_id}/transitions", json={"event": "submit"},
                             headers=headers)).status_code == 200
    return doc_id


async def _assigned(clients: Clients, db_sessionmaker, demo, urgency: str = "normal", n: int = 0) -> int:
    doc_id = await _submitted(clients, db_sessionmaker, urgency, n)
    leader = await clients(LEADER)
    unit = await unit_id(db_sessionmaker, await demo.agency_id(COMMUNE), "ĐCXD")
    due = (clock.today() + timedelta(days=30)).isoformat()
    response = await leader.post(f"/api/v1/incoming/{doc_id}/assignments", headers=await _csrf(leader),
                                 json={"assignees": [{"role": "lead", "unit_id": unit, "due_on": due}]})
    assert response.status_code == 200, response.text
    return doc_id


async def _uid(db_sessionmaker, username: str) -> int:
    async with db_sessionmaker() as db:
        return (await db.scalars(sa.select(User.id).where(User.username == username))).one()


def _at(day, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=VN_TZ).astimezone(UTC)


async def _scan(db_sessionmaker, settings, now: datetime) -> dict[str, int]:
    async with db_sessionmaker() as db:
        result = await scan(db, settings, RouteUrls(), now)
        await db.commit()
    return result.counts


async def _notices(db_sessionmaker) -> list[dict]:
    async with db_sessionmaker() as db:
        rows = (await db.scalars(sa.select(OutboxJob.payload).where(OutboxJob.kind == "notification.create")
                                 .order_by(OutboxJob.id))).all()
    return [json.loads(row) for row in rows]


async def _set_due(db_sessionmaker, doc_id: int, due) -> None:
    async with db_sessionmaker() as db:
        await db.execute(sa.update(IncomingDocument).where(IncomingDocument.id == doc_id).values(due_on=due))
        await db.execute(sa.update(Assignment).where(Assignment.incoming_id == doc_id).values(due_on=due))
        await db.commit()


async def test_due_soon_then_overdue_each_once_to_assignee_unit_head_and_leader(clients, db_sessionmaker, demo,
                                                                              settings) -> None:
    doc_id = await _assigned(clients, db_sessionmaker, demo)
    today = clock.today()
    await _scan(db_sessionmaker, settings, _at(today))
    assert not [n for n in await _notices(db_sessionmaker) if "hạn xử lý" in n["title"]]  # 30 days away: nothing
    due = today + timedelta(days=1)
    while not (due.weekday() < 5):
        due += timedelta(days=1)
    await _set_due(db_sessionmaker, doc_id, due)
    before = len(await _notices(db_sessionmaker))
    counts = await _scan(db_sessionmaker, settings, _at(today))
    notices = (await _notices(db_sessionmaker))[before:]
    assert counts["due_soon"] == 2 and len(notices) == 1
    expected = sorted([await _uid(db_sessionmaker, HEAD), await _uid(db_sessionmaker, LEADER)])
    assert notices[0]["user_ids"] == expected and notices[0]["title"].startswith("Sắp đến hạn xử lý")
    assert notices[0]["url"] == f"/incoming/{doc_id}" and not notices[0]["urgent"]
    assert (await _scan(db_sessionmaker, settings, _at(today, 11)))["due_soon"] == 0  # once only
    assert len(await _notices(db_sessionmaker)) == before + 1
    counts = await _scan(db_sessionmaker, settings, _at(due + timedelta(days=1)))
    assert counts["overdue"] == 2
    last = (await _notices(db_sessionmaker))[-1]
    assert last["title"].startswith("Quá hạn xử lý") and last["user_ids"] == expected
    assert (await _scan(db_sessionmaker, settings, _at(due + timedelta(days=2))))["overdue"] == 0
    # A moved deadline is reminded afresh.
    await _set_due(db_sessionmaker, doc_id, due - timedelta(days=1))
    assert (await _scan(db_sessionmaker, settings, _at(due + timedelta(days=2))))["overdue"] == 2


async def test_quiet_hours_hold_back_the_push_except_hoa_toc(clients, db_sessionmaker, demo, settings) -> None:
    normal = await _assigned(clients, db_sessionmaker, demo, "normal", 1)
    urgent = await _assigned(clients, db_sessionmaker, demo, "hoa_toc", 2)
    overdue_day = clock.today() - timedelta(days=3)
    for doc_id in (normal, urgent):
        await _set_due(db_sessionmaker, doc_id, overdue_day)
    head = await _uid(db_sessionmaker, HEAD)
    local_now = clock.now().astimezone(VN_TZ)
    async with db_sessionmaker() as db:
        db.add(PushSubscription(user_id=head, endpoint="https://push.invalid/x", endpoint_hash="r" * 64,
                                p256dh="p", auth="a"))
        db.add(PushPreference(user_id=head, quiet_enabled=True,
                              quiet_start=(local_now - timedelta(hours=1)).strftime("%H:%M"),
                              quiet_end=(local_now + timedelta(hours=2)).strftime("%H:%M")))
        # Only the reminders' notices are delivered in this test.
        await db.execute(sa.update(OutboxJob).where(OutboxJob.status == "pending").values(status="done"))
        await db.commit()
    counts = await _scan(db_sessionmaker, settings, clock.now())
    assert counts["overdue"] == 4
    await run_once(settings, db_sessionmaker)
    async with db_sessionmaker() as db:
        notes = {n.url: n for n in (await db.scalars(sa.select(Notification).where(Notification.user_id == head)))}
        pushes = [json.loads(p) | {"run_after": r} for p, r in (await db.execute(
            sa.select(OutboxJob.payload, OutboxJob.run_after).where(OutboxJob.kind == "push.send"))).all()]
    assert f"/incoming/{normal}" in notes and f"/incoming/{urgent}" in notes  # in-app: both, right away
    by_note = {p["notification_id"]: p for p in pushes}
    normal_push, urgent_push = by_note[notes[f"/incoming/{normal}"].id], by_note[notes[f"/incoming/{urgent}"].id]
    assert normal_push["deferred"] and normal_push["run_after"] > clock.now() + timedelta(minutes=30)
    assert not urgent_push["deferred"] and urgent_push["urgent"]
    assert notes[f"/incoming/{urgent}"].title.startswith("[Hỏa tốc]") or notes[f"/incoming/{urgent}"].urgent


async def test_clerk_clock_reminds_the_clerks_once(clients, db_sessionmaker, settings) -> None:
    clerk = await clients(CLERK)
    created = await clerk.post("/api/v1/incoming", headers=await _csrf(clerk), files={
        "file": ("c.pdf", make_pdf(1), "application/pdf")}, data=intake_fields(await type_id(db_sessionmaker)))
    doc_id = created.json()["id"]
    async with db_sessionmaker() as db:
        received = await db.scalar(sa.select(IncomingDocument.received_at).where(IncomingDocument.id == doc_id))
    assert (await _scan(db_sessionmaker, settings, received + timedelta(minutes=1)))["clerk_sla"] == 0
    assert (await _scan(db_sessionmaker, settings, received + timedelta(days=10)))["clerk_sla"] == 1
    notice = (await _notices(db_sessionmaker))[-1]
    assert notice["user_ids"] == [await _uid(db_sessionmaker, CLERK)]
    assert notice["title"].startswith("Quá 2 giờ làm việc chưa chuyển")
    assert (await _scan(db_sessionmaker, settings, received + timedelta(days=11)))["clerk_sla"] == 0


async def test_issue_rule_reminds_on_the_last_day_and_after(client, db_sessionmaker, settings) -> None:
    drafter = await Api(client).login(SPECIALIST)
    doc_id = await create_draft(drafter, await ids(settings), extra={"urgency": "normal"})
    signed_day = clock.today() - timedelta(days=20)
    while signed_day.weekday() != 0:  # a Monday: its next working day is Tuesday
        signed_day -= timedelta(days=1)
    async with db_sessionmaker() as db:
        await db.execute(sa.update(OutgoingDocument).where(OutgoingDocument.id == doc_id).values(
            state="signed", signed_at=_at(signed_day, 9)))
        await db.commit()
    assert (await _scan(db_sessionmaker, settings, _at(signed_day, 15)))["issue_due"] == 0
    assert (await _scan(db_sessionmaker, settings, _at(signed_day + timedelta(days=1))))["issue_due"] == 1
    assert (await _notices(db_sessionmaker))[-1]["title"].startswith("Phải phát hành trong hôm nay")
    assert (await _scan(db_sessionmaker, settings, _at(signed_day + timedelta(days=1), 16)))["issue_due"] == 0
    assert (await _scan(db_sessionmaker, settings, _at(signed_day + timedelta(days=2))))["issue_late"] == 1
    notice = (await _notices(db_sessionmaker))[-1]
    assert notice["title"].startswith("Quá hạn phát hành") and notice["url"] == f"/outgoing/{doc_id}"
    assert notice["user_ids"] == [await _uid(db_sessionmaker, CLERK)]


async def test_morning_digest_once_per_day_with_the_home_figures(clients, db_sessionmaker, demo, settings) -> None:
    await _submitted(clients, db_sessionmaker, n=3)
    overdue = await _assigned(clients, db_sessionmaker, demo, n=4)
    await _set_due(db_sessionmaker, overdue, clock.today() - timedelta(days=2))
    now = _at(clock.today(), 7)
    async with db_sessionmaker() as db:
        sent = await send_digests(db, RouteUrls(), now)
        await db.commit()
    notices = [n for n in await _notices(db_sessionmaker) if n["url"] == "/home"]
    leader = await _uid(db_sessionmaker, LEADER)
    mine = [n for n in notices if n["user_ids"] == [leader]]
    assert sent >= 1 and len(mine) == 1
    assert mine[0]["title"] == "Việc chờ hôm nay: chờ ký 0, chờ phân công 1, quá hạn 1"
    assert "đến hạn hôm nay 0" in mine[0]["body"] and mine[0]["informational"]
    nobody_else = {u for n in notices for u in n["user_ids"]}
    assert await _uid(db_sessionmaker, "lanhdao.nghiloc") not in nobody_else  # nothing waits there
    async with db_sessionmaker() as db:
        assert await send_digests(db, RouteUrls(), now + timedelta(hours=2)) == 0
        await db.commit()


def test_schedules() -> None:
    assert SCAN.name == "reminders.scan" and DIGEST.name == "reminders.digest"
    at_night = datetime(2026, 12, 7, 20, 0, tzinfo=UTC)  # 03:00 on the 8th in Vietnam
    assert next_digest_at(at_night) == datetime(2026, 12, 8, 0, 30, tzinfo=UTC)
    after = datetime(2026, 12, 8, 1, 0, tzinfo=UTC)  # 08:00 in Vietnam
    assert next_digest_at(after) == datetime(2026, 12, 9, 0, 30, tzinfo=UTC)
