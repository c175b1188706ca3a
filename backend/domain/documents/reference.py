"""Reference data for documents: Vietnamese labels of the enumerations and the document-type table.

Labels come from the message catalogue (``backend/locale/vi/incoming.json``) so that pages, exports
and the JSON API name things identically.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.models import Confidentiality, DocumentSource, DocumentType, Urgency
from backend.lib.i18n import t

__all__ = [
    "confidentiality_options", "document_types", "source_label", "source_options", "type_label",
    "urgency_label", "urgency_options",
]


def urgency_label(urgency: Urgency | str) -> str:
    return t(f"doc.urgency.{Urgency(urgency).value}")


def source_label(source: DocumentSource | str) -> str:
    return t(f"doc.source.{DocumentSource(source).value}")


def urgency_options() -> list[tuple[str, str]]:
    """(value, label) most urgent first, then Thường."""
    ordered = [Urgency.NORMAL, Urgency.KHAN, Urgency.THUONG_KHAN, Urgency.HOA_TOC]
    return [(u.value, urgency_label(u)) for u in ordered]


def confidentiality_options() -> list[tuple[str, str]]:
    return [(c.value, t(f"doc.confidentiality.{c.value}")) for c in Confidentiality]


def source_options() -> list[tuple[str, str]]:
    return [(s.value, source_label(s)) for s in DocumentSource]


def type_label(doc_type: DocumentType) -> str:
    """``Quyết định (cá biệt) (QĐ)``; types without an abbreviation show the name only."""
    return f"{doc_type.name} ({doc_type.abbreviation})" if doc_type.abbreviation else doc_type.name


async def document_types(db: AsyncSession, agency_id: int) -> Sequence[DocumentType]:
    """Active national types plus the agency's own, in table order."""
    return (await db.scalars(
        sa.select(DocumentType)
        .where(DocumentType.is_active.is_(True),
               sa.or_(DocumentType.agency_id.is_(None), DocumentType.agency_id == agency_id))
        .order_by(DocumentType.sort_order, DocumentType.id)
    )).all()
