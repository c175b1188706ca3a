"""Page context builders shared by the HTML controllers (one builder per page, used for full pages
and fragments alike), the service factory, and the session-held pending upload.

A valid PDF uploaded with an otherwise invalid form is kept in the blob store and remembered in
the uploader's server-side session, so the clerk does not upload it again; the form refers to it
by its SHA-256, which is accepted only if it matches what this session uploaded.

``see_other`` is the shared 303 of :mod:`backend.domain.documents.web`, re-exported for the controllers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from litestar import Request
from sqlalchemy.ext.asyncio import AsyncSession

from backend.config.settings import Settings
from backend.db.models import Agency, AssignmentRole, AssignmentStatus, IncomingDocument, Role, RoleGrant, Unit, User
from backend.domain.accounts.actor import Actor
from backend.domain.audit.services import RequestMeta
from backend.domain.documents.files import AcceptedFile, check_pending
from backend.domain.documents.reading import reading_pages
from backend.domain.documents.reference import (
    confidentiality_options,
    document_types,
    source_options,
    type_label,
    urgency_options,
)
from backend.domain.documents.web import see_other
from backend.domain.exchange.receipts import receipt_view, replies_to
from backend.domain.incoming._assign import default_deadline
from backend.domain.incoming.policies import (
    can_classify,
    can_delegate,
    can_intake,
    can_link_reply,
    can_note,
    can_view_book,
    delegable_assignments,
)
from backend.domain.incoming.queries import (
    ListFilters,
    default_inbox,
    filtered_query,
    inbox_counts,
    inboxes_for,
    list_documents,
    load_view,
)
from backend.domain.incoming.schemas import as_list
from backend.domain.incoming.services import IncomingService
from backend.domain.incoming.timing import DeadlineInfo, calendar_for, deadline_info, timing_for
from backend.domain.incoming.workflow import AT_CLERK, TABLE, TERMINAL, Event
from backend.lib import clock
from backend.lib.sessions import get_session
from backend.lib.templates import is_fragment_request

__all__ = [
    "ASSIGN_EVENTS", "ListItem", "build_detail_context", "build_list_context", "clear_pending", "intake_options",
    "pending_file", "remember_pending", "see_other", "service_for",
]

ASSIGN_EVENTS = ("assign", "forward", "reassign")
MAX_PREVIEW_PAGES = 40
_PENDING_KEY = "incoming_pending_file"


def service_for(request: Request[Any, Any, Any], db: AsyncSession, settings: Settings,
                meta: RequestMeta) -> IncomingService:
    """The service for this request, with links built from the route table."""
    return IncomingService(db, settings, meta=meta,
                           links=lambda doc_id: request.app.route_reverse("incoming.detail", doc_id=doc_id))


async def pending_file(request: Request[Any, Any, Any], settings: Settings, sha256: str) -> AcceptedFile | None:
    """The file this session kept from an earlier attempt, if the form still refers to it."""
    stored = get_session(request).get(_PENDING_KEY)
    if not sha256 or not isinstance(stored, dict) or stored.get("sha256") != sha256:
        return None
    return await check_pending(settings, stored)


def remember_pending(request: Request[Any, Any, Any], accepted: AcceptedFile | None) -> None:
    get_session(request).set(_PENDING_KEY, accepted.as_dict() if accepted else None)


def clear_pending(request: Request[Any, Any, Any]) -> None:
    if get_session(request).get(_PENDING_KEY) is not None:
        get_session(request).set(_PENDING_KEY, None)


@dataclass(frozen=True, slots=True)
class ListItem:
    """One card of a list."""

    doc: IncomingDocument
    type_name: str
    deadline: DeadlineInfo | None


def _deadline(doc: IncomingDocument, settings: Settings, today: Any) -> DeadlineInfo | None:
    done = doc.state in TERMINAL
    return deadline_info(doc.due_on, today, calendar_for(settings), settings.due_soon_working_days, done=done)


async def build_list_context(request: Request[Any, Any, Any], db: AsyncSession, settings: Settings,
                             actor: Actor) -> dict[str, Any]:
    """The inbox page: tabs with counts, filters, one keyset page of cards."""
    params = {key: request.query_params.get(key, "") for key in request.query_params}
    tabs = inboxes_for(actor)
    requested = params.get("inbox", "")
    inbox = requested if requested in tabs else default_inbox(actor)
    filters = ListFilters.from_query(params)
    today = clock.to_local(clock.now()).date()
    page = await list_documents(db, filtered_query(actor, inbox, filters, today), cursor=params.get("cursor", ""))
    return {
        "section": "incoming",
        "inbox": inbox,
        "tabs": tabs,
        # An htmx swap of the list (filters, next page) renders only the list block, without the tabs.
        "counts": {} if is_fragment_request(request) else await inbox_counts(db, actor, today),
        "filters": filters,
        "filter_query": filters.as_query(),
        "items": [ListItem(doc, name, _deadline(doc, settings, today)) for doc, name in page.rows],
        "next_cursor": page.next_cursor,
        "cursor": params.get("cursor", ""),
        "types": [(str(dt.id), type_label(dt)) for dt in await document_types(db, actor.agency_id)],
        "urgencies": urgency_options(),
        "can_intake": bool(can_intake(actor)),
        "can_view_book": bool(can_view_book(actor)),
    }


async def intake_options(db: AsyncSession, actor: Actor) -> dict[str, Any]:
    """Choices of the intake form."""
    agencies = (await db.execute(sa.select(Agency.id, Agency.name).where(Agency.is_active.is_(True))
                                 .order_by(Agency.name))).tuples().all()
    return {
        "types": [(str(dt.id), type_label(dt)) for dt in await document_types(db, actor.agency_id)],
        "agencies": [(str(agency_id), name) for agency_id, name in agencies if agency_id != actor.agency_id],
        "urgencies": urgency_options(),
        "confidentialities": confidentiality_options(),
        "sources": source_options(),
    }


async def _assign_options(db: AsyncSession, agency_id: int) -> list[tuple[str, str]]:
    units = (await db.execute(sa.select(Unit.id, Unit.name).where(Unit.agency_id == agency_id,
                                                                    Unit.is_active.is_(True))
                              .order_by(Unit.name))).tuples().all()
    people = (await db.execute(
        sa.select(User.id, User.full_name, User.position_title).where(User.agency_id == agency_id,
                                                                      User.is_active.is_(True))
        .where(sa.exists().where(RoleGrant.user_id == User.id, RoleGrant.agency_id == agency_id,
                                 RoleGrant.role.in_((Role.UNIT_HEAD, Role.SPECIALIST, Role.DEPUTY))))
        .order_by(User.full_name))).tuples().all()
    return ([(f"unit:{uid}", name) for uid, name in units]
            + [(f"user:{uid}", f"{name} — {title}" if title else name) for uid, name, title in people])


def _assign_rows(values: dict[str, Any], default_due: str, count: int = 4) -> list[dict[str, str]]:
    """The rows of the assignment form: what was submitted (after an error) or the defaults."""
    def column(name: str) -> list[str]:
        raw = values.get(name, [])
        return as_list(raw) if raw else []

    targets, roles, dues = column("target"), column("role"), column("due_on")
    rows = []
    for index in range(count):
        rows.append({
            "target": targets[index] if index < len(targets) else "",
            "role": roles[index] if index < len(roles) else ("lead" if index == 0 else "coordinate"),
            "due_on": dues[index] if index < len(dues) else (default_due if index == 0 and not targets else ""),
        })
    return rows


async def build_detail_context(request: Request[Any, Any, Any], db: AsyncSession, settings: Settings,
                               actor: Actor, doc_id: int, *, errors: dict[str, str] | None = None,
                               values: dict[str, Any] | None = None) -> dict[str, Any]:
    """The document page: metadata, timing flags, assignments, history and the actor's actions."""
    view = await load_view(db, actor, doc_id)
    now = clock.now()
    today = clock.to_local(now).date()
    doc, ctx = view.doc, view.ctx
    calendar = calendar_for(settings)
    transitions = TABLE.available(actor, doc, ctx)
    delegable = delegable_assignments(actor, doc, ctx)
    delegate_people: dict[int, list[tuple[str, str]]] = {}
    for assignment in delegable:
        rows = (await db.execute(sa.select(User.id, User.full_name).where(
            User.unit_id == assignment.assignee_unit_id, User.is_active.is_(True), User.id != actor.user_id)
            .order_by(User.full_name))).tuples().all()
        delegate_people[assignment.id] = [(str(uid), name) for uid, name in rows]
    lines: list[dict[str, Any]] = []  # template rows
    for assignment in view.assignments:
        done = assignment.status in (AssignmentStatus.DONE, AssignmentStatus.CANCELLED, AssignmentStatus.CLOSED)
        lines.append({
            "a": assignment,
            "name": view.assignee_name(assignment),
            "by": view.people.get(assignment.assigned_by_id, ""),
            "deadline": deadline_info(assignment.due_on, today, calendar, settings.due_soon_working_days, done=done),
            "child": assignment.parent_id is not None,
        })
    values = values or {}
    default_due = default_deadline(today, calendar, settings.handling_default_working_days,
                                   doc.reply_by_on).isoformat()
    return {
        "section": "incoming",
        "assign_rows": _assign_rows(values, default_due),
        "view": view,
        "doc": doc,
        "type_label": type_label(view.doc_type),
        "timing": timing_for(doc, settings, now),
        "at_clerk": doc.state in AT_CLERK,
        "shows_clerk_sla": actor.has(Role.CLERK),
        "deadline": _deadline(doc, settings, today),
        "lines": lines,
        "live_lines": [line for line in lines if line["a"].status is not AssignmentStatus.CANCELLED],
        "transitions": [t for t in transitions if t.event not in ASSIGN_EVENTS and t.event != Event.CANCEL],
        "assign_transitions": [t for t in transitions if t.event in ASSIGN_EVENTS],
        "assign_targets": await _assign_options(db, doc.agency_id) if any(
            t.event in ASSIGN_EVENTS for t in transitions) else [],
        "roles": [(r.value, r.value) for r in AssignmentRole],
        "default_due": default_due,
        "delegable": delegable,
        "delegate_people": delegate_people,
        "can": {
            "delegate": bool(can_delegate(actor, doc, ctx)),
            "note": bool(can_note(actor, doc, ctx)),
            "classify": bool(can_classify(actor, doc, ctx)),
            "link_reply": bool(can_link_reply(actor, doc, ctx)),
            "slip": True,
        },
        "pages": list(range(1, min(view.file.page_count, MAX_PREVIEW_PAGES) + 1)),
        "reading": await reading_pages(settings, view.file),
        "exchange": await receipt_view(db, doc.id),
        "replies": await replies_to(db, actor, doc.id),
        "errors": errors or {},
        "values": values,
        "today": today.isoformat(),
    }
