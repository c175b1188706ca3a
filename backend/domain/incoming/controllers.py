"""HTML pages of incoming documents: inboxes, intake, the document page and its actions.

Handlers are thin: parse the form, call one service method, then 303 to the document page with a
flash message (no-JS), or — for htmx requests — re-render the ``document_panel`` block from fresh
state with ``HX-Trigger: counts-changed``. Validation problems re-render the full page (422/409)
keeping everything typed. Files, registers and slips are in :mod:`._controllers_files`.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, URLEncodedBody
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.models import IncomingDocument
from backend.domain.accounts.actor import Actor
from backend.domain.accounts.deps import CurrentActor
from backend.domain.audit.deps import Meta
from backend.domain.documents.errors import ConfidentialDocumentError, DuplicateDocumentError, IntakeRejectedError
from backend.domain.documents.files import AcceptedFile, discard_unused
from backend.domain.documents.web import DocumentPage, form_version, require
from backend.domain.incoming import _web
from backend.domain.incoming._assign import plan_from_form
from backend.domain.incoming._intake import own_recent
from backend.domain.incoming.policies import can_intake, visible_incoming
from backend.domain.incoming.schemas import (
    AssignForm,
    ClassifyForm,
    DelegateForm,
    IntakeForm,
    NoteForm,
    ReplyLinkForm,
    TransitionForm,
)
from backend.lib import clock
from backend.lib.deps import DB, AppSettings
from backend.lib.i18n import t
from backend.lib.sessions import flash
from backend.lib.templates import render_page

__all__ = ["IncomingController"]

_NEW = "pages/incoming/new.html"
_LIST_BLOCKS = {"document-list": "document_list"}
_PAGE = DocumentPage("pages/incoming/detail.html", "incoming.detail", _web.build_detail_context)


async def _intake_page(request: Request[Any, Any, Any], db: AsyncSession, actor: Actor, values: dict[str, Any],
                       errors: dict[str, str], *, kept: AcceptedFile | None = None, message: str | None = None,
                       duplicates: list[IncomingDocument] | None = None, own_duplicates: list[int] | None = None,
                       status_code: int = 200) -> Response[str]:
    context = {
        "section": "incoming", "values": values, "errors": errors, "kept": kept, "message": message,
        "duplicates": duplicates or [], "own_duplicates": own_duplicates or [],
        "options": await _web.intake_options(db, actor),
    }
    return render_page(request, _NEW, context, status_code=status_code)


_BLANK_INTAKE = {k: v for k, v in msgspec.structs.asdict(IntakeForm()).items() if k != "file"}


class IncomingController(Controller):
    """``/incoming``: the inboxes, intake and the document page."""

    path = "/incoming"

    @get("/", name="incoming.list")
    async def list_page(self, request: Request[Any, Any, Any], db: DB, settings: AppSettings,
                        actor: CurrentActor) -> Response[str]:
        context = await _web.build_list_context(request, db, settings, actor)
        return render_page(request, "pages/incoming/list.html", context, blocks=_LIST_BLOCKS)

    @get("/new", name="incoming.new")
    async def new(self, request: Request[Any, Any, Any], db: DB, actor: CurrentActor) -> Response[str]:
        require(can_intake(actor))
        return await _intake_page(request, db, actor, dict(_BLANK_INTAKE), {})

    @post("/new", name="incoming.create")
    async def create(self, request: Request[Any, Any, Any], db: DB, settings: AppSettings, actor: CurrentActor,
                     meta: Meta, data: Annotated[IntakeForm, Body(media_type=RequestEncodingType.MULTI_PART)]
                     ) -> Response[Any]:
        values = {k: v for k, v in msgspec.structs.asdict(data).items() if k != "file"}
        pending = await _web.pending_file(request, settings, data.pending_file)
        try:
            doc = await _web.service_for(request, db, settings, meta).intake(actor, data, pending)
        except ConfidentialDocumentError as exc:
            await db.rollback()
            if pending is not None:
                await discard_unused(db, settings, pending.sha256)
            _web.clear_pending(request)
            return await _intake_page(request, db, actor, dict(_BLANK_INTAKE), {"confidentiality": exc.message},
                                      message=exc.message, status_code=422)
        except IntakeRejectedError as exc:
            await db.rollback()
            _web.remember_pending(request, exc.kept_file)
            return await _intake_page(request, db, actor, values, exc.field_errors, kept=exc.kept_file,
                                      status_code=422)
        except DuplicateDocumentError as exc:
            await db.rollback()
            _web.remember_pending(request, exc.kept_file)
            duplicates = list((await db.scalars(visible_incoming(actor).where(
                IncomingDocument.id.in_(exc.duplicate_ids)).order_by(IncomingDocument.id))).all())
            mine = own_recent(duplicates, actor.user_id, clock.now())
            return await _intake_page(request, db, actor, values, {}, kept=exc.kept_file, message=exc.message,
                                      duplicates=duplicates, own_duplicates=mine, status_code=409)
        _web.clear_pending(request)
        key = "incoming.flash.registered" if doc.arrival_number else "incoming.flash.received"
        flash(request, t(key, number=doc.arrival_number or ""))
        return _web.see_other(request, "incoming.detail", doc_id=doc.id)

    @get("/{doc_id:int}", name="incoming.detail")
    async def detail(self, request: Request[Any, Any, Any], db: DB, settings: AppSettings, actor: CurrentActor,
                     meta: Meta, doc_id: FromPath[int]) -> Response[str]:
        return await _PAGE.show(request, db, settings, actor, doc_id, meta)

    @post("/{doc_id:int}/transition", name="incoming.transition")
    async def transition(self, request: Request[Any, Any, Any], db: DB, settings: AppSettings, actor: CurrentActor,
                         meta: Meta, doc_id: FromPath[int], data: URLEncodedBody[TransitionForm]) -> Response[Any]:
        service = _web.service_for(request, db, settings, meta)
        return await _PAGE.run(
            request, db, settings, actor, doc_id,
            lambda: service.apply(doc_id, data.event, actor, reason=data.reason,
                                  reply_reference=data.reply_reference, expected_version=form_version(data.version)),
            f"incoming.flash.{data.event}", {"event": data.event, "reason": data.reason})

    @post("/{doc_id:int}/assign", name="incoming.assign")
    async def assign(self, request: Request[Any, Any, Any], db: DB, settings: AppSettings, actor: CurrentActor,
                     meta: Meta, doc_id: FromPath[int], data: URLEncodedBody[AssignForm]) -> Response[Any]:
        service = _web.service_for(request, db, settings, meta)
        return await _PAGE.run(
            request, db, settings, actor, doc_id,
            lambda: service.apply(doc_id, data.event, actor, reason=data.reason, plan=plan_from_form(data),
                                  expected_version=form_version(data.version)),
            f"incoming.flash.{data.event}", msgspec.structs.asdict(data))

    @post("/{doc_id:int}/delegate", name="incoming.delegate")
    async def delegate(self, request: Request[Any, Any, Any], db: DB, settings: AppSettings, actor: CurrentActor,
                       meta: Meta, doc_id: FromPath[int], data: URLEncodedBody[DelegateForm]) -> Response[Any]:
        service = _web.service_for(request, db, settings, meta)
        return await _PAGE.run(request, db, settings, actor, doc_id, lambda: service.delegate(doc_id, actor, data),
                               "incoming.flash.delegated", msgspec.structs.asdict(data))

    @post("/{doc_id:int}/notes", name="incoming.note")
    async def note(self, request: Request[Any, Any, Any], db: DB, settings: AppSettings, actor: CurrentActor,
                   meta: Meta, doc_id: FromPath[int], data: URLEncodedBody[NoteForm]) -> Response[Any]:
        service = _web.service_for(request, db, settings, meta)
        return await _PAGE.run(request, db, settings, actor, doc_id, lambda: service.add_note(doc_id, actor, data),
                               "incoming.flash.proposal" if data.kind == "proposal" else "incoming.flash.note",
                               msgspec.structs.asdict(data))

    @post("/{doc_id:int}/classify", name="incoming.classify")
    async def classify(self, request: Request[Any, Any, Any], db: DB, settings: AppSettings, actor: CurrentActor,
                       meta: Meta, doc_id: FromPath[int], data: URLEncodedBody[ClassifyForm]) -> Response[Any]:
        service = _web.service_for(request, db, settings, meta)
        return await _PAGE.run(request, db, settings, actor, doc_id, lambda: service.classify(doc_id, actor, data),
                               "incoming.flash.classified", msgspec.structs.asdict(data))

    @post("/{doc_id:int}/reply", name="incoming.reply_link")
    async def reply_link(self, request: Request[Any, Any, Any], db: DB, settings: AppSettings, actor: CurrentActor,
                         meta: Meta, doc_id: FromPath[int], data: URLEncodedBody[ReplyLinkForm]) -> Response[Any]:
        service = _web.service_for(request, db, settings, meta)
        return await _PAGE.run(request, db, settings, actor, doc_id,
                               lambda: service.link_reply(doc_id, actor, data.reply_reference),
                               "incoming.flash.reply_linked", msgspec.structs.asdict(data))
