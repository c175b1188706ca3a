"""Uploads are authorised before they are read: nothing is stored or parsed for a document the actor cannot
change, and such uploads cannot hold up anyone else (issue 16, item 0)."""

from __future__ import annotations

import asyncio

from tests.support.outgoing import Api, create_draft, draft_pdf, ids


def _blobs(settings) -> list[str]:
    return sorted(str(p) for p in settings.blob_dir.rglob("*") if p.is_file())


async def test_uploads_to_another_agencys_document_store_nothing_and_block_nobody(client, settings) -> None:
    look_ups = await ids(settings)
    drafter = await Api(client).login("chuyenvien.xanghiphong")
    doc_id = await create_draft(drafter, look_ups)
    before = _blobs(settings)
    outsider = await Api(client).login("chuyenvien.xanghithai")
    reader = await Api(client).login("vanthu.xanghiphong")
    big = draft_pdf() + b"%" + b"0" * (4 * 1024 * 1024)

    async def upload(kind: str):
        return await outsider.post(f"/outgoing/{doc_id}/files", data={"kind": kind, "note": "x"},
                                   files={"file": ("tan-cong.pdf", big, "application/pdf")})

    *answers, page = await asyncio.gather(upload("version"), upload("appendix"), upload("version"),
                                          reader.get("/outgoing"))
    assert [a.status_code for a in answers] == [404, 404, 404]
    assert page.status_code == 200
    assert _blobs(settings) == before


async def test_an_upload_the_actor_may_not_make_is_refused_before_the_file_is_kept(client, settings) -> None:
    look_ups = await ids(settings)
    drafter = await Api(client).login("chuyenvien.xanghiphong")
    doc_id = await create_draft(drafter, look_ups)
    before = _blobs(settings)
    clerk = await Api(client).login("vanthu.xanghiphong")  # sees the agency's drafts, may not change this one
    response = await clerk.post(f"/outgoing/{doc_id}/files", data={"kind": "version", "note": "x"},
                                files={"file": ("khac.pdf", draft_pdf(signer="Người Khác"), "application/pdf")})
    assert response.status_code == 403
    assert _blobs(settings) == before
