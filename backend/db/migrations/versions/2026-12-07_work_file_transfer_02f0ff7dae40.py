"""work file transfer

Transfer of work files to the agency archive (domain.md §14.3): the state CHECK gains
``submitted``, ``retained`` and ``archived``; a file records whether it is a capital-construction
file and the date of its final settlement (its transfer falls due three months after it), and
until when a leader keeps it back. On SQLite the table is rebuilt by Alembic's batch mode.

Downgrade: submitted, retained and archived files go back to ``closed`` before the old CHECK returns.

Revision ID: 02f0ff7dae40
Revises: c3e8a51f2d97
Create Date: 2026-12-07 06:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '02f0ff7dae40'
down_revision = 'c3e8a51f2d97'
branch_labels = None
depends_on = None

OLD_STATES = ('open', 'closed')
NEW_STATES = (*OLD_STATES, 'submitted', 'retained', 'archived')


def _state_type(states: tuple[str, ...]) -> sa.Enum:
    return sa.Enum(*states, name='work_file_state', native_enum=False, create_constraint=True, length=32)


def upgrade() -> None:
    with op.batch_alter_table('work_file') as batch:
        batch.add_column(sa.Column('capital_construction', sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
        batch.add_column(sa.Column('settlement_date', sa.Date(), nullable=True))
        batch.add_column(sa.Column('retained_until', sa.Date(), nullable=True))
        batch.alter_column('state', existing_type=_state_type(OLD_STATES), type_=_state_type(NEW_STATES),
                           existing_nullable=False)


def downgrade() -> None:
    op.execute("UPDATE work_file SET state = 'closed' WHERE state IN ('submitted', 'retained', 'archived')")
    with op.batch_alter_table('work_file') as batch:
        batch.alter_column('state', existing_type=_state_type(NEW_STATES), type_=_state_type(OLD_STATES),
                           existing_nullable=False)
        batch.drop_column('retained_until')
        batch.drop_column('settlement_date')
        batch.drop_column('capital_construction')
