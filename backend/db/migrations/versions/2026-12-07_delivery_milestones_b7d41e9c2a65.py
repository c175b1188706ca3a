"""delivery milestones on recipient lines

The exchange dashboard measures the time from sending a package to the recipient's 01 (arrived),
03 (accepted) and 06 (done), and counts rejections (02). A recipient line kept only its latest
status and its moment; it gains the first moment of each milestone (``sent_at``, ``arrived_at``,
``accepted_at``, ``done_at``, ``returned_at``), stamped from now on whenever the status moves
(``backend/db/delivery_milestones.py``).

Backfill of existing lines, milestone by milestone, for lines whose current status has reached it:
a platform line takes the moments of the incoming document it created (received → sent and
arrived, registered → accepted, completed → done, returned → returned), which are exact; any other
line (over the axis) takes its ``status_at`` — the moment of its latest status, an upper bound.
No index: the dashboard reads lines through their documents (``ix_outgoing_document_issued``).

Revision ID: b7d41e9c2a65
Revises: 4e1b7d2c9a58
Create Date: 2026-12-07 08:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import backend.db.base

revision = 'b7d41e9c2a65'
down_revision = '4e1b7d2c9a58'
branch_labels = None
depends_on = None

_CHAIN = ('sent', 'arrived', 'accepted', 'assigned', 'processing', 'done')
_BACKFILL = (
    ('sent_at', 'received_at', (*_CHAIN, 'returned')),
    ('arrived_at', 'received_at', _CHAIN[1:]),
    ('accepted_at', 'registered_at', _CHAIN[2:]),
    ('done_at', 'completed_at', _CHAIN[5:]),
    ('returned_at', 'returned_at', ('returned',)),
)


def upgrade() -> None:
    for column, _source, _statuses in _BACKFILL:
        op.add_column('outgoing_recipient', sa.Column(column, backend.db.base.UTCDateTime(timezone=True),
                                                      nullable=True))
    for column, source, statuses in _BACKFILL:
        listed = ", ".join(f"'{status}'" for status in statuses)
        op.execute(
            f"UPDATE outgoing_recipient SET {column} = COALESCE("
            f"(SELECT incoming_document.{source} FROM incoming_document "
            f"WHERE incoming_document.id = outgoing_recipient.incoming_id), status_at) "
            f"WHERE status IN ({listed})")
    # A platform line returned by its recipient had arrived first: its incoming document says when.
    op.execute(
        "UPDATE outgoing_recipient SET arrived_at = (SELECT incoming_document.received_at FROM incoming_document "
        "WHERE incoming_document.id = outgoing_recipient.incoming_id) "
        "WHERE status = 'returned' AND incoming_id IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table('outgoing_recipient') as batch:
        for column, _source, _statuses in reversed(_BACKFILL):
            batch.drop_column(column)
