"""The reminder scan: handling deadlines coming and passed, the clerk's 2-office-hour clock, and the
same-day / next-working-day issue rule for signed outgoing documents (domain.md §9, §22).

* **Handling deadlines** (each live lead/coordinate line of an assigned document, its own
  ``due_on`` or else the document's): ``due_soon`` once when the deadline is within
  ``DUE_SOON_WORKING_DAYS`` working days (today included), ``overdue`` once when it has passed.
  Recipients: the assignee (a person, or the heads of the assigned unit), the heads of the assigned
  unit, and the leader who assigned it. The marker is the deadline, so a moved deadline is reminded
  afresh.
* **Clerk's clock**: an incoming document not yet passed on (received or registered) whose
  ``CLERK_SLA_OFFICE_HOURS`` office hours since reception are used up: ``clerk_sla`` to the
  agency's clerks.
* **Issue rule**: a signed, not yet issued outgoing document must go out on the signing day (urgent)
  or at the latest the next working day: ``issue_due`` to the clerks on that last day,
  ``issue_late`` once it has passed.
* **Work-file transfer** (:mod:`.transfer_due`): ``transfer_due`` 30 days before a closed file must
  go to the agency archive, to its owner and the agency's clerks.

Each reminder is one in-app notification (and its push, which quiet hours defer unless the document
is Hỏa tốc) and is recorded in :mod:`~backend.domain.reminders.ledger`, so a later run never repeats
it. The clock is the caller's (``now``), so tests and the worker decide what "today" is.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from backend.config.settings import Settings
from backend.db.inline import inline_in
from backend.db.models import (
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    IncomingDocument,
    IncomingState,
    OutgoingDocument,
    OutgoingState,
    Role,
    Urgency,
)
from backend.domain.incoming.timing import calendar_for
from backend.domain.reminders.ledger import Ledger, serialise
from backend.domain.reminders.notice import role_holders, send, unit_heads
from backend.domain.reminders.transfer_due import remind_transfer_due
from backend.lib.clock import VN_TZ, format_local, to_local
from backend.lib.i18n import t
from backend.lib.urls import UrlBuilder

__all__ = ["ScanResult", "scan"]

_OPEN = (IncomingState.ASSIGNED, IncomingState.IN_PROGRESS)
_AT_CLERK = (IncomingState.RECEIVED, IncomingState.REGISTERED)
_TO_ISSUE = (OutgoingState.SIGNED, OutgoingState.REGISTERED, OutgoingState.ORG_SIGNED)


@dataclass(frozen=True, slots=True)
class ScanResult:
    """How many people were reminded, per kind."""

    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _reference(doc: IncomingDocument | OutgoingDocument) -> str:
    return f"{doc.code_number}/{doc.code_notation}" if doc.code_number else f"#{doc.id}"


async def _deadlines(db: AsyncSession, settings: Settings, urls: UrlBuilder, today: date) -> dict[str, int]:
    calendar = calendar_for(settings)
    limit = calendar.add_working_days(today, settings.due_soon_working_days)
    due = sa.func.coalesce(Assignment.due_on, IncomingDocument.due_on)
    rows = (await db.execute(
        sa.select(Assignment, IncomingDocument, due)
        .join(IncomingDocument, IncomingDocument.id == Assignment.incoming_id)
        .where(IncomingDocument.state.in_(_OPEN),
               inline_in(Assignment.status, (AssignmentStatus.PENDING, AssignmentStatus.IN_PROGRESS)),
               Assignment.role.in_((AssignmentRole.LEAD, AssignmentRole.COORDINATE)),
               due.is_not(None), due <= limit)
        .order_by(IncomingDocument.id, Assignment.id))).all()
    heads = await unit_heads(db, [a.assignee_unit_id for a, _d, _due in rows if a.assignee_unit_id])
    recipients: dict[tuple[int, str, date], set[int]] = defaultdict(set)
    docs: dict[int, IncomingDocument] = {}
    for line, doc, due_on in rows:
        kind = "overdue" if due_on < today else "due_soon"
        people = recipients[(doc.id, kind, due_on)]
        if line.assignee_user_id is not None:
            people.add(line.assignee_user_id)
        if line.assignee_unit_id is not None:
            people.update(heads.get(line.assignee_unit_id, []))
        people.add(line.assigned_by_id)
        docs[doc.id] = doc
    counts = {"due_soon": 0, "overdue": 0}
    ledger = await Ledger.load(db, "incoming", counts, docs)
    for (doc_id, kind, due_on), people in recipients.items():
        fresh = ledger.claim(kind, doc_id, people, due_on.isoformat())
        if not fresh:
            continue
        doc = docs[doc_id]
        title_key = ("reminders.overdue_title" if kind == "overdue" else
                     "reminders.due_today_title" if due_on == today else "reminders.due_soon_title")
        await send(db, fresh, t(title_key, reference=_reference(doc)),
                    t("reminders.deadline_body", due=due_on.strftime("%d/%m/%Y"), summary=doc.summary),
                    urls("incoming.detail", doc_id=doc_id), Urgency(doc.urgency))
        counts[kind] += len(fresh)
    return counts


async def _clerk_clock(db: AsyncSession, settings: Settings, urls: UrlBuilder, now: datetime) -> int:
    calendar = calendar_for(settings)
    hours = settings.clerk_sla_office_hours
    waiting = (await db.scalars(sa.select(IncomingDocument).where(IncomingDocument.state.in_(_AT_CLERK))
                                .order_by(IncomingDocument.id))).all()
    late = [doc for doc in waiting if calendar.add_office_hours(doc.received_at, hours) <= now]
    clerks = await role_holders(db, Role.CLERK, {doc.agency_id for doc in late})
    sent = 0
    ledger = await Ledger.load(db, "incoming", ["clerk_sla"], [doc.id for doc in late])
    for doc in late:
        fresh = ledger.claim("clerk_sla", doc.id, clerks.get(doc.agency_id, []))
        if fresh:
            await send(db, fresh, t("reminders.clerk_sla_title", hours=hours, reference=_reference(doc)),
                        t("reminders.clerk_sla_body", received=format_local(doc.received_at), summary=doc.summary),
                        urls("incoming.detail", doc_id=doc.id), Urgency(doc.urgency))
            sent += len(fresh)
    return sent


async def _issue_rule(db: AsyncSession, settings: Settings, urls: UrlBuilder, today: date) -> dict[str, int]:
    calendar = calendar_for(settings)
    signed = (await db.scalars(sa.select(OutgoingDocument).where(
        OutgoingDocument.state.in_(_TO_ISSUE), OutgoingDocument.signed_at.is_not(None))
        .order_by(OutgoingDocument.id))).all()
    clerks = await role_holders(db, Role.CLERK, {doc.agency_id for doc in signed})
    counts = {"issue_due": 0, "issue_late": 0}
    ledger = await Ledger.load(db, "outgoing", counts, [doc.id for doc in signed])
    for doc in signed:
        assert doc.signed_at is not None
        signed_on = to_local(doc.signed_at).date()
        urgent = Urgency(doc.urgency).is_urgent
        issue_by = signed_on if urgent else calendar.add_working_days(signed_on, 1)
        if today < issue_by:
            continue
        kind = "issue_due" if today == issue_by else "issue_late"
        fresh = ledger.claim(kind, doc.id, clerks.get(doc.agency_id, []), issue_by.isoformat())
        if fresh:
            await send(db, fresh, t(f"reminders.{kind}_title", reference=_reference(doc)),
                        t("reminders.issue_body", signed=signed_on.strftime("%d/%m/%Y"),
                          issue_by=issue_by.strftime("%d/%m/%Y"), summary=doc.summary),
                        urls("outgoing.detail", doc_id=doc.id), Urgency(doc.urgency))
            counts[kind] += len(fresh)
    return counts


async def scan(db: AsyncSession, settings: Settings, urls: UrlBuilder, now: datetime) -> ScanResult:
    """Run every reminder rule at ``now`` in the caller's transaction (see the module docstring)."""
    await serialise(db)
    today = now.astimezone(VN_TZ).date()
    counts = await _deadlines(db, settings, urls, today)
    counts["clerk_sla"] = await _clerk_clock(db, settings, urls, now)
    counts.update(await _issue_rule(db, settings, urls, today))
    counts["transfer_due"] = await remind_transfer_due(db, urls, today)
    await db.flush()
    return ScanResult(counts)
