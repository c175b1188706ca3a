"""Push test helpers: a loopback push service, real device keys, subscribing through the HTTP endpoint."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from litestar import Litestar
from litestar.testing import AsyncTestClient

from backend.db.models import User
from backend.worker_app import run_once
from tests.support.push_receiver import PushReceiver, TestDevice

Client = AsyncTestClient[Litestar]
_CSRF = re.compile(r'name="_csrf_token" value="([^"]+)"')


@pytest.fixture
def receiver() -> Iterator[PushReceiver]:
    with PushReceiver() as running:
        yield running


@pytest.fixture
def subscribe(client: Client, login: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[TestDevice]]:
    """``await subscribe("vanthu.xanghiphong", endpoint)``: log in and register a new device over HTTP."""

    logged_in: set[str] = set()

    async def do(username: str, endpoint: str,
                 user_agent: str = "Mozilla/5.0 (Linux; Android 14) Chrome/156") -> TestDevice:
        assert logged_in <= {username}, "one user per test client"
        if not logged_in:
            await login(client, username)
            logged_in.add(username)
        page = await client.get("/account/devices")
        token = _CSRF.search(page.text).group(1)  # type: ignore[union-attr]
        device = TestDevice()
        response = await client.post("/account/devices/subscribe", json=device.subscription(endpoint),
                                     headers={"X-CSRFToken": token, "User-Agent": user_agent})
        assert response.status_code == 201, response.text
        return device

    return do


@pytest.fixture
def user_id(db_sessionmaker: Any) -> Callable[[str], Awaitable[int]]:
    async def do(username: str) -> int:
        async with db_sessionmaker() as db:
            return (await db.scalars(sa.select(User.id).where(User.username == username))).one()

    return do


@pytest.fixture
def drain(settings: Any, db_sessionmaker: Any) -> Callable[[], Awaitable[int]]:
    """Run the real worker until no job is due; returns how many jobs ran."""

    async def do() -> int:
        total = 0
        for _ in range(20):
            claimed = await run_once(settings, db_sessionmaker)
            if claimed == 0:
                break
            total += claimed
        return total

    return do
