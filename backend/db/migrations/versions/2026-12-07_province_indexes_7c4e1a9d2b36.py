"""indexes for a province's year of documents (issue 12)

* ``assignment.parent_id``: "to handle"/"watching" look for a live child of each held assignment;
* ``assignment`` live lines per person and per unit (partial): "to handle" and the task list;
* ``notification``: the unread count (partial index on unread rows) and the bell list order;
* ``incoming_document``: each state tab ordered like the inbox (urgent first, newest first), and
  the register's reception-date range;
* ``outgoing_document``: the list order (urgent first, most recently changed).

Revision ID: 7c4e1a9d2b36
Revises: c3210cb23c64
Create Date: 2026-12-07 02:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '7c4e1a9d2b36'
down_revision = 'c3210cb23c64'
branch_labels = None
depends_on = None

_UNREAD = sa.text("read_at IS NULL")
_LIVE = sa.text("status IN ('pending', 'in_progress')")
_LIVE_PERSON = sa.text("status IN ('pending', 'in_progress') AND assignee_user_id IS NOT NULL")


def upgrade() -> None:
    op.create_index('ix_assignment_parent_id', 'assignment', ['parent_id'])
    op.create_index('ix_assignment_live_user', 'assignment', ['assignee_user_id'],
                    postgresql_where=_LIVE_PERSON, sqlite_where=_LIVE_PERSON)
    op.create_index('ix_assignment_live_unit', 'assignment', ['assignee_unit_id'],
                    postgresql_where=_LIVE, sqlite_where=_LIVE)
    op.create_index('ix_notification_user_list', 'notification', ['user_id', 'created_at', 'id'])
    op.create_index('ix_notification_unread', 'notification', ['user_id'],
                    postgresql_where=_UNREAD, sqlite_where=_UNREAD)
    op.drop_index('ix_incoming_document_state', table_name='incoming_document')
    op.create_index('ix_incoming_document_state', 'incoming_document',
                    ['agency_id', 'state', 'priority', 'received_at', 'id'])
    op.create_index('ix_incoming_document_received', 'incoming_document', ['agency_id', 'received_at'])
    op.create_index('ix_outgoing_document_list', 'outgoing_document', ['agency_id', 'priority', 'updated_at', 'id'])


def downgrade() -> None:
    op.drop_index('ix_outgoing_document_list', table_name='outgoing_document')
    op.drop_index('ix_incoming_document_received', table_name='incoming_document')
    op.drop_index('ix_incoming_document_state', table_name='incoming_document')
    op.create_index('ix_incoming_document_state', 'incoming_document', ['agency_id', 'state'])
    op.drop_index('ix_notification_unread', table_name='notification')
    op.drop_index('ix_notification_user_list', table_name='notification')
    op.drop_index('ix_assignment_live_unit', table_name='assignment')
    op.drop_index('ix_assignment_live_user', table_name='assignment')
    op.drop_index('ix_assignment_parent_id', table_name='assignment')
