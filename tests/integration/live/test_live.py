"""Live updates: the counts fragment, SSE only where the worker can publish, publishing through Redis."""

from __future__ import annotations

import asyncio

import sqlalchemy as sa
from litestar.testing import AsyncTestClient

from backend.asgi import create_app
from backend.config.settings import load_settings
from backend.db.models import Notification, OutboxJob, User
from backend.domain.notifications.kinds import NOTIFY, Notify
from backend.tasks.outbox import enqueue
from backend.web.live.channels import user_channel
from backend.web.live.kinds import LIVE_PUBLISH
from backend.worker_app import run_once

CLERK = "vanthu.xanghiphong"


async def test_counts_fragment_shows_unread_badge(client, login, db_sessionmaker, demo) -> None:
    await login(client, CLERK)
    uid = (await demo.user(CLERK)).id
    async with db_sessionmaker() as db:
        db.add_all([Notification(user_id=uid, title=f"Thông báo {i}") for i in range(3)])
        await db.commit()
    response = await client.get("/live/counts", headers={"HX-Request": "true", "HX-Target": "live-counts"})
    assert response.status_code == 200 and "HX-Request" in response.headers["vary"]
    assert '<span class="badge-count">3</span>' in response.text and "<html" not in response.text


async def test_layout_polls_or_listens_depending_on_the_backend(client, login, settings) -> None:
    await login(client, CLERK)
    page = (await client.get("/notifications")).text
    if settings.redis_url:
        assert 'hx-trigger="counts-changed from:body"' in page and 'data-live="sse"' in page
    else:
        assert 'hx-trigger="every 30s, counts-changed from:body"' in page and 'data-live="poll"' in page


async def test_event_stream_needs_login_and_is_off_without_redis(settings_env, login) -> None:
    embedded = create_app(load_settings({**settings_env, "REDIS_URL": ""}))
    async with AsyncTestClient(app=embedded, base_url="http://testserver.local") as client:
        client.follow_redirects = False
        assert (await client.get("/live/events")).status_code == 303
        await login(client, CLERK)
        assert (await client.get("/live/events")).status_code == 204
    await embedded.state.engine.dispose()


async def test_worker_publishes_counts_changed_only_where_pages_can_listen(settings, db_sessionmaker) -> None:
    async with db_sessionmaker() as db:
        uid = (await db.scalars(sa.select(User.id).where(User.username == CLERK))).one()
        await enqueue(db, NOTIFY, Notify(user_ids=[uid], title="Phân công mới"))
        await db.commit()
    if not settings.redis_url:
        # Embedded mode: pages poll; the worker must not queue publications nobody can receive.
        assert await run_once(settings, db_sessionmaker) == 1
        async with db_sessionmaker() as db:
            live_jobs = await db.scalar(sa.select(sa.func.count()).select_from(OutboxJob)
                                        .where(OutboxJob.kind == LIVE_PUBLISH.name))
        assert live_jobs == 0
        return
    from redis.asyncio import Redis

    client = Redis.from_url(settings.redis_url)
    pubsub = client.pubsub()
    await pubsub.subscribe(user_channel(uid))
    await pubsub.get_message(timeout=1)  # subscription confirmation
    assert await run_once(settings, db_sessionmaker) == 1
    async with db_sessionmaker() as db:
        assert await db.scalar(sa.select(sa.func.count()).select_from(OutboxJob)
                               .where(OutboxJob.kind == LIVE_PUBLISH.name)) == 1
    assert await run_once(settings, db_sessionmaker) == 1
    message = None
    for _ in range(20):
        message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=0.5)
        if message:
            break
        await asyncio.sleep(0.05)
    await pubsub.aclose()
    await client.aclose()
    assert message and message["data"] == b"counts-changed"
