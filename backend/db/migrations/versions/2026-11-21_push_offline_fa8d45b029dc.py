"""push subscriptions, push preferences and offline idempotency keys

Revision ID: fa8d45b029dc
Revises: 5229cffe2cd9
Create Date: 2026-11-21 12:14:47.933541
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import backend.db.base

revision = 'fa8d45b029dc'
down_revision = '5229cffe2cd9'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('offline_action',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('method', sa.String(length=8), nullable=False),
    sa.Column('path', sa.String(length=300), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=True),
    sa.Column('location', sa.String(length=300), nullable=True),
    sa.Column('created_at', backend.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', backend.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_offline_action_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_offline_action')),
    sa.UniqueConstraint('user_id', 'key', name=op.f('uq_offline_action_user_id_key'))
    )
    with op.batch_alter_table('offline_action', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_offline_action_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_offline_action_user_id'), ['user_id'], unique=False)

    op.create_table('push_preference',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('quiet_enabled', sa.Boolean(), nullable=False),
    sa.Column('quiet_start', sa.String(length=5), nullable=False),
    sa.Column('quiet_end', sa.String(length=5), nullable=False),
    sa.Column('created_at', backend.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', backend.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_push_preference_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_push_preference'))
    )
    op.create_table('push_subscription',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('endpoint', sa.String(length=2048), nullable=False),
    sa.Column('endpoint_hash', sa.String(length=64), nullable=False),
    sa.Column('p256dh', sa.String(length=128), nullable=False),
    sa.Column('auth', sa.String(length=64), nullable=False),
    sa.Column('label', sa.String(length=120), nullable=False),
    sa.Column('user_agent', sa.String(length=300), nullable=False),
    sa.Column('last_success_at', backend.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_failure_at', backend.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_status', sa.Integer(), nullable=True),
    sa.Column('created_at', backend.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', backend.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_push_subscription_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_push_subscription')),
    sa.UniqueConstraint('endpoint_hash', name=op.f('uq_push_subscription_endpoint_hash'))
    )
    with op.batch_alter_table('push_subscription', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_push_subscription_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('push_subscription', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_push_subscription_user_id'))

    op.drop_table('push_subscription')
    op.drop_table('push_preference')
    with op.batch_alter_table('offline_action', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_offline_action_user_id'))
        batch_op.drop_index(batch_op.f('ix_offline_action_created_at'))

    op.drop_table('offline_action')
