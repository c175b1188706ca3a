"""The shared document entity: reference enumerations, document types and stored files.

Document types (ND 30 Đ.7, domain.md §3.1) are reference data seeded by the migration; an agency
may add its own (``agency_id`` set). Files keep the original bytes in the blob store under their
SHA-256; the row holds what the UI needs without opening the file.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.base import Base, TimestampMixin, UTCDateTime, enum_column, utcnow

__all__ = [
    "Confidentiality", "DocumentSource", "DocumentType", "DocumentTypeCategory", "StoredFile", "Urgency",
]


class Urgency(StrEnum):
    """Mức độ khẩn (domain.md §3.3). The value order is the sort order (most urgent last)."""

    NORMAL = "normal"
    KHAN = "khan"
    THUONG_KHAN = "thuong_khan"
    HOA_TOC = "hoa_toc"

    @property
    def priority(self) -> int:
        """edXML ``Priority`` digit: 0 Thường, 1 Khẩn, 2 Thượng khẩn, 3 Hỏa tốc."""
        return list(Urgency).index(self)

    @property
    def is_urgent(self) -> bool:
        return self is not Urgency.NORMAL


class Confidentiality(StrEnum):
    """Độ mật (domain.md §3.4). Only ``NONE`` may ever be stored in this system."""

    NONE = "none"
    MAT = "mat"
    TOI_MAT = "toi_mat"
    TUYET_MAT = "tuyet_mat"


class DocumentSource(StrEnum):
    """How an incoming document arrived."""

    ELECTRONIC = "electronic"
    PAPER = "paper"
    EMAIL = "email"


class DocumentTypeCategory(StrEnum):
    """Administrative (ND 30), legal normative (VBQPPL) or sector-specific."""

    ADMINISTRATIVE = "administrative"
    LEGAL = "legal"
    SPECIALISED = "specialised"


class DocumentType(TimestampMixin, Base):
    """Tên loại văn bản with its abbreviation (case-sensitive: ``QyĐ``, ``TTr``)."""

    __tablename__ = "document_type"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    abbreviation: Mapped[str] = mapped_column(sa.String(10), default="")
    category: Mapped[DocumentTypeCategory] = enum_column(DocumentTypeCategory, "document_type_category")
    agency_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agency.id"), index=True)
    sort_order: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)


class StoredFile(Base):
    """A file attached to a document: original bytes in the blob store under ``sha256``."""

    __tablename__ = "stored_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    size: Mapped[int] = mapped_column(sa.BigInteger)
    content_type: Mapped[str] = mapped_column(sa.String(100))
    filename: Mapped[str] = mapped_column(sa.String(255))
    page_count: Mapped[int] = mapped_column(default=0)
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    content_warning: Mapped[str] = mapped_column(sa.String(32), default="", server_default="")
    """``javascript`` when the PDF carries JavaScript (accepted, shown with a warning); ``""`` otherwise."""
