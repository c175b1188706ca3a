"""Who has already been reminded of what: a reminder goes out once per (kind, subject, person, marker).

:func:`claim` returns the people of a candidate list who have not had this reminder yet and records
them in the same transaction as the notification job, so a reminder exists if and only if it was
recorded. Runs are serialised (:func:`serialise`: a transaction-scoped advisory lock on PostgreSQL;
the ``BEGIN IMMEDIATE`` write lock on SQLite), and the unique key is the backstop.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.models import ReminderSent

__all__ = ["claim", "serialise"]

_LOCK_KEY = 0x4356524D  # "CVRM"


async def serialise(db: AsyncSession) -> None:
    """Hold the reminders' lock until the transaction ends (PostgreSQL; SQLite serialises writers itself)."""
    if db.bind.dialect.name == "postgresql":
        await db.execute(sa.select(sa.func.pg_advisory_xact_lock(_LOCK_KEY)))


async def claim(db: AsyncSession, kind: str, subject_type: str, subject_id: int, user_ids: Iterable[int],
                marker: str = "") -> list[int]:
    """The users of ``user_ids`` not yet reminded (sorted), now recorded as reminded."""
    wanted = sorted(set(user_ids))
    if not wanted:
        return []
    done = set((await db.scalars(sa.select(ReminderSent.user_id).where(
        ReminderSent.kind == kind, ReminderSent.subject_type == subject_type, ReminderSent.subject_id == subject_id,
        ReminderSent.marker == marker, ReminderSent.user_id.in_(wanted)))).all())
    fresh = [uid for uid in wanted if uid not in done]
    db.add_all(ReminderSent(kind=kind, subject_type=subject_type, subject_id=subject_id, user_id=uid, marker=marker)
               for uid in fresh)
    await db.flush()
    return fresh
