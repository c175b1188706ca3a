"""The archive-transfer pages without JavaScript: the archive page, the transfer buttons of a file,
a refusal shown as a message (nothing stored), submit and accept by the clerk (the archive holder)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from backend.db.models import OutgoingDocument, WorkFile
from backend.lib import clock
from tests.conftest import csrf_from
from tests.support.incoming import Clients
from tests.support.workfiles import arrange_incoming, arrange_outgoing


async def test_archive_page_and_transfer_buttons(api: Any, client: Any, login: Any, demo: Any, db_sessionmaker: Any,
                                                 settings: Any) -> None:
    specialist = await api("chuyenvien.tinh")
    agency = await demo.agency_id("000.00.00.H41")
    me = await specialist.user_id(db_sessionmaker, "chuyenvien.tinh")
    opened = await specialist.call("POST", "/api/v1/work-files/", {
        "title": "Hồ sơ nộp lưu qua trang", "file_notation": "09.VP", "retention": "Vĩnh viễn",
        "start_date": (clock.today() - dt.timedelta(days=900)).isoformat()})
    file_id = opened.json()["id"]
    doc = await arrange_incoming(db_sessionmaker, settings, agency, number=500, summary="Về việc nộp lưu",
                                 issued_on=clock.today() - dt.timedelta(days=800), assign_to=me)
    draft = await arrange_outgoing(db_sessionmaker, settings, agency, drafter=me, summary="Dự thảo chưa ký")
    for kind, doc_id in (("incoming", doc), ("outgoing", draft)):
        await specialist.call("POST", f"/api/v1/work-files/{file_id}/documents", {"kind": kind, "document_id": doc_id})
    await specialist.call("POST", f"/api/v1/work-files/{file_id}/close",
                          {"end_date": (clock.today() - dt.timedelta(days=500)).isoformat()})

    clerk = await Clients(client, login)("vanthu.tinh")
    listing = await clerk.get("/work-files/")
    assert listing.status_code == 200, listing.text[-3000:]
    archive = await clerk.get("/work-files/archive")
    assert archive.status_code == 200
    assert "Hồ sơ nộp lưu qua trang" in archive.text and "Mục lục hồ sơ nộp lưu (.xlsx)" in archive.text
    page = await clerk.get(f"/work-files/{file_id}")
    assert "Nộp lưu" in page.text and "Hạn nộp lưu:" in page.text and "Đóng hồ sơ</button>" not in page.text
    token = csrf_from(page.text)
    refused = await clerk.post(f"/work-files/{file_id}/transfer", data={"_csrf_token": token, "event": "submit"})
    assert refused.status_code == 303
    assert "văn bản đi chưa được ký" in (await clerk.get(f"/work-files/{file_id}")).text
    async with db_sessionmaker() as db:
        assert (await db.get(WorkFile, file_id)).state == "closed"  # type: ignore[union-attr]
    # the draft is signed and issued meanwhile (its own flow has its own tests)
    async with db_sessionmaker() as db:
        await db.execute(sa.update(OutgoingDocument).where(OutgoingDocument.id == draft).values(state="issued"))
        await db.commit()

    submitted = await clerk.post(f"/work-files/{file_id}/transfer", data={"_csrf_token": token, "event": "submit"})
    assert submitted.status_code == 303
    page = await clerk.get(f"/work-files/{file_id}")
    assert "Chờ lưu trữ tiếp nhận" in page.text and "Tiếp nhận vào lưu trữ" in page.text and "Trả lại" in page.text
    assert "Hồ sơ nộp lưu qua trang" in (await clerk.get("/work-files/archive")).text
    accepted = await clerk.post(f"/work-files/{file_id}/transfer",
                                data={"_csrf_token": csrf_from(page.text), "event": "accept"})
    assert accepted.status_code == 303
    page = await clerk.get(f"/work-files/{file_id}")
    assert "Đã nộp lưu" in page.text and 'name="event"' not in page.text
    unknown = await clerk.post(f"/work-files/{file_id}/transfer", data={"_csrf_token": token, "event": "close"})
    assert unknown.status_code == 404


async def test_settlement_date_from_the_file_page(api: Any, client: Any, login: Any, demo: Any,
                                                  db_sessionmaker: Any, settings: Any) -> None:
    specialist = await api("chuyenvien.tinh")
    opened = await specialist.call("POST", "/api/v1/work-files/", {
        "title": "Hồ sơ công trình trụ sở xã", "file_notation": "12.XD", "retention": "Vĩnh viễn",
        "capital_construction": True, "start_date": (clock.today() - dt.timedelta(days=900)).isoformat()})
    file_id = opened.json()["id"]
    clerk = await Clients(client, login)("vanthu.tinh")
    page = await clerk.get(f"/work-files/{file_id}")
    assert "Ngày quyết toán công trình" in page.text and "Ghi ngày quyết toán" in page.text
    wrong = await clerk.post(f"/work-files/{file_id}/settlement",
                             data={"_csrf_token": csrf_from(page.text), "settlement_date": "2999-01-01"})
    assert wrong.status_code == 303
    page = await clerk.get(f"/work-files/{file_id}")
    assert "không được sau ngày hôm nay" in page.text
    settled = clock.today() - dt.timedelta(days=10)
    done = await clerk.post(f"/work-files/{file_id}/settlement",
                            data={"_csrf_token": csrf_from(page.text), "settlement_date": settled.isoformat()})
    assert done.status_code == 303
    page = await clerk.get(f"/work-files/{file_id}")
    assert "hạn nộp lưu là ngày" in page.text and "Sửa ngày quyết toán" in page.text
    async with db_sessionmaker() as db:
        assert (await db.get(WorkFile, file_id)).settlement_date == settled  # type: ignore[union-attr]
    # an ordinary file shows no settlement form
    plain = await specialist.call("POST", "/api/v1/work-files/", {
        "title": "Hồ sơ thường", "file_notation": "13.VP", "retention": "Vĩnh viễn"})
    assert "Ngày quyết toán" not in (await clerk.get(f"/work-files/{plain.json()['id']}")).text
