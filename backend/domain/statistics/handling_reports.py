"""Reports on incoming and outgoing handling (ND 30 PL VI items 78 and 80) of one agency and period.

* Incoming: every document received in the period, with its arrival number, author, reference,
  summary, the lead unit/person of its handling slip, the deadline, where it stands and whether it
  was handled on time (:func:`.figures.handling_status`).
* Outgoing: every document issued in the period, with its number, signer, how many recipients it
  went to and how many received, accepted or finished it (the delivery statuses of §8.4), and the
  paper copy.

Rows are plain columns (a big agency's month is thousands of documents); the caller has scoped
the agency (:func:`.scope.scoped_agency`). Exports use :mod:`backend.lib.tabular`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.models import (
    Agency,
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    DeliveryStatus,
    IncomingDocument,
    IncomingState,
    OutgoingDocument,
    OutgoingRecipient,
    Unit,
    User,
)
from backend.domain.incoming.workflow import STATE_LABELS
from backend.domain.statistics.figures import handling_status
from backend.domain.statistics.period import Period
from backend.lib.clock import to_local
from backend.lib.i18n import t
from backend.lib.tabular import xlsx_bytes

__all__ = [
    "IncomingLine", "OutgoingLine", "incoming_columns", "incoming_handling", "incoming_xlsx", "outgoing_columns",
    "outgoing_handling", "outgoing_xlsx", "status_label",
]

_RECEIVED = (DeliveryStatus.ARRIVED, DeliveryStatus.ACCEPTED, DeliveryStatus.ASSIGNED, DeliveryStatus.PROCESSING,
             DeliveryStatus.DONE)


def status_label(status: str | None) -> str:
    """Vietnamese label of a handling status (empty without a deadline)."""
    return t(f"statistics.status.{status}") if status else ""


def _day(moment: datetime | date | None) -> str:
    if moment is None:
        return ""
    if isinstance(moment, datetime):
        moment = to_local(moment).date()
    return moment.strftime("%d/%m/%Y")


@dataclass(frozen=True, slots=True)
class IncomingLine:
    """One line of the incoming handling report."""

    doc_id: int
    arrival_number: str
    received_on: str
    author: str
    reference: str
    summary: str
    lead: str
    due_on: str
    state: str
    completed_on: str
    status: str | None

    def cells(self) -> list[str]:
        return [self.arrival_number, self.received_on, self.author, self.reference, self.summary, self.lead,
                self.due_on, self.state, self.completed_on, status_label(self.status)]


@dataclass(frozen=True, slots=True)
class OutgoingLine:
    """One line of the outgoing handling report."""

    doc_id: int
    reference: str
    issued_on: str
    summary: str
    signer: str
    recipients: int
    received: int
    returned: int
    paper_copy: str

    def cells(self) -> list[str | int]:
        return [self.reference, self.issued_on, self.summary, self.signer, self.recipients, self.received,
                self.returned, self.paper_copy]


async def incoming_handling(db: AsyncSession, agency: Agency, period: Period, today: date) -> list[IncomingLine]:
    """The incoming documents received by ``agency`` in ``period``, in arrival order."""
    doc = IncomingDocument
    in_period = sa.and_(doc.agency_id == agency.id, doc.received_at >= period.lower, doc.received_at < period.upper)
    rows = (await db.execute(
        sa.select(doc.id, doc.arrival_number, doc.received_at, doc.issuer_name, doc.code_number, doc.code_notation,
                  doc.summary, doc.due_on, doc.state, doc.completed_at)
        .where(in_period).order_by(doc.received_at, doc.id))).all()
    leads: dict[int, str] = {}
    for incoming_id, unit_name, person in await db.execute(
            sa.select(Assignment.incoming_id, Unit.name, User.full_name)
            .join(doc, doc.id == Assignment.incoming_id)
            .outerjoin(Unit, Unit.id == Assignment.assignee_unit_id)
            .outerjoin(User, User.id == Assignment.assignee_user_id)
            .where(in_period, Assignment.parent_id.is_(None), Assignment.role == AssignmentRole.LEAD,
                   Assignment.status.not_in((AssignmentStatus.CANCELLED, AssignmentStatus.CLOSED)))
            .order_by(Assignment.id)):
        leads.setdefault(incoming_id, unit_name or person or "")
    return [IncomingLine(
        doc_id=r.id, arrival_number="" if r.arrival_number is None else str(r.arrival_number),
        received_on=_day(r.received_at), author=r.issuer_name, reference=f"{r.code_number}/{r.code_notation}",
        summary=r.summary, lead=leads.get(r.id, ""), due_on=_day(r.due_on), state=STATE_LABELS[IncomingState(r.state)],
        completed_on=_day(r.completed_at),
        status=handling_status(r.due_on, r.completed_at, r.state == IncomingState.COMPLETED, today))
        for r in rows]


async def outgoing_handling(db: AsyncSession, agency: Agency, period: Period) -> list[OutgoingLine]:
    """The outgoing documents issued by ``agency`` in ``period``, in issue order."""
    doc = OutgoingDocument
    recipients = (sa.select(OutgoingRecipient.outgoing_id, sa.func.count().label("total"),
                            sa.func.sum(sa.case((OutgoingRecipient.status.in_(_RECEIVED), 1), else_=0))
                            .label("received"),
                            sa.func.sum(sa.case((OutgoingRecipient.status == DeliveryStatus.RETURNED, 1), else_=0))
                            .label("returned"))
                  .group_by(OutgoingRecipient.outgoing_id).subquery())
    rows = (await db.execute(
        sa.select(doc.id, doc.code_number, doc.code_notation, doc.issued_at, doc.summary, doc.signer_name,
                  doc.paper_copy_required, doc.paper_copy_sent_at, recipients.c.total, recipients.c.received,
                  recipients.c.returned)
        .outerjoin(recipients, recipients.c.outgoing_id == doc.id)
        .where(doc.agency_id == agency.id, doc.issued_at >= period.lower, doc.issued_at < period.upper)
        .order_by(doc.issued_at, doc.id))).all()

    def paper(required: bool, sent: datetime | None) -> str:
        if sent is not None:
            return t("statistics.paper.sent", day=_day(sent))
        return t("statistics.paper.missing") if required else ""

    return [OutgoingLine(
        doc_id=r.id, reference=f"{r.code_number}/{r.code_notation}", issued_on=_day(r.issued_at), summary=r.summary,
        signer=r.signer_name, recipients=r.total or 0, received=int(r.received or 0), returned=int(r.returned or 0),
        paper_copy=paper(r.paper_copy_required, r.paper_copy_sent_at)) for r in rows]


def incoming_columns() -> list[str]:
    return t("statistics.report.incoming_columns").split("|")


def outgoing_columns() -> list[str]:
    return t("statistics.report.outgoing_columns").split("|")


def incoming_xlsx(lines: list[IncomingLine], agency: Agency, period: Period) -> bytes:
    """The incoming handling report as a workbook."""
    title = t("statistics.report.incoming_title", agency=agency.name, period=period.label)
    return xlsx_bytes("Xu ly VB den", title, incoming_columns(), [line.cells() for line in lines],
                      [8, 12, 28, 16, 48, 24, 12, 16, 12, 14])


def outgoing_xlsx(lines: list[OutgoingLine], agency: Agency, period: Period) -> bytes:
    """The outgoing handling report as a workbook."""
    title = t("statistics.report.outgoing_title", agency=agency.name, period=period.label)
    return xlsx_bytes("Xu ly VB di", title, outgoing_columns(), [line.cells() for line in lines],
                      [16, 12, 48, 24, 10, 10, 10, 20])
