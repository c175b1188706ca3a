"""Read queries: per-role tabs, filters, counts, the detail view, versions, appendices, and the
documents linked by amendment or replacement (with the choices of the draft form's selector).

Every query starts from :func:`~backend.domain.outgoing.policies.visible_outgoing`, so lists,
counts, badges, the register and exports never show more than the detail page would. Lists are
ordered urgent first (``priority``), then most recently changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.models import (
    DocumentType,
    IncomingDocument,
    OutgoingAppendix,
    OutgoingDocument,
    OutgoingEvent,
    OutgoingRecipient,
    OutgoingVersion,
    Role,
    StoredFile,
    User,
)
from backend.domain.accounts.actor import Actor
from backend.domain.outgoing.policies import visible_outgoing
from backend.domain.outgoing.states import PUBLISHED, State
from backend.errors import NotFoundError
from backend.lib.text import clean, fold

__all__ = [
    "TABS", "DocumentView", "RelatedDocument", "action_count", "appendices_of", "default_tab", "list_documents",
    "load_view", "next_version_ordinal", "related_documents", "replaceable_choices", "tab_counts",
    "tab_query", "tabs_for",
]

PAGE_SIZE = 50
TABS = ("drafts", "to_review", "to_check", "to_sign", "to_issue", "issued", "all")
_CLERK_STEPS = (State.FORMAT_CHECK, State.SIGNED, State.REGISTERED, State.ORG_SIGNED)
_AFTER_ISSUE = (State.ISSUED, State.ARCHIVED, State.RECALLED, State.REPLACED)


def tabs_for(actor: Actor) -> list[str]:
    """The tabs of the actor's roles, most actionable first."""
    tabs: list[str] = []
    if actor.has(Role.LEADER, Role.DEPUTY, Role.UNIT_HEAD):
        tabs.append("to_sign")
    if actor.has(Role.UNIT_HEAD, Role.LEADER, Role.DEPUTY):
        tabs.append("to_review")
    if actor.has(Role.CLERK):
        tabs += ["to_check", "to_issue"]
    return tabs + ["drafts", "issued", "all"]


def default_tab(actor: Actor) -> str:
    return tabs_for(actor)[0]


def _review_condition(actor: Actor) -> sa.ColumnElement[bool]:
    conditions = []
    if actor.has(Role.UNIT_HEAD) and actor.unit_id is not None:
        conditions.append(OutgoingDocument.drafting_unit_id == actor.unit_id)
    if actor.has(Role.LEADER, Role.DEPUTY):
        conditions.append(OutgoingDocument.drafting_unit_id.is_(None))
    return sa.and_(OutgoingDocument.state == State.UNIT_REVIEW, sa.or_(*conditions) if conditions else sa.false())


def _tab_condition(actor: Actor, tab: str) -> sa.ColumnElement[bool]:
    match tab:
        case "drafts":
            return sa.and_(OutgoingDocument.state == State.DRAFT, OutgoingDocument.drafter_id == actor.user_id)
        case "to_review":
            return _review_condition(actor)
        case "to_check":
            return OutgoingDocument.state == State.FORMAT_CHECK
        case "to_sign":
            return sa.and_(OutgoingDocument.state == State.AWAITING_SIGNATURE,
                           OutgoingDocument.signer_id == actor.user_id)
        case "to_issue":
            return OutgoingDocument.state.in_((State.SIGNED, State.REGISTERED, State.ORG_SIGNED))
        case "issued":
            return OutgoingDocument.state.in_(_AFTER_ISSUE)
    return OutgoingDocument.state != State.DISCARDED


def tab_query(actor: Actor, tab: str, q: str = "") -> sa.Select[tuple[OutgoingDocument]]:
    """Visible documents of one tab, optionally filtered by words of ``q`` (accent-insensitive)."""
    query = visible_outgoing(actor).where(_tab_condition(actor, tab))
    for word in fold(clean(q)).split()[:8]:
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(OutgoingDocument.search_text.like(f"%{escaped}%", escape="\\"))
    return query


COUNT_CAP = 100
"""Tab and badge counts stop here (shown as "99+"), so they read a bounded number of index entries."""


