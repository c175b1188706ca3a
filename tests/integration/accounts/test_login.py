"""Login, session fixation, lockout, logout and password changes through real HTTP requests."""

from __future__ import annotations

import json

import sqlalchemy as sa
from litestar.stores.redis import RedisStore

from backend.db.models import AuditEvent, OutboxJob, User
from backend.lib.sessions import COOKIE_NAME

CLERK = "vanthu.xanghiphong"


async def test_login_page_renders_in_vietnamese_with_csrf_field(client) -> None:
    response = await client.get("/login")
    assert response.status_code == 200
    assert "Đăng nhập" in response.text and 'name="_csrf_token"' in response.text
    assert response.headers["cache-control"] == "no-store"


async def test_login_success_redirects_to_next_and_shows_shell(client, csrf_token) -> None:
    token = await csrf_token(client)
    response = await client.post("/login", data={"username": "VanThu.XaNghiPhong ", "password": "congvan2026",
                                                  "next": "/outgoing", "_csrf_token": token})
    assert response.status_code == 303 and response.headers["location"] == "/outgoing"
    page = await client.get("/outgoing")
    assert page.status_code == 200
    assert "Ủy ban nhân dân xã Nghi Phong" in page.text and "Văn bản đi" in page.text


async def test_login_rejects_open_redirect_targets(client, csrf_token) -> None:
    token = await csrf_token(client)
    response = await client.post("/login", data={"username": CLERK, "password": "congvan2026",
                                                  "next": "//evil.example/x", "_csrf_token": token})
    assert response.headers["location"] == "/"


async def test_login_issues_new_session_id_defeating_fixation(client, csrf_token) -> None:
    client.cookies.set(COOKIE_NAME, "attacker-chosen-session-id", domain="testserver.local")
    token = await csrf_token(client)
    response = await client.post("/login", data={"username": CLERK, "password": "congvan2026", "next": "/",
                                                  "_csrf_token": token})
    issued = response.cookies.get(COOKIE_NAME)
    assert issued and issued != "attacker-chosen-session-id"
    set_cookie = response.headers["set-cookie"]
    assert "HttpOnly" in set_cookie and "SameSite=lax" in set_cookie.replace("Lax", "lax")


def _session_store(app, settings):
    """The session store as seen from the test's own event loop (a Redis client cannot be shared)."""
    if settings.redis_url:
        return RedisStore.with_client(url=settings.redis_url, namespace="congvan").with_namespace("sessions")
    return app.stores.get("sessions")


async def test_session_id_before_login_does_not_survive_login(client, app, settings, csrf_token, login) -> None:
    # An anonymous session that already has data (e.g. set by the attacker's visit) must be replaced.
    store = _session_store(app, settings)
    await store.set("planted", '{"flash": {"message": "x", "kind": "success"}}', expires_in=600)
    client.cookies.set(COOKIE_NAME, "planted", domain="testserver.local")
    await login(client, CLERK)
    assert client.cookies.get(COOKIE_NAME) != "planted"
    assert await store.get("planted") is None


async def test_wrong_password_gives_vietnamese_message_and_audit_row(client, login, db_sessionmaker) -> None:
    response = await login(client, CLERK, "wrong-password", expect_success=False)
    assert response.status_code == 401
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in response.text
    assert f'value="{CLERK}"' in response.text  # what the user typed is kept
    async with db_sessionmaker() as db:
        actions = (await db.scalars(sa.select(AuditEvent.action).where(AuditEvent.actor_name == CLERK))).all()
    assert actions == ["auth.login_failed"]


async def test_unknown_user_gets_the_same_message(client, login) -> None:
    response = await login(client, "nobody.here", "whatever-123", expect_success=False)
    assert response.status_code == 401 and "Tên đăng nhập hoặc mật khẩu không đúng" in response.text


