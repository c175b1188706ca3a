"""Fixtures of the incoming-document tests (helpers live in ``incoming_support``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from incoming_support import Clients
from litestar import Litestar
from litestar.testing import AsyncTestClient


@pytest.fixture
def clients(client: AsyncTestClient[Litestar], login: Callable[..., Awaitable[Any]]) -> Clients:
    return Clients(client, login)
