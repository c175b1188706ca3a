"""Transfer of work files to the agency archive through the JSON API on the real app.

The clerk transfers a due file and the archive holder (the agency's clerk) accepts it; a leader
keeps a file back; the archive holder returns one with a reason; the transfer list and the
hand-over record are produced; files past their retention are listed. Every refusal is checked to
leave nothing behind (no state change, no history, no audit row).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from typing import Any

import sqlalchemy as sa
from openpyxl import load_workbook
from pypdf import PdfReader

from backend.db.models import AuditEvent, OutgoingDocument, WorkFile, WorkFileEvent
from backend.domain.workfiles.transfer import add_months
from backend.lib import clock
from tests.support.outgoing import run_jobs
from tests.support.workfiles import arrange_incoming, arrange_outgoing

LONG_AGO = {"title": "Hồ sơ tổ chức hội nghị tổng kết năm 2024", "file_notation": "07.VP", "retention": "20 năm",
            "rights": "Hạn chế", "start_date": (clock.today() - dt.timedelta(days=800)).isoformat()}


def _pdf_text(content: bytes) -> str:
    """The PDF's text, whitespace collapsed (cells wrap their words over lines)."""
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).split())


async def _counts(sessions: Any) -> tuple[int, int]:
    async with sessions() as db:
        events = await db.scalar(sa.select(sa.func.count(WorkFileEvent.id)))
        audits = await db.scalar(sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action.like("workfiles.%")))
        return int(events or 0), int(audits or 0)


async def _state(sessions: Any, file_id: int) -> str:
    async with sessions() as db:
        return str((await db.get(WorkFile, file_id)).state)  # type: ignore[union-attr]


async def _closed_file(api: Any, demo: Any, sessions: Any, settings: Any, *, end_days_ago: int = 400,
                       draft: bool = False, **fields: Any) -> tuple[Any, int]:
    """A file of the specialist holding two incoming documents (and an unsigned draft), closed long ago."""
    specialist = await api("chuyenvien.tinh")
    agency = await demo.agency_id("000.00.00.H41")
    me = await specialist.user_id(sessions, "chuyenvien.tinh")
    opened = await specialist.call("POST", "/api/v1/work-files/", {**LONG_AGO, **fields})
    assert opened.status_code == 201, opened.text
    file_id = opened.json()["id"]
    for i in range(2):
        doc = await arrange_incoming(sessions, settings, agency, number=300 + i + 10 * file_id,
                                     summary=f"Về việc hội nghị số {i}",
                                     issued_on=clock.today() - dt.timedelta(days=end_days_ago + 10), assign_to=me)
        added = await specialist.call("POST", f"/api/v1/work-files/{file_id}/documents",
                                      {"kind": "incoming", "document_id": doc})
        assert added.status_code == 200, added.text
    if draft:
        outgoing = await arrange_outgoing(sessions, settings, agency, drafter=me, summary="Dự thảo báo cáo")
        assert (await specialist.call("POST", f"/api/v1/work-files/{file_id}/documents",
                                      {"kind": "outgoing", "document_id": outgoing})).status_code == 200
    closed = await specialist.call("POST", f"/api/v1/work-files/{file_id}/close",
                                   {"end_date": (clock.today() - dt.timedelta(days=end_days_ago)).isoformat()})
    assert closed.status_code == 200, closed.text
    return specialist, file_id


