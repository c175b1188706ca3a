"""Sessions end on password change and deactivation; failed logins are counted per client address

* ``user_account.session_epoch``: a session remembers the epoch it was opened in and is refused once
  the account's epoch moved on (password changed or reset, account deactivated);
* ``ix_audit_event_login_failed_ip``: a partial index on the failed-login audit rows by address and
  time, which the per-address login throttle counts.

Revision ID: 6d2f8b1c4e57
Revises: b7d41e9c2a65
Create Date: 2026-12-07 08:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '6d2f8b1c4e57'
down_revision = 'b7d41e9c2a65'
branch_labels = None
depends_on = None

_LOGIN_FAILED = sa.text("action = 'auth.login_failed'")


def upgrade() -> None:
    with op.batch_alter_table('user_account') as batch:
        batch.add_column(sa.Column('session_epoch', sa.Integer(), nullable=False, server_default='0'))
    op.create_index('ix_audit_event_login_failed_ip', 'audit_event', ['ip', 'at'],
                    postgresql_where=_LOGIN_FAILED, sqlite_where=_LOGIN_FAILED)


def downgrade() -> None:
    op.drop_index('ix_audit_event_login_failed_ip', table_name='audit_event')
    with op.batch_alter_table('user_account') as batch:
        batch.drop_column('session_epoch')
