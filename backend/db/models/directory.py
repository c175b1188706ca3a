"""The agency directory: every agency a document can be addressed to, and the path it takes.

Agencies of this deployment (source ``platform``, linked to their :class:`Agency`) and agencies
connected to the national axis (source ``axis``, from ``getAgenciesList``) sit in one table, keyed
by the QCVN 102 organ code, with the QĐ 20/2020 35-character identifier when the axis gives it. A
sync rewrites only the synced fields; the local override fields (``local_name``, ``hidden``) are the
administrator's and survive every sync.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from backend.db.base import Base, TimestampMixin, UTCDateTime, enum_column

__all__ = ["DirectoryAgency", "DirectorySource"]


class DirectorySource(StrEnum):
    """Where an entry comes from, hence the path a document takes to it."""

    PLATFORM = "platform"
    AXIS = "axis"


class DirectoryAgency(TimestampMixin, Base):
    """One addressable agency (synced fields, then the administrator's overrides)."""

    __tablename__ = "directory_agency"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(35), unique=True)
    """QCVN 102:2016 organ code (``000.00.00.G12``), the ``OrganId`` of edXML."""
    identifier: Mapped[str | None] = mapped_column(sa.String(35))
    """QĐ 20/2020 35-character identifier, when the axis lists it."""
    name: Mapped[str] = mapped_column(sa.String(300))
    parent_code: Mapped[str] = mapped_column(sa.String(35), default="")
    source: Mapped[DirectorySource] = enum_column(DirectorySource, "directory_source")
    agency_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agency.id"), unique=True)
    """The deployment's own agency (source ``platform``)."""
    is_active: Mapped[bool] = mapped_column(default=True)
    """Listed by the last sync (an agency that left the axis is kept for history, not offered)."""
    synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    local_name: Mapped[str | None] = mapped_column(sa.String(300))
    """Override: the name shown here instead of the synced one."""
    hidden: Mapped[bool] = mapped_column(default=False)
    """Override: never offered as a recipient."""
    search_text: Mapped[str] = mapped_column(sa.String(700), default="")
    """Accent-folded name, override and code (đ → d), what the recipient picker matches."""

    @property
    def display_name(self) -> str:
        return self.local_name or self.name