async def test_clerk_transfers_and_archive_holder_accepts(api: Any, demo: Any, db_sessionmaker: Any,
                                                          settings: Any) -> None:
    specialist, file_id = await _closed_file(api, demo, db_sessionmaker, settings)
    clerk = await api("vanthu.tinh")
    due = await clerk.call("GET", "/api/v1/work-files/transfer/due")
    assert file_id in [f["id"] for f in due.json()]
    detail = (await clerk.call("GET", f"/api/v1/work-files/{file_id}")).json()
    assert detail["transfer_due"] == add_months(clock.today() - dt.timedelta(days=400), 12).isoformat()

    submitted = await clerk.call("POST", f"/api/v1/work-files/{file_id}/submit", {"version": detail["version"]})
    assert submitted.status_code == 200, submitted.text
    assert submitted.json()["state"] == "submitted"
    assert submitted.json()["state_label"] == "Chờ lưu trữ tiếp nhận"

    listing = await clerk.client.get("/api/v1/work-files/transfer/list.xlsx")
    assert listing.status_code == 200
    sheet = load_workbook(io.BytesIO(listing.content)).active
    cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert "Hồ sơ tổ chức hội nghị tổng kết năm 2024" in cells and "07.VP" in cells
    assert cells[0].startswith("MỤC LỤC HỒ SƠ, TÀI LIỆU NỘP LƯU")
    record = await clerk.client.get("/api/v1/work-files/transfer/handover.xlsx")
    sheet = load_workbook(io.BytesIO(record.content)).active
    values = {row[0].value: row[1].value for row in sheet.iter_rows(min_row=3) if row[0].value}
    assert values["Số lượng hồ sơ"] >= 1 and values["Số lượng tờ"] >= 2

    # the same two records as printable PDFs: the rows of the spreadsheet, the heading, both parties' blocks
    listing_pdf = await clerk.client.get("/api/v1/work-files/transfer/list.pdf")
    assert listing_pdf.headers["content-type"] == "application/pdf"
    assert listing_pdf.headers["cache-control"] == "no-store"
    text = _pdf_text(listing_pdf.content)
    assert "MỤC LỤC HỒ SƠ, TÀI LIỆU NỘP LƯU" in text and "Số, ký hiệu hồ sơ" in text
    assert "07.VP" in text and "tổng kết năm 2024" in text and "20 năm" in text
    record_pdf = _pdf_text((await clerk.client.get("/api/v1/work-files/transfer/handover.pdf")).content)
    assert "BIÊN BẢN" in record_pdf and "ĐẠI DIỆN BÊN GIAO" in record_pdf and "ĐẠI DIỆN BÊN NHẬN" in record_pdf
    assert f"Số lượng hồ sơ {values['Số lượng hồ sơ']}" in record_pdf
    # another agency's clerk prints a list without this agency's file
    other = await api("vanthu.xanghiphong")
    assert "07.VP" not in _pdf_text((await other.client.get("/api/v1/work-files/transfer/list.pdf")).content)

    # the owner may not accept; the archive holder does
    assert (await specialist.call("POST", f"/api/v1/work-files/{file_id}/accept", {})).status_code == 403
    accepted = await clerk.call("POST", f"/api/v1/work-files/{file_id}/accept", {})
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["state"] == "archived"
    assert [e["kind"] for e in accepted.json()["history"]][-2:] == ["submit", "accept"]
    async with db_sessionmaker() as db:
        actions = (await db.scalars(sa.select(AuditEvent.action).where(AuditEvent.object_type == "workfiles",
                                                                       AuditEvent.object_id == str(file_id))
                                    .order_by(AuditEvent.id))).all()
    assert actions[-2:] == ["workfiles.submit", "workfiles.accept"]

    # transferred files are read-only: every change is refused
    before = await _counts(db_sessionmaker)
    link = accepted.json()["documents"][0]["link_id"]
    for method, url, body in (
            ("POST", f"/api/v1/work-files/{file_id}/documents", {"kind": "incoming", "document_id": 1}),
            ("DELETE", f"/api/v1/work-files/{file_id}/documents/{link}", None),
            ("PUT", f"/api/v1/work-files/{file_id}/order", {"link_ids": [link]})):
        refused = await clerk.call(method, url, body)
        assert refused.status_code == 403, url
        assert "đã nộp lưu" in refused.json()["title"]
    for event in ("close", "submit", "retain", "return", "accept"):
        assert (await clerk.call("POST", f"/api/v1/work-files/{file_id}/{event}",
                                 {"reason": "Thử", "until": clock.today().isoformat()})).status_code == 409, event
    assert await _counts(db_sessionmaker) == before
    assert file_id in [f["id"] for f in (await clerk.call(
        "GET", "/api/v1/work-files/?state=archived")).json()]


