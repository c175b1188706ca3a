"""When sessions end: a password change, an administrator's reset or a deactivation ends every other
session of the account (for good), and no session outlives its absolute lifetime (issue 16)."""

from __future__ import annotations

import json
import time
from typing import Any

import sqlalchemy as sa
from litestar import Litestar
from litestar.stores.redis import RedisStore
from litestar.testing import AsyncTestClient

from backend.cli.seed import DEMO_PASSWORD
from backend.db.models import AuditEvent
from backend.lib.sessions import COOKIE_NAME
from tests.conftest import csrf_from

CLERK = "vanthu.xanghiphong"
ADMIN = "quantri.xanghiphong"
Client = AsyncTestClient[Litestar]


async def _other_session(client: Client, login: Any, username: str) -> str:
    """Log ``username`` in on another device: a session of its own (the client's cookie is restored)."""
    current = client.cookies.get(COOKIE_NAME)
    client.cookies.delete(COOKIE_NAME)
    await login(client, username)
    other = client.cookies.get(COOKIE_NAME)
    _use(client, current)
    return other


def _use(client: Client, session_id: str | None) -> None:
    client.cookies.delete(COOKIE_NAME)
    if session_id:
        client.cookies.set(COOKIE_NAME, session_id, domain="testserver.local")


async def _sent_to_login(client: Client, session_id: str) -> bool:
    _use(client, session_id)
    response = await client.get("/account")
    return response.status_code == 303 and response.headers["location"].startswith("/login")


async def _post(client: Client, path: str, data: dict[str, str] | None = None) -> Any:
    token = csrf_from((await client.get("/account")).text)
    return await client.post(path, data={**(data or {}), "_csrf_token": token})


def _store(app: Litestar, settings: Any) -> Any:
    """The session store as seen from the test's own event loop (a Redis client cannot be shared)."""
    if settings.redis_url:
        return RedisStore.with_client(url=settings.redis_url, namespace="congvan").with_namespace("sessions")
    return app.stores.get("sessions")


async def test_password_change_ends_the_other_sessions_and_keeps_this_one(client, login, db_sessionmaker) -> None:
    await login(client, CLERK)
    phone = await _other_session(client, login, CLERK)  # e.g. the phone left logged in
    before = client.cookies.get(COOKIE_NAME)
    changed = await _post(client, "/account/password", {
        "current_password": DEMO_PASSWORD, "new_password": "Tr4ngSang!MuaThu", "confirm_password": "Tr4ngSang!MuaThu"})
    assert changed.status_code == 303
    current = client.cookies.get(COOKIE_NAME)
    assert current != before  # this session continues under a new id
    assert (await client.get("/account")).status_code == 200
    assert await _sent_to_login(client, phone)
    async with db_sessionmaker() as db:
        detail = (await db.scalars(sa.select(AuditEvent.detail).where(
            AuditEvent.action == "auth.password_changed"))).one()
    assert json.loads(detail) == {"other_sessions_ended": True}


async def test_admin_password_reset_ends_the_users_sessions(client, login, demo) -> None:
    await login(client, CLERK)
    assert (await client.get("/account")).status_code == 200
    clerk_session = client.cookies.get(COOKIE_NAME)
    clerk = await demo.user(CLERK)
    client.cookies.delete(COOKIE_NAME)
    await login(client, ADMIN)
    admin_session = client.cookies.get(COOKIE_NAME)
    assert (await _post(client, f"/admin/users/{clerk.id}/reset-password")).status_code == 303
    assert (await client.get("/admin")).status_code == 200  # the administrator's own session is untouched
    assert await _sent_to_login(client, clerk_session)
    _use(client, admin_session)
    assert (await client.get("/admin")).status_code == 200


async def test_admin_resetting_own_password_keeps_the_current_session(client, login, demo) -> None:
    await login(client, ADMIN)
    admin = await demo.user(ADMIN)
    assert (await _post(client, f"/admin/users/{admin.id}/reset-password")).status_code == 303
    page = await client.get("/account/password")  # must change it now, still logged in
    assert page.status_code == 200 and "cần đặt mật khẩu mới" in page.text


async def test_deactivation_ends_sessions_for_good_even_after_reactivation(client, login, demo) -> None:
    await login(client, CLERK)
    clerk_session = client.cookies.get(COOKIE_NAME)
    clerk = await demo.user(CLERK)
    client.cookies.delete(COOKIE_NAME)
    await login(client, ADMIN)
    assert (await _post(client, f"/admin/users/{clerk.id}/deactivate")).status_code == 303
    assert (await _post(client, f"/admin/users/{clerk.id}/reactivate")).status_code == 303
    assert await _sent_to_login(client, clerk_session)
    await login(client, CLERK)  # a new login works again
    assert (await client.get("/account")).status_code == 200


async def test_session_ends_after_its_absolute_lifetime_whatever_the_activity(client, login, app,
                                                                             settings) -> None:
    assert settings.session_max_hours == 12
    await login(client, CLERK)
    session_id = client.cookies.get(COOKIE_NAME)
    store = _store(app, settings)
    data = json.loads(await store.get(session_id))
    assert (await client.get("/account")).status_code == 200  # used a minute ago: the idle timeout is far
    data["_started"] = int(time.time()) - 12 * 3600 - 5
    await store.set(session_id, json.dumps(data), expires_in=600)
    response = await client.get("/account")
    assert response.status_code == 303 and response.headers["location"].startswith("/login")
    assert await store.get(session_id) is None
    assert f"{COOKIE_NAME}=" in response.headers.get("set-cookie", "")
