"""HTML pages of outgoing documents: the list, the draft form, the document page and its actions.

Handlers are thin: parse the form, call one service method, then 303 to the document page with a
flash message (no-JS), or -- for htmx requests -- re-render the ``document_panel`` block from fresh
state with ``HX-Trigger: counts-changed`` (and the page images out of band, since what may be done
on them depends on the state). Validation problems (including a refused signature: wrong or reused
OTP) re-render the page with the message and change nothing (422). Signing several documents at
once from the list works the same way on the list's ``document_list`` block: a refused batch
re-renders the batch form with the message next to the OTP field and the ticked documents kept.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, URLEncodedBody
from sqlalchemy.ext.asyncio import AsyncSession

from backend.config.settings import Settings
from backend.db.engine import end_reads
from backend.domain.accounts.deps import CurrentActor
from backend.domain.audit.deps import Meta
from backend.domain.documents.files import AcceptedFile, RequestUploads
from backend.domain.documents.web import DocumentPage, form_version, require, see_other
from backend.domain.outgoing import _web
from backend.domain.outgoing.policies import can_create
from backend.domain.outgoing.schemas import (
    BatchSignForm,
    DraftForm,
    PaperForm,
    TransitionForm,
    UploadForm,
    as_list,
    tap_from_form,
)
from backend.domain.outgoing.workflow import route_opt
from backend.errors import InvalidInputError
from backend.lib.bounds import parse_id
from backend.lib.deps import DB, AppSettings
from backend.lib.i18n import t
from backend.lib.sessions import flash
from backend.lib.templates import is_fragment_request, render_page

__all__ = ["OutgoingController"]

_NEW = "pages/outgoing/new.html"
_LIST = "pages/outgoing/list.html"
_LIST_BLOCKS = {"document-list": "document_list"}
_PAGE = DocumentPage("pages/outgoing/detail.html", "outgoing.detail", _web.build_detail_context,
                     extra={"refresh_pages": True})


async def _accept(uploads: RequestUploads, upload: UploadFile | None) -> AcceptedFile | None:
    if not isinstance(upload, UploadFile) or not upload.filename:
        return None
    return await uploads.accept(upload, signable=True)


class OutgoingController(Controller):
    """``/outgoing``: the list, drafting and the document page."""

    path = "/outgoing"

    @get("/", name="outgoing.list")
    async def list_page(self, request: Request[Any, Any, Any], db: DB, actor: CurrentActor) -> Response[str]:
        context = await _web.build_list_context(request, db, actor)
        return render_page(request, _LIST, context, blocks=_LIST_BLOCKS)

    @get("/new", name="outgoing.new")
    async def new(self, request: Request[Any, Any, Any], db: DB, actor: CurrentActor) -> Response[str]:
        """The draft form; ``q`` searches the recipient picker (htmx gets the ``recipient_choices`` block back)."""
        require(can_create(actor))
        params = request.query_params
        values: dict[str, Any] = {"urgency": "normal", "signing_authority": "TM.", "q": params.get("q", ""),
                                  "recipient_agencies": params.getall("recipient_agencies", []),
                                  "recipient_axis": params.getall("recipient_axis", [])}
        return render_page(request, _NEW, await _web.build_new_context(db, actor, values, {}),
                           blocks={"recipient-choices": "recipient_choices"})

    @post("/new", name="outgoing.create")
    async def create(self, request: Request[Any, Any, Any], db: DB, settings: AppSettings, actor: CurrentActor,
                     meta: Meta, data: Annotated[DraftForm, Body(media_type=RequestEncodingType.MULTI_PART)]
                     ) -> Response[Any]:
        values = {k: v for k, v in msgspec.structs.asdict(data).items() if k not in ("file", "appendix")}
        require(can_create(actor))  # before the files are stored or parsed
        try:
            async with RequestUploads(db, settings) as uploads:  # nothing kept unless the draft is created
                main = await _accept(uploads, data.file)
                appendix = await _accept(uploads, data.appendix)
                doc = await _web.service_for(request, db, settings, meta).create(actor, data, main, appendix)
        except InvalidInputError as exc:
            await db.rollback()
            context = await _web.build_new_context(db, actor, values, exc.field_errors or {"form": exc.message})
            return render_page(request, _NEW, context, status_code=422)
        flash(request, t("outgoing.flash.created"))
        return see_other(request, "outgoing.detail", doc_id=doc.id)

    @get("/{doc_id:int}", name="outgoing.detail")
    async def detail(self, request: Request[Any, Any, Any], db: DB, settings: AppSettings, actor: CurrentActor,
                     meta: Meta, doc_id: FromPath[int]) -> Response[str]:
        return await _PAGE.show(request, db, settings, actor, doc_id, meta)

    @post("/{doc_id:int}/transition", name="outgoing.transition", opt=route_opt())
    async def transition(self, request: Request[Any, Any, Any], db: DB, settings: AppSettings, actor: CurrentActor,
                         meta: Meta, doc_id: FromPath[int], data: URLEncodedBody[TransitionForm]) -> Response[Any]:
        service = _web.service_for(request, db, settings, meta)
        return await _PAGE.run(
            request, db, settings, actor, doc_id,
            lambda: service.apply(doc_id, data.event, actor, reason=data.reason, otp=data.otp,
                                  expected_version=form_version(data.version)),
            f"outgoing.flash.{data.event}", {"event": data.event, "reason": data.reason})

    @post("/{doc_id:int}/files", name="outgoing.upload")
    async def upload(self, request: Request[Any, Any, Any], db: DB, settings: AppSettings, actor: CurrentActor,
                     meta: Meta, doc_id: FromPath[int],
                     data: Annotated[UploadForm, Body(media_type=RequestEncodingType.MULTI_PART)]) -> Response[Any]:
        kind = "appendix" if data.kind == "appendix" else "version"

        async def upload_file() -> None:
            service = _web.service_for(request, db, settings, meta)
            await service.authorize_upload(doc_id, actor, kind)  # before the file is stored or parsed
            await end_reads(db)  # no lock is held while the upload is read and checked
            async with RequestUploads(db, settings) as uploads:  # nothing kept unless the version is added
                accepted = await _accept(uploads, data.file)
                if accepted is None:
                    raise InvalidInputError(field_errors={"file": t("doc.file.missing")})
                await service.upload(doc_id, actor, accepted, kind=kind, note=data.note, title=data.title)

        return await _PAGE.run(request, db, settings, actor, doc_id, upload_file, f"outgoing.flash.{kind}",
                               {"note": data.note})

    @post("/{doc_id:int}/place", name="outgoing.place")
    async def place(self, request: Request[Any, Any, Any], db: DB, settings: AppSettings, actor: CurrentActor,
                    meta: Meta, doc_id: FromPath[int]) -> Response[Any]:
        """A tap on a page image in placement mode: ``<input type=image name="p<page>">`` sends
        ``p<page>.x``/``.y`` in pixels of the image drawn ``w`` px wide (works without JS); scripts may
        send ``page``/``x``/``y`` fractions. Malformed numbers are a 422 with the page, never a 500."""
        form = await request.form()
        service = _web.service_for(request, db, settings, meta)

        async def tap() -> None:
            await service.tap(doc_id, actor, tap_from_form(form))

        return await self._placed(request, db, settings, actor, doc_id, tap, "outgoing.flash.placed")

    @post("/{doc_id:int}/place/undo", name="outgoing.place_undo")
    async def place_undo(self, request: Request[Any, Any, Any], db: DB, settings: AppSettings, actor: CurrentActor,
                         meta: Meta, doc_id: FromPath[int]) -> Response[Any]:
        """"Hoàn tác": the layout from before the last tap."""
        service = _web.service_for(request, db, settings, meta)
        return await self._placed(request, db, settings, actor, doc_id, lambda: service.undo_tap(doc_id, actor),
                                  "outgoing.flash.place_undone")

    @staticmethod
    async def _placed(request: Request[Any, Any, Any], db: AsyncSession, settings: Settings, actor: CurrentActor,
                      doc_id: int, action: Callable[[], Awaitable[object]], flash_key: str) -> Response[Any]:
        """After a placement action: back to the page, still in placement mode, to see the box moved."""
        try:
            await action()
        except InvalidInputError as exc:
            return await _PAGE.invalid(request, db, settings, actor, doc_id, exc, {})
        flash(request, t(flash_key))
        location = request.app.route_reverse("outgoing.detail", doc_id=doc_id)
        return Response(b"", status_code=303, headers={"Location": f"{location}?{_web.PLACE_MODE}#document-pages"})

    @post("/{doc_id:int}/paper", name="outgoing.paper")
    async def paper(self, request: Request[Any, Any, Any], db: DB, settings: AppSettings, actor: CurrentActor,
                    meta: Meta, doc_id: FromPath[int], data: URLEncodedBody[PaperForm]) -> Response[Any]:
        await _web.service_for(request, db, settings, meta).record_paper(doc_id, actor, data.note)
        return await _PAGE.done(request, db, settings, actor, doc_id, t("outgoing.flash.paper_sent"))

    @post("/sign-batch", name="outgoing.sign_batch", opt=route_opt("sign"))
    async def sign_batch(self, request: Request[Any, Any, Any], db: DB, settings: AppSettings, actor: CurrentActor,
                         meta: Meta, data: URLEncodedBody[BatchSignForm]) -> Response[Any]:
        """Several documents, one OTP. A refusal (no document ticked, wrong or reused OTP) signs nothing and
        answers 422 with the "to sign" list and its batch form: the message by the OTP field, the ticks kept."""
        ids = [n for v in as_list(data.doc_id) if (n := parse_id(v))]
        try:
            if not ids:
                raise InvalidInputError(field_errors={"doc_id": t("outgoing.batch.none_picked")})
            docs = await _web.service_for(request, db, settings, meta).apply(ids, "sign", actor, otp=data.otp)
        except InvalidInputError as exc:
            await db.rollback()
            context = await _web.build_list_context(request, db, actor, tab="to_sign", picked=ids,
                                                    errors=exc.field_errors or {"form": exc.message})
            return render_page(request, _LIST, context, blocks=_LIST_BLOCKS, default_block="document_list",
                               status_code=422)
        message = t("outgoing.flash.signed_batch", count=len(docs))
        if is_fragment_request(request):
            context = await _web.build_list_context(request, db, actor, tab="to_sign")
            context["oob_flash"] = message
            return render_page(request, _LIST, context, blocks=_LIST_BLOCKS, default_block="document_list",
                               headers={"HX-Trigger": "counts-changed"})
        flash(request, message)
        return see_other(request, "outgoing.list")