async def test_return_with_reason_and_keep_back(api: Any, demo: Any, db_sessionmaker: Any, settings: Any) -> None:
    _specialist, file_id = await _closed_file(api, demo, db_sessionmaker, settings)
    clerk, leader = await api("vanthu.tinh"), await api("lanhdao.tinh")
    assert (await clerk.call("POST", f"/api/v1/work-files/{file_id}/submit", {})).status_code == 200
    no_reason = await clerk.call("POST", f"/api/v1/work-files/{file_id}/return", {})
    assert no_reason.status_code == 422
    returned = await clerk.call("POST", f"/api/v1/work-files/{file_id}/return",
                                {"reason": "Thiếu biên bản hội nghị"})
    assert returned.status_code == 200, returned.text
    assert returned.json()["state"] == "closed"
    assert "Thiếu biên bản hội nghị" in returned.json()["history"][-1]["text"]

    # keep-back: only a leader, at most two years, with a reason
    until = add_months(clock.today(), 12)
    assert (await clerk.call("POST", f"/api/v1/work-files/{file_id}/retain",
                             {"reason": "Còn dùng", "until": until.isoformat()})).status_code == 403
    before = await _counts(db_sessionmaker)
    too_long = await leader.call("POST", f"/api/v1/work-files/{file_id}/retain",
                                 {"reason": "Còn dùng", "until": (add_months(clock.today(), 24) + dt.timedelta(days=1))
                                  .isoformat()})
    assert too_long.status_code == 422
    assert too_long.json()["title"].startswith("Thời gian giữ lại tối đa là 2 năm")
    assert "until" in too_long.json()["errors"]
    past = await leader.call("POST", f"/api/v1/work-files/{file_id}/retain",
                             {"reason": "Còn dùng", "until": clock.today().isoformat()})
    assert past.status_code == 422
    assert await _counts(db_sessionmaker) == before and await _state(db_sessionmaker, file_id) == "closed"
    kept = await leader.call("POST", f"/api/v1/work-files/{file_id}/retain",
                             {"reason": "Còn dùng để thanh tra", "until": until.isoformat()})
    assert kept.status_code == 200, kept.text
    assert kept.json()["state"] == "retained" and kept.json()["retained_until"] == until.isoformat()
    assert file_id not in [f["id"] for f in (await clerk.call("GET", "/api/v1/work-files/transfer/due")).json()]
    # a kept-back file may still be handed over early
    submitted = await clerk.call("POST", f"/api/v1/work-files/{file_id}/submit", {})
    assert submitted.status_code == 200, submitted.text
    assert submitted.json()["retained_until"] is None


async def test_transfer_refusals_leave_nothing(api: Any, demo: Any, db_sessionmaker: Any, settings: Any) -> None:
    clerk = await api("vanthu.tinh")
    # not due yet: closed 100 days ago
    _s, recent = await _closed_file(api, demo, db_sessionmaker, settings, end_days_ago=100)
    before = await _counts(db_sessionmaker)
    refused = await clerk.call("POST", f"/api/v1/work-files/{recent}/submit", {})
    assert refused.status_code == 422
    due = add_months(clock.today() - dt.timedelta(days=100), 12).strftime("%d/%m/%Y")
    assert refused.json()["title"] == f"Hồ sơ chưa đến hạn nộp lưu: hạn nộp lưu là ngày {due}."
    # an unsigned draft inside
    _s, with_draft = await _closed_file(api, demo, db_sessionmaker, settings, draft=True)
    before = await _counts(db_sessionmaker)
    unsigned = await clerk.call("POST", f"/api/v1/work-files/{with_draft}/submit", {})
    assert unsigned.status_code == 422
    assert unsigned.json()["title"].startswith("Hồ sơ còn 1 văn bản đi chưa được ký")
    # once the draft is issued the file goes
    async with db_sessionmaker() as db:
        await db.execute(sa.update(OutgoingDocument).where(OutgoingDocument.summary == "Dự thảo báo cáo")
                         .values(state="issued"))
        await db.commit()
    assert await _counts(db_sessionmaker) == before
    assert (await clerk.call("POST", f"/api/v1/work-files/{with_draft}/submit", {})).status_code == 200
    # kept under five years: stays with the unit
    _s, short = await _closed_file(api, demo, db_sessionmaker, settings, retention="2 năm")
    _s, building = await _closed_file(api, demo, db_sessionmaker, settings, capital_construction=True)
    before = await _counts(db_sessionmaker)
    stays = await clerk.call("POST", f"/api/v1/work-files/{short}/submit", {})
    assert stays.status_code == 422 and "dưới 5 năm" in stays.json()["title"]
    # a capital-construction file without its final settlement is not due
    nosettle = await clerk.call("POST", f"/api/v1/work-files/{building}/submit", {})
    assert nosettle.status_code == 422 and "quyết toán" in nosettle.json()["title"]
    assert await _counts(db_sessionmaker) == before
    for file_id in (recent, short, building):
        assert await _state(db_sessionmaker, file_id) == "closed"
    # a retention outside the list
    specialist = await api("chuyenvien.tinh")
    bad = await specialist.call("POST", "/api/v1/work-files/", {**LONG_AGO, "retention": "3 năm"})
    assert bad.status_code == 422 and "retention" in bad.json()["errors"]
    # another agency's file: 404
    other = await api("vanthu.sonoivu")
    for event in ("submit", "accept", "return", "retain"):
        assert (await other.call("POST", f"/api/v1/work-files/{recent}/{event}",
                                 {"reason": "x", "until": clock.today().isoformat()})).status_code == 404


