"""The outgoing register (Sổ đăng ký văn bản đi, domain.md §15) and its CSV/XLSX exports.

Rows are the numbered documents of the actor's agency whose date falls in a range, in year,
series and number order, with the ten columns of ND 30 PL IV: number & symbol; date; type and
summary; signer; recipients; unit/person receiving the file copy (the drafting unit, "Lưu: VT");
number of copies (one electronic original per recipient); date sent; receipt signature (blank,
for the printed book); note (recall, paper copy, and amendments and replacements both ways:
"Thay thế văn bản số …" on the new document, "Đã bị thay thế bởi văn bản số …" on the old one,
Đ.18.3). Rows come from :func:`visible_outgoing`, like every other list; exports never mutate
anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.models import Agency, DocumentType, OutgoingDocument, OutgoingRecipient, Unit
from backend.db.models.outgoing import ReplaceKind
from backend.domain.accounts.actor import Actor
from backend.domain.organizations.signer_block import competence, signer_title
from backend.domain.outgoing.policies import visible_outgoing
from backend.lib.clock import to_local
from backend.lib.i18n import t
from backend.lib.tabular import csv_bytes, xlsx_bytes

__all__ = ["BookRow", "book_csv", "book_rows", "book_xlsx", "columns", "default_range"]

_WIDTHS = (18, 12, 50, 25, 35, 20, 8, 12, 12, 25)


@dataclass(frozen=True, slots=True)
class BookRow:
    """One line of the register, already formatted for printing."""

    doc_id: int
    reference: str
    issued_on: str
    type_and_summary: str
    signer: str
    recipients: str
    file_copy: str
    copies: str
    sent_on: str
    signature: str
    note: str

    def cells(self) -> list[str]:
        return [self.reference, self.issued_on, self.type_and_summary, self.signer, self.recipients,
                self.file_copy, self.copies, self.sent_on, self.signature, self.note]


def columns() -> list[str]:
    """The ten column headings (ND 30 PL IV)."""
    return [t(f"outgoing.book.col{n}") for n in range(1, 11)]


def default_range(today: date) -> tuple[date, date]:
    """From 1 January of the current year to today."""
    return today.replace(month=1, day=1), today


def _day(moment: datetime | None) -> str:
    return to_local(moment).strftime("%d/%m/%Y") if moment else ""


def _reference(doc: OutgoingDocument) -> str:
    return f"{doc.code_number}/{doc.code_notation}"


async def _correction_notes(db: AsyncSession, actor: Actor, docs: Sequence[OutgoingDocument]
                            ) -> dict[int, list[str]]:
    """Per document: what it amends or replaces, what replaced it and which issued documents amend it."""
    ids = [doc.id for doc in docs]
    linked = {i for doc in docs for i in (doc.replaces_id, doc.replaced_by_id) if i is not None}
    if not ids:
        return {}
    others = (await db.scalars(visible_outgoing(actor).where(sa.or_(
        OutgoingDocument.id.in_(linked),
        sa.and_(OutgoingDocument.replaces_id.in_(ids), OutgoingDocument.replace_kind == ReplaceKind.AMEND,
                OutgoingDocument.issued_at.is_not(None)))).order_by(OutgoingDocument.id))).all()
    by_id = {other.id: other for other in others}
    notes: dict[int, list[str]] = {}
    for doc in docs:
        earlier = by_id.get(doc.replaces_id) if doc.replaces_id else None
        if earlier is not None:
            key = "outgoing.book.amends" if doc.replace_kind == ReplaceKind.AMEND else "outgoing.book.replaces"
            notes.setdefault(doc.id, []).append(t(key, reference=_reference(earlier)))
        later = by_id.get(doc.replaced_by_id) if doc.replaced_by_id else None
        if later is not None:
            notes.setdefault(doc.id, []).append(t("outgoing.book.replaced_by", reference=_reference(later)))
    for other in others:
        if other.replaces_id in ids and other.replace_kind == ReplaceKind.AMEND and other.issued_at is not None:
            notes.setdefault(other.replaces_id, []).append(
                t("outgoing.book.amended_by", reference=_reference(other)))
    return notes


async def book_rows(db: AsyncSession, actor: Actor, start: date, end: date) -> Sequence[BookRow]:
    """Numbered documents dated within ``[start, end]``."""
    query = (visible_outgoing(actor).add_columns(DocumentType.name, Unit.abbreviation)
             .join(DocumentType, DocumentType.id == OutgoingDocument.document_type_id)
             .outerjoin(Unit, Unit.id == OutgoingDocument.drafting_unit_id)
             .where(OutgoingDocument.number.is_not(None), OutgoingDocument.issued_on >= start,
                    OutgoingDocument.issued_on <= end)
             .order_by(OutgoingDocument.number_year, OutgoingDocument.series, OutgoingDocument.number))
    rows = (await db.execute(query)).all()
    ids = [row[0].id for row in rows]
    names: dict[int, list[str]] = {}
    if ids:
        for outgoing_id, name in (await db.execute(
                sa.select(OutgoingRecipient.outgoing_id, OutgoingRecipient.name)
                .where(OutgoingRecipient.outgoing_id.in_(ids)).order_by(OutgoingRecipient.id))).tuples():
            names.setdefault(outgoing_id, []).append(name)
    corrections = await _correction_notes(db, actor, [row[0] for row in rows])
    agency = await db.get(Agency, actor.agency_id)
    assert agency is not None
    result = []
    for doc, type_name, unit_abbr in rows:
        notes = [doc.description] if doc.description else []
        notes += corrections.get(doc.id, [])
        if doc.recalled_at:
            notes.append(t("outgoing.book.recalled", reason=doc.recall_reason))
        if doc.paper_copy_required:
            notes.append(t("outgoing.book.paper"))
        signer = signer_title(competence(doc.signing_authority, agency), doc.signer_position)
        result.append(BookRow(
            doc_id=doc.id, reference=f"{doc.code_number}/{doc.code_notation}",
            issued_on=doc.issued_on.strftime("%d/%m/%Y") if doc.issued_on else "",
            type_and_summary=f"{type_name}: {doc.summary}", signer=f"{signer} {doc.signer_name}".strip(),
            recipients="; ".join(names.get(doc.id, [])), file_copy=", ".join(p for p in ("VT", unit_abbr) if p),
            copies=str(len(names.get(doc.id, []))), sent_on=_day(doc.issued_at), signature="",
            note="; ".join(notes)))
    return result


def book_csv(rows: Sequence[BookRow]) -> bytes:
    """The register as UTF-8 CSV."""
    return csv_bytes(columns(), [row.cells() for row in rows])


def book_xlsx(rows: Sequence[BookRow], agency_name: str, start: date, end: date) -> bytes:
    """The register as an XLSX workbook with a title row and wrapped columns."""
    title = t("outgoing.book.title", agency=agency_name, start=start.strftime("%d/%m/%Y"),
              end=end.strftime("%d/%m/%Y"))
    return xlsx_bytes(t("outgoing.book.sheet"), title, columns(), [row.cells() for row in rows], _WIDTHS)
