"""The web process's PostgreSQL connections: JIT off, custom plans, a sized pool that queues a burst."""

from __future__ import annotations

import asyncio
import os

import pytest
import sqlalchemy as sa
from litestar import Litestar

from backend.config.settings import load_settings

ON_POSTGRES = os.environ.get("TEST_DATABASE_URL", "").startswith("postgres")


def test_pool_settings_come_from_the_environment() -> None:
    settings = load_settings({"APP_ENV": "demo", "DB_POOL_SIZE": "7", "DB_POOL_TIMEOUT_SECONDS": "45"})
    assert (settings.db_pool_size, settings.db_pool_timeout_seconds) == (7, 45)
    assert (load_settings({"APP_ENV": "demo"}).db_pool_size, load_settings({}).db_pool_timeout_seconds) == (10, 120)


@pytest.mark.skipif(not ON_POSTGRES, reason="PostgreSQL session settings")
async def test_app_connections_turn_jit_off_and_plan_with_the_real_values(app: Litestar) -> None:
    async with app.state.engine.connect() as conn:
        assert await conn.scalar(sa.text("SHOW jit")) == "off"
        assert await conn.scalar(sa.text("SHOW plan_cache_mode")) == "force_custom_plan"


@pytest.mark.skipif(not ON_POSTGRES, reason="the pool is PostgreSQL's")
async def test_a_burst_larger_than_the_pool_queues_instead_of_failing(app: Litestar) -> None:
    engine = app.state.engine
    size = engine.pool.size()
    assert size == 10 and engine.pool._max_overflow == 0

    async def hold() -> int:
        async with engine.connect() as conn:
            await conn.execute(sa.text("SELECT pg_sleep(0.2)"))
            return 1

    assert sum(await asyncio.gather(*(hold() for _ in range(size * 3)))) == size * 3
