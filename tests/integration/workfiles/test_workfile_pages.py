"""The work-file pages without JavaScript: open with a form, the sheet, add from it, refusals as messages."""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa

from backend.db.models import WorkFile, WorkFileDocument
from backend.lib import clock
from tests.conftest import csrf_from
from tests.support.incoming import Clients
from tests.support.workfiles import arrange_incoming


async def test_open_sheet_add_and_refusals(client: Any, login: Any, demo: Any, db_sessionmaker: Any,
                                           settings: Any) -> None:
    clients = Clients(client, login)
    specialist = await clients("chuyenvien.tinh")
    agency = await demo.agency_id("000.00.00.H41")
    me = (await demo.user("chuyenvien.tinh")).id
    doc = await arrange_incoming(db_sessionmaker, settings, agency, number=400, summary="Về việc thử trang",
                                 issued_on=clock.today(), assign_to=me)
    foreign = await arrange_incoming(db_sessionmaker, settings, await demo.agency_id("000.00.01.H41"), number=401,
                                     summary="Của cơ quan khác", issued_on=clock.today())

    page = await specialist.get("/work-files/")
    token = csrf_from(page.text)
    bad = await specialist.post("/work-files/", data={"_csrf_token": token, "title": "Hồ sơ trang",
                                                      "file_notation": "08.TH", "retention": "3 năm"})
    assert bad.status_code == 422 and "Thời hạn bảo quản “3 năm” không hợp lệ" in bad.text
    async with db_sessionmaker() as db:
        assert await db.scalar(sa.select(sa.func.count(WorkFile.id))) == 0
    opened = await specialist.post("/work-files/", data={"_csrf_token": token, "title": "Hồ sơ trang",
                                                         "file_notation": "08.TH", "retention": "5 năm"})
    assert opened.status_code == 303
    file_id = int(opened.headers["location"].rsplit("/", 1)[1])

    detail = await specialist.get(f"/incoming/{doc}")
    assert "Đưa vào hồ sơ" in detail.text
    sheet = await specialist.get(f"/work-files/sheet?kind=incoming&doc_id={doc}",
                                 headers={"HX-Request": "true", "HX-Target": "wf-sheet"})
    assert sheet.status_code == 200 and "<html" not in sheet.text and "08.TH — Hồ sơ trang" in sheet.text
    action = re.search(r'action="([^"]+/add)"', sheet.text)
    assert action and action.group(1) == f"/work-files/{file_id}/add"
    form = {"_csrf_token": csrf_from(sheet.text), "kind": "incoming", "document_id": str(doc)}
    added = await specialist.post(action.group(1), data=form)
    assert added.status_code == 303 and added.headers["location"] == f"/incoming/{doc}"
    assert "Đã đưa văn bản vào hồ sơ “Hồ sơ trang”." in (await specialist.get(f"/incoming/{doc}")).text
    twice = await specialist.post(action.group(1), data=form)
    assert twice.status_code == 303
    assert "đã có trong hồ sơ" in (await specialist.get(f"/incoming/{doc}")).text
    async with db_sessionmaker() as db:
        assert await db.scalar(sa.select(sa.func.count(WorkFileDocument.id))) == 1

    assert (await specialist.get(f"/work-files/sheet?kind=incoming&doc_id={foreign}")).status_code == 404
    other = await clients("vanthu.sonoivu")
    assert (await other.get(f"/work-files/{file_id}")).status_code == 404
