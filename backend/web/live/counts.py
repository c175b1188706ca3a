"""The bell's unread count and the bottom navigation's badges: what waits for the actor, capped at "99+".

Computed for every full page and for every ``/live/counts`` refresh (the bell's event and poll),
so the counts never stay as they were when the page was first drawn.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.models import Notification
from backend.domain.accounts.actor import Actor
from backend.domain.incoming.queries import action_count as incoming_action_count
from backend.domain.incoming.queries import task_count
from backend.domain.outgoing.queries import action_count as outgoing_action_count

__all__ = ["NAV_SECTIONS", "UNREAD_CAP", "nav_counts", "unread_count"]

NAV_SECTIONS = ("incoming", "outgoing", "tasks")
"""The navigation sections that carry a count, in the order the bar shows them."""


UNREAD_CAP = 100
"""The bell counts up to here and shows "99+" above 99."""


async def unread_count(db: AsyncSession, actor: Actor) -> int:
    """The actor's unread notifications, capped (served by the partial index on unread rows)."""
    return await db.scalar(sa.select(sa.func.count()).select_from(
        sa.select(Notification.id).where(Notification.user_id == actor.user_id, Notification.read_at.is_(None))
        .limit(UNREAD_CAP).subquery())) or 0


async def nav_counts(db: AsyncSession, actor: Actor) -> dict[str, int]:
    """Per section, how many items wait for the actor."""
    return {
        "incoming": await incoming_action_count(db, actor),
        "outgoing": await outgoing_action_count(db, actor),
        "tasks": await task_count(db, actor),
    }
