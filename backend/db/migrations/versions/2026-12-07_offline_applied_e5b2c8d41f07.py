"""offline action applied

``offline_action.applied_at`` is set in the replayed action's own transaction, so a claim left open by a
web process that died between the action's commit and the recording of its response is known to have
been applied (a later replay refreshes the page instead of answering "in progress" forever), and an
old open claim without it is known not to have been (a later replay runs the action).

Revision ID: e5b2c8d41f07
Revises: a41c7e2d9b58
Create Date: 2026-12-07 15:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from backend.db.base import UTCDateTime

revision = 'e5b2c8d41f07'
down_revision = 'a41c7e2d9b58'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('offline_action') as batch:
        batch.add_column(sa.Column('applied_at', UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('offline_action') as batch:
        batch.drop_column('applied_at')
