"""The signature page is rendered before the signer opens the document (the signing screen's thumbnail
was rendered on the request: the largest element of the page, 3.4 s in Lighthouse on a loaded machine)."""

from __future__ import annotations

import sqlalchemy as sa
from litestar import Litestar
from litestar.testing import AsyncTestClient

from backend.config.settings import Settings
from backend.db.engine import create_engine, create_sessionmaker
from backend.db.models import OutboxJob, OutgoingDocument, StoredFile
from backend.domain.documents.files import blob_store
from tests.support.outgoing import Api, ids, run_jobs, to_awaiting


async def _file_and_jobs(settings: Settings, doc_id: int) -> tuple[StoredFile, list[str]]:
    engine = create_engine(settings.database_url, pool=False)
    try:
        async with create_sessionmaker(engine)() as db:
            doc = await db.get(OutgoingDocument, doc_id)
            stored = await db.get(StoredFile, doc.main_file_id)
            payloads = (await db.scalars(sa.select(OutboxJob.payload).where(
                OutboxJob.kind == "documents.render_pages"))).all()
            return stored, [str(p) for p in payloads]
    finally:
        await engine.dispose()


async def test_the_signature_page_is_rendered_when_the_document_waits_for_the_signer(
        client: AsyncTestClient[Litestar], settings: Settings) -> None:
    ids_ = await ids(settings)
    drafter = await Api(client).login("chuyenvien.xanghiphong")
    head = await Api(client).login("truongphong.xanghiphong")
    clerk = await Api(client).login("vanthu.xanghiphong")
    doc_id = await to_awaiting(drafter, head, clerk, ids_)
    stored, jobs = await _file_and_jobs(settings, doc_id)
    name = f"p{stored.page_count}-w{settings.page_image_width}.webp"  # the sample's signature is on its last page
    assert len(jobs) == 1 and f'"file_id":{stored.id}' in jobs[0].replace(" ", "")
    assert await blob_store(settings).read_derived(stored.sha256, name) is None
    await run_jobs(settings)
    image = await blob_store(settings).read_derived(stored.sha256, name)
    assert image is not None and image[:4] == b"RIFF" and image[8:12] == b"WEBP"
