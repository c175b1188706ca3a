"""Fixtures shared by the integration tests of the admin pages: log in as a demo user, post real forms
with CSRF, read audit rows."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
import sqlalchemy as sa
from litestar import Litestar
from litestar.testing import AsyncTestClient

from backend.db.models import AuditEvent

Client = AsyncTestClient[Litestar]
CSRF_RE = re.compile(r'name="_csrf_token" value="([^"]+)"')


@pytest.fixture
def as_user(client: Client, login: Callable[..., Awaitable[Any]]) -> Callable[[str], Awaitable[Client]]:
    """``await as_user("quantri.tinh")``: the shared client, logged in as that demo user."""

    async def do(username: str) -> Client:
        await login(client, username)
        return client

    return do


async def form_token(client: Client) -> str:
    """A CSRF token for the client's session (from the account page, or the login page when anonymous)."""
    page = await client.get("/account", follow_redirects=False)
    if page.status_code != 200:
        page = await client.get("/login", follow_redirects=False)
    match = CSRF_RE.search(page.text)
    assert match, "no CSRF token in page"
    return match.group(1)


@pytest.fixture
def post_form(client: Client) -> Callable[..., Awaitable[Any]]:
    """``await post_form(path, {...}, files=None)``: a no-JS browser POST, redirects not followed."""

    async def do(path: str, data: dict[str, Any] | None = None, files: dict[str, Any] | None = None) -> Any:
        payload = {**(data or {}), "_csrf_token": await form_token(client)}
        return await client.post(path, data=payload, files=files, follow_redirects=False)

    return do


@pytest.fixture
def audit_rows(db_sessionmaker: Any) -> Callable[[str], Awaitable[list[AuditEvent]]]:
    """``await audit_rows("agency.created")``: the audit rows with that action, oldest first."""

    async def do(action: str) -> list[AuditEvent]:
        async with db_sessionmaker() as db:
            return list(
                (
                    await db.scalars(
                        sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
                    )
                ).all()
            )

    return do
