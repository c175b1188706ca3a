"""Read queries: per-role inboxes, filters, keyset pagination, counts, search and the detail view
(with the separate-file appendices received with the document).

Every query starts from :func:`visible_incoming` so lists, counts, badges, search and exports can
never show more than the detail page would. Lists are ordered urgent-first (``priority``), then
newest first, with a keyset cursor over ``(priority, received_at, id)``.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.inline import inline_in
from backend.db.models import (
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    DocumentType,
    IncomingAttachment,
    IncomingDocument,
    IncomingEvent,
    Role,
    StoredFile,
    Unit,
    Urgency,
    User,
)
from backend.db.models import IncomingState as State
from backend.domain.accounts.actor import Actor
from backend.domain.incoming.policies import DocContext, visible_incoming
from backend.errors import NotFoundError
from backend.lib.bounds import parse_id
from backend.lib.clock import VN_TZ
from backend.lib.text import clean, fold

__all__ = [
    "COUNT_CAP", "INBOXES", "AttachmentView", "DocumentView", "ListFilters", "ListPage", "action_count", "count_query",
    "default_inbox", "inbox_counts", "inboxes_for", "list_documents", "load_view", "task_count",
    "tasks_query",
]

PAGE_SIZE = 20
INBOXES = ("to_register", "to_submit", "to_assign", "to_handle", "watching", "overdue", "all")
_OPEN = (State.ASSIGNED, State.IN_PROGRESS)
_LIVE = (AssignmentStatus.PENDING, AssignmentStatus.IN_PROGRESS)


def inboxes_for(actor: Actor) -> list[str]:
    """The inbox tabs of the actor's roles, most actionable first."""
    tabs: list[str] = []
    if actor.has(Role.CLERK):
        tabs += ["to_register", "to_submit"]
    if actor.has(Role.LEADER, Role.DEPUTY):
        tabs.append("to_assign")
    if actor.has(Role.LEADER, Role.DEPUTY, Role.UNIT_HEAD, Role.SPECIALIST):
        tabs.append("to_handle")
    return tabs + ["watching", "overdue", "all"]


def default_inbox(actor: Actor) -> str:
    return inboxes_for(actor)[0]


def _held(actor: Actor, assignment: Any) -> sa.ColumnElement[bool]:
    conditions = [assignment.assignee_user_id == actor.user_id]
    if actor.has(Role.UNIT_HEAD) and actor.unit_id is not None:
        conditions.append(sa.and_(assignment.assignee_unit_id == actor.unit_id,
                                  assignment.assignee_user_id.is_(None)))
    return sa.or_(*conditions)


def _handled_ids(actor: Actor) -> sa.Select[tuple[int]]:
    """Documents on which the actor (or their unit) holds a live handling line not yet passed on."""
    # The actor's live lines not handed on (partial indexes), not a probe per document or per line.
    return sa.select(Assignment.incoming_id).where(
        inline_in(Assignment.status, _LIVE), ~Assignment.handed_on,
        Assignment.role.in_((AssignmentRole.LEAD, AssignmentRole.COORDINATE)), _held(actor, Assignment),
    )


def _to_handle(actor: Actor) -> sa.ColumnElement[bool]:
    return sa.and_(IncomingDocument.state.in_(_OPEN), IncomingDocument.id.in_(_handled_ids(actor)))


def _inbox_condition(actor: Actor, inbox: str, today: date) -> sa.ColumnElement[bool]:
    match inbox:
        case "to_register":
            return IncomingDocument.state == State.RECEIVED
        case "to_submit":
            return IncomingDocument.state == State.REGISTERED
        case "to_assign":
            return IncomingDocument.state == State.SUBMITTED
        case "to_handle":
            return _to_handle(actor)
        case "watching":
            # Not "open and not to_handle": negating the state test too hid it from the (agency, state)
            # index, and PostgreSQL read the agency's whole history to find the open documents.
            return sa.and_(IncomingDocument.state.in_(_OPEN), IncomingDocument.id.not_in(_handled_ids(actor)))
        case "overdue":
            return sa.and_(IncomingDocument.state.in_(_OPEN), IncomingDocument.due_on < today)
    return sa.true()


