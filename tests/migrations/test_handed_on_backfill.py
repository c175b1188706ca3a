"""Migration ``3b8e6d1f0a92`` marks the unit lines handed to a specialist before it existed.

The statistics dataset (``tests/integration/statistics/dataset.py``: two unit lines handed to a
specialist, one information-only unit line that was not) is written at head, the migration is
reverted (the ``handed_on`` column goes) and applied again: exactly the lines with a hand-over
below them come back marked.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from backend.db.migrate import downgrade, upgrade
from backend.db.models import Assignment
from tests.integration.statistics.dataset import build
from tests.migrations.test_migrations import empty_database_url  # noqa: F401 - the fixture
from tests.support.pwa import in_db

_BEFORE = "e5b2c8d41f07"
"""The revision ``3b8e6d1f0a92`` revises."""


def test_lines_with_a_hand_over_come_back_marked(empty_database_url: str) -> None:  # noqa: F811
    upgrade(empty_database_url)

    async def arrange(db: AsyncSession) -> None:
        await build(db)

    in_db(empty_database_url, arrange)
    downgrade(empty_database_url, _BEFORE)
    upgrade(empty_database_url)

    async def read(db: AsyncSession) -> list[tuple[bool, bool]]:
        child = aliased(Assignment)
        has_child = sa.select(child.id).where(child.parent_id == Assignment.id).exists()
        return [(row[0], row[1]) for row in (await db.execute(
            sa.select(Assignment.handed_on, has_child).order_by(Assignment.id))).all()]

    lines = in_db(empty_database_url, read)
    assert [handed for handed, _ in lines].count(True) == 2
    assert all(handed == has_child for handed, has_child in lines), lines
