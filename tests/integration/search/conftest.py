"""Fixtures of the search tests: one logged-in client per demo user."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.support.incoming import Clients


@pytest.fixture
def clients(client: AsyncTestClient[Litestar], login: Callable[..., Awaitable[Any]]) -> Clients:
    return Clients(client, login)
