"""In-app notifications (the bell list with its unread count)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.base import Base, UTCDateTime, utcnow

__all__ = ["Notification"]


class Notification(Base):
    """A message for one user. ``(source_job_id, user_id)`` makes outbox delivery idempotent."""

    __tablename__ = "notification"
    __table_args__ = (
        sa.UniqueConstraint("source_job_id", "user_id"),
        sa.Index("ix_notification_user_list", "user_id", "created_at", "id"),
        sa.Index("ix_notification_unread", "user_id", postgresql_where=sa.text("read_at IS NULL"),
                 sqlite_where=sa.text("read_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.String(1000), default="")
    url: Mapped[str] = mapped_column(sa.String(300), default="")
    urgent: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    source_job_id: Mapped[int | None] = mapped_column(sa.Integer)
    actor_id: Mapped[int | None] = mapped_column(sa.Integer)
    """Who caused the notice (no foreign key: a notice outlives nothing it refers to); merges bursts."""
