"""recall cancelled

Recall, update and replace across the exchange (domain.md §7.2, §8.4): the incoming state CHECK
gains ``cancelled`` (a recalled document the clerk confirmed), the per-recipient delivery status
gains ``recall_refused`` (status 16); a platform receipt and an axis arrival keep the clerk's
refusal of a recall with its reason, an axis arrival also the recall notice itself and, for a
replacement, the document it replaces. On SQLite the tables are rebuilt by Alembic's batch mode.

Downgrade: cancelled documents go back to ``received``, refused recalls to ``recall_requested``
before the old CHECKs return.

Revision ID: 7b3e5d1a9c24
Revises: 6d2f8b1c4e57
Create Date: 2026-12-07 08:10:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import backend.db.base

revision = '7b3e5d1a9c24'
down_revision = '6d2f8b1c4e57'
branch_labels = None
depends_on = None

OLD_STATES = ('received', 'registered', 'submitted', 'assigned', 'in_progress', 'completed', 'returned')
NEW_STATES = (*OLD_STATES, 'cancelled')
OLD_DELIVERY = ('queued', 'sent', 'arrived', 'accepted', 'assigned', 'processing', 'done', 'returned',
                'recall_requested', 'recalled', 'failed')
NEW_DELIVERY = ('queued', 'sent', 'arrived', 'accepted', 'assigned', 'processing', 'done', 'returned',
                'recall_requested', 'recalled', 'recall_refused', 'failed')


def _enum(values: tuple[str, ...], name: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def _time(name: str) -> sa.Column[object]:
    return sa.Column(name, backend.db.base.UTCDateTime(timezone=True), nullable=True)


def upgrade() -> None:
    with op.batch_alter_table('incoming_document') as batch:
        batch.alter_column('state', existing_type=_enum(OLD_STATES, 'incoming_state'),
                           type_=_enum(NEW_STATES, 'incoming_state'), existing_nullable=False)
    with op.batch_alter_table('outgoing_recipient') as batch:
        batch.alter_column('status', existing_type=_enum(OLD_DELIVERY, 'delivery_status'),
                           type_=_enum(NEW_DELIVERY, 'delivery_status'), existing_nullable=False)
    with op.batch_alter_table('exchange_receipt') as batch:
        batch.add_column(_time('recall_refused_at'))
        batch.add_column(sa.Column('recall_refusal', sa.Text(), nullable=False, server_default=''))
    with op.batch_alter_table('axis_arrival') as batch:
        batch.add_column(_time('recall_requested_at'))
        batch.add_column(sa.Column('recall_reason', sa.Text(), nullable=False, server_default=''))
        batch.add_column(_time('recall_confirmed_at'))
        batch.add_column(sa.Column('recall_confirmed_by_id', sa.Integer(), nullable=True))
        batch.add_column(_time('recall_refused_at'))
        batch.add_column(sa.Column('recall_refusal', sa.Text(), nullable=False, server_default=''))
        batch.add_column(sa.Column('replaces_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(batch.f('fk_axis_arrival_recall_confirmed_by_id_user_account'), 'user_account',
                                 ['recall_confirmed_by_id'], ['id'])
        batch.create_foreign_key(batch.f('fk_axis_arrival_replaces_id_incoming_document'), 'incoming_document',
                                 ['replaces_id'], ['id'])


def downgrade() -> None:
    op.execute("UPDATE incoming_document SET state = 'received' WHERE state = 'cancelled'")
    op.execute("UPDATE outgoing_recipient SET status = 'recall_requested' WHERE status = 'recall_refused'")
    with op.batch_alter_table('axis_arrival') as batch:
        batch.drop_constraint(batch.f('fk_axis_arrival_replaces_id_incoming_document'), type_='foreignkey')
        batch.drop_constraint(batch.f('fk_axis_arrival_recall_confirmed_by_id_user_account'), type_='foreignkey')
        for column in ('replaces_id', 'recall_refusal', 'recall_refused_at', 'recall_confirmed_by_id',
                       'recall_confirmed_at', 'recall_reason', 'recall_requested_at'):
            batch.drop_column(column)
    with op.batch_alter_table('exchange_receipt') as batch:
        batch.drop_column('recall_refusal')
        batch.drop_column('recall_refused_at')
    with op.batch_alter_table('outgoing_recipient') as batch:
        batch.alter_column('status', existing_type=_enum(NEW_DELIVERY, 'delivery_status'),
                           type_=_enum(OLD_DELIVERY, 'delivery_status'), existing_nullable=False)
    with op.batch_alter_table('incoming_document') as batch:
        batch.alter_column('state', existing_type=_enum(NEW_STATES, 'incoming_state'),
                           type_=_enum(OLD_STATES, 'incoming_state'), existing_nullable=False)
