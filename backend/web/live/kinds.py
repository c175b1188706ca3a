"""The ``live.publish`` job kind: a signal to users' open pages, queued in the transaction that caused it.

It is published only with Redis (``REDIS_URL``): without it the worker cannot reach the web
processes' in-memory channels and the pages poll instead (:func:`live_mode`).
"""

from __future__ import annotations

from typing import Literal

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from backend.config.settings import Settings
from backend.tasks.bus import JobKind
from backend.tasks.outbox import enqueue

__all__ = ["COUNTS_CHANGED", "LIVE_PUBLISH", "LivePublish", "enqueue_counts_changed", "live_mode"]

COUNTS_CHANGED = "counts-changed"


class LivePublish(msgspec.Struct, frozen=True, kw_only=True):
    """Send ``event`` to each user's channel."""

    user_ids: list[int]
    event: str = COUNTS_CHANGED


LIVE_PUBLISH: JobKind[LivePublish] = JobKind("live.publish", LivePublish, max_attempts=2)


def live_mode(settings: Settings) -> Literal["sse", "poll"]:
    """SSE when the worker can reach the web processes' channels (Redis), else polling."""
    return "sse" if settings.redis_url else "poll"


async def enqueue_counts_changed(db: AsyncSession, user_ids: set[int], settings: Settings) -> None:
    """In the caller's transaction: tell these users' open pages to refresh, once it commits (Redis only)."""
    if user_ids and live_mode(settings) == "sse":
        await enqueue(db, LIVE_PUBLISH, LivePublish(user_ids=sorted(user_ids)))
