"""Copy numbers and symbols (domain.md §5.5, §4.11).

One series for every copy type an agency makes, from 01 on 1 January to 31 December (the
Asia/Ho_Chi_Minh calendar year). A number is taken inside the transaction that stores the copy,
under a row lock on the ``copy_counter`` row of (agency, year) — ``SELECT … FOR UPDATE`` on
PostgreSQL; on SQLite every writing transaction begins with ``BEGIN IMMEDIATE`` — and the unique
constraint on (agency, year, number) backs the lock. The symbol is ``<number>/<SY|TrS|SL>-<agency
abbreviation>`` (ND 30 PL III Mẫu 3.1: number, copy type, agency).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.locking import take_next
from backend.db.models import CopyCounter, CopyKind
from backend.domain.signing.nd30 import format_number
from backend.lib.clock import to_local

__all__ = ["allocate_copy_number", "copy_symbol", "copy_year"]


def copy_year(moment: datetime) -> int:
    """The Vietnamese calendar year of ``moment``."""
    return to_local(moment).year


def copy_symbol(number: int, kind: CopyKind, agency_abbreviation: str) -> str:
    """``01/SY-UBND``, ``12/TrS-UBND``, ``03/SL-SNV``."""
    return f"{format_number(number)}/{kind.abbreviation}-{agency_abbreviation}"


async def allocate_copy_number(db: AsyncSession, agency_id: int, moment: datetime) -> tuple[int, int]:
    """Take the next copy number of ``agency_id`` for the year of ``moment``; returns ``(year, number)``."""
    year = copy_year(moment)
    return year, await take_next(db, CopyCounter, agency_id=agency_id, year=year)
