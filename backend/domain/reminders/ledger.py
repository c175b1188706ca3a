"""Who has already been reminded of what: a reminder goes out once per (kind, subject, person, marker).

A :class:`Ledger` is loaded once per rule and run for all its candidate subjects (one query per 500
subjects, not one per subject); :meth:`Ledger.claim` returns the people of a candidate list who have
not had this reminder yet and adds their rows to the session, in the same transaction as the
notification job, so a reminder exists if and only if it was recorded. Runs are serialised
(:func:`serialise`: a transaction-scoped advisory lock on PostgreSQL; the ``BEGIN IMMEDIATE`` write
lock on SQLite), and the unique key is the backstop.
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.models import ReminderSent

__all__ = ["Ledger", "serialise"]

_LOCK_KEY = 0x4356524D  # "CVRM"
_CHUNK = 500


async def serialise(db: AsyncSession) -> None:
    """Hold the reminders' lock until the transaction ends (PostgreSQL; SQLite serialises writers itself)."""
    if db.bind.dialect.name == "postgresql":
        await db.execute(sa.select(sa.func.pg_advisory_xact_lock(_LOCK_KEY)))


class Ledger:
    """The reminders already given about some subjects of one type."""

    def __init__(self, db: AsyncSession, subject_type: str, sent: set[tuple[str, int, int, str]]) -> None:
        self._db, self._type, self._sent = db, subject_type, sent

    @classmethod
    async def load(cls, db: AsyncSession, subject_type: str, kinds: Iterable[str],
                   subject_ids: Iterable[int]) -> Ledger:
        """The rows of ``kinds`` about ``subject_ids``."""
        ids, kinds = sorted(set(subject_ids)), list(kinds)
        sent: set[tuple[str, int, int, str]] = set()
        for start in range(0, len(ids), _CHUNK):
            rows = (await db.execute(sa.select(
                ReminderSent.kind, ReminderSent.subject_id, ReminderSent.user_id, ReminderSent.marker).where(
                ReminderSent.subject_type == subject_type, ReminderSent.kind.in_(kinds),
                ReminderSent.subject_id.in_(ids[start:start + _CHUNK])))).all()
            sent.update((kind, subject, user, marker) for kind, subject, user, marker in rows)
        return cls(db, subject_type, sent)

    def __contains__(self, key: tuple[str, int, int, str]) -> bool:
        """Whether ``(kind, subject_id, user_id, marker)`` was reminded already."""
        return key in self._sent

    def claim(self, kind: str, subject_id: int, user_ids: Iterable[int], marker: str = "") -> list[int]:
        """The users of ``user_ids`` not yet reminded (sorted), now recorded as reminded."""
        fresh = [uid for uid in sorted(set(user_ids)) if (kind, subject_id, uid, marker) not in self._sent]
        for uid in fresh:
            self._sent.add((kind, subject_id, uid, marker))
            self._db.add(ReminderSent(kind=kind, subject_type=self._type, subject_id=subject_id, user_id=uid,
                                      marker=marker))
        return fresh
