"""Migrations and models agree; the latest migration can be reverted and re-applied."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

import backend.db.models  # noqa: F401
from backend.db.base import Base, is_modelled
from backend.db.engine import create_engine
from backend.db.migrate import downgrade, upgrade

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")


@pytest.fixture
def empty_database_url(tmp_path: Path) -> Iterator[str]:
    if not TEST_DATABASE_URL.startswith("postgres"):
        yield f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
        return
    import asyncpg

    base = TEST_DATABASE_URL.replace("postgresql+asyncpg://", "postgresql://")
    name = f"cv_mig_{uuid.uuid4().hex[:10]}"

    async def admin(sql: str) -> None:
        conn = await asyncpg.connect(base)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    yield f"{base.rpartition('/')[0]}/{name}".replace("postgresql://", "postgresql+asyncpg://")
    asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _diff(url: str) -> list[object]:
    async def run() -> list[object]:
        engine = create_engine(url)
        async with engine.connect() as conn:
            diff = await conn.run_sync(lambda c: compare_metadata(
            MigrationContext.configure(c, opts={"include_name": is_modelled}), Base.metadata))
        await engine.dispose()
        return diff

    return asyncio.run(run())


def test_migrations_upgrade_empty_database_to_models_exactly(empty_database_url: str) -> None:
    upgrade(empty_database_url)
    assert _diff(empty_database_url) == []


def test_latest_migration_downgrades_and_upgrades_again(empty_database_url: str) -> None:
    upgrade(empty_database_url)
    downgrade(empty_database_url, "-1")
    upgrade(empty_database_url)
    assert _diff(empty_database_url) == []
