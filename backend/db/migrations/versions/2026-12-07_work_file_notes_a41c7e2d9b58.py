"""work file notes

A work file's ordered members may be short notes (ghi chú) besides incoming and outgoing documents
(issue 14 item 2): ``work_file_document.note`` holds the text, and the CHECK that a row names exactly
one document becomes "exactly one of an incoming document, an outgoing document or a note". On SQLite
the table is rebuilt by Alembic's batch mode.

The transfer reminder became a rule of the reminder scan: waiting jobs of the retired kind
``workfiles.remind_transfer`` (no handler any more) are removed; finished ones stay as history.

Downgrade: notes are deleted before the old CHECK returns (it has no place for them); the old worker's
start-up hook schedules its reminder job again by itself.

Revision ID: a41c7e2d9b58
Revises: a7c3e5f91d28
Create Date: 2026-12-07 11:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = 'a41c7e2d9b58'
down_revision = 'a7c3e5f91d28'
branch_labels = None
depends_on = None

ONE_DOCUMENT = '(incoming_id IS NULL) <> (outgoing_id IS NULL)'
ONE_MEMBER = ('(CASE WHEN incoming_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN outgoing_id IS NULL THEN 0 ELSE 1 END)'
              ' + (CASE WHEN note IS NULL THEN 0 ELSE 1 END) = 1')


def upgrade() -> None:
    op.execute("DELETE FROM outbox_job WHERE kind = 'workfiles.remind_transfer' AND status IN ('pending', 'running')")
    with op.batch_alter_table('work_file_document') as batch:
        batch.add_column(sa.Column('note', sa.String(length=1000), nullable=True))
        batch.drop_constraint(op.f('ck_work_file_document_one_document'), type_='check')
        batch.create_check_constraint(op.f('ck_work_file_document_one_member'), ONE_MEMBER)


def downgrade() -> None:
    op.execute('DELETE FROM work_file_document WHERE note IS NOT NULL')
    with op.batch_alter_table('work_file_document') as batch:
        batch.drop_constraint(op.f('ck_work_file_document_one_member'), type_='check')
        batch.create_check_constraint(op.f('ck_work_file_document_one_document'), ONE_DOCUMENT)
        batch.drop_column('note')
