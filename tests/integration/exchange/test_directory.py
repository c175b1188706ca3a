"""The agency directory against the axis stand-in: sync (platform wins, overrides survive, departed
agencies deactivated), the accent-insensitive recipient picker, the admin page's on-demand sync, the
daily job, and a draft addressed to an axis agency (its line and adapter; the sending is in test_axis_send)."""

from __future__ import annotations

import sqlalchemy as sa
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.config.settings import Settings, load_settings
from backend.db.models import (
    Agency,
    AuditEvent,
    DeliveryStatus,
    DirectoryAgency,
    DirectorySource,
    JobStatus,
    OutboxJob,
    OutgoingDocument,
    OutgoingRecipient,
)
from backend.domain.exchange.axis_delivery import AxisDelivery
from backend.domain.exchange.delivery import PlatformDelivery, delivery_for
from backend.domain.exchange.directory import search_recipients, set_override, sync_directory
from backend.domain.exchange.directory_jobs import SYNC_DIRECTORY, ensure_sync_scheduled
from backend.lib import clock
from backend.lib.urls import RouteUrls
from backend.worker_app import run_once
from tests.support.axis import StandIn
from tests.support.outgoing import Api, create_draft, ids

Sessions = async_sessionmaker[AsyncSession]
Client = AsyncTestClient[Litestar]
BO_NOI_VU, DONG_THAP, NGHE_AN = "000.00.00.G12", "000.00.00.H29", "000.00.00.H41"


async def _sync(sessions: Sessions, settings: Settings, actor: str = "test") -> None:
    async with sessions() as db:
        await sync_directory(db, settings, clock.now(), actor_name=actor)
        await db.commit()


async def _entry(db: AsyncSession, code: str) -> DirectoryAgency:
    entry = await db.scalar(sa.select(DirectoryAgency).where(DirectoryAgency.code == code))
    assert entry is not None, code
    return entry


async def test_sync_platform_wins_and_overrides_survive(db_sessionmaker: Sessions, settings: Settings,
                                                         axis: StandIn) -> None:
    await _sync(db_sessionmaker, settings)
    async with db_sessionmaker() as db:
        agencies = (await db.scalar(sa.select(sa.func.count()).select_from(Agency)))
        platform = await db.scalar(sa.select(sa.func.count()).select_from(DirectoryAgency).where(
            DirectoryAgency.source == DirectorySource.PLATFORM))
        assert platform == agencies
        province = await _entry(db, NGHE_AN)  # listed by the axis too: still ours, platform path
        assert province.source is DirectorySource.PLATFORM and province.agency_id is not None
        assert province.identifier == "H41.000.000.000.000.000.000.000.000"
        bo = await _entry(db, BO_NOI_VU)
        assert (bo.source, bo.name, len(bo.identifier or "")) == (DirectorySource.AXIS, "Bộ Nội vụ", 35)
        await set_override(db, bo, local_name="Bộ Nội vụ (Vụ Chính quyền địa phương)", hidden=False,
                           actor_id=None, actor_name="quantri.tinh")
        await set_override(db, await _entry(db, "000.00.00.G22"), local_name="", hidden=True, actor_id=None,
                           actor_name="quantri.tinh")
        await db.commit()

    axis.state.agencies = [a if a["code"] != BO_NOI_VU else {**a, "name": "Bộ Nội vụ nước CHXHCN Việt Nam"}
                           for a in axis.state.agencies if a["code"] != DONG_THAP]
    await _sync(db_sessionmaker, settings)
    async with db_sessionmaker() as db:
        bo = await _entry(db, BO_NOI_VU)
        assert bo.name == "Bộ Nội vụ nước CHXHCN Việt Nam", "synced field refreshed"
        assert bo.local_name == "Bộ Nội vụ (Vụ Chính quyền địa phương)", "override kept"
        assert (await _entry(db, "000.00.00.G22")).hidden, "override kept"
        assert not (await _entry(db, DONG_THAP)).is_active, "left the axis: kept, not offered"
        actions = (await db.scalars(sa.select(AuditEvent.action).where(
            AuditEvent.action.like("exchange.directory%")))).all()
        assert actions.count("exchange.directory_synced") == 2 and actions.count("exchange.directory_override") == 2


async def test_an_agency_whose_code_is_corrected_keeps_one_entry(db_sessionmaker: Sessions,
                                                                  settings: Settings, axis: StandIn) -> None:
    await _sync(db_sessionmaker, settings)
    async with db_sessionmaker() as db:
        agency = await db.scalar(sa.select(Agency).where(Agency.organ_id == "000.02.21.H41"))
        assert agency is not None
        entry_id = (await _entry(db, "000.02.21.H41")).id
        agency.organ_id = "000.09.21.H41"  # a typo corrected by the administrator
        province = await db.scalar(sa.select(Agency).where(Agency.organ_id == "000.00.01.H41"))
        assert province is not None
        province.organ_id = BO_NOI_VU  # now held by an axis entry: that entry becomes the agency's
        await db.commit()
    await _sync(db_sessionmaker, settings)
    async with db_sessionmaker() as db:
        moved = await _entry(db, "000.09.21.H41")
        assert moved.id == entry_id and moved.agency_id == agency.id and moved.parent_code
        taken = await _entry(db, BO_NOI_VU)
        assert (taken.source, taken.agency_id) == (DirectorySource.PLATFORM, province.id)
        old = await _entry(db, "000.00.01.H41")
        assert (old.agency_id, old.is_active) == (None, False)


