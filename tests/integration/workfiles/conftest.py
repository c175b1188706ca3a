"""Fixtures of the work-file tests: per-user API clients on the shared app."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.support.incoming import Clients
from tests.support.workfiles import Api


@pytest.fixture
def api(client: AsyncTestClient[Litestar], login: Callable[..., Awaitable[Any]]) -> Callable[[str], Awaitable[Api]]:
    """``await api("chuyenvien.tinh")``: that user's JSON client."""
    clients = Clients(client, login)

    async def make(username: str) -> Api:
        return Api(await clients(username))

    return make
