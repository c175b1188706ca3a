"""The figures of each agency in a period, computed live from the documents (issue 15 item 3).

Three scoped aggregate queries, whatever the number of agencies: the incoming documents received
in the period, the outgoing documents issued in it, and the outgoing documents recalled in it
(each ``agency_id IN`` the actor's scope, :func:`.scope.statistics_agency_ids`), each grouped by
agency so only one row per agency leaves the database. The timing rules of
:mod:`backend.domain.incoming.timing` (registration by the end of the same day for urgent
documents or of the next working day otherwise; the clerk's office-hour SLA) are evaluated in SQL
against the working-day calendar joined as a table (:mod:`.calendar_table`). Definitions
(docs/statistics.md):

* received — via the platform (an ``exchange_receipt`` row), via the axis (electronic without one),
  by e-mail, on paper; verification failures are receipts whose signature check failed;
* issued — signed electronically or not, with a paper copy sent, paper only (a paper copy and no
  agency reached electronically); on time when issued by the end of the working day after signing;
* handling — documents with a handling deadline: done on time, done late, overdue (open past the
  deadline), open (not yet due), as of ``now``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from backend.config.settings import Settings
from backend.db.models import (
    Agency,
    DocumentSource,
    ExchangeReceipt,
    IncomingDocument,
    IncomingState,
    OutgoingDocument,
    OutgoingRecipient,
    RecipientKind,
    Urgency,
)
from backend.domain.incoming.timing import calendar_for
from backend.domain.statistics.calendar_table import CalendarTable, first_day
from backend.domain.statistics.period import Period
from backend.domain.statistics.sql import day_number, epoch, local_day, local_day_of
from backend.lib.clock import to_local

__all__ = [
    "AgencyFigures", "IncomingFigures", "OutgoingFigures", "agency_figures", "calendar_table", "handling_status",
    "share", "status_on", "total",
]

_ORDINAL_1970 = date(1970, 1, 1).toordinal()


@dataclass(slots=True)
class IncomingFigures:
    """Incoming documents received in the period."""

    received: int = 0
    via_platform: int = 0
    via_axis: int = 0
    via_email: int = 0
    on_paper: int = 0
    registered_on_time: int = 0
    registered_late: int = 0
    clerk_sla_met: int = 0
    clerk_sla_breached: int = 0
    verification_failed: int = 0
    recalled_by_sender: int = 0
    with_deadline: int = 0
    handled_on_time: int = 0
    handled_late: int = 0
    overdue: int = 0
    open_not_due: int = 0
    noncompliant: int = 0
    """Received on paper or registered late (each document once): the compliance report's count."""


@dataclass(slots=True)
class OutgoingFigures:
    """Outgoing documents issued (or recalled) in the period."""

    issued: int = 0
    signed: int = 0
    unsigned: int = 0
    with_paper_copy: int = 0
    paper_only: int = 0
    issued_on_time: int = 0
    issued_late: int = 0
    paper_copy_required: int = 0
    paper_copy_missing: int = 0
    paper_copy_unneeded: int = 0
    recalled: int = 0
    noncompliant: int = 0
    """Unsigned, paper only, paper copy missing or not needed, or issued late (each document once)."""


@dataclass(slots=True)
class AgencyFigures:
    """One agency's figures; ``parent_id`` lets the page nest communes under their district."""

    agency_id: int
    name: str
    level: str
    parent_id: int | None
    incoming: IncomingFigures = field(default_factory=IncomingFigures)
    outgoing: OutgoingFigures = field(default_factory=OutgoingFigures)


def status_on(due_day: int | None, completed_day: int | None, done: bool, today_day: int) -> str | None:
    """``on_time`` / ``late`` / ``overdue`` / ``open`` for a deadline (day numbers); ``None`` without one."""
    if due_day is None:
        return None
    if done:
        return "on_time" if completed_day is None or completed_day <= due_day else "late"
    return "overdue" if due_day < today_day else "open"


def handling_status(due_on: date | None, completed_at: datetime | None, done: bool, today: date) -> str | None:
    """:func:`status_on` for dates and moments."""
    return status_on(None if due_on is None else due_on.toordinal() - _ORDINAL_1970,
                     None if completed_at is None else to_local(completed_at).date().toordinal() - _ORDINAL_1970,
                     done, today.toordinal() - _ORDINAL_1970)


