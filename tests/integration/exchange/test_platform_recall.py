"""A recall on the platform path, seen by the receiving agency: once the clerk confirms it, the document is
``cancelled`` and the engine refuses submitting, forwarding and assigning it (pages and API alike), it leaves
the to-do lists and the sender's line reads ``recalled``; a clerk who refuses the recall must give a reason,
which the sender's line shows, and the document goes on being handled."""

from __future__ import annotations

import sqlalchemy as sa
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.config.settings import Settings
from backend.db.models import (
    AuditEvent,
    DeliveryStatus,
    IncomingDocument,
    IncomingState,
    OutgoingDocument,
    OutgoingRecipient,
    RecipientKind,
)
from backend.domain.exchange.kinds import DELIVER, RECALL, Deliver, Recall
from backend.lib import clock
from backend.tasks.outbox import enqueue
from tests.support.outgoing import Api, create_draft, ids, run_jobs

Client = AsyncTestClient[Litestar]
Sessions = async_sessionmaker[AsyncSession]


async def _delivered(client: Client, sessions: Sessions, settings: Settings, number: str) -> tuple[int, int]:
    """A Nghi Phong document delivered to Nghi Thái on the platform: (its line id, the incoming id).

    Signing and numbering are covered by the outgoing tests; the issue's fields are written directly.
    """
    drafter = await Api(client).login("chuyenvien.xanghiphong")
    doc_id = await create_draft(drafter, await ids(settings))
    async with sessions() as db:
        doc = await db.get(OutgoingDocument, doc_id)
        assert doc is not None
        doc.number, doc.number_year, doc.code_number = int(number), 2026, number
        doc.code_notation, doc.issued_on, doc.issued_at = "UBND-VP", clock.today(), clock.now()
        line = await db.scalar(sa.select(OutgoingRecipient).where(OutgoingRecipient.outgoing_id == doc_id,
                                                                  OutgoingRecipient.kind == RecipientKind.AGENCY))
        assert line is not None
        await enqueue(db, DELIVER, Deliver(recipient_id=line.id))
        await db.commit()
        line_id = line.id
    await run_jobs(settings)
    async with sessions() as db:
        line = await db.get(OutgoingRecipient, line_id)
        assert line is not None and line.incoming_id is not None
        return line_id, line.incoming_id


async def _recall(sessions: Sessions, settings: Settings, line_id: int, reason: str) -> None:
    """What the outgoing ``recall`` transition does for an agency line (its own tests cover it)."""
    async with sessions() as db:
        line = await db.get(OutgoingRecipient, line_id)
        assert line is not None
        line.status = DeliveryStatus.RECALL_REQUESTED
        await enqueue(db, RECALL, Recall(recipient_id=line_id, reason=reason))
        await db.commit()
    await run_jobs(settings)


async def _line(sessions: Sessions, line_id: int) -> OutgoingRecipient:
    async with sessions() as db:
        line = await db.get(OutgoingRecipient, line_id)
        assert line is not None
        return line


async def test_a_confirmed_recall_cancels_the_document_and_nothing_more_can_be_done(
        client: Client, db_sessionmaker: Sessions, settings: Settings) -> None:
    line_id, incoming_id = await _delivered(client, db_sessionmaker, settings, "31")
    clerk = await Api(client).login("vanthu.xanghithai")
    leader = await Api(client).login("lanhdao.xanghithai")
    registered = await clerk.post(f"/api/v1/incoming/{incoming_id}/transitions", json={"event": "register"})
    assert registered.status_code == 200, registered.text
    direct = await clerk.post(f"/api/v1/incoming/{incoming_id}/transitions", json={"event": "cancel"})
    assert direct.status_code == 409 and "thu hồi" in direct.text, "cancel is only the answer to a recall"

    await _recall(db_sessionmaker, settings, line_id, "Sai số liệu tại điều 2")
    confirmed = await clerk.post(f"/exchange/receipts/{incoming_id}/confirm-recall")
    assert confirmed.status_code == 303
    async with db_sessionmaker() as db:
        doc = await db.get(IncomingDocument, incoming_id)
        assert doc is not None and doc.state is IncomingState.CANCELLED
        assert await db.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "incoming.cancel", AuditEvent.object_id == str(incoming_id))) == 1

    submit = await clerk.post(f"/api/v1/incoming/{incoming_id}/transitions", json={"event": "submit"})
    assert submit.status_code == 409 and "Đã hủy (thu hồi)" in submit.json()["title"], submit.text
    forward = await leader.post(f"/api/v1/incoming/{incoming_id}/assignments", json={
        "event": "forward", "assignees": [{"role": "lead", "user_id": 1}]})
    assert forward.status_code == 409, forward.text
    page_form = await clerk.post(f"/incoming/{incoming_id}/transition", data={"event": "submit"})
    assert page_form.status_code == 409
    again = await clerk.post(f"/exchange/receipts/{incoming_id}/confirm-recall")
    assert again.status_code == 303, "confirming twice changes nothing"
    to_submit = (await clerk.get("/api/v1/incoming?inbox=to_submit")).json()["items"]
    assert incoming_id not in [d["id"] for d in to_submit]
    page = await clerk.get(f"/incoming/{incoming_id}")
    assert "Đã hủy (thu hồi)" in page.text and "Đã xác nhận hủy" in page.text
    book = await clerk.get("/incoming/book.csv")
    assert book.status_code == 200 and "Đã hủy do cơ quan gửi thu hồi" in book.text, "the register book says so"

    await run_jobs(settings)
    line = await _line(db_sessionmaker, line_id)
    assert line.status is DeliveryStatus.RECALLED and line.recall_confirmed_at is not None


