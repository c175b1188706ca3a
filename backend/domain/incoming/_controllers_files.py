"""Files and printouts of incoming documents: the original PDF, its separate-file appendices, page
images, the handling slip and the incoming register (printable HTML, CSV, XLSX).

The original and each appendix are streamed unchanged with ``Content-Disposition`` and a strong
``ETag`` (the SHA-256), answering ``If-None-Match`` with 304; an appendix is served only through
its own document (same scoping: another agency's id is 404; a recalled document's content is 410).
Page images are WebP renderings at phone width, cached as derived blobs and safe to cache privately
in the browser (their content never changes for a given ETag). Every download is audited.
The HTTP plumbing is shared with outgoing documents (:mod:`backend.domain.documents.web`).
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get
from litestar.params import FromPath

from backend.db.models import StoredFile
from backend.domain.accounts.actor import Actor
from backend.domain.accounts.deps import CurrentActor
from backend.domain.audit.deps import Meta
from backend.domain.audit.services import record
from backend.domain.documents.web import (
    CSV,
    XLSX,
    not_modified,
    page_image,
    pdf_file,
    register_range,
    require,
    table_download,
)
from backend.domain.exchange.receipts import ensure_readable
from backend.domain.incoming.policies import can_view_book
from backend.domain.incoming.queries import load_view
from backend.domain.incoming.registers import book_csv, book_rows, book_xlsx, columns, default_range
from backend.lib.deps import DB, AppSettings
from backend.lib.templates import render_page

__all__ = ["IncomingFilesController"]


class IncomingFilesController(Controller):
    """Downloads and printable pages under ``/incoming``."""

    path = "/incoming"

    @staticmethod
    async def _send(request: Request[Any, Any, Any], db: DB, settings: AppSettings, actor: Actor, meta: Meta,
                    agency_id: int, doc_id: int, stored: StoredFile, action: str,
                    detail: dict[str, Any]) -> Response[Any]:
        """410 after a recall, 304 on a matching ETag, else audit ``action`` and stream ``stored``."""
        await ensure_readable(db, doc_id)
        if (cached := not_modified(request, stored)) is not None:
            return cached
        await record(db, action, actor_id=actor.user_id, actor_name=actor.username, agency_id=agency_id,
                     object_type="incoming", object_id=doc_id, meta=meta, detail=detail)
        return await pdf_file(settings, stored)

    @get("/{doc_id:int}/file", name="incoming.file")
    async def original(self, request: Request[Any, Any, Any], db: DB, settings: AppSettings, actor: CurrentActor,
                       meta: Meta, doc_id: FromPath[int]) -> Response[Any]:
        view = await load_view(db, actor, doc_id)
        return await self._send(request, db, settings, actor, meta, view.doc.agency_id, doc_id, view.file,
                                "incoming.file_downloaded", {"sha256": view.file.sha256})

    @get("/{doc_id:int}/attachments/{attachment_id:int}/file", name="incoming.attachment_file")
    async def attachment(self, request: Request[Any, Any, Any], db: DB, settings: AppSettings, actor: CurrentActor,
                         meta: Meta, doc_id: FromPath[int], attachment_id: FromPath[int]) -> Response[Any]:
        view = await load_view(db, actor, doc_id)
        item = view.attachment(attachment_id)
        return await self._send(request, db, settings, actor, meta, view.doc.agency_id, doc_id, item.file,
                                "incoming.attachment_downloaded",
                                {"attachment_id": item.id, "position": item.position, "sha256": item.file.sha256})

    @get("/{doc_id:int}/pages/{page:int}", name="incoming.page_image")
    async def page_image(self, request: Request[Any, Any, Any], db: DB, settings: AppSettings,
                         actor: CurrentActor, doc_id: FromPath[int], page: FromPath[int]) -> Response[Any]:
        view = await load_view(db, actor, doc_id)
        await ensure_readable(db, doc_id)
        return await page_image(request, settings, view.file, page)

    @get("/{doc_id:int}/slip", name="incoming.slip")
    async def slip(self, request: Request[Any, Any, Any], db: DB, actor: CurrentActor, meta: Meta,
                   doc_id: FromPath[int]) -> Response[str]:
        """The printable handling slip; opening it is audited as ``incoming.printed``."""
        view = await load_view(db, actor, doc_id)
        await record(db, "incoming.printed", actor_id=actor.user_id, actor_name=actor.username,
                     agency_id=view.doc.agency_id, object_type="incoming", object_id=doc_id, meta=meta,
                     detail={"what": "slip"})
        top = [a for a in view.assignments if a.parent_id is None and a.status != "cancelled"]
        unit_level = [a for a in view.assignments if a.parent_id is not None and a.status != "cancelled"]
        proposals = [a for a in view.assignments if a.proposal]
        context = {"section": "incoming", "view": view, "doc": view.doc, "top": top, "unit_level": unit_level,
                   "proposals": proposals}
        return render_page(request, "pages/incoming/slip.html", context)

    @get("/book", name="incoming.book")
    async def book(self, request: Request[Any, Any, Any], db: DB, actor: CurrentActor) -> Response[str]:
        require(can_view_book(actor))
        start, end = register_range(request, default_range)
        rows = await book_rows(db, actor, start, end)
        context = {"section": "incoming", "rows": rows, "columns": columns(), "start": start, "end": end}
        return render_page(request, "pages/incoming/book.html", context)

    @get("/book.csv", name="incoming.book_csv")
    async def book_as_csv(self, request: Request[Any, Any, Any], db: DB, actor: CurrentActor) -> Response[bytes]:
        require(can_view_book(actor))
        start, end = register_range(request, default_range)
        body = book_csv(await book_rows(db, actor, start, end))
        return table_download(body, CSV, f"so-van-ban-den_{start.isoformat()}_{end.isoformat()}.csv")

    @get("/book.xlsx", name="incoming.book_xlsx")
    async def book_as_xlsx(self, request: Request[Any, Any, Any], db: DB, actor: CurrentActor) -> Response[bytes]:
        require(can_view_book(actor))
        start, end = register_range(request, default_range)
        body = book_xlsx(await book_rows(db, actor, start, end), actor.agency_name, start, end)
        return table_download(body, XLSX, f"so-van-ban-den_{start.isoformat()}_{end.isoformat()}.xlsx")
