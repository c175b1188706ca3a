"""The whole incoming flow over HTTP, as a clerk, a leader, a unit head and a specialist would do it.

Clerk uploads and registers → submits → leader assigns lead/coordinate/inform with deadlines →
unit head passes it to a specialist → specialist writes a note and a proposal and completes it.
Every transition leaves an audit row and a notification job; the worker turns them into
notifications; history, slip, register and badges reflect each step.
"""

from __future__ import annotations

import json
from datetime import timedelta

import sqlalchemy as sa

from backend.db.models import (
    Assignment,
    AssignmentStatus,
    AuditEvent,
    IncomingDocument,
    IncomingEvent,
    Notification,
    OutboxJob,
    Role,
    RoleGrant,
    StoredFile,
)
from backend.domain.notifications.kinds import NOTIFY
from backend.lib import clock
from backend.lib.clock import now, to_local
from backend.worker_app import run_once
from tests.support.incoming import doc_id_from, intake, intake_fields, make_pdf, post_form, type_id, unit_id, user_id

CLERK, LEADER, HEAD, SPECIALIST = ("vanthu.xanghiphong", "lanhdao.xanghiphong", "truongphong.xanghiphong",
                                   "chuyenvien.xanghiphong")


async def _state(db_sessionmaker, doc_id: int) -> str:
    async with db_sessionmaker() as db:
        return str((await db.get(IncomingDocument, doc_id)).state)


