"""People: user accounts and their roles per agency."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.db.base import Base, TimestampMixin, UTCDateTime, enum_column
from backend.db.models.organizations import Agency, Unit

__all__ = ["Role", "RoleGrant", "User"]


class Role(StrEnum):
    """What a person may do in an agency (domain.md §2)."""

    CLERK = "clerk"
    LEADER = "leader"
    DEPUTY = "deputy"
    UNIT_HEAD = "unit_head"
    SPECIALIST = "specialist"
    ADMIN = "admin"
    AUDITOR = "auditor"
    """Read-only: the audit viewer and its export, the statistics and reports of the agency's scope."""


class User(TimestampMixin, Base):
    """A person with a login. ``agency_id`` is the home agency; roles come from ``RoleGrant``."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(64), unique=True)
    full_name: Mapped[str] = mapped_column(sa.String(200))
    password_hash: Mapped[str] = mapped_column(sa.String(200))
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agency.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    position_title: Mapped[str] = mapped_column(sa.String(200), default="")
    email: Mapped[str | None] = mapped_column(sa.String(200))
    phone: Mapped[str | None] = mapped_column(sa.String(50))
    is_active: Mapped[bool] = mapped_column(default=True)
    must_change_password: Mapped[bool] = mapped_column(default=False)
    failed_logins: Mapped[int] = mapped_column(default=0)
    first_failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    session_epoch: Mapped[int] = mapped_column(default=0)
    """Bumped to end every session of the account (password change or reset, deactivation)."""
    version: Mapped[int] = mapped_column(default=1)

    agency: Mapped[Agency] = relationship(lazy="raise")
    unit: Mapped[Unit | None] = relationship(lazy="raise")
    __mapper_args__ = {"version_id_col": version}


class RoleGrant(TimestampMixin, Base):
    """One role of one user in one agency."""

    __tablename__ = "role_grant"
    __table_args__ = (sa.UniqueConstraint("user_id", "agency_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agency.id"), index=True)
    role: Mapped[Role] = enum_column(Role, "role")
