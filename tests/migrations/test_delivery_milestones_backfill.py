"""Migration ``b7d41e9c2a65`` gives recipient lines that existed before it their milestones.

The exchange of ``tests/integration/exchange/dashboard_dataset.py`` is written at head, the
migration is reverted (the milestone columns go) and applied again: platform lines take the moments
of the incoming document they created, axis lines their ``status_at``; a status that has not reached
a milestone leaves it empty.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from backend.db.migrate import downgrade, upgrade
from backend.db.models import IncomingDocument, OutgoingDocument, OutgoingRecipient
from tests.integration.exchange.dashboard_dataset import at, build
from tests.migrations.test_migrations import empty_database_url  # noqa: F401 - the fixture
from tests.support.pwa import in_db

_BEFORE = "4e1b7d2c9a58"
"""The revision ``b7d41e9c2a65`` revises."""
_MILESTONES = ("sent_at", "arrived_at", "accepted_at", "done_at", "returned_at")


def test_existing_lines_get_their_milestones(empty_database_url: str) -> None:  # noqa: F811
    upgrade(empty_database_url)

    async def arrange(db: AsyncSession) -> dict[str, int]:
        await build(db)
        lines = {doc.code_number: line for line, doc in (await db.execute(
            sa.select(OutgoingRecipient, OutgoingDocument).join(
                OutgoingDocument, OutgoingDocument.id == OutgoingRecipient.outgoing_id))).all()
            if line.sent_at is not None}
        platform = await db.get(IncomingDocument, lines["1"].incoming_id)
        assert platform is not None
        platform.registered_at, platform.completed_at = at(5, 10), at(7, 10)
        lines["2"].status_at, lines["3"].status_at = at(7, 9), at(8, 11)
        return {number: line.id for number, line in lines.items()}

    ids = in_db(empty_database_url, arrange)
    downgrade(empty_database_url, _BEFORE)  # back to the revision before the milestones, whatever came later
    upgrade(empty_database_url)

    async def read(db: AsyncSession) -> dict[str, tuple[Any, ...]]:
        rows = {}
        for number, line_id in ids.items():
            line = await db.get(OutgoingRecipient, line_id)
            rows[number] = tuple(getattr(line, name) for name in _MILESTONES)
        return rows

    after = in_db(empty_database_url, read)
    # o1, platform, done: the incoming document's moments (received, registered, completed).
    assert after["1"] == (at(5, 8), at(5, 8), at(5, 10), at(7, 10), None)
    # o2, axis, accepted: its latest status's moment for every milestone it reached.
    assert after["2"] == (at(7, 9), at(7, 9), at(7, 9), None, None)
    # o3, axis, returned: sent and returned at its latest status's moment; arrival unknown.
    assert after["3"] == (at(8, 11), None, None, None, at(8, 11))
