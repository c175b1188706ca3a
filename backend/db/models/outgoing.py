"""Outgoing documents (văn bản đi, domain.md §4.3), their versions, appendices, recipients, history,
number series, the signature/seal images, and the platform-exchange receipts.

The lifecycle lives in ``backend.domain.outgoing.workflow``; ``OutgoingState`` is defined here
only because the column needs it. Nothing is overwritten: every upload, the signed revision, the
numbered revision and the sealed revision are each a new :class:`OutgoingVersion` pointing at a
stored file (SHA-256 in the blob store).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, validates

from backend.db.base import Base, TimestampMixin, UTCDateTime, enum_column, utcnow
from backend.db.delivery_milestones import stamp_milestones
from backend.db.models.documents import Urgency
from backend.db.state_guard import guard_state

__all__ = [
    "DeliveryStatus", "ExchangeReceipt", "OutgoingAppendix", "OutgoingCounter", "OutgoingDocument", "OutgoingEvent",
    "OutgoingRecipient", "OutgoingState", "OutgoingVersion", "RecipientKind", "ReplaceKind", "SigningImage",
    "SigningImageKind", "VersionKind",
]


class OutgoingState(StrEnum):
    """Where an outgoing document stands (domain.md §6.2; numbering and registration are one step)."""

    DRAFT = "draft"
    UNIT_REVIEW = "unit_review"
    FORMAT_CHECK = "format_check"
    AWAITING_SIGNATURE = "awaiting_signature"
    SIGNED = "signed"
    REGISTERED = "registered"
    ORG_SIGNED = "org_signed"
    ISSUED = "issued"
    ARCHIVED = "archived"
    RECALLED = "recalled"
    REPLACED = "replaced"
    DISCARDED = "discarded"


class ReplaceKind(StrEnum):
    """How a new document corrects an earlier one of the same agency (Đ.18.3): amend or replace it."""

    AMEND = "amend"
    REPLACE = "replace"


class VersionKind(StrEnum):
    """What produced a version of the main file."""

    DRAFT = "draft"
    SIGNED = "signed"
    NUMBERED = "numbered"
    SEALED = "sealed"


class RecipientKind(StrEnum):
    """An agency of the platform (receives an incoming document) or an internal unit (for information)."""

    AGENCY = "agency"
    UNIT = "unit"


class DeliveryStatus(StrEnum):
    """Per-recipient status (domain.md §8.4); monotonic except ``returned`` and the recall pair."""

    QUEUED = "queued"
    SENT = "sent"
    ARRIVED = "arrived"
    ACCEPTED = "accepted"
    ASSIGNED = "assigned"
    PROCESSING = "processing"
    DONE = "done"
    RETURNED = "returned"
    RECALL_REQUESTED = "recall_requested"
    RECALLED = "recalled"
    RECALL_REFUSED = "recall_refused"
    """The recipient refused the recall (status 16); the reason is in ``status_note``."""
    FAILED = "failed"


class SigningImageKind(StrEnum):
    """A person's blue signature or an agency's red seal."""

    SIGNATURE = "signature"
    SEAL = "seal"


class OutgoingCounter(Base):
    """One number series of one agency in one calendar year (one row, locked to allocate)."""

    __tablename__ = "outgoing_counter"

    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agency.id"), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    series: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    last_number: Mapped[int] = mapped_column(default=0)


class OutgoingDocument(TimestampMixin, Base):
    """One outgoing document of one agency, from draft to issue, archive, recall or replacement."""

    __tablename__ = "outgoing_document"
    __table_args__ = (
        sa.UniqueConstraint("agency_id", "number_year", "series", "number"),
        sa.Index("ix_outgoing_document_state", "agency_id", "state"),
        sa.Index("ix_outgoing_document_list", "agency_id", "priority", "updated_at", "id"),
        sa.Index("ix_outgoing_document_issued", "agency_id", "issued_at"),
        sa.CheckConstraint("(replaces_id IS NULL) = (replace_kind IS NULL)", name="replace_kind_set"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agency.id"), index=True)
    state: Mapped[OutgoingState] = enum_column(OutgoingState, "outgoing_state", default=OutgoingState.DRAFT)

    @validates("state")
    def _only_the_engine_moves_state(self, _key: str, value: OutgoingState) -> OutgoingState:
        return guard_state(self, value)

    document_type_id: Mapped[int] = mapped_column(sa.ForeignKey("document_type.id"))
    summary: Mapped[str] = mapped_column(sa.String(500))
    urgency: Mapped[Urgency] = enum_column(Urgency, "urgency", default=Urgency.NORMAL)
    priority: Mapped[int] = mapped_column(default=0)
    reply_by_on: Mapped[date | None] = mapped_column(sa.Date)
    drafter_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    drafting_unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id"))
    signer_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    signing_authority: Mapped[str] = mapped_column(sa.String(8), default="")
    signer_position: Mapped[str] = mapped_column(sa.String(100), default="")
    signer_name: Mapped[str] = mapped_column(sa.String(50), default="")
    reply_to_incoming_id: Mapped[int | None] = mapped_column(sa.ForeignKey("incoming_document.id"), index=True)
    description: Mapped[str] = mapped_column(sa.String(500), default="")
    main_file_id: Mapped[int] = mapped_column(sa.ForeignKey("stored_file.id"))
    """The current version's file (the latest draft, then the signed, numbered and sealed revisions)."""
    page_count: Mapped[int] = mapped_column(default=0)
    layout: Mapped[str] = mapped_column(sa.Text, default="")
    """JSON: where the signature box and the number/date areas are (found or tapped), fixed before signing."""
    series: Mapped[str | None] = mapped_column(sa.String(40))
    number_year: Mapped[int | None] = mapped_column()
    number: Mapped[int | None] = mapped_column()
    code_number: Mapped[str] = mapped_column(sa.String(11), default="")
    code_notation: Mapped[str] = mapped_column(sa.String(30), default="")
    issued_on: Mapped[date | None] = mapped_column(sa.Date)
    document_identifier: Mapped[str | None] = mapped_column(sa.String(100), unique=True)
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    registered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sealed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    registered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    paper_copy_required: Mapped[bool] = mapped_column(default=False)
    paper_copy_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    paper_copy_note: Mapped[str] = mapped_column(sa.String(300), default="")
    recalled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    recall_reason: Mapped[str] = mapped_column(sa.Text, default="")
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    archived_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    replaces_id: Mapped[int | None] = mapped_column(sa.ForeignKey("outgoing_document.id"), index=True)
    """The earlier issued document of the same agency this one amends or replaces (Đ.18.3)."""
    replace_kind: Mapped[ReplaceKind | None] = enum_column(ReplaceKind, "replace_kind", nullable=True)
    replaced_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    replaced_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("outgoing_document.id"))
    """The replacing document whose issue moved this one to ``replaced``."""
    search_text: Mapped[str] = mapped_column(sa.Text, default="")
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class OutgoingVersion(Base):
    """One version of the main file; ``ordinal`` counts from 1 per document."""

    __tablename__ = "outgoing_version"
    __table_args__ = (sa.UniqueConstraint("outgoing_id", "ordinal"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    outgoing_id: Mapped[int] = mapped_column(sa.ForeignKey("outgoing_document.id", ondelete="CASCADE"), index=True)
    ordinal: Mapped[int] = mapped_column()
    kind: Mapped[VersionKind] = enum_column(VersionKind, "outgoing_version_kind")
    file_id: Mapped[int] = mapped_column(sa.ForeignKey("stored_file.id"))
    note: Mapped[str] = mapped_column(sa.String(500), default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class OutgoingAppendix(Base):
    """A separate-file appendix (phụ lục); sealed on its own at issue (domain.md §4.5, §11.3)."""

    __tablename__ = "outgoing_appendix"

    id: Mapped[int] = mapped_column(primary_key=True)
    outgoing_id: Mapped[int] = mapped_column(sa.ForeignKey("outgoing_document.id", ondelete="CASCADE"), index=True)
    ordinal: Mapped[int] = mapped_column()
    title: Mapped[str] = mapped_column(sa.String(300), default="")
    file_id: Mapped[int] = mapped_column(sa.ForeignKey("stored_file.id"))
    sealed_file_id: Mapped[int | None] = mapped_column(sa.ForeignKey("stored_file.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class OutgoingRecipient(TimestampMixin, Base):
    """Nơi nhận: an agency of the platform, an agency on the axis or an internal unit, with its delivery status."""

    __tablename__ = "outgoing_recipient"
    __table_args__ = (
        sa.CheckConstraint("recipient_agency_id IS NOT NULL OR recipient_unit_id IS NOT NULL "
                           "OR directory_id IS NOT NULL", name="has_target"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    outgoing_id: Mapped[int] = mapped_column(sa.ForeignKey("outgoing_document.id", ondelete="CASCADE"), index=True)
    kind: Mapped[RecipientKind] = enum_column(RecipientKind, "recipient_kind")
    recipient_agency_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agency.id"))
    recipient_unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id"))
    directory_id: Mapped[int | None] = mapped_column(sa.ForeignKey("directory_agency.id"))
    """An agency outside the deployment, reached over the national axis (``recipient_agency_id`` is empty)."""
    name: Mapped[str] = mapped_column(sa.String(200))
    status: Mapped[DeliveryStatus] = enum_column(DeliveryStatus, "delivery_status", default=DeliveryStatus.QUEUED)
    status_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status_note: Mapped[str] = mapped_column(sa.Text, default="")
    incoming_id: Mapped[int | None] = mapped_column(sa.ForeignKey("incoming_document.id"), unique=True)
    recall_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    """First moment the package left us (handed to the axis, or delivered on the platform)."""
    arrived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    """First moment the line reached 01 (arrived) or beyond."""
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    """First moment the line reached 03 (accepted: the recipient's acknowledgement) or beyond."""
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    """First moment the line reached 06 (done)."""
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    """First moment the recipient rejected the package (02); the reason is in ``status_note``."""

    @validates("status")
    def _stamp_milestones(self, _key: str, value: DeliveryStatus) -> DeliveryStatus:
        stamp_milestones(self, value)
        return value


class OutgoingEvent(Base):
    """History and comments: transitions, returns with their comment, uploads, signatures."""

    __tablename__ = "outgoing_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    outgoing_id: Mapped[int] = mapped_column(sa.ForeignKey("outgoing_document.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    actor_name: Mapped[str] = mapped_column(sa.String(200), default="")
    kind: Mapped[str] = mapped_column(sa.String(32))
    from_state: Mapped[str | None] = mapped_column(sa.String(32))
    to_state: Mapped[str | None] = mapped_column(sa.String(32))
    text: Mapped[str] = mapped_column(sa.Text, default="")


class SigningImage(Base):
    """An uploaded signature (per user) or seal (per agency) PNG; the newest row of an owner is in use."""

    __tablename__ = "signing_image"
    __table_args__ = (
        sa.CheckConstraint("user_id IS NOT NULL OR agency_id IS NOT NULL", name="has_owner"),
        sa.Index("ix_signing_image_owner", "kind", "user_id", "agency_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[SigningImageKind] = enum_column(SigningImageKind, "signing_image_kind")
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    agency_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agency.id"))
    sha256: Mapped[str] = mapped_column(sa.String(64))
    width_px: Mapped[int] = mapped_column()
    height_px: Mapped[int] = mapped_column()
    size_mm: Mapped[int] = mapped_column(default=0)
    """Seal diameter in millimetres (real size, domain.md §11.2); 0 for signatures."""
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    generated: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ExchangeReceipt(TimestampMixin, Base):
    """The receiving side of a platform delivery: which incoming document came from which recipient line.

    Holds the verification report made on receipt (§12.2) and the recall notice (§8.2), so the
    incoming document's metadata stays while its content becomes inaccessible.
    """

    __tablename__ = "exchange_receipt"

    incoming_id: Mapped[int] = mapped_column(sa.ForeignKey("incoming_document.id", ondelete="CASCADE"),
                                             primary_key=True)
    recipient_id: Mapped[int] = mapped_column(sa.ForeignKey("outgoing_recipient.id"), unique=True)
    verification: Mapped[str] = mapped_column(sa.Text, default="")
    """JSON list of ``{field, signer, verdict, message}`` (empty: not checked yet)."""
    verified_ok: Mapped[bool | None] = mapped_column()
    last_status: Mapped[str] = mapped_column(sa.String(32), default="")
    recall_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    recall_reason: Mapped[str] = mapped_column(sa.Text, default="")
    recall_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    recall_confirmed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    recall_refused_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    recall_refusal: Mapped[str] = mapped_column(sa.Text, default="")
    """The clerk's reason for refusing the recall (sent to the sender)."""