def _action_conditions(actor: Actor) -> list[sa.ColumnElement[bool]]:
    """What waits for the actor's own action; the conditions name disjoint states."""
    conditions = [_to_handle(actor)]
    if actor.has(Role.CLERK):
        conditions.append(IncomingDocument.state.in_((State.RECEIVED, State.REGISTERED)))
    if actor.has(Role.LEADER, Role.DEPUTY):
        conditions.append(IncomingDocument.state == State.SUBMITTED)
    return conditions


@dataclass(frozen=True, slots=True)
class ListFilters:
    """List filters from the query string (invalid values are ignored, never an error)."""

    urgency: str = ""
    type_id: int | None = None
    sender: str = ""
    date_from: date | None = None
    date_to: date | None = None
    state: str = ""
    q: str = ""

    @classmethod
    def from_query(cls, params: dict[str, str]) -> ListFilters:
        def as_date(raw: str) -> date | None:
            try:
                return date.fromisoformat(raw.strip()) if raw.strip() else None
            except ValueError:
                return None

        type_raw = params.get("type", "").strip()
        return cls(
            urgency=params.get("urgency", "") if params.get("urgency", "") in {u.value for u in Urgency} else "",
            type_id=parse_id(type_raw),
            sender=clean(params.get("sender", ""))[:100],
            date_from=as_date(params.get("from", "")),
            date_to=as_date(params.get("to", "")),
            state=params.get("state", "") if params.get("state", "") in {s.value for s in State} else "",
            q=clean(params.get("q", ""))[:100],
        )

    def as_query(self) -> dict[str, str]:
        values = {"urgency": self.urgency, "type": str(self.type_id or ""), "sender": self.sender,
                  "from": self.date_from.isoformat() if self.date_from else "",
                  "to": self.date_to.isoformat() if self.date_to else "", "state": self.state, "q": self.q}
        return {key: value for key, value in values.items() if value}

    @property
    def active(self) -> bool:
        return bool(self.as_query())


