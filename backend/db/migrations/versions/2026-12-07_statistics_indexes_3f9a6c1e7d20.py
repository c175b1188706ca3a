"""Statistics: outgoing documents by agency and issue moment (issue 15)

The statistics and the compliance report read an agency's (or a province's) documents issued in a
period; incoming documents already have ``ix_incoming_document_received`` (agency, received_at).

Revision ID: 3f9a6c1e7d20
Revises: 0e5a7c3b9f42
Create Date: 2026-12-07 05:00:00
"""

from __future__ import annotations

from alembic import op

revision = '3f9a6c1e7d20'
down_revision = '0e5a7c3b9f42'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_outgoing_document_issued', 'outgoing_document', ['agency_id', 'issued_at'])


def downgrade() -> None:
    op.drop_index('ix_outgoing_document_issued', table_name='outgoing_document')
