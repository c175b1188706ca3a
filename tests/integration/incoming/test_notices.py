"""Notifications that mean something: one per burst, the actor named, read when opened (issue 11, item 6)."""

from __future__ import annotations

import sqlalchemy as sa

from backend.db.models import Notification, User
from backend.worker_app import run_once
from tests.support.incoming import doc_id_from, intake, intake_fields, make_pdf, post_form, type_id, user_id

CLERK, LEADER, HEAD = "vanthu.xanghiphong", "lanhdao.xanghiphong", "truongphong.xanghiphong"


async def _drain(settings, db_sessionmaker) -> None:
    while await run_once(settings, db_sessionmaker):
        pass


async def _notes(db_sessionmaker, username: str) -> list[Notification]:
    uid = await user_id(db_sessionmaker, username)
    async with db_sessionmaker() as db:
        return list((await db.scalars(sa.select(Notification).where(Notification.user_id == uid)
                                      .order_by(Notification.id))).all())


async def test_register_then_submit_by_one_clerk_is_one_notice_naming_the_clerk(
        clients, db_sessionmaker, settings) -> None:
    clerk = await clients(CLERK)
    doc_id = doc_id_from(await intake(clerk, intake_fields(await type_id(db_sessionmaker)), make_pdf(1)))
    await _drain(settings, db_sessionmaker)
    assert (await post_form(clerk, f"/incoming/{doc_id}/transition", {"event": "submit"})).status_code == 303
    await _drain(settings, db_sessionmaker)

    about = [n for n in await _notes(db_sessionmaker, LEADER) if n.url == f"/incoming/{doc_id}"]
    assert len(about) == 1, [n.title for n in about]
    note = about[0]
    assert note.title.startswith("Văn bản chờ phân công") and note.read_at is None
    async with db_sessionmaker() as db:
        clerk_name = (await db.scalars(sa.select(User.full_name).where(User.username == CLERK))).one()
    assert note.body == f"{clerk_name}: Về việc triển khai chuyển đổi số năm 2026"


async def test_opening_a_notice_marks_it_read_and_goes_to_the_document(
        clients, db_sessionmaker, settings) -> None:
    clerk = await clients(CLERK)
    doc_id = doc_id_from(await intake(clerk, intake_fields(await type_id(db_sessionmaker)), make_pdf(1)))
    assert (await post_form(clerk, f"/incoming/{doc_id}/transition", {"event": "submit"})).status_code == 303
    await _drain(settings, db_sessionmaker)
    note = [n for n in await _notes(db_sessionmaker, LEADER) if n.url == f"/incoming/{doc_id}"][0]

    leader = await clients(LEADER)
    listing = (await leader.get("/notifications")).text
    assert f'action="/notifications/{note.id}/open"' in listing and "Chưa đọc" in listing
    opened = await post_form(leader, f"/notifications/{note.id}/open", {})
    assert opened.status_code == 303 and opened.headers["location"] == f"/incoming/{doc_id}"
    assert [n.read_at for n in await _notes(db_sessionmaker, LEADER) if n.id == note.id][0] is not None

    head = await clients(HEAD)  # someone else's notice is not there for them
    assert (await post_form(head, f"/notifications/{note.id}/open", {})).status_code == 404


async def test_clerk_sla_line_is_for_clerks_only_and_reads_in_vietnamese(clients, db_sessionmaker) -> None:
    clerk = await clients(CLERK)
    doc_id = doc_id_from(await intake(clerk, intake_fields(await type_id(db_sessionmaker)), make_pdf(1)))
    assert (await post_form(clerk, f"/incoming/{doc_id}/transition", {"event": "submit"})).status_code == 303
    clerk_page = (await clerk.get(f"/incoming/{doc_id}")).text
    assert "Thời gian văn thư xử lý" in clerk_page
    sla_line = clerk_page.split("Thời gian văn thư xử lý:", 1)[1].split("giờ hành chính", 1)[0]
    assert "." not in sla_line, sla_line  # "0,5", "dưới 0,1", never "0.0"
    leader_page = (await (await clients(LEADER)).get(f"/incoming/{doc_id}")).text
    assert "Thời gian văn thư xử lý" not in leader_page
