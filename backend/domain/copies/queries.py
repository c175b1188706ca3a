"""Read queries of copies: the copies of one document and the copy register (sổ bản sao).

The register lists one year of the agency's copy series, newest number first, a keyset page at
a time (cursor = the last number shown); ``(agency_id, year, number)`` is the unique index that
serves it, and every row carries what the page shows (no join).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.models import DocumentCopy
from backend.domain.accounts.actor import Actor
from backend.domain.copies.policies import visible_copies
from backend.domain.copies.sources import Source

__all__ = ["PAGE_SIZE", "RegisterPage", "copies_of", "register_page"]

PAGE_SIZE = 50


@dataclass(frozen=True, slots=True)
class RegisterPage:
    """One page of the register; ``next_cursor`` is ``None`` on the last page."""

    rows: Sequence[DocumentCopy]
    next_cursor: int | None


async def copies_of(db: AsyncSession, actor: Actor, source: Source) -> list[DocumentCopy]:
    """The copies of ``source`` the actor may see, newest first."""
    column = DocumentCopy.incoming_id if source.kind == "incoming" else DocumentCopy.outgoing_id
    query = visible_copies(actor).where(column == source.doc_id).order_by(DocumentCopy.id.desc())
    return list((await db.scalars(query)).all())


async def register_page(db: AsyncSession, actor: Actor, year: int, cursor: int | None = None,
                        size: int = PAGE_SIZE) -> RegisterPage:
    """Copies numbered in ``year``, highest number first, after ``cursor`` (a number) when given."""
    query = visible_copies(actor).where(DocumentCopy.year == year)
    if cursor is not None:
        query = query.where(DocumentCopy.number < cursor)
    rows = list((await db.scalars(query.order_by(DocumentCopy.number.desc()).limit(size + 1))).all())
    return RegisterPage(rows[:size], rows[size - 1].number if len(rows) > size else None)
