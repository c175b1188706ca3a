"""Recall, update and replace over the axis, both ways, through the stand-in (the ministry is played with the
AxisClient over a real socket, as in the other axis tests).

Receiving (Bộ Nội vụ → Nghi Phong): a recall offered twice is noticed once; the clerk's confirmation cancels
the document (nothing more can be done with it) and answers 15; a refusal answers 16 with the clerk's reason;
a recall of a document never received is answered 02 naming it; an update changes the document with its
history kept and answers 15; a replacement arrives as a new document linked to the old one, which is
cancelled (15). Sending (Nghi Phong → Bộ Nội vụ): recalling an issued document sends a recall package; the
ministry's 15 marks the line recalled, its 16 shows the refusal with the reason and tells the clerks; a
replacing document goes as a replace package naming the earlier one."""

from __future__ import annotations

import dataclasses
from dataclasses import replace
from datetime import date

import sqlalchemy as sa
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.config.settings import Settings
from backend.db.models import (
    AuditEvent,
    AxisArrival,
    DeliveryStatus,
    DirectoryAgency,
    IncomingDocument,
    IncomingEvent,
    IncomingState,
    Notification,
    OutboxJob,
    OutgoingDocument,
    OutgoingRecipient,
    Urgency,
)
from backend.db.models.outgoing import ReplaceKind
from backend.domain.exchange.axis_client import AxisClient
from backend.domain.exchange.axis_poller import poll_axis
from backend.domain.exchange.axis_seal import seal_package
from backend.domain.exchange.directory import sync_directory
from backend.domain.exchange.edxml.build import build
from backend.domain.exchange.edxml.codes import BusinessDocType
from backend.domain.exchange.edxml.model import Business, Package, Replacement
from backend.domain.exchange.edxml.parse import parse
from backend.domain.exchange.kinds import DELIVER, RECALL, Deliver, Recall
from backend.lib import clock
from backend.lib.urls import RouteUrls
from backend.tasks.outbox import enqueue
from tests.support.axis import StandIn, edoc_package, free_port, sealed_status, statuses_back
from tests.support.incoming import make_pdf
from tests.support.outgoing import Api, create_draft, ids, run_jobs

Client = AsyncTestClient[Litestar]
Sessions = async_sessionmaker[AsyncSession]
BO_NOI_VU, NGHI_PHONG = "000.00.00.G12", "000.01.21.H41"


def _doc_id(number: str) -> str:
    return f"{BO_NOI_VU},2026/12/07,{number}/UBND-VP"


def ministry(axis: StandIn) -> AxisClient:
    return AxisClient(axis.url, "bo-b", "s3cret-B-never-logged")


def _changed(number: str, kind: BusinessDocType, *, reason: str = "", subject: str = "Công văn thử",
             pdf: bytes | None = None, replaces: str = "") -> bytes:
    """A recall, update or replace package of the ministry's document ``number``, by the real builder."""
    package = parse(edoc_package(BO_NOI_VU, [NGHI_PHONG], subject, number=number, pdf=pdf or make_pdf(1)))
    assert isinstance(package, Package)
    business = Business(doc_type=kind, document_id=package.document_id, reason=reason,
                        replacements=(Replacement(replaces, (NGHI_PHONG,)),) if replaces else ())
    attachments = () if kind is BusinessDocType.RECALL else package.attachments
    return build(replace(package, business=business, attachments=attachments))


async def _send(axis: StandIn, settings: Settings, *packages: bytes) -> None:
    """The ministry sends ``packages``, each sealed with its package seal (unsealed packages are refused)."""
    sealed = [await seal_package(settings, BO_NOI_VU, package) for package in packages]
    async with ministry(axis) as bo:
        for package in sealed:
            await bo.sendEdoc(BO_NOI_VU, package)



