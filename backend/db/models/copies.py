"""Copies (bản sao, domain.md §4.11, §5.5): sao y, trích sao and sao lục made by an agency's clerk.

Every copy an agency makes draws its number from one series per agency and calendar year
(``copy_counter``), whatever the copy type. A copy is made from an issued outgoing or a registered
incoming document of the same agency (exactly one of ``incoming_id`` / ``outgoing_id``); a sao lục
is made from an earlier sao y (``based_on_id``). The signed PDF is a stored file; the number and
symbol of the source and its summary are copied onto the row so the register is served by the
``(agency_id, year, number)`` index alone.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.base import Base, UTCDateTime, enum_column, utcnow

__all__ = ["CopyCounter", "CopyKind", "DocumentCopy"]


class CopyKind(StrEnum):
    """Sao y (SY), trích sao (TrS), sao lục (SL) — domain.md §3.1."""

    SAO_Y = "sao_y"
    TRICH_SAO = "trich_sao"
    SAO_LUC = "sao_luc"

    @property
    def abbreviation(self) -> str:
        """The abbreviation in the copy symbol: ``SY``, ``TrS``, ``SL``."""
        return {"sao_y": "SY", "trich_sao": "TrS", "sao_luc": "SL"}[self.value]

    @property
    def label(self) -> str:
        """The copy form printed in the organisation signature (§11.4): ``SAO Y``, ``TRÍCH SAO``, ``SAO LỤC``."""
        return {"sao_y": "SAO Y", "trich_sao": "TRÍCH SAO", "sao_luc": "SAO LỤC"}[self.value]


class CopyCounter(Base):
    """The copy series of one agency in one calendar year (one row, locked to allocate)."""

    __tablename__ = "copy_counter"

    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agency.id"), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last_number: Mapped[int] = mapped_column(default=0)


class DocumentCopy(Base):
    """One electronic copy with the copying agency's organisation signature."""

    __tablename__ = "document_copy"
    __table_args__ = (
        sa.UniqueConstraint("agency_id", "year", "number"),
        sa.CheckConstraint("(incoming_id IS NULL) <> (outgoing_id IS NULL)", name="one_source"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agency.id"))
    kind: Mapped[CopyKind] = enum_column(CopyKind, "copy_kind")
    incoming_id: Mapped[int | None] = mapped_column(sa.ForeignKey("incoming_document.id"), index=True)
    outgoing_id: Mapped[int | None] = mapped_column(sa.ForeignKey("outgoing_document.id"), index=True)
    based_on_id: Mapped[int | None] = mapped_column(sa.ForeignKey("document_copy.id"))
    """The sao y a sao lục was made from."""
    year: Mapped[int] = mapped_column()
    number: Mapped[int] = mapped_column()
    symbol: Mapped[str] = mapped_column(sa.String(40))
    """``01/SY-UBND`` (number, copy type, agency abbreviation)."""
    first_page: Mapped[int | None] = mapped_column()
    last_page: Mapped[int | None] = mapped_column()
    """The extracted page range of a trích sao (1-based, inclusive); ``None`` for whole copies."""
    source_reference: Mapped[str] = mapped_column(sa.String(60))
    source_summary: Mapped[str] = mapped_column(sa.String(500))
    file_id: Mapped[int] = mapped_column(sa.ForeignKey("stored_file.id"))
    page_count: Mapped[int] = mapped_column(default=0)
    credential_id: Mapped[str] = mapped_column(sa.String(100), default="")
    made_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    made_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
