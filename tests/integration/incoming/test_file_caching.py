"""A document's page images and its PDF are never kept by an HTTP cache (issue 16): a shared or
lost phone keeps no copy outside the service worker's per-user caches, which logout wipes."""

from __future__ import annotations

from tests.support.incoming import doc_id_from, intake, intake_fields, make_pdf, type_id

CLERK = "vanthu.xanghiphong"


async def test_page_images_and_the_pdf_are_private_no_store(clients, db_sessionmaker) -> None:
    clerk = await clients(CLERK)
    doc_id = doc_id_from(await intake(clerk, intake_fields(await type_id(db_sessionmaker)), make_pdf(1)))
    image = await clerk.get(f"/incoming/{doc_id}/pages/1")
    assert image.status_code == 200 and image.headers["cache-control"] == "private, no-store"
    assert image.headers["cv-offline"] == "asset"  # the service worker still keeps it for offline reading
    again = await clerk.get(f"/incoming/{doc_id}/pages/1", headers={"If-None-Match": image.headers["etag"]})
    assert again.status_code == 304 and again.headers["cache-control"] == "private, no-store"
    pdf = await clerk.get(f"/incoming/{doc_id}/file")
    assert pdf.status_code == 200 and pdf.headers["cache-control"] == "private, no-store"
