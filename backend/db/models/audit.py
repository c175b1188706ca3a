"""The append-only audit log; each row carries the hash of the previous one."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.base import Base, UTCDateTime, utcnow

__all__ = ["AuditEvent"]

_LOGIN_FAILED = sa.text("action = 'auth.login_failed'")
"""The per-address login throttle counts these rows (``backend/domain/accounts/throttle.py``)."""


class AuditEvent(Base):
    """Who did what to which object, when and from where. Never updated, never deleted."""

    __tablename__ = "audit_event"
    __table_args__ = (
        sa.Index("ix_audit_event_agency_list", "agency_id", "id"),
        sa.Index("ix_audit_event_object", "object_type", "object_id", "id"),
        sa.Index("ix_audit_event_login_failed_ip", "ip", "at", postgresql_where=_LOGIN_FAILED,
                 sqlite_where=_LOGIN_FAILED),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    action: Mapped[str] = mapped_column(sa.String(64), index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.Integer, index=True)
    actor_name: Mapped[str] = mapped_column(sa.String(64), default="")
    agency_id: Mapped[int | None] = mapped_column(sa.Integer, index=True)
    object_type: Mapped[str] = mapped_column(sa.String(32), default="")
    object_id: Mapped[str] = mapped_column(sa.String(64), default="")
    ip: Mapped[str] = mapped_column(sa.String(64), default="")
    user_agent: Mapped[str] = mapped_column(sa.String(300), default="")
    detail: Mapped[str] = mapped_column(sa.Text, default="{}")
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
