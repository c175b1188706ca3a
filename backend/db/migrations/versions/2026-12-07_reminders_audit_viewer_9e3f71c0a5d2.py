"""reminders sent, and indexes for the audit viewer and the leader home (issue 15)

* ``reminder_sent``: one row per reminder given (kind, subject, person, marker), unique;

* ``audit_event``: the viewer's list per agency newest first, and one object's history;
* ``incoming_document``: deadlines per agency (overdue, due today, the month's chart).

Revision ID: 9e3f71c0a5d2
Revises: 3f6a9c1e7b20
Create Date: 2026-12-07 05:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from backend.db.base import UTCDateTime

revision = '9e3f71c0a5d2'
down_revision = '3f6a9c1e7b20'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'reminder_sent',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('subject_type', sa.String(length=16), nullable=False),
        sa.Column('subject_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('marker', sa.String(length=16), nullable=False),
        sa.Column('sent_at', UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('kind', 'subject_type', 'subject_id', 'user_id', 'marker', name='uq_reminder_sent_key'),
    )
    op.create_index('ix_reminder_sent_user_id', 'reminder_sent', ['user_id'])
    op.create_index('ix_audit_event_agency_list', 'audit_event', ['agency_id', 'id'])
    op.create_index('ix_audit_event_object', 'audit_event', ['object_type', 'object_id', 'id'])
    op.create_index('ix_incoming_document_due', 'incoming_document', ['agency_id', 'due_on'])


def downgrade() -> None:
    op.drop_index('ix_reminder_sent_user_id', table_name='reminder_sent')
    op.drop_table('reminder_sent')
    op.drop_index('ix_incoming_document_due', table_name='incoming_document')
    op.drop_index('ix_audit_event_object', table_name='audit_event')
    op.drop_index('ix_audit_event_agency_list', table_name='audit_event')
