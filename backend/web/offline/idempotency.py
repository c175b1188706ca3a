"""Server-side idempotency keys: a replayed offline action is applied exactly once.

``claim`` records ``(user, key)`` before the action runs (in its own short transaction, so two
replays racing each other see the claim); ``complete`` stores the response the action produced,
which every later replay of the key gets back without running the action; ``release`` forgets
a claim whose action failed (4xx/5xx: nothing was applied, so trying again is safe).

``mark_applied`` runs inside the action's own transaction (``provide_db``, just before its commit),
so an open claim tells what happened to a request whose web process died:

* marked applied but never completed (died between the commit and ``complete``): the action took
  effect; a replay gets the "replayed" answer (the page as it now is) and the claim is completed;
* not marked and older than ``ABANDONED_AFTER`` (died before its commit): nothing took effect;
  a replay claims the key afresh and runs the action;
* not marked and younger: the request may still be running; a replay is answered "in progress".

Exactly once, through a crash at any point.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from backend.db.base import utcnow
from backend.db.models import OfflineAction

__all__ = ["ABANDONED_AFTER", "Claim", "KEEP_DAYS", "SCOPE_KEY", "claim", "complete", "mark_applied", "release"]

SCOPE_KEY = "congvan.offline_action_id"
"""Where the middleware leaves the claim's id in ``scope["state"]`` for the request's database session."""

KEEP_DAYS = 30
ABANDONED_AFTER = timedelta(minutes=10)
"""An open, unapplied claim this old belongs to a request that died: a replay is sent only after the
client lost its connection, which ends a living request's transaction (rolled back, claim released)."""
APPLIED_STATUS = 204
"""The response remembered for an action applied by a request that died before recording its own."""


@dataclass(frozen=True, slots=True)
class Claim:
    """The result of claiming a key: ``new`` (run the action), or the stored outcome of an earlier run."""

    action_id: int | None
    new: bool
    status_code: int | None = None
    location: str | None = None

    @property
    def in_flight(self) -> bool:
        return not self.new and self.status_code is None


async def _existing(db: AsyncSession, user_id: int, key: str) -> OfflineAction | None:
    # Bound to a typed name: in a return context mypy picks the untyped overload of ``scalar``.
    action: OfflineAction | None = await db.scalar(
        sa.select(OfflineAction).where(OfflineAction.user_id == user_id, OfflineAction.key == key))
    return action


async def claim(sessions: async_sessionmaker[AsyncSession], user_id: int, key: str, method: str, path: str) -> Claim:
    """Claim ``key`` for ``user_id`` (committed before returning)."""
    async with sessions() as db:
        row = await _existing(db, user_id, key)
        if row is not None and row.status_code is None and row.applied_at is not None:
            row.status_code, row.finished_at = APPLIED_STATUS, utcnow()
            await db.commit()
        elif row is not None and row.status_code is None and row.created_at < utcnow() - ABANDONED_AFTER:
            await db.delete(row)
            await db.flush()
            row = None
        if row is not None:
            return Claim(row.id, False, row.status_code, row.location)
        await db.execute(sa.delete(OfflineAction).where(
            OfflineAction.user_id == user_id, OfflineAction.created_at < utcnow() - timedelta(days=KEEP_DAYS)))
        row = OfflineAction(user_id=user_id, key=key, method=method, path=path[:300])
        db.add(row)
        try:
            await db.commit()
        except IntegrityError:
            await db.rollback()
            row = await _existing(db, user_id, key)
            if row is None:  # the racing claim was released meanwhile
                raise
            return Claim(row.id, False, row.status_code, row.location)
        return Claim(row.id, True)


async def mark_applied(db: AsyncSession, action_id: int) -> None:
    """Record, in the action's own transaction, that the action took effect (see the module docstring)."""
    await db.execute(sa.update(OfflineAction).where(OfflineAction.id == action_id).values(applied_at=utcnow()))


async def complete(sessions: async_sessionmaker[AsyncSession], action_id: int, status_code: int,
                   location: str | None) -> None:
    """Remember the response of the action (what later replays receive)."""
    async with sessions() as db:
        await db.execute(sa.update(OfflineAction).where(OfflineAction.id == action_id).values(
            status_code=status_code, location=(location or None) and location[:300], finished_at=utcnow()))
        await db.commit()


async def release(sessions: async_sessionmaker[AsyncSession], action_id: int) -> None:
    """Forget the claim of an action that was not applied."""
    async with sessions() as db:
        await db.execute(sa.delete(OfflineAction).where(OfflineAction.id == action_id))
        await db.commit()
