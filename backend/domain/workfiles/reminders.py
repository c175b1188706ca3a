"""Transfer reminders: tell a file's owner and the agency's clerks 30 days before a file falls due.

A closed (or kept-back) transferable file is reminded once per due date when that date is at
most :data:`.transfer.REMIND_DAYS` away (or already past). Idempotency without a table: every
reminder writes an audit row ``workfiles.transfer_reminded`` (object = the file, detail ``due``) in
the same transaction as its notification job, and a (file, due date) pair that already has such a
row is skipped -- so a kept-back file whose new date comes near is reminded again, once.
"""

from __future__ import annotations

import datetime as dt
import json

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.models import AuditEvent, Role, RoleGrant, User, WorkFile, WorkFileState
from backend.domain.audit.services import RequestMeta, record
from backend.domain.notifications.kinds import NOTIFY, Notify
from backend.domain.workfiles.transfer import REMIND_DAYS, due_date, transferable
from backend.lib.i18n import t
from backend.lib.urls import UrlBuilder
from backend.tasks.outbox import enqueue

__all__ = ["REMINDED_ACTION", "remind_due"]

REMINDED_ACTION = "workfiles.transfer_reminded"


async def _reminded(db: AsyncSession, file_id: int) -> set[str]:
    details = (await db.scalars(sa.select(AuditEvent.detail).where(
        AuditEvent.action == REMINDED_ACTION, AuditEvent.object_type == "workfiles",
        AuditEvent.object_id == str(file_id)))).all()
    return {str(json.loads(detail or "{}").get("due")) for detail in details}


async def _clerks(db: AsyncSession, agency_id: int) -> list[int]:
    return list((await db.scalars(
        sa.select(User.id).join(RoleGrant, RoleGrant.user_id == User.id)
        .where(RoleGrant.agency_id == agency_id, RoleGrant.role == Role.CLERK, User.is_active.is_(True))
        .order_by(User.id).distinct())).all())


async def remind_due(db: AsyncSession, urls: UrlBuilder, today: dt.date) -> int:
    """Remind every file due within :data:`REMIND_DAYS` not yet reminded for that date; returns how many."""
    horizon = today + dt.timedelta(days=REMIND_DAYS)
    files = (await db.scalars(sa.select(WorkFile).where(
        WorkFile.state.in_((WorkFileState.CLOSED, WorkFileState.RETAINED))).order_by(WorkFile.id))).all()
    count = 0
    for work_file in files:
        due = work_file.retained_until or due_date(work_file)
        if not transferable(work_file) or due is None or due > horizon:
            continue
        if due.isoformat() in await _reminded(db, work_file.id):
            continue
        users = sorted({work_file.owner_user_id, *await _clerks(db, work_file.agency_id)})
        title = t("workfiles.reminder.title", title=work_file.title, due=due.strftime("%d/%m/%Y"))
        await enqueue(db, NOTIFY, Notify(user_ids=users, title=title[:200],
                                         url=urls("workfiles.detail", file_id=work_file.id), informational=True))
        await record(db, REMINDED_ACTION, actor_name="system", agency_id=work_file.agency_id,
                     object_type="workfiles", object_id=work_file.id, meta=RequestMeta(ip="worker"),
                     detail={"due": due.isoformat(), "users": users})
        count += 1
    return count
