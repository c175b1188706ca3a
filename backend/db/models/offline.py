"""Idempotency keys of actions queued offline and replayed later (applied exactly once).

A row is claimed (``status_code`` still ``NULL``) before the action runs, marked ``applied_at`` in the
action's own transaction, and completed with the response the action produced; a replay of the same
``(user_id, key)`` gets that stored response instead of running the action again.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.base import Base, UTCDateTime, utcnow

__all__ = ["OfflineAction"]


class OfflineAction(Base):
    """One replayable action of one user, remembered with the response it produced."""

    __tablename__ = "offline_action"
    __table_args__ = (sa.UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(sa.String(64))
    method: Mapped[str] = mapped_column(sa.String(8))
    path: Mapped[str] = mapped_column(sa.String(300))
    status_code: Mapped[int | None] = mapped_column(sa.Integer)
    location: Mapped[str | None] = mapped_column(sa.String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
