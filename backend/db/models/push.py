"""Web Push: one subscription per browser/device, and each user's push preferences.

A subscription is what ``PushManager.subscribe()`` returned on one device (endpoint + P-256 key +
auth secret, RFC 8291). ``endpoint_hash`` (sha256 of the endpoint) is unique, so a device that
subscribes again, or is handed to another user, is updated rather than duplicated.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.base import Base, TimestampMixin, UTCDateTime

__all__ = ["PushPreference", "PushSubscription"]


class PushSubscription(TimestampMixin, Base):
    """A device that receives push messages for ``user_id`` (deleted when the push service says 404/410)."""

    __tablename__ = "push_subscription"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    endpoint: Mapped[str] = mapped_column(sa.String(2048))
    endpoint_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    p256dh: Mapped[str] = mapped_column(sa.String(128))
    auth: Mapped[str] = mapped_column(sa.String(64))
    label: Mapped[str] = mapped_column(sa.String(120), default="")
    user_agent: Mapped[str] = mapped_column(sa.String(300), default="")
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_failure_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_status: Mapped[int | None] = mapped_column(sa.Integer)


class PushPreference(TimestampMixin, Base):
    """Quiet hours of one user (local time, Asia/Ho_Chi_Minh); absent row = the configured default."""

    __tablename__ = "push_preference"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    quiet_enabled: Mapped[bool] = mapped_column(default=True)
    quiet_start: Mapped[str] = mapped_column(sa.String(5), default="21:00")
    quiet_end: Mapped[str] = mapped_column(sa.String(5), default="06:30")
