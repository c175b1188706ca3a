"""The file catalogue (danh mục hồ sơ, domain.md §4.10) and work files (hồ sơ, §4.9).

A catalogue belongs to one agency and one year; its headings are major (Roman ordinal, no parent)
or minor (Arabic ordinal, under a major heading); its items are the planned files with their number
and symbol (§5.6). A work file is opened from an item or ad hoc; its documents are links to incoming
or outgoing documents (one document may sit in several files without being copied, §18 item 40).

The lifecycle lives in ``backend.domain.workfiles.workflow``; ``WorkFileState`` is defined here only
because the column needs it.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, validates

from backend.db.base import Base, TimestampMixin, UTCDateTime, enum_column, utcnow
from backend.db.state_guard import guard_state

__all__ = [
    "CatalogueHeading", "CatalogueItem", "FileCatalogue", "WorkFile", "WorkFileDocument", "WorkFileEvent",
    "WorkFilePackage", "WorkFileState",
]


class WorkFileState(StrEnum):
    """Where a work file stands (domain.md §14.3)."""

    OPEN = "open"
    CLOSED = "closed"
    SUBMITTED = "submitted"
    RETAINED = "retained"
    ARCHIVED = "archived"


class FileCatalogue(TimestampMixin, Base):
    """The file catalogue of one agency for one year."""

    __tablename__ = "file_catalogue"
    __table_args__ = (sa.UniqueConstraint("agency_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agency.id"))
    year: Mapped[int] = mapped_column()
    decision_no: Mapped[str] = mapped_column(sa.String(50), default="")
    """Number and symbol of the head's approving decision (may be filled in later)."""


class CatalogueHeading(Base):
    """A major heading (``parent_id`` empty, Roman ordinal) or a minor heading under one (Arabic ordinal)."""

    __tablename__ = "catalogue_heading"

    id: Mapped[int] = mapped_column(primary_key=True)
    catalogue_id: Mapped[int] = mapped_column(sa.ForeignKey("file_catalogue.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("catalogue_heading.id"))
    ordinal: Mapped[int] = mapped_column()
    name: Mapped[str] = mapped_column(sa.String(300))
    abbreviation: Mapped[str] = mapped_column(sa.String(15), default="")


class CatalogueItem(Base):
    """A planned file: number, number and symbol (``01.TCCB``), title, retention, creator, expected count."""

    __tablename__ = "catalogue_item"
    __table_args__ = (sa.UniqueConstraint("catalogue_id", "file_notation"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    catalogue_id: Mapped[int] = mapped_column(sa.ForeignKey("file_catalogue.id", ondelete="CASCADE"))
    heading_id: Mapped[int] = mapped_column(sa.ForeignKey("catalogue_heading.id"), index=True)
    file_number: Mapped[int] = mapped_column()
    file_notation: Mapped[str] = mapped_column(sa.String(20))
    title: Mapped[str] = mapped_column(sa.String(500))
    retention: Mapped[str] = mapped_column(sa.String(30))
    creator_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    expected_count: Mapped[int | None] = mapped_column()
    note: Mapped[str] = mapped_column(sa.String(500), default="")


class WorkFile(TimestampMixin, Base):
    """A work file (hồ sơ): the metadata of §4.9 plus its owner, catalogue item and state."""

    __tablename__ = "work_file"
    __table_args__ = (sa.Index("ix_work_file_owner", "agency_id", "owner_user_id", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agency.id"), index=True)
    state: Mapped[WorkFileState] = enum_column(WorkFileState, "work_file_state", default=WorkFileState.OPEN)

    @validates("state")
    def _only_the_engine_moves_state(self, _key: str, value: WorkFileState) -> WorkFileState:
        return guard_state(self, value)

    catalogue_item_id: Mapped[int | None] = mapped_column(sa.ForeignKey("catalogue_item.id"), index=True)
    year: Mapped[int] = mapped_column()
    file_notation: Mapped[str] = mapped_column(sa.String(20))
    title: Mapped[str] = mapped_column(sa.String(500))
    retention: Mapped[str] = mapped_column(sa.String(30))
    rights: Mapped[str] = mapped_column(sa.String(30))
    language: Mapped[str] = mapped_column(sa.String(50), default="Tiếng Việt")
    owner_user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    owner_unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id"))
    start_date: Mapped[date] = mapped_column(sa.Date)
    end_date: Mapped[date | None] = mapped_column(sa.Date)
    description: Mapped[str] = mapped_column(sa.String(500), default="")
    doc_total: Mapped[int] = mapped_column(default=0)
    page_total: Mapped[int] = mapped_column(default=0)
    capital_construction: Mapped[bool] = mapped_column(default=False)
    """A capital-construction file: due for transfer three months after ``settlement_date``."""
    settlement_date: Mapped[date | None] = mapped_column(sa.Date)
    """The date of the project's final settlement (quyết toán), for capital-construction files."""
    retained_until: Mapped[date | None] = mapped_column(sa.Date)
    """While kept back (giữ lại) with a leader's approval: the last day of the keep-back (at most two years)."""
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class WorkFileDocument(Base):
    """One member of one file at ``position``: exactly one of ``incoming_id``, ``outgoing_id`` or a ``note``."""

    __tablename__ = "work_file_document"
    __table_args__ = (
        sa.UniqueConstraint("work_file_id", "incoming_id"),
        sa.UniqueConstraint("work_file_id", "outgoing_id"),
        sa.CheckConstraint(
            "(CASE WHEN incoming_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN outgoing_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN note IS NULL THEN 0 ELSE 1 END) = 1", name="one_member"),
        sa.Index("ix_work_file_document_order", "work_file_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    work_file_id: Mapped[int] = mapped_column(sa.ForeignKey("work_file.id", ondelete="CASCADE"))
    incoming_id: Mapped[int | None] = mapped_column(sa.ForeignKey("incoming_document.id"), index=True)
    outgoing_id: Mapped[int | None] = mapped_column(sa.ForeignKey("outgoing_document.id"), index=True)
    note: Mapped[str | None] = mapped_column(sa.String(1000))
    """A short note of the file's owner or a clerk (ghi chú), instead of a document."""
    position: Mapped[int] = mapped_column()
    added_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class WorkFileEvent(Base):
    """The history of a work file: opening, documents added/removed/reordered, closing."""

    __tablename__ = "work_file_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    work_file_id: Mapped[int] = mapped_column(sa.ForeignKey("work_file.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    actor_name: Mapped[str] = mapped_column(sa.String(200), default="")
    kind: Mapped[str] = mapped_column(sa.String(32))
    from_state: Mapped[str | None] = mapped_column(sa.String(32))
    to_state: Mapped[str | None] = mapped_column(sa.String(32))
    text: Mapped[str] = mapped_column(sa.Text, default="")


class WorkFilePackage(Base):
    """One export of a file frozen when it was handed to the archive (the transfer package): ``pdf`` or ``xml``.

    Made once per file and format by the job ``workfiles.transfer_package``; the blob (``sha256``) is what the
    archive received, whatever happens to the live exports later.
    """

    __tablename__ = "work_file_package"
    __table_args__ = (sa.UniqueConstraint("work_file_id", "format"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    work_file_id: Mapped[int] = mapped_column(sa.ForeignKey("work_file.id", ondelete="CASCADE"))
    format: Mapped[str] = mapped_column(sa.String(8))
    sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    size: Mapped[int] = mapped_column(sa.BigInteger)
    documents: Mapped[int] = mapped_column()
    made_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
