"""Work files: the file catalogue (headings, items) and work files with their document links and history (issue 14)

Revision ID: 98c92cb5257b
Revises: 3f9a6c1e7d20
Create Date: 2026-12-07 04:37:39.839759
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import backend.db.base

revision = '98c92cb5257b'
down_revision = '3f9a6c1e7d20'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('file_catalogue',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('decision_no', sa.String(length=50), nullable=False),
    sa.Column('created_at', backend.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', backend.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_file_catalogue_agency_id_agency')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_file_catalogue')),
    sa.UniqueConstraint('agency_id', 'year', name=op.f('uq_file_catalogue_agency_id_year'))
    )
    op.create_table('catalogue_heading',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('catalogue_id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('ordinal', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('abbreviation', sa.String(length=15), nullable=False),
    sa.ForeignKeyConstraint(['catalogue_id'], ['file_catalogue.id'], name=op.f('fk_catalogue_heading_catalogue_id_file_catalogue'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['parent_id'], ['catalogue_heading.id'], name=op.f('fk_catalogue_heading_parent_id_catalogue_heading')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_catalogue_heading'))
    )
    with op.batch_alter_table('catalogue_heading', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_catalogue_heading_catalogue_id'), ['catalogue_id'], unique=False)

    op.create_table('catalogue_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('catalogue_id', sa.Integer(), nullable=False),
    sa.Column('heading_id', sa.Integer(), nullable=False),
    sa.Column('file_number', sa.Integer(), nullable=False),
    sa.Column('file_notation', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('retention', sa.String(length=30), nullable=False),
    sa.Column('creator_user_id', sa.Integer(), nullable=True),
    sa.Column('expected_count', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['catalogue_id'], ['file_catalogue.id'], name=op.f('fk_catalogue_item_catalogue_id_file_catalogue'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['creator_user_id'], ['user_account.id'], name=op.f('fk_catalogue_item_creator_user_id_user_account')),
    sa.ForeignKeyConstraint(['heading_id'], ['catalogue_heading.id'], name=op.f('fk_catalogue_item_heading_id_catalogue_heading')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_catalogue_item')),
    sa.UniqueConstraint('catalogue_id', 'file_notation', name=op.f('uq_catalogue_item_catalogue_id_file_notation'))
    )
    with op.batch_alter_table('catalogue_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_catalogue_item_heading_id'), ['heading_id'], unique=False)

    op.create_table('work_file',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('open', 'closed', name='work_file_state', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('catalogue_item_id', sa.Integer(), nullable=True),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('file_notation', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('retention', sa.String(length=30), nullable=False),
    sa.Column('rights', sa.String(length=30), nullable=False),
    sa.Column('language', sa.String(length=50), nullable=False),
    sa.Column('owner_user_id', sa.Integer(), nullable=False),
    sa.Column('owner_unit_id', sa.Integer(), nullable=True),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('description', sa.String(length=500), nullable=False),
    sa.Column('doc_total', sa.Integer(), nullable=False),
    sa.Column('page_total', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', backend.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', backend.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_work_file_agency_id_agency')),
    sa.ForeignKeyConstraint(['catalogue_item_id'], ['catalogue_item.id'], name=op.f('fk_work_file_catalogue_item_id_catalogue_item')),
    sa.ForeignKeyConstraint(['owner_unit_id'], ['unit.id'], name=op.f('fk_work_file_owner_unit_id_unit')),
    sa.ForeignKeyConstraint(['owner_user_id'], ['user_account.id'], name=op.f('fk_work_file_owner_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_work_file'))
    )
    with op.batch_alter_table('work_file', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_work_file_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_work_file_catalogue_item_id'), ['catalogue_item_id'], unique=False)
        batch_op.create_index('ix_work_file_owner', ['agency_id', 'owner_user_id', 'state'], unique=False)

    op.create_table('work_file_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('work_file_id', sa.Integer(), nullable=False),
    sa.Column('at', backend.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('from_state', sa.String(length=32), nullable=True),
    sa.Column('to_state', sa.String(length=32), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_work_file_event_actor_id_user_account')),
    sa.ForeignKeyConstraint(['work_file_id'], ['work_file.id'], name=op.f('fk_work_file_event_work_file_id_work_file'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_work_file_event'))
    )
    with op.batch_alter_table('work_file_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_work_file_event_work_file_id'), ['work_file_id'], unique=False)

    op.create_table('work_file_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('work_file_id', sa.Integer(), nullable=False),
    sa.Column('incoming_id', sa.Integer(), nullable=True),
    sa.Column('outgoing_id', sa.Integer(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('added_by_id', sa.Integer(), nullable=True),
    sa.Column('added_at', backend.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(incoming_id IS NULL) <> (outgoing_id IS NULL)', name=op.f('ck_work_file_document_one_document')),
    sa.ForeignKeyConstraint(['added_by_id'], ['user_account.id'], name=op.f('fk_work_file_document_added_by_id_user_account')),
    sa.ForeignKeyConstraint(['incoming_id'], ['incoming_document.id'], name=op.f('fk_work_file_document_incoming_id_incoming_document')),
    sa.ForeignKeyConstraint(['outgoing_id'], ['outgoing_document.id'], name=op.f('fk_work_file_document_outgoing_id_outgoing_document')),
    sa.ForeignKeyConstraint(['work_file_id'], ['work_file.id'], name=op.f('fk_work_file_document_work_file_id_work_file'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_work_file_document')),
    sa.UniqueConstraint('work_file_id', 'incoming_id', name=op.f('uq_work_file_document_work_file_id_incoming_id')),
    sa.UniqueConstraint('work_file_id', 'outgoing_id', name=op.f('uq_work_file_document_work_file_id_outgoing_id'))
    )
    with op.batch_alter_table('work_file_document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_work_file_document_incoming_id'), ['incoming_id'], unique=False)
        batch_op.create_index('ix_work_file_document_order', ['work_file_id', 'position'], unique=False)
        batch_op.create_index(batch_op.f('ix_work_file_document_outgoing_id'), ['outgoing_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('work_file_document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_work_file_document_outgoing_id'))
        batch_op.drop_index('ix_work_file_document_order')
        batch_op.drop_index(batch_op.f('ix_work_file_document_incoming_id'))

    op.drop_table('work_file_document')
    with op.batch_alter_table('work_file_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_work_file_event_work_file_id'))

    op.drop_table('work_file_event')
    with op.batch_alter_table('work_file', schema=None) as batch_op:
        batch_op.drop_index('ix_work_file_owner')
        batch_op.drop_index(batch_op.f('ix_work_file_catalogue_item_id'))
        batch_op.drop_index(batch_op.f('ix_work_file_agency_id'))

    op.drop_table('work_file')
    with op.batch_alter_table('catalogue_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_catalogue_item_heading_id'))

    op.drop_table('catalogue_item')
    with op.batch_alter_table('catalogue_heading', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_catalogue_heading_catalogue_id'))

    op.drop_table('catalogue_heading')
    op.drop_table('file_catalogue')
