"""The transactional outbox: side effects written in the same transaction as the change."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.base import Base, TimestampMixin, UTCDateTime, enum_column, utcnow

__all__ = ["JobStatus", "OutboxJob"]


class JobStatus(StrEnum):
    """Lifecycle of an outbox job."""

    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class OutboxJob(TimestampMixin, Base):
    """A job for the worker. ``lease_until`` lets another worker reclaim it after a crash."""

    __tablename__ = "outbox_job"
    __table_args__ = (sa.Index("ix_outbox_job_due", "status", "run_after"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(64))
    payload: Mapped[str] = mapped_column(sa.Text, default="{}")
    status: Mapped[JobStatus] = enum_column(JobStatus, "job_status", default=JobStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    max_attempts: Mapped[int] = mapped_column(default=8)
    run_after: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    claimed_by: Mapped[str | None] = mapped_column(sa.String(100))
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