async def test_picker_search_is_accent_insensitive_and_labels_the_path(db_sessionmaker: Sessions,
                                                                        settings: Settings, axis: StandIn) -> None:
    await _sync(db_sessionmaker, settings)
    async with db_sessionmaker() as db:
        own = await db.scalar(sa.select(Agency.id).where(Agency.organ_id == "000.01.21.H41"))
        assert own is not None

        async def names(query: str) -> list[tuple[str, str]]:
            return [(c.name, c.path) for c in await search_recipients(db, query, own_agency_id=own)]

        for query in ("dong thap", "ĐỒNG THÁP", "Đồng Tháp", "dong  THAP tai chinh"):
            assert await names(query) == [("Sở Tài chính tỉnh Đồng Tháp", "Trục liên thông quốc gia")], query
        assert await names("bo noi vu") == [("Bộ Nội vụ", "Trục liên thông quốc gia")]
        nghi_thai = await names("nghi thai")
        assert nghi_thai == [("Ủy ban nhân dân xã Nghi Thái", "Nội tỉnh")], "platform agencies alike"
        assert ("Ủy ban nhân dân xã Nghi Phong", "Nội tỉnh") not in await names("nghi phong"), "not our own"
        assert all(path == "Nội tỉnh" for _name, path in await names("")), "axis only once searched for"
        assert await names("ubnd tinh nghe an") == [], "the axis's entry for our province is not offered twice"
        bo = await _entry(db, BO_NOI_VU)
        picked = await search_recipients(db, "nghi thai", own_agency_id=own, picked_axis={bo.id})
        assert [(c.name, c.picked, c.field) for c in picked][0] == ("Bộ Nội vụ", True, "recipient_axis")
        await set_override(db, bo, local_name="", hidden=True, actor_id=None, actor_name="quantri.tinh")
        assert await names("bo noi vu") == [], "a hidden entry is not offered"


async def test_draft_form_picker_and_axis_recipient(client: Client, db_sessionmaker: Sessions, settings: Settings,
                                                     axis: StandIn) -> None:
    await _sync(db_sessionmaker, settings)
    async with db_sessionmaker() as db:
        bo_id = (await _entry(db, BO_NOI_VU)).id
    ids_ = await ids(settings)
    drafter = await Api(client).login("chuyenvien.xanghiphong")
    page = await drafter.get("/outgoing/new", params={"q": "bo noi vu"})
    assert page.status_code == 200
    assert f'name="recipient_axis" value="{bo_id}"' in page.text and "Trục liên thông quốc gia" in page.text
    fragment = await drafter.get("/outgoing/new", params={"q": "nghi thai", "recipient_axis": str(bo_id)},
                                 headers={"HX-Request": "true", "HX-Target": "recipient-choices"})
    assert fragment.text.lstrip().startswith('<div id="recipient-choices">'), "htmx gets the picker block only"
    assert f'name="recipient_axis" value="{bo_id}" checked' in fragment.text and "Nội tỉnh" in fragment.text

    refused = await drafter.post("/api/v1/outgoing", data={
        "document_type_id": str(ids_["cong_van"]), "summary": "V/v thử", "urgency": "normal",
        "signer_id": str(ids_["leader"]), "signing_authority": "TM.", "recipient_axis": "999999"},
        files={"file": ("du-thao.pdf", b"%PDF-1.4", "application/pdf")})
    assert refused.status_code == 422

    doc_id = await create_draft(drafter, ids_, extra={"recipient_axis": str(bo_id)})
    detail = await drafter.get(f"/outgoing/{doc_id}")
    assert "Bộ Nội vụ</strong> <span class=\"row-meta\">(qua Trục liên thông quốc gia)" in detail.text
    async with db_sessionmaker() as db:
        lines = (await db.scalars(sa.select(OutgoingRecipient).where(OutgoingRecipient.outgoing_id == doc_id)
                                  .order_by(OutgoingRecipient.id))).all()
        axis_line = next(line for line in lines if line.directory_id is not None)
        assert (axis_line.name, axis_line.recipient_agency_id) == ("Bộ Nội vụ", None)
        urls = RouteUrls()
        assert isinstance(delivery_for(settings, urls, axis_line), AxisDelivery)
        platform_line = next(line for line in lines if line.recipient_agency_id is not None)
        assert isinstance(delivery_for(settings, urls, platform_line), PlatformDelivery)

        doc = await db.get(OutgoingDocument, doc_id)
        assert doc is not None
        # an adapter without a package builder stops at once with a reason the clerk can read
        await AxisDelivery(settings).deliver(db, doc, axis_line)
        assert axis_line.status is DeliveryStatus.FAILED and "edXML" in axis_line.status_note
        await db.rollback()