async def _received(sessions: Sessions, settings: Settings, axis: StandIn, number: str,
                    subject: str = "Công văn thử") -> int:
    """The ministry's document ``number`` taken in by Nghi Phong, its 01 read: the incoming id."""
    await _send(axis, settings, edoc_package(BO_NOI_VU, [NGHI_PHONG], subject, number=number, pdf=make_pdf(1)))
    await poll_axis(sessions, settings, RouteUrls())
    await run_jobs(settings)
    assert [s.status_code for s in await statuses_back(axis, settings)] == ["01"]
    async with sessions() as db:
        found = await db.scalar(sa.select(IncomingDocument.id).where(
            IncomingDocument.document_identifier == _doc_id(number)))
        assert found is not None
        return int(found)


async def _state(sessions: Sessions, incoming_id: int) -> IncomingState:
    async with sessions() as db:
        doc = await db.get(IncomingDocument, incoming_id)
        assert doc is not None
        return doc.state


async def test_a_recall_confirmed_by_the_clerk_cancels_the_document_and_answers_15_once(
        client: Client, db_sessionmaker: Sessions, settings: Settings, axis: StandIn) -> None:
    incoming_id = await _received(db_sessionmaker, settings, axis, "21")
    recall = _changed("21", BusinessDocType.RECALL, reason="Ban hành nhầm đối tượng")
    await _send(axis, settings, recall, recall)  # offered twice
    assert await poll_axis(db_sessionmaker, settings, RouteUrls()) == 2
    async with db_sessionmaker() as db:
        arrivals = (await db.scalars(sa.select(AxisArrival).where(AxisArrival.document_id == _doc_id("21"))
                                     .order_by(AxisArrival.business_type))).all()
        assert [a.business_type for a in arrivals] == [0, 1], "one row for the document, one for its recall"
        assert arrivals[0].recall_reason == "Ban hành nhầm đối tượng"
        assert await db.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "exchange.recall_received")) == 1, "the second offer does nothing"
    assert all(p.acks.get(NGHI_PHONG) == "done" for p in axis.state.packages.values() if p.message_type == "edoc")

    clerk = await Api(client).login("vanthu.xanghiphong")
    assert (await clerk.get(f"/incoming/{incoming_id}/file")).status_code == 410
    page = await clerk.get(f"/incoming/{incoming_id}")
    assert "Ban hành nhầm đối tượng" in page.text and "Xác nhận đã hủy" in page.text
    assert (await clerk.post(f"/exchange/receipts/{incoming_id}/confirm-recall")).status_code == 303
    assert await _state(db_sessionmaker, incoming_id) is IncomingState.CANCELLED
    refused = await clerk.post(f"/api/v1/incoming/{incoming_id}/transitions", json={"event": "register"})
    assert refused.status_code == 409 and "Đã hủy (thu hồi)" in refused.json()["title"]

    await run_jobs(settings)
    [answer] = await statuses_back(axis, settings)
    assert (answer.status_code, answer.sender.organ_id, answer.response_for.document_id) == (
        "15", NGHI_PHONG, _doc_id("21"))


async def test_a_recall_refused_by_the_clerk_answers_16_with_the_reason(
        client: Client, db_sessionmaker: Sessions, settings: Settings, axis: StandIn) -> None:
    incoming_id = await _received(db_sessionmaker, settings, axis, "22")
    await _send(axis, settings, _changed("22", BusinessDocType.RECALL, reason="Sai thể thức"))
    await poll_axis(db_sessionmaker, settings, RouteUrls())
    clerk = await Api(client).login("vanthu.xanghiphong")
    refused = await clerk.post(f"/exchange/receipts/{incoming_id}/refuse-recall",
                               data={"reason": "Văn bản đã được triển khai tới các thôn"})
    assert refused.status_code == 303
    assert await _state(db_sessionmaker, incoming_id) is IncomingState.RECEIVED
    assert (await clerk.get(f"/incoming/{incoming_id}/file")).status_code == 200
    await run_jobs(settings)
    [answer] = await statuses_back(axis, settings)
    assert (answer.status_code, answer.description) == ("16", "Văn bản đã được triển khai tới các thôn")
    assert answer.response_for.document_id == _doc_id("22")