def _count(query: sa.Select[Any]) -> sa.Select[tuple[int]]:
    inner = query.order_by(None).with_only_columns(OutgoingDocument.id).limit(COUNT_CAP)
    return sa.select(sa.func.count()).select_from(inner.subquery())


async def list_documents(db: AsyncSession, query: sa.Select[tuple[OutgoingDocument]], size: int = PAGE_SIZE
                         ) -> Sequence[tuple[OutgoingDocument, str]]:
    """``(document, type name)`` rows, urgent first, then most recently changed."""
    rows = await db.execute(query.add_columns(DocumentType.name)
                            .join(DocumentType, DocumentType.id == OutgoingDocument.document_type_id)
                            .order_by(OutgoingDocument.priority.desc(), OutgoingDocument.updated_at.desc(),
                                      OutgoingDocument.id.desc()).limit(size))
    return [(row[0], row[1]) for row in rows.all()]


async def tab_counts(db: AsyncSession, actor: Actor) -> dict[str, int]:
    return {tab: int(await db.scalar(_count(tab_query(actor, tab))) or 0) for tab in tabs_for(actor)}


async def action_count(db: AsyncSession, actor: Actor) -> int:
    """Documents waiting for the actor's own action (the "Văn bản đi" badge)."""
    conditions = [_tab_condition(actor, "to_sign"), _review_condition(actor),
                  sa.and_(OutgoingDocument.state == State.DRAFT, OutgoingDocument.drafter_id == actor.user_id,
                          sa.exists().where(sa.and_(OutgoingEvent.outgoing_id == OutgoingDocument.id,
                                                    OutgoingEvent.kind == "return")))]
    if actor.has(Role.CLERK):
        conditions.append(OutgoingDocument.state.in_(_CLERK_STEPS))
    return int(await db.scalar(_count(visible_outgoing(actor).where(sa.or_(*conditions)))) or 0)


async def next_version_ordinal(db: AsyncSession, outgoing_id: int) -> int:
    current = await db.scalar(sa.select(sa.func.max(OutgoingVersion.ordinal))
                              .where(OutgoingVersion.outgoing_id == outgoing_id))
    return int(current or 0) + 1


async def appendices_of(db: AsyncSession, outgoing_id: int) -> list[OutgoingAppendix]:
    return list((await db.scalars(sa.select(OutgoingAppendix).where(OutgoingAppendix.outgoing_id == outgoing_id)
                                  .order_by(OutgoingAppendix.ordinal))).all())


@dataclass
class DocumentView:
    """Everything the detail page and the API show about one document."""

    doc: OutgoingDocument
    doc_type: DocumentType
    file: StoredFile
    versions: list[OutgoingVersion]
    appendices: list[OutgoingAppendix]
    recipients: list[OutgoingRecipient]
    events: list[OutgoingEvent]
    files: dict[int, StoredFile] = field(default_factory=dict)
    people: dict[int, str] = field(default_factory=dict)
    reply_to: IncomingDocument | None = None
    replaces: RelatedDocument | None = None
    """The earlier document this one amends or replaces (``doc.replace_kind`` says which)."""
    replaced_by: RelatedDocument | None = None
    successors: list[RelatedDocument] = field(default_factory=list)
    """Issued documents that amend or replace this one, oldest first."""


@dataclass(frozen=True, slots=True)
class RelatedDocument:
    """Another document of the agency linked by amendment or replacement (Đ.18.3), as the pages show it.

    ``visible`` says whether the actor may open it (otherwise only its number is shown).
    """

    id: int
    reference: str
    issued_on: date | None
    summary: str
    state: State
    kind: str
    visible: bool


def _reference(doc: OutgoingDocument) -> str:
    return f"{doc.code_number}/{doc.code_notation}" if doc.code_number else ""


