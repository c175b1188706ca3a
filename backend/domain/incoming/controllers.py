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

from backend.config.settings import Settings
from backend.db.models import IncomingDocument
from backend.domain.accounts.actor import Actor
from backend.domain.documents.errors import ConfidentialDocumentError, DuplicateDocumentError, IntakeRejectedError
from backend.domain.documents.files import AcceptedFile, discard_unused
from backend.domain.incoming import _web
from backend.domain.incoming._assign import plan_from_form
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
from backend.errors import InvalidInputError, PermissionDeniedError
from backend.lib.i18n import t
from backend.lib.sessions import flash
from backend.lib.templates import is_fragment_request, render_page
from backend.server.deps import DB, AppSettings, CurrentActor, Meta

__all__ = ["IncomingController"]

_DETAIL = "pages/incoming/detail.html"
_NEW = "pages/incoming/new.html"
_LIST_BLOCKS = {"document-list": "document_list"}
_DETAIL_BLOCKS = {"document-panel": "document_panel"}


def _version(raw: str) -> int | None:
    return int(raw) if raw.strip().isdigit() else None


async def _intake_page(request: Request[Any, Any, Any], db: AsyncSession, actor: Actor, values: dict[str, Any],
                       errors: dict[str, str], *, kept: AcceptedFile | None = None, message: str | None = None,
                       duplicates: list[IncomingDocument] | None = None, status_code: int = 200) -> Response[str]:
    context = {
        "section": "incoming", "values": values, "errors": errors, "kept": kept, "message": message,
        "duplicates": duplicates or [], "options": await _web.intake_options(db, actor),
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
        decision = can_intake(actor)
        if not decision:
            raise PermissionDeniedError(t(decision.reason))
        return await _intake_page(request, db, actor, dict(_BLANK_INTAKE), {})

    @post("/new", name="incoming.create")
    async def create(self, request: Request[Any, Any, Any], db: DB, settings: AppSettings, actor: CurrentActor,
                     meta: Meta, data: Annotated[IntakeForm, Body(media_type=RequestEncodingType.MULTI_PART)]
                     ) -> Response[Any]:
        values = {k: v for k, v in msgspec.structs.asdict(data).items() if k != "file"}
        pending = _web.pending_file(request, settings, data.pending_file)
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
            return await _intake_page(request, db, actor, values, {}, kept=exc.kept_file, message=exc.message,
                                      duplicates=duplicates, status_code=409)
        _web.clear_pending(request)
        key = "incoming.flash.registered" if doc.arrival_number else "incoming.flash.received"
        flash(request, t(key, number=doc.arrival_number or ""))
        return _web.see_other(request, "incoming.detail", doc_id=doc.id)

    @get("/{doc_id:int}", name="incoming.detail")
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
        return _web.see_other(request, "incoming.detail", doc_id=doc_id)

    @staticmethod
    async def _invalid(request: Request[Any, Any, Any], db: AsyncSession, settings: Settings, actor: Actor,
                       doc_id: int, exc: InvalidInputError, values: dict[str, Any]) -> Response[str]:
        await db.rollback()
        errors = exc.field_errors or {"form": exc.message}
        context = await _web.build_detail_context(request, db, settings, actor, doc_id, errors=errors, values=values)
        return render_page(request, _DETAIL, context, blocks=_DETAIL_BLOCKS, default_block="document_panel",
                           status_code=422)

    @post("/{doc_id:int}/transition", name="incoming.transition")
    async def transition(self, request: Request[Any, Any, Any], db: DB, settings: AppSettings, actor: CurrentActor,
                         meta: Meta, doc_id: FromPath[int], data: URLEncodedBody[TransitionForm]) -> Response[Any]:
        try:
            await _web.service_for(request, db, settings, meta).apply(
                doc_id, data.event, actor, reason=data.reason, reply_reference=data.reply_reference,
                expected_version=_version(data.version))
        except InvalidInputError as exc:
            return await self._invalid(request, db, settings, actor, doc_id, exc,
                                       {"event": data.event, "reason": data.reason})
        return await self._done(request, db, settings, actor, doc_id, t(f"incoming.flash.{data.event}"))

    @post("/{doc_id:int}/assign", name="incoming.assign")
    async def assign(self, request: Request[Any, Any, Any], db: DB, settings: AppSettings, actor: CurrentActor,
                     meta: Meta, doc_id: FromPath[int], data: URLEncodedBody[AssignForm]) -> Response[Any]:
        try:
            plan = plan_from_form(data)
            await _web.service_for(request, db, settings, meta).apply(
                doc_id, data.event, actor, reason=data.reason, plan=plan, expected_version=_version(data.version))
        except InvalidInputError as exc:
            return await self._invalid(request, db, settings, actor, doc_id, exc, msgspec.structs.asdict(data))
        return await self._done(request, db, settings, actor, doc_id, t(f"incoming.flash.{data.event}"))

    @post("/{doc_id:int}/delegate", name="incoming.delegate")
    async def delegate(self, request: Request[Any, Any, Any], db: DB, settings: AppSettings, actor: CurrentActor,
                       meta: Meta, doc_id: FromPath[int], data: URLEncodedBody[DelegateForm]) -> Response[Any]:
        try:
            await _web.service_for(request, db, settings, meta).delegate(doc_id, actor, data)
        except InvalidInputError as exc:
            return await self._invalid(request, db, settings, actor, doc_id, exc, msgspec.structs.asdict(data))
        return await self._done(request, db, settings, actor, doc_id, t("incoming.flash.delegated"))

    @post("/{doc_id:int}/notes", name="incoming.note")
    async def note(self, request: Request[Any, Any, Any], db: DB, settings: AppSettings, actor: CurrentActor,
                   meta: Meta, doc_id: FromPath[int], data: URLEncodedBody[NoteForm]) -> Response[Any]:
        try:
            await _web.service_for(request, db, settings, meta).add_note(doc_id, actor, data)
        except InvalidInputError as exc:
            return await self._invalid(request, db, settings, actor, doc_id, exc, msgspec.structs.asdict(data))
        return await self._done(request, db, settings, actor, doc_id, t(f"incoming.flash.{data.kind}"
                                                                          if data.kind == "proposal"
                                                                          else "incoming.flash.note"))

    @post("/{doc_id:int}/classify", name="incoming.classify")
    async def classify(self, request: Request[Any, Any, Any], db: DB, settings: AppSettings, actor: CurrentActor,
                       meta: Meta, doc_id: FromPath[int], data: URLEncodedBody[ClassifyForm]) -> Response[Any]:
        try:
            await _web.service_for(request, db, settings, meta).classify(doc_id, actor, data)
        except InvalidInputError as exc:
            return await self._invalid(request, db, settings, actor, doc_id, exc, msgspec.structs.asdict(data))
        return await self._done(request, db, settings, actor, doc_id, t("incoming.flash.classified"))

    @post("/{doc_id:int}/reply", name="incoming.reply_link")
    async def reply_link(self, request: Request[Any, Any, Any], db: DB, settings: AppSettings, actor: CurrentActor,
                         meta: Meta, doc_id: FromPath[int], data: URLEncodedBody[ReplyLinkForm]) -> Response[Any]:
        try:
            await _web.service_for(request, db, settings, meta).link_reply(doc_id, actor, data.reply_reference)
        except InvalidInputError as exc:
            return await self._invalid(request, db, settings, actor, doc_id, exc, msgspec.structs.asdict(data))
        return await self._done(request, db, settings, actor, doc_id, t("incoming.flash.reply_linked"))
