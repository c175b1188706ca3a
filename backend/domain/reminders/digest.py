"""The leaders' morning digest: "chờ ký 3, chờ phân công 2, quá hạn 5" once a day.

Every active leader and deputy gets, for each agency where they hold that role, one notice with the
figures of their home screen (:mod:`~backend.domain.reminders.figures`, the same scoped and capped
counts), linking to it. Nothing is sent when all figures are zero. The digest is informational (its
push waits for the end of quiet hours) and is recorded per person, agency and day, so a second run
the same day sends nothing.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.models import Role, RoleGrant, User
from backend.domain.accounts.actor import load_actor
from backend.domain.notifications.compose import BODY_LIMIT, TITLE_LIMIT
from backend.domain.notifications.kinds import NOTIFY, Notify
from backend.domain.reminders.figures import CAP, leader_counts
from backend.domain.reminders.ledger import Ledger, serialise
from backend.lib.clock import VN_TZ
from backend.lib.i18n import t
from backend.lib.text import shorten
from backend.lib.urls import UrlBuilder
from backend.tasks.outbox import enqueue

__all__ = ["send_digests"]


def _shown(count: int) -> str:
    return "99+" if count >= CAP else str(count)


async def send_digests(db: AsyncSession, urls: UrlBuilder, now: datetime) -> int:
    """Send today's digests that were not sent yet; returns how many people got one."""
    await serialise(db)
    today = now.astimezone(VN_TZ).date()
    grants = (await db.execute(
        sa.select(RoleGrant.user_id, RoleGrant.agency_id).join(User, User.id == RoleGrant.user_id)
        .where(RoleGrant.role.in_((Role.LEADER, Role.DEPUTY)), User.is_active.is_(True))
        .order_by(RoleGrant.agency_id, RoleGrant.user_id).distinct())).all()
    sent = 0
    ledger = await Ledger.load(db, "agency", ["digest"], [agency_id for _user, agency_id in grants])
    for user_id, agency_id in grants:
        actor = await load_actor(db, user_id, agency_id)
        if actor is None or actor.agency_id != agency_id or ("digest", agency_id, user_id, today.isoformat()) in ledger:
            continue
        counts = await leader_counts(db, actor, today)
        if not (counts.to_sign or counts.to_assign or counts.overdue or counts.due_today):
            continue
        ledger.claim("digest", agency_id, [user_id], today.isoformat())
        figures = {"to_sign": _shown(counts.to_sign), "to_assign": _shown(counts.to_assign),
                   "overdue": _shown(counts.overdue), "due_today": _shown(counts.due_today)}
        await enqueue(db, NOTIFY, Notify(
            user_ids=[user_id], title=shorten(t("reminders.digest_title", **figures), TITLE_LIMIT),
            body=shorten(t("reminders.digest_body", agency=actor.agency_name, **figures), BODY_LIMIT),
            url=urls("shell.leader_home"), informational=True))
        sent += 1
    await db.flush()
    return sent
