"""The worker's handler for :data:`RENDER_PAGES`.

Rendering a page (pdftoppm, then WebP) is the slow part of the first view of a document on a phone; a
signer opening "Chờ ký" would otherwise wait for the signature page's thumbnail to be rendered on the
request (the largest element of the signing screen). The images are kept as derived blobs, exactly as
:func:`~backend.domain.documents.files.page_image_bytes` keeps them when rendered on demand, so the
job only moves that work earlier. A page that cannot be rendered is logged; the page renders (or
refuses) on demand as before.
"""

from __future__ import annotations

import logging

from backend.db.models import StoredFile
from backend.domain.documents.errors import FileRejectedError
from backend.domain.documents.files import page_image_bytes
from backend.domain.documents.kinds import RENDER_PAGES, RenderPages
from backend.tasks.bus import Handles, JobContext

__all__ = ["HANDLERS", "render_pages"]

log = logging.getLogger("congvan.documents")


async def render_pages(ctx: JobContext, payload: RenderPages) -> None:
    """Render and keep each page of the file that exists (unknown files and pages are skipped)."""
    file = await ctx.db.get(StoredFile, payload.file_id)
    if file is None:
        return
    for page in payload.pages:
        if 1 <= page <= file.page_count:
            try:
                await page_image_bytes(ctx.settings, file, page)
            except FileRejectedError as exc:
                log.info("render ahead: page %s of file %s not rendered: %s", page, file.id, exc)


HANDLERS = (Handles(RENDER_PAGES, render_pages),)
