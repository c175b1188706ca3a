"""Bulk loading of generated rows: PostgreSQL ``COPY`` through asyncpg, SQLite ``executemany``.

Rows are plain dicts keyed by column name. Every row of one call carries the same keys; columns
left out take NULL. Primary keys are given explicitly by the caller, so after loading PostgreSQL's
sequences are moved past them (:meth:`BulkLoader.finish`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import asyncpg
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

__all__ = ["BulkLoader"]

_BATCH = 20_000


class BulkLoader:
    """Loads rows into tables inside the caller's transaction (``conn``)."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn
        self.is_postgres = conn.dialect.name == "postgresql"
        self.tables: dict[str, sa.Table] = {}

    async def _driver(self) -> asyncpg.Connection:
        raw = await self.conn.get_raw_connection()
        return raw.driver_connection

    async def load(self, table: sa.Table, rows: Iterable[dict[str, Any]]) -> int:
        """Insert ``rows`` into ``table`` in batches; returns how many."""
        self.tables[table.name] = table
        total = 0
        batch: list[dict[str, Any]] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= _BATCH:
                total += await self._write(table, batch)
                batch = []
        if batch:
            total += await self._write(table, batch)
        return total

    async def _write(self, table: sa.Table, batch: Sequence[dict[str, Any]]) -> int:
        columns = list(batch[0])
        if self.is_postgres:
            driver = await self._driver()
            await driver.copy_records_to_table(table.name, records=[tuple(row[c] for c in columns) for row in batch],
                                               columns=columns)
        else:
            await self.conn.execute(table.insert(), list(batch))
        return len(batch)

    async def finish(self) -> None:
        """Move each loaded table's id sequence past the ids given (PostgreSQL)."""
        if not self.is_postgres:
            return
        for name, table in sorted(self.tables.items()):
            if "id" in table.c and table.c.id.autoincrement in (True, "auto") and table.c.id.primary_key:
                await self.conn.execute(sa.text(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "  # noqa: S608 - table names are ours
                    f"COALESCE((SELECT max(id) FROM {name}), 0) + 1, false)"))
