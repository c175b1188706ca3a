"""JSON API ``/api/v1``: list, get, create/register, transition and assign incoming documents.

The same services, policies and scoping as the pages: a document outside the actor's scope is
404, a denied action 403, an illegal transition 409, invalid input 422 — all as
``application/problem+json`` with a stable ``code`` (and ``errors`` per field where relevant).
Authentication is the session cookie of the web login; unsafe methods need the CSRF token in the
``X-CSRFToken`` header, which ``GET /api/v1/session`` returns. The schema is at
``/schema/openapi.json``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, JSONBody
from litestar.utils.scope.state import ScopeState
from sqlalchemy.ext.asyncio import AsyncSession

from backend.domain.accounts.actor import Actor
from backend.domain.accounts.deps import CurrentActor
from backend.domain.audit.deps import Meta
from backend.domain.documents.errors import ConfidentialDocumentError, DuplicateDocumentError, IntakeRejectedError
from backend.domain.documents.reference import source_label, urgency_label
from backend.domain.exchange.receipts import ReceiptView, receipt_view
from backend.domain.incoming import _web
from backend.domain.incoming._assign import plan_from_api
from backend.domain.incoming.queries import (
    INBOXES,
    DocumentView,
    ListFilters,
    default_inbox,
    filtered_query,
    inboxes_for,
    list_documents,
    load_view,
)
from backend.domain.incoming.schemas import ApiAssignRequest, ApiTransitionRequest, IntakeForm
from backend.domain.incoming.workflow import TABLE
from backend.errors import AppError, InvalidInputError
from backend.lib import clock
from backend.lib.deps import DB, AppSettings
from backend.lib.int_bounds import PathId

__all__ = ["IncomingApiController"]


class ApiSession(msgspec.Struct):
    user_id: int
    username: str
    full_name: str
    agency_id: int
    roles: list[str]
    csrf_token: str


class ApiAssignment(msgspec.Struct):
    id: int
    parent_id: int | None
    role: str
    assignee_unit_id: int | None
    assignee_user_id: int | None
    assignee_name: str
    due_on: date | None
    status: str
    instruction: str
    proposal: str


class ApiAction(msgspec.Struct):
    event: str
    label: str
    needs_reason: bool
    reason_label: str


class ApiEvent(msgspec.Struct):
    at: datetime
    actor: str
    kind: str
    from_state: str | None
    to_state: str | None
    text: str


class ApiDocument(msgspec.Struct):
    id: int
    state: str
    state_label: str
    urgency: str
    urgency_label: str
    arrival_year: int | None
    arrival_number: int | None
    document_type_id: int
    code_number: str
    code_notation: str
    issuer_name: str
    issued_on: date
    summary: str
    source: str
    source_label: str
    received_at: datetime
    due_on: date | None
    reply_by_on: date | None
    classification: str
    version: int


class ApiSignatureCheck(msgspec.Struct):
    signer: str
    verdict: str
    message: str
    signed_at: str


class ApiAttachment(msgspec.Struct):
    """A separate-file appendix; ``verified_ok``/``checks`` are the signature check on receipt (``None``/[]: none)."""

    id: int
    position: int
    title: str
    filename: str
    page_count: int
    size: int
    sha256: str
    file_url: str
    verified_ok: bool | None
    checks: list[ApiSignatureCheck]


class ApiDocumentDetail(ApiDocument, kw_only=True):
    signer_position: str
    signer_name: str
    page_count: int
    file_sha256: str
    registered_at: datetime | None
    result: str
    reply_reference: str
    assignments: list[ApiAssignment]
    actions: list[ApiAction]
    history: list[ApiEvent]
    attachments: list[ApiAttachment]


class ApiList(msgspec.Struct):
    inbox: str
    items: list[ApiDocument]
    next_cursor: str | None


def _summary_fields(doc: Any) -> dict[str, Any]:
    return {
        "id": doc.id, "state": str(doc.state), "state_label": TABLE.label(doc.state),
        "urgency": str(doc.urgency), "urgency_label": urgency_label(doc.urgency),
        "arrival_year": doc.arrival_year, "arrival_number": doc.arrival_number,
        "document_type_id": doc.document_type_id, "code_number": doc.code_number,
        "code_notation": doc.code_notation, "issuer_name": doc.issuer_name, "issued_on": doc.issued_on,
        "summary": doc.summary, "source": str(doc.source), "source_label": source_label(doc.source),
        "received_at": doc.received_at, "due_on": doc.due_on, "reply_by_on": doc.reply_by_on,
        "classification": str(doc.classification), "version": doc.version,
    }


def _attachments(request: Request[Any, Any, Any], view: DocumentView, receipt: ReceiptView | None
                 ) -> list[ApiAttachment]:
    out = []
    for item in view.attachments:
        check = receipt.attachments.get(item.id) if receipt is not None else None
        out.append(ApiAttachment(
            item.id, item.position, item.title, item.file.filename, item.file.page_count, item.file.size,
            item.file.sha256, request.app.route_reverse("incoming.attachment_file", doc_id=view.doc.id,
                                                        attachment_id=item.id),
            check.ok if check is not None else None,
            [ApiSignatureCheck(str(c.get("signer", "")), str(c["verdict"]), str(c["message"]),
                               str(c.get("signed_at", ""))) for c in (check.checks if check is not None else [])]))
    return out


def _detail(request: Request[Any, Any, Any], view: DocumentView, actor: Actor, receipt: ReceiptView | None
            ) -> ApiDocumentDetail:
    doc = view.doc
    return ApiDocumentDetail(
        **_summary_fields(doc), signer_position=doc.signer_position, signer_name=doc.signer_name,
        page_count=doc.page_count, file_sha256=view.file.sha256, registered_at=doc.registered_at,
        result=doc.result, reply_reference=doc.reply_reference,
        assignments=[ApiAssignment(a.id, a.parent_id, str(a.role), a.assignee_unit_id, a.assignee_user_id,
                                   view.assignee_name(a), a.due_on, str(a.status), a.instruction, a.proposal)
                     for a in view.assignments],
        actions=[ApiAction(t.event, t.label, t.needs_reason, t.reason_label)
                 for t in TABLE.available(actor, doc, view.ctx)],
        history=[ApiEvent(e.at, e.actor_name, e.kind, e.from_state, e.to_state, e.text) for e in view.events],
        attachments=_attachments(request, view, receipt),
    )


def _problem(exc: AppError, **extra: Any) -> Response[dict[str, Any]]:
    body = {"type": f"urn:congvan:error:{exc.code}", "title": exc.message, "status": exc.status_code,
            "code": exc.code, **extra}
    return Response(body, status_code=exc.status_code, media_type="application/problem+json",
                    headers={"Cache-Control": "no-store"})


async def _load(request: Request[Any, Any, Any], db: AsyncSession, actor: Actor, doc_id: int) -> ApiDocumentDetail:
    view = await load_view(db, actor, doc_id)
    return _detail(request, view, actor, await receipt_view(db, doc_id) if view.attachments else None)


async def _fresh(request: Request[Any, Any, Any], db: AsyncSession, actor: Actor, doc_id: int) -> ApiDocumentDetail:
    await db.flush()
    return await _load(request, db, actor, doc_id)


class IncomingApiController(Controller):
    """``/api/v1``: session cookie + ``X-CSRFToken`` header for POSTs."""

    path = "/api/v1"
    tags = ["incoming"]
    include_in_schema = True

    @get("/session", name="api.session", summary="Who is logged in, and the CSRF token for POSTs")
    async def session(self, request: Request[Any, Any, Any], actor: CurrentActor) -> ApiSession:
        state = ScopeState.from_scope(request.scope)
        csrf = getattr(state, "csrf_token", None)
        token = csrf if isinstance(csrf, str) else ""
        return ApiSession(actor.user_id, actor.username, actor.full_name, actor.agency_id,
                          sorted(str(r) for r in actor.roles), token)

    @get("/incoming", name="api.incoming.list", summary="One page of an inbox (urgent first, keyset cursor)")
    async def list_incoming(self, request: Request[Any, Any, Any], db: DB, actor: CurrentActor) -> ApiList:
        params = {key: request.query_params.get(key, "") for key in request.query_params}
        inbox = params.get("inbox", "")
        if inbox not in INBOXES or inbox not in inboxes_for(actor):
            inbox = "all" if not inbox else default_inbox(actor)
        today = clock.to_local(clock.now()).date()
        page = await list_documents(db, filtered_query(actor, inbox, ListFilters.from_query(params), today),
                                    cursor=params.get("cursor", ""))
        return ApiList(inbox, [ApiDocument(**_summary_fields(doc)) for doc, _name in page.rows], page.next_cursor)

    @get("/incoming/{doc_id:int}", name="api.incoming.get",
         summary="A document with assignments, actions, history and appendices (with their signature check)")
    async def get_incoming(self, request: Request[Any, Any, Any], db: DB, actor: CurrentActor,
                           doc_id: PathId) -> ApiDocumentDetail:
        return await _load(request, db, actor, doc_id)

    @post("/incoming", name="api.incoming.create", status_code=201,
          summary="Receive (and by default register) a document: multipart with the PDF in `file`")
    async def create(self, request: Request[Any, Any, Any], db: DB, settings: AppSettings, actor: CurrentActor,
                     meta: Meta, data: Annotated[IntakeForm, Body(media_type=RequestEncodingType.MULTI_PART)]
                     ) -> Response[Any]:
        try:
            doc = await _web.service_for(request, db, settings, meta).intake(actor, data)
        except ConfidentialDocumentError as exc:
            await db.rollback()
            return _problem(exc)
        except IntakeRejectedError as exc:
            await db.rollback()
            return _problem(exc, errors=exc.field_errors)
        except DuplicateDocumentError as exc:
            await db.rollback()
            return _problem(exc, duplicate_ids=exc.duplicate_ids)
        return Response(await _fresh(request, db, actor, doc.id), status_code=201)

    @post("/incoming/{doc_id:int}/transitions", name="api.incoming.transition", status_code=200,
          summary="Apply a workflow event (register, submit, start, complete, return_to_sender…)")
    async def transition(self, request: Request[Any, Any, Any], db: DB, settings: AppSettings, actor: CurrentActor,
                         meta: Meta, doc_id: PathId, data: JSONBody[ApiTransitionRequest]) -> Response[Any]:
        try:
            await _web.service_for(request, db, settings, meta).apply(
                doc_id, data.event, actor, reason=data.reason, reply_reference=data.reply_reference,
                expected_version=data.version)
        except InvalidInputError as exc:
            await db.rollback()
            return _problem(exc, errors=exc.field_errors)
        return Response(await _fresh(request, db, actor, doc_id))

    @post("/incoming/{doc_id:int}/assignments", name="api.incoming.assign", status_code=200,
          summary="Assign, forward or re-assign with lead/coordinate/inform lines and deadlines")
    async def assign(self, request: Request[Any, Any, Any], db: DB, settings: AppSettings, actor: CurrentActor,
                     meta: Meta, doc_id: PathId, data: JSONBody[ApiAssignRequest]) -> Response[Any]:
        try:
            plan = plan_from_api(data)
            await _web.service_for(request, db, settings, meta).apply(
                doc_id, data.event, actor, reason=data.reason, plan=plan, expected_version=data.version)
        except InvalidInputError as exc:
            await db.rollback()
            return _problem(exc, errors=exc.field_errors)
        return Response(await _fresh(request, db, actor, doc_id))