async def test_a_recall_of_a_document_never_received_is_answered_02_naming_it(
        db_sessionmaker: Sessions, settings: Settings, axis: StandIn) -> None:
    await _send(axis, settings, _changed("23", BusinessDocType.RECALL, reason="Nhầm"))
    assert await poll_axis(db_sessionmaker, settings, RouteUrls()) == 1
    async with db_sessionmaker() as db:
        assert await db.scalar(sa.select(sa.func.count()).select_from(AxisArrival)) == 0
    [answer] = await statuses_back(axis, settings)
    assert answer.status_code == "02" and _doc_id("23") in answer.description
    assert all(p.acks.get(NGHI_PHONG) == "fail" for p in axis.state.packages.values() if p.message_type == "edoc")


async def test_an_update_changes_the_document_keeps_its_history_and_answers_15(
        client: Client, db_sessionmaker: Sessions, settings: Settings, axis: StandIn) -> None:
    incoming_id = await _received(db_sessionmaker, settings, axis, "24", subject="V/v họp giao ban tháng 12")
    update = _changed("24", BusinessDocType.UPDATE, subject="V/v họp giao ban tháng 12 (đổi giờ họp)",
                      pdf=make_pdf(3))
    await _send(axis, settings, update, update)
    assert await poll_axis(db_sessionmaker, settings, RouteUrls()) == 2
    async with db_sessionmaker() as db:
        doc = await db.get(IncomingDocument, incoming_id)
        assert doc is not None and doc.summary == "V/v họp giao ban tháng 12 (đổi giờ họp)" and doc.page_count == 3
        assert doc.state is IncomingState.RECEIVED and doc.urgency is Urgency.KHAN
        notes = (await db.scalars(sa.select(IncomingEvent.text).where(
            IncomingEvent.incoming_id == incoming_id, IncomingEvent.kind == "sender_update"))).all()
        assert len(notes) == 1 and "V/v họp giao ban tháng 12" in notes[0] and "3 trang" in notes[0]
        assert await db.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "incoming.sender_update", AuditEvent.object_id == str(incoming_id))) == 1
    clerk = await Api(client).login("vanthu.xanghiphong")
    page = await clerk.get(f"/incoming/{incoming_id}")
    assert "Cơ quan gửi cập nhật" in page.text and "đổi giờ họp" in page.text
    await run_jobs(settings)
    assert [s.status_code for s in await statuses_back(axis, settings)] == ["15"]


async def test_a_replacement_arrives_linked_and_cancels_the_document_it_replaces(
        client: Client, db_sessionmaker: Sessions, settings: Settings, axis: StandIn) -> None:
    old_id = await _received(db_sessionmaker, settings, axis, "25")
    await _send(axis, settings,
                _changed("26", BusinessDocType.REPLACE, subject="Công văn thay thế", replaces=_doc_id("25")))
    assert await poll_axis(db_sessionmaker, settings, RouteUrls()) == 1
    async with db_sessionmaker() as db:
        new = await db.scalar(sa.select(IncomingDocument).where(IncomingDocument.document_identifier == _doc_id("26")))
        assert new is not None and new.state is IncomingState.RECEIVED and "25/UBND-VP" in new.description
        arrival = await db.scalar(sa.select(AxisArrival).where(AxisArrival.incoming_id == new.id))
        assert arrival is not None and arrival.replaces_id == old_id and arrival.business_type == 3
    assert await _state(db_sessionmaker, old_id) is IncomingState.CANCELLED
    await run_jobs(settings)
    answers = {(s.response_for.document_id, s.status_code) for s in await statuses_back(axis, settings)}
    assert answers == {(_doc_id("26"), "01"), (_doc_id("25"), "15")}

    await _send(axis, settings, _changed("25", BusinessDocType.RECALL, reason="Thu hồi văn bản đã được thay thế"))
    await poll_axis(db_sessionmaker, settings, RouteUrls())
    await run_jobs(settings)
    assert [(s.response_for.document_id, s.status_code) for s in await statuses_back(axis, settings)] == [
        (_doc_id("25"), "15")], "a recall of a document already cancelled is granted at once"