async def related_documents(db: AsyncSession, actor: Actor, doc: OutgoingDocument) -> tuple[
        RelatedDocument | None, RelatedDocument | None, list[RelatedDocument]]:
    """What ``doc`` amends or replaces, what replaced it, and the issued documents amending or replacing it.

    Linked documents always belong to the same agency (checked when the draft was made); the
    actor's scope only decides whether they are links or plain numbers.
    """
    query = sa.select(OutgoingDocument).where(OutgoingDocument.agency_id == doc.agency_id, sa.or_(
        OutgoingDocument.id.in_([i for i in (doc.replaces_id, doc.replaced_by_id) if i is not None]),
        sa.and_(OutgoingDocument.replaces_id == doc.id, OutgoingDocument.issued_at.is_not(None))))
    linked = list((await db.scalars(query.order_by(OutgoingDocument.issued_at, OutgoingDocument.id))).all())
    if not linked:
        return None, None, []
    visible = set((await db.scalars(visible_outgoing(actor).with_only_columns(OutgoingDocument.id).where(
        OutgoingDocument.id.in_([other.id for other in linked])))).all())

    def view(other: OutgoingDocument, kind: str) -> RelatedDocument:
        return RelatedDocument(other.id, _reference(other), other.issued_on, other.summary, State(other.state),
                               kind, other.id in visible)

    by_id = {other.id: other for other in linked}
    replaces = view(by_id[doc.replaces_id], str(doc.replace_kind)) if doc.replaces_id in by_id else None
    replaced_by = view(by_id[doc.replaced_by_id], "replace") if doc.replaced_by_id in by_id else None
    successors = [view(other, str(other.replace_kind)) for other in linked if other.replaces_id == doc.id]
    return replaces, replaced_by, successors


async def replaceable_choices(db: AsyncSession, actor: Actor, limit: int = 200) -> list[tuple[str, str]]:
    """``(id, "number/symbol — date — summary")`` of the actor's issued documents a draft may amend or replace."""
    rows = (await db.scalars(visible_outgoing(actor).where(OutgoingDocument.state.in_(PUBLISHED))
                             .order_by(OutgoingDocument.issued_at.desc(), OutgoingDocument.id.desc())
                             .limit(limit))).all()
    return [(str(doc.id), " — ".join(part for part in (
        _reference(doc), doc.issued_on.strftime("%d/%m/%Y") if doc.issued_on else "", doc.summary[:80]) if part))
        for doc in rows]


async def load_view(db: AsyncSession, actor: Actor, doc_id: int) -> DocumentView:
    """The document if visible to the actor, with versions, appendices, recipients and history.

    Raises:
        NotFoundError: unknown id, another agency's document, or outside the actor's scope.
    """
    doc = await db.scalar(visible_outgoing(actor).where(OutgoingDocument.id == doc_id)
                          .execution_options(populate_existing=True))
    if doc is None:
        raise NotFoundError()
    doc_type = await db.get(DocumentType, doc.document_type_id)
    versions = list((await db.scalars(sa.select(OutgoingVersion).where(OutgoingVersion.outgoing_id == doc.id)
                                      .order_by(OutgoingVersion.ordinal))).all())
    appendices = await appendices_of(db, doc.id)
    recipients = list((await db.scalars(sa.select(OutgoingRecipient).where(OutgoingRecipient.outgoing_id == doc.id)
                                        .order_by(OutgoingRecipient.id)
                                        .execution_options(populate_existing=True))).all())
    events = list((await db.scalars(sa.select(OutgoingEvent).where(OutgoingEvent.outgoing_id == doc.id)
                                    .order_by(OutgoingEvent.at, OutgoingEvent.id))).all())
    file_ids = {doc.main_file_id} | {v.file_id for v in versions} | {a.file_id for a in appendices} | {
        a.sealed_file_id for a in appendices if a.sealed_file_id}
    files = {f.id: f for f in (await db.scalars(sa.select(StoredFile).where(StoredFile.id.in_(file_ids)))).all()}
    user_ids = {doc.drafter_id, doc.signer_id} | {v.created_by_id for v in versions if v.created_by_id} | (
        {doc.archived_by_id} if doc.archived_by_id else set())
    people = dict((await db.execute(sa.select(User.id, User.full_name).where(User.id.in_(user_ids)))).tuples().all())
    reply_to = await db.get(IncomingDocument, doc.reply_to_incoming_id) if doc.reply_to_incoming_id else None
    replaces, replaced_by, successors = await related_documents(db, actor, doc)
    assert doc_type is not None
    return DocumentView(doc, doc_type, files[doc.main_file_id], versions, appendices, recipients, events, files,
                        people, reply_to, replaces, replaced_by, successors)
