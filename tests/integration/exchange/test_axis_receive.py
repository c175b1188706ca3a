"""Receiving over the axis: the ministry (played with the AxisClient over a real socket) sends a package to Nghi
Phong; the poller creates the incoming document with every field from the metadata, commits, acknowledges, and
the status job answers 01; the same package offered twice creates one document; a bad package is answered with
status 02 naming the reason and acknowledged ``fail``; registration answers 03."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.config.settings import Settings
from backend.db.models import AuditEvent, AxisArrival, IncomingDocument, IncomingState, Urgency
from backend.domain.exchange.axis_client import AxisClient
from backend.domain.exchange.axis_poller import poll_axis
from backend.lib.urls import RouteUrls
from tests.support.axis import StandIn, sealed_package, statuses_back
from tests.support.incoming import make_pdf
from tests.support.outgoing import Api, run_jobs

Client = AsyncTestClient[Litestar]
Sessions = async_sessionmaker[AsyncSession]
BO_NOI_VU, NGHI_PHONG = "000.00.00.G12", "000.01.21.H41"
DOC_ID = f"{BO_NOI_VU},2026/12/07,12/UBND-VP"


def ministry(axis: StandIn) -> AxisClient:
    return AxisClient(axis.url, "bo-b", "s3cret-B-never-logged")



async def test_a_package_becomes_one_incoming_document_and_is_answered(
        client: Client, db_sessionmaker: Sessions, settings: Settings, axis: StandIn) -> None:
    package = await sealed_package(settings, BO_NOI_VU, [NGHI_PHONG], "V/v báo cáo công tác cải cách hành chính",
                                   pdf=make_pdf(2))
    async with ministry(axis) as bo:
        await bo.sendEdoc(BO_NOI_VU, package)
        await bo.sendEdoc(BO_NOI_VU, package)  # offered twice (a resend, or our crash before the acknowledgement)
    assert await poll_axis(db_sessionmaker, settings, RouteUrls()) == 2
    async with db_sessionmaker() as db:
        docs = (await db.scalars(sa.select(IncomingDocument).where(IncomingDocument.document_identifier == DOC_ID))
                ).all()
        assert len(docs) == 1, "a package offered twice creates one document"
        doc = docs[0]
        assert doc.state is IncomingState.RECEIVED and doc.received_by_id is None
        assert (doc.code_number, doc.code_notation, doc.issued_on) == ("12", "UBND-VP", date(2026, 12, 7))
        assert doc.summary == "V/v báo cáo công tác cải cách hành chính" and doc.issuer_name == "Bộ Nội vụ"
        assert (doc.signer_name, doc.signer_position) == ("Nguyễn Văn A", "KT. BỘ TRƯỞNG / THỨ TRƯỞNG")
        assert doc.urgency is Urgency.KHAN and doc.reply_by_on == date(2026, 12, 31) and doc.page_count == 2
        arrival = await db.scalar(sa.select(AxisArrival).where(AxisArrival.incoming_id == doc.id))
        assert arrival is not None and arrival.sender_code == BO_NOI_VU and len(arrival.package_sha256) == 64
        assert await db.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "exchange.axis_received")) == 1
        incoming_id = doc.id
    async with ministry(axis) as bo:
        assert all(p.acks.get(NGHI_PHONG) == "done" for p in axis.state.packages.values()
                   if p.message_type == "edoc"), "both offers acknowledged"
        assert await bo.getReceivedEdocList("status") == []
    await run_jobs(settings)
    [arrived] = await statuses_back(axis, settings)
    assert (arrived.status_code, arrived.sender.organ_id, arrived.response_for.document_id) == (
        "01", NGHI_PHONG, DOC_ID)

    clerk = await Api(client).login("vanthu.xanghiphong")
    page = await clerk.get(f"/incoming/{incoming_id}")
    assert page.status_code == 200 and "cải cách hành chính" in page.text
    registered = await clerk.post(f"/api/v1/incoming/{incoming_id}/transitions", json={"event": "register"})
    assert registered.status_code == 200, registered.text
    await run_jobs(settings)
    assert [s.status_code for s in await statuses_back(axis, settings)] == ["03"]


async def test_bad_packages_are_answered_with_02_and_nothing_is_stored(
        db_sessionmaker: Sessions, settings: Settings, axis: StandIn) -> None:
    async with ministry(axis) as bo:
        wrong_root = b"<Goi><To><OrganId>" + NGHI_PHONG.encode() + b"</OrganId></To></Goi>"
        await bo.sendEdoc(BO_NOI_VU, wrong_root)
        await bo.sendEdoc(BO_NOI_VU, await sealed_package(settings, BO_NOI_VU, [NGHI_PHONG], number="13",
                                                          pdf=b"not a pdf"))
        await bo.sendEdoc(BO_NOI_VU, await sealed_package(settings, BO_NOI_VU, [NGHI_PHONG], "", number="14",
                                                          pdf=make_pdf(1)))
    assert await poll_axis(db_sessionmaker, settings, RouteUrls()) == 3
    async with db_sessionmaker() as db:
        assert await db.scalar(sa.select(sa.func.count()).select_from(IncomingDocument)) == 0
        assert await db.scalar(sa.select(sa.func.count()).select_from(AxisArrival)) == 0
        assert await db.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "exchange.axis_refused")) == 3
    # neither the refused packages nor the valid PDF of the one refused for its metadata are kept (issue 16, item 4)
    assert [p for p in settings.blob_dir.rglob("*") if p.is_file()] == []
    assert all(p.acks.get(NGHI_PHONG) == "fail" for p in axis.state.packages.values() if p.message_type == "edoc")
    refusals = await statuses_back(axis, settings)
    assert [s.status_code for s in refusals] == ["02", "02", "02"]
    assert all(s.description and s.sender.organ_id == NGHI_PHONG for s in refusals), [s.description for s in refusals]
    assert refusals[1].response_for.document_id == f"{BO_NOI_VU},2026/12/07,13/UBND-VP"