async def test_capital_construction_due_three_months_after_settlement(api: Any, demo: Any, db_sessionmaker: Any,
                                                                      settings: Any) -> None:
    settled = clock.today() - dt.timedelta(days=100)
    _s, file_id = await _closed_file(api, demo, db_sessionmaker, settings, end_days_ago=30,
                                     capital_construction=True, settlement_date=settled.isoformat())
    clerk = await api("vanthu.tinh")
    detail = (await clerk.call("GET", f"/api/v1/work-files/{file_id}")).json()
    assert detail["transfer_due"] == add_months(settled, 3).isoformat()
    assert (await clerk.call("POST", f"/api/v1/work-files/{file_id}/submit", {})).status_code == 200
    specialist = await api("chuyenvien.tinh")
    not_building = await specialist.call("POST", "/api/v1/work-files/",
                                         {**LONG_AGO, "settlement_date": settled.isoformat()})
    assert not_building.status_code == 422 and "settlement_date" in not_building.json()["errors"]


async def test_expired_retention_is_listed_not_destroyed(api: Any, demo: Any, db_sessionmaker: Any,
                                                         settings: Any) -> None:
    specialist = await api("chuyenvien.tinh")
    start = clock.today() - dt.timedelta(days=365 * 3)
    _s, file_id = await _closed_file(api, demo, db_sessionmaker, settings, end_days_ago=365 * 2 + 40,
                                     retention="2 năm", start_date=start.isoformat())
    _s, kept = await _closed_file(api, demo, db_sessionmaker, settings)
    clerk = await api("vanthu.tinh")
    expired = (await clerk.call("GET", "/api/v1/work-files/transfer/expired")).json()
    assert file_id in [f["id"] for f in expired] and kept not in [f["id"] for f in expired]
    assert (await specialist.call("GET", f"/api/v1/work-files/{file_id}")).status_code == 200
    assert await _state(db_sessionmaker, file_id) == "closed"


