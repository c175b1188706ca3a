"""The bottom navigation's badges: what waits for the actor in each section, capped at "99+".

Computed for every full page and for every ``/live/counts`` refresh (the bell's event and poll),
so the badges never stay as they were when the page was first drawn.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from backend.domain.accounts.actor import Actor
from backend.domain.incoming.queries import action_count as incoming_action_count
from backend.domain.incoming.queries import task_count
from backend.domain.outgoing.queries import action_count as outgoing_action_count

__all__ = ["NAV_SECTIONS", "nav_counts"]

NAV_SECTIONS = ("incoming", "outgoing", "tasks")
"""The navigation sections that carry a count, in the order the bar shows them."""


async def nav_counts(db: AsyncSession, actor: Actor) -> dict[str, int]:
    """Per section, how many items wait for the actor."""
    return {
        "incoming": await incoming_action_count(db, actor),
        "outgoing": await outgoing_action_count(db, actor),
        "tasks": await task_count(db, actor),
    }
