"""Inboxes, filters, keyset pagination, badges, htmx fragments, the register exports and search."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import sqlalchemy as sa
from openpyxl import load_workbook

from backend.db.models import IncomingDocument
from backend.lib import clock
from tests.support.incoming import doc_id_from, intake, intake_fields, make_pdf, post_form, type_id

CLERK, LEADER = "vanthu.xanghiphong", "lanhdao.xanghiphong"


async def _register(clerk, db_sessionmaker, number: str, urgency: str = "normal", **extra: str) -> int:
    fields = intake_fields(await type_id(db_sessionmaker), code_number=number, urgency=urgency, **extra)
    return doc_id_from(await intake(clerk, fields, make_pdf(1)))


async def test_urgent_documents_sort_first_and_pages_are_keyset(clients, db_sessionmaker, monkeypatch) -> None:
    monkeypatch.setattr("backend.domain.incoming.queries.PAGE_SIZE", 3)
    clerk = await clients(CLERK)
    normal = [await _register(clerk, db_sessionmaker, f"N{i}") for i in range(4)]
    urgent = await _register(clerk, db_sessionmaker, "HT1", "hoa_toc")
    khan = await _register(clerk, db_sessionmaker, "K1", "khan")
    page = await clerk.get("/incoming?inbox=to_submit")
    order = [int(part.split('"')[0]) for part in page.text.split('href="/incoming/')[1:]
             if part.split('"')[0].isdigit()]
    assert order[:3] == [urgent, khan, normal[-1]]
    assert "Hỏa tốc" in page.text and 'class="urg urg-hoa_toc"' in page.text
    next_link = page.text.split('">Xem tiếp')[0].rsplit('href="', 1)[1].replace("&amp;", "&")
    assert "cursor=" in next_link
    second = await clerk.get(next_link)
    order2 = [int(part.split('"')[0]) for part in second.text.split('href="/incoming/')[1:]
              if part.split('"')[0].isdigit()]
    assert order2 == [normal[2], normal[1], normal[0]]
    assert "Xem tiếp" not in second.text and "Đầu danh sách" in second.text


async def test_filters_and_counts(clients, db_sessionmaker) -> None:
    clerk = await clients(CLERK)
    one = await _register(clerk, db_sessionmaker, "11", issuer_name="Sở Tài chính tỉnh Nghệ An",
                          summary="Về dự toán ngân sách")
    two = await _register(clerk, db_sessionmaker, "12", "thuong_khan", issuer_name="Bưu điện huyện",
                          summary="Về phát hành báo chí")
    page = await clerk.get("/incoming?inbox=to_submit&sender=so tai chinh")
    assert f"/incoming/{one}" in page.text and f"/incoming/{two}" not in page.text
    page = await clerk.get("/incoming?inbox=all&urgency=thuong_khan")
    assert f"/incoming/{two}" in page.text and f"/incoming/{one}" not in page.text
    page = await clerk.get("/incoming?inbox=all&q=NGAN SACH")
    assert f"/incoming/{one}" in page.text and f"/incoming/{two}" not in page.text
    tomorrow = (clock.today() + timedelta(days=1)).isoformat()
    page = await clerk.get(f"/incoming?inbox=all&from={tomorrow}")
    assert f"/incoming/{one}" not in page.text and "Không có văn bản" in page.text
    page = await clerk.get("/incoming?inbox=all&state=registered")
    assert f"/incoming/{one}" in page.text
    tabs = (await clerk.get("/incoming")).text
    assert 'Chờ trình <span class="tab-count">2</span>' in tabs
    assert '<span class="nav-count" aria-hidden="true">2</span><span class="sr-only">: 2 việc cần làm</span>' in tabs


async def test_list_fragment_for_htmx_and_full_page_for_history_restore(clients, db_sessionmaker) -> None:
    clerk = await clients(CLERK)
    await _register(clerk, db_sessionmaker, "21")
    headers = {"HX-Request": "true", "HX-Target": "document-list"}
    fragment = await clerk.get("/incoming?inbox=to_submit", headers=headers)
    assert fragment.status_code == 200 and fragment.text.lstrip().startswith('<div id="document-list">')
    assert "HX-Request" in fragment.headers["vary"]
    restore = await clerk.get("/incoming?inbox=to_submit", headers={**headers, "HX-History-Restore-Request": "true"})
    assert restore.text.lstrip().startswith("<!doctype html>")


async def test_htmx_action_returns_the_panel_and_triggers_counts(clients, db_sessionmaker) -> None:
    clerk = await clients(CLERK)
    doc_id = await _register(clerk, db_sessionmaker, "31")
    page = await clerk.get(f"/incoming/{doc_id}")
    token = page.text.split('name="_csrf_token" value="')[1].split('"')[0]
    response = await clerk.post(f"/incoming/{doc_id}/transition", data={"event": "submit"},
                                headers={"HX-Request": "true", "HX-Target": "document-panel", "X-CSRFToken": token})
    assert response.status_code == 200
    assert response.headers["hx-trigger"] == "counts-changed"
    assert 'id="document-panel"' in response.text and "<!doctype" not in response.text
    assert "Đã trình lãnh đạo." in response.text  # toast swapped out of band


async def test_leader_forwards_straight_to_a_unit_and_reassigns(clients, db_sessionmaker, demo) -> None:
    from tests.support.incoming import unit_id

    clerk = await clients(CLERK)
    doc_id = await _register(clerk, db_sessionmaker, "41")
    agency = await demo.agency_id("000.01.21.H41")
    leader = await clients(LEADER)
    assert "Chuyển thẳng đơn vị" in (await leader.get(f"/incoming/{doc_id}")).text
    dcxd, vptk = (await unit_id(db_sessionmaker, agency, "ĐCXD"), await unit_id(db_sessionmaker, agency, "VPTK"))
    response = await post_form(leader, f"/incoming/{doc_id}/assign", {
        "event": "forward", "target": [f"unit:{dcxd}"], "role": ["lead"], "due_on": [""]})
    assert response.status_code == 303
    async with db_sessionmaker() as db:
        doc = await db.get(IncomingDocument, doc_id)
        assert str(doc.state) == "assigned" and doc.due_on is not None and doc.due_on > clock.today()
    missing_reason = await post_form(leader, f"/incoming/{doc_id}/assign", {
        "event": "reassign", "target": [f"unit:{vptk}"], "role": ["lead"], "due_on": [""]})
    assert missing_reason.status_code == 422
    response = await post_form(leader, f"/incoming/{doc_id}/assign", {
        "event": "reassign", "target": [f"unit:{vptk}"], "role": ["lead"], "due_on": [""],
        "reason": "Thuộc lĩnh vực văn phòng."})
    assert response.status_code == 303
    head = await clients("truongphong.xanghiphong")  # head of ĐCXD: no longer assigned, so no longer visible
    assert (await head.get(f"/incoming/{doc_id}")).status_code == 404


async def test_register_book_prints_and_exports_ten_columns(clients, db_sessionmaker) -> None:
    clerk = await clients(CLERK)
    await _register(clerk, db_sessionmaker, "51", summary="Về việc =cmd injection")
    today = clock.today().isoformat()
    html = (await clerk.get(f"/incoming/book?from={today}&to={today}")).text
    for column in ("Ngày đến", "Số đến", "Tác giả", "Số, ký hiệu", "Ngày tháng", "Tên loại và trích yếu nội dung",
                   "Đơn vị hoặc người nhận", "Ngày chuyển", "Ký nhận", "Ghi chú"):
        assert column in html
    response = await clerk.get(f"/incoming/book.csv?from={today}&to={today}")
    assert response.status_code == 200 and "attachment" in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows[0]) == 10 and rows[1][1] == "1" and rows[1][3] == "51/UBND-VP"
    response = await clerk.get(f"/incoming/book.xlsx?from={today}&to={today}")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A1"].value.startswith("SỔ ĐĂNG KÝ VĂN BẢN ĐẾN")
    assert [c.value for c in sheet[2]][1] == "Số đến" and sheet["B3"].value == 1
    assert "Công văn: Về việc =cmd injection" == sheet["F3"].value


async def test_search_and_tasks_are_scoped(clients, db_sessionmaker) -> None:
    clerk = await clients(CLERK)
    doc_id = await _register(clerk, db_sessionmaker, "61", summary="Về phòng chống lụt bão")
    found = await clerk.get("/search?q=lut bao")
    assert f"/incoming/{doc_id}" in found.text
    specialist = await clients("chuyenvien.xanghiphong")
    assert f"/incoming/{doc_id}" not in (await specialist.get("/search?q=lut bao")).text
    assert "Chưa có công việc" in (await specialist.get("/tasks")).text
    async with db_sessionmaker() as db:
        assert await db.scalar(sa.select(sa.func.count()).select_from(IncomingDocument)) == 1
