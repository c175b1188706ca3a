"""Cataloguing an ad-hoc file afterwards: the clerk attaches it to a planned file of the agency's catalogue of
the same year (number and symbol and retention then come from the item), through the API and the file page;
another agency's item, another year, a file already catalogued and a transferred file are refused, leaving
nothing behind."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import sqlalchemy as sa

from backend.db.models import AuditEvent, WorkFile
from backend.lib import clock
from tests.conftest import csrf_from
from tests.support.incoming import Clients
from tests.support.workfiles import arrange_incoming

AD_HOC = {"title": "Hồ sơ kiểm tra công vụ đột xuất", "file_notation": "15.TH", "retention": "5 năm"}


async def _item(clerk: Any, year: int, title: str, retention: str) -> dict[str, Any]:
    """A catalogue of ``year`` with one heading and one planned file; returns the item."""
    assert (await clerk.call("POST", "/api/v1/file-catalogues/", {"year": year})).status_code == 201
    heading = (await clerk.call("POST", f"/api/v1/file-catalogues/{year}/headings",
                                {"name": "Thanh tra, kiểm tra", "abbreviation": "TTKT"})).json()["headings"][0]["id"]
    items = (await clerk.call("POST", f"/api/v1/file-catalogues/{year}/items",
                              {"heading_id": heading, "title": title, "retention": retention})).json()["items"]
    return dict(items[0])


async def _audits(sessions: Any, file_id: int) -> list[dict[str, Any]]:
    async with sessions() as db:
        rows = (await db.scalars(sa.select(AuditEvent.detail).where(
            AuditEvent.action == "workfiles.catalogued", AuditEvent.object_id == str(file_id)))).all()
    return [json.loads(row or "{}") for row in rows]


async def test_clerk_catalogues_an_ad_hoc_file(api: Any, demo: Any, db_sessionmaker: Any) -> None:
    clerk, specialist = await api("vanthu.tinh"), await api("chuyenvien.tinh")
    item = await _item(clerk, clock.today().year, "Hồ sơ kiểm tra công vụ năm nay", "10 năm")
    next_year = await _item(clerk, clock.today().year + 1, "Hồ sơ kiểm tra công vụ năm sau", "10 năm")
    foreign = await _item(await api("vanthu.sonoivu"), clock.today().year, "Hồ sơ của Sở Nội vụ", "20 năm")
    opened = (await specialist.call("POST", "/api/v1/work-files/", AD_HOC)).json()
    file_id = opened["id"]
    assert opened["catalogue_item_id"] is None

    def attach(who: Any, item_id: int) -> Any:
        return who.call("POST", f"/api/v1/work-files/{file_id}/catalogue", {"catalogue_item_id": item_id})

    denied = await attach(specialist, item["id"])
    assert denied.status_code == 403 and "văn thư" in denied.json()["title"]
    other_year = await attach(clerk, next_year["id"])
    assert other_year.status_code == 422
    assert f"năm {clock.today().year + 1}" in other_year.json()["errors"]["catalogue_item_id"]
    not_ours = await attach(clerk, foreign["id"])
    assert not_ours.status_code == 422 and "của cơ quan" in not_ours.json()["errors"]["catalogue_item_id"]
    stale = await clerk.call("POST", f"/api/v1/work-files/{file_id}/catalogue",
                             {"catalogue_item_id": item["id"], "version": opened["version"] + 5})
    assert stale.status_code == 409
    assert await _audits(db_sessionmaker, file_id) == []
    assert (await clerk.call("GET", f"/api/v1/work-files/{file_id}")).json()["file_notation"] == "15.TH"

    done = await attach(clerk, item["id"])
    assert done.status_code == 200, done.text
    body = done.json()
    assert (body["catalogue_item_id"], body["file_notation"], body["retention"], body["title"]) == (
        item["id"], item["file_notation"], "10 năm", AD_HOC["title"])
    assert body["history"][-1]["kind"] == "catalogue" and item["file_notation"] in body["history"][-1]["text"]
    assert await _audits(db_sessionmaker, file_id) == [{
        "catalogue_item_id": item["id"], "before": {"file_notation": "15.TH", "retention": "5 năm"},
        "after": {"file_notation": item["file_notation"], "retention": "10 năm"}}]
    again = await attach(clerk, item["id"])
    assert again.status_code == 422 and "đã thuộc danh mục" in again.json()["errors"]["catalogue_item_id"]
    # the catalogue page now shows the file against its item
    page = await clerk.client.get(f"/work-files/catalogue/{clock.today().year}")
    assert f"/work-files/{file_id}" in page.text


async def test_catalogue_from_the_file_page_and_not_once_transferred(client: Any, login: Any, api: Any, demo: Any,
                                                                     db_sessionmaker: Any, settings: Any) -> None:
    clerk = await api("vanthu.tinh")
    item = await _item(clerk, clock.today().year, "Hồ sơ kiểm tra công vụ năm nay", "10 năm")
    specialist = await api("chuyenvien.tinh")
    file_id = (await specialist.call("POST", "/api/v1/work-files/", AD_HOC)).json()["id"]
    assert 'id="wf-catalogue"' not in (await specialist.client.get(f"/work-files/{file_id}")).text

    clerk_pages = await Clients(client, login)("vanthu.tinh")
    page = await clerk_pages.get(f"/work-files/{file_id}")
    assert 'id="wf-catalogue"' in page.text and f"{item['file_notation']} — {item['title']}" in page.text
    posted = await clerk_pages.post(f"/work-files/{file_id}/catalogue", data={
        "_csrf_token": csrf_from(page.text), "catalogue_item_id": str(item["id"]), "version": "1"})
    assert posted.status_code == 303
    after = await clerk_pages.get(f"/work-files/{file_id}")
    assert f"Đã đưa hồ sơ vào danh mục, số và ký hiệu {item['file_notation']}." in after.text
    assert 'id="wf-catalogue"' not in after.text

    # a transferred file is read-only: no cataloguing either
    me = await specialist.user_id(db_sessionmaker, "chuyenvien.tinh")
    today = clock.today()
    old = (await specialist.call("POST", "/api/v1/work-files/", {
        **AD_HOC, "retention": "20 năm", "start_date": (today - dt.timedelta(days=800)).isoformat()})).json()["id"]
    doc = await arrange_incoming(db_sessionmaker, settings, await demo.agency_id("000.00.00.H41"), number=900,
                                 summary="Về kiểm tra công vụ", issued_on=today - dt.timedelta(days=700), assign_to=me)
    await specialist.call("POST", f"/api/v1/work-files/{old}/documents", {"kind": "incoming", "document_id": doc})
    await specialist.call("POST", f"/api/v1/work-files/{old}/close",
                          {"end_date": (clock.today() - dt.timedelta(days=400)).isoformat()})
    assert (await clerk.call("POST", f"/api/v1/work-files/{old}/submit", {})).status_code == 200
    refused = await clerk.call("POST", f"/api/v1/work-files/{old}/catalogue", {"catalogue_item_id": item["id"]})
    assert refused.status_code == 403 and "nộp lưu" in refused.json()["title"]
    async with db_sessionmaker() as db:
        assert (await db.get(WorkFile, old)).catalogue_item_id is None  # type: ignore[union-attr]