async def test_settlement_recorded_after_opening_makes_the_file_due(api: Any, demo: Any, db_sessionmaker: Any,
                                                                    settings: Any) -> None:
    specialist, file_id = await _closed_file(api, demo, db_sessionmaker, settings, end_days_ago=30,
                                             capital_construction=True)
    clerk = await api("vanthu.tinh")
    assert (await clerk.call("GET", f"/api/v1/work-files/{file_id}")).json()["transfer_due"] is None
    before = await _counts(db_sessionmaker)
    version = (await clerk.call("GET", f"/api/v1/work-files/{file_id}")).json()["version"]
    # refusals name the field (or the reason) and store nothing
    future = await specialist.call("POST", f"/api/v1/work-files/{file_id}/settlement",
                                   {"settlement_date": (clock.today() + dt.timedelta(days=1)).isoformat()})
    assert future.status_code == 422 and "settlement_date" in future.json()["errors"]
    too_early = await specialist.call("POST", f"/api/v1/work-files/{file_id}/settlement",
                                      {"settlement_date": (clock.today() - dt.timedelta(days=5000)).isoformat()})
    assert too_early.status_code == 422 and "trước ngày mở hồ sơ" in too_early.json()["errors"]["settlement_date"]
    missing = await specialist.call("POST", f"/api/v1/work-files/{file_id}/settlement", {})
    assert missing.status_code == 422 and "settlement_date" in missing.json()["errors"]
    stale = await specialist.call("POST", f"/api/v1/work-files/{file_id}/settlement",
                                  {"settlement_date": clock.today().isoformat(), "version": version - 1})
    assert stale.status_code == 409
    stranger = await api("vanthu.sonoivu")
    assert (await stranger.call("POST", f"/api/v1/work-files/{file_id}/settlement",
                                {"settlement_date": clock.today().isoformat()})).status_code == 404
    assert await _counts(db_sessionmaker) == before

    settled = clock.today() - dt.timedelta(days=100)
    recorded = await specialist.call("POST", f"/api/v1/work-files/{file_id}/settlement",
                                     {"settlement_date": settled.isoformat(), "version": version})
    assert recorded.status_code == 200, recorded.text
    assert recorded.json()["settlement_date"] == settled.isoformat()
    assert recorded.json()["transfer_due"] == add_months(settled, 3).isoformat()
    assert recorded.json()["history"][-1]["kind"] == "settle"
    async with db_sessionmaker() as db:
        audit = await db.scalar(sa.select(AuditEvent).where(AuditEvent.action == "workfiles.settled",
                                                            AuditEvent.object_id == str(file_id)))
    assert audit is not None
    assert (await clerk.call("POST", f"/api/v1/work-files/{file_id}/submit", {})).status_code == 200
    # once transferred, the date is the archive's
    after = await specialist.call("POST", f"/api/v1/work-files/{file_id}/settlement",
                                  {"settlement_date": clock.today().isoformat()})
    assert after.status_code == 403 and "nộp lưu" in after.json()["title"]
    # an ordinary file has no settlement date
    _s, plain = await _closed_file(api, demo, db_sessionmaker, settings)
    refused = await specialist.call("POST", f"/api/v1/work-files/{plain}/settlement",
                                    {"settlement_date": settled.isoformat()})
    assert refused.status_code == 403 and "xây dựng cơ bản" in refused.json()["title"]


async def test_accepted_file_gets_its_transfer_package_once(api: Any, demo: Any, db_sessionmaker: Any,
                                                            settings: Any) -> None:
    _s, file_id = await _closed_file(api, demo, db_sessionmaker, settings)
    clerk = await api("vanthu.tinh")
    assert (await clerk.call("POST", f"/api/v1/work-files/{file_id}/submit", {})).status_code == 200
    early = await clerk.client.get(f"/api/v1/work-files/{file_id}/package/pdf")
    assert early.status_code == 404 and "gói nộp lưu" in early.text
    assert (await clerk.call("POST", f"/api/v1/work-files/{file_id}/accept", {})).status_code == 200
    await run_jobs(settings)
    await run_jobs(settings)  # a replay makes nothing twice
    detail = (await clerk.call("GET", f"/api/v1/work-files/{file_id}")).json()
    frozen = {p["format"]: p for p in detail["transfer_package"]}
    assert sorted(frozen) == ["pdf", "xml"] and frozen["pdf"]["documents"] == 2
    async with db_sessionmaker() as db:
        made = (await db.scalars(sa.select(AuditEvent.detail).where(AuditEvent.action == "workfiles.package_made",
                                                                    AuditEvent.object_id == str(file_id)))).all()
    assert len(made) == 2

    pdf = await clerk.client.get(f"/api/v1/work-files/{file_id}/package/pdf")
    assert pdf.status_code == 200 and hashlib.sha256(pdf.content).hexdigest() == frozen["pdf"]["sha256"]
    reader = PdfReader(io.BytesIO(pdf.content))
    assert {"0001.pdf", "0002.pdf"} <= set(reader.attachments)  # the originals, embedded unchanged
    xml = await clerk.client.get(f"/api/v1/work-files/{file_id}/package/xml")
    assert hashlib.sha256(xml.content).hexdigest() == frozen["xml"]["sha256"]
    assert b"07.VP" in xml.content and xml.headers["content-type"].startswith("application/xml")
    assert (await clerk.client.get(f"/api/v1/work-files/{file_id}/package/zip")).status_code == 404
    other = await api("vanthu.sonoivu")
    assert (await other.client.get(f"/api/v1/work-files/{file_id}/package/pdf")).status_code == 404
