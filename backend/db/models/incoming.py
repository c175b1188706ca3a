"""Incoming documents (văn bản đến, domain.md §4.4), their assignments (§4.6), history and numbering.

Separate-file appendices received with a document (§4.5) are ``IncomingAttachment`` rows.

The lifecycle lives in ``backend.domain.incoming.workflow``; ``IncomingState`` is defined here only
because the column needs it, and the workflow re-exports it as ``State``.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, validates

from backend.db.base import Base, TimestampMixin, UTCDateTime, enum_column, utcnow
from backend.db.models.documents import DocumentSource, Urgency
from backend.db.state_guard import guard_state

__all__ = [
    "ArrivalCounter", "Assignment", "AssignmentRole", "AssignmentStatus", "Classification", "IncomingAttachment",
    "IncomingDocument", "IncomingEvent", "IncomingState",
]


class IncomingState(StrEnum):
    """Where an incoming document stands (domain.md §7.2)."""

    RECEIVED = "received"
    REGISTERED = "registered"
    SUBMITTED = "submitted"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    RETURNED = "returned"
    CANCELLED = "cancelled"
    """The sender recalled (or replaced) it and the clerk confirmed: nothing more can be done with it."""


class Classification(StrEnum):
    """Needs a reply (with a reply-by date) or for information only (Quảng Xương rule, §22)."""

    UNCLASSIFIED = "unclassified"
    NEEDS_REPLY = "needs_reply"
    FOR_INFORMATION = "for_information"


class AssignmentRole(StrEnum):
    """Chủ trì / phối hợp / để biết (domain.md §3.6)."""

    LEAD = "lead"
    COORDINATE = "coordinate"
    INFORM = "inform"


class AssignmentStatus(StrEnum):
    """Lifecycle of one assignment line."""

    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"
    CLOSED = "closed"
    """The document was completed while this line had never acted (it is not reported as done)."""


class ArrivalCounter(Base):
    """The arrival-number series of one agency in one calendar year (one row, locked to allocate)."""

    __tablename__ = "arrival_counter"

    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agency.id"), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last_number: Mapped[int] = mapped_column(default=0)


class IncomingDocument(TimestampMixin, Base):
    """One incoming document in one agency's register."""

    __tablename__ = "incoming_document"
    __table_args__ = (
        sa.UniqueConstraint("agency_id", "arrival_year", "arrival_number"),
        sa.Index("ix_incoming_document_inbox", "agency_id", "priority", "received_at", "id"),
        sa.Index("ix_incoming_document_state", "agency_id", "state", "priority", "received_at", "id"),
        sa.Index("ix_incoming_document_received", "agency_id", "received_at"),
        sa.Index("ix_incoming_document_due", "agency_id", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agency.id"), index=True)
    state: Mapped[IncomingState] = enum_column(IncomingState, "incoming_state", default=IncomingState.RECEIVED)

    @validates("state")
    def _only_the_engine_moves_state(self, _key: str, value: IncomingState) -> IncomingState:
        return guard_state(self, value)

    urgency: Mapped[Urgency] = enum_column(Urgency, "urgency", default=Urgency.NORMAL)
    priority: Mapped[int] = mapped_column(default=0)
    source: Mapped[DocumentSource] = enum_column(DocumentSource, "document_source")
    document_type_id: Mapped[int] = mapped_column(sa.ForeignKey("document_type.id"))
    code_number: Mapped[str] = mapped_column(sa.String(11))
    code_notation: Mapped[str] = mapped_column(sa.String(30))
    issuer_name: Mapped[str] = mapped_column(sa.String(200))
    issuer_key: Mapped[str] = mapped_column(sa.String(200), default="", index=True)
    """``issuer_name`` lower-cased without diacritics (sender filter, duplicate check)."""
    issuer_agency_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agency.id"))
    issued_on: Mapped[date] = mapped_column(sa.Date)
    summary: Mapped[str] = mapped_column(sa.String(500))
    language: Mapped[str] = mapped_column(sa.String(30), default="Tiếng Việt")
    page_count: Mapped[int] = mapped_column(default=0)
    description: Mapped[str] = mapped_column(sa.String(500), default="")
    signer_position: Mapped[str] = mapped_column(sa.String(100), default="")
    signer_name: Mapped[str] = mapped_column(sa.String(50))
    document_identifier: Mapped[str | None] = mapped_column(sa.String(100))
    file_id: Mapped[int] = mapped_column(sa.ForeignKey("stored_file.id"))
    reply_by_on: Mapped[date | None] = mapped_column(sa.Date)
    due_on: Mapped[date | None] = mapped_column(sa.Date)
    classification: Mapped[Classification] = enum_column(
        Classification, "classification", default=Classification.UNCLASSIFIED)
    arrival_year: Mapped[int | None] = mapped_column()
    arrival_number: Mapped[int | None] = mapped_column()
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    registered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    return_reason: Mapped[str] = mapped_column(sa.Text, default="")
    result: Mapped[str] = mapped_column(sa.Text, default="")
    reply_reference: Mapped[str] = mapped_column(sa.String(100), default="")
    duplicate_of_id: Mapped[int | None] = mapped_column(sa.ForeignKey("incoming_document.id"))
    received_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    registered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    search_text: Mapped[str] = mapped_column(sa.Text, default="")
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


_LIVE_SQL = "status IN ('pending', 'in_progress')"
_LIVE_PERSON_SQL = f"{_LIVE_SQL} AND assignee_user_id IS NOT NULL"
"""Without the NULLs, so a unit's lines (``assignee_user_id IS NULL``) are looked up by unit, not here."""
_UNIT_HOLDS_PG = f"{_LIVE_SQL} AND NOT handed_on"
_UNIT_HOLDS_SQLITE = f"{_LIVE_SQL} AND handed_on = 0"
"""A unit's live lines not yet passed to a specialist, written as each dialect renders ``~handed_on`` (SQLite
uses a partial index only when the query repeats its terms)."""


class Assignment(TimestampMixin, Base):
    """One line of the handling slip: who handles (unit or person), in which role, by when.

    ``parent_id`` links a unit head's hand-over to a specialist to the unit's own assignment, and
    ``handed_on`` marks the unit's line once it has such a hand-over. Hand-overs are made only while the
    unit's line is live and end with it (every step that ends a line ends all the document's live lines),
    so the flag never has to be cleared: it is what the unit head's "to handle" reads through an index
    instead of probing every live line of the unit for a live child.
    """

    __tablename__ = "assignment"
    __table_args__ = (
        sa.CheckConstraint("assignee_unit_id IS NOT NULL OR assignee_user_id IS NOT NULL", name="has_assignee"),
        # Live assignments are a small share of the history: "to handle", "watching" and the task list
        # look for the actor's (or their unit's) live lines only.
        sa.Index("ix_assignment_live_user", "assignee_user_id", postgresql_where=sa.text(_LIVE_PERSON_SQL),
                 sqlite_where=sa.text(_LIVE_PERSON_SQL)),
        sa.Index("ix_assignment_live_unit", "assignee_unit_id", postgresql_where=sa.text(_LIVE_SQL),
                 sqlite_where=sa.text(_LIVE_SQL)),
        sa.Index("ix_assignment_unit_holds", "assignee_unit_id", postgresql_where=sa.text(_UNIT_HOLDS_PG),
                 sqlite_where=sa.text(_UNIT_HOLDS_SQLITE)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    incoming_id: Mapped[int] = mapped_column(sa.ForeignKey("incoming_document.id", ondelete="CASCADE"),
                                             index=True)
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("assignment.id"), index=True)
    role: Mapped[AssignmentRole] = enum_column(AssignmentRole, "assignment_role")
    assignee_unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    assignee_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    assigned_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    instruction: Mapped[str] = mapped_column(sa.Text, default="")
    due_on: Mapped[date | None] = mapped_column(sa.Date)
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    status: Mapped[AssignmentStatus] = enum_column(AssignmentStatus, "assignment_status",
                                                   default=AssignmentStatus.PENDING)
    handed_on: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    proposal: Mapped[str] = mapped_column(sa.Text, default="")
    proposal_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class IncomingEvent(Base):
    """The processing history (TraceHeaderList): transitions, instructions, notes, proposals."""

    __tablename__ = "incoming_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    incoming_id: Mapped[int] = mapped_column(sa.ForeignKey("incoming_document.id", ondelete="CASCADE"),
                                             index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    actor_name: Mapped[str] = mapped_column(sa.String(200), default="")
    kind: Mapped[str] = mapped_column(sa.String(32))
    from_state: Mapped[str | None] = mapped_column(sa.String(32))
    to_state: Mapped[str | None] = mapped_column(sa.String(32))
    text: Mapped[str] = mapped_column(sa.Text, default="")


class IncomingAttachment(Base):
    """A separate-file appendix received with an incoming document (domain.md §4.5), in the sender's order.

    ``file_id`` is the recipient's own ``stored_file`` row; its bytes are the sender's sealed file
    (same content-addressed blob, never copied or modified). Its signature check on receipt is
    kept in the document's ``exchange_receipt`` report.
    """

    __tablename__ = "incoming_attachment"
    __table_args__ = (sa.UniqueConstraint("incoming_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incoming_id: Mapped[int] = mapped_column(sa.ForeignKey("incoming_document.id", ondelete="CASCADE"))
    """Looked up through the unique (incoming_id, position) constraint's index."""
    position: Mapped[int] = mapped_column()
    """1, 2, … as numbered by the sender (Phụ lục I, II … when there are several)."""
    title: Mapped[str] = mapped_column(sa.String(300), default="")
    file_id: Mapped[int] = mapped_column(sa.ForeignKey("stored_file.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
