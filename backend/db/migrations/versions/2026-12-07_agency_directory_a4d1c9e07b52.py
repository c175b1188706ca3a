"""Agency directory (platform and national-axis agencies) and axis recipients of outgoing documents (issue 13)

Revision ID: a4d1c9e07b52
Revises: 4b7e2c9a0d15
Create Date: 2026-12-07 05:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import backend.db.base

revision = 'a4d1c9e07b52'
down_revision = '4b7e2c9a0d15'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'directory_agency',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=35), nullable=False),
        sa.Column('identifier', sa.String(length=35), nullable=True),
        sa.Column('name', sa.String(length=300), nullable=False),
        sa.Column('parent_code', sa.String(length=35), nullable=False),
        sa.Column('source', sa.Enum('platform', 'axis', name='directory_source', native_enum=False,
                                    create_constraint=True, length=32), nullable=False),
        sa.Column('agency_id', sa.Integer(), nullable=True),
        sa.Column('is_active', sa.Boolean(), nullable=False),
        sa.Column('synced_at', backend.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column('local_name', sa.String(length=300), nullable=True),
        sa.Column('hidden', sa.Boolean(), nullable=False),
        sa.Column('search_text', sa.String(length=700), nullable=False),
        sa.Column('created_at', backend.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', backend.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_directory_agency_agency_id_agency')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_directory_agency')),
        sa.UniqueConstraint('agency_id', name=op.f('uq_directory_agency_agency_id')),
        sa.UniqueConstraint('code', name=op.f('uq_directory_agency_code')),
    )
    with op.batch_alter_table('outgoing_recipient') as batch:
        batch.add_column(sa.Column('directory_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(batch.f('fk_outgoing_recipient_directory_id_directory_agency'), 'directory_agency',
                                 ['directory_id'], ['id'])
        batch.drop_constraint(batch.f('ck_outgoing_recipient_has_target'), type_='check')
        batch.create_check_constraint(batch.f('ck_outgoing_recipient_has_target'),
                                      'recipient_agency_id IS NOT NULL OR recipient_unit_id IS NOT NULL '
                                      'OR directory_id IS NOT NULL')


def downgrade() -> None:
    with op.batch_alter_table('outgoing_recipient') as batch:
        batch.drop_constraint(batch.f('ck_outgoing_recipient_has_target'), type_='check')
        batch.create_check_constraint(batch.f('ck_outgoing_recipient_has_target'),
                                      'recipient_agency_id IS NOT NULL OR recipient_unit_id IS NOT NULL')
        batch.drop_constraint(batch.f('fk_outgoing_recipient_directory_id_directory_agency'), type_='foreignkey')
        batch.drop_column('directory_id')
    op.drop_table('directory_agency')