async def test_a_refused_recall_needs_a_reason_reaches_the_sender_and_the_document_goes_on(
        client: Client, db_sessionmaker: Sessions, settings: Settings) -> None:
    line_id, incoming_id = await _delivered(client, db_sessionmaker, settings, "32")
    clerk = await Api(client).login("vanthu.xanghithai")
    await _recall(db_sessionmaker, settings, line_id, "Gửi nhầm")
    assert (await clerk.get(f"/incoming/{incoming_id}/file")).status_code == 410

    blank = await clerk.post(f"/exchange/receipts/{incoming_id}/refuse-recall", data={"reason": "  "})
    assert blank.status_code == 422 and "Lý do từ chối thu hồi" in blank.text
    refused = await clerk.post(f"/exchange/receipts/{incoming_id}/refuse-recall",
                               data={"reason": "Văn bản đã được chuyển cho Chủ tịch xử lý"})
    assert refused.status_code == 303
    assert (await clerk.post(f"/exchange/receipts/{incoming_id}/confirm-recall")).status_code == 409
    assert (await clerk.get(f"/incoming/{incoming_id}/file")).status_code == 200, "readable again"
    page = await clerk.get(f"/incoming/{incoming_id}")
    assert "yêu cầu đã bị từ chối" in page.text and "chuyển cho Chủ tịch" in page.text

    await run_jobs(settings)
    line = await _line(db_sessionmaker, line_id)
    assert line.status is DeliveryStatus.RECALL_REFUSED
    assert line.status_note == "Văn bản đã được chuyển cho Chủ tịch xử lý"
    registered = await clerk.post(f"/api/v1/incoming/{incoming_id}/transitions", json={"event": "register"})
    assert registered.status_code == 200, registered.text
    await run_jobs(settings)
    assert (await _line(db_sessionmaker, line_id)).status is DeliveryStatus.ACCEPTED


async def test_a_recall_of_a_document_no_longer_open_is_refused_at_once_with_the_reason(
        client: Client, db_sessionmaker: Sessions, settings: Settings) -> None:
    line_id, incoming_id = await _delivered(client, db_sessionmaker, settings, "33")
    clerk = await Api(client).login("vanthu.xanghithai")
    returned = await clerk.post(f"/api/v1/incoming/{incoming_id}/transitions",
                                json={"event": "return_to_sender", "reason": "Gửi nhầm cơ quan"})
    assert returned.status_code == 200, returned.text
    await run_jobs(settings)
    await _recall(db_sessionmaker, settings, line_id, "Thu hồi để sửa")
    assert (await clerk.post(f"/exchange/receipts/{incoming_id}/confirm-recall")).status_code == 409
    async with db_sessionmaker() as db:
        doc = await db.get(IncomingDocument, incoming_id)
        assert doc is not None and doc.state is IncomingState.RETURNED
    line = await _line(db_sessionmaker, line_id)
    assert line.status is DeliveryStatus.RECALL_REFUSED and "Đã trả lại" in line.status_note
    page = await clerk.get(f"/incoming/{incoming_id}")
    assert "yêu cầu đã bị từ chối" in page.text and "Thu hồi để sửa" in page.text