async def test_incoming_document_goes_from_upload_to_completion_over_http(
        clients, db_sessionmaker, demo, settings) -> None:
    agency = await demo.agency_id("000.01.21.H41")
    second_clerk = await user_id(db_sessionmaker, "quantri.xanghiphong")
    async with db_sessionmaker() as db:  # a second clerk, who must hear about urgent arrivals at once
        db.add(RoleGrant(user_id=second_clerk, agency_id=agency, role=Role.CLERK))
        await db.commit()
    clerk = await clients(CLERK)
    pdf = make_pdf(3)

    # 1. Intake and registration in one step, urgent (Hỏa tốc).
    fields = intake_fields(await type_id(db_sessionmaker, "cong_van"), urgency="hoa_toc",
                           reply_by_on=(clock.today() + timedelta(days=20)).isoformat())
    doc_id = doc_id_from(await intake(clerk, fields, pdf))
    page = await clerk.get(f"/incoming/{doc_id}")
    year = to_local(now()).year
    assert page.status_code == 200
    assert f"Số đến 1/{year}" in page.text and "Hỏa tốc" in page.text and "Chờ trình" in page.text
    assert "phải vào sổ, trình và chuyển giao <strong>ngay</strong>" in page.text
    async with db_sessionmaker() as db:
        doc = await db.get(IncomingDocument, doc_id)
        stored = await db.get(StoredFile, doc.file_id)
        assert doc.page_count == 3 and doc.arrival_number == 1 and doc.arrival_year == year
        assert stored.size == len(pdf) and len(stored.sha256) == 64
    download = await clerk.get(f"/incoming/{doc_id}/file")
    assert download.status_code == 200 and download.content == pdf  # original bytes unchanged
    assert download.headers["etag"] == f'"{stored.sha256}"'
    assert download.headers["content-disposition"] == (
        "attachment; filename=\"cong-van-125.pdf\"; filename*=UTF-8''cong-van-125.pdf")
    assert (await clerk.get(f"/incoming/{doc_id}/file",
                            headers={"If-None-Match": f'"{stored.sha256}"'})).status_code == 304

    # 2. Submit to the leader.
    response = await post_form(clerk, f"/incoming/{doc_id}/transition", {"event": "submit"})
    assert response.status_code == 303 and response.headers["location"] == f"/incoming/{doc_id}"
    assert await _state(db_sessionmaker, doc_id) == "submitted"

    # 3. The leader sees it waiting and assigns lead / coordinate / inform with deadlines.
    leader = await clients(LEADER)
    inbox = await leader.get("/incoming?inbox=to_assign")
    assert f"/incoming/{doc_id}" in inbox.text
    assert 'class="nav-count"' in inbox.text  # the "Văn bản đến" badge counts it
    lead_unit = await unit_id(db_sessionmaker, agency, "ĐCXD")
    other_unit = await unit_id(db_sessionmaker, agency, "VPTK")
    deputy = await user_id(db_sessionmaker, "capho.xanghiphong")
    lead_due = (clock.today() + timedelta(days=10)).isoformat()
    response = await post_form(leader, f"/incoming/{doc_id}/assign", {
        "event": "assign", "target": [f"unit:{lead_unit}", f"unit:{other_unit}", f"user:{deputy}", ""],
        "role": ["lead", "coordinate", "inform", "coordinate"], "due_on": [lead_due, lead_due, "", ""],
        "instruction": "Giao Địa chính - Xây dựng chủ trì, báo cáo trước hạn.", "classification": "needs_reply",
        "reply_by_on": (clock.today() + timedelta(days=15)).isoformat(),
    })
    assert response.status_code == 303, response.text[:2000]
    assert await _state(db_sessionmaker, doc_id) == "assigned"

    # 4. The unit head of the lead unit passes it to a specialist.
    head = await clients(HEAD)
    assert f"/incoming/{doc_id}" in (await head.get("/incoming?inbox=to_handle")).text
    specialist_id = await user_id(db_sessionmaker, SPECIALIST)
    async with db_sessionmaker() as db:
        unit_assignment = (await db.scalars(sa.select(Assignment).where(
            Assignment.incoming_id == doc_id, Assignment.assignee_unit_id == lead_unit))).one()
    response = await post_form(head, f"/incoming/{doc_id}/delegate", {
        "assignment_id": str(unit_assignment.id), "user_id": str(specialist_id), "due_on": lead_due,
        "instruction": "Đề nghị kiểm tra hiện trạng và dự thảo báo cáo."})
    assert response.status_code == 303, response.text[:2000]
    assert f"/incoming/{doc_id}" not in (await head.get("/incoming?inbox=to_handle")).text
    assert f"/incoming/{doc_id}" in (await head.get("/incoming?inbox=watching")).text

    # 5. The specialist records progress (which starts handling), a proposal, then completes.
    specialist = await clients(SPECIALIST)
    tasks = await specialist.get("/tasks")
    assert f"/incoming/{doc_id}" in tasks.text and "Chủ trì" in tasks.text
    response = await post_form(specialist, f"/incoming/{doc_id}/notes",
                               {"text": "Đã kiểm tra hiện trạng tại thôn 3.", "kind": "note"})
    assert response.status_code == 303
    assert await _state(db_sessionmaker, doc_id) == "in_progress"
    response = await post_form(specialist, f"/incoming/{doc_id}/notes",
                               {"text": "Đề xuất UBND xã ban hành công văn trả lời.", "kind": "proposal"})
    assert response.status_code == 303
    response = await post_form(specialist, f"/incoming/{doc_id}/transition", {
        "event": "complete", "reason": "Đã báo cáo kết quả kiểm tra.", "reply_reference": "45/UBND-ĐCXD"})
    assert response.status_code == 303
    assert await _state(db_sessionmaker, doc_id) == "completed"

    # History, slip and register reflect everything.
    detail = (await leader.get(f"/incoming/{doc_id}")).text
    for text in ("Vào sổ", "Trình lãnh đạo", "Phân công", "Giao chuyên viên", "Bắt đầu xử lý", "Hoàn thành",
                 "Đã báo cáo kết quả kiểm tra.", "45/UBND-ĐCXD"):
        assert text in detail
    slip = (await leader.get(f"/incoming/{doc_id}/slip")).text
    assert "PHIẾU GIẢI QUYẾT VĂN BẢN ĐẾN" in slip and "Đề xuất UBND xã ban hành công văn trả lời." in slip
    assert "Địa chính - Xây dựng" in slip
    book = (await clerk.get("/incoming/book")).text
    assert "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN" in book and "125/UBND-VP" in book

    async with db_sessionmaker() as db:
        actions = (await db.scalars(sa.select(AuditEvent.action).where(
            AuditEvent.object_type == "incoming", AuditEvent.object_id == str(doc_id)).order_by(AuditEvent.id))).all()
        access = {"incoming.file_downloaded", "incoming.viewed", "incoming.printed"}  # logged, but not changes
        assert {"incoming.viewed", "incoming.printed"} <= set(actions)
        assert [a for a in actions if a not in access] == [
            "incoming.received", "incoming.register", "incoming.submit", "incoming.assign", "incoming.delegated",
            "incoming.start", "incoming.note", "incoming.proposal", "incoming.complete"]
        events = (await db.scalars(sa.select(IncomingEvent.kind).where(IncomingEvent.incoming_id == doc_id))).all()
        assert events[:3] == ["receive", "register", "submit"]
        rows = (await db.execute(sa.select(Assignment.assignee_unit_id, Assignment.assignee_user_id, Assignment.status)
                                 .where(Assignment.incoming_id == doc_id))).tuples().all()
        statuses = {("unit", unit) if unit else ("user", user): status for unit, user, status in rows}
        # the lead unit and its specialist did the work; the cooperating unit and the deputy (để biết) never acted
        assert statuses == {("unit", lead_unit): AssignmentStatus.DONE, ("user", specialist_id): AssignmentStatus.DONE,
                            ("unit", other_unit): AssignmentStatus.CLOSED, ("user", deputy): AssignmentStatus.CLOSED}
        jobs = (await db.scalars(sa.select(OutboxJob.payload).where(OutboxJob.kind == NOTIFY.name))).all()
        payloads = [json.loads(p) for p in jobs]
        titles = [p["title"] for p in payloads]
        assert payloads[0]["title"].startswith("[Hỏa tốc] Văn bản khẩn vừa đến")
        assert payloads[0]["user_ids"] == [second_clerk] and payloads[0]["urgent"] is True
        assert any("Văn bản chờ phân công" in t for t in titles)
        assert any("Bạn được giao xử lý" in t for t in titles)

    while await run_once(settings, db_sessionmaker):
        pass
    leader_id = await user_id(db_sessionmaker, LEADER)
    head_id = await user_id(db_sessionmaker, HEAD)
    async with db_sessionmaker() as db:
        leader_notes = (await db.scalars(sa.select(Notification.title).where(Notification.user_id == leader_id))).all()
        head_notes = (await db.scalars(sa.select(Notification).where(Notification.user_id == head_id))).all()
    assert any("Văn bản chờ phân công" in title for title in leader_notes)
    assert any("Văn bản đã xử lý xong" in title for title in leader_notes)
    assert any(n.urgent and "Bạn được phân công" in n.title for n in head_notes)


async def test_page_images_are_webp_at_phone_width_and_cached(clients, db_sessionmaker, settings) -> None:
    clerk = await clients(CLERK)
    doc_id = doc_id_from(await intake(clerk, intake_fields(await type_id(db_sessionmaker)), make_pdf(2)))
    first = await clerk.get(f"/incoming/{doc_id}/pages/1")
    assert first.status_code == 200 and first.headers["content-type"] == "image/webp"
    assert first.content[:4] == b"RIFF" and first.content[8:12] == b"WEBP"
    etag = first.headers["etag"]
    assert (await clerk.get(f"/incoming/{doc_id}/pages/1", headers={"If-None-Match": etag})).status_code == 304
    assert (await clerk.get(f"/incoming/{doc_id}/pages/3")).status_code == 404
    cached = list((settings.blob_dir / "derived").rglob("*.webp"))
    assert [p.name for p in cached] == [f"p1-w{settings.page_image_width}.webp"]
    from PIL import Image

    with Image.open(cached[0]) as image:
        assert image.width == settings.page_image_width
