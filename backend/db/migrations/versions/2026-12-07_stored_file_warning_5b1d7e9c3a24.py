"""stored file content warning

``stored_file.content_warning``: ``javascript`` for an accepted PDF that carries JavaScript (shown
as a warning on the document page), empty otherwise. Files stored before keep the empty value.

Revision ID: 5b1d7e9c3a24
Revises: 7b3e5d1a9c24
Create Date: 2026-12-07 08:20:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '5b1d7e9c3a24'
down_revision = '7b3e5d1a9c24'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('stored_file') as batch:
        batch.add_column(sa.Column('content_warning', sa.String(length=32), nullable=False, server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('stored_file') as batch:
        batch.drop_column('content_warning')
