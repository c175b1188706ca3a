"""Sending over the axis: an issued document addressed to Bộ Nội vụ goes out through the outbox as a real
edXML package (the test plays the ministry with the AxisClient: receives, parses, checks the fields); an axis
answers with statuses that move the sender's line monotonically (late lower codes ignored, 02 always);
an axis that refuses the package fails the line at once with the reason; an axis that cannot be reached is retried
until the job's last try, which fails the line with the reason and tells the clerks and the drafter."""

from __future__ import annotations

import dataclasses
import json
from datetime import date

import sqlalchemy as sa
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.config.settings import Settings
from backend.db.models import (
    Agency,
    AuditEvent,
    DeliveryStatus,
    DirectoryAgency,
    Notification,
    OutboxJob,
    OutgoingDocument,
    OutgoingRecipient,
    StoredFile,
)
from backend.domain.documents.files import blob_store
from backend.domain.exchange.axis_client import AxisClient
from backend.domain.exchange.axis_poller import poll_axis
from backend.domain.exchange.directory import sync_directory
from backend.domain.exchange.edxml.codes import BusinessDocType, Priority
from backend.domain.exchange.edxml.model import Package
from backend.domain.exchange.edxml.parse import parse
from backend.domain.exchange.kinds import DELIVER, Deliver
from backend.lib import clock
from backend.lib.urls import RouteUrls
from backend.tasks.outbox import enqueue
from tests.support.axis import StandIn, free_port, sealed_status, status_package
from tests.support.outgoing import Api, create_draft, ids, run_jobs

Client = AsyncTestClient[Litestar]
Sessions = async_sessionmaker[AsyncSession]
BO_NOI_VU, NGHI_PHONG = "000.00.00.G12", "000.01.21.H41"
ISSUED_ON = date(2026, 12, 7)


