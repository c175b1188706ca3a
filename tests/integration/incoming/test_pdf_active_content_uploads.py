"""Uploads with active content (issue 16): Launch actions and embedded programs are refused with a clear message and
nothing stored; JavaScript is accepted with a warning kept on the file and shown on the document page."""

from __future__ import annotations

import sqlalchemy as sa

from backend.db.models import StoredFile
from tests.support.active_pdf import with_active_content
from tests.support.incoming import doc_id_from, intake, intake_fields, type_id
from tests.support.outgoing import Api, create_draft, ids

CLERK = "vanthu.xanghiphong"


def _blobs(settings) -> set[str]:
    return {p.name for p in settings.blob_dir.rglob("*") if p.is_file() and len(p.name) == 64}


async def test_launch_actions_and_embedded_programs_are_refused(clients, db_sessionmaker, settings) -> None:
    clerk = await clients(CLERK)
    fields = intake_fields(await type_id(db_sessionmaker), code_number="81")
    for kind, words in (("launch_open", "Launch"), ("launch_page", "Launch"), ("exe", ".exe")):
        response = await intake(clerk, fields, with_active_content(kind))
        assert response.status_code == 422, kind
        assert words in response.text and "không được tiếp nhận" in response.text, kind
    async with db_sessionmaker() as db:
        assert await db.scalar(sa.select(sa.func.count()).select_from(StoredFile)) == 0
    assert _blobs(settings) == set()


async def test_javascript_is_accepted_with_a_visible_warning(clients, db_sessionmaker) -> None:
    clerk = await clients(CLERK)
    fields = intake_fields(await type_id(db_sessionmaker), code_number="82")
    doc_id = doc_id_from(await intake(clerk, fields, with_active_content("js_open")))
    async with db_sessionmaker() as db:
        assert (await db.scalars(sa.select(StoredFile.content_warning))).all() == ["javascript"]
    page = await clerk.get(f"/incoming/{doc_id}")
    assert page.status_code == 200 and 'id="file-warning"' in page.text
    assert "tệp PDF này có chứa mã JavaScript" in page.text
    plain = doc_id_from(await intake(clerk, intake_fields(await type_id(db_sessionmaker), code_number="83"),
                                     with_active_content("pdf_attachment")))
    assert 'id="file-warning"' not in (await clerk.get(f"/incoming/{plain}")).text


async def test_an_outgoing_draft_with_javascript_shows_the_warning(client, settings) -> None:
    drafter = await Api(client).login("chuyenvien.xanghiphong")
    doc_id = await create_draft(drafter, await ids(settings), pdf=with_active_content("js_names"))
    page = await drafter.get(f"/outgoing/{doc_id}")
    assert page.status_code == 200 and "tệp PDF này có chứa mã JavaScript" in page.text
    refused = await drafter.post("/api/v1/outgoing", data={"summary": "x"},
                                 files={"file": ("du-thao.pdf", with_active_content("exe"), "application/pdf")})
    assert refused.status_code == 422 and ".exe" in refused.text
