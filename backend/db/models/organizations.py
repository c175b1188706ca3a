"""Agencies (cơ quan, identified by their mã định danh) and their units (phòng ban)."""

from __future__ import annotations

from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.db.base import Base, TimestampMixin, enum_column

__all__ = ["Agency", "AgencyLevel", "Unit"]


class AgencyLevel(StrEnum):
    """Administrative level of an agency inside the province."""

    PROVINCE = "province"
    DEPARTMENT = "department"
    DISTRICT = "district"
    COMMUNE = "commune"
    OTHER = "other"


class Agency(TimestampMixin, Base):
    """An agency of the deployment: UBND tỉnh, a Sở, a UBND huyện, a UBND xã…"""

    __tablename__ = "agency"

    id: Mapped[int] = mapped_column(primary_key=True)
    organ_id: Mapped[str] = mapped_column(sa.String(35), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    abbreviation: Mapped[str] = mapped_column(sa.String(20))
    place_name: Mapped[str] = mapped_column(sa.String(100))
    level: Mapped[AgencyLevel] = enum_column(AgencyLevel, "agency_level")
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agency.id"), index=True)
    address: Mapped[str | None] = mapped_column(sa.String(300))
    email: Mapped[str | None] = mapped_column(sa.String(200))
    phone: Mapped[str | None] = mapped_column(sa.String(50))
    head_title: Mapped[str] = mapped_column(sa.String(100), default="", server_default="")
    """The head's title for the signing authority (``KT. CHỦ TỊCH``); empty: the default of the level."""
    collective_name: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    """The collective body signed for with ``TM.`` (``TM. ỦY BAN NHÂN DÂN``); empty: the default of the level."""
    is_active: Mapped[bool] = mapped_column(default=True)
    version: Mapped[int] = mapped_column(default=1)

    parent: Mapped[Agency | None] = relationship(remote_side=[id], lazy="raise")
    __mapper_args__ = {"version_id_col": version}


class Unit(TimestampMixin, Base):
    """A unit (phòng ban / đơn vị) inside an agency, with its own abbreviation."""

    __tablename__ = "unit"
    __table_args__ = (sa.UniqueConstraint("agency_id", "abbreviation"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agency.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    abbreviation: Mapped[str] = mapped_column(sa.String(20))
    is_active: Mapped[bool] = mapped_column(default=True)
    version: Mapped[int] = mapped_column(default=1)

    agency: Mapped[Agency] = relationship(lazy="raise")
    __mapper_args__ = {"version_id_col": version}
