"""incoming attachments

Separate-file appendices received with an incoming document (domain.md §4.5): one row per
appendix, in the sender's order, pointing at the recipient's own stored-file row.

Revision ID: b122a7d4a7e9
Revises: 2e17f6241d06
Create Date: 2026-11-21 15:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import backend.db.base

revision = 'b122a7d4a7e9'
down_revision = '2e17f6241d06'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('incoming_attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incoming_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.Column('created_at', backend.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['file_id'], ['stored_file.id'], name=op.f('fk_incoming_attachment_file_id_stored_file')),
    sa.ForeignKeyConstraint(['incoming_id'], ['incoming_document.id'], name=op.f('fk_incoming_attachment_incoming_id_incoming_document'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incoming_attachment')),
    sa.UniqueConstraint('incoming_id', 'position', name=op.f('uq_incoming_attachment_incoming_id_position'))
    )


def downgrade() -> None:
    op.drop_table('incoming_attachment')
