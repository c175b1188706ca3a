"""The work-file transfer reminder (issue 14 item 4, domain.md §14.4): a closed or kept-back file that must
go to the agency archive within :data:`~backend.domain.workfiles.transfer.REMIND_DAYS` days (or is already
late) is reminded to its owner and the agency's clerks, once per person and due date.

It is one rule of the reminder scan: the same ledger (kind ``transfer_due``, subject ``workfiles``, marker
the due date, so a keep-back that moves the date is reminded afresh), the same notice (in-app at once,
push deferred by quiet hours: a transfer is never Hỏa tốc) and the same serialised run.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.models import Role, Urgency, WorkFile, WorkFileState
from backend.domain.reminders.ledger import Ledger
from backend.domain.reminders.notice import role_holders, send
from backend.domain.workfiles.transfer import REMIND_DAYS, due_date, transferable
from backend.lib.i18n import t
from backend.lib.urls import UrlBuilder

__all__ = ["KIND", "remind_transfer_due"]

KIND = "transfer_due"
_YEAR_AT_LEAST = dt.timedelta(days=365)
"""``add_months(end, 12)`` is never sooner than 365 days after ``end``."""
_QUARTER_AT_LEAST = dt.timedelta(days=89)
"""``add_months(settlement, 3)`` is never sooner than 89 days after ``settlement`` (February to May)."""


def _candidates(horizon: dt.date) -> sa.Select[tuple[WorkFile]]:
    """Closed or kept-back files that may be due by ``horizon`` (a superset, narrowed by :func:`due_date`)."""
    return sa.select(WorkFile).where(
        WorkFile.state.in_((WorkFileState.CLOSED, WorkFileState.RETAINED)),
        sa.or_(WorkFile.retained_until <= horizon,
               sa.and_(WorkFile.retained_until.is_(None), sa.or_(
                   sa.and_(WorkFile.capital_construction.is_(False), WorkFile.end_date <= horizon - _YEAR_AT_LEAST),
                   sa.and_(WorkFile.capital_construction.is_(True),
                           WorkFile.settlement_date <= horizon - _QUARTER_AT_LEAST))))).order_by(WorkFile.id)


async def remind_transfer_due(db: AsyncSession, urls: UrlBuilder, today: dt.date) -> int:
    """Remind every transferable file due by ``today`` + :data:`REMIND_DAYS`; returns how many people were."""
    horizon = today + dt.timedelta(days=REMIND_DAYS)
    due: list[tuple[WorkFile, dt.date]] = []
    for work_file in (await db.scalars(_candidates(horizon))).all():
        day = work_file.retained_until or due_date(work_file)
        if transferable(work_file) and day is not None and day <= horizon:
            due.append((work_file, day))
    clerks = await role_holders(db, Role.CLERK, {wf.agency_id for wf, _day in due})
    ledger = await Ledger.load(db, "workfiles", [KIND], [wf.id for wf, _day in due])
    sent = 0
    for work_file, day in due:
        fresh = ledger.claim(KIND, work_file.id, [work_file.owner_user_id, *clerks.get(work_file.agency_id, [])],
                             day.isoformat())
        if fresh:
            await send(db, fresh, t("workfiles.reminder.title", title=work_file.title, due=day.strftime("%d/%m/%Y")),
                       t("workfiles.reminder.body", notation=work_file.file_notation, retention=work_file.retention),
                       urls("workfiles.detail", file_id=work_file.id), Urgency.NORMAL)
            sent += len(fresh)
    return sent
