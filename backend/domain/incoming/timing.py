"""Timing rules of domain.md §9 and §22 as flags, and deadline status for the UI.

* Urgent documents (Hỏa tốc / Thượng khẩn / Khẩn) must be registered and submitted immediately:
  flagged ``immediate`` until the clerk has passed them on.
* Others are registered and submitted the same day, at the latest the next working day:
  ``submit_by`` is that day; ``submit_late`` when the clerk passed it on later (or has not yet).
* The clerk's own handling time (reception → submitted/forwarded/returned) is measured in office
  hours against ``CLERK_SLA_OFFICE_HOURS`` (Quảng Xương: 2 office hours).
* Handling deadlines are per assignee (``due_on``); overdue and due-soon (within
  ``DUE_SOON_WORKING_DAYS`` working days) are derived here from the working-day calendar.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from backend.config.settings import Settings
from backend.db.models import IncomingDocument, Urgency
from backend.lib.clock import VN_TZ, to_local
from backend.lib.workdays import WorkCalendar

__all__ = ["DeadlineInfo", "Timing", "calendar_for", "clerk_done_at", "deadline_info", "timing_for"]


def calendar_for(settings: Settings) -> WorkCalendar:
    """The deployment's working-day calendar."""
    return WorkCalendar(extra_working_days=settings.compensatory_working_days,
                        extra_days_off=settings.compensatory_days_off, office_hours=settings.office_hours)


@dataclass(frozen=True, slots=True)
class DeadlineInfo:
    """``kind``: ``overdue`` / ``today`` / ``soon`` / ``ok`` / ``done``; ``days``: calendar days late or left."""

    due_on: date
    kind: str
    days: int


def deadline_info(due_on: date | None, today: date, calendar: WorkCalendar, soon_working_days: int,
                  *, done: bool = False) -> DeadlineInfo | None:
    """How a deadline stands on ``today``."""
    if due_on is None:
        return None
    if done:
        return DeadlineInfo(due_on, "done", 0)
    days = (due_on - today).days
    if days < 0:
        return DeadlineInfo(due_on, "overdue", -days)
    if days == 0:
        return DeadlineInfo(due_on, "today", 0)
    if calendar.working_days_between(today, due_on) <= soon_working_days:
        return DeadlineInfo(due_on, "soon", days)
    return DeadlineInfo(due_on, "ok", days)


@dataclass(frozen=True, slots=True)
class Timing:
    """The §9 flags of one document at one moment."""

    immediate: bool
    submit_by: date
    submit_late: bool
    clerk_sla_hours: int
    clerk_sla_due_at: datetime
    clerk_hours_used: float
    clerk_sla_breached: bool
    clerk_done: bool


def clerk_done_at(doc: IncomingDocument) -> datetime | None:
    """When the clerk passed the document on (submitted, forwarded or returned)."""
    moments = [m for m in (doc.submitted_at, doc.returned_at) if m is not None]
    if not moments and doc.assigned_at is not None:
        moments.append(doc.assigned_at)
    return min(moments) if moments else None


def timing_for(doc: IncomingDocument, settings: Settings, now: datetime) -> Timing:
    """Evaluate the timing rules for ``doc`` at ``now``."""
    calendar = calendar_for(settings)
    received_day = to_local(doc.received_at).date()
    urgent = Urgency(doc.urgency).is_urgent
    submit_by = received_day if urgent else calendar.add_working_days(received_day, 1)
    done_at = clerk_done_at(doc)
    reference = done_at or now
    submit_late = reference > datetime.combine(submit_by, time(23, 59, 59), VN_TZ)
    sla = settings.clerk_sla_office_hours
    due_at = calendar.add_office_hours(doc.received_at, sla)
    used = calendar.office_hours_between(doc.received_at, reference)
    return Timing(
        immediate=urgent and done_at is None,
        submit_by=submit_by,
        submit_late=submit_late,
        clerk_sla_hours=sla,
        clerk_sla_due_at=due_at,
        clerk_hours_used=round(used, 2),
        clerk_sla_breached=reference > due_at,
        clerk_done=done_at is not None,
    )
