"""assignment.status gains ``closed``: a line that never acted when the document was completed (issue 11 item 11)

Revision ID: 4b7e2c9a0d15
Revises: 9d3f0b6c1e27
Create Date: 2026-12-07 05:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '4b7e2c9a0d15'
down_revision = '9d3f0b6c1e27'
branch_labels = None
depends_on = None

OLD = ('pending', 'in_progress', 'done', 'cancelled')
NEW = (*OLD, 'closed')


def _status_type(values: tuple[str, ...]) -> sa.Enum:
    return sa.Enum(*values, name='assignment_status', native_enum=False, create_constraint=True, length=32)


def upgrade() -> None:
    with op.batch_alter_table('assignment') as batch:
        batch.alter_column('status', existing_type=_status_type(OLD), type_=_status_type(NEW), existing_nullable=False)


def downgrade() -> None:
    op.execute("UPDATE assignment SET status = 'done' WHERE status = 'closed'")
    with op.batch_alter_table('assignment') as batch:
        batch.alter_column('status', existing_type=_status_type(NEW), type_=_status_type(OLD), existing_nullable=False)
