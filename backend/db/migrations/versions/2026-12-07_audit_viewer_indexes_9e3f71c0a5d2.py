"""indexes for the audit viewer and the leader home (issue 15)

* ``audit_event``: the viewer's list per agency newest first, and one object's history;
* ``incoming_document``: deadlines per agency (overdue, due today, the month's chart).

Revision ID: 9e3f71c0a5d2
Revises: 5b8d2e61f0a4
Create Date: 2026-12-07 05:00:00
"""

from __future__ import annotations

from alembic import op

revision = '9e3f71c0a5d2'
down_revision = '5b8d2e61f0a4'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_audit_event_agency_list', 'audit_event', ['agency_id', 'id'])
    op.create_index('ix_audit_event_object', 'audit_event', ['object_type', 'object_id', 'id'])
    op.create_index('ix_incoming_document_due', 'incoming_document', ['agency_id', 'due_on'])


def downgrade() -> None:
    op.drop_index('ix_incoming_document_due', table_name='incoming_document')
    op.drop_index('ix_audit_event_object', table_name='audit_event')
    op.drop_index('ix_audit_event_agency_list', table_name='audit_event')
