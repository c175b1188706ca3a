"""Files and printouts of outgoing documents: each version's PDF, appendices, page images, the
outgoing register (printable HTML, CSV, XLSX), and the signature / seal image pages.

PDFs are streamed unchanged with ``Content-Disposition`` and a strong ``ETag`` (their SHA-256);
every download is audited. Page images are WebP renderings of the current version; the "marked"
pages and the placement preview draw on them where the signature will land (revalidated on every
view, since the layout may change while the file does not).
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import File

from backend.db.models import Agency, SigningImageKind, StoredFile
from backend.domain.accounts.actor import Actor
from backend.domain.accounts.deps import CurrentActor
from backend.domain.audit.deps import Meta
from backend.domain.audit.services import record
from backend.domain.documents.files import blob_store, page_image_bytes
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
from backend.domain.outgoing._pdf import DocLayout
from backend.domain.outgoing.images import current_image, save_image
from backend.domain.outgoing.policies import can_manage_seal, can_view_book
from backend.domain.outgoing.preview import marked_page, marked_tag, preview_page
from backend.domain.outgoing.queries import load_view
from backend.domain.outgoing.registers import book_csv, book_rows, book_xlsx, columns, default_range
from backend.domain.outgoing.schemas import ImageForm
from backend.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from backend.lib.bounds import parse_id
from backend.lib.deps import DB, AppSettings
from backend.lib.i18n import t
from backend.lib.sessions import flash
from backend.lib.templates import render_page

__all__ = ["OutgoingFilesController"]


class OutgoingFilesController(Controller):
    """Downloads, page images, the register and the signing images."""

    path = "/outgoing"

    async def _send(self, request: Request[Any, Any, Any], db: DB, settings: AppSettings, actor: Actor,
                    meta: Meta, doc_id: int, stored: StoredFile) -> Response[Any]:
        if (cached := not_modified(request, stored)) is not None:
            return cached
        await record(db, "outgoing.file_downloaded", actor_id=actor.user_id, actor_name=actor.username,
                     agency_id=actor.agency_id, object_type="outgoing", object_id=doc_id, meta=meta,
                     detail={"sha256": stored.sha256})
        return await pdf_file(settings, stored)

    @get("/{doc_id:int}/file", name="outgoing.file")
    async def current(self, request: Request[Any, Any, Any], db: DB, settings: AppSettings, actor: CurrentActor,
                      meta: Meta, doc_id: FromPath[int]) -> Response[Any]:
        view = await load_view(db, actor, doc_id)
        return await self._send(request, db, settings, actor, meta, doc_id, view.file)

    @get("/{doc_id:int}/files/{file_id:int}", name="outgoing.file_version")
    async def version(self, request: Request[Any, Any, Any], db: DB, settings: AppSettings, actor: CurrentActor,
                      meta: Meta, doc_id: FromPath[int], file_id: FromPath[int]) -> Response[Any]:
        view = await load_view(db, actor, doc_id)
        if file_id not in view.files:
            raise NotFoundError()
        return await self._send(request, db, settings, actor, meta, doc_id, view.files[file_id])

    @get("/{doc_id:int}/pages/{page:int}", name="outgoing.page_image")
    async def page_image(self, request: Request[Any, Any, Any], db: DB, settings: AppSettings,
                         actor: CurrentActor, doc_id: FromPath[int], page: FromPath[int]) -> Response[Any]:
        view = await load_view(db, actor, doc_id)
        return await page_image(request, settings, view.file, page)

    @get("/{doc_id:int}/pages/{page:int}/marked", name="outgoing.marked_page")
    async def marked_page(self, request: Request[Any, Any, Any], db: DB, settings: AppSettings,
                          actor: CurrentActor, doc_id: FromPath[int], page: FromPath[int]) -> Response[Any]:
        """Page ``page`` with the signature box (and number/date areas) drawn where they will land."""
        view = await load_view(db, actor, doc_id)
        return await self._marked(request, settings, view.file, DocLayout.from_json(view.doc.layout), page)

    @get("/{doc_id:int}/placement", name="outgoing.placement_preview")
    async def placement_preview(self, request: Request[Any, Any, Any], db: DB, settings: AppSettings,
                                actor: CurrentActor, doc_id: FromPath[int]) -> Response[Any]:
        """The page the signature goes on, with its box: the thumbnail of the signing screens."""
        view = await load_view(db, actor, doc_id)
        layout = DocLayout.from_json(view.doc.layout)
        return await self._marked(request, settings, view.file, layout, preview_page(layout, view.file.page_count))

    @staticmethod
    async def _marked(request: Request[Any, Any, Any], settings: AppSettings, stored: StoredFile, layout: DocLayout,
                      page: int) -> Response[Any]:
        if page < 1 or page > stored.page_count:
            raise NotFoundError()
        etag = f'"{marked_tag(stored.sha256, layout, page, settings.page_image_width)}"'
        headers = {"Cache-Control": "private, no-store", "ETag": etag}
        if request.headers.get("if-none-match") == etag:
            return Response(b"", status_code=304, headers=headers)
        image = await page_image_bytes(settings, stored, page)
        pdf = await blob_store(settings).read_bytes(stored.sha256)
        body = await asyncio.to_thread(marked_page, image, pdf, layout, page)
        return Response(body, media_type="image/webp", headers=headers)

    @get("/book", name="outgoing.book")
    async def book(self, request: Request[Any, Any, Any], db: DB, actor: CurrentActor) -> Response[str]:
        require(can_view_book(actor))
        start, end = register_range(request, default_range)
        rows = await book_rows(db, actor, start, end)
        return render_page(request, "pages/outgoing/book.html", {
            "section": "outgoing", "rows": rows, "columns": columns(), "start": start, "end": end})

    @get("/book.csv", name="outgoing.book_csv")
    async def book_as_csv(self, request: Request[Any, Any, Any], db: DB, actor: CurrentActor) -> Response[bytes]:
        require(can_view_book(actor))
        start, end = register_range(request, default_range)
        return table_download(book_csv(await book_rows(db, actor, start, end)), CSV, f"so-van-ban-di_{start}_{end}.csv")

    @get("/book.xlsx", name="outgoing.book_xlsx")
    async def book_as_xlsx(self, request: Request[Any, Any, Any], db: DB, actor: CurrentActor) -> Response[bytes]:
        require(can_view_book(actor))
        start, end = register_range(request, default_range)
        body = book_xlsx(await book_rows(db, actor, start, end), actor.agency_name, start, end)
        return table_download(body, XLSX, f"so-van-ban-di_{start}_{end}.xlsx")

    @get("/images", name="outgoing.images")
    async def images(self, request: Request[Any, Any, Any], db: DB, actor: CurrentActor) -> Response[str]:
        return render_page(request, "pages/outgoing/images.html", await self._images_context(db, actor, {}))

    @staticmethod
    async def _images_context(db: DB, actor: Actor, errors: dict[str, str]) -> dict[str, Any]:
        return {"section": "outgoing", "errors": errors, "can_seal": bool(can_manage_seal(actor)),
                "signature": await current_image(db, SigningImageKind.SIGNATURE, user_id=actor.user_id),
                "seal": await current_image(db, SigningImageKind.SEAL, agency_id=actor.agency_id)}

    @get("/images/{kind:str}/file", name="outgoing.image_file")
    async def image_file(self, db: DB, settings: AppSettings, actor: CurrentActor, kind: FromPath[str]) -> File:
        image = await current_image(db, SigningImageKind.SEAL, agency_id=actor.agency_id) if kind == "seal" else \
            await current_image(db, SigningImageKind.SIGNATURE, user_id=actor.user_id)
        if image is None:
            raise NotFoundError()
        return File(path=await blob_store(settings).local_path(image.sha256), media_type="image/png",
                    content_disposition_type="inline", filename=f"{kind}.png", headers={"Cache-Control": "no-store"})

    @post("/images/{kind:str}", name="outgoing.image_upload")
    async def image_upload(self, request: Request[Any, Any, Any], db: DB, settings: AppSettings,
                           actor: CurrentActor, meta: Meta, kind: FromPath[str],
                           data: Annotated[ImageForm, Body(media_type=RequestEncodingType.MULTI_PART)]
                           ) -> Response[Any]:
        image_kind = SigningImageKind.SEAL if kind == "seal" else SigningImageKind.SIGNATURE
        if not actor.works_here:  # an auditor never signs, so keeps no signature image
            raise PermissionDeniedError()
        try:
            if image_kind is SigningImageKind.SEAL:
                require(can_manage_seal(actor))
            size_mm = (parse_id(data.size_mm) or 0) if data.size_mm.strip() else settings.seal_size_mm
            if image_kind is SigningImageKind.SEAL and not 20 <= size_mm <= 60:
                raise InvalidInputError(field_errors={"size_mm": t("outgoing.image.size_invalid")})
            raw = await data.image.read() if isinstance(data.image, UploadFile) else b""
            row = await save_image(db, settings, image_kind, raw, user_id=actor.user_id, agency_id=actor.agency_id,
                                   uploaded_by_id=actor.user_id,
                                   size_mm=size_mm if image_kind is SigningImageKind.SEAL else 0)
        except InvalidInputError as exc:
            await db.rollback()
            errors = {f"{image_kind.value}_{k}": v for k, v in (exc.field_errors or {"image": exc.message}).items()}
            return render_page(request, "pages/outgoing/images.html", await self._images_context(db, actor, errors),
                               status_code=422)
        agency = await db.get(Agency, actor.agency_id)
        await record(db, f"outgoing.{image_kind.value}_image_uploaded", actor_id=actor.user_id,
                     actor_name=actor.username, agency_id=agency.id if agency else None, object_type="signing_image",
                     object_id=row.id, meta=meta, detail={"sha256": row.sha256, "size_mm": row.size_mm})
        flash(request, t(f"outgoing.image.saved_{image_kind.value}"))
        return Response(b"", status_code=303, headers={"Location": request.app.route_reverse("outgoing.images")})
