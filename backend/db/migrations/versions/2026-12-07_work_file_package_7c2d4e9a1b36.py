"""work file package

The transfer package of a work file (issue 14, item 3): its ``.pdf`` and ``.xml`` exports frozen
into the blob store when the file is handed to the archive, one row per file and format.

Revision ID: 7c2d4e9a1b36
Revises: 02f0ff7dae40
Create Date: 2026-12-07 08:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from backend.db.base import UTCDateTime

revision = '7c2d4e9a1b36'
down_revision = '02f0ff7dae40'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'work_file_package',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('work_file_id', sa.Integer(), nullable=False),
        sa.Column('format', sa.String(length=8), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('size', sa.BigInteger(), nullable=False),
        sa.Column('documents', sa.Integer(), nullable=False),
        sa.Column('made_at', UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['work_file_id'], ['work_file.id'],
                                name=op.f('fk_work_file_package_work_file_id_work_file'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_work_file_package')),
        sa.UniqueConstraint('work_file_id', 'format', name=op.f('uq_work_file_package_work_file_id_format')),
    )
    op.create_index(op.f('ix_work_file_package_sha256'), 'work_file_package', ['sha256'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_work_file_package_sha256'), table_name='work_file_package')
    op.drop_table('work_file_package')