def _like_words(column: Any, text: str) -> list[sa.ColumnElement[bool]]:
    words = fold(text).split()
    escaped = [w.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") for w in words]
    return [column.like(f"%{w}%", escape="\\") for w in escaped]


def _local_start(day: date) -> datetime:
    return datetime.combine(day, time.min, VN_TZ)


def _apply_filters(query: sa.Select[Any], filters: ListFilters) -> sa.Select[Any]:
    if filters.urgency:
        query = query.where(IncomingDocument.urgency == filters.urgency)
    if filters.type_id:
        query = query.where(IncomingDocument.document_type_id == filters.type_id)
    if filters.state:
        query = query.where(IncomingDocument.state == filters.state)
    if filters.date_from:
        query = query.where(IncomingDocument.received_at >= _local_start(filters.date_from))
    if filters.date_to:
        query = query.where(IncomingDocument.received_at < _local_start(filters.date_to + timedelta(days=1)))
    if filters.sender:
        query = query.where(*_like_words(IncomingDocument.issuer_key, filters.sender))
    if filters.q:
        query = query.where(*_like_words(IncomingDocument.search_text, filters.q))
    return query


def filtered_query(actor: Actor, inbox: str, filters: ListFilters, today: date) -> sa.Select[Any]:
    """Visible documents of one inbox with the filters applied (unordered)."""
    return _apply_filters(visible_incoming(actor).where(_inbox_condition(actor, inbox, today)), filters)


COUNT_CAP = 100
"""Tab and badge counts stop at this many rows; the pages show "99+" above 99 (see ``bounded``)."""


def count_query(query: sa.Select[Any], cap: int | None = None) -> sa.Select[tuple[int]]:
    """``count(*)`` of ``query``; with ``cap``, of its first ``cap`` rows only.

    A capped count reads at most ``cap`` index entries, so a tab over an agency's whole history
    costs the same at 1,000 and at 1,000,000 documents. It is exact below the cap, which is the
    only range where the UI shows the exact figure.
    """
    inner = query.order_by(None)
    if cap is not None:
        inner = inner.with_only_columns(IncomingDocument.id).limit(cap)
    return sa.select(sa.func.count()).select_from(inner.subquery())


@dataclass(frozen=True, slots=True)
class ListPage:
    """One page of a list: ``rows`` are ``(document, type name)``; ``next_cursor`` is ``None`` on the last."""

    rows: Sequence[tuple[IncomingDocument, str]]
    next_cursor: str | None


def _encode_cursor(doc: IncomingDocument) -> str:
    raw = json.dumps([doc.priority, doc.received_at.isoformat(), doc.id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[int, datetime, int] | None:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        priority, received, doc_id = json.loads(raw)
        moment = datetime.fromisoformat(received)
        if moment.tzinfo is None:
            return None
        return int(priority), moment, int(doc_id)
    except (ValueError, TypeError, json.JSONDecodeError):
        return None


async def list_documents(db: AsyncSession, query: sa.Select[Any], cursor: str = "",
                         size: int | None = None) -> ListPage:
    """Keyset page of ``query`` (urgent first, then newest); ``size`` defaults to ``PAGE_SIZE``."""
    size = size or PAGE_SIZE
    doc = IncomingDocument
    paged = (query.add_columns(DocumentType.name).join(DocumentType, DocumentType.id == doc.document_type_id)
             .order_by(doc.priority.desc(), doc.received_at.desc(), doc.id.desc()).limit(size + 1))
    position = _decode_cursor(cursor) if cursor else None
    if position:
        priority, received, doc_id = position
        paged = paged.where(sa.or_(
            doc.priority < priority,
            sa.and_(doc.priority == priority, doc.received_at < received),
            sa.and_(doc.priority == priority, doc.received_at == received, doc.id < doc_id),
        ))
    rows = [(row[0], row[1]) for row in (await db.execute(paged)).all()]
    next_cursor = _encode_cursor(rows[size - 1][0]) if len(rows) > size else None
    return ListPage(rows=rows[:size], next_cursor=next_cursor)


async def inbox_counts(db: AsyncSession, actor: Actor, today: date) -> dict[str, int]:
    """Unfiltered count of each of the actor's inbox tabs, capped at ``COUNT_CAP``."""
    return {inbox: int(await db.scalar(count_query(filtered_query(actor, inbox, ListFilters(), today),
                                                   cap=COUNT_CAP)) or 0)
            for inbox in inboxes_for(actor)}


async def action_count(db: AsyncSession, actor: Actor) -> int:
    """Documents waiting for the actor's own action (the "Văn bản đến" badge), capped at ``COUNT_CAP``.

    One capped count per condition, added up (they name disjoint states, so nothing is counted
    twice): each is served by the (agency, state) index, where their ``OR`` made PostgreSQL walk the
    agency's whole history for a leader with little waiting (56 ms at 1,000,000 documents).
    """
    total = 0
    for condition in _action_conditions(actor):
        if total >= COUNT_CAP:
            break
        query = count_query(visible_incoming(actor).where(condition), cap=COUNT_CAP - total)
        total += int(await db.scalar(query) or 0)
    return total


def _task_lines(actor: Actor) -> list[sa.ColumnElement[bool]]:
    """The actor's live lines: their own, and, for a unit head, their unit's unassigned ones."""
    mine = [Assignment.assignee_user_id == actor.user_id]
    if actor.has(Role.UNIT_HEAD) and actor.unit_id is not None:
        mine.append(sa.and_(Assignment.assignee_unit_id == actor.unit_id, Assignment.assignee_user_id.is_(None)))
    return [sa.or_(*mine), inline_in(Assignment.status, _LIVE)]


def tasks_query(actor: Actor) -> sa.Select[tuple[Assignment, IncomingDocument]]:
    """The actor's live assignments ("Công việc"): their own, and, for a unit head, their unit's unassigned ones."""
    visible_ids = visible_incoming(actor).with_only_columns(IncomingDocument.id)
    return (sa.select(Assignment, IncomingDocument)
            .join(IncomingDocument, IncomingDocument.id == Assignment.incoming_id)
            .where(*_task_lines(actor), IncomingDocument.id.in_(visible_ids)))


async def task_count(db: AsyncSession, actor: Actor) -> int:
    """The actor's live assignments (the "Công việc" badge), capped at ``COUNT_CAP``.

    Without the join of :func:`tasks_query`: starting from the actor's live lines (a partial index),
    the visible-document check runs per line. With the join, SQLite started from the agency's
    documents instead (95 ms at 200,000 documents for a leader with no task, docs/performance.md).
    """
    visible = visible_incoming(actor).where(IncomingDocument.id == Assignment.incoming_id).exists()
    inner = sa.select(Assignment.id).where(*_task_lines(actor), visible).limit(COUNT_CAP)
    return int(await db.scalar(sa.select(sa.func.count()).select_from(inner.subquery())) or 0)


@dataclass(frozen=True, slots=True)
class AttachmentView:
    """One separate-file appendix of the document, with its file (the sender's numbering)."""

    id: int
    position: int
    title: str
    file: StoredFile


@dataclass
class DocumentView:
    """Everything the detail page, the slip and the API show about one document."""

    doc: IncomingDocument
    doc_type: DocumentType
    file: StoredFile
    assignments: list[Assignment]
    events: list[IncomingEvent]
    people: dict[int, str] = field(default_factory=dict)
    units: dict[int, str] = field(default_factory=dict)
    attachments: list[AttachmentView] = field(default_factory=list)

    def attachment(self, attachment_id: int) -> AttachmentView:
        """One of this document's appendices.

        Raises:
            NotFoundError: not an appendix of this document.
        """
        for item in self.attachments:
            if item.id == attachment_id:
                return item
        raise NotFoundError()

    @property
    def ctx(self) -> DocContext:
        return DocContext(tuple(a for a in self.assignments if a.status is not AssignmentStatus.CANCELLED))

    def assignee_name(self, assignment: Assignment) -> str:
        if assignment.assignee_user_id is not None:
            return self.people.get(assignment.assignee_user_id, "")
        return self.units.get(assignment.assignee_unit_id or 0, "")


async def load_view(db: AsyncSession, actor: Actor, doc_id: int) -> DocumentView:
    """The document if visible to the actor, with its assignments, history and appendices.

    Raises:
        NotFoundError: unknown id, another agency's document, or outside the actor's scope.
    """
    doc = await db.scalar(visible_incoming(actor).where(IncomingDocument.id == doc_id)
                          .execution_options(populate_existing=True))
    if doc is None:
        raise NotFoundError()
    doc_type = await db.get(DocumentType, doc.document_type_id)
    file = await db.get(StoredFile, doc.file_id)
    assert doc_type is not None and file is not None
    assignments = list((await db.scalars(sa.select(Assignment).where(Assignment.incoming_id == doc.id)
                                         .order_by(Assignment.id).execution_options(populate_existing=True))).all())
    events = list((await db.scalars(sa.select(IncomingEvent).where(IncomingEvent.incoming_id == doc.id)
                                    .order_by(IncomingEvent.at, IncomingEvent.id))).all())
    user_ids = {a.assignee_user_id for a in assignments if a.assignee_user_id} | {a.assigned_by_id for a in assignments}
    unit_ids = {a.assignee_unit_id for a in assignments if a.assignee_unit_id}
    people = dict((await db.execute(sa.select(User.id, User.full_name).where(User.id.in_(user_ids)))).tuples().all())
    units = dict((await db.execute(sa.select(Unit.id, Unit.name).where(Unit.id.in_(unit_ids)))).tuples().all())
    attachments = [AttachmentView(row.id, row.position, row.title, stored) for row, stored in (await db.execute(
        sa.select(IncomingAttachment, StoredFile).join(StoredFile, StoredFile.id == IncomingAttachment.file_id)
        .where(IncomingAttachment.incoming_id == doc.id).order_by(IncomingAttachment.position))).tuples().all()]
    return DocumentView(doc, doc_type, file, assignments, events, people, units, attachments)
