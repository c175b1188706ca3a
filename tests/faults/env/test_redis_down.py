"""Redis down while serving: what a user notices, and that nothing is lost.

Redis carries the web sessions (and the page cache store) and the live "counts changed" pub/sub; jobs
and pushes live in the database outbox. With Redis stopped, a page answers a Vietnamese 503 ("try again
shortly") instead of a traceback or a silent logout; when it is back, the same session works again.
A push due while Redis is down is delivered (it never depended on Redis); the live signal queued with it
is retried by the outbox and published once Redis is back.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from litestar.channels.backends.redis import RedisChannelsPubSubBackend
from redis.asyncio import Redis

from backend.cli.seed import DEMO_PASSWORD
from backend.db.base import utcnow
from backend.db.models import JobStatus, OutboxJob
from backend.domain.notifications.kinds import NOTIFY, Notify
from backend.tasks.outbox import enqueue
from backend.web.live.channels import user_channel
from backend.web.live.kinds import COUNTS_CHANGED, LIVE_PUBLISH
from tests.conftest import csrf_from
from tests.faults.env.conftest import ThrowawayRedis
from tests.support.incoming import UserClient, doc_id_from, intake, intake_fields, make_pdf, type_id

CLERK = "vanthu.xanghiphong"
UNAVAILABLE = "Hệ thống tạm thời gián đoạn"


@pytest.fixture
def settings_env(settings_env: dict[str, str], throwaway_redis: ThrowawayRedis) -> dict[str, str]:
    return {**settings_env, "REDIS_URL": throwaway_redis.url}


async def test_pages_answer_503_while_redis_is_down_and_the_session_survives(
        client: Any, subscribe: Any, throwaway_redis: ThrowawayRedis, db_sessionmaker: Any,
        caplog: pytest.LogCaptureFixture) -> None:
    await subscribe(CLERK, "http://127.0.0.1:9/unused")  # logs the clerk in
    doc_id = doc_id_from(await intake(client, intake_fields(await type_id(db_sessionmaker)), make_pdf(1)))

    throwaway_redis.stop()
    caplog.clear()
    for path in ("/", "/incoming", f"/incoming/{doc_id}", "/login"):
        response = await client.get(path)
        assert response.status_code == 503, (path, response.status_code, response.text[:500])
        assert UNAVAILABLE in response.text and "Traceback" not in response.text
        assert response.headers["retry-after"]
    # the operator's log: one warning line per request naming the cause, no traceback at ERROR
    logged = [record for record in caplog.records if record.name == "congvan.errors"]
    assert len(logged) == 4 and all(
        record.levelno == logging.WARNING and record.exc_info is None and "SERVICE_UNAVAILABLE" in record.getMessage()
        and "ConnectionError" in record.getMessage() for record in logged), [r.getMessage() for r in logged]
    api = await client.get("/api/v1/session")
    assert (api.status_code, api.headers["content-type"], api.json()["code"]) == (
        503, "application/problem+json", "SERVICE_UNAVAILABLE")

    clerk_cookies = httpx.Cookies(client.cookies)
    visitor = UserClient(client)  # its own cookie jar: no session yet
    form = await visitor.get("/login")
    response = await visitor.post("/login", data={"username": CLERK, "password": DEMO_PASSWORD, "next": "/",
                                                  "_csrf_token": csrf_from(form.text)})
    assert response.status_code == 503 and UNAVAILABLE in response.text, (response.status_code, response.text[:500])
    client.cookies = clerk_cookies

    throwaway_redis.start()
    home = await client.get("/")
    assert (home.status_code, home.headers["location"]) == (302, "/incoming")  # still logged in
    for path in ("/incoming", f"/incoming/{doc_id}"):
        response = await client.get(path)
        assert response.status_code == 200, (path, response.status_code)
    assert "triển khai chuyển đổi số" in response.text


async def test_push_due_while_redis_is_down_is_delivered_and_live_signal_follows(
        subscribe: Any, receiver: Any, user_id: Any, drain: Any, throwaway_redis: ThrowawayRedis,
        db_sessionmaker: Any) -> None:
    await subscribe(CLERK, receiver.endpoint("clerk"))
    uid = await user_id(CLERK)
    throwaway_redis.stop()
    async with db_sessionmaker() as db:
        # urgent: a Hỏa tốc push passes quiet hours, so the test does not depend on the time of day
        await enqueue(db, NOTIFY, Notify(user_ids=[uid], title="Văn bản hỏa tốc", url="/incoming/1", urgent=True))
        await db.commit()
    await drain()
    [request] = receiver.wait_for(1)
    assert request.path == "/push/clerk"
    async with db_sessionmaker() as db:
        live = (await db.scalars(sa.select(OutboxJob).where(OutboxJob.kind == LIVE_PUBLISH.name))).one()
    assert live.status == JobStatus.PENDING and live.attempts == 1 and "Connection" in (live.last_error or "")

    throwaway_redis.start()
    listener = Redis.from_url(throwaway_redis.url).pubsub()
    await listener.subscribe(user_channel(uid))
    try:
        async with db_sessionmaker() as db:  # the retry falls due (backoff 5 s … 1 h; not waited for here)
            await db.execute(sa.update(OutboxJob).where(OutboxJob.id == live.id).values(run_after=utcnow()))
            await db.commit()
        await drain()
        message = await listener.get_message(ignore_subscribe_messages=True, timeout=5)
        while message is None or message["type"] != "message":
            message = await listener.get_message(ignore_subscribe_messages=True, timeout=5)
    finally:
        await listener.aclose()
    assert message["channel"].decode() == user_channel(uid)
    async with db_sessionmaker() as db:
        assert (await db.get(OutboxJob, live.id)).status == JobStatus.DONE  # type: ignore[union-attr]
    assert len(receiver.requests) == 1  # the push went out once, not again


async def test_live_updates_resume_after_redis_comes_back(live_server: str, throwaway_redis: ThrowawayRedis,
                                                          settings: Any, demo: Any) -> None:
    """An open page's event stream (SSE, real uvicorn) gets live signals again once Redis is back."""
    uid = (await demo.user(CLERK)).id
    async with httpx.AsyncClient(base_url=live_server, timeout=10) as http:
        page = await http.get("/login")
        response = await http.post("/login", data={"username": CLERK, "password": DEMO_PASSWORD, "next": "/",
                                                   "_csrf_token": csrf_from(page.text)})
        assert response.status_code == 303
        async with http.stream("GET", "/live/events") as stream:
            events: asyncio.Queue[str] = asyncio.Queue()
            reader = asyncio.create_task(_read_events(stream, events))
            try:
                assert await asyncio.wait_for(events.get(), 10) == "ready"
                throwaway_redis.stop()
                await asyncio.sleep(1.0)  # the web process notices the dropped connection
                throwaway_redis.start()
                received = await _publish_until_received(settings, events, user_channel(uid))
            finally:
                reader.cancel()
    assert received == COUNTS_CHANGED


async def _read_events(stream: httpx.Response, events: asyncio.Queue[str]) -> None:
    async for line in stream.aiter_lines():
        if line.startswith("event:"):
            await events.put(line.removeprefix("event:").strip())


async def _publish_until_received(settings: Any, events: asyncio.Queue[str], channel: str) -> str | None:
    """Publish as the worker does, every 0.5 s for up to 15 s, until the page's stream carries an event."""
    client = Redis.from_url(settings.redis_url)
    try:
        for _ in range(30):
            await RedisChannelsPubSubBackend(redis=client).publish(COUNTS_CHANGED.encode(), [channel])
            try:
                return await asyncio.wait_for(events.get(), timeout=0.5)
            except TimeoutError:
                continue
    finally:
        await client.aclose()
    return None