async def _issued_to_ministry(client: Client, sessions: Sessions, settings: Settings, axis: StandIn,
                              number: int, replaces: int | None = None) -> tuple[int, int, Package]:
    """A Nghi Phong document issued to Bộ Nội vụ and sent over the axis: (doc, line, the package the ministry read).

    Signing and numbering are covered by the outgoing tests; the issue's fields are written directly.
    """
    async with sessions() as db:
        await sync_directory(db, settings, clock.now(), actor_name="test")
        await db.commit()
        bo_id = await db.scalar(sa.select(DirectoryAgency.id).where(DirectoryAgency.code == BO_NOI_VU))
    drafter = await Api(client).login("chuyenvien.xanghiphong")
    doc_id = await create_draft(drafter, await ids(settings), extra={"recipient_axis": str(bo_id)})
    async with sessions() as db:
        doc = await db.get(OutgoingDocument, doc_id)
        assert doc is not None
        doc.number, doc.number_year, doc.code_number = number, 2026, str(number)
        doc.code_notation, doc.issued_on, doc.issued_at = "UBND-VP", date(2026, 12, 7), clock.now()
        if replaces is not None:
            doc.replaces_id, doc.replace_kind = replaces, ReplaceKind.REPLACE
        line = await db.scalar(sa.select(OutgoingRecipient).where(OutgoingRecipient.outgoing_id == doc_id,
                                                                  OutgoingRecipient.directory_id.is_not(None)))
        assert line is not None
        await enqueue(db, DELIVER, Deliver(recipient_id=line.id))
        await db.commit()
        line_id = line.id
    await run_jobs(settings)
    async with ministry(axis) as bo:
        [item] = await bo.getReceivedEdocList("edoc")
        package = parse(await bo.getEdoc(item.doc_id))
        await bo.updateStatus(item.doc_id, "done")
    assert isinstance(package, Package)
    return doc_id, line_id, package


async def _recall_and_answer(sessions: Sessions, settings: Settings, axis: StandIn, line_id: int, code: str,
                             description: str = "") -> Package:
    """Recall the line's document (what the outgoing ``recall`` does for an agency line), the ministry reads the
    recall package and answers ``code``; our poller takes the answer in. The recall package read."""
    async with sessions() as db:
        line = await db.get(OutgoingRecipient, line_id)
        assert line is not None
        line.status = DeliveryStatus.RECALL_REQUESTED
        await enqueue(db, RECALL, Recall(recipient_id=line_id, reason="Sai căn cứ pháp lý"))
        await db.commit()
    await run_jobs(settings)
    async with ministry(axis) as bo:
        [item] = await bo.getReceivedEdocList("edoc")
        package = parse(await bo.getEdoc(item.doc_id))
        await bo.updateStatus(item.doc_id, "done")
        assert isinstance(package, Package)
        answer = await sealed_status(settings, BO_NOI_VU, NGHI_PHONG, code, package.document_id, description)
        await bo.sendEdoc(BO_NOI_VU, answer, messagetype="status")
    assert await poll_axis(sessions, settings, RouteUrls()) == 1
    return package


async def test_recalling_a_document_sent_over_the_axis_sends_a_recall_and_15_marks_the_line_recalled(
        client: Client, db_sessionmaker: Sessions, settings: Settings, axis: StandIn) -> None:
    _doc, line_id, _sent = await _issued_to_ministry(client, db_sessionmaker, settings, axis, 51)
    package = await _recall_and_answer(db_sessionmaker, settings, axis, line_id, "15")
    assert package.business.doc_type is BusinessDocType.RECALL
    assert package.business.reason == "Sai căn cứ pháp lý" and package.business.document_id == package.document_id
    assert package.document_id == "000.01.21.H41,2026/12/07,51/UBND-VP" and package.attachments == ()
    async with db_sessionmaker() as db:
        line = await db.get(OutgoingRecipient, line_id)
        assert line is not None and line.status is DeliveryStatus.RECALLED and line.recall_confirmed_at is not None


