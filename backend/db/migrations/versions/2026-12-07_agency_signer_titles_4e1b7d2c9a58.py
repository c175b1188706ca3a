"""agency signer titles

The signing authority of a document names the head it signs for (domain.md §3.2: ``KT. CHỦ TỊCH``,
``TM. ỦY BAN NHÂN DÂN``). Each agency gets the head's title and the collective body's name; empty
values mean the default of the agency's level (``backend/domain/organizations/signer_block.py``).

Revision ID: 4e1b7d2c9a58
Revises: 7c2d4e9a1b36
Create Date: 2026-12-07 08:45:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '4e1b7d2c9a58'
down_revision = '7c2d4e9a1b36'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('agency') as batch:
        batch.add_column(sa.Column('head_title', sa.String(length=100), nullable=False, server_default=''))
        batch.add_column(sa.Column('collective_name', sa.String(length=200), nullable=False, server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('agency') as batch:
        batch.drop_column('collective_name')
        batch.drop_column('head_title')