async def _issued_to_ministry(client: Client, sessions: Sessions, settings: Settings, *,
                              max_attempts: int | None = None) -> tuple[int, int]:
    """A document of Nghi Phong addressed to Bộ Nội vụ, issued, its axis delivery queued: (doc id, line id).

    The workflow up to the issue (signing, numbering) is covered by the outgoing tests; here the issue's
    fields (number, symbol, date) are written directly so the test is about the axis.
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
        doc.number, doc.number_year, doc.code_number = 45, 2026, "45"
        doc.code_notation, doc.issued_on, doc.issued_at = "UBND-VP", ISSUED_ON, clock.now()
        doc.reply_by_on = date(2026, 12, 21)
        line = await db.scalar(sa.select(OutgoingRecipient).where(OutgoingRecipient.outgoing_id == doc_id,
                                                                  OutgoingRecipient.directory_id.is_not(None)))
        assert line is not None
        await enqueue(db, DELIVER, Deliver(recipient_id=line.id), max_attempts=max_attempts)
        await db.commit()
        return doc_id, line.id


async def test_an_issued_document_reaches_the_ministry_as_edxml(client: Client, db_sessionmaker: Sessions,
                                                                settings: Settings, axis: StandIn) -> None:
    doc_id, line_id = await _issued_to_ministry(client, db_sessionmaker, settings)
    await run_jobs(settings)
    async with db_sessionmaker() as db:
        line = await db.get(OutgoingRecipient, line_id)
        doc = await db.get(OutgoingDocument, doc_id)
        assert line is not None and doc is not None
        assert line.status is DeliveryStatus.SENT and line.status_note == ""
        sent = await db.scalar(sa.select(AuditEvent).where(AuditEvent.action == "exchange.axis_sent",
                                                           AuditEvent.object_id == str(doc_id)))
        assert sent is not None
        stored = await db.get(StoredFile, doc.main_file_id)
        sender = await db.scalar(sa.select(Agency).where(Agency.organ_id == NGHI_PHONG))
        assert stored is not None and sender is not None
        pdf = await blob_store(settings).read_bytes(stored.sha256)

    async with AxisClient(axis.url, "bo-b", "s3cret-B-never-logged") as ministry:
        waiting = await ministry.getReceivedEdocList("edoc")
        assert [w.sender for w in waiting] == [NGHI_PHONG]
        package = parse(await ministry.getEdoc(waiting[0].doc_id))
        await ministry.updateStatus(waiting[0].doc_id, "done")
    assert isinstance(package, Package)
    assert package.document_id == f"{NGHI_PHONG},2026/12/07,45/UBND-VP"
    assert package.business.doc_type is BusinessDocType.NEW and package.business.document_id == package.document_id
    assert (package.sender.organ_id, package.sender.name) == (NGHI_PHONG, sender.name)
    assert [r.organ_id for r in package.recipients] == [BO_NOI_VU]
    assert (package.code.number, package.code.notation, package.promulgation_date) == ("45", "UBND-VP", ISSUED_ON)
    assert package.subject == "V/v triển khai chuyển đổi số năm 2026"
    assert package.document_type.type == "cong_van" and package.document_type.type_name
    assert package.other_info.priority == Priority.URGENT, "khẩn"
    assert package.due_date == date(2026, 12, 21)
    assert package.signer.competence == "TM. ỦY BAN NHÂN DÂN", "the prefix and the collective it signs for"
    assert package.signer.full_name == doc.signer_name
    assert package.promulgation_place == sender.place_name
    assert [(a.name, a.content_type, a.data) for a in package.attachments] == [
        (stored.filename, "application/pdf", pdf)], "the issued PDF, base64, byte for byte"

    # the ministry answers: 01, 03, then a late 01 (ignored), then 05 (04 skipped); a status about a package we
    # never sent is acknowledged fail
    async with AxisClient(axis.url, "bo-b", "s3cret-B-never-logged") as ministry:
        for code in ("01", "03", "01", "05"):
            status = await sealed_status(settings, BO_NOI_VU, NGHI_PHONG, code, package.document_id)
            await ministry.sendEdoc(BO_NOI_VU, status, messagetype="status")
        never_sent = await sealed_status(settings, BO_NOI_VU, NGHI_PHONG, "03", f"{NGHI_PHONG},2026/12/07,999/UBND-VP")
        stray = await ministry.sendEdoc(BO_NOI_VU, never_sent, messagetype="status")
    assert await poll_axis(db_sessionmaker, settings, RouteUrls()) == 5
    async with db_sessionmaker() as db:
        line = await db.get(OutgoingRecipient, line_id)
        assert line is not None and line.status is DeliveryStatus.PROCESSING
        applied = [json.loads(e.detail) for e in (await db.scalars(sa.select(AuditEvent).where(
            AuditEvent.action == "exchange.axis_status_received").order_by(AuditEvent.id))).all()]
        assert [(d["code"], d["applied"]) for d in applied] == [("01", True), ("03", True), ("01", False),
                                                                 ("05", True)]
    assert axis.state.packages[stray].acks[NGHI_PHONG] == "fail"

    # a status without a valid package seal moves nothing: logged, audited with the reason, acknowledged fail
    async with AxisClient(axis.url, "bo-b", "s3cret-B-never-logged") as ministry:
        unsigned = await ministry.sendEdoc(BO_NOI_VU, status_package(BO_NOI_VU, NGHI_PHONG, "06", package.document_id),
                                           messagetype="status")
    assert await poll_axis(db_sessionmaker, settings, RouteUrls()) == 1
    assert axis.state.packages[unsigned].acks[NGHI_PHONG] == "fail"
    async with db_sessionmaker() as db:
        line = await db.get(OutgoingRecipient, line_id)
        assert line is not None and line.status is DeliveryStatus.PROCESSING, "the unsigned 06 was not applied"
        [refused] = (await db.scalars(sa.select(AuditEvent.detail).where(
            AuditEvent.action == "exchange.axis_status_refused"))).all()
        assert json.loads(refused)["reason"] and json.loads(refused)["axis_doc_id"] == unsigned

    # a return (02) moves any line, with the reason, and tells the clerks and the drafter
    async with AxisClient(axis.url, "bo-b", "s3cret-B-never-logged") as ministry:
        returned = await sealed_status(settings, BO_NOI_VU, NGHI_PHONG, "02", package.document_id,
                                       "Sai thẩm quyền ban hành")
        await ministry.sendEdoc(BO_NOI_VU, returned, messagetype="status")
    await poll_axis(db_sessionmaker, settings, RouteUrls())
    async with db_sessionmaker() as db:
        line = await db.get(OutgoingRecipient, line_id)
        assert line is not None and line.status is DeliveryStatus.RETURNED
        assert line.status_note == "Sai thẩm quyền ban hành"


async def test_a_package_the_axis_refuses_fails_the_line_with_the_reason(
        client: Client, db_sessionmaker: Sessions, settings: Settings, axis: StandIn) -> None:
    doc_id, line_id = await _issued_to_ministry(client, db_sessionmaker, settings)
    axis.state.agencies = [a for a in axis.state.agencies if a["code"] != BO_NOI_VU]  # left the axis since
    del axis.state.systems["bo-b"]
    await run_jobs(settings)
    async with db_sessionmaker() as db:
        line = await db.get(OutgoingRecipient, line_id)
        assert line is not None and line.status is DeliveryStatus.FAILED
        assert "từ chối" in line.status_note and BO_NOI_VU in line.status_note
        jobs = (await db.scalars(sa.select(OutboxJob).where(OutboxJob.kind == DELIVER.name))).all()
        assert all(job.attempts == 1 for job in jobs), "a refusal is not retried"
        failed = await db.scalar(sa.select(AuditEvent).where(AuditEvent.action == "exchange.axis_delivery_failed",
                                                             AuditEvent.object_id == str(doc_id)))
        assert failed is not None
        notices = (await db.scalars(sa.select(Notification).where(Notification.url.contains(f"/outgoing/{doc_id}"))))
        assert any("chưa gửi được" in n.title for n in notices.all())


async def test_an_unreachable_axis_is_retried_then_the_line_fails(client: Client, db_sessionmaker: Sessions,
                                                                  settings: Settings, axis: StandIn) -> None:
    doc_id, line_id = await _issued_to_ministry(client, db_sessionmaker, settings, max_attempts=2)
    dead = dataclasses.replace(settings, axis_url=f"http://127.0.0.1:{free_port()}", axis_timeout_seconds=2.0)
    await run_jobs(dead)
    async with db_sessionmaker() as db:
        line = await db.get(OutgoingRecipient, line_id)
        job = await db.scalar(sa.select(OutboxJob).where(OutboxJob.kind == DELIVER.name))
        assert line is not None and job is not None
        assert line.status is DeliveryStatus.QUEUED and job.attempts == 1, "first try failed: retried later"
        job.run_after = clock.now()  # the backoff has passed
        await db.commit()
    await run_jobs(dead)
    async with db_sessionmaker() as db:
        line = await db.get(OutgoingRecipient, line_id)
        assert line is not None and line.status is DeliveryStatus.FAILED
        assert "không kết nối được Trục liên thông quốc gia" in line.status_note
        notices = (await db.scalars(sa.select(Notification).where(Notification.url.contains(f"/outgoing/{doc_id}"))))
        assert any("chưa gửi được" in n.title for n in notices.all())
