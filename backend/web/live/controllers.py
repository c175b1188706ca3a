"""``/live/events`` (SSE, Redis mode only) and ``/live/counts`` (the bell, and the navigation badges
out of band, for htmx).

The event stream reads the user from the server-side session only and never opens a database
session: an SSE connection lives for minutes, and on SQLite an open transaction would hold the
write lock. It carries no data, only the fact that counts changed; the page then fetches
``/live/counts`` through the normal, permission-checked path.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from typing import Any

from litestar import Controller, Request, Response, get
from litestar.channels import ChannelsPlugin
from litestar.di import NamedDependency
from litestar.enums import MediaType
from litestar.response import ServerSentEvent, ServerSentEventMessage

from backend.domain.accounts.deps import CurrentActor
from backend.errors import NotAuthenticatedError
from backend.lib.deps import DB, AppSettings
from backend.lib.sessions import get_session
from backend.lib.templates import render_string
from backend.web.live.channels import user_channel
from backend.web.live.counts import NAV_SECTIONS, nav_counts, unread_count
from backend.web.live.kinds import COUNTS_CHANGED, live_mode

__all__ = ["LiveController"]

KEEPALIVE_SECONDS = 25.0
STREAM_SECONDS = 600.0


class LiveController(Controller):
    """Live signals for open pages."""

    path = "/live"

    @get("/events", name="live.events")
    async def events(self, request: Request[Any, Any, Any], channels: NamedDependency[ChannelsPlugin],
                     settings: AppSettings) -> Response[Any]:
        user_id = get_session(request).get("uid")
        if not isinstance(user_id, int):
            raise NotAuthenticatedError()
        if live_mode(settings) != "sse":
            return Response(b"", status_code=204)  # EventSource stops reconnecting on 204

        async def stream() -> AsyncGenerator[ServerSentEventMessage, None]:
            inbox: asyncio.Queue[bytes] = asyncio.Queue()
            loop = asyncio.get_running_loop()
            closes_at = loop.time() + STREAM_SECONDS
            async with channels.start_subscription([user_channel(user_id)]) as subscriber, \
                    subscriber.run_in_background(inbox.put):
                yield ServerSentEventMessage(event="ready", data="1", retry=5000)
                while loop.time() < closes_at:
                    try:
                        await asyncio.wait_for(inbox.get(), timeout=KEEPALIVE_SECONDS)
                    except TimeoutError:
                        yield ServerSentEventMessage(comment="keepalive", data=None)
                        continue
                    yield ServerSentEventMessage(event=COUNTS_CHANGED, data="1")

        return ServerSentEvent(stream(), headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})

    @get("/counts", name="live.counts")
    async def counts(self, request: Request[Any, Any, Any], db: DB, actor: CurrentActor) -> Response[str]:
        """The bell, then each navigation badge as an out-of-band swap: one event, one poll, every count."""
        html = render_string(request, "layouts/app.html", {"unread_count": await unread_count(db, actor)},
                             block="live_counts") + render_string(
            request, "components/_nav_counts.html",
            {"nav_counts": await nav_counts(db, actor), "sections": NAV_SECTIONS})
        return Response(html, media_type=MediaType.HTML,
                        headers={"Vary": "HX-Request", "Cache-Control": "no-store"})
