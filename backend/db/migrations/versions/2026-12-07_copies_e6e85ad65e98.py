"""Copies (sao y, trích sao, sao lục): the yearly copy series per agency and the copy rows (issue 14 item 5)

Revision ID: e6e85ad65e98
Revises: 98c92cb5257b
Create Date: 2026-12-07 04:37:48
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import backend.db.base

revision = 'e6e85ad65e98'
down_revision = '98c92cb5257b'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('copy_counter',
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('last_number', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_copy_counter_agency_id_agency')),
    sa.PrimaryKeyConstraint('agency_id', 'year', name=op.f('pk_copy_counter'))
    )
    op.create_table('document_copy',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('sao_y', 'trich_sao', 'sao_luc', name='copy_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('incoming_id', sa.Integer(), nullable=True),
    sa.Column('outgoing_id', sa.Integer(), nullable=True),
    sa.Column('based_on_id', sa.Integer(), nullable=True),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('symbol', sa.String(length=40), nullable=False),
    sa.Column('first_page', sa.Integer(), nullable=True),
    sa.Column('last_page', sa.Integer(), nullable=True),
    sa.Column('source_reference', sa.String(length=60), nullable=False),
    sa.Column('source_summary', sa.String(length=500), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.Column('page_count', sa.Integer(), nullable=False),
    sa.Column('credential_id', sa.String(length=100), nullable=False),
    sa.Column('made_by_id', sa.Integer(), nullable=False),
    sa.Column('made_at', backend.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(incoming_id IS NULL) <> (outgoing_id IS NULL)', name=op.f('ck_document_copy_one_source')),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_document_copy_agency_id_agency')),
    sa.ForeignKeyConstraint(['based_on_id'], ['document_copy.id'], name=op.f('fk_document_copy_based_on_id_document_copy')),
    sa.ForeignKeyConstraint(['file_id'], ['stored_file.id'], name=op.f('fk_document_copy_file_id_stored_file')),
    sa.ForeignKeyConstraint(['incoming_id'], ['incoming_document.id'], name=op.f('fk_document_copy_incoming_id_incoming_document')),
    sa.ForeignKeyConstraint(['made_by_id'], ['user_account.id'], name=op.f('fk_document_copy_made_by_id_user_account')),
    sa.ForeignKeyConstraint(['outgoing_id'], ['outgoing_document.id'], name=op.f('fk_document_copy_outgoing_id_outgoing_document')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document_copy')),
    sa.UniqueConstraint('agency_id', 'year', 'number', name=op.f('uq_document_copy_agency_id_year_number'))
    )
    with op.batch_alter_table('document_copy', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_copy_incoming_id'), ['incoming_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_document_copy_outgoing_id'), ['outgoing_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('document_copy', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_copy_outgoing_id'))
        batch_op.drop_index(batch_op.f('ix_document_copy_incoming_id'))

    op.drop_table('document_copy')
    op.drop_table('copy_counter')
