"""outgoing

Outgoing documents: number series per agency/year/series, versions, appendices, recipients with
their delivery status, history, uploaded signature and seal images, and platform-exchange receipts.

Revision ID: da63152fa1a4
Revises: 02d02739e9e3
Create Date: 2026-11-21 12:49:29.715396
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import backend.db.base

revision = 'da63152fa1a4'
down_revision = '02d02739e9e3'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('outgoing_counter',
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('series', sa.String(length=40), nullable=False),
    sa.Column('last_number', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_outgoing_counter_agency_id_agency')),
    sa.PrimaryKeyConstraint('agency_id', 'year', 'series', name=op.f('pk_outgoing_counter'))
    )
    op.create_table('signing_image',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('signature', 'seal', name='signing_image_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('agency_id', sa.Integer(), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('width_px', sa.Integer(), nullable=False),
    sa.Column('height_px', sa.Integer(), nullable=False),
    sa.Column('size_mm', sa.Integer(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('generated', sa.Boolean(), nullable=False),
    sa.Column('created_at', backend.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('user_id IS NOT NULL OR agency_id IS NOT NULL', name=op.f('ck_signing_image_has_owner')),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_signing_image_agency_id_agency')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user_account.id'], name=op.f('fk_signing_image_uploaded_by_id_user_account')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_signing_image_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signing_image'))
    )
    with op.batch_alter_table('signing_image', schema=None) as batch_op:
        batch_op.create_index('ix_signing_image_owner', ['kind', 'user_id', 'agency_id'], unique=False)

    op.create_table('outgoing_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('draft', 'unit_review', 'format_check', 'awaiting_signature', 'signed', 'registered', 'org_signed', 'issued', 'recalled', name='outgoing_state', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('document_type_id', sa.Integer(), nullable=False),
    sa.Column('summary', sa.String(length=500), nullable=False),
    sa.Column('urgency', sa.Enum('normal', 'khan', 'thuong_khan', 'hoa_toc', name='urgency', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('priority', sa.Integer(), nullable=False),
    sa.Column('reply_by_on', sa.Date(), nullable=True),
    sa.Column('drafter_id', sa.Integer(), nullable=False),
    sa.Column('drafting_unit_id', sa.Integer(), nullable=True),
    sa.Column('signer_id', sa.Integer(), nullable=False),
    sa.Column('signing_authority', sa.String(length=8), nullable=False),
    sa.Column('signer_position', sa.String(length=100), nullable=False),
    sa.Column('signer_name', sa.String(length=50), nullable=False),
    sa.Column('reply_to_incoming_id', sa.Integer(), nullable=True),
    sa.Column('description', sa.String(length=500), nullable=False),
    sa.Column('main_file_id', sa.Integer(), nullable=False),
    sa.Column('page_count', sa.Integer(), nullable=False),
    sa.Column('layout', sa.Text(), nullable=False),
    sa.Column('series', sa.String(length=40), nullable=True),
    sa.Column('number_year', sa.Integer(), nullable=True),
    sa.Column('number', sa.Integer(), nullable=True),
    sa.Column('code_number', sa.String(length=11), nullable=False),
    sa.Column('code_notation', sa.String(length=30), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=True),
    sa.Column('document_identifier', sa.String(length=100), nullable=True),
    sa.Column('signed_at', backend.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('registered_at', backend.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('sealed_at', backend.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('issued_at', backend.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('registered_by_id', sa.Integer(), nullable=True),
    sa.Column('paper_copy_required', sa.Boolean(), nullable=False),
    sa.Column('paper_copy_sent_at', backend.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('paper_copy_note', sa.String(length=300), nullable=False),
    sa.Column('recalled_at', backend.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('recall_reason', sa.Text(), nullable=False),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', backend.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', backend.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_outgoing_document_agency_id_agency')),
    sa.ForeignKeyConstraint(['document_type_id'], ['document_type.id'], name=op.f('fk_outgoing_document_document_type_id_document_type')),
    sa.ForeignKeyConstraint(['drafter_id'], ['user_account.id'], name=op.f('fk_outgoing_document_drafter_id_user_account')),
    sa.ForeignKeyConstraint(['drafting_unit_id'], ['unit.id'], name=op.f('fk_outgoing_document_drafting_unit_id_unit')),
    sa.ForeignKeyConstraint(['main_file_id'], ['stored_file.id'], name=op.f('fk_outgoing_document_main_file_id_stored_file')),
    sa.ForeignKeyConstraint(['registered_by_id'], ['user_account.id'], name=op.f('fk_outgoing_document_registered_by_id_user_account')),
    sa.ForeignKeyConstraint(['reply_to_incoming_id'], ['incoming_document.id'], name=op.f('fk_outgoing_document_reply_to_incoming_id_incoming_document')),
    sa.ForeignKeyConstraint(['signer_id'], ['user_account.id'], name=op.f('fk_outgoing_document_signer_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outgoing_document')),
    sa.UniqueConstraint('agency_id', 'number_year', 'series', 'number', name=op.f('uq_outgoing_document_agency_id_number_year_series_number')),
    sa.UniqueConstraint('document_identifier', name=op.f('uq_outgoing_document_document_identifier'))
    )
    with op.batch_alter_table('outgoing_document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outgoing_document_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outgoing_document_reply_to_incoming_id'), ['reply_to_incoming_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outgoing_document_signer_id'), ['signer_id'], unique=False)
        batch_op.create_index('ix_outgoing_document_state', ['agency_id', 'state'], unique=False)

    op.create_table('outgoing_appendix',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('outgoing_id', sa.Integer(), nullable=False),
    sa.Column('ordinal', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.Column('sealed_file_id', sa.Integer(), nullable=True),
    sa.Column('created_at', backend.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['file_id'], ['stored_file.id'], name=op.f('fk_outgoing_appendix_file_id_stored_file')),
    sa.ForeignKeyConstraint(['outgoing_id'], ['outgoing_document.id'], name=op.f('fk_outgoing_appendix_outgoing_id_outgoing_document'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sealed_file_id'], ['stored_file.id'], name=op.f('fk_outgoing_appendix_sealed_file_id_stored_file')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outgoing_appendix'))
    )
    with op.batch_alter_table('outgoing_appendix', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outgoing_appendix_outgoing_id'), ['outgoing_id'], unique=False)

    op.create_table('outgoing_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('outgoing_id', sa.Integer(), nullable=False),
    sa.Column('at', backend.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('from_state', sa.String(length=32), nullable=True),
    sa.Column('to_state', sa.String(length=32), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_outgoing_event_actor_id_user_account')),
    sa.ForeignKeyConstraint(['outgoing_id'], ['outgoing_document.id'], name=op.f('fk_outgoing_event_outgoing_id_outgoing_document'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outgoing_event'))
    )
    with op.batch_alter_table('outgoing_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outgoing_event_outgoing_id'), ['outgoing_id'], unique=False)

    op.create_table('outgoing_recipient',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('outgoing_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('agency', 'unit', name='recipient_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('recipient_agency_id', sa.Integer(), nullable=True),
    sa.Column('recipient_unit_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('status', sa.Enum('queued', 'sent', 'arrived', 'accepted', 'assigned', 'processing', 'done', 'returned', 'recall_requested', 'recalled', 'failed', name='delivery_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('status_at', backend.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('status_note', sa.Text(), nullable=False),
    sa.Column('incoming_id', sa.Integer(), nullable=True),
    sa.Column('recall_confirmed_at', backend.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', backend.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', backend.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('recipient_agency_id IS NOT NULL OR recipient_unit_id IS NOT NULL', name=op.f('ck_outgoing_recipient_has_target')),
    sa.ForeignKeyConstraint(['incoming_id'], ['incoming_document.id'], name=op.f('fk_outgoing_recipient_incoming_id_incoming_document')),
    sa.ForeignKeyConstraint(['outgoing_id'], ['outgoing_document.id'], name=op.f('fk_outgoing_recipient_outgoing_id_outgoing_document'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recipient_agency_id'], ['agency.id'], name=op.f('fk_outgoing_recipient_recipient_agency_id_agency')),
    sa.ForeignKeyConstraint(['recipient_unit_id'], ['unit.id'], name=op.f('fk_outgoing_recipient_recipient_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outgoing_recipient')),
    sa.UniqueConstraint('incoming_id', name=op.f('uq_outgoing_recipient_incoming_id'))
    )
    with op.batch_alter_table('outgoing_recipient', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outgoing_recipient_outgoing_id'), ['outgoing_id'], unique=False)

    op.create_table('outgoing_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('outgoing_id', sa.Integer(), nullable=False),
    sa.Column('ordinal', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('draft', 'signed', 'numbered', 'sealed', name='outgoing_version_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', backend.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_outgoing_version_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['file_id'], ['stored_file.id'], name=op.f('fk_outgoing_version_file_id_stored_file')),
    sa.ForeignKeyConstraint(['outgoing_id'], ['outgoing_document.id'], name=op.f('fk_outgoing_version_outgoing_id_outgoing_document'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outgoing_version')),
    sa.UniqueConstraint('outgoing_id', 'ordinal', name=op.f('uq_outgoing_version_outgoing_id_ordinal'))
    )
    with op.batch_alter_table('outgoing_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outgoing_version_outgoing_id'), ['outgoing_id'], unique=False)

    op.create_table('exchange_receipt',
    sa.Column('incoming_id', sa.Integer(), nullable=False),
    sa.Column('recipient_id', sa.Integer(), nullable=False),
    sa.Column('verification', sa.Text(), nullable=False),
    sa.Column('verified_ok', sa.Boolean(), nullable=True),
    sa.Column('last_status', sa.String(length=32), nullable=False),
    sa.Column('recall_requested_at', backend.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('recall_reason', sa.Text(), nullable=False),
    sa.Column('recall_confirmed_at', backend.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('recall_confirmed_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', backend.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', backend.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['incoming_id'], ['incoming_document.id'], name=op.f('fk_exchange_receipt_incoming_id_incoming_document'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recall_confirmed_by_id'], ['user_account.id'], name=op.f('fk_exchange_receipt_recall_confirmed_by_id_user_account')),
    sa.ForeignKeyConstraint(['recipient_id'], ['outgoing_recipient.id'], name=op.f('fk_exchange_receipt_recipient_id_outgoing_recipient')),
    sa.PrimaryKeyConstraint('incoming_id', name=op.f('pk_exchange_receipt')),
    sa.UniqueConstraint('recipient_id', name=op.f('uq_exchange_receipt_recipient_id'))
    )


def downgrade() -> None:
    op.drop_table('exchange_receipt')
    with op.batch_alter_table('outgoing_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outgoing_version_outgoing_id'))

    op.drop_table('outgoing_version')
    with op.batch_alter_table('outgoing_recipient', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outgoing_recipient_outgoing_id'))

    op.drop_table('outgoing_recipient')
    with op.batch_alter_table('outgoing_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outgoing_event_outgoing_id'))

    op.drop_table('outgoing_event')
    with op.batch_alter_table('outgoing_appendix', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outgoing_appendix_outgoing_id'))

    op.drop_table('outgoing_appendix')
    with op.batch_alter_table('outgoing_document', schema=None) as batch_op:
        batch_op.drop_index('ix_outgoing_document_state')
        batch_op.drop_index(batch_op.f('ix_outgoing_document_signer_id'))
        batch_op.drop_index(batch_op.f('ix_outgoing_document_reply_to_incoming_id'))
        batch_op.drop_index(batch_op.f('ix_outgoing_document_agency_id'))

    op.drop_table('outgoing_document')
    with op.batch_alter_table('signing_image', schema=None) as batch_op:
        batch_op.drop_index('ix_signing_image_owner')

    op.drop_table('signing_image')
    op.drop_table('outgoing_counter')
