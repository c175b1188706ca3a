"""Row locks that hide the dialect: ``FOR UPDATE`` on PostgreSQL, nothing extra on SQLite.

:func:`take_next` is the one way a yearly series (arrival, outgoing, copy numbers) hands out its next
number: the counter row is created if missing, then locked, so two writers never get the same number.

SQLite serialises writing transactions with ``BEGIN IMMEDIATE`` (see :mod:`backend.db.engine`), so a
plain select inside one is already exclusive there; the read-only sessions of GET requests must not
lock (they are not serialised with writers).
"""

from __future__ import annotations

from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ["lock_one", "take_next"]

M = TypeVar("M")


async def lock_one(db: AsyncSession, query: sa.Select[tuple[M]], model: type[Any]) -> M | None:
    """The row ``query`` selects, re-read from the database and locked until the transaction ends."""
    query = query.execution_options(populate_existing=True)
    if db.bind.dialect.name == "postgresql":
        query = query.with_for_update(of=model)
    # Bound to a typed name: in a return context mypy picks the untyped overload of ``scalar``.
    row: M | None = await db.scalar(query)
    return row


async def take_next(db: AsyncSession, counter: type[Any], **key: object) -> int:
    """Increment the ``last_number`` of the ``counter`` row identified by ``key`` (created at 0 when missing)
    under a row lock, and return the new number. A rolled-back transaction rolls the counter back with it.

    On SQLite a writing transaction holds the database's write lock from its start, so the read is exclusive.
    """
    insert = (postgresql.insert if db.bind.dialect.name == "postgresql" else sqlite.insert)(counter)
    await db.execute(insert.values(**key, last_number=0).on_conflict_do_nothing())
    query = sa.select(counter).where(*(getattr(counter, name) == value for name, value in key.items()))
    row = await lock_one(db, query, counter)
    assert row is not None  # inserted just above, or already there
    row.last_number += 1
    await db.flush()
    return int(row.last_number)
