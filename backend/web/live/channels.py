"""Channels backend selection, per-user channel names, and the worker's ``live.publish`` handler.

The web process gets a ``ChannelsPlugin`` (memory backend embedded, Redis pub/sub with
``REDIS_URL``). The worker publishes straight to Redis through the same backend class, after the
transaction that created the notifications has committed (it runs as its own ``live.publish``
outbox job, queued in that transaction; see :mod:`.kinds`).

When Redis goes away, the web process keeps listening: :class:`ReconnectingPubSubBackend` waits and
reconnects (redis-py subscribes the channels again), so open pages get live signals again once Redis is
back. Litestar's own backend lets the error end the plugin's only listener task, and live updates
stopped until the web process was restarted.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator
from typing import Any

from litestar.channels import ChannelsPlugin
from litestar.channels.backends.memory import MemoryChannelsBackend
from litestar.channels.backends.redis import RedisChannelsPubSubBackend
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from backend.config.settings import Settings
from backend.tasks.bus import Handles, JobContext
from backend.web.live.kinds import LIVE_PUBLISH, LivePublish

__all__ = ["HANDLERS", "ReconnectingPubSubBackend", "build_channels_plugin", "publish", "user_channel"]

log = logging.getLogger("congvan.live")

RECONNECT_SECONDS = 1.0


class ReconnectingPubSubBackend(RedisChannelsPubSubBackend):
    """Redis pub/sub whose event stream outlives a Redis outage (retrying every ``RECONNECT_SECONDS``)."""

    async def stream_events(self) -> AsyncGenerator[tuple[str, Any], None]:
        while True:
            try:
                async for event in super().stream_events():
                    yield event
            except (RedisConnectionError, RedisTimeoutError) as exc:
                log.warning("live updates: Redis unreachable (%s); retrying in %.0f s", exc, RECONNECT_SECONDS)
                await asyncio.sleep(RECONNECT_SECONDS)


def user_channel(user_id: int) -> str:
    """The channel carrying one user's live signals."""
    return f"congvan-user-{user_id}"


def build_channels_plugin(settings: Settings) -> ChannelsPlugin:
    """The web process's channels: Redis pub/sub when configured, otherwise in memory."""
    if settings.redis_url:
        backend: Any = ReconnectingPubSubBackend(redis=Redis.from_url(settings.redis_url))
    else:
        backend = MemoryChannelsBackend()
    return ChannelsPlugin(backend=backend, arbitrary_channels_allowed=True, create_ws_route_handlers=False)


async def publish(ctx: JobContext, payload: LivePublish) -> None:
    """Handler of ``live.publish``: one message per user channel (best effort; SSE clients re-poll anyway)."""
    if not ctx.settings.redis_url:
        return
    client = Redis.from_url(ctx.settings.redis_url)
    try:
        backend = RedisChannelsPubSubBackend(redis=client)
        await backend.publish(payload.event.encode(), [user_channel(uid) for uid in payload.user_ids])
    finally:
        await client.aclose()


HANDLERS = (Handles(LIVE_PUBLISH, publish),)
