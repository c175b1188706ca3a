"""The incoming register (Sổ đăng ký văn bản đến, domain.md §15) and its CSV/XLSX exports.

The register lists the registered documents of the actor's agency whose arrival date falls in
a date range, in arrival-number order, with the ten columns of ND 30 PL IV. Rows come from
:func:`visible_incoming`, like every other list. Exports never mutate anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.models import (
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    DocumentType,
    IncomingDocument,
    IncomingState,
    Unit,
    User,
)
from backend.domain.accounts.actor import Actor
from backend.domain.incoming.policies import visible_incoming
from backend.lib.clock import VN_TZ, to_local
from backend.lib.i18n import t
from backend.lib.tabular import csv_bytes, xlsx_bytes

__all__ = ["BookRow", "book_csv", "book_rows", "book_xlsx", "columns", "default_range"]

_ROLE_ORDER = {AssignmentRole.LEAD: 0, AssignmentRole.COORDINATE: 1, AssignmentRole.INFORM: 2}


@dataclass(frozen=True, slots=True)
class BookRow:
    """One line of the register, already formatted for printing."""

    doc_id: int
    arrival_date: str
    arrival_number: str
    author: str
    reference: str
    issued_on: str
    type_and_summary: str
    recipients: str
    forwarded_on: str
    signature: str
    note: str

    def cells(self) -> list[str]:
        return [self.arrival_date, self.arrival_number, self.author, self.reference, self.issued_on,
                self.type_and_summary, self.recipients, self.forwarded_on, self.signature, self.note]


def columns() -> list[str]:
    """The ten column headings (ND 30 PL IV)."""
    return [t(f"incoming.book.col{n}") for n in range(1, 11)]


def default_range(today: date) -> tuple[date, date]:
    """From the first day of the current month to today."""
    return today.replace(day=1), today


def _day(moment: datetime | None) -> str:
    return to_local(moment).strftime("%d/%m/%Y") if moment else ""


async def book_rows(db: AsyncSession, actor: Actor, start: date, end: date) -> Sequence[BookRow]:
    """Registered documents whose arrival (reception) date is within ``[start, end]``."""
    lower = datetime.combine(start, time.min, VN_TZ)
    upper = datetime.combine(end + timedelta(days=1), time.min, VN_TZ)
    in_range = (visible_incoming(actor)
                .where(IncomingDocument.arrival_number.is_not(None), IncomingDocument.received_at >= lower,
                       IncomingDocument.received_at < upper))
    doc = IncomingDocument
    # Plain columns, not ORM objects: a month of a province clerk is thousands of rows.
    query = (in_range.with_only_columns(
                doc.id, doc.received_at, doc.arrival_number, doc.issuer_name, doc.code_number, doc.code_notation,
                doc.issued_on, doc.summary, doc.submitted_at, doc.assigned_at, doc.description, doc.state,
                doc.return_reason, DocumentType.name.label("type_name"))
             .join(DocumentType, DocumentType.id == IncomingDocument.document_type_id)
             .order_by(IncomingDocument.arrival_year, IncomingDocument.arrival_number))
    rows = (await db.execute(query)).all()
    recipients: dict[int, list[tuple[int, str]]] = {}
    if rows:
        # The same range as a sub-select, not one bound parameter per document: a province clerk's
        # month has tens of thousands of rows, above the drivers' 32,767-parameter limit.
        lines = (await db.execute(
            sa.select(Assignment.incoming_id, Assignment.role, Unit.name, User.full_name)
            .outerjoin(Unit, Unit.id == Assignment.assignee_unit_id)
            .outerjoin(User, User.id == Assignment.assignee_user_id)
            .where(Assignment.incoming_id.in_(in_range.with_only_columns(IncomingDocument.id)),
                   Assignment.parent_id.is_(None), Assignment.status != AssignmentStatus.CANCELLED)
            .order_by(Assignment.id)
        )).all()
        for incoming_id, role, unit_name, person in lines:
            recipients.setdefault(incoming_id, []).append((_ROLE_ORDER[role], unit_name or person or ""))
    result = []
    for row in rows:
        names = [name for _order, name in sorted(recipients.get(row.id, []), key=lambda item: item[0])]
        note = row.description
        if row.state == IncomingState.RETURNED:
            note = "; ".join(p for p in (note, t("incoming.book.returned", reason=row.return_reason)) if p)
        elif row.state == IncomingState.CANCELLED:
            note = "; ".join(p for p in (note, t("incoming.book.cancelled")) if p)
        result.append(BookRow(
            doc_id=row.id,
            arrival_date=_day(row.received_at),
            arrival_number=str(row.arrival_number),
            author=row.issuer_name,
            reference=f"{row.code_number}/{row.code_notation}",
            issued_on=row.issued_on.strftime("%d/%m/%Y"),
            type_and_summary=f"{row.type_name}: {row.summary}",
            recipients="; ".join(names),
            forwarded_on=_day(row.submitted_at or row.assigned_at),
            signature="",
            note=note,
        ))
    return result


def book_csv(rows: Sequence[BookRow]) -> bytes:
    """UTF-8 CSV with a BOM (so spreadsheet programs detect the encoding)."""
    return csv_bytes(columns(), [row.cells() for row in rows])


_WIDTHS = (12, 8, 30, 18, 12, 50, 30, 12, 12, 25)


def book_xlsx(rows: Sequence[BookRow], agency_name: str, start: date, end: date) -> bytes:
    """The register as an XLSX workbook with a title row and wrapped columns (the arrival number as a number)."""
    title = t("incoming.book.title", agency=agency_name, start=start.strftime("%d/%m/%Y"),
              end=end.strftime("%d/%m/%Y"))
    cells: list[list[str | int]] = []
    for row in rows:
        line: list[str | int] = list(row.cells())
        line[1] = int(row.arrival_number)
        cells.append(line)
    return xlsx_bytes(t("incoming.book.sheet"), title, columns(), cells, _WIDTHS)
