"""JSON API ``/api/v1/outgoing``: list, get, create, transitions (with OTP) and batch signing.

A draft may declare the issued document of the same agency it amends or replaces (multipart fields
``replaces_id`` and ``replace_kind`` = ``amend`` | ``replace``); the detail shows both directions
(``replaces_id``/``replace_kind`` and ``replaced_by_id``/``replaced_at``) and ``archived_at``.

The same services, policies and scoping as the pages: a document outside the actor's scope is
404, a denied action 403, an illegal transition 409, invalid input or a refused signature 422 --
all as ``application/problem+json`` with a stable ``code`` (a refused signature also carries
``reason_code``, e.g. ``SIGN_OTP_INVALID`` / ``SIGN_OTP_REUSED``). Authentication is the session
cookie of the web login; POSTs need the ``X-CSRFToken`` header from ``GET /api/v1/session``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from backend.domain.accounts.actor import Actor
from backend.domain.accounts.deps import CurrentActor
from backend.domain.audit.deps import Meta
from backend.domain.documents.files import RequestUploads
from backend.domain.documents.reference import urgency_label
from backend.domain.documents.web import require
from backend.domain.outgoing import _web
from backend.domain.outgoing.errors import SignatureRefusedError
from backend.domain.outgoing.policies import can_create
from backend.domain.outgoing.queries import (
    TABS,
    DocumentView,
    default_tab,
    list_documents,
    load_view,
    tab_query,
    tabs_for,
)
from backend.domain.outgoing.schemas import ApiBatchSignRequest, ApiTransitionRequest, DraftForm
from backend.domain.outgoing.workflow import TABLE, route_opt
from backend.errors import AppError, InvalidInputError
from backend.lib.deps import DB, AppSettings
from backend.lib.int_bounds import PathId

__all__ = ["OutgoingApiController"]


class ApiAction(msgspec.Struct):
    event: str
    label: str
    needs_reason: bool
    needs_otp: bool


class ApiRecipient(msgspec.Struct):
    id: int
    kind: str
    name: str
    status: str
    status_at: datetime | None
    status_note: str
    incoming_id: int | None
    recall_confirmed_at: datetime | None


class ApiVersion(msgspec.Struct):
    ordinal: int
    kind: str
    sha256: str
    created_at: datetime
    note: str


class ApiOutgoing(msgspec.Struct):
    id: int
    state: str
    state_label: str
    urgency: str
    urgency_label: str
    document_type_id: int
    summary: str
    code_number: str
    code_notation: str
    issued_on: date | None
    signer_name: str
    version: int


class ApiOutgoingDetail(ApiOutgoing, kw_only=True):
    signing_authority: str
    signer_position: str
    document_identifier: str | None
    page_count: int
    file_sha256: str
    file_url: str
    reply_to_incoming_id: int | None
    paper_copy_required: bool
    recall_reason: str
    archived_at: datetime | None
    replaces_id: int | None
    replace_kind: str | None
    replaced_by_id: int | None
    replaced_at: datetime | None
    versions: list[ApiVersion]
    recipients: list[ApiRecipient]
    actions: list[ApiAction]


class ApiOutgoingList(msgspec.Struct):
    tab: str
    items: list[ApiOutgoing]


def _summary(doc: Any) -> dict[str, Any]:
    return {"id": doc.id, "state": str(doc.state), "state_label": TABLE.label(doc.state),
            "urgency": str(doc.urgency), "urgency_label": urgency_label(doc.urgency),
            "document_type_id": doc.document_type_id, "summary": doc.summary, "code_number": doc.code_number,
            "code_notation": doc.code_notation, "issued_on": doc.issued_on, "signer_name": doc.signer_name,
            "version": doc.version}


def _detail(request: Request[Any, Any, Any], view: DocumentView, actor: Actor) -> ApiOutgoingDetail:
    doc = view.doc
    return ApiOutgoingDetail(
        **_summary(doc), signing_authority=doc.signing_authority, signer_position=doc.signer_position,
        document_identifier=doc.document_identifier, page_count=doc.page_count, file_sha256=view.file.sha256,
        file_url=request.app.route_reverse("outgoing.file", doc_id=doc.id),
        reply_to_incoming_id=doc.reply_to_incoming_id, paper_copy_required=doc.paper_copy_required,
        recall_reason=doc.recall_reason, archived_at=doc.archived_at, replaces_id=doc.replaces_id,
        replace_kind=str(doc.replace_kind) if doc.replace_kind else None, replaced_by_id=doc.replaced_by_id,
        replaced_at=doc.replaced_at,
        versions=[ApiVersion(v.ordinal, str(v.kind), view.files[v.file_id].sha256, v.created_at, v.note)
                  for v in view.versions],
        recipients=[ApiRecipient(r.id, str(r.kind), r.name, str(r.status), r.status_at, r.status_note, r.incoming_id,
                                 r.recall_confirmed_at) for r in view.recipients],
        actions=[ApiAction(t.event, t.label, t.needs_reason, t.needs_otp) for t in TABLE.available(actor, doc, None)],
    )


def _problem(exc: AppError, **extra: Any) -> Response[dict[str, Any]]:
    body = {"type": f"urn:congvan:error:{exc.code}", "title": exc.message, "status": exc.status_code,
            "code": exc.code, **extra}
    if isinstance(exc, SignatureRefusedError):
        body["reason_code"] = exc.reason_code
    return Response(body, status_code=exc.status_code, media_type="application/problem+json",
                    headers={"Cache-Control": "no-store"})


async def _fresh(request: Request[Any, Any, Any], db: AsyncSession, actor: Actor, doc_id: int) -> ApiOutgoingDetail:
    await db.flush()
    return _detail(request, await load_view(db, actor, doc_id), actor)


class OutgoingApiController(Controller):
    """``/api/v1/outgoing``: session cookie + ``X-CSRFToken`` header for POSTs."""

    path = "/api/v1/outgoing"
    tags = ["outgoing"]
    include_in_schema = True

    @get("/", name="api.outgoing.list", summary="Documents of one tab (drafts, to_review, to_sign, to_issue…)")
    async def list_outgoing(self, request: Request[Any, Any, Any], db: DB, actor: CurrentActor) -> ApiOutgoingList:
        tab = request.query_params.get("tab", "")
        tab = tab if tab in TABS and tab in tabs_for(actor) else ("all" if not tab else default_tab(actor))
        rows = await list_documents(db, tab_query(actor, tab, request.query_params.get("q", "")))
        return ApiOutgoingList(tab, [ApiOutgoing(**_summary(doc)) for doc, _name in rows])

    @get("/{doc_id:int}", name="api.outgoing.get", summary="A document with versions, recipients and actions")
    async def get_outgoing(self, request: Request[Any, Any, Any], db: DB, actor: CurrentActor,
                           doc_id: PathId) -> ApiOutgoingDetail:
        return _detail(request, await load_view(db, actor, doc_id), actor)

    @post("/", name="api.outgoing.create", status_code=201,
          summary="Create a draft: multipart with the PDF in `file` (optional `appendix`) and the metadata")
    async def create(self, request: Request[Any, Any, Any], db: DB, settings: AppSettings, actor: CurrentActor,
                     meta: Meta, data: Annotated[DraftForm, Body(media_type=RequestEncodingType.MULTI_PART)]
                     ) -> Response[Any]:
        require(can_create(actor))  # before the files are stored or parsed
        try:
            async with RequestUploads(db, settings) as uploads:  # nothing kept unless the draft is created
                main, appendix = [None if upload is None else await uploads.accept(upload, signable=True)
                                  for upload in (data.file, data.appendix)]
                doc = await _web.service_for(request, db, settings, meta).create(actor, data, main, appendix)
        except InvalidInputError as exc:
            await db.rollback()
            return _problem(exc, errors=exc.field_errors)
        return Response(await _fresh(request, db, actor, doc.id), status_code=201)

    @post("/{doc_id:int}/transitions", name="api.outgoing.transition", status_code=200, opt=route_opt(),
          summary="Apply a workflow event (submit, approve, format_ok, return, sign+otp, number, seal+otp, issue, "
                  "archive, recall)")
    async def transition(self, request: Request[Any, Any, Any], db: DB, settings: AppSettings, actor: CurrentActor,
                         meta: Meta, doc_id: PathId, data: JSONBody[ApiTransitionRequest]) -> Response[Any]:
        try:
            await _web.service_for(request, db, settings, meta).apply(
                doc_id, data.event, actor, reason=data.reason, otp=data.otp, expected_version=data.version)
        except InvalidInputError as exc:
            await db.rollback()
            return _problem(exc, errors=exc.field_errors)
        return Response(await _fresh(request, db, actor, doc_id))

    @post("/sign-batch", name="api.outgoing.sign_batch", status_code=200, opt=route_opt("sign"),
          summary="Sign several documents awaiting the caller's signature with one OTP")
    async def sign_batch(self, request: Request[Any, Any, Any], db: DB, settings: AppSettings, actor: CurrentActor,
                         meta: Meta, data: JSONBody[ApiBatchSignRequest]) -> Response[Any]:
        try:
            docs = await _web.service_for(request, db, settings, meta).apply(data.doc_ids, "sign", actor, otp=data.otp)
        except InvalidInputError as exc:
            await db.rollback()
            return _problem(exc, errors=exc.field_errors)
        await db.flush()
        return Response({"signed": [doc.id for doc in docs]})
