"""Packages received from the national axis, one row per (our recipient agency, package).

An :class:`AxisArrival` records a package the axis poller took in: who sent it, its ``DocumentId``
and business type (the idempotency key, unique with the receiving agency: a package offered twice
creates one document), the raw .edxml kept as a content-addressed blob, the incoming document it
created, and the signature report of its PDF. Its presence on an incoming document is how the
status job knows to answer over the axis (domain.md §8.4, §16.3).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.base import Base, UTCDateTime

__all__ = ["AxisArrival"]


class AxisArrival(Base):
    """One received axis package for one of our agencies, and the incoming document it created."""

    __tablename__ = "axis_arrival"
    __table_args__ = (sa.UniqueConstraint("agency_id", "sender_code", "document_id", "business_type",
                                          name="uq_axis_arrival_package"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agency.id"), index=True)
    sender_code: Mapped[str] = mapped_column(sa.String(35))
    document_id: Mapped[str] = mapped_column(sa.String(100))
    business_type: Mapped[int] = mapped_column(default=0)
    axis_doc_id: Mapped[str] = mapped_column(sa.String(100))
    package_sha256: Mapped[str] = mapped_column(sa.String(64))
    incoming_id: Mapped[int | None] = mapped_column(sa.ForeignKey("incoming_document.id", ondelete="CASCADE"),
                                                    unique=True)
    verified_ok: Mapped[bool | None] = mapped_column()
    verification: Mapped[str] = mapped_column(sa.Text, default="")
    last_status: Mapped[str] = mapped_column(sa.String(2), default="")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # the recall notice of the document this row created (a recall, or a replacement of it), as on
    # ExchangeReceipt for platform deliveries
    recall_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    recall_reason: Mapped[str] = mapped_column(sa.Text, default="")
    recall_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    recall_confirmed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    recall_refused_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    recall_refusal: Mapped[str] = mapped_column(sa.Text, default="")
    replaces_id: Mapped[int | None] = mapped_column(sa.ForeignKey("incoming_document.id"))
    """A replacement (business type 3): the earlier incoming document it replaces."""
