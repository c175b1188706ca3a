"""Transfer of work files to the agency archive (nộp lưu, domain.md §14.3): the rules and the effects.

A closed file falls due one year after its end date; a capital-construction file three months
after the project's final settlement (no settlement date: not due yet). Only files kept five years
or more (or permanently) are transferred; the others stay with the unit. A leader may keep a due
file back (giữ lại) with a reason for at most two years. A file holding an outgoing document that
was never signed is refused. The effects below run inside the workflow engine before the state
changes, so a refusal leaves nothing written.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa

from backend.db.models import OutgoingDocument, OutgoingState, WorkFile, WorkFileDocument, WorkFileState
from backend.domain.workfiles.transfer_package import request_package
from backend.domain.workfiles.values import retention_years
from backend.errors import InvalidInputError
from backend.lib.i18n import t

__all__ = [
    "KEEP_BACK_YEARS", "MIN_TRANSFER_YEARS", "REMIND_DAYS", "accept", "add_months", "due_date", "expires_on", "retain",
    "submit", "transferable", "unsigned_count",
]

MIN_TRANSFER_YEARS = 5
KEEP_BACK_YEARS = 2
REMIND_DAYS = 30
_UNSIGNED = (OutgoingState.DRAFT, OutgoingState.UNIT_REVIEW, OutgoingState.FORMAT_CHECK,
             OutgoingState.AWAITING_SIGNATURE, OutgoingState.DISCARDED)


def add_months(day: date, months: int) -> date:
    """``day`` moved by ``months`` calendar months (the 31st becomes the month's last day)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def transferable(work_file: WorkFile) -> bool:
    """Kept permanently or at least :data:`MIN_TRANSFER_YEARS` years."""
    years = retention_years(work_file.retention)
    return years is None or years >= MIN_TRANSFER_YEARS


def due_date(work_file: WorkFile) -> date | None:
    """When the file must be transferred (``None``: not closed yet, or no final settlement yet)."""
    if work_file.capital_construction:
        return add_months(work_file.settlement_date, 3) if work_file.settlement_date else None
    return add_months(work_file.end_date, 12) if work_file.end_date else None


def expires_on(work_file: WorkFile) -> date | None:
    """The end of a fixed-term retention (``None``: kept permanently or not closed)."""
    years = retention_years(work_file.retention)
    if years is None or work_file.end_date is None:
        return None
    return add_months(work_file.end_date, 12 * years)


async def unsigned_count(db: Any, work_file_id: int) -> int:
    """How many outgoing documents of the file were never signed (drafts, discarded drafts)."""
    return int(await db.scalar(
        sa.select(sa.func.count(WorkFileDocument.id)).join(OutgoingDocument,
                                                          OutgoingDocument.id == WorkFileDocument.outgoing_id)
        .where(WorkFileDocument.work_file_id == work_file_id, OutgoingDocument.state.in_(_UNSIGNED))) or 0)


def _refuse(key: str, field: str = "work_file", **params: Any) -> InvalidInputError:
    message = t(key, **params)
    return InvalidInputError(message, field_errors={field: message})


def _day(value: date) -> str:
    return value.strftime("%d/%m/%Y")


async def submit(step: Any, docs: Sequence[WorkFile]) -> None:
    """Refuse a file kept under five years, one not due yet, one holding an unsigned document."""
    for work_file in docs:
        if not transferable(work_file):
            raise _refuse("workfiles.transfer.short_retention", retention=work_file.retention)
        due = due_date(work_file)
        if work_file.state != WorkFileState.RETAINED:
            if due is None:
                raise _refuse("workfiles.transfer.no_settlement")
            if due > step.today:
                raise _refuse("workfiles.transfer.not_due", due=_day(due))
        unsigned = await unsigned_count(step.db, work_file.id)
        if unsigned:
            raise _refuse("workfiles.transfer.unsigned", count=unsigned)
        work_file.retained_until = None
        step.outcome.audit[work_file.id] = {"due": due.isoformat() if due else None}


async def accept(step: Any, docs: Sequence[WorkFile]) -> None:
    """The archive takes the file: its transfer package (frozen exports) is made by a job of the same transaction."""
    for work_file in docs:
        await request_package(step.db, work_file.id)


async def retain(step: Any, docs: Sequence[WorkFile]) -> None:
    """Keep a transferable file back until ``inputs['until']``: after today, at most two years from today."""
    until: date | None = step.inputs.get("until")
    if until is None:
        raise _refuse("workfiles.retain.until_required", "until")
    limit = add_months(step.today, 12 * KEEP_BACK_YEARS)
    if until <= step.today:
        raise _refuse("workfiles.retain.until_past", "until", until=_day(until))
    if until > limit:
        raise _refuse("workfiles.retain.too_long", "until", until=_day(until), limit=_day(limit))
    for work_file in docs:
        if not transferable(work_file):
            raise _refuse("workfiles.transfer.short_retention", retention=work_file.retention)
        work_file.retained_until = until
        step.outcome.audit[work_file.id] = {"until": until.isoformat()}
