"""auditor role

``role_grant.role`` may be ``auditor``: a read-only role that sees the audit viewer, its export and
the statistics and reports of its agency's scope (issue 15 item 6). The role is a CHECK-guarded
string, so only the constraint changes; a downgrade removes the auditor grants first.

Revision ID: c8e1f4a2d6b9
Revises: 5b1d7e9c3a24
Create Date: 2026-12-07 12:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = 'c8e1f4a2d6b9'
down_revision = '5b1d7e9c3a24'
branch_labels = None
depends_on = None

_BEFORE = ('clerk', 'leader', 'deputy', 'unit_head', 'specialist', 'admin')
_AFTER = (*_BEFORE, 'auditor')


def _allow(roles: tuple[str, ...]) -> None:
    with op.batch_alter_table('role_grant') as batch:
        batch.drop_constraint(batch.f('ck_role_grant_role'), type_='check')
        batch.create_check_constraint(batch.f('ck_role_grant_role'), sa.column('role').in_(roles))


def upgrade() -> None:
    _allow(_AFTER)


def downgrade() -> None:
    op.execute("DELETE FROM role_grant WHERE role = 'auditor'")
    _allow(_BEFORE)
