"""The search index: one row per searchable document of any kind, plus a user's saved searches.

``search_entry`` is derived data, rebuilt from the documents (``backend.domain.search.indexer``); it is
generic over ``kind`` ("incoming", "outgoing", "workfile") so one query searches all.
The engine-specific full-text structures are not modelled here (they are listed in
:data:`backend.db.base.UNMODELLED`): SQLite's FTS5 table ``search_fts`` (rowid = ``search_entry.id``) and
PostgreSQL's generated ``search_entry.tsv`` column with its GIN index.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.base import Base, UTCDateTime, enum_column, utcnow

__all__ = ["ContentStatus", "SavedSearch", "SearchEntry"]


class ContentStatus(StrEnum):
    """Whether the text layer of the document's PDF is in the index."""

    PENDING = "pending"
    TEXT = "text"
    NO_TEXT_LAYER = "no_text_layer"
    UNREADABLE = "unreadable"


class SearchEntry(Base):
    """One searchable document: its filters, what a result shows, and the folded words that are matched."""

    __tablename__ = "search_entry"
    __table_args__ = (
        sa.UniqueConstraint("kind", "doc_id"),
        sa.Index("ix_search_entry_agency_date", "agency_id", "doc_date", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    doc_id: Mapped[int] = mapped_column()
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agency.id"))
    document_type_id: Mapped[int | None] = mapped_column(sa.ForeignKey("document_type.id"))
    urgency: Mapped[str] = mapped_column(sa.String(32))
    state: Mapped[str] = mapped_column(sa.String(32))
    is_draft: Mapped[bool] = mapped_column(default=False)
    issuer_folded: Mapped[str] = mapped_column(sa.String(200), default="")
    """The issuing agency (the sender of an incoming document, the own agency of an outgoing one), folded."""
    signer: Mapped[str] = mapped_column(sa.String(200), default="")
    signer_folded: Mapped[str] = mapped_column(sa.String(200), default="")
    doc_date: Mapped[date] = mapped_column(sa.Date)
    reference: Mapped[str] = mapped_column(sa.String(100), default="")
    title: Mapped[str] = mapped_column(sa.String(500), default="")
    metadata_text: Mapped[str] = mapped_column(sa.Text, default="")
    file_id: Mapped[int | None] = mapped_column()
    content_status: Mapped[ContentStatus] = enum_column(ContentStatus, "content_status",
                                                        default=ContentStatus.PENDING)
    content_text: Mapped[str] = mapped_column(sa.Text, default="")
    folded: Mapped[str] = mapped_column(sa.Text, default="")
    """``search_words`` of the metadata and the content, joined by spaces: what both engines index."""
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SavedSearch(Base):
    """A search a user keeps (the query string of the search page), listed on that page."""

    __tablename__ = "saved_search"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agency.id"))
    name: Mapped[str] = mapped_column(sa.String(100))
    query_string: Mapped[str] = mapped_column(sa.String(2000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
