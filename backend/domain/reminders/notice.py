"""Who receives a reminder and how it goes out: one ``notification.create`` job per notice (in-app at once,
Web Push deferred by the person's quiet hours unless the subject is Hỏa tốc).

Shared by every reminder rule (:mod:`.deadlines`, :mod:`.transfer_due`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.models import Role, RoleGrant, Urgency, User
from backend.domain.notifications.compose import BODY_LIMIT, TITLE_LIMIT
from backend.domain.notifications.kinds import NOTIFY, Notify
from backend.lib.text import shorten
from backend.tasks.outbox import enqueue

__all__ = ["role_holders", "send", "unit_heads"]


async def send(db: AsyncSession, user_ids: Sequence[int], title: str, body: str, url: str,
             urgency: Urgency) -> None:
    """One notice; only Hỏa tốc passes quiet hours (its push is urgent), anything else waits for morning."""
    hoa_toc = urgency is Urgency.HOA_TOC
    await enqueue(db, NOTIFY, Notify(user_ids=list(user_ids), title=shorten(title, TITLE_LIMIT),
                                     body=shorten(body, BODY_LIMIT), url=url, urgent=hoa_toc,
                                     urgency=Urgency.HOA_TOC.value if hoa_toc else None))


async def role_holders(db: AsyncSession, role: Role, agency_ids: Iterable[int]) -> dict[int, list[int]]:
    """Active holders of ``role`` per agency."""
    rows = (await db.execute(
        sa.select(RoleGrant.agency_id, User.id).join(User, User.id == RoleGrant.user_id)
        .where(RoleGrant.role == role, RoleGrant.agency_id.in_(set(agency_ids)), User.is_active.is_(True))
        .order_by(User.id).distinct())).all()
    found: dict[int, list[int]] = defaultdict(list)
    for agency_id, user_id in rows:
        found[agency_id].append(user_id)
    return found


async def unit_heads(db: AsyncSession, unit_ids: Iterable[int]) -> dict[int, list[int]]:
    """Active unit heads per unit (a unit head's unit is their own ``unit_id``)."""
    rows = (await db.execute(
        sa.select(User.unit_id, User.id).join(RoleGrant, RoleGrant.user_id == User.id)
        .where(RoleGrant.role == Role.UNIT_HEAD, User.unit_id.in_(set(unit_ids)), User.is_active.is_(True))
        .order_by(User.id).distinct())).all()
    found: dict[int, list[int]] = defaultdict(list)
    for unit_id, user_id in rows:
        found[unit_id].append(user_id)
    return found
