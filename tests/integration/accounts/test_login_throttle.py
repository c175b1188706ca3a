"""Failed logins: one client address cannot lock accounts at will (per-address throttle, 429), and the
answer never tells an existing locked account from an unknown username (issue 16)."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from backend.db.models import AuditEvent, User

CLERK = "vanthu.xanghiphong"
ERROR = re.compile(r'id="login-error">([^<]*)<')


def _error(response) -> str:
    match = ERROR.search(response.text)
    assert match, response.text[:500]
    return match.group(1)


async def test_twenty_failures_from_one_address_throttle_it_before_any_account_is_touched(
        client, login, settings, db_sessionmaker) -> None:
    assert settings.login_ip_max_failures == 20
    for n in range(20):  # spread over accounts, none of them reaches its own lockout
        response = await login(client, f"doan.ten{n % 4}", "doan-mat-khau-1", expect_success=False)
        assert response.status_code == 401
    throttled = await login(client, CLERK, "congvan2026", expect_success=False)  # even the right password
    assert throttled.status_code == 429
    assert "quá nhiều lần đăng nhập sai từ địa chỉ mạng này" in _error(throttled)
    retry_after = int(throttled.headers["retry-after"])
    assert 0 < retry_after <= settings.login_failure_window_minutes * 60
    assert f"{-(-retry_after // 60)} phút" in _error(throttled)
    assert throttled.headers["x-frame-options"] == "DENY"
    async with db_sessionmaker() as db:
        clerk = (await db.scalars(sa.select(User).where(User.username == CLERK))).one()
        rows = (await db.scalars(sa.select(AuditEvent.action).where(AuditEvent.actor_name == CLERK))).all()
    assert clerk.failed_logins == 0 and clerk.locked_until is None and rows == []  # the account never saw it

    async with db_sessionmaker() as db:  # the window slides on: the failures age out
        for row in (await db.scalars(sa.select(AuditEvent).where(AuditEvent.action == "auth.login_failed"))).all():
            row.at -= timedelta(minutes=settings.login_failure_window_minutes)
        await db.commit()
    await login(client, CLERK)


async def test_unknown_username_and_locked_account_get_the_same_answer(client, login) -> None:
    answers = {}
    for username in (CLERK, "khong.ton.tai"):
        for _ in range(5):
            await login(client, username, "sai-mat-khau-1", expect_success=False)
        sixth = await login(client, username, "sai-mat-khau-1", expect_success=False)
        answers[username] = (sixth.status_code, _error(sixth), sixth.headers.get("retry-after"))
    assert answers[CLERK] == answers["khong.ton.tai"]
    status, message, _retry = answers[CLERK]
    assert status == 401 and "đang tạm khóa" in message and "15 phút" in message


async def test_locked_account_refuses_the_right_password_with_the_same_answer(client, login) -> None:
    wrong = await login(client, CLERK, "sai-mat-khau-1", expect_success=False)
    for _ in range(4):
        await login(client, CLERK, "sai-mat-khau-1", expect_success=False)
    right = await login(client, CLERK, "congvan2026", expect_success=False)
    assert (right.status_code, _error(right)) == (wrong.status_code, _error(wrong))
