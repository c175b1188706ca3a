"""outgoing_document.state gains ``discarded``: a drafter deletes a draft nobody approved (issue 11 item 5)

Revision ID: 9d3f0b6c1e27
Revises: 5b8d2e61f0a4
Create Date: 2026-12-07 05:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '9d3f0b6c1e27'
down_revision = '5b8d2e61f0a4'
branch_labels = None
depends_on = None

OLD_STATES = ('draft', 'unit_review', 'format_check', 'awaiting_signature', 'signed', 'registered', 'org_signed',
              'issued', 'archived', 'recalled', 'replaced')
NEW_STATES = (*OLD_STATES, 'discarded')


def _state_type(states: tuple[str, ...]) -> sa.Enum:
    return sa.Enum(*states, name='outgoing_state', native_enum=False, create_constraint=True, length=32)


def upgrade() -> None:
    with op.batch_alter_table('outgoing_document') as batch:
        batch.alter_column('state', existing_type=_state_type(OLD_STATES), type_=_state_type(NEW_STATES),
                           existing_nullable=False)


def downgrade() -> None:
    op.execute("UPDATE outgoing_document SET state = 'draft' WHERE state = 'discarded'")
    with op.batch_alter_table('outgoing_document') as batch:
        batch.alter_column('state', existing_type=_state_type(NEW_STATES), type_=_state_type(OLD_STATES),
                           existing_nullable=False)
