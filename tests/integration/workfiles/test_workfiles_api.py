"""Work files through the JSON API on the real app: open, add, order, close, and every refusal.

Each refusal is checked to leave nothing behind (no link, no history, no audit row, no state change).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from backend.db.models import AuditEvent, WorkFile, WorkFileDocument, WorkFileEvent
from backend.lib import clock
from tests.support.workfiles import arrange_incoming, arrange_outgoing

AD_HOC = {"title": "Hồ sơ triển khai chuyển đổi số năm 2026", "file_notation": "05.TH", "retention": "20 năm",
          "rights": "Hạn chế"}


async def _counts(sessions: Any) -> tuple[int, int, int]:
    async with sessions() as db:
        links = await db.scalar(sa.select(sa.func.count(WorkFileDocument.id)))
        events = await db.scalar(sa.select(sa.func.count(WorkFileEvent.id)))
        audits = await db.scalar(sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action.like("workfiles.%")))
        return int(links or 0), int(events or 0), int(audits or 0)


async def _world(api: Any, demo: Any, sessions: Any, settings: Any) -> dict[str, Any]:
    specialist = await api("chuyenvien.tinh")
    agency = await demo.agency_id("000.00.00.H41")
    other_agency = await demo.agency_id("000.00.01.H41")
    me = await specialist.user_id(sessions, "chuyenvien.tinh")
    docs = [await arrange_incoming(sessions, settings, agency, number=100 + i, summary=f"Về việc thử số {i}",
                                   issued_on=clock.today() - dt.timedelta(days=10 - i), assign_to=me) for i in range(3)]
    outgoing = await arrange_outgoing(sessions, settings, agency, drafter=me, summary="Báo cáo kết quả chuyển đổi số")
    foreign = await arrange_incoming(sessions, settings, other_agency, number=7, summary="Văn bản cơ quan khác",
                                     issued_on=clock.today())
    return {"specialist": specialist, "docs": docs, "outgoing": outgoing, "foreign": foreign, "me": me}


async def test_open_add_order_close(api: Any, demo: Any, db_sessionmaker: Any, settings: Any) -> None:
    w = await _world(api, demo, db_sessionmaker, settings)
    specialist = w["specialist"]
    opened = await specialist.call("POST", "/api/v1/work-files/", AD_HOC)
    assert opened.status_code == 201, opened.text
    file_id = opened.json()["id"]
    assert opened.json()["state"] == "open" and opened.json()["start_date"] == clock.today().isoformat()
    for doc in w["docs"]:
        added = await specialist.call("POST", f"/api/v1/work-files/{file_id}/documents",
                                      {"kind": "incoming", "document_id": doc})
        assert added.status_code == 200, added.text
    added = await specialist.call("POST", f"/api/v1/work-files/{file_id}/documents",
                                  {"kind": "outgoing", "document_id": w["outgoing"]})
    body = added.json()
    assert [m["document_id"] for m in body["documents"]] == [*w["docs"], w["outgoing"]]
    assert [m["position"] for m in body["documents"]] == [1, 2, 3, 4]

    links = [m["link_id"] for m in body["documents"]]
    new_order = [links[3], links[0], links[1], links[2]]
    ordered = await specialist.call("PUT", f"/api/v1/work-files/{file_id}/order", {"link_ids": new_order})
    assert [m["link_id"] for m in ordered.json()["documents"]] == new_order
    removed = await specialist.call("DELETE", f"/api/v1/work-files/{file_id}/documents/{links[3]}")
    assert [m["link_id"] for m in removed.json()["documents"]] == links[:3]
    assert [m["position"] for m in removed.json()["documents"]] == [1, 2, 3]

    closed = await specialist.call("POST", f"/api/v1/work-files/{file_id}/close",
                                   {"end_date": clock.today().isoformat(), "version": removed.json()["version"]})
    assert closed.status_code == 200, closed.text
    final = closed.json()
    assert final["state"] == "closed" and final["end_date"] == clock.today().isoformat()
    assert final["doc_total"] == 3 and final["page_total"] == 3
    assert [e["kind"] for e in final["history"]] == [
        "open", "add_document", "add_document", "add_document", "add_document", "reorder", "remove_document", "close"]
    async with db_sessionmaker() as db:
        actions = (await db.scalars(sa.select(AuditEvent.action).where(AuditEvent.object_type == "workfiles",
                                                                       AuditEvent.object_id == str(file_id))
                                    .order_by(AuditEvent.id))).all()
    assert actions == ["workfiles.opened", *["workfiles.document_added"] * 4, "workfiles.reordered",
                       "workfiles.document_removed", "workfiles.close"]

    # closed: no more changes
    refused = await specialist.call("POST", f"/api/v1/work-files/{file_id}/documents",
                                    {"kind": "outgoing", "document_id": w["outgoing"]})
    assert refused.status_code == 403
    assert "đã đóng" in refused.json()["title"]
    again = await specialist.call("POST", f"/api/v1/work-files/{file_id}/close", {})
    assert again.status_code == 409


async def test_one_document_in_files_of_different_people(api: Any, demo: Any, db_sessionmaker: Any,
                                                         settings: Any) -> None:
    w = await _world(api, demo, db_sessionmaker, settings)
    clerk = await api("vanthu.tinh")
    mine = (await w["specialist"].call("POST", "/api/v1/work-files/", AD_HOC)).json()["id"]
    theirs = (await clerk.call("POST", "/api/v1/work-files/", {**AD_HOC, "file_notation": "01.VP"})).json()["id"]
    for who, file_id in ((w["specialist"], mine), (clerk, theirs)):
        response = await who.call("POST", f"/api/v1/work-files/{file_id}/documents",
                                  {"kind": "incoming", "document_id": w["docs"][0]})
        assert response.status_code == 200, response.text
    async with db_sessionmaker() as db:
        rows = (await db.scalars(sa.select(WorkFileDocument.work_file_id)
                                 .where(WorkFileDocument.incoming_id == w["docs"][0]))).all()
    assert sorted(rows) == sorted([mine, theirs])


async def test_refusals_leave_nothing(api: Any, demo: Any, db_sessionmaker: Any, settings: Any) -> None:
    w = await _world(api, demo, db_sessionmaker, settings)
    specialist = w["specialist"]
    file_id = (await specialist.call("POST", "/api/v1/work-files/", AD_HOC)).json()["id"]

    # closing an empty file
    before = await _counts(db_sessionmaker)
    empty = await specialist.call("POST", f"/api/v1/work-files/{file_id}/close", {})
    assert empty.status_code == 422
    assert empty.json()["title"].startswith("Hồ sơ chưa có văn bản nào")
    assert await _counts(db_sessionmaker) == before
    async with db_sessionmaker() as db:
        assert (await db.get(WorkFile, file_id)).state == "open"  # type: ignore[union-attr]

    # the same document twice
    first = await specialist.call("POST", f"/api/v1/work-files/{file_id}/documents",
                                  {"kind": "incoming", "document_id": w["docs"][0]})
    assert first.status_code == 200
    before = await _counts(db_sessionmaker)
    twice = await specialist.call("POST", f"/api/v1/work-files/{file_id}/documents",
                                  {"kind": "incoming", "document_id": w["docs"][0]})
    assert twice.status_code == 422
    assert "đã có trong hồ sơ" in twice.json()["errors"]["document_id"]
    assert await _counts(db_sessionmaker) == before

    # another agency's document, an unknown kind, another agency's file
    foreign = await specialist.call("POST", f"/api/v1/work-files/{file_id}/documents",
                                    {"kind": "incoming", "document_id": w["foreign"]})
    assert foreign.status_code == 404
    kind = await specialist.call("POST", f"/api/v1/work-files/{file_id}/documents",
                                 {"kind": "memo", "document_id": w["docs"][1]})
    assert kind.status_code == 422 and "văn bản đến" in kind.json()["errors"]["kind"]
    other = await api("vanthu.sonoivu")
    for method, url, body in (("GET", f"/api/v1/work-files/{file_id}", None),
                              ("POST", f"/api/v1/work-files/{file_id}/documents",
                               {"kind": "incoming", "document_id": w["foreign"]}),
                              ("POST", f"/api/v1/work-files/{file_id}/close", {}),
                              ("GET", f"/api/v1/work-files/{file_id}/export.xml", None)):
        assert (await other.call(method, url, body)).status_code == 404, url
    assert await _counts(db_sessionmaker) == before

    # a retention value outside the list, a usage regime outside its list, a malformed symbol
    for field, value, fragment in (("retention", "15 năm", "Thời hạn bảo quản “15 năm” không hợp lệ"),
                                   ("rights", "Mật", "Chế độ sử dụng “Mật” không hợp lệ"),
                                   ("file_notation", "hồ sơ 1", "Số và ký hiệu hồ sơ")):
        bad = await specialist.call("POST", "/api/v1/work-files/", {**AD_HOC, field: value})
        assert bad.status_code == 422, field
        assert fragment in bad.json()["errors"][field]
    async with db_sessionmaker() as db:
        assert await db.scalar(sa.select(sa.func.count(WorkFile.id))) == 1

    # reorder with a wrong list; an end date before the start
    wrong = await specialist.call("PUT", f"/api/v1/work-files/{file_id}/order", {"link_ids": [1, 2, 3]})
    assert wrong.status_code == 422
    early = await specialist.call("POST", f"/api/v1/work-files/{file_id}/close",
                                  {"end_date": (clock.today() - dt.timedelta(days=400)).isoformat()})
    assert early.status_code == 422 and "không được trước ngày bắt đầu" in early.json()["errors"]["end_date"]
    assert await _counts(db_sessionmaker) == before


async def test_rights_decide_who_reads(api: Any, demo: Any, db_sessionmaker: Any, settings: Any) -> None:
    specialist = await api("chuyenvien.tinh")
    restricted = (await specialist.call("POST", "/api/v1/work-files/", AD_HOC)).json()["id"]
    public = (await specialist.call("POST", "/api/v1/work-files/",
                                    {**AD_HOC, "file_notation": "06.TH", "rights": "Công khai"})).json()["id"]
    # an administrator of the same agency holds no reading role: only the public file
    admin = await api("quantri.tinh")
    assert (await admin.call("GET", f"/api/v1/work-files/{restricted}")).status_code == 404
    assert (await admin.call("GET", f"/api/v1/work-files/{public}")).status_code == 200
    # the unit head of the owner's unit and the clerk read both; reading does not allow changing
    for username in ("truongphong.tinh", "vanthu.tinh"):
        reader = await api(username)
        assert (await reader.call("GET", f"/api/v1/work-files/{restricted}")).status_code == 200, username
    head = await api("truongphong.tinh")
    denied = await head.call("POST", f"/api/v1/work-files/{public}/close", {})
    assert denied.status_code == 403
    listed = (await specialist.call("GET", "/api/v1/work-files/?mine=true&state=open")).json()
    assert {f["id"] for f in listed} == {restricted, public}


async def test_api_in_openapi_schema(client: Any) -> None:
    schema = (await client.get("/schema/openapi.json")).json()
    paths = set(schema["paths"])
    assert {"/api/v1/work-files", "/api/v1/work-files/{file_id}/documents", "/api/v1/work-files/{file_id}/close",
            "/api/v1/work-files/{file_id}/export.pdf", "/api/v1/file-catalogues/{year}/items"} <= paths
