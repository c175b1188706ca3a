"""outgoing lifecycle

Archive and replacement of outgoing documents (domain.md §6.2; ND 30 Đ.18.3, Đ.19): the state
CHECK gains ``archived`` and ``replaced``; new columns record who filed the original and when,
which earlier document a draft amends or replaces (and which of the two), and when and by which
document a document was replaced. On SQLite the table is rebuilt by Alembic's batch mode (see
``env.py`` for why foreign keys are off meanwhile); elsewhere it is altered in place.

Downgrade: archived and replaced documents go back to ``issued`` before the old CHECK returns.

Revision ID: 2e17f6241d06
Revises: da63152fa1a4
Create Date: 2026-11-21 16:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import backend.db.base

revision = '2e17f6241d06'
down_revision = 'da63152fa1a4'
branch_labels = None
depends_on = None

OLD_STATES = ('draft', 'unit_review', 'format_check', 'awaiting_signature', 'signed', 'registered', 'org_signed',
              'issued', 'recalled')
NEW_STATES = (*OLD_STATES, 'archived', 'replaced')


def _state_type(states: tuple[str, ...]) -> sa.Enum:
    return sa.Enum(*states, name='outgoing_state', native_enum=False, create_constraint=True, length=32)


def upgrade() -> None:
    with op.batch_alter_table('outgoing_document') as batch:
        batch.add_column(sa.Column('archived_at', backend.db.base.UTCDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('archived_by_id', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('replaces_id', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('replace_kind', sa.Enum('amend', 'replace', name='replace_kind', native_enum=False,
                                                           create_constraint=True, length=32), nullable=True))
        batch.add_column(sa.Column('replaced_at', backend.db.base.UTCDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('replaced_by_id', sa.Integer(), nullable=True))
        batch.alter_column('state', existing_type=_state_type(OLD_STATES), type_=_state_type(NEW_STATES),
                           existing_nullable=False)
        batch.create_check_constraint(batch.f('ck_outgoing_document_replace_kind_set'),
                                      '(replaces_id IS NULL) = (replace_kind IS NULL)')
        batch.create_foreign_key(batch.f('fk_outgoing_document_archived_by_id_user_account'), 'user_account',
                                 ['archived_by_id'], ['id'])
        batch.create_foreign_key(batch.f('fk_outgoing_document_replaces_id_outgoing_document'), 'outgoing_document',
                                 ['replaces_id'], ['id'])
        batch.create_foreign_key(batch.f('fk_outgoing_document_replaced_by_id_outgoing_document'),
                                 'outgoing_document', ['replaced_by_id'], ['id'])
        batch.create_index(batch.f('ix_outgoing_document_replaces_id'), ['replaces_id'], unique=False)


def downgrade() -> None:
    op.execute("UPDATE outgoing_document SET state = 'issued' WHERE state IN ('archived', 'replaced')")
    with op.batch_alter_table('outgoing_document') as batch:
        batch.drop_index(batch.f('ix_outgoing_document_replaces_id'))
        batch.drop_constraint(batch.f('fk_outgoing_document_replaced_by_id_outgoing_document'), type_='foreignkey')
        batch.drop_constraint(batch.f('fk_outgoing_document_replaces_id_outgoing_document'), type_='foreignkey')
        batch.drop_constraint(batch.f('fk_outgoing_document_archived_by_id_user_account'), type_='foreignkey')
        batch.drop_constraint(batch.f('ck_outgoing_document_replace_kind_set'), type_='check')
        batch.drop_constraint(batch.f('ck_outgoing_document_replace_kind'), type_='check')
        batch.alter_column('state', existing_type=_state_type(NEW_STATES), type_=_state_type(OLD_STATES),
                           existing_nullable=False)
        batch.drop_column('replaced_by_id')
        batch.drop_column('replaced_at')
        batch.drop_column('replace_kind')
        batch.drop_column('replaces_id')
        batch.drop_column('archived_by_id')
        batch.drop_column('archived_at')
