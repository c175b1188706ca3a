"""A unit's handling line remembers that it was handed to a specialist: ``assignment.handed_on``

Revision ID: 3b8e6d1f0a92
Revises: e5b2c8d41f07
Create Date: 2026-12-08 00:40:00

The unit head's "to handle" tab, its count and the "watching" tab read the unit's live lines not yet
passed on. They used to probe every live line of the unit for a live child (4,063 lines for the busiest
unit of a 1,000,000-document province); the flag and a partial index over the live lines not handed on
make that an index range. Existing lines are marked where a hand-over exists (hand-overs end with their
unit's line, so any child means handed on).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '3b8e6d1f0a92'
down_revision = 'e5b2c8d41f07'
branch_labels = None
depends_on = None

_LIVE = "status IN ('pending', 'in_progress')"


def upgrade() -> None:
    with op.batch_alter_table('assignment') as batch:
        batch.add_column(sa.Column('handed_on', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.execute("UPDATE assignment SET handed_on = TRUE "
               "WHERE id IN (SELECT parent_id FROM assignment WHERE parent_id IS NOT NULL)")
    op.create_index('ix_assignment_unit_holds', 'assignment', ['assignee_unit_id'],
                    postgresql_where=sa.text(f"{_LIVE} AND NOT handed_on"),
                    sqlite_where=sa.text(f"{_LIVE} AND handed_on = 0"))


def downgrade() -> None:
    op.drop_index('ix_assignment_unit_holds', table_name='assignment')
    with op.batch_alter_table('assignment') as batch:
        batch.drop_column('handed_on')
