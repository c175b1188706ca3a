"""The worker's handler for :data:`EXTRACT_TEXT`: read the PDF's text layer (pypdf, in a thread) into the
index entry. A PDF whose pages carry no text (a scan) is marked "chưa có lớp văn bản"; one pypdf cannot read
is marked unreadable. Either way the document stays findable by its metadata."""

from __future__ import annotations

import asyncio
import io
import logging

from pypdf import PdfReader

from backend.db.models import ContentStatus, StoredFile
from backend.domain.documents.files import blob_store
from backend.domain.search import indexer
from backend.domain.search.kinds import EXTRACT_TEXT, ExtractText
from backend.tasks.bus import Handles, JobContext

__all__ = ["HANDLERS", "extract_text", "pdf_text"]

log = logging.getLogger("congvan.search")


def pdf_text(data: bytes, limit: int = indexer.MAX_CONTENT) -> tuple[ContentStatus, str]:
    """The text layer of a PDF (up to ``limit`` characters) and what was found (blocking)."""
    try:
        reader = PdfReader(io.BytesIO(data))
        parts: list[str] = []
        size = 0
        for page in reader.pages:
            text = " ".join((page.extract_text() or "").split())
            parts.append(text)
            size += len(text) + 1
            if size >= limit:
                break
    except Exception as exc:  # noqa: BLE001 - any malformed PDF is "unreadable", never a failing job
        log.info("search: PDF text not readable: %s", exc)
        return ContentStatus.UNREADABLE, ""
    text = "\n".join(part for part in parts if part)[:limit]
    return (ContentStatus.TEXT, text) if text.strip() else (ContentStatus.NO_TEXT_LAYER, "")


async def extract_text(ctx: JobContext, payload: ExtractText) -> None:
    """Read the entry's file and store its text (a no-op when the entry or its file changed meanwhile)."""
    file = await ctx.db.get(StoredFile, payload.file_id)
    if file is None:
        return
    data = await blob_store(ctx.settings).read_bytes(file.sha256)
    status, text = await asyncio.to_thread(pdf_text, data)
    await ctx.db.run_sync(lambda db: indexer.set_content(db, payload.entry_id, payload.file_id, status, text))


HANDLERS = (Handles(EXTRACT_TEXT, extract_text),)
