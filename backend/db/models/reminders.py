"""Reminders already sent: one row per (kind, subject, person, marker), so none is sent twice."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.base import Base, UTCDateTime, utcnow

__all__ = ["ReminderSent"]


class ReminderSent(Base):
    """A reminder given to one person about one subject.

    ``kind`` is the threshold crossed (``due_soon``, ``overdue``, ``clerk_sla``, ``issue_due``,
    ``issue_late``, ``digest``); ``subject_type``/``subject_id`` the document (or the agency, for a
    digest); ``marker`` what makes a later reminder of the same kind new (the deadline it was about,
    so a moved deadline is reminded afresh; the day, for a digest).
    """

    __tablename__ = "reminder_sent"
    __table_args__ = (sa.UniqueConstraint("kind", "subject_type", "subject_id", "user_id", "marker",
                                          name="uq_reminder_sent_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    subject_type: Mapped[str] = mapped_column(sa.String(16))
    subject_id: Mapped[int] = mapped_column(sa.Integer)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    marker: Mapped[str] = mapped_column(sa.String(16), default="")
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
