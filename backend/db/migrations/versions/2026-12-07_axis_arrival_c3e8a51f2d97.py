"""axis_arrival: packages received from the national axis (idempotency key, raw package, incoming document)

Revision ID: c3e8a51f2d97
Revises: 9e3f71c0a5d2
Create Date: 2026-12-07 06:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from backend.db.base import UTCDateTime

revision = 'c3e8a51f2d97'
down_revision = '9e3f71c0a5d2'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'axis_arrival',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('agency_id', sa.Integer(), sa.ForeignKey('agency.id', name='fk_axis_arrival_agency_id_agency'),
                  nullable=False),
        sa.Column('sender_code', sa.String(35), nullable=False),
        sa.Column('document_id', sa.String(100), nullable=False),
        sa.Column('business_type', sa.Integer(), nullable=False),
        sa.Column('axis_doc_id', sa.String(100), nullable=False),
        sa.Column('package_sha256', sa.String(64), nullable=False),
        sa.Column('incoming_id', sa.Integer(),
                  sa.ForeignKey('incoming_document.id', ondelete='CASCADE',
                                name='fk_axis_arrival_incoming_id_incoming_document'), nullable=True),
        sa.Column('verified_ok', sa.Boolean(), nullable=True),
        sa.Column('verification', sa.Text(), nullable=False),
        sa.Column('last_status', sa.String(2), nullable=False),
        sa.Column('received_at', UTCDateTime(timezone=True), nullable=False),
        sa.UniqueConstraint('agency_id', 'sender_code', 'document_id', 'business_type',
                            name='uq_axis_arrival_package'),
        sa.UniqueConstraint('incoming_id', name='uq_axis_arrival_incoming_id'),
    )
    op.create_index('ix_axis_arrival_agency_id', 'axis_arrival', ['agency_id'])


def downgrade() -> None:
    op.drop_index('ix_axis_arrival_agency_id', table_name='axis_arrival')
    op.drop_table('axis_arrival')
