"""Row locks that hide the dialect: ``FOR UPDATE`` on PostgreSQL, nothing extra on SQLite.

SQLite serialises writing transactions with ``BEGIN IMMEDIATE`` (see :mod:`backend.db.engine`), so a
plain select inside one is already exclusive there; the read-only sessions of GET requests must not
lock (they are not serialised with writers).
"""

from __future__ import annotations

from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ["lock_one"]

M = TypeVar("M")


async def lock_one(db: AsyncSession, query: sa.Select[tuple[M]], model: type[Any]) -> M | None:
    """The row ``query`` selects, re-read from the database and locked until the transaction ends."""
    query = query.execution_options(populate_existing=True)
    if db.bind.dialect.name == "postgresql":
        query = query.with_for_update(of=model)
    # Bound to a typed name: in a return context mypy picks the untyped overload of ``scalar``.
    row: M | None = await db.scalar(query)
    return row
