"""The web process's database connections: bounded lock waits, JIT off and custom plans on PostgreSQL, a sized
pool that queues a burst, and page views that no writer can block."""

from __future__ import annotations

import asyncio

import sqlalchemy as sa
from litestar import Litestar

from backend.config.settings import load_settings
from tests.support.locks import writer_holding_lock


def test_pool_and_lock_settings_come_from_the_environment() -> None:
    settings = load_settings({"APP_ENV": "demo", "DB_POOL_SIZE": "7", "DB_POOL_TIMEOUT_SECONDS": "45",
                              "DB_LOCK_TIMEOUT_SECONDS": "12", "PAGE_RENDER_TIMEOUT_SECONDS": "4"})
    assert (settings.db_pool_size, settings.db_pool_timeout_seconds) == (7, 45)
    assert (settings.db_lock_timeout_seconds, settings.page_render_timeout_seconds) == (12, 4)
    defaults = load_settings({"APP_ENV": "demo"})
    assert (defaults.db_pool_size, defaults.db_pool_timeout_seconds, defaults.db_lock_timeout_seconds) == (10, 120, 30)


async def test_app_connections_bound_lock_waits_and_plan_with_the_real_values(app: Litestar) -> None:
    async with app.state.engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            assert await conn.scalar(sa.text("PRAGMA busy_timeout")) == 30000
            assert await conn.scalar(sa.text("PRAGMA journal_mode")) == "wal"
        else:
            assert await conn.scalar(sa.text("SHOW lock_timeout")) == "30s"
            assert await conn.scalar(sa.text("SHOW jit")) == "off"
            assert await conn.scalar(sa.text("SHOW plan_cache_mode")) == "force_custom_plan"


async def test_a_burst_larger_than_the_pool_queues_instead_of_failing(app: Litestar) -> None:
    engine = app.state.engine
    size = engine.pool.size()
    assert size == 10 and engine.pool._max_overflow == 0

    async def hold() -> int:
        async with engine.connect() as conn:
            await conn.execute(sa.text("SELECT 1"))
            await asyncio.sleep(0.2)
            return 1

    assert sum(await asyncio.gather(*(hold() for _ in range(size * 3)))) == size * 3


async def test_page_views_are_served_while_a_writer_holds_its_lock(client, login, settings) -> None:
    await login(client, "vanthu.xanghiphong")
    async with writer_holding_lock(settings.database_url, "incoming_document"):
        for path in ("/incoming", "/outgoing", "/notifications"):
            response = await asyncio.wait_for(client.get(path), timeout=10)
            assert response.status_code == 200, path
