"""Channels backend selection, per-user channel names, and publishing from the worker.

The web process gets a ``ChannelsPlugin`` (memory backend embedded, Redis pub/sub with
``REDIS_URL``). The worker publishes straight to Redis through the same backend class, after the
transaction that created the notifications has committed (it runs as its own ``live.publish``
outbox job, queued in that transaction).
"""

from __future__ import annotations

from typing import Any, Literal

from litestar.channels import ChannelsPlugin
from litestar.channels.backends.memory import MemoryChannelsBackend
from litestar.channels.backends.redis import RedisChannelsPubSubBackend
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession

from backend.config.settings import Settings
from backend.tasks.context import current_settings
from backend.tasks.outbox import ClaimedJob, enqueue

__all__ = [
    "COUNTS_CHANGED", "LIVE_JOB", "build_channels_plugin", "enqueue_counts_changed", "live_mode",
    "publish_job", "user_channel",
]

LIVE_JOB = "live.publish"
COUNTS_CHANGED = "counts-changed"


def user_channel(user_id: int) -> str:
    """The channel carrying one user's live signals."""
    return f"congvan-user-{user_id}"


def live_mode(settings: Settings) -> Literal["sse", "poll"]:
    """SSE when the worker can reach the web processes' channels (Redis), else polling."""
    return "sse" if settings.redis_url else "poll"


def build_channels_plugin(settings: Settings) -> ChannelsPlugin:
    """The web process's channels: Redis pub/sub when configured, otherwise in memory."""
    if settings.redis_url:
        backend: Any = RedisChannelsPubSubBackend(redis=Redis.from_url(settings.redis_url))
    else:
        backend = MemoryChannelsBackend()
    return ChannelsPlugin(backend=backend, arbitrary_channels_allowed=True, create_ws_route_handlers=False)


async def enqueue_counts_changed(db: AsyncSession, user_ids: set[int], settings: Settings | None = None) -> None:
    """In the caller's transaction: tell these users' open pages to refresh, once it commits (Redis only)."""
    settings = settings or current_settings()
    if user_ids and live_mode(settings) == "sse":
        await enqueue(db, LIVE_JOB, {"user_ids": sorted(user_ids), "event": COUNTS_CHANGED}, max_attempts=2)


async def publish_job(db: AsyncSession, job: ClaimedJob) -> None:
    """Handler of ``live.publish``: one message per user channel (best effort; SSE clients re-poll anyway)."""
    settings = current_settings()
    if not settings.redis_url:
        return
    client = Redis.from_url(settings.redis_url)
    try:
        backend = RedisChannelsPubSubBackend(redis=client)
        event = str(job.payload.get("event", COUNTS_CHANGED)).encode()
        await backend.publish(event, [user_channel(uid) for uid in job.payload["user_ids"]])
    finally:
        await client.aclose()
