"""Portable SQL expressions that let a report fetch plain numbers instead of converting objects per row.

A province's month is ~80,000 rows: turning five timestamps per row into aware ``datetime``
objects costs more than the query. These expressions return seconds since the epoch (float) and
day numbers (days since 1970-01-01, int) on both databases, compiled per dialect:
PostgreSQL ``date_part('epoch', …)`` / date subtraction, SQLite ``julianday`` (timestamps are stored
as naive UTC text there, dates as ISO text).

Local days: Vietnam keeps UTC+7 all year (no daylight saving), so a local day number is
``(epoch + 25200) // 86400``.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

__all__ = ["VN_OFFSET_SECONDS", "day_number", "epoch", "floor_int", "local_day", "local_day_of"]

VN_OFFSET_SECONDS = 7 * 3600


class epoch(FunctionElement[float]):  # noqa: N801 - SQL function style
    """Seconds since 1970-01-01 UTC of a timestamp column (NULL stays NULL)."""

    type = sa.Float()
    inherit_cache = True


class day_number(FunctionElement[int]):  # noqa: N801 - SQL function style
    """Days since 1970-01-01 of a date column (NULL stays NULL)."""

    type = sa.Integer()
    inherit_cache = True


class floor_int(FunctionElement[int]):  # noqa: N801 - SQL function style
    """The largest integer not above a number (PostgreSQL's integer cast would round)."""

    type = sa.Integer()
    inherit_cache = True


@compiles(floor_int, "postgresql")
def _floor_pg(element: floor_int, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST(FLOOR({compiler.process(element.clauses, **kw)}) AS INTEGER)"


@compiles(floor_int, "sqlite")
def _floor_sqlite(element: floor_int, compiler: SQLCompiler, **kw: Any) -> str:
    # Only ever applied to positive numbers (moments after 1970), where truncation is the floor.
    return f"CAST({compiler.process(element.clauses, **kw)} AS INTEGER)"


def local_day_of(stamp: sa.ColumnElement[float]) -> sa.ColumnElement[int]:
    """SQL: the local (UTC+7) day number of an epoch-seconds expression."""
    return floor_int((stamp + VN_OFFSET_SECONDS) / 86400)


@compiles(epoch, "postgresql")
def _epoch_pg(element: epoch, compiler: SQLCompiler, **kw: Any) -> str:
    # date_part returns double precision; EXTRACT returns numeric since PostgreSQL 14 (several times slower).
    return f"date_part('epoch', {compiler.process(element.clauses, **kw)})"


@compiles(epoch, "sqlite")
def _epoch_sqlite(element: epoch, compiler: SQLCompiler, **kw: Any) -> str:
    return f"((julianday({compiler.process(element.clauses, **kw)}) - 2440587.5) * 86400.0)"


@compiles(day_number, "postgresql")
def _day_pg(element: day_number, compiler: SQLCompiler, **kw: Any) -> str:
    return f"({compiler.process(element.clauses, **kw)} - DATE '1970-01-01')"


@compiles(day_number, "sqlite")
def _day_sqlite(element: day_number, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST(julianday({compiler.process(element.clauses, **kw)}) - 2440587.5 AS INTEGER)"


def local_day(stamp: float) -> int:
    """The local (UTC+7) day number of an epoch timestamp."""
    return int((stamp + VN_OFFSET_SECONDS) // 86400)
