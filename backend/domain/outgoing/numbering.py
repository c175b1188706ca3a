"""Outgoing numbers and symbols (số, ký hiệu, domain.md §5.1-5.2, §4.8).

A number is allocated only when the clerk numbers a signed document, inside that transaction,
under a row lock on the ``outgoing_counter`` row of (agency, year, series): ``SELECT … FOR UPDATE``
on PostgreSQL; on SQLite every transaction begins with ``BEGIN IMMEDIATE``, which serialises
writers the same way. The year is the Asia/Ho_Chi_Minh calendar year, so every series restarts at
01 on 1 January. Numbers are never reused (a recalled document keeps its number) and a unique
constraint on (agency, year, series, number) backs the lock.

Series (§4.8): administrative and specialised documents share one series per agency unless the
deployment chooses one series per type (``OUTGOING_SERIES=per_type``); each legal normative type
(VBQPPL) always has its own series and carries the year in its symbol (``30/2026/QĐ-UBND``).

A symbol longer than QCVN 102 allows for ``CodeNotation`` (30 characters) would make every
recipient on the axis refuse the document: :func:`symbol_problem` names it, the numbering refuses
it before a number is taken, and the administrator is told when an abbreviation would produce one
(:func:`longest_notation` over the agency's document types and units).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.locking import take_next
from backend.db.models import DocumentType, DocumentTypeCategory, OutgoingCounter
from backend.domain.exchange.edxml.limits import SYMBOL_LIMIT
from backend.domain.signing.nd30 import CONG_VAN, format_number, symbol_for
from backend.lib.clock import to_local
from backend.lib.i18n import t

__all__ = [
    "Allocated", "allocate_number", "longest_notation", "notation_for", "number_year", "series_for",
    "symbol_problem",
]

SHARED_SERIES = "administrative"


@dataclass(frozen=True, slots=True)
class Allocated:
    """A freshly allocated number: its series, year and value."""

    series: str
    year: int
    number: int

    @property
    def code_number(self) -> str:
        """``"05"``, ``"12"`` (leading zero below 10)."""
        return format_number(self.number)


def number_year(moment: datetime) -> int:
    """The Vietnamese calendar year of ``moment``."""
    return to_local(moment).year


def series_for(doc_type: DocumentType, per_type: bool = False) -> str:
    """The number series a document type draws from."""
    if doc_type.category == DocumentTypeCategory.LEGAL or per_type:
        return f"type:{doc_type.code}"
    return SHARED_SERIES


def notation_for(doc_type: DocumentType, issuer_abbr: str, unit_abbr: str | None, year: int) -> str:
    """The symbol: ``QĐ-UBND``, ``TTr-UBND``, ``QyĐ-UBND``; a Công văn ``UBND-VX``; VBQPPL ``2026/QĐ-UBND``."""
    type_abbr = doc_type.abbreviation or CONG_VAN
    symbol = symbol_for(type_abbr, issuer_abbr, unit_abbr if type_abbr == CONG_VAN else None)
    return f"{year}/{symbol}" if doc_type.category == DocumentTypeCategory.LEGAL else symbol


def longest_notation(
    doc_types: Sequence[DocumentType], issuer_abbr: str, unit_abbrs: Sequence[str | None], year: int
) -> str:
    """The longest symbol ``issuer_abbr`` can produce with these types and drafting units ("" for none).

    A legal type without an abbreviation (Luật, Hiến pháp: the National Assembly's) is skipped; it
    would otherwise be taken for a Công văn.
    """
    candidates = [
        notation_for(doc_type, issuer_abbr, unit_abbr, year)
        for doc_type in doc_types
        if issuer_abbr and (doc_type.abbreviation or doc_type.category != DocumentTypeCategory.LEGAL)
        for unit_abbr in (list(unit_abbrs) or [None])
    ]
    return max(candidates, key=len, default="")


def symbol_problem(notation: str, message_key: str = "edxml.symbol_too_long") -> str | None:
    """The Vietnamese message when ``notation`` exceeds the QCVN 102 ``CodeNotation`` limit, else ``None``."""
    if len(notation) <= SYMBOL_LIMIT:
        return None
    return t(message_key, symbol=notation, length=len(notation), limit=SYMBOL_LIMIT)


async def allocate_number(db: AsyncSession, agency_id: int, series: str, moment: datetime) -> Allocated:
    """Take the next number of ``series`` of ``agency_id`` for the year of ``moment``."""
    year = number_year(moment)
    return Allocated(series, year, await take_next(db, OutgoingCounter, agency_id=agency_id, year=year, series=series))
