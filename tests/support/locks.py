"""Another process's long write transaction, held while a test checks that the system keeps working."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg


@asynccontextmanager
async def writer_holding_lock(database_url: str, table: str, mode: str = "EXCLUSIVE") -> AsyncIterator[None]:
    """Hold SQLite's write lock, or on PostgreSQL a ``mode`` lock on ``table``, until the block ends."""
    if database_url.startswith("sqlite"):
        conn = sqlite3.connect(database_url.split("///", 1)[1], isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            conn.execute("ROLLBACK")
            conn.close()
        return
    pg = await asyncpg.connect(database_url.replace("postgresql+asyncpg://", "postgresql://"))
    await pg.execute(f"BEGIN; LOCK TABLE {table} IN {mode} MODE")
    try:
        yield
    finally:
        await pg.execute("ROLLBACK")
        await pg.close()