async def test_lockout_after_five_failures_blocks_even_the_right_password(client, login, db_sessionmaker) -> None:
    for _ in range(4):
        assert "không đúng" in (await login(client, CLERK, "bad-pass-1", expect_success=False)).text
    fifth = await login(client, CLERK, "bad-pass-1", expect_success=False)
    assert "đang tạm khóa" in fifth.text
    right = await login(client, CLERK, "congvan2026", expect_success=False)
    assert right.status_code == 401 and "đang tạm khóa" in right.text
    async with db_sessionmaker() as db:
        user = (await db.scalars(sa.select(User).where(User.username == CLERK))).one()
        actions = (await db.scalars(sa.select(AuditEvent.action).where(AuditEvent.actor_id == user.id)
                                    .order_by(AuditEvent.id))).all()
        jobs = (await db.scalars(sa.select(OutboxJob.payload).where(OutboxJob.kind == "notification.create"))).all()
        admin_id = (await db.scalars(sa.select(User.id).where(User.username == "quantri.xanghiphong"))).one()
    assert user.locked_until is not None
    assert actions == ["auth.login_failed"] * 5 + ["auth.lockout", "auth.login_refused_locked"]
    [payload] = [json.loads(p) for p in jobs]
    assert payload["user_ids"] == [admin_id] and CLERK in payload["title"]


async def test_lockout_counts_only_failures_inside_the_window(client, login, db_sessionmaker) -> None:
    for _ in range(4):
        await login(client, CLERK, "bad-pass-1", expect_success=False)
    async with db_sessionmaker() as db:
        user = (await db.scalars(sa.select(User).where(User.username == CLERK))).one()
        user.first_failed_at = user.first_failed_at.replace(year=2020)
        await db.commit()
    response = await login(client, CLERK, "bad-pass-1", expect_success=False)
    assert response.status_code == 401
    async with db_sessionmaker() as db:
        user = (await db.scalars(sa.select(User).where(User.username == CLERK))).one()
    assert user.locked_until is None and user.failed_logins == 1
    await login(client, CLERK)  # the right password still opens the account


async def test_logout_destroys_the_session(client, login, csrf_token) -> None:
    await login(client, CLERK)
    old_session = client.cookies.get(COOKIE_NAME)
    token = await csrf_token(client, "/account")
    response = await client.post("/logout", data={"_csrf_token": token})
    assert response.status_code == 303 and response.headers["location"] == "/login"
    client.cookies.set(COOKIE_NAME, old_session, domain="testserver.local")
    again = await client.get("/account")
    assert again.status_code == 303 and again.headers["location"].startswith("/login")


async def test_change_password_validates_and_then_applies(client, login, csrf_token, db_sessionmaker) -> None:
    await login(client, CLERK)
    token = await csrf_token(client, "/account/password")
    bad = await client.post("/account/password", data={
        "current_password": "congvan2026", "new_password": "short", "confirm_password": "short",
        "_csrf_token": token})
    assert bad.status_code == 422 and "ít nhất 10 ký tự" in bad.text
    wrong = await client.post("/account/password", data={
        "current_password": "nope", "new_password": "MatKhauMoi2026", "confirm_password": "MatKhauMoi2026",
        "_csrf_token": token})
    assert wrong.status_code == 422 and "Mật khẩu hiện tại không đúng" in wrong.text
    ok = await client.post("/account/password", data={
        "current_password": "congvan2026", "new_password": "MatKhauMoi2026", "confirm_password": "MatKhauMoi2026",
        "_csrf_token": token})
    assert ok.status_code == 303
    assert "Đã đổi mật khẩu" in (await client.get("/account")).text
    async with db_sessionmaker() as db:
        actions = (await db.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id.desc()).limit(2))).all()
    assert actions[0] == "auth.password_changed"


async def test_user_flagged_must_change_password_is_sent_to_the_form(client, login, db_sessionmaker) -> None:
    async with db_sessionmaker() as db:
        await db.execute(sa.update(User).where(User.username == CLERK).values(must_change_password=True))
        await db.commit()
    await login(client, CLERK)
    response = await client.get("/incoming")
    assert response.status_code == 303 and response.headers["location"] == "/account/password"
    form = await client.get("/account/password")
    assert "cần đặt mật khẩu mới" in form.text


async def test_deactivated_user_is_logged_out_on_next_request(client, login, db_sessionmaker) -> None:
    await login(client, CLERK)
    async with db_sessionmaker() as db:
        await db.execute(sa.update(User).where(User.username == CLERK).values(is_active=False))
        await db.commit()
    response = await client.get("/incoming")
    assert response.status_code == 303 and response.headers["location"].startswith("/login")
