"""Arrival numbers (số đến, domain.md §5.4): one series per agency per calendar year.

The series is one ``arrival_counter`` row per (agency, year). A number is allocated only at
registration, inside the registering transaction, under a row lock: ``SELECT … FOR UPDATE`` on
PostgreSQL; on SQLite every transaction already begins with ``BEGIN IMMEDIATE`` (see
``backend/db/engine.py``), which serialises writers the same way. The year is the
Asia/Ho_Chi_Minh calendar year of the registration, so numbering restarts at 1 on 1 January local
time. A number is never reused: returned documents keep theirs, and a rolled-back registration
rolls back the counter with it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.locking import take_next
from backend.db.models import ArrivalCounter
from backend.lib.clock import to_local

__all__ = ["allocate_arrival_number", "arrival_year"]


def arrival_year(moment: datetime) -> int:
    """The Vietnamese calendar year of ``moment``."""
    return to_local(moment).year


async def allocate_arrival_number(db: AsyncSession, agency_id: int, moment: datetime) -> tuple[int, int]:
    """Take the next arrival number of ``agency_id`` for the year of ``moment``; returns ``(year, number)``."""
    year = arrival_year(moment)
    return year, await take_next(db, ArrivalCounter, agency_id=agency_id, year=year)
