"""Declarative base shared by every model.

Sets the constraint naming convention (so migrations are stable across SQLite and PostgreSQL),
a UTC-aware datetime type, and the ``created_at``/``updated_at`` columns every table carries.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = ["Base", "UNMODELLED", "UTCDateTime", "TimestampMixin", "enum_column", "is_modelled", "utcnow"]

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

UNMODELLED = {
    "table": ("search_fts",),
    "column": ("tsv",),
    "index": ("ix_search_entry_tsv",),
}
"""Name prefixes of database objects that migrations create but models do not describe: the search
engines' own structures (SQLite's FTS5 table and its shadow tables, PostgreSQL's tsvector column and index)."""


def is_modelled(name: str | None, type_: Any, parent_names: Any) -> bool:
    """Alembic ``include_name`` hook: ``False`` for the objects in :data:`UNMODELLED`."""
    return not (name and name.startswith(UNMODELLED.get(type_, ())))


def utcnow() -> datetime:
    """The current instant, timezone-aware, in UTC."""
    return datetime.now(UTC)


class UTCDateTime(sa.TypeDecorator[datetime]):
    """A timestamp stored as UTC and always returned timezone-aware (SQLite drops the zone)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def enum_column(enum: type[StrEnum], name: str, **kwargs: Any) -> Mapped[Any]:
    """A string column holding a ``StrEnum`` value, guarded by a CHECK constraint."""
    return mapped_column(
        sa.Enum(enum, name=name, native_enum=False, create_constraint=True, length=32,
                values_callable=lambda e: [m.value for m in e], validate_strings=True),
        **kwargs,
    )


class Base(DeclarativeBase):
    """Root of all models."""

    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


class TimestampMixin:
    """``created_at`` / ``updated_at`` in UTC, maintained by the ORM."""

    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow, nullable=False)
