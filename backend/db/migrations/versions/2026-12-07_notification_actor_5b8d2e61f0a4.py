"""notification.actor_id: who caused a notice, so a burst of one person's steps becomes one notice (issue 11)

Revision ID: 5b8d2e61f0a4
Revises: 7c4e1a9d2b36
Create Date: 2026-12-07 03:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '5b8d2e61f0a4'
down_revision = '7c4e1a9d2b36'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('notification') as batch:
        batch.add_column(sa.Column('actor_id', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('notification') as batch:
        batch.drop_column('actor_id')
