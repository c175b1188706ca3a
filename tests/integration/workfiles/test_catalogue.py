"""The file catalogue through the API: headings, numbered items, refusals, copy forward and the ND 30 export."""

from __future__ import annotations

import io
from typing import Any

import sqlalchemy as sa
from openpyxl import load_workbook

from backend.db.models import AuditEvent, CatalogueItem


async def _catalogue(clerk: Any, year: int) -> dict[str, Any]:
    created = await clerk.call("POST", "/api/v1/file-catalogues/", {"year": year, "decision_no": "12/QĐ-UBND"})
    assert created.status_code == 201, created.text
    major = await clerk.call("POST", f"/api/v1/file-catalogues/{year}/headings",
                             {"name": "Tổ chức, cán bộ", "abbreviation": "TCCB"})
    major_id = major.json()["headings"][0]["id"]
    minor = await clerk.call("POST", f"/api/v1/file-catalogues/{year}/headings",
                             {"name": "Tuyển dụng", "parent_id": major_id})
    minor_id = [h for h in minor.json()["headings"] if h["parent_id"] == major_id][0]["id"]
    for heading, title, retention in ((major_id, "Kế hoạch công tác cán bộ", "Vĩnh viễn"),
                                      (minor_id, "Hồ sơ tuyển dụng công chức", "20 năm")):
        item = await clerk.call("POST", f"/api/v1/file-catalogues/{year}/items",
                                {"heading_id": heading, "title": title, "retention": retention,
                                 "expected_count": 12})
        assert item.status_code == 201, item.text
    return dict((await clerk.call("GET", f"/api/v1/file-catalogues/{year}")).json())


async def test_catalogue_numbering_export_and_copy_forward(api: Any, db_sessionmaker: Any) -> None:
    clerk = await api("vanthu.tinh")
    body = await _catalogue(clerk, 2025)
    assert [h["label"] for h in body["headings"]] == ["I. Tổ chức, cán bộ", "1. Tuyển dụng"]
    assert [(i["file_notation"], i["retention"]) for i in body["items"]] == [("01.TCCB", "Vĩnh viễn"),
                                                                            ("02.TCCB", "20 năm")]
    sheet = await clerk.call("GET", "/api/v1/file-catalogues/2025/export.xlsx")
    assert sheet.status_code == 200
    rows = [tuple(row) for row in load_workbook(io.BytesIO(sheet.content)).active.iter_rows(values_only=True)]
    assert rows[0][0].startswith("DANH MỤC HỒ SƠ CỦA") and rows[0][0].endswith("NĂM 2025")
    assert rows[1] == ("Số và ký hiệu hồ sơ", "Tên đề mục và tiêu đề hồ sơ", "Thời hạn bảo quản",
                       "Đơn vị/người lập hồ sơ", "Ghi chú")
    assert rows[2][1] == "I. Tổ chức, cán bộ" and rows[3][:3] == ("01.TCCB", "Kế hoạch công tác cán bộ", "Vĩnh viễn")
    assert "2 hồ sơ, trong đó 1 hồ sơ bảo quản vĩnh viễn" in rows[-1][1]
    csv = await clerk.call("GET", "/api/v1/file-catalogues/2025/export.csv")
    assert "02.TCCB,Hồ sơ tuyển dụng công chức,20 năm" in csv.content.decode("utf-8-sig")

    copied = await clerk.call("POST", "/api/v1/file-catalogues/2026/copy-forward")
    assert copied.status_code == 201, copied.text
    assert [i["file_notation"] for i in copied.json()["items"]] == ["01.TCCB", "02.TCCB"]
    assert [h["label"] for h in copied.json()["headings"]] == ["I. Tổ chức, cán bộ", "1. Tuyển dụng"]
    twice = await clerk.call("POST", "/api/v1/file-catalogues/2026/copy-forward")
    assert twice.status_code == 409
    async with db_sessionmaker() as db:
        actions = (await db.scalars(sa.select(AuditEvent.action).where(
            AuditEvent.action.like("workfiles.catalogue.%")))).all()
    assert actions.count("workfiles.catalogue.copied_forward") == 1

    # a specialist opens a file from the catalogue: title, symbol and retention come from the item
    specialist = await api("chuyenvien.tinh")
    item = copied.json()["items"][1]
    opened = await specialist.call("POST", "/api/v1/work-files/", {"catalogue_item_id": item["id"]})
    assert opened.status_code == 201, opened.text
    assert (opened.json()["file_notation"], opened.json()["title"], opened.json()["retention"], opened.json()["year"]
            ) == ("02.TCCB", "Hồ sơ tuyển dụng công chức", "20 năm", 2026)


async def test_catalogue_refusals(api: Any, db_sessionmaker: Any) -> None:
    clerk = await api("vanthu.tinh")
    body = await _catalogue(clerk, 2027)
    heading = body["headings"][0]["id"]
    bad = await clerk.call("POST", "/api/v1/file-catalogues/2027/items",
                           {"heading_id": heading, "title": "Hồ sơ thử", "retention": "Lâu dài"})
    assert bad.status_code == 422
    assert bad.json()["errors"]["retention"].startswith("Thời hạn bảo quản “Lâu dài” không hợp lệ. Chỉ chọn")
    no_abbr = await clerk.call("POST", "/api/v1/file-catalogues/2027/headings", {"name": "Văn phòng"})
    assert no_abbr.status_code == 422
    specialist = await api("chuyenvien.tinh")
    denied = await specialist.call("POST", "/api/v1/file-catalogues/2027/items",
                                   {"heading_id": heading, "title": "Hồ sơ thử", "retention": "5 năm"})
    assert denied.status_code == 403
    other = await api("vanthu.sonoivu")
    assert (await other.call("GET", "/api/v1/file-catalogues/2027")).status_code == 404
    foreign = await other.call("POST", "/api/v1/file-catalogues/", {"year": 2027})
    assert foreign.status_code == 201
    cross = await other.call("POST", "/api/v1/file-catalogues/2027/items",
                             {"heading_id": heading, "title": "Hồ sơ thử", "retention": "5 năm"})
    assert cross.status_code == 422 and "không thuộc danh mục" in cross.json()["errors"]["heading_id"]
    item_id = body["items"][0]["id"]
    assert (await other.call("POST", "/api/v1/work-files/", {"catalogue_item_id": item_id})).status_code == 404
    change = {"heading_id": heading, "title": "Kế hoạch công tác tổ chức cán bộ", "retention": "50 năm", "note": "Sửa"}
    assert (await other.call("PUT", f"/api/v1/file-catalogues/2027/items/{item_id}", change)).status_code == 404
    wrong = await clerk.call("PUT", f"/api/v1/file-catalogues/2027/items/{item_id}", {**change, "retention": "Lâu dài"})
    assert wrong.status_code == 422
    changed = await clerk.call("PUT", f"/api/v1/file-catalogues/2027/items/{item_id}", change)
    assert changed.status_code == 200, changed.text
    assert (changed.json()["items"][0]["title"], changed.json()["items"][0]["retention"],
            changed.json()["items"][0]["file_notation"]) == ("Kế hoạch công tác tổ chức cán bộ", "50 năm", "01.TCCB")
    async with db_sessionmaker() as db:
        assert await db.scalar(sa.select(sa.func.count(CatalogueItem.id))) == 2
