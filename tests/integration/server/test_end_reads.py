"""``end_reads``: slow work after reads runs outside any transaction, and never silently drops writes."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from backend.db.engine import end_reads
from backend.db.models import Agency


async def test_end_reads_closes_the_read_transaction_and_keeps_objects_usable(db_sessionmaker) -> None:
    async with db_sessionmaker() as db:
        agency = await db.scalar(sa.select(Agency).order_by(Agency.id).limit(1))
        assert agency is not None and db.in_transaction()
        await end_reads(db)
        assert not db.in_transaction()
        assert agency.name  # still loaded: no lazy load after the commit


async def test_end_reads_refuses_pending_changes(db_sessionmaker) -> None:
    async with db_sessionmaker() as db:
        agency = await db.scalar(sa.select(Agency).order_by(Agency.id).limit(1))
        assert agency is not None
        agency.phone = "0238 000 000"
        with pytest.raises(RuntimeError):
            await end_reads(db)
        await db.rollback()
