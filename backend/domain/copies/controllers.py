"""HTML pages of copies: the copies of a document (with the clerk's copy form), the file, the register.

``/copies/of/{source}/{doc_id}`` is what the "Bản sao" section of an incoming or outgoing document
page loads (htmx swaps in its ``copies_panel`` block; without JavaScript it is a page of its own).
A successful copy answers 303 to the source's page with a flash; invalid input re-renders the form
(422) with what was chosen, after the session was rolled back.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import File, Redirect

from backend.db.models import CopyKind, DocumentCopy, StoredFile
from backend.domain.accounts.actor import Actor
from backend.domain.accounts.deps import CurrentActor
from backend.domain.audit.deps import Meta
from backend.domain.copies.policies import can_make_copy, can_view_register, visible_copies
from backend.domain.copies.queries import copies_of, register_page
from backend.domain.copies.schemas import CopyForm
from backend.domain.copies.services import CopyService
from backend.domain.copies.sources import load_source
from backend.domain.documents.web import pdf_file, require
from backend.errors import InvalidInputError, NotFoundError
from backend.lib import clock
from backend.lib.bounds import parse_id
from backend.lib.deps import DB, AppSettings
from backend.lib.i18n import t
from backend.lib.sessions import flash
from backend.lib.templates import render_page

__all__ = ["CopiesController"]

KIND_LABELS = {"sao_y": "Sao y", "trich_sao": "Trích sao", "sao_luc": "Sao lục"}
_OF = "pages/copies/of.html"
_OF_BLOCKS = {"ban-sao": "copies_panel"}


async def _of_page(request: Request[Any, Any, Any], db: Any, actor: Actor, source_kind: str, doc_id: int, *,
                   errors: dict[str, str] | None = None, values: dict[str, Any] | None = None,
                   status_code: int = 200) -> Response[str]:
    source = await load_source(db, actor, source_kind, doc_id)
    stored = await db.get(StoredFile, source.file_id)
    context = {
        "section": source.kind, "source": source, "copies": await copies_of(db, actor, source),
        "can_make": bool(can_make_copy(actor)), "kinds": [(k.value, KIND_LABELS[k.value]) for k in CopyKind],
        "KIND_LABELS": KIND_LABELS, "pages": stored.page_count if stored else source.page_count,
        "errors": errors or {}, "values": values or {},
    }
    return render_page(request, _OF, context, blocks=_OF_BLOCKS, status_code=status_code)


class CopiesController(Controller):
    """``/copies``: a document's copies and the copy form, a copy's file, the register."""

    path = "/copies"

    @get("/", name="copies.register")
    async def register(self, request: Request[Any, Any, Any], db: DB, actor: CurrentActor) -> Response[str]:
        require(can_view_register(actor))
        raw_year, raw_after = request.query_params.get("year", ""), request.query_params.get("after", "")
        asked = parse_id(raw_year)
        year = asked if asked is not None and 2000 <= asked <= 2100 else clock.to_local(clock.now()).year
        page = await register_page(db, actor, year, parse_id(raw_after))
        context = {"section": "copies", "year": year, "rows": page.rows, "next_cursor": page.next_cursor,
                   "KIND_LABELS": KIND_LABELS}
        return render_page(request, "pages/copies/register.html", context,
                           blocks={"register-rows": "register_rows"})

    @get("/of/{source:str}/{doc_id:int}", name="copies.of")
    async def of(self, request: Request[Any, Any, Any], db: DB, actor: CurrentActor, source: FromPath[str],
                 doc_id: FromPath[int]) -> Response[str]:
        return await _of_page(request, db, actor, source, doc_id)

    @post("/of/{source:str}/{doc_id:int}", name="copies.create")
    async def create(self, request: Request[Any, Any, Any], db: DB, settings: AppSettings, actor: CurrentActor,
                     meta: Meta, source: FromPath[str], doc_id: FromPath[int],
                     data: URLEncodedBody[CopyForm]) -> Response[Any]:
        try:
            copy = await CopyService(db, settings, meta=meta).make(actor, source, doc_id, data)
        except InvalidInputError as exc:
            await db.rollback()
            values = {k: v for k, v in msgspec.structs.asdict(data).items() if k != "otp"}
            return await _of_page(request, db, actor, source, doc_id, errors=exc.field_errors or {"form": exc.message},
                                  values=values, status_code=422)
        flash(request, t("copies.flash.made", form=KIND_LABELS[copy.kind.value].lower(), symbol=copy.symbol))
        route = "incoming.detail" if copy.incoming_id else "outgoing.detail"
        return Redirect(request.app.route_reverse(route, doc_id=doc_id), status_code=303)

    @get("/{copy_id:int}/file", name="copies.file")
    async def file(self, db: DB, settings: AppSettings, actor: CurrentActor, copy_id: FromPath[int]) -> File:
        copy = await db.scalar(visible_copies(actor).where(DocumentCopy.id == copy_id))
        stored = await db.get(StoredFile, copy.file_id) if copy is not None else None
        if stored is None:
            raise NotFoundError()
        return await pdf_file(settings, stored)


