"""Recipient lines record the first moment of each milestone whatever path moves them (what the dashboard reads).

Over the axis stand-in: the issued document leaves (``sent_at``), the ministry answers 01, 03, a late
01 (ignored: nothing moves back) and then 02 with a reason; each milestone is stamped once, in order.
And a line whose milestone columns are not loaded (an expired object) keeps its earlier moments
(``COALESCE`` in the UPDATE), so a second status never moves a milestone.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.config.settings import Settings
from backend.db.models import DeliveryStatus, OutgoingRecipient
from backend.domain.exchange.axis_client import AxisClient
from backend.domain.exchange.axis_poller import poll_axis
from backend.domain.exchange.edxml.model import Package
from backend.domain.exchange.edxml.parse import parse
from backend.domain.exchange.receipts import move_line
from backend.lib.urls import RouteUrls
from tests.integration.exchange.dashboard_dataset import at, build
from tests.integration.exchange.test_axis_send import BO_NOI_VU, NGHI_PHONG, _issued_to_ministry
from tests.support.axis import StandIn, sealed_status
from tests.support.outgoing import run_jobs

pytestmark = pytest.mark.anyio

Sessions = async_sessionmaker[AsyncSession]


async def test_axis_answers_stamp_each_milestone_once(client: AsyncTestClient[Litestar], db_sessionmaker: Sessions,
                                                      settings: Settings, axis: StandIn) -> None:
    _doc_id, line_id = await _issued_to_ministry(client, db_sessionmaker, settings)
    async with db_sessionmaker() as db:
        queued = await db.get(OutgoingRecipient, line_id)
        assert queued is not None and queued.sent_at is None, "a queued line has not left"
    await run_jobs(settings)
    async with db_sessionmaker() as db:
        sent = await db.get(OutgoingRecipient, line_id)
        assert sent is not None and sent.status is DeliveryStatus.SENT and sent.sent_at is not None
        assert (sent.arrived_at, sent.accepted_at, sent.returned_at) == (None, None, None)
    async with AxisClient(axis.url, "bo-b", "s3cret-B-never-logged") as ministry:
        waiting = await ministry.getReceivedEdocList("edoc")
        package = parse(await ministry.getEdoc(waiting[0].doc_id))
        assert isinstance(package, Package)
        document_id = package.document_id
        await ministry.updateStatus(waiting[0].doc_id, "done")
        for code in ("01", "03"):
            status = await sealed_status(settings, BO_NOI_VU, NGHI_PHONG, code, document_id)
            await ministry.sendEdoc(BO_NOI_VU, status, messagetype="status")
    await poll_axis(db_sessionmaker, settings, RouteUrls())
    async with db_sessionmaker() as db:
        answered = await db.get(OutgoingRecipient, line_id)
        assert answered is not None and answered.status is DeliveryStatus.ACCEPTED
        assert answered.arrived_at is not None and answered.accepted_at is not None
        assert sent.sent_at == answered.sent_at <= answered.arrived_at <= answered.accepted_at
        first = (answered.sent_at, answered.arrived_at, answered.accepted_at)
    async with AxisClient(axis.url, "bo-b", "s3cret-B-never-logged") as ministry:
        late = await sealed_status(settings, BO_NOI_VU, NGHI_PHONG, "01", document_id)
        returned = await sealed_status(settings, BO_NOI_VU, NGHI_PHONG, "02", document_id, "Sai thẩm quyền ban hành")
        await ministry.sendEdoc(BO_NOI_VU, late, messagetype="status")
        await ministry.sendEdoc(BO_NOI_VU, returned, messagetype="status")
    await poll_axis(db_sessionmaker, settings, RouteUrls())
    async with db_sessionmaker() as db:
        returned = await db.get(OutgoingRecipient, line_id)
        assert returned is not None and returned.status is DeliveryStatus.RETURNED
        assert (returned.sent_at, returned.arrived_at, returned.accepted_at) == first
        assert returned.returned_at is not None and returned.returned_at >= first[2]
        assert returned.status_note == "Sai thẩm quyền ban hành" and returned.done_at is None


async def test_an_expired_line_keeps_its_earlier_milestones(db_sessionmaker: Sessions) -> None:
    async with db_sessionmaker() as db:
        await build(db)
        await db.commit()
    async with db_sessionmaker() as db:
        line_id = await db.scalar(sa.select(OutgoingRecipient.id).where(OutgoingRecipient.arrived_at == at(9, 16, 6)))
        row = await db.get(OutgoingRecipient, line_id)
        assert row is not None and row.status is DeliveryStatus.ARRIVED
        db.expire(row, ["sent_at", "arrived_at", "accepted_at"])
        await move_line(db, RouteUrls(), row, DeliveryStatus.ACCEPTED)
        await db.commit()
    async with db_sessionmaker() as db:
        again = await db.get(OutgoingRecipient, line_id)
        assert again is not None and again.status is DeliveryStatus.ACCEPTED
        assert (again.sent_at, again.arrived_at) == (at(9, 16), at(9, 16, 6))
        assert again.accepted_at is not None and again.accepted_at > at(9, 16, 6)
