"""Search index: search_entry (+ SQLite FTS5 table / PostgreSQL tsvector column and GIN index), saved_search

Revision ID: 3f6a9c1e7b20
Revises: e6e85ad65e98
Create Date: 2026-12-07 05:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '3f6a9c1e7b20'
down_revision = 'e6e85ad65e98'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'search_entry',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('doc_id', sa.Integer(), nullable=False),
        sa.Column('agency_id', sa.Integer(), nullable=False),
        sa.Column('document_type_id', sa.Integer(), nullable=True),
        sa.Column('urgency', sa.String(length=32), nullable=False),
        sa.Column('state', sa.String(length=32), nullable=False),
        sa.Column('is_draft', sa.Boolean(), nullable=False),
        sa.Column('issuer_folded', sa.String(length=200), nullable=False),
        sa.Column('signer', sa.String(length=200), nullable=False),
        sa.Column('signer_folded', sa.String(length=200), nullable=False),
        sa.Column('doc_date', sa.Date(), nullable=False),
        sa.Column('reference', sa.String(length=100), nullable=False),
        sa.Column('title', sa.String(length=500), nullable=False),
        sa.Column('metadata_text', sa.Text(), nullable=False),
        sa.Column('file_id', sa.Integer(), nullable=True),
        sa.Column('content_status', sa.Enum('pending', 'text', 'no_text_layer', 'unreadable', name='content_status',
                                            native_enum=False, create_constraint=True, length=32), nullable=False),
        sa.Column('content_text', sa.Text(), nullable=False),
        sa.Column('folded', sa.Text(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_search_entry_agency_id_agency')),
        sa.ForeignKeyConstraint(['document_type_id'], ['document_type.id'],
                                name=op.f('fk_search_entry_document_type_id_document_type')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_search_entry')),
        sa.UniqueConstraint('kind', 'doc_id', name=op.f('uq_search_entry_kind_doc_id')),
    )
    op.create_index('ix_search_entry_agency_date', 'search_entry', ['agency_id', 'doc_date', 'id'], unique=False)
    op.create_table(
        'saved_search',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('agency_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('query_string', sa.String(length=2000), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_saved_search_agency_id_agency')),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_saved_search_user_id_user_account'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_saved_search')),
    )
    op.create_index(op.f('ix_saved_search_user_id'), 'saved_search', ['user_id'], unique=False)
    if op.get_context().dialect.name == 'postgresql':
        op.execute("ALTER TABLE search_entry ADD COLUMN tsv tsvector "
                   "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, folded)) STORED")
        op.execute("CREATE INDEX ix_search_entry_tsv ON search_entry USING gin (tsv)")
    else:
        op.execute("CREATE VIRTUAL TABLE search_fts USING fts5(folded, tokenize='unicode61', prefix='2 3')")


def downgrade() -> None:
    if op.get_context().dialect.name != 'postgresql':
        op.execute("DROP TABLE search_fts")
    op.drop_index(op.f('ix_saved_search_user_id'), table_name='saved_search')
    op.drop_table('saved_search')
    op.drop_index('ix_search_entry_agency_date', table_name='search_entry')
    op.drop_table('search_entry')
