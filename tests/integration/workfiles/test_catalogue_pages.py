"""The file catalogue as pages, without JavaScript: the clerk creates the year's catalogue, adds headings and
planned files (a refusal comes back under its field, nothing stored), a specialist reads it and opens a file from
an item, which the page then links; others may read but not keep it; another agency never sees it."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from backend.db.models import CatalogueHeading, CatalogueItem, FileCatalogue, WorkFile
from backend.lib import clock
from tests.conftest import csrf_from
from tests.support.incoming import Clients


async def _count(sessions: Any, model: Any) -> int:
    async with sessions() as db:
        return int(await db.scalar(sa.select(sa.func.count()).select_from(model)) or 0)


async def test_clerk_keeps_the_catalogue_and_a_specialist_opens_a_file_from_it(
        client: Any, login: Any, db_sessionmaker: Any) -> None:
    clients = Clients(client, login)
    clerk = await clients("vanthu.tinh")
    now = await clerk.get("/work-files/catalogue/")
    assert now.status_code == 303 and now.headers["location"].endswith(f"/work-files/catalogue/{clock.today().year}")
    empty = await clerk.get(f"/work-files/catalogue/{clock.today().year}")
    assert empty.status_code == 200, empty.text[-2000:]
    assert f"Danh mục hồ sơ năm {clock.today().year}" in empty.text and "chưa có danh mục" in empty.text
    token = csrf_from(empty.text)
    # copying a year that does not exist is refused with the reason, nothing stored
    refused = await clerk.post(f"/work-files/catalogue/{clock.today().year}/copy-forward", data={"_csrf_token": token})
    assert refused.status_code == 422 and f"chưa có danh mục hồ sơ năm {clock.today().year - 1}" in refused.text
    assert await _count(db_sessionmaker, FileCatalogue) == 0
    created = await clerk.post(f"/work-files/catalogue/{clock.today().year}",
                               data={"_csrf_token": token, "decision_no": "12/QĐ-UBND"})
    assert created.status_code == 303
    page = await clerk.get(f"/work-files/catalogue/{clock.today().year}")
    assert "Đã lập danh mục hồ sơ" in page.text and "12/QĐ-UBND" in page.text and "Hãy thêm một đề mục lớn" in page.text

    bad_heading = await clerk.post(f"/work-files/catalogue/{clock.today().year}/headings",
                                   data={"_csrf_token": token, "name": "Tổ chức, cán bộ", "abbreviation": "tc cb!"})
    assert bad_heading.status_code == 422 and 'aria-invalid="true"' in bad_heading.text
    assert 'value="Tổ chức, cán bộ"' in bad_heading.text  # what was typed is kept
    assert await _count(db_sessionmaker, CatalogueHeading) == 0
    twice = await clerk.post(f"/work-files/catalogue/{clock.today().year}/headings",
                             data={"_csrf_token": token, "name": ["Một", "Hai"], "abbreviation": "MH"})
    assert twice.status_code == 400 and "cần chuỗi văn bản, nhận được danh sách" in twice.text  # says what was wrong
    assert await _count(db_sessionmaker, CatalogueHeading) == 0
    assert (await clerk.post(f"/work-files/catalogue/{clock.today().year}/headings", data={
        "_csrf_token": token, "name": "Tổ chức, cán bộ", "abbreviation": "TCCB"})).status_code == 303
    async with db_sessionmaker() as db:
        major = await db.scalar(sa.select(CatalogueHeading.id))
    assert (await clerk.post(f"/work-files/catalogue/{clock.today().year}/headings", data={
        "_csrf_token": token, "name": "Tuyển dụng", "parent_id": str(major)})).status_code == 303
    no_retention = await clerk.post(f"/work-files/catalogue/{clock.today().year}/items", data={
        "_csrf_token": token, "heading_id": str(major), "title": "Hồ sơ tuyển dụng công chức", "retention": ""})
    assert no_retention.status_code == 422 and await _count(db_sessionmaker, CatalogueItem) == 0
    added = await clerk.post(f"/work-files/catalogue/{clock.today().year}/items", data={
        "_csrf_token": token, "heading_id": str(major), "title": "Hồ sơ tuyển dụng công chức", "retention": "70 năm"})
    assert added.status_code == 303
    page = await clerk.get(f"/work-files/catalogue/{clock.today().year}")
    assert "I. Tổ chức, cán bộ" in page.text and "1. Tuyển dụng" in page.text
    assert "01.TCCB" in page.text and "Hồ sơ tuyển dụng công chức" in page.text

    # a specialist reads it (no forms to keep it) and opens the planned file
    specialist = await clients("chuyenvien.tinh")
    seen = await specialist.get(f"/work-files/catalogue/{clock.today().year}")
    assert "01.TCCB" in seen.text and "Thêm đề mục" not in seen.text and "Thêm hồ sơ dự kiến" not in seen.text
    async with db_sessionmaker() as db:
        item_id = await db.scalar(sa.select(CatalogueItem.id))
    opened = await specialist.post("/work-files/", data={"_csrf_token": csrf_from(seen.text),
                                                          "catalogue_item_id": str(item_id)})
    assert opened.status_code == 303
    async with db_sessionmaker() as db:
        work_file = await db.scalar(sa.select(WorkFile).where(WorkFile.catalogue_item_id == item_id))
    assert work_file is not None and work_file.file_notation == "01.TCCB" and work_file.retention == "70 năm"
    again = await specialist.get(f"/work-files/catalogue/{clock.today().year}")
    assert f"/work-files/{work_file.id}" in again.text and "Mở hồ sơ theo mục này" not in again.text
    # a specialist may not change the catalogue
    denied = await specialist.post(f"/work-files/catalogue/{clock.today().year}/headings", data={
        "_csrf_token": csrf_from(seen.text), "name": "Khác", "abbreviation": "KH"})
    assert denied.status_code == 403
    # another agency has its own (empty) catalogue of the year
    other = await clients("vanthu.sonoivu")
    theirs = await other.get(f"/work-files/catalogue/{clock.today().year}")
    assert "01.TCCB" not in theirs.text and "chưa có danh mục" in theirs.text
    # a copy forward into next year keeps the headings and numbers
    next_year = clock.today().year + 1
    copied = await clerk.post(f"/work-files/catalogue/{next_year}/copy-forward", data={"_csrf_token": token})
    assert copied.status_code == 303
    assert "01.TCCB" in (await clerk.get(f"/work-files/catalogue/{next_year}")).text