async def test_a_recall_refused_over_the_axis_shows_the_reason_on_the_line_and_tells_the_clerks(
        client: Client, db_sessionmaker: Sessions, settings: Settings, axis: StandIn) -> None:
    doc_id, line_id, _sent = await _issued_to_ministry(client, db_sessionmaker, settings, axis, 52)
    await _recall_and_answer(db_sessionmaker, settings, axis, line_id, "16", "Văn bản đã được thực hiện")
    async with db_sessionmaker() as db:
        line = await db.get(OutgoingRecipient, line_id)
        assert line is not None and line.status is DeliveryStatus.RECALL_REFUSED
        assert line.status_note == "Văn bản đã được thực hiện"
        assert line.recall_confirmed_at is None
    await run_jobs(settings)
    async with db_sessionmaker() as db:
        titles = (await db.scalars(sa.select(Notification.title).where(Notification.url == f"/outgoing/{doc_id}"))
                  ).all()
        assert any("từ chối thu hồi" in title for title in titles), titles
    clerk = await Api(client).login("vanthu.xanghiphong")
    page = await clerk.get(f"/outgoing/{doc_id}")
    assert "Lý do: Văn bản đã được thực hiện" in page.text


async def test_a_replacing_document_goes_to_the_ministry_as_a_replace_package_naming_the_earlier_one(
        client: Client, db_sessionmaker: Sessions, settings: Settings, axis: StandIn) -> None:
    earlier_id, earlier_line, first = await _issued_to_ministry(client, db_sessionmaker, settings, axis, 53)
    _doc, _line, second = await _issued_to_ministry(client, db_sessionmaker, settings, axis, 54, replaces=earlier_id)
    assert first.business.doc_type is BusinessDocType.NEW
    assert second.business.doc_type is BusinessDocType.REPLACE
    assert second.business.replacements == (Replacement(first.document_id, (BO_NOI_VU,)),)

    # the ministry can no longer cancel the earlier document: its 16 about it shows on that document's line
    async with db_sessionmaker() as db:
        line = await db.get(OutgoingRecipient, earlier_line)
        assert line is not None and line.status is DeliveryStatus.RECALL_REQUESTED, "awaiting the answer"
    refusal = await sealed_status(settings, BO_NOI_VU, NGHI_PHONG, "16", first.document_id,
                                  "Văn bản đã được thực hiện xong")
    async with ministry(axis) as bo:
        await bo.sendEdoc(BO_NOI_VU, refusal, messagetype="status")
    assert await poll_axis(db_sessionmaker, settings, RouteUrls()) == 1
    async with db_sessionmaker() as db:
        line = await db.get(OutgoingRecipient, earlier_line)
        assert line is not None and line.status is DeliveryStatus.RECALL_REFUSED
        assert line.status_note == "Văn bản đã được thực hiện xong"


async def test_a_recall_that_cannot_reach_the_axis_is_retried_then_the_line_says_why(
        client: Client, db_sessionmaker: Sessions, settings: Settings, axis: StandIn) -> None:
    doc_id, line_id, _sent = await _issued_to_ministry(client, db_sessionmaker, settings, axis, 55)
    async with db_sessionmaker() as db:
        line = await db.get(OutgoingRecipient, line_id)
        assert line is not None
        line.status = DeliveryStatus.RECALL_REQUESTED
        await enqueue(db, RECALL, Recall(recipient_id=line_id, reason="Sai căn cứ"), max_attempts=2)
        await db.commit()
    dead = dataclasses.replace(settings, axis_url=f"http://127.0.0.1:{free_port()}", axis_timeout_seconds=2.0)
    await run_jobs(dead)
    async with db_sessionmaker() as db:
        job = await db.scalar(sa.select(OutboxJob).where(OutboxJob.kind == RECALL.name))
        assert job is not None and job.attempts == 1, "first try failed: retried later"
        job.run_after = clock.now()  # the backoff has passed
        await db.commit()
    await run_jobs(dead)
    async with db_sessionmaker() as db:
        line = await db.get(OutgoingRecipient, line_id)
        assert line is not None and line.status is DeliveryStatus.RECALL_REQUESTED
        assert "không kết nối được Trục liên thông quốc gia" in line.status_note
        titles = (await db.scalars(sa.select(Notification.title).where(Notification.url == f"/outgoing/{doc_id}"))
                  ).all()
        assert any("Yêu cầu thu hồi" in title for title in titles), titles