def _count(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
    return sa.func.sum(sa.case((condition, 1), else_=0))


def _flag(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
    return sa.case((condition, 1), else_=0)


def _incoming_counts(agency_ids: sa.Select[tuple[int]], period: Period, cal: CalendarTable, now: datetime,
                     sla_hours: float) -> sa.Select[tuple[Any, ...]]:
    """One row per agency: the :class:`IncomingFigures` counts, in field order, computed by the database.

    The clerk's "done" moment is :func:`backend.domain.incoming.timing.clerk_done_at` in SQL: the
    earlier of submitted/returned, else the assignment; a document not passed on yet is measured
    against ``now``. The documents' columns are read once into a materialised CTE of plain numbers
    (otherwise both databases re-evaluate the timestamp conversions in every aggregate).
    """
    doc = IncomingDocument
    now_stamp = now.timestamp()
    today = local_day(now_stamp)
    done = sa.case(
        (sa.and_(doc.submitted_at.is_not(None), doc.returned_at.is_not(None)),
         sa.case((doc.submitted_at < doc.returned_at, epoch(doc.submitted_at)), else_=epoch(doc.returned_at))),
        else_=sa.func.coalesce(epoch(doc.submitted_at), epoch(doc.returned_at), epoch(doc.assigned_at)))
    now_literal = sa.literal(now_stamp, sa.Float)
    rows = (sa.select(
                doc.agency_id.label("agency_id"), epoch(doc.received_at).label("received"), done.label("done"),
                sa.func.coalesce(done, now_literal).label("reference"),
                local_day_of(epoch(doc.received_at)).label("received_day"),
                local_day_of(sa.func.coalesce(done, now_literal)).label("reference_day"),
                local_day_of(epoch(doc.completed_at)).label("completed_day"), day_number(doc.due_on).label("due"),
                _flag(doc.source == DocumentSource.PAPER).label("paper"),
                _flag(doc.source == DocumentSource.EMAIL).label("email"),
                _flag(ExchangeReceipt.incoming_id.is_not(None)).label("receipt"),
                _flag(ExchangeReceipt.verified_ok.is_(False)).label("bad_signature"),
                _flag(ExchangeReceipt.recall_requested_at.is_not(None)).label("recalled"),
                _flag(doc.urgency.in_([u for u in Urgency if u.is_urgent])).label("urgent"),
                _flag(doc.state == IncomingState.COMPLETED).label("completed"))
            .outerjoin(ExchangeReceipt, ExchangeReceipt.incoming_id == doc.id)
            .where(doc.agency_id.in_(agency_ids), doc.received_at >= period.lower, doc.received_at < period.upper)
            .cte("stats_incoming").prefix_with("MATERIALIZED"))
    r = rows.c
    reference, received_day, reference_day = r.reference, r.received_day, r.reference_day
    on_receipt, on_reference = cal.alias("cal_received"), cal.alias("cal_reference")
    is_done = r.done.is_not(None)
    paper, email, receipt, completed = r.paper == 1, r.email == 1, r.receipt == 1, r.completed == 1
    late = reference_day > sa.case((r.urgent == 1, received_day), else_=on_receipt.c.next_day)
    office = (cal.office_seconds(on_reference, reference, reference_day)
              - cal.office_seconds(on_receipt, r.received, received_day))
    breached = office > sla_hours * 3600
    has_due = r.due.is_not(None)
    in_time = sa.or_(r.completed_day.is_(None), r.completed_day <= r.due)
    return (sa.select(
                r.agency_id, sa.func.count(), _count(receipt & ~paper & ~email), _count(~receipt & ~paper & ~email),
                _count(email), _count(paper), _count(is_done & ~late), _count(late), _count(is_done & ~breached),
                _count(breached), sa.func.sum(r.bad_signature), sa.func.sum(r.recalled), _count(has_due),
                _count(has_due & completed & in_time), _count(has_due & completed & ~in_time),
                _count(has_due & ~completed & (r.due < today)), _count(has_due & ~completed & (r.due >= today)),
                _count(late | paper))
            .select_from(rows)
            .join(on_receipt, on_receipt.c.cal_day == received_day)
            .join(on_reference, on_reference.c.cal_day == reference_day)
            .group_by(r.agency_id))


def _outgoing_counts(agency_ids: sa.Select[tuple[int]], period: Period,
                     cal: CalendarTable) -> sa.Select[tuple[Any, ...]]:
    """One row per agency: the :class:`OutgoingFigures` counts but ``recalled``, in field order.

    On time: issued by the end of the next working day after signing (or registration, unsigned).
    A document signed before the calendar's first day was issued late whatever the calendar says.
    """
    doc = OutgoingDocument
    reaches_agency = sa.exists().where(OutgoingRecipient.outgoing_id == doc.id,
                                       OutgoingRecipient.kind == RecipientKind.AGENCY)
    signed = doc.signed_at.is_not(None)
    sent = doc.paper_copy_sent_at.is_not(None)
    required = doc.paper_copy_required.is_(True)
    ready = sa.func.coalesce(epoch(doc.signed_at), epoch(doc.registered_at))
    on_ready = cal.alias("cal_ready")
    has_ready = ready.is_not(None)
    late = has_ready & (on_ready.c.next_day.is_(None) | (local_day_of(epoch(doc.issued_at)) > on_ready.c.next_day))
    paper_only = sent & ~reaches_agency
    missing = required & ~sent
    unneeded = ~required & sent
    return (sa.select(
                doc.agency_id, sa.func.count(), _count(signed), _count(~signed), _count(sent), _count(paper_only),
                _count(has_ready & ~late), _count(late), _count(required), _count(missing), _count(unneeded),
                _count(~signed | paper_only | missing | unneeded | late))
            .select_from(doc)
            .outerjoin(on_ready, on_ready.c.cal_day == local_day_of(ready))
            .where(doc.agency_id.in_(agency_ids), doc.issued_at >= period.lower, doc.issued_at < period.upper)
            .group_by(doc.agency_id))


def calendar_table(settings: Settings, period: Period, now: datetime) -> CalendarTable:
    """The calendar from before the period (late signatures) to after today (documents still open)."""
    last = max(period.end, to_local(now).date()) + timedelta(days=2)
    return CalendarTable(calendar_for(settings), first_day(period.start), last, "stats_calendar")


_INCOMING_FIELDS = [f.name for f in fields(IncomingFigures)]
_OUTGOING_FIELDS = [f.name for f in fields(OutgoingFigures) if f.name != "recalled"]


async def agency_figures(db: AsyncSession, agency_ids: sa.Select[tuple[int]], period: Period, settings: Settings,
                         now: datetime) -> list[AgencyFigures]:
    """Figures of every active agency in ``agency_ids`` (scope query), in tree order then name."""
    agencies = (await db.execute(
        sa.select(Agency.id, Agency.name, Agency.level, Agency.parent_id)
        .where(Agency.id.in_(agency_ids), Agency.is_active.is_(True)).order_by(Agency.level, Agency.name))).all()
    by_id = {a.id: AgencyFigures(a.id, a.name, str(a.level), a.parent_id) for a in agencies}
    cal = calendar_table(settings, period, now)
    sla = float(settings.clerk_sla_office_hours)
    for agency_id, *counts in await db.execute(_incoming_counts(agency_ids, period, cal, now, sla)):
        if (figures := by_id.get(agency_id)) is not None:
            for name, value in zip(_INCOMING_FIELDS, counts, strict=True):
                setattr(figures.incoming, name, int(value or 0))
    for agency_id, *counts in await db.execute(_outgoing_counts(agency_ids, period, cal)):
        if (figures := by_id.get(agency_id)) is not None:
            for name, value in zip(_OUTGOING_FIELDS, counts, strict=True):
                setattr(figures.outgoing, name, int(value or 0))
    recalls = await db.execute(
        sa.select(OutgoingDocument.agency_id, sa.func.count())
        .where(OutgoingDocument.agency_id.in_(agency_ids), OutgoingDocument.recalled_at >= period.lower,
               OutgoingDocument.recalled_at < period.upper)
        .group_by(OutgoingDocument.agency_id))
    for agency_id, count in recalls:
        if (figures := by_id.get(agency_id)) is not None:
            figures.outgoing.recalled = count
    return list(by_id.values())


def total(rows: Iterable[AgencyFigures], name: str) -> AgencyFigures:
    """The sum of ``rows`` as one line (``agency_id`` 0)."""
    summed = AgencyFigures(0, name, "", None)
    for row in rows:
        for part, into in ((row.incoming, summed.incoming), (row.outgoing, summed.outgoing)):
            for spec in fields(part):
                setattr(into, spec.name, getattr(into, spec.name) + getattr(part, spec.name))
    return summed


def share(part: int, whole: int) -> float:
    """``part / whole`` in percent with one decimal (0 when ``whole`` is 0)."""
    return round(100 * part / whole, 1) if whole else 0.0


