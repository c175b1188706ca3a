"""Files and printouts of incoming documents: the original PDF, page images, the handling slip and
the incoming register (printable HTML, CSV, XLSX).

The original is streamed unchanged with ``Content-Disposition`` and a strong ``ETag`` (its
SHA-256), answering ``If-None-Match`` with 304. Page images are WebP renderings at phone width,
cached as derived blobs and safe to cache privately in the browser (their content never changes
for a given ETag). Every download of the original is audited.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import quote

from litestar import Controller, Request, Response, get
from litestar.datastructures import ETag
from litestar.params import FromPath
from litestar.response import File

from backend.domain.accounts.actor import Actor
from backend.domain.audit.services import record
from backend.domain.documents.files import PDF_CONTENT_TYPE, blob_store, page_image_path
from backend.domain.exchange.receipts import ensure_readable
from backend.domain.incoming.policies import can_view_book
from backend.domain.incoming.queries import load_view
from backend.domain.incoming.registers import book_csv, book_rows, book_xlsx, columns, default_range
from backend.errors import NotFoundError, PermissionDeniedError
from backend.lib import clock
from backend.lib.i18n import t
from backend.lib.templates import render_page
from backend.server.deps import DB, AppSettings, CurrentActor, Meta

__all__ = ["IncomingFilesController"]


def _attachment(filename: str) -> str:
    ascii_name = filename.encode("ascii", "ignore").decode() or "download"
    ascii_name = ascii_name.replace('"', "")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


def _range(request: Request[Any, Any, Any]) -> tuple[date, date]:
    today = clock.to_local(clock.now()).date()
    start, end = default_range(today)
    try:
        if request.query_params.get("from"):
            start = date.fromisoformat(request.query_params["from"])
        if request.query_params.get("to"):
            end = date.fromisoformat(request.query_params["to"])
    except ValueError:
        start, end = default_range(today)
    return (start, end) if start <= end else (end, start)


def _require_book(actor: Actor) -> None:
    decision = can_view_book(actor)
    if not decision:
        raise PermissionDeniedError(t(decision.reason))


class IncomingFilesController(Controller):
    """Downloads and printable pages under ``/incoming``."""

    path = "/incoming"

    @get("/{doc_id:int}/file", name="incoming.file")
    async def original(self, request: Request[Any, Any, Any], db: DB, settings: AppSettings, actor: CurrentActor,
                       meta: Meta, doc_id: FromPath[int]) -> Response[Any]:
        view = await load_view(db, actor, doc_id)
        await ensure_readable(db, doc_id)
        etag = f'"{view.file.sha256}"'
        headers = {"cache-control": "private, no-cache", "content-disposition": _attachment(view.file.filename)}
        if request.headers.get("if-none-match") == etag:
            return Response(b"", status_code=304, headers={"ETag": etag, "Cache-Control": "private, no-cache"})
        await record(db, "incoming.file_downloaded", actor_id=actor.user_id, actor_name=actor.username,
                     agency_id=view.doc.agency_id, object_type="incoming", object_id=doc_id, meta=meta,
                     detail={"sha256": view.file.sha256})
        return File(path=blob_store(settings).path_for(view.file.sha256), media_type=PDF_CONTENT_TYPE,
                    etag=ETag(value=view.file.sha256), headers=headers)

    @get("/{doc_id:int}/pages/{page:int}", name="incoming.page_image")
    async def page_image(self, request: Request[Any, Any, Any], db: DB, settings: AppSettings,
                         actor: CurrentActor, doc_id: FromPath[int], page: FromPath[int]) -> Response[Any]:
        view = await load_view(db, actor, doc_id)
        await ensure_readable(db, doc_id)
        if page < 1 or page > view.file.page_count:
            raise NotFoundError()
        tag = f"{view.file.sha256[:32]}-p{page}-w{settings.page_image_width}"
        headers = {"Cache-Control": "private, max-age=86400"}
        if request.headers.get("if-none-match") == f'"{tag}"':
            return Response(b"", status_code=304, headers={"ETag": f'"{tag}"', **headers})
        path = await page_image_path(settings, view.file, page)
        return File(path=path, media_type="image/webp", content_disposition_type="inline",
                    filename=f"trang-{page}.webp", etag=ETag(value=tag), headers=headers)

    @get("/{doc_id:int}/slip", name="incoming.slip")
    async def slip(self, request: Request[Any, Any, Any], db: DB, actor: CurrentActor,
                   doc_id: FromPath[int]) -> Response[str]:
        view = await load_view(db, actor, doc_id)
        top = [a for a in view.assignments if a.parent_id is None and a.status != "cancelled"]
        unit_level = [a for a in view.assignments if a.parent_id is not None and a.status != "cancelled"]
        proposals = [a for a in view.assignments if a.proposal]
        context = {"section": "incoming", "view": view, "doc": view.doc, "top": top, "unit_level": unit_level,
                   "proposals": proposals}
        return render_page(request, "pages/incoming/slip.html", context)

    @get("/book", name="incoming.book")
    async def book(self, request: Request[Any, Any, Any], db: DB, actor: CurrentActor) -> Response[str]:
        _require_book(actor)
        start, end = _range(request)
        rows = await book_rows(db, actor, start, end)
        context = {"section": "incoming", "rows": rows, "columns": columns(), "start": start, "end": end}
        return render_page(request, "pages/incoming/book.html", context)

    @get("/book.csv", name="incoming.book_csv")
    async def book_as_csv(self, request: Request[Any, Any, Any], db: DB, actor: CurrentActor) -> Response[bytes]:
        _require_book(actor)
        start, end = _range(request)
        body = book_csv(await book_rows(db, actor, start, end))
        return Response(body, media_type="text/csv; charset=utf-8", headers={
            "Content-Disposition": _attachment(f"so-van-ban-den_{start.isoformat()}_{end.isoformat()}.csv"),
            "Cache-Control": "no-store"})

    @get("/book.xlsx", name="incoming.book_xlsx")
    async def book_as_xlsx(self, request: Request[Any, Any, Any], db: DB, actor: CurrentActor) -> Response[bytes]:
        _require_book(actor)
        start, end = _range(request)
        body = book_xlsx(await book_rows(db, actor, start, end), actor.agency_name, start, end)
        return Response(body, media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        headers={"Content-Disposition": _attachment(
                            f"so-van-ban-den_{start.isoformat()}_{end.isoformat()}.xlsx"), "Cache-Control": "no-store"})
