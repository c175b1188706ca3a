"""The figures of each agency in a period, computed live from the documents (issue 15 item 3).

Three scoped queries, whatever the number of agencies: the incoming documents received in the
period, the outgoing documents issued in it, and the outgoing documents recalled in it (each
``agency_id IN`` the actor's scope, :func:`.scope.statistics_agency_ids`). Rows carry only the
columns the figures need and are folded in Python, where the timing rules of
:mod:`backend.domain.incoming.timing` (registration by the end of the same day for urgent
documents or of the next working day otherwise; the clerk's office-hour SLA) are applied with an
:class:`.office_clock.OfficeClock`. Definitions (docs/statistics.md):

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
from backend.domain.statistics.office_clock import OfficeClock
from backend.domain.statistics.period import Period
from backend.domain.statistics.sql import VN_OFFSET_SECONDS, day_number, epoch, local_day
from backend.lib.clock import to_local

__all__ = [
    "AgencyFigures", "IncomingFigures", "OutgoingFigures", "agency_figures", "handling_status", "incoming_rows",
    "office_clock_for", "outgoing_rows", "share", "status_on", "total",
]

_ORDINAL_1970 = date(1970, 1, 1).toordinal()
_PAPER = DocumentSource.PAPER.value
_EMAIL = DocumentSource.EMAIL.value


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


def office_clock_for(settings: Settings, period: Period, now: datetime) -> OfficeClock:
    """A clock spanning the period up to today (the clerk may still be working on last month's mail)."""
    last = max(period.end, to_local(now).date()) + timedelta(days=1)
    return OfficeClock(calendar_for(settings), period.start, last)


class _Rules:
    """The timing rules on epoch seconds and day numbers, with per-day answers cached."""

    def __init__(self, clock: OfficeClock, sla_hours: float, now: datetime) -> None:
        self.clock = clock
        self.sla_hours = sla_hours
        self.sla_seconds = sla_hours * 3600
        """Office hours never exceed wall-clock hours: a shorter gap needs no office-clock look-up."""
        self.now = now.timestamp()
        self.today = local_day(self.now)
        self._next: dict[int, int] = {}

    def next_working_day(self, day: int) -> int:
        found = self._next.get(day)
        if found is None:
            following = self.clock.next_working_day(date.fromordinal(day + _ORDINAL_1970))
            found = self._next[day] = following.toordinal() - _ORDINAL_1970
        return found


def _count_incoming(figures: IncomingFigures, row: tuple[Any, ...], rules: _Rules) -> None:
    (_agency, source, urgent, completed, received_at, done_at, completed_at, due_day, has_receipt,
     verification_failed, recalled) = row
    figures.received += 1
    paper = source == _PAPER
    if paper:
        figures.on_paper += 1
    elif source == _EMAIL:
        figures.via_email += 1
    elif has_receipt:
        figures.via_platform += 1
    else:
        figures.via_axis += 1
    if verification_failed:
        figures.verification_failed += 1
    if recalled:
        figures.recalled_by_sender += 1
    reference = rules.now if done_at is None else done_at
    received_day = int((received_at + VN_OFFSET_SECONDS) // 86400)
    submit_by = received_day if urgent else rules.next_working_day(received_day)
    late = int((reference + VN_OFFSET_SECONDS) // 86400) > submit_by
    if late:
        figures.registered_late += 1
    elif done_at is not None:
        figures.registered_on_time += 1
    if late or paper:
        figures.noncompliant += 1
    if reference - received_at > rules.sla_seconds and rules.clock.hours_between_stamps(
            received_at, reference) > rules.sla_hours:
        figures.clerk_sla_breached += 1
    elif done_at is not None:
        figures.clerk_sla_met += 1
    if due_day is not None:
        figures.with_deadline += 1
        if completed:
            if completed_at is None or int((completed_at + VN_OFFSET_SECONDS) // 86400) <= due_day:
                figures.handled_on_time += 1
            else:
                figures.handled_late += 1
        elif due_day < rules.today:
            figures.overdue += 1
        else:
            figures.open_not_due += 1


def _count_outgoing(figures: OutgoingFigures, row: sa.Row[Any], rules: _Rules) -> None:
    figures.issued += 1
    flagged = row.signed_at is None
    if flagged:
        figures.unsigned += 1
    else:
        figures.signed += 1
    sent_on_paper = bool(row.paper_sent)
    if sent_on_paper:
        figures.with_paper_copy += 1
        if not row.reaches_agency:
            figures.paper_only += 1
            flagged = True
    if row.paper_copy_required:
        figures.paper_copy_required += 1
        if not sent_on_paper:
            figures.paper_copy_missing += 1
            flagged = True
    elif sent_on_paper:
        figures.paper_copy_unneeded += 1
        flagged = True
    ready = row.signed_at if row.signed_at is not None else row.registered_at
    if ready is not None:
        if local_day(row.issued_at) > rules.next_working_day(local_day(ready)):
            figures.issued_late += 1
            flagged = True
        else:
            figures.issued_on_time += 1
    if flagged:
        figures.noncompliant += 1


def incoming_rows(agency_ids: sa.Select[tuple[int]], period: Period) -> sa.Select[tuple[Any, ...]]:
    """Plain numbers for the incoming documents received in ``period`` by the agencies in ``agency_ids``.

    The clerk's "done" moment is :func:`backend.domain.incoming.timing.clerk_done_at` in SQL:
    the earlier of submitted/returned, else the assignment.
    """
    doc = IncomingDocument
    done = sa.case(
        (sa.and_(doc.submitted_at.is_not(None), doc.returned_at.is_not(None)),
         sa.case((doc.submitted_at < doc.returned_at, epoch(doc.submitted_at)), else_=epoch(doc.returned_at))),
        else_=sa.func.coalesce(epoch(doc.submitted_at), epoch(doc.returned_at), epoch(doc.assigned_at)))
    return (sa.select(doc.agency_id, sa.cast(doc.source, sa.String).label("source"),
                      doc.urgency.in_([u for u in Urgency if u.is_urgent]).label("urgent"),
                      (doc.state == IncomingState.COMPLETED).label("completed"),
                      epoch(doc.received_at).label("received_at"), done.label("done_at"),
                      epoch(doc.completed_at).label("completed_at"), day_number(doc.due_on).label("due_day"),
                      ExchangeReceipt.incoming_id.is_not(None).label("has_receipt"),
                      (ExchangeReceipt.verified_ok.is_(False)).label("verification_failed"),
                      ExchangeReceipt.recall_requested_at.is_not(None).label("recalled"))
            .outerjoin(ExchangeReceipt, ExchangeReceipt.incoming_id == doc.id)
            .where(doc.agency_id.in_(agency_ids), doc.received_at >= period.lower, doc.received_at < period.upper))


def outgoing_rows(agency_ids: sa.Select[tuple[int]], period: Period) -> sa.Select[tuple[Any, ...]]:
    """Plain numbers for the outgoing documents issued in ``period`` by the agencies in ``agency_ids``."""
    doc = OutgoingDocument
    reaches_agency = (sa.exists().where(OutgoingRecipient.outgoing_id == doc.id,
                                        OutgoingRecipient.kind == RecipientKind.AGENCY).label("reaches_agency"))
    return (sa.select(doc.agency_id, epoch(doc.signed_at).label("signed_at"),
                      epoch(doc.registered_at).label("registered_at"), epoch(doc.issued_at).label("issued_at"),
                      doc.paper_copy_required, doc.paper_copy_sent_at.is_not(None).label("paper_sent"),
                      reaches_agency)
            .where(doc.agency_id.in_(agency_ids), doc.issued_at >= period.lower, doc.issued_at < period.upper))


async def agency_figures(db: AsyncSession, agency_ids: sa.Select[tuple[int]], period: Period, settings: Settings,
                         now: datetime) -> list[AgencyFigures]:
    """Figures of every active agency in ``agency_ids`` (scope query), in tree order then name."""
    agencies = (await db.execute(
        sa.select(Agency.id, Agency.name, Agency.level, Agency.parent_id)
        .where(Agency.id.in_(agency_ids), Agency.is_active.is_(True)).order_by(Agency.level, Agency.name))).all()
    by_id = {a.id: AgencyFigures(a.id, a.name, str(a.level), a.parent_id) for a in agencies}
    rules = _Rules(office_clock_for(settings, period, now), float(settings.clerk_sla_office_hours), now)
    for row in (await db.execute(incoming_rows(agency_ids, period))).tuples():
        if (figures := by_id.get(row[0])) is not None:
            _count_incoming(figures.incoming, row, rules)
    for row in await db.execute(outgoing_rows(agency_ids, period)):
        if (figures := by_id.get(row.agency_id)) is not None:
            _count_outgoing(figures.outgoing, row, rules)
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