async def test_admin_syncs_on_demand(client: Client, db_sessionmaker: Sessions, axis: StandIn) -> None:
    admin = await Api(client).login("quantri.tinh")
    page = await admin.get("/admin/directory")
    assert page.status_code == 200 and "Đồng bộ ngay" in page.text and "Danh bạ liên thông" in page.text
    response = await admin.post("/admin/directory/sync", follow_redirects=False)
    assert response.status_code == 303
    page = await admin.get("/admin/directory", params={"q": "bo noi vu"})
    assert "Bộ Nội vụ" in page.text and "Đã đồng bộ danh bạ" in page.text
    async with db_sessionmaker() as db:
        bo = await _entry(db, BO_NOI_VU)
        synced = await db.scalar(sa.select(AuditEvent).where(AuditEvent.action == "exchange.directory_synced"))
        assert synced is not None and synced.actor_name == "quantri.tinh"
    response = await admin.post(f"/admin/directory/{bo.id}/override",
                                data={"local_name": "Bộ Nội vụ (VP Bộ)", "hidden": ""}, follow_redirects=False)
    assert response.status_code == 303
    async with db_sessionmaker() as db:
        assert (await _entry(db, BO_NOI_VU)).local_name == "Bộ Nội vụ (VP Bộ)"

    commune = await Api(client).login("quantri.xanghiphong")  # a commune's administrator reads, does not edit
    page = await commune.get("/admin/directory")
    assert page.status_code == 200 and "Đồng bộ ngay" not in page.text
    assert (await commune.post("/admin/directory/sync", follow_redirects=False)).status_code == 403
    assert (await commune.post(f"/admin/directory/{bo.id}/override", data={"local_name": "x"},
                               follow_redirects=False)).status_code == 403
    clerk = await Api(client).login("vanthu.tinh")
    assert (await clerk.get("/admin/directory", follow_redirects=False)).status_code == 403


async def test_admin_sync_with_a_refusing_axis_changes_nothing(client: Client, db_sessionmaker: Sessions,
                                                               axis: StandIn) -> None:
    axis.state.systems["congvan-nghe-an"] = ("another-secret", axis.state.systems["congvan-nghe-an"][1])
    admin = await Api(client).login("quantri.tinh")
    response = await admin.post("/admin/directory/sync", follow_redirects=False)
    assert response.status_code == 303
    page = await admin.get("/admin/directory")
    assert "từ chối" in page.text and "UNAUTHORIZED" in page.text
    async with db_sessionmaker() as db:
        assert await db.scalar(sa.select(sa.func.count()).select_from(DirectoryAgency)) == 0


async def test_daily_job_is_scheduled_and_syncs(db_sessionmaker: Sessions, settings: Settings,
                                                axis: StandIn) -> None:
    await ensure_sync_scheduled(db_sessionmaker, settings)
    await ensure_sync_scheduled(db_sessionmaker, settings)
    async with db_sessionmaker() as db:
        jobs = (await db.scalars(sa.select(OutboxJob).where(OutboxJob.kind == SYNC_DIRECTORY.name))).all()
        assert len(jobs) == 1 and jobs[0].status is JobStatus.PENDING
        first_run = jobs[0].run_after
    assert await run_once(settings, db_sessionmaker, now=lambda: first_run) >= 1
    async with db_sessionmaker() as db:
        assert (await _entry(db, BO_NOI_VU)).source is DirectorySource.AXIS
        pending = (await db.scalars(sa.select(OutboxJob).where(OutboxJob.kind == SYNC_DIRECTORY.name,
                                                               OutboxJob.status == JobStatus.PENDING))).all()
        assert len(pending) == 1 and pending[0].run_after > first_run, "tomorrow's run is queued"


async def test_daily_job_without_the_axis_still_syncs_the_platform(db_sessionmaker: Sessions,
                                                                   settings_env: dict[str, str]) -> None:
    unconfigured = load_settings({k: v for k, v in settings_env.items() if not k.startswith("AXIS_")})
    await ensure_sync_scheduled(db_sessionmaker, unconfigured)
    async with db_sessionmaker() as db:
        job = await db.scalar(sa.select(OutboxJob).where(OutboxJob.kind == SYNC_DIRECTORY.name))
        assert job is not None
        due = job.run_after
    assert await run_once(unconfigured, db_sessionmaker, now=lambda: due) >= 1
    async with db_sessionmaker() as db:
        assert await db.scalar(sa.select(sa.func.count()).select_from(DirectoryAgency).where(
            DirectoryAgency.source == DirectorySource.AXIS)) == 0
        assert await db.scalar(sa.select(sa.func.count()).select_from(DirectoryAgency)) > 0
