"""HTML pages of outgoing documents: the list, the draft form, the document page and its actions.

Handlers are thin: parse the form, call one service method, then 303 to the document page with a
flash message (no-JS), or -- for htmx requests -- re-render the ``document_panel`` block from fresh
state with ``HX-Trigger: counts-changed``. Validation problems (including a refused signature:
wrong or reused OTP) re-render the page with the message and change nothing (422).
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, URLEncodedBody
from sqlalchemy.ext.asyncio import AsyncSession

from backend.config.settings import Settings
from backend.domain.accounts.actor import Actor
from backend.domain.documents.files import AcceptedFile, accept_pdf_upload
from backend.domain.outgoing import _web
from backend.domain.outgoing.policies import can_create
from backend.domain.outgoing.schemas import BatchSignForm, DraftForm, PaperForm, TapForm, TransitionForm, UploadForm
from backend.errors import InvalidInputError, PermissionDeniedError
from backend.lib.i18n import t
from backend.lib.sessions import flash
from backend.lib.templates import is_fragment_request, render_page
from backend.server.deps import DB, AppSettings, CurrentActor, Meta

__all__ = ["OutgoingController"]

_DETAIL = "pages/outgoing/detail.html"
_NEW = "pages/outgoing/new.html"
_DETAIL_BLOCKS = {"document-panel": "document_panel"}
_LIST_BLOCKS = {"document-list": "document_list"}


def _version(raw: str) -> int | None:
    return int(raw) if raw.strip().isdigit() else None


async def _accept(db: AsyncSession, settings: Settings, upload: UploadFile | None) -> AcceptedFile | None:
    if not isinstance(upload, UploadFile) or not upload.filename:
        return None
    return await accept_pdf_upload(db, settings, upload)


class OutgoingController(Controller):
    """``/outgoing``: the list, drafting and the document page."""

    path = "/outgoing"

    @get("/", name="outgoing.list")
    async def list_page(self, request: Request[Any, Any, Any], db: DB, actor: CurrentActor) -> Response[str]:
        context = await _web.build_list_context(request, db, actor)
        return render_page(request, "pages/outgoing/list.html", context, blocks=_LIST_BLOCKS)

    @get("/new", name="outgoing.new")
    async def new(self, request: Request[Any, Any, Any], db: DB, actor: CurrentActor) -> Response[str]:
        decision = can_create(actor)
        if not decision:
            raise PermissionDeniedError(t(decision.reason))
        values = {"urgency": "normal", "signing_authority": "TM."}
        return render_page(request, _NEW, await _web.build_new_context(db, actor, values, {}))

    @post("/new", name="outgoing.create")
    async def create(self, request: Request[Any, Any, Any], db: DB, settings: AppSettings, actor: CurrentActor,
                     meta: Meta, data: Annotated[DraftForm, Body(media_type=RequestEncodingType.MULTI_PART)]
                     ) -> Response[Any]:
        values = {k: v for k, v in msgspec.structs.asdict(data).items() if k not in ("file", "appendix")}
        try:
            main = await _accept(db, settings, data.file)
            appendix = await _accept(db, settings, data.appendix)
            doc = await _web.service_for(request, db, settings, meta).create(actor, data, main, appendix)
        except InvalidInputError as exc:
            await db.rollback()
            context = await _web.build_new_context(db, actor, values, exc.field_errors or {"form": exc.message})
            return render_page(request, _NEW, context, status_code=422)
        flash(request, t("outgoing.flash.created"))
        return _web.see_other(request, "outgoing.detail", doc_id=doc.id)

    @get("/{doc_id:int}", name="outgoing.detail")
    async def detail(self, request: Request[Any, Any, Any], db: DB, settings: AppSettings, actor: CurrentActor,
                     doc_id: FromPath[int]) -> Response[str]:
        context = await _web.build_detail_context(request, db, settings, actor, doc_id)
        return render_page(request, _DETAIL, context, blocks=_DETAIL_BLOCKS)

    @staticmethod
    async def _done(request: Request[Any, Any, Any], db: AsyncSession, settings: Settings, actor: Actor,
                    doc_id: int, message: str) -> Response[Any]:
        """After a successful action: fragment + HX-Trigger for htmx, else flash and 303."""
        if is_fragment_request(request):
            await db.flush()
            context = await _web.build_detail_context(request, db, settings, actor, doc_id)
            context["oob_flash"] = message
            return render_page(request, _DETAIL, context, blocks=_DETAIL_BLOCKS, default_block="document_panel",
                               headers={"HX-Trigger": "counts-changed"})
        flash(request, message)
        return _web.see_other(request, "outgoing.detail", doc_id=doc_id)

    @staticmethod
    async def _invalid(request: Request[Any, Any, Any], db: AsyncSession, settings: Settings, actor: Actor,
                       doc_id: int, exc: InvalidInputError, values: dict[str, Any]) -> Response[str]:
        await db.rollback()
        errors = exc.field_errors or {"form": exc.message}
        context = await _web.build_detail_context(request, db, settings, actor, doc_id, errors=errors, values=values)
        return render_page(request, _DETAIL, context, blocks=_DETAIL_BLOCKS, default_block="document_panel",
                           status_code=422)

    @post("/{doc_id:int}/transition", name="outgoing.transition")
    async def transition(self, request: Request[Any, Any, Any], db: DB, settings: AppSettings, actor: CurrentActor,
                         meta: Meta, doc_id: FromPath[int], data: URLEncodedBody[TransitionForm]) -> Response[Any]:
        try:
            await _web.service_for(request, db, settings, meta).apply(
                doc_id, data.event, actor, reason=data.reason, otp=data.otp, expected_version=_version(data.version))
        except InvalidInputError as exc:
            return await self._invalid(request, db, settings, actor, doc_id, exc,
                                       {"event": data.event, "reason": data.reason})
        return await self._done(request, db, settings, actor, doc_id, t(f"outgoing.flash.{data.event}"))

    @post("/{doc_id:int}/files", name="outgoing.upload")
    async def upload(self, request: Request[Any, Any, Any], db: DB, settings: AppSettings, actor: CurrentActor,
                     meta: Meta, doc_id: FromPath[int],
                     data: Annotated[UploadForm, Body(media_type=RequestEncodingType.MULTI_PART)]) -> Response[Any]:
        kind = "appendix" if data.kind == "appendix" else "version"
        try:
            accepted = await _accept(db, settings, data.file)
            if accepted is None:
                raise InvalidInputError(field_errors={"file": t("doc.file.missing")})
            await _web.service_for(request, db, settings, meta).upload(doc_id, actor, accepted, kind=kind,
                                                                       note=data.note, title=data.title)
        except InvalidInputError as exc:
            return await self._invalid(request, db, settings, actor, doc_id, exc, {"note": data.note})
        return await self._done(request, db, settings, actor, doc_id, t(f"outgoing.flash.{kind}"))

    @post("/{doc_id:int}/place", name="outgoing.place")
    async def place(self, request: Request[Any, Any, Any], db: DB, settings: AppSettings, actor: CurrentActor,
                    meta: Meta, doc_id: FromPath[int]) -> Response[Any]:
        """A tap on a page image: ``<input type=image name="p<page>">`` sends ``p<page>.x``/``.y`` in
        pixels of the 360 px wide image (works without JS); scripts may send ``page``/``x``/``y`` fractions."""
        form = await request.form()
        what = str(form.get("what", "signature"))
        tap = TapForm(what=what, page=str(form.get("page", "1")), x=str(form.get("x", "")), y=str(form.get("y", "")))
        for key in form:
            if key.startswith("p") and key.endswith(".x") and key[1:-2].isdigit():
                page = key[1:-2]
                width = float(str(form.get("w", "360")) or 360)
                height = float(str(form.get(f"h{page}", str(width * 1.4142))) or width * 1.4142)
                tap = TapForm(what=what, page=page, x=str(float(str(form[key])) / width),
                              y=str(float(str(form.get(f"p{page}.y", "0"))) / height))
        try:
            await _web.service_for(request, db, settings, meta).tap(doc_id, actor, tap)
        except InvalidInputError as exc:
            return await self._invalid(request, db, settings, actor, doc_id, exc, {})
        return await self._done(request, db, settings, actor, doc_id, t("outgoing.flash.placed"))

    @post("/{doc_id:int}/paper", name="outgoing.paper")
    async def paper(self, request: Request[Any, Any, Any], db: DB, settings: AppSettings, actor: CurrentActor,
                    meta: Meta, doc_id: FromPath[int], data: URLEncodedBody[PaperForm]) -> Response[Any]:
        await _web.service_for(request, db, settings, meta).record_paper(doc_id, actor, data.note)
        return await self._done(request, db, settings, actor, doc_id, t("outgoing.flash.paper_sent"))

    @post("/sign-batch", name="outgoing.sign_batch")
    async def sign_batch(self, request: Request[Any, Any, Any], db: DB, settings: AppSettings, actor: CurrentActor,
                         meta: Meta, data: URLEncodedBody[BatchSignForm]) -> Response[Any]:
        ids = [int(v) for v in ([data.doc_id] if isinstance(data.doc_id, str) else data.doc_id) if v.isdigit()]
        try:
            docs = await _web.service_for(request, db, settings, meta).apply(ids, "sign", actor, otp=data.otp)
        except InvalidInputError as exc:
            await db.rollback()
            flash(request, exc.message)
            return _web.see_other(request, "outgoing.list")
        flash(request, t("outgoing.flash.signed_batch", count=len(docs)))
        return _web.see_other(request, "outgoing.list")
